//! UDP through the NAT table and ICMP echo, with raw packets: every packet the netstack writes
//! is parsed back with smoltcp's checked views, checksums verified.

mod common;

use std::net::{IpAddr, SocketAddr};

use common::*;
use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{
    Icmpv4Packet, Icmpv4Repr, Icmpv6Packet, Icmpv6Repr, IpAddress, IpProtocol, UdpPacket, UdpRepr,
};
use telltale_netstack::{
    Config, Duration, EchoMode, EchoRequest, Error, Event, Instant, Netstack, UdpId,
};

fn app(port: u16, v6: bool) -> SocketAddr {
    let ip: IpAddr = if v6 { APP_V6.into() } else { APP_V4.into() };
    SocketAddr::new(ip, port)
}

fn events(ns: &mut Netstack) -> Vec<Event> {
    std::iter::from_fn(|| ns.pop_event()).take(10_000).collect()
}

/// (source, destination, payload) of a UDP packet, checksums verified.
fn parse_udp(packet: &[u8]) -> (SocketAddr, SocketAddr, Vec<u8>) {
    let (src, dst, proto, payload) = parse_ip(packet).expect("valid IP");
    assert_eq!(proto, IpProtocol::Udp);
    let udp = UdpPacket::new_checked(payload).expect("valid UDP");
    let repr =
        UdpRepr::parse(&udp, &src, &dst, &ChecksumCapabilities::default()).expect("UDP checksum");
    assert_ne!(udp.checksum(), 0, "checksum present");
    (
        SocketAddr::new(src.into(), repr.src_port),
        SocketAddr::new(dst.into(), repr.dst_port),
        udp.payload().to_vec(),
    )
}

#[test]
fn udp_round_trip_v4_and_v6() {
    for v6 in [false, true] {
        let mut ns = Netstack::new(Config::default(), Instant::ZERO).unwrap();
        let (src, dst) = (
            app(5000, v6),
            if v6 { common::v6(53) } else { common::v4(53) },
        );
        ns.on_tun_packet(Instant::ZERO, &udp_packet(src, dst, b"query"));
        let id = match events(&mut ns).as_slice() {
            [
                Event::UdpSend {
                    id,
                    src: s,
                    dst: d,
                    payload,
                },
            ] => {
                assert_eq!((*s, *d, payload.as_slice()), (src, dst, &b"query"[..]));
                *id
            }
            other => panic!("{other:?}"),
        };
        ns.udp_reply(Instant::from_millis(20), id, dst, b"answer")
            .unwrap();
        let reply = ns.pop_tun_packet().expect("reply packet");
        assert_eq!(parse_udp(&reply), (dst, src, b"answer".to_vec()));
        assert_eq!(ns.pop_tun_packet(), None);
    }
}

