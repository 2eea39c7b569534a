//! Reading a packet from the TUN far enough to route it, and building the IP packets the
//! netstack writes itself (UDP replies, ICMP).
//!
//! Everything goes through smoltcp's checked views (`new_checked`, `Repr::parse`), so no access
//! here can panic on any input.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{
    Icmpv4Message, Icmpv4Packet, Icmpv4Repr, Icmpv6Message, Icmpv6Packet, Icmpv6Repr, IpAddress,
    IpProtocol, IpRepr, Ipv4Packet, Ipv4Repr, Ipv6Packet, Ipv6Repr, TcpControl, TcpPacket, TcpRepr,
    UdpPacket, UdpRepr,
};

use crate::error::Error;

/// Hop limit of the packets the netstack builds.
const HOP_LIMIT: u8 = 64;

/// The IP header of an app's packet, kept so an ICMP error can quote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpHeader {
    V4(Ipv4Repr),
    V6(Ipv6Repr),
}

/// What an ICMP error about a packet quotes: its IP header and the first 8 bytes after it
/// (ports and sequence number: all a host needs to find the socket, RFC 792 / RFC 4443).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quote {
    pub(crate) header: IpHeader,
    pub(crate) head: [u8; 8],
}

/// The parts of a TCP segment the netstack looks at before smoltcp takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TcpSeg {
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    /// SYN without ACK (checksum verified): the start of a new connection.
    pub(crate) initial_syn: bool,
    pub(crate) rst: bool,
    /// Set for an initial SYN only.
    pub(crate) quote: Option<Quote>,
}

/// A packet the netstack can handle.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parsed<'a> {
    Tcp(TcpSeg),
    Udp {
        src: SocketAddr,
        dst: SocketAddr,
        payload: &'a [u8],
    },
    Echo {
        src: IpAddr,
        dst: IpAddr,
        ident: u16,
        seq_no: u16,
        data: &'a [u8],
    },
}

/// Why a packet was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejected {
    /// Truncated, bad length or checksum, bad flags.
    Malformed,
    /// An IPv4 fragment (the front end reassembles before the netstack).
    Fragment,
    /// Valid but not handled: other protocols, IPv6 extension headers, multicast, other ICMP.
    Unsupported,
}

fn checksums() -> ChecksumCapabilities {
    ChecksumCapabilities::default()
}

/// Only unicast flows are relayed: multicast and broadcast stay on the device.
fn unicast(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => !(a.is_unspecified() || a.is_multicast() || a.is_broadcast()),
        IpAddr::V6(a) => !(a.is_unspecified() || a.is_multicast()),
    }
}

/// Read an IP packet from the TUN.
pub(crate) fn classify(packet: &[u8]) -> Result<Parsed<'_>, Rejected> {
    match packet.first().map(|b| b >> 4) {
        Some(4) => {
            let ip = Ipv4Packet::new_checked(packet).map_err(|_| Rejected::Malformed)?;
            if ip.more_frags() || ip.frag_offset() != 0 {
                return Err(Rejected::Fragment);
            }
            let repr = Ipv4Repr::parse(&ip, &checksums()).map_err(|_| Rejected::Malformed)?;
            let (src, dst) = (IpAddr::V4(repr.src_addr), IpAddr::V4(repr.dst_addr));
            transport(IpHeader::V4(repr), src, dst, repr.next_header, ip.payload())
        }
        Some(6) => {
            let ip = Ipv6Packet::new_checked(packet).map_err(|_| Rejected::Malformed)?;
            let repr = Ipv6Repr::parse(&ip).map_err(|_| Rejected::Malformed)?;
            let (src, dst) = (IpAddr::V6(repr.src_addr), IpAddr::V6(repr.dst_addr));
            transport(IpHeader::V6(repr), src, dst, repr.next_header, ip.payload())
        }
        _ => Err(Rejected::Malformed),
    }
}

