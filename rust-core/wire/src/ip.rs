//! IPv4 and IPv6 headers, IPv6 extension headers and fragment information.
//!
//! [`parse`] takes the bytes of one IP packet (as a link layer, a TUN device or a tunnel hands it
//! over) and returns a [`IpPacket`]: addresses, the upper-layer protocol and its bytes. The
//! payload is cut to the length the IP header states, so link-layer padding and trailers (such as
//! PCAPdroid's) never reach the transport parsers; when the capture holds fewer bytes than the
//! header states, the packet is marked [`IpPacket::truncated`] and the bytes present are returned.

use crate::bytes::{be16, be32};
use crate::{Error, Result};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;
/// IP protocol number of ICMP.
pub const PROTO_ICMP: u8 = 1;
/// IP protocol number of ICMPv6.
pub const PROTO_ICMPV6: u8 = 58;

/// The most IPv6 extension headers followed before giving up; real packets carry one or two.
const MAX_EXTENSION_HEADERS: usize = 8;

/// Where a fragment sits in the original packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment {
    /// Identification field (16 bits in IPv4, 32 in IPv6).
    pub id: u32,
    /// Offset of this fragment's payload in the reassembled payload, in bytes.
    pub offset: usize,
    /// More fragments follow.
    pub more: bool,
}

/// The parts of an IP packet the engine uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpPacket<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Upper-layer protocol (after IPv6 extension headers).
    pub protocol: u8,
    /// Upper-layer bytes; for a fragment, this fragment's part of them.
    pub payload: &'a [u8],
    /// Set when this packet is a fragment.
    pub fragment: Option<Fragment>,
    /// The capture holds fewer bytes than the IP header says the packet has.
    pub truncated: bool,
    /// Length of the packet on the wire according to its header (IP header included).
    pub wire_len: usize,
}

/// Parses an IPv4 or IPv6 packet, chosen by the version nibble.
pub fn parse(packet: &[u8]) -> Result<IpPacket<'_>> {
    match packet.first().map(|b| b >> 4) {
        Some(4) => parse_v4(packet),
        Some(6) => parse_v6(packet),
        Some(_) => Err(Error::Malformed {
            what: "ip header",
            why: "version is neither 4 nor 6",
        }),
        None => Err(Error::Truncated("ip header")),
    }
}

/// Cuts `data` to the stated packet length, noting truncation. A stated length of zero (seen on
/// captures of segmentation-offloaded packets) means "whatever was captured".
fn bounded(data: &[u8], stated: usize) -> (&[u8], bool, usize) {
    if stated == 0 {
        return (data, false, data.len());
    }
    match data.get(..stated) {
        Some(d) => (d, false, stated),
        None => (data, true, stated),
    }
}

fn parse_v4(data: &[u8]) -> Result<IpPacket<'_>> {
    let header = data.get(..20).ok_or(Error::Truncated("ipv4 header"))?;
    let ihl = usize::from(header[0] & 0x0f) * 4;
    if ihl < 20 {
        return Err(Error::Malformed {
            what: "ipv4 header",
            why: "header length below 20 bytes",
        });
    }
    let total = usize::from(u16::from_be_bytes([header[2], header[3]]));
    if total != 0 && total < ihl {
        return Err(Error::Malformed {
            what: "ipv4 header",
            why: "total length shorter than the header",
        });
    }
    let (packet, truncated, wire_len) = bounded(data, total);
    let payload = packet.get(ihl..).ok_or(Error::Truncated("ipv4 options"))?;
    let flags_frag = u16::from_be_bytes([header[6], header[7]]);
    let more = flags_frag & 0x2000 != 0;
    let offset = usize::from(flags_frag & 0x1fff) * 8;
    let fragment = (more || offset != 0).then(|| Fragment {
        id: u32::from(u16::from_be_bytes([header[4], header[5]])),
        offset,
        more,
    });
    let src = Ipv4Addr::new(header[12], header[13], header[14], header[15]);
    let dst = Ipv4Addr::new(header[16], header[17], header[18], header[19]);
    Ok(IpPacket {
        src: IpAddr::V4(src),
        dst: IpAddr::V4(dst),
        protocol: header[9],
        payload,
        fragment,
        truncated,
        wire_len,
    })
}