#[test]
fn mapping_is_endpoint_independent() {
    let mut ns = Netstack::new(Config::default(), Instant::ZERO).unwrap();
    let src = app(40000, false);
    ns.on_tun_packet(Instant::ZERO, &udp_packet(src, v4(3478), b"stun"));
    ns.on_tun_packet(
        Instant::ZERO,
        &udp_packet(src, "198.51.100.9:5000".parse().unwrap(), b"peer"),
    );
    let ids: Vec<UdpId> = events(&mut ns)
        .into_iter()
        .map(|e| match e {
            Event::UdpSend { id, .. } => id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "one entry per app endpoint");
    assert_eq!(ns.udp_count(), 1);
    // A reply from an address the app never sent to still reaches it (as a full-cone NAT).
    let stranger: SocketAddr = "203.0.113.5:7000".parse().unwrap();
    ns.udp_reply(Instant::ZERO, ids[0], stranger, b"hi")
        .unwrap();
    assert_eq!(
        parse_udp(&ns.pop_tun_packet().unwrap()),
        (stranger, src, b"hi".to_vec())
    );
    // A v4-mapped source from a dual-stack socket is written as IPv4.
    ns.udp_reply(
        Instant::ZERO,
        ids[0],
        "[::ffff:203.0.113.5]:7000".parse().unwrap(),
        b"x",
    )
    .unwrap();
    assert_eq!(parse_udp(&ns.pop_tun_packet().unwrap()).0, stranger);
    assert_eq!(
        ns.udp_reply(Instant::ZERO, ids[0], common::v6(1), b"x"),
        Err(Error::AddressFamily)
    );
}

#[test]
fn dns_entries_expire_sooner_than_others() {
    let config = Config {
        udp_dns_timeout: Duration::from_secs(10),
        udp_timeout: Duration::from_secs(120),
        ..Config::default()
    };
    let mut ns = Netstack::new(config, Instant::ZERO).unwrap();
    ns.on_tun_packet(Instant::ZERO, &udp_packet(app(5353, false), v4(53), b"q"));
    ns.on_tun_packet(
        Instant::ZERO,
        &udp_packet(app(6000, false), v4(443), b"quic"),
    );
    let ids: Vec<UdpId> = events(&mut ns)
        .into_iter()
        .filter_map(|e| {
            if let Event::UdpSend { id, .. } = e {
                Some(id)
            } else {
                None
            }
        })
        .collect();
    let (dns, quic) = (ids[0], ids[1]);
    assert_eq!(ns.poll_at(Instant::ZERO), Some(Instant::from_secs(10)));

    // A reply keeps the DNS entry alive a little longer.
    ns.udp_reply(Instant::from_secs(5), dns, v4(53), b"a")
        .unwrap();
    ns.poll(Instant::from_secs(10));
    assert_eq!(events(&mut ns), vec![]);
    ns.poll(Instant::from_secs(15));
    assert_eq!(events(&mut ns), vec![Event::UdpExpired { id: dns }]);
    assert_eq!(
        ns.udp_reply(Instant::from_secs(15), dns, v4(53), b"late"),
        Err(Error::UnknownUdp(dns))
    );
    assert_eq!(
        ns.poll_at(Instant::from_secs(15)),
        Some(Instant::from_secs(120))
    );
    ns.poll(Instant::from_secs(120));
    assert_eq!(events(&mut ns), vec![Event::UdpExpired { id: quic }]);
    assert_eq!(ns.udp_count(), 0);
    assert_eq!(ns.poll_at(Instant::from_secs(120)), None);
}

#[test]
fn full_table_evicts_the_least_recently_used_entry() {
    let config = Config {
        max_udp_entries: 2,
        ..Config::default()
    };
    let mut ns = Netstack::new(config, Instant::ZERO).unwrap();
    for (t, port) in [(0, 1000), (1, 1001), (2, 1000), (3, 1002)] {
        ns.on_tun_packet(
            Instant::from_secs(t),
            &udp_packet(app(port, false), v4(9), b"x"),
        );
    }
    let evs = events(&mut ns);
    let expired: Vec<_> = evs
        .iter()
        .filter(|e| matches!(e, Event::UdpExpired { .. }))
        .collect();
    assert_eq!(
        expired,
        vec![&Event::UdpExpired { id: UdpId(1) }],
        "port 1001 was least recently used"
    );
    assert_eq!(ns.udp_count(), 2);
    assert_eq!(ns.stats().udp_evicted, 1);
    assert_eq!(ns.udp_entry(UdpId(0)), Some(app(1000, false)));
}

#[test]
fn udp_close_and_unreachable() {
    let mut ns = Netstack::new(Config::default(), Instant::ZERO).unwrap();
    let (src, dst) = (app(5000, true), common::v6(443));
    ns.on_tun_packet(Instant::ZERO, &udp_packet(src, dst, b"hello"));
    let id = match events(&mut ns).as_slice() {
        [Event::UdpSend { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    ns.udp_unreachable(id, dst).unwrap();
    let packet = ns.pop_tun_packet().unwrap();
    let (s, d, proto, payload) = parse_ip(&packet).unwrap();
    assert_eq!(proto, IpProtocol::Icmpv6);
    assert_eq!(d, IpAddress::Ipv6(APP_V6));
    let (IpAddress::Ipv6(s6), IpAddress::Ipv6(d6)) = (s, d) else {
        panic!()
    };
    let icmp = Icmpv6Packet::new_checked(payload).unwrap();
    match Icmpv6Repr::parse(&s6, &d6, &icmp, &ChecksumCapabilities::default()).unwrap() {
        Icmpv6Repr::DstUnreachable { header, data, .. } => {
            assert_eq!(header.next_header, IpProtocol::Udp);
            assert_eq!(
                &data[..4],
                &[0x13, 0x88, 0x01, 0xbb],
                "quotes ports 5000 -> 443"
            );
        }
        other => panic!("{other:?}"),
    }
    ns.udp_close(id).unwrap();
    assert_eq!(events(&mut ns), vec![Event::UdpExpired { id }]);
    assert_eq!(ns.udp_close(id), Err(Error::UnknownUdp(id)));
}

#[test]
fn replies_larger_than_the_mtu_are_refused() {
    let config = Config {
        mtu: 1280,
        ..Config::default()
    };
    let mut ns = Netstack::new(config, Instant::ZERO).unwrap();
    ns.on_tun_packet(Instant::ZERO, &udp_packet(app(5000, false), v4(53), b"q"));
    let Some(Event::UdpSend { id, .. }) = ns.pop_event() else {
        panic!()
    };
    assert_eq!(ns.udp_reply(Instant::ZERO, id, v4(53), &[0; 1252]), Ok(()));
    assert_eq!(
        ns.udp_reply(Instant::ZERO, id, v4(53), &[0; 1253]),
        Err(Error::TooLarge {
            len: 1281,
            mtu: 1280
        })
    );
}

#[test]
fn waiting_datagrams_are_capped() {
    let config = Config {
        max_events: 10,
        ..Config::default()
    };
    let mut ns = Netstack::new(config, Instant::ZERO).unwrap();
    for port in 0..100 {
        ns.on_tun_packet(
            Instant::ZERO,
            &udp_packet(app(1000 + port, false), v4(9), &[1; 100]),
        );
    }
    assert_eq!(
        ns.pending_events(),
        10,
        "the runtime did not pop: the rest were dropped"
    );
    assert_eq!(ns.stats().dropped_backlog, 90);
    assert_eq!(events(&mut ns).len(), 10);
    ns.on_tun_packet(Instant::ZERO, &udp_packet(app(5, false), v4(9), b"again"));
    assert_eq!(ns.pending_events(), 1, "room again once popped");
}

fn echo_request(src: IpAddr, dst: IpAddr, ident: u16, seq_no: u16, data: &[u8]) -> Vec<u8> {
    let caps = ChecksumCapabilities::default();
    match (src, dst) {
        (IpAddr::V4(_), IpAddr::V4(_)) => {
            let repr = Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            };
            ip_packet(src, dst, IpProtocol::Icmp, repr.buffer_len(), |b| {
                repr.emit(&mut Icmpv4Packet::new_unchecked(b), &caps)
            })
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let repr = Icmpv6Repr::EchoRequest {
                ident,
                seq_no,
                data,
            };
            ip_packet(src, dst, IpProtocol::Icmpv6, repr.buffer_len(), |b| {
                repr.emit(&s, &d, &mut Icmpv6Packet::new_unchecked(b), &caps)
            })
        }
        _ => panic!(),
    }
}

/// (ident, seq_no, data) of an echo reply from `from`, checksums verified.
fn parse_echo_reply(packet: &[u8], from: IpAddr) -> (u16, u16, Vec<u8>) {
    let caps = ChecksumCapabilities::default();
    let (src, dst, _, payload) = parse_ip(packet).unwrap();
    assert_eq!(IpAddr::from(src), from);
    match (src, dst) {
        (IpAddress::Ipv4(_), _) => {
            match Icmpv4Repr::parse(&Icmpv4Packet::new_checked(payload).unwrap(), &caps).unwrap() {
                Icmpv4Repr::EchoReply {
                    ident,
                    seq_no,
                    data,
                } => (ident, seq_no, data.to_vec()),
                other => panic!("{other:?}"),
            }
        }
        (IpAddress::Ipv6(s), IpAddress::Ipv6(d)) => {
            match Icmpv6Repr::parse(&s, &d, &Icmpv6Packet::new_checked(payload).unwrap(), &caps)
                .unwrap()
            {
                Icmpv6Repr::EchoReply {
                    ident,
                    seq_no,
                    data,
                } => (ident, seq_no, data.to_vec()),
                other => panic!("{other:?}"),
            }
        }
        _ => panic!(),
    }
}

#[test]
fn ping_is_relayed_and_answered() {
    for (src, dst) in [
        (IpAddr::from(APP_V4), IpAddr::from(DST_V4)),
        (APP_V6.into(), DST_V6.into()),
    ] {
        let mut ns = Netstack::new(Config::default(), Instant::ZERO).unwrap();
        ns.on_tun_packet(Instant::ZERO, &echo_request(src, dst, 77, 3, b"abcdefgh"));
        assert_eq!(ns.pop_tun_packet(), None, "no local answer");
        let req = match events(&mut ns).as_slice() {
            [Event::Ping(req)] => req.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            req,
            EchoRequest {
                src,
                dst,
                ident: 77,
                seq_no: 3,
                payload: b"abcdefgh".to_vec()
            }
        );
        ns.echo_reply(&req).unwrap();
        let reply = ns.pop_tun_packet().unwrap();
        assert_eq!(parse_echo_reply(&reply, dst), (77, 3, b"abcdefgh".to_vec()));
    }
}

#[test]
fn ping_can_be_answered_locally_or_dropped() {
    let local = Config {
        echo: EchoMode::Local,
        ..Config::default()
    };
    let mut ns = Netstack::new(local, Instant::ZERO).unwrap();
    ns.on_tun_packet(
        Instant::ZERO,
        &echo_request(APP_V6.into(), DST_V6.into(), 1, 2, b"x"),
    );
    assert_eq!(
        parse_echo_reply(&ns.pop_tun_packet().unwrap(), DST_V6.into()),
        (1, 2, b"x".to_vec())
    );
    assert_eq!(ns.pending_events(), 0);

    let drop = Config {
        echo: EchoMode::Drop,
        ..Config::default()
    };
    let mut ns = Netstack::new(drop, Instant::ZERO).unwrap();
    ns.on_tun_packet(
        Instant::ZERO,
        &echo_request(APP_V4.into(), DST_V4.into(), 1, 2, b"x"),
    );
    assert_eq!((ns.pop_tun_packet(), ns.pending_events()), (None, 0));
    assert_eq!(ns.stats().echo_requests, 1);
}