fn transport<'a>(
    header: IpHeader,
    src: IpAddr,
    dst: IpAddr,
    protocol: IpProtocol,
    payload: &'a [u8],
) -> Result<Parsed<'a>, Rejected> {
    if !unicast(src) || !unicast(dst) {
        return Err(Rejected::Unsupported);
    }
    let (src_ip, dst_ip) = (IpAddress::from(src), IpAddress::from(dst));
    match protocol {
        IpProtocol::Tcp => {
            let tcp = TcpPacket::new_checked(payload).map_err(|_| Rejected::Malformed)?;
            let src = SocketAddr::new(src, tcp.src_port());
            let dst = SocketAddr::new(dst, tcp.dst_port());
            if !tcp.syn() {
                // smoltcp verifies the rest; only a SYN makes the netstack allocate.
                return Ok(Parsed::Tcp(TcpSeg {
                    src,
                    dst,
                    initial_syn: false,
                    rst: tcp.rst(),
                    quote: None,
                }));
            }
            let repr = TcpRepr::parse(&tcp, &src_ip, &dst_ip, &checksums())
                .map_err(|_| Rejected::Malformed)?;
            let initial_syn = repr.control == TcpControl::Syn && repr.ack_number.is_none();
            let head = payload.get(..8).and_then(|h| <[u8; 8]>::try_from(h).ok());
            // The quoted header describes only what is quoted, so checked parsers accept it.
            let header = match header {
                IpHeader::V4(h) => IpHeader::V4(Ipv4Repr {
                    payload_len: 8,
                    ..h
                }),
                IpHeader::V6(h) => IpHeader::V6(Ipv6Repr {
                    payload_len: 8,
                    ..h
                }),
            };
            let quote = head.map(|head| Quote { header, head });
            Ok(Parsed::Tcp(TcpSeg {
                src,
                dst,
                initial_syn,
                rst: false,
                quote,
            }))
        }
        IpProtocol::Udp => {
            let udp = UdpPacket::new_checked(payload).map_err(|_| Rejected::Malformed)?;
            let repr = UdpRepr::parse(&udp, &src_ip, &dst_ip, &checksums())
                .map_err(|_| Rejected::Malformed)?;
            Ok(Parsed::Udp {
                src: SocketAddr::new(src, repr.src_port),
                dst: SocketAddr::new(dst, repr.dst_port),
                payload: udp.payload(),
            })
        }
        IpProtocol::Icmp if matches!(header, IpHeader::V4(_)) => {
            let icmp = Icmpv4Packet::new_checked(payload).map_err(|_| Rejected::Malformed)?;
            if icmp.msg_type() != Icmpv4Message::EchoRequest {
                return Err(Rejected::Unsupported);
            }
            match Icmpv4Repr::parse(&icmp, &checksums()) {
                Ok(Icmpv4Repr::EchoRequest {
                    ident,
                    seq_no,
                    data,
                }) => Ok(Parsed::Echo {
                    src,
                    dst,
                    ident,
                    seq_no,
                    data,
                }),
                Ok(_) => Err(Rejected::Unsupported),
                Err(_) => Err(Rejected::Malformed),
            }
        }
        IpProtocol::Icmpv6 => match (src, dst) {
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                let icmp = Icmpv6Packet::new_checked(payload).map_err(|_| Rejected::Malformed)?;
                if icmp.msg_type() != Icmpv6Message::EchoRequest {
                    return Err(Rejected::Unsupported);
                }
                match Icmpv6Repr::parse(&s, &d, &icmp, &checksums()) {
                    Ok(Icmpv6Repr::EchoRequest {
                        ident,
                        seq_no,
                        data,
                    }) => Ok(Parsed::Echo {
                        src,
                        dst,
                        ident,
                        seq_no,
                        data,
                    }),
                    Ok(_) => Err(Rejected::Unsupported),
                    Err(_) => Err(Rejected::Malformed),
                }
            }
            _ => Err(Rejected::Unsupported),
        },
        _ => Err(Rejected::Unsupported),
    }
}

