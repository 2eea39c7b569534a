//! Link-layer decapsulation: from a captured frame to the IPv4 or IPv6 header inside it.
//!
//! Link types are tcpdump's `LINKTYPE_` values (<https://www.tcpdump.org/linktypes.html>), the
//! numbers pcap and pcapng files carry. Header layouts: IEEE 802.3 (Ethernet), IEEE 802.1Q
//! (VLAN and QinQ tags), RFC 2516 (PPPoE), RFC 3032 (MPLS label stack entries), and tcpdump's
//! pages on `LINKTYPE_LINUX_SLL`, `LINKTYPE_LINUX_SLL2`, `LINKTYPE_NULL` and `LINKTYPE_LOOP`.

use crate::{Error, Result};

/// tcpdump `LINKTYPE_` numbers this module decodes.
pub mod linktype {
    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    pub const NULL: u32 = 0;
    /// Ethernet II / IEEE 802.3.
    pub const ETHERNET: u32 = 1;
    /// `DLT_RAW` as most BSDs and Linux number it (raw IPv4 or IPv6, no link header).
    pub const DLT_RAW_12: u32 = 12;
    /// `DLT_RAW` as OpenBSD numbers it.
    pub const DLT_RAW_14: u32 = 14;
    /// Raw IPv4 or IPv6, no link header (`LINKTYPE_RAW`).
    pub const RAW: u32 = 101;
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    pub const LOOP: u32 = 108;
    /// Linux "cooked" capture, version 1 (16-byte header).
    pub const LINUX_SLL: u32 = 113;
    /// Raw IPv4 only.
    pub const IPV4: u32 = 228;
    /// Raw IPv6 only.
    pub const IPV6: u32 = 229;
    /// Linux "cooked" capture, version 2 (20-byte header).
    pub const LINUX_SLL2: u32 = 276;
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86DD;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88A8;
/// Pre-standard QinQ outer tag some switches still emit.
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
const ETHERTYPE_MPLS_UNICAST: u16 = 0x8847;

/// PPP protocol numbers (RFC 1332 for IPv4, RFC 5072 for IPv6).
const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;

/// Linux `ARPHRD_NETLINK`: on SLL captures of netlink sockets the protocol field is a netlink
/// family, not an EtherType.
const ARPHRD_NETLINK: u16 = 824;

/// Address families that mean IPv4 or IPv6 in a BSD loopback header. IPv6's value differs between
/// systems: 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly BSD), 30 (Darwin).
const AF_INET: u32 = 2;
const AF_INET6_BSD: u32 = 24;
const AF_INET6_FREEBSD: u32 = 28;
const AF_INET6_DARWIN: u32 = 30;

/// At most this many 802.1Q/802.1ad tags are skipped; real frames carry one or two.
const MAX_VLAN_TAGS: usize = 8;
/// At most this many MPLS label stack entries are popped.
const MAX_MPLS_LABELS: usize = 16;

/// Link-layer header types we decode (tcpdump LINKTYPE_ values): Ethernet 1, raw IP 101 (and
/// DLT_RAW 12/14 as some systems write them), IPv4 228, IPv6 229, Linux SLL 113, SLL2 276, BSD
/// null/loopback 0 (family in host byte order, either order accepted) and LOOP 108 (network
/// order).
///
/// Returns the bytes starting at the IPv4 or IPv6 header (possibly followed by link trailers such
/// as an Ethernet FCS; the IP parser uses the IP length fields). Ethernet: 802.1Q/802.1ad/QinQ
/// tags (0x8100, 0x88a8, 0x9100) are skipped up to a depth of 8, PPPoE session frames (0x8864)
/// carrying IPv4 or IPv6 are unwrapped, and MPLS unicast (0x8847) labels are popped until the
/// bottom of the stack, after which the IP version nibble decides. Non-IP frames (ARP, LLDP, ...)
/// give `Err(Unsupported(..))`; unknown link types give `Err(Unsupported("link type"))`.
pub fn ip_payload(linktype: u32, frame: &[u8]) -> Result<&[u8]> {
    match linktype {
        linktype::ETHERNET => {
            let Some((header, rest)) = frame.split_first_chunk::<14>() else {
                return Err(Error::Truncated("ethernet header"));
            };
            after_ethertype(u16::from_be_bytes([header[12], header[13]]), rest)
        }
        linktype::RAW | linktype::DLT_RAW_12 | linktype::DLT_RAW_14 => by_version(frame, "raw ip"),
        linktype::IPV4 | linktype::IPV6 => Ok(frame),
        linktype::NULL => {
            let Some((family, rest)) = frame.split_first_chunk::<4>() else {
                return Err(Error::Truncated("loopback header"));
            };
            // The family is in the writer's byte order; families are small, so the order whose
            // upper half is zero is the right one.
            let le = u32::from_le_bytes(*family);
            let family = if le & 0xFFFF_0000 == 0 {
                le
            } else {
                u32::from_be_bytes(*family)
            };
            loopback_family(family, rest)
        }
        linktype::LOOP => {
            let Some((family, rest)) = frame.split_first_chunk::<4>() else {
                return Err(Error::Truncated("loopback header"));
            };
            loopback_family(u32::from_be_bytes(*family), rest)
        }
        linktype::LINUX_SLL => {
            let Some((header, rest)) = frame.split_first_chunk::<16>() else {
                return Err(Error::Truncated("linux sll header"));
            };
            let hatype = u16::from_be_bytes([header[2], header[3]]);
            if hatype == ARPHRD_NETLINK {
                return Err(Error::Unsupported("netlink frame"));
            }
            after_ethertype(u16::from_be_bytes([header[14], header[15]]), rest)
        }
        linktype::LINUX_SLL2 => {
            let Some((header, rest)) = frame.split_first_chunk::<20>() else {
                return Err(Error::Truncated("linux sll2 header"));
            };
            let hatype = u16::from_be_bytes([header[8], header[9]]);
            if hatype == ARPHRD_NETLINK {
                return Err(Error::Unsupported("netlink frame"));
            }
            after_ethertype(u16::from_be_bytes([header[0], header[1]]), rest)
        }
        _ => Err(Error::Unsupported("link type")),
    }
}

/// Follows an EtherType (and any VLAN tags, PPPoE or MPLS headers after it) to the IP header.
fn after_ethertype(mut ethertype: u16, mut rest: &[u8]) -> Result<&[u8]> {
    for _ in 0..=MAX_VLAN_TAGS {
        match ethertype {
            ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => return Ok(rest),
            ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD => {
                // Tag control information (2 bytes), then the next EtherType.
                let Some((tag, tail)) = rest.split_first_chunk::<4>() else {
                    return Err(Error::Truncated("vlan tag"));
                };
                ethertype = u16::from_be_bytes([tag[2], tag[3]]);
                rest = tail;
            }
            ETHERTYPE_PPPOE_SESSION => return pppoe_session(rest),
            ETHERTYPE_MPLS_UNICAST => return mpls(rest),
            _ => return Err(Error::Unsupported("non-ip ethertype")),
        }
    }
    Err(Error::Unsupported("vlan tags nested too deep"))
}

/// PPPoE session header (version/type, code, session id, length: 6 bytes), then the 2-byte PPP
/// protocol field.
fn pppoe_session(frame: &[u8]) -> Result<&[u8]> {
    let Some((header, rest)) = frame.split_first_chunk::<8>() else {
        return Err(Error::Truncated("pppoe header"));
    };
    match u16::from_be_bytes([header[6], header[7]]) {
        PPP_IPV4 | PPP_IPV6 => Ok(rest),
        _ => Err(Error::Unsupported("non-ip ppp protocol")),
    }
}

/// Pops 4-byte MPLS label stack entries until the one with the bottom-of-stack bit set.
fn mpls(mut rest: &[u8]) -> Result<&[u8]> {
    for _ in 0..MAX_MPLS_LABELS {
        let Some((entry, tail)) = rest.split_first_chunk::<4>() else {
            return Err(Error::Truncated("mpls label stack"));
        };
        rest = tail;
        if entry[2] & 0x01 != 0 {
            // MPLS does not say what it carries; IP is recognised by its version nibble.
            return match rest.first().map(|b| b >> 4) {
                Some(4 | 6) => Ok(rest),
                Some(_) => Err(Error::Unsupported("non-ip mpls payload")),
                None => Err(Error::Truncated("mpls payload")),
            };
        }
    }
    Err(Error::Unsupported("mpls label stack too deep"))
}

/// Maps a BSD loopback address family to the IP payload after it.
fn loopback_family(family: u32, rest: &[u8]) -> Result<&[u8]> {
    match family {
        AF_INET | AF_INET6_BSD | AF_INET6_FREEBSD | AF_INET6_DARWIN => Ok(rest),
        _ => Err(Error::Unsupported("non-ip loopback family")),
    }
}

/// Raw IP: the version nibble tells IPv4 from IPv6.
fn by_version<'a>(frame: &'a [u8], what: &'static str) -> Result<&'a [u8]> {
    match frame.first().map(|b| b >> 4) {
        Some(4 | 6) => Ok(frame),
        Some(_) => Err(Error::Malformed {
            what,
            why: "ip version is neither 4 nor 6",
        }),
        None => Err(Error::Truncated(what)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal IPv4 header (version 4, IHL 5) followed by two payload bytes.
    const IPV4: &[u8] = &[
        0x45, 0, 0, 22, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0xAB, 0xCD,
    ];
    /// The first bytes of an IPv6 header (version 6).
    const IPV6: &[u8] = &[0x60, 0, 0, 0, 0, 0, 17, 64];

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    const MACS: &[u8] = &[2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];

    #[test]
    fn ethernet_ipv4_and_ipv6() {
        let f = cat(&[MACS, &[0x08, 0x00], IPV4]);
        assert_eq!(ip_payload(linktype::ETHERNET, &f), Ok(IPV4));
        let f = cat(&[MACS, &[0x86, 0xDD], IPV6]);
        assert_eq!(ip_payload(linktype::ETHERNET, &f), Ok(IPV6));
        // An FCS after the packet stays: the IP parser uses the IP total length.
        let f = cat(&[MACS, &[0x08, 0x00], IPV4, &[1, 2, 3, 4]]);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &f).map(<[u8]>::len),
            Ok(IPV4.len() + 4)
        );
    }

    #[test]
    fn ethernet_vlan_tags() {
        let one = cat(&[MACS, &[0x81, 0x00, 0x00, 0x64, 0x08, 0x00], IPV4]);
        assert_eq!(ip_payload(linktype::ETHERNET, &one), Ok(IPV4));
        let qinq = cat(&[
            MACS,
            &[0x88, 0xA8, 0, 10, 0x81, 0x00, 0, 20, 0x86, 0xDD],
            IPV6,
        ]);
        assert_eq!(ip_payload(linktype::ETHERNET, &qinq), Ok(IPV6));
        let old = cat(&[
            MACS,
            &[0x91, 0x00, 0, 10, 0x81, 0x00, 0, 20, 0x08, 0x00],
            IPV4,
        ]);
        assert_eq!(ip_payload(linktype::ETHERNET, &old), Ok(IPV4));

        let mut deep = MACS.to_vec();
        for _ in 0..MAX_VLAN_TAGS {
            deep.extend_from_slice(&[0x81, 0x00, 0, 1]);
        }
        deep.extend_from_slice(&[0x08, 0x00]);
        deep.extend_from_slice(IPV4);
        assert_eq!(ip_payload(linktype::ETHERNET, &deep), Ok(IPV4));

        let mut too_deep = MACS.to_vec();
        for _ in 0..=MAX_VLAN_TAGS {
            too_deep.extend_from_slice(&[0x81, 0x00, 0, 1]);
        }
        too_deep.extend_from_slice(&[0x08, 0x00]);
        too_deep.extend_from_slice(IPV4);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &too_deep),
            Err(Error::Unsupported("vlan tags nested too deep"))
        );