fn parse_v6(data: &[u8]) -> Result<IpPacket<'_>> {
    let header = data.get(..40).ok_or(Error::Truncated("ipv6 header"))?;
    let payload_len = usize::from(u16::from_be_bytes([header[4], header[5]]));
    // A zero payload length is a jumbogram (or an offloaded capture): take what was captured.
    let stated = if payload_len == 0 {
        0
    } else {
        40 + payload_len
    };
    let (packet, truncated, wire_len) = bounded(data, stated);
    let mut next = header[6];
    let mut rest = packet.get(40..).unwrap_or_default();
    let mut fragment = None;
    for _ in 0..MAX_EXTENSION_HEADERS {
        let len = match next {
            // Hop-by-hop, routing, destination options, mobility, HIP, shim6: length in 8-byte
            // units, not counting the first 8 bytes.
            0 | 43 | 60 | 135 | 139 | 140 => {
                (usize::from(
                    *rest
                        .get(1)
                        .ok_or(Error::Truncated("ipv6 extension header"))?,
                ) + 1)
                    * 8
            }
            // Authentication header: length in 4-byte units, not counting the first 8 bytes.
            51 => {
                (usize::from(
                    *rest
                        .get(1)
                        .ok_or(Error::Truncated("ipv6 authentication header"))?,
                ) + 2)
                    * 4
            }
            44 => {
                let word = be16(rest, 2).ok_or(Error::Truncated("ipv6 fragment header"))?;
                let id = be32(rest, 4).ok_or(Error::Truncated("ipv6 fragment header"))?;
                let more = word & 1 != 0;
                let offset = usize::from(word >> 3) * 8;
                if more || offset != 0 {
                    fragment = Some(Fragment { id, offset, more });
                }
                8
            }
            _ => break,
        };
        let (ext, after) = rest
            .split_at_checked(len)
            .ok_or(Error::Truncated("ipv6 extension header"))?;
        next = ext[0];
        rest = after;
        // Later headers of a non-first fragment belong to the reassembled payload.
        if fragment.is_some_and(|f| f.offset != 0) {
            break;
        }
    }
    let src = Ipv6Addr::from(<[u8; 16]>::try_from(&header[8..24]).unwrap_or([0; 16]));
    let dst = Ipv6Addr::from(<[u8; 16]>::try_from(&header[24..40]).unwrap_or([0; 16]));
    Ok(IpPacket {
        src: IpAddr::V6(src),
        dst: IpAddr::V6(dst),
        protocol: next,
        payload: rest,
        fragment,
        truncated,
        wire_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(proto: u8, payload: &[u8], frag_word: u16) -> Vec<u8> {
        let total = (20 + payload.len()) as u16;
        let mut p = vec![
            0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 8, 8, 4, 4,
        ];
        p[2..4].copy_from_slice(&total.to_be_bytes());
        p[6..8].copy_from_slice(&frag_word.to_be_bytes());
        p.extend_from_slice(payload);
        p
    }

    #[test]
    fn ipv4_basic_and_trailer_cut() {
        let mut p = v4(PROTO_UDP, b"abcdefgh", 0);
        p.extend_from_slice(&[0xee; 6]); // Ethernet padding must not reach the payload
        let ip = parse(&p).unwrap();
        assert_eq!(ip.src, "10.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(ip.dst, "8.8.4.4".parse::<IpAddr>().unwrap());
        assert_eq!(ip.protocol, PROTO_UDP);
        assert_eq!(ip.payload, b"abcdefgh");
        assert_eq!(ip.fragment, None);
        assert!(!ip.truncated);
        assert_eq!(ip.wire_len, 28);
    }

    #[test]
    fn ipv4_truncated_capture() {
        let p = v4(PROTO_TCP, &[1; 100], 0);
        let ip = parse(&p[..60]).unwrap();
        assert!(ip.truncated);
        assert_eq!(ip.payload.len(), 40);
        assert_eq!(ip.wire_len, 120);
    }

    #[test]
    fn ipv4_fragments() {
        let first = v4(PROTO_UDP, &[0; 16], 0x2000);
        let f = parse(&first).unwrap().fragment.unwrap();
        assert_eq!(
            f,
            Fragment {
                id: 0x1234,
                offset: 0,
                more: true
            }
        );
        let last = v4(PROTO_UDP, &[0; 16], 0x0002);
        let f = parse(&last).unwrap().fragment.unwrap();
        assert_eq!(
            f,
            Fragment {
                id: 0x1234,
                offset: 16,
                more: false
            }
        );
    }

    #[test]
    fn ipv4_rejects_bad_headers() {
        let mut p = v4(PROTO_UDP, b"x", 0);
        p[0] = 0x44;
        assert!(matches!(parse(&p), Err(Error::Malformed { .. })));
        let mut p = v4(PROTO_UDP, b"x", 0);
        p[2..4].copy_from_slice(&10u16.to_be_bytes());
        assert!(matches!(parse(&p), Err(Error::Malformed { .. })));
        assert_eq!(parse(&p[..10]), Err(Error::Truncated("ipv4 header")));
        assert_eq!(parse(&[]), Err(Error::Truncated("ip header")));
        assert!(parse(&[0x50]).is_err());
    }

    fn v6(next: u8, body: &[u8]) -> Vec<u8> {
        let mut p = vec![0x60, 0, 0, 0];
        p.extend_from_slice(&(body.len() as u16).to_be_bytes());
        p.extend_from_slice(&[next, 64]);
        p.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        p.extend_from_slice(&"2001:db8::2".parse::<Ipv6Addr>().unwrap().octets());
        p.extend_from_slice(body);
        p
    }

    #[test]
    fn ipv6_extension_chain() {
        // hop-by-hop (8 bytes) -> destination options (16 bytes) -> UDP
        let mut body = vec![60, 0, 0, 0, 0, 0, 0, 0];
        body.extend_from_slice(&[PROTO_UDP, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        body.extend_from_slice(b"payload!");
        let packet = v6(0, &body);
        let ip = parse(&packet).unwrap();
        assert_eq!(ip.protocol, PROTO_UDP);
        assert_eq!(ip.payload, b"payload!");
        assert_eq!(ip.dst, "2001:db8::2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn ipv6_fragment_header() {
        // fragment header: next UDP, offset 2 (16 bytes), M=1, id 0xdeadbeef
        let mut body = vec![PROTO_UDP, 0, 0x00, 0x11, 0xde, 0xad, 0xbe, 0xef];
        body.extend_from_slice(b"fragdata");
        let packet = v6(44, &body);
        let ip = parse(&packet).unwrap();
        assert_eq!(
            ip.fragment,
            Some(Fragment {
                id: 0xdead_beef,
                offset: 16,
                more: true
            })
        );
        assert_eq!(ip.payload, b"fragdata");
        // An atomic fragment (offset 0, M=0) is not a fragment.
        let body = [PROTO_UDP, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(parse(&v6(44, &body)).unwrap().fragment, None);
    }

    #[test]
    fn ipv6_truncated_extension() {
        let body = [PROTO_UDP, 5, 0, 0];
        assert_eq!(
            parse(&v6(0, &body)),
            Err(Error::Truncated("ipv6 extension header"))
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..128)) {
            let _ = parse(&data);
        }

        #[test]
        fn never_panics_v6(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..128)) {
            let mut data = v6(0, &[]);
            data.extend_from_slice(&tail);
            let _ = parse(&data);
        }
    }
}