/// Build an IPv4 packet of `payload_len` payload bytes that `fill` writes.
pub(crate) fn build_v4(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: IpProtocol,
    payload_len: usize,
    mtu: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Result<Vec<u8>, Error> {
    let repr = Ipv4Repr {
        src_addr: src,
        dst_addr: dst,
        next_header: protocol,
        payload_len,
        hop_limit: HOP_LIMIT,
    };
    build(IpRepr::Ipv4(repr), mtu, fill)
}

/// Build an IPv6 packet of `payload_len` payload bytes that `fill` writes.
pub(crate) fn build_v6(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    protocol: IpProtocol,
    payload_len: usize,
    mtu: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Result<Vec<u8>, Error> {
    let repr = Ipv6Repr {
        src_addr: src,
        dst_addr: dst,
        next_header: protocol,
        payload_len,
        hop_limit: HOP_LIMIT,
    };
    build(IpRepr::Ipv6(repr), mtu, fill)
}

/// The packet of either family: the header `repr` describes, then the payload `fill` writes;
/// refused when longer than `mtu`.
fn build(repr: IpRepr, mtu: usize, fill: impl FnOnce(&mut [u8])) -> Result<Vec<u8>, Error> {
    let len = repr.buffer_len();
    if len > mtu {
        return Err(Error::TooLarge { len, mtu });
    }
    let mut buf = vec![0u8; len];
    repr.emit(&mut buf[..], &checksums());
    if let Some(payload) = buf.get_mut(repr.header_len()..) {
        fill(payload);
    }
    Ok(buf)
}

/// Copy as much of `src` as fits into `dst`, never panicking on a length mismatch.
pub(crate) fn copy_into(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udp_v4(payload: &[u8]) -> Vec<u8> {
        let (s, d) = (Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(192, 0, 2, 1));
        build_v4(s, d, IpProtocol::Udp, 8 + payload.len(), 1500, |b| {
            let mut u = UdpPacket::new_unchecked(b);
            UdpRepr {
                src_port: 5000,
                dst_port: 53,
            }
            .emit(
                &mut u,
                &s.into(),
                &d.into(),
                payload.len(),
                |p| copy_into(p, payload),
                &checksums(),
            );
        })
        .expect("fits")
    }

    #[test]
    fn classifies_udp_and_rejects_corruption() {
        let pkt = udp_v4(b"hello");
        match classify(&pkt) {
            Ok(Parsed::Udp { src, dst, payload }) => {
                assert_eq!(src, "10.0.0.2:5000".parse().unwrap());
                assert_eq!(dst, "192.0.2.1:53".parse().unwrap());
                assert_eq!(payload, b"hello");
            }
            other => panic!("{other:?}"),
        }
        let mut bad = pkt.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        assert_eq!(
            classify(&bad),
            Err(Rejected::Malformed),
            "UDP checksum is verified"
        );
        assert_eq!(
            classify(&pkt[..pkt.len() - 1]),
            Err(Rejected::Malformed),
            "truncated"
        );
        assert_eq!(classify(&[]), Err(Rejected::Malformed));
        assert_eq!(classify(&[0x70; 60]), Err(Rejected::Malformed), "version 7");
    }

    #[test]
    fn fragments_and_multicast_are_not_relayed() {
        let mut frag = udp_v4(b"x");
        {
            let mut ip = Ipv4Packet::new_unchecked(&mut frag[..]);
            ip.set_more_frags(true);
            ip.fill_checksum();
        }
        assert_eq!(classify(&frag), Err(Rejected::Fragment));

        let (s, d) = (Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(224, 0, 0, 251));
        let mdns = build_v4(s, d, IpProtocol::Udp, 8, 1500, |b| {
            let mut u = UdpPacket::new_unchecked(b);
            UdpRepr {
                src_port: 5353,
                dst_port: 5353,
            }
            .emit(&mut u, &s.into(), &d.into(), 0, |_| {}, &checksums());
        })
        .expect("fits");
        assert_eq!(classify(&mdns), Err(Rejected::Unsupported));
    }

    #[test]
    fn builder_refuses_packets_over_the_mtu() {
        let r = build_v6(
            Ipv6Addr::LOCALHOST,
            Ipv6Addr::LOCALHOST,
            IpProtocol::Udp,
            1300,
            1280,
            |_| {},
        );
        assert_eq!(
            r,
            Err(Error::TooLarge {
                len: 1340,
                mtu: 1280
            })
        );
    }
}
