//! The ICMP packets the netstack writes to the app: echo replies and "unreachable" errors.
//!
//! Echo requests are relayed by default ([`EchoMode`](crate::EchoMode)): an answer made up
//! locally would tell the app every host is up at zero distance, which a monitor should not.
//! Replies are built from the [`EchoRequest`] the runtime hands back, so the netstack keeps no
//! per-ping state.

use std::net::{IpAddr, SocketAddr};

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{
    Icmpv4DstUnreachable, Icmpv4Packet, Icmpv4Repr, Icmpv6DstUnreachable, Icmpv6Packet, Icmpv6Repr,
    IpProtocol, Ipv4Repr, Ipv6Repr,
};

use crate::error::Error;
use crate::event::EchoRequest;
use crate::packet::{IpHeader, Quote, build_v4, build_v6};

/// The echo reply to `req`, from the pinged address to the app.
pub(crate) fn echo_reply(req: &EchoRequest, mtu: usize) -> Result<Vec<u8>, Error> {
    let caps = ChecksumCapabilities::default();
    let (ident, seq_no, data) = (req.ident, req.seq_no, &req.payload[..]);
    match (req.src, req.dst) {
        (IpAddr::V4(app), IpAddr::V4(host)) => {
            let repr = Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            };
            build_v4(host, app, IpProtocol::Icmp, repr.buffer_len(), mtu, |b| {
                repr.emit(&mut Icmpv4Packet::new_unchecked(b), &caps)
            })
        }
        (IpAddr::V6(app), IpAddr::V6(host)) => {
            let repr = Icmpv6Repr::EchoReply {
                ident,
                seq_no,
                data,
            };
            build_v6(host, app, IpProtocol::Icmpv6, repr.buffer_len(), mtu, |b| {
                repr.emit(&host, &app, &mut Icmpv6Packet::new_unchecked(b), &caps)
            })
        }
        _ => Err(Error::AddressFamily),
    }
}

/// An ICMP "destination unreachable" (v4: host unreachable, v6: address unreachable) about the
/// quoted packet, sent to its source from its destination.
pub(crate) fn unreachable(quote: &Quote, mtu: usize) -> Result<Vec<u8>, Error> {
    let caps = ChecksumCapabilities::default();
    match quote.header {
        IpHeader::V4(header) => {
            let repr = Icmpv4Repr::DstUnreachable {
                reason: Icmpv4DstUnreachable::HostUnreachable,
                header,
                data: &quote.head,
            };
            build_v4(
                header.dst_addr,
                header.src_addr,
                IpProtocol::Icmp,
                repr.buffer_len(),
                mtu,
                |b| repr.emit(&mut Icmpv4Packet::new_unchecked(b), &caps),
            )
        }
        IpHeader::V6(header) => {
            let repr = Icmpv6Repr::DstUnreachable {
                reason: Icmpv6DstUnreachable::AddrUnreachable,
                header,
                data: &quote.head,
            };
            let (src, dst) = (header.dst_addr, header.src_addr);
            build_v6(src, dst, IpProtocol::Icmpv6, repr.buffer_len(), mtu, |b| {
                repr.emit(&src, &dst, &mut Icmpv6Packet::new_unchecked(b), &caps)
            })
        }
    }
}

/// The quote of a datagram from `app` to `remote` (an empty one: only its header matters to
/// the app's stack), for an unreachable error about it.
pub(crate) fn udp_quote(app: SocketAddr, remote: SocketAddr) -> Result<Quote, Error> {
    let mut head = [0u8; 8];
    for (d, s) in head.iter_mut().zip(
        app.port()
            .to_be_bytes()
            .into_iter()
            .chain(remote.port().to_be_bytes())
            .chain(8u16.to_be_bytes()),
    ) {
        *d = s;
    }
    let header = match (app.ip(), remote.ip()) {
        (IpAddr::V4(src_addr), IpAddr::V4(dst_addr)) => IpHeader::V4(Ipv4Repr {
            src_addr,
            dst_addr,
            next_header: IpProtocol::Udp,
            payload_len: 8,
            hop_limit: 64,
        }),
        (IpAddr::V6(src_addr), IpAddr::V6(dst_addr)) => IpHeader::V6(Ipv6Repr {
            src_addr,
            dst_addr,
            next_header: IpProtocol::Udp,
            payload_len: 8,
            hop_limit: 64,
        }),
        _ => return Err(Error::AddressFamily),
    };
    Ok(Quote { header, head })
}

#[cfg(test)]
mod tests {
    use super::*;
    use smoltcp::wire::{IpAddress, Ipv4Packet, Ipv6Packet};

    #[test]
    fn echo_reply_v4_and_v6_parse_with_checksums() {
        let caps = ChecksumCapabilities::default();
        let req = EchoRequest {
            src: "10.0.0.2".parse().unwrap(),
            dst: "192.0.2.1".parse().unwrap(),
            ident: 7,
            seq_no: 9,
            payload: b"ping".to_vec(),
        };
        let pkt = echo_reply(&req, 1500).unwrap();
        let ip = Ipv4Packet::new_checked(&pkt[..]).unwrap();
        assert_eq!(IpAddr::V4(ip.src_addr()), req.dst);
        let icmp = Icmpv4Packet::new_checked(ip.payload()).unwrap();
        assert_eq!(
            Icmpv4Repr::parse(&icmp, &caps).unwrap(),
            Icmpv4Repr::EchoReply {
                ident: 7,
                seq_no: 9,
                data: b"ping"
            }
        );

        let req6 = EchoRequest {
            src: "fd00::2".parse().unwrap(),
            dst: "2001:db8::1".parse().unwrap(),
            ..req
        };
        let pkt = echo_reply(&req6, 1500).unwrap();
        let ip = Ipv6Packet::new_checked(&pkt[..]).unwrap();
        let icmp = Icmpv6Packet::new_checked(ip.payload()).unwrap();
        assert_eq!(
            Icmpv6Repr::parse(&ip.src_addr(), &ip.dst_addr(), &icmp, &caps).unwrap(),
            Icmpv6Repr::EchoReply {
                ident: 7,
                seq_no: 9,
                data: b"ping"
            }
        );
    }

    #[test]
    fn unreachable_quotes_the_udp_header() {
        let caps = ChecksumCapabilities::default();
        let quote = udp_quote(
            "10.0.0.2:5000".parse().unwrap(),
            "192.0.2.1:53".parse().unwrap(),
        )
        .unwrap();
        let pkt = unreachable(&quote, 1500).unwrap();
        let ip = Ipv4Packet::new_checked(&pkt[..]).unwrap();
        assert_eq!(IpAddress::from(ip.dst_addr()), IpAddress::v4(10, 0, 0, 2));
        let icmp = Icmpv4Packet::new_checked(ip.payload()).unwrap();
        match Icmpv4Repr::parse(&icmp, &caps).unwrap() {
            Icmpv4Repr::DstUnreachable {
                reason,
                header,
                data,
            } => {
                assert_eq!(reason, Icmpv4DstUnreachable::HostUnreachable);
                assert_eq!(header.next_header, IpProtocol::Udp);
                assert_eq!(data, &[0x13, 0x88, 0, 53, 0, 8, 0, 0]);
            }
            other => panic!("{other:?}"),
        }
    }
}