        let cut = cat(&[MACS, &[0x81, 0x00, 0x00]]);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &cut),
            Err(Error::Truncated("vlan tag"))
        );
    }

    #[test]
    fn ethernet_pppoe_session() {
        let pppoe = [0x11, 0x00, 0x12, 0x34, 0x00, 24];
        let f = cat(&[MACS, &[0x88, 0x64], &pppoe, &[0x00, 0x21], IPV4]);
        assert_eq!(ip_payload(linktype::ETHERNET, &f), Ok(IPV4));
        let f = cat(&[MACS, &[0x88, 0x64], &pppoe, &[0x00, 0x57], IPV6]);
        assert_eq!(ip_payload(linktype::ETHERNET, &f), Ok(IPV6));
        // LCP (0xC021) is not IP.
        let f = cat(&[MACS, &[0x88, 0x64], &pppoe, &[0xC0, 0x21], &[1, 2, 3, 4]]);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &f),
            Err(Error::Unsupported("non-ip ppp protocol"))
        );
        let f = cat(&[MACS, &[0x88, 0x64], &pppoe, &[0x00]]);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &f),
            Err(Error::Truncated("pppoe header"))
        );
    }

    #[test]
    fn ethernet_mpls() {
        // Two labels: 100 (not bottom), 200 (bottom of stack), TTL 64.
        let labels = [0x00, 0x06, 0x40, 0x40, 0x00, 0x0C, 0x81, 0x40];
        let f = cat(&[MACS, &[0x88, 0x47], &labels, IPV4]);
        assert_eq!(ip_payload(linktype::ETHERNET, &f), Ok(IPV4));
        let f = cat(&[MACS, &[0x88, 0x47], &labels, IPV6]);
        assert_eq!(ip_payload(linktype::ETHERNET, &f), Ok(IPV6));
        // A pseudowire control word (first nibble 0) is not IP.
        let f = cat(&[MACS, &[0x88, 0x47], &labels, &[0, 0, 0, 0]]);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &f),
            Err(Error::Unsupported("non-ip mpls payload"))
        );
        let f = cat(&[MACS, &[0x88, 0x47], &labels[..4]]);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &f),
            Err(Error::Truncated("mpls label stack"))
        );
        let f = cat(&[MACS, &[0x88, 0x47], &labels]);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &f),
            Err(Error::Truncated("mpls payload"))
        );
        let mut endless = cat(&[MACS, &[0x88, 0x47]]);
        for _ in 0..MAX_MPLS_LABELS {
            endless.extend_from_slice(&labels[..4]);
        }
        endless.extend_from_slice(IPV4);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &endless),
            Err(Error::Unsupported("mpls label stack too deep"))
        );
    }

    #[test]
    fn ethernet_non_ip() {
        let arp = cat(&[MACS, &[0x08, 0x06], &[0, 1, 8, 0, 6, 4, 0, 1]]);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &arp),
            Err(Error::Unsupported("non-ip ethertype"))
        );
        let lldp = cat(&[MACS, &[0x88, 0xCC], &[2, 7]]);
        assert_eq!(
            ip_payload(linktype::ETHERNET, &lldp),
            Err(Error::Unsupported("non-ip ethertype"))
        );
        assert_eq!(
            ip_payload(linktype::ETHERNET, &[MACS, &[0x08]].concat()),
            Err(Error::Truncated("ethernet header"))
        );
    }

    #[test]
    fn raw_ip() {
        for lt in [linktype::RAW, linktype::DLT_RAW_12, linktype::DLT_RAW_14] {
            assert_eq!(ip_payload(lt, IPV4), Ok(IPV4));
            assert_eq!(ip_payload(lt, IPV6), Ok(IPV6));
            assert_eq!(ip_payload(lt, &[]), Err(Error::Truncated("raw ip")));
            assert_eq!(
                ip_payload(lt, &[0x50, 0]),
                Err(Error::Malformed {
                    what: "raw ip",
                    why: "ip version is neither 4 nor 6"
                })
            );
        }
        assert_eq!(ip_payload(linktype::IPV4, IPV4), Ok(IPV4));
        assert_eq!(ip_payload(linktype::IPV6, IPV6), Ok(IPV6));
    }

    #[test]
    fn bsd_null_either_byte_order() {
        let f = cat(&[&2u32.to_le_bytes(), IPV4]);
        assert_eq!(ip_payload(linktype::NULL, &f), Ok(IPV4));
        let f = cat(&[&2u32.to_be_bytes(), IPV4]);
        assert_eq!(ip_payload(linktype::NULL, &f), Ok(IPV4));
        for af in [24u32, 28, 30] {
            let f = cat(&[&af.to_le_bytes(), IPV6]);
            assert_eq!(ip_payload(linktype::NULL, &f), Ok(IPV6));
            let f = cat(&[&af.to_be_bytes(), IPV6]);
            assert_eq!(ip_payload(linktype::NULL, &f), Ok(IPV6));
        }
        let f = cat(&[&7u32.to_le_bytes(), IPV4]);
        assert_eq!(
            ip_payload(linktype::NULL, &f),
            Err(Error::Unsupported("non-ip loopback family"))
        );
        assert_eq!(
            ip_payload(linktype::NULL, &[2, 0]),
            Err(Error::Truncated("loopback header"))
        );
    }

    #[test]
    fn loop_network_order() {
        let f = cat(&[&2u32.to_be_bytes(), IPV4]);
        assert_eq!(ip_payload(linktype::LOOP, &f), Ok(IPV4));
        let f = cat(&[&24u32.to_be_bytes(), IPV6]);
        assert_eq!(ip_payload(linktype::LOOP, &f), Ok(IPV6));
        // Host order is not accepted for LOOP.
        let f = cat(&[&2u32.to_le_bytes(), IPV4]);
        assert_eq!(
            ip_payload(linktype::LOOP, &f),
            Err(Error::Unsupported("non-ip loopback family"))
        );
    }

    #[test]
    fn linux_sll() {
        // Packet type 0 (to us), ARPHRD_ETHER (1), address length 6, address padded to 8.
        let head = [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
        let f = cat(&[&head, &[0x08, 0x00], IPV4]);
        assert_eq!(ip_payload(linktype::LINUX_SLL, &f), Ok(IPV4));
        let f = cat(&[&head, &[0x86, 0xDD], IPV6]);
        assert_eq!(ip_payload(linktype::LINUX_SLL, &f), Ok(IPV6));
        let f = cat(&[&head, &[0x81, 0x00, 0, 5, 0x08, 0x00], IPV4]);
        assert_eq!(ip_payload(linktype::LINUX_SLL, &f), Ok(IPV4));
        let f = cat(&[&head, &[0x08, 0x06], &[0, 1]]);
        assert_eq!(
            ip_payload(linktype::LINUX_SLL, &f),
            Err(Error::Unsupported("non-ip ethertype"))
        );
        let netlink = [0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            ip_payload(linktype::LINUX_SLL, &netlink),
            Err(Error::Unsupported("netlink frame"))
        );
        assert_eq!(
            ip_payload(linktype::LINUX_SLL, &head),
            Err(Error::Truncated("linux sll header"))
        );
    }

    #[test]
    fn linux_sll2() {
        // Protocol, reserved, interface index 3, ARPHRD_ETHER, packet type 4 (outgoing),
        // address length 6, address padded to 8.
        let tail = [0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0];
        let f = cat(&[&[0x08, 0x00], &tail, IPV4]);
        assert_eq!(ip_payload(linktype::LINUX_SLL2, &f), Ok(IPV4));
        let f = cat(&[&[0x86, 0xDD], &tail, IPV6]);
        assert_eq!(ip_payload(linktype::LINUX_SLL2, &f), Ok(IPV6));
        let f = cat(&[&[0x88, 0xCC], &tail, &[1]]);
        assert_eq!(
            ip_payload(linktype::LINUX_SLL2, &f),
            Err(Error::Unsupported("non-ip ethertype"))
        );
        assert_eq!(
            ip_payload(linktype::LINUX_SLL2, &tail),
            Err(Error::Truncated("linux sll2 header"))
        );
    }

    #[test]
    fn unknown_link_type() {
        assert_eq!(ip_payload(105, IPV4), Err(Error::Unsupported("link type")));
        assert_eq!(
            ip_payload(u32::MAX, &[]),
            Err(Error::Unsupported("link type"))
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(linktype in proptest::prop_oneof![
            proptest::sample::select(vec![0u32, 1, 12, 14, 101, 108, 113, 228, 229, 276]),
            proptest::num::u32::ANY,
        ], frame in proptest::collection::vec(proptest::num::u8::ANY, 0..96)) {
            if let Ok(ip) = ip_payload(linktype, &frame) {
                // The result is always a suffix of the frame.
                proptest::prop_assert!(frame.ends_with(ip));
            }
        }

        /// Ethernet frames built from the headers this module follows, in any order and depth.
        #[test]
        fn stacked_headers_never_panic(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                vec![0x81, 0x00, 0, 1], vec![0x88, 0xA8, 0, 2], vec![0x91, 0x00, 0, 3],
                vec![0x88, 0x64, 0x11, 0, 0, 1, 0, 20, 0x00, 0x21], vec![0x88, 0x64, 0x11, 0, 0, 1],
                vec![0x88, 0x47, 0, 0, 0x10, 64], vec![0, 0, 0x11, 64], vec![0x08, 0x00],
                vec![0x86, 0xDD], vec![0x45], vec![0x60], vec![0x08, 0x06],
            ]), 0..12),
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..8),
        ) {
            let mut frame = MACS.to_vec();
            frame.extend(parts.concat());
            frame.extend(tail);
            for linktype in [linktype::ETHERNET, linktype::LINUX_SLL, linktype::LINUX_SLL2] {
                if let Ok(ip) = ip_payload(linktype, &frame) {
                    proptest::prop_assert!(frame.ends_with(ip));
                }
            }
        }
    }
}
