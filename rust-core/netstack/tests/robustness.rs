//! No packet panics the netstack, and its memory stays within the configured caps whatever
//! the apps send and whatever order the runtime answers in.

mod common;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use common::*;
use proptest::collection::vec;
use proptest::prelude::*;
use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{
    Icmpv4Packet, Icmpv4Repr, Icmpv6Packet, Icmpv6Repr, IpAddress, IpProtocol, Ipv4Packet,
    Ipv6Packet, TcpControl, TcpPacket, TcpRepr, TcpSeqNumber, UdpPacket,
};
use telltale_netstack::{Config, Duration, EchoMode, Event, Instant, Netstack, TcpId, UdpId};

/// Small limits, so the caps are reached within a test case.
fn small() -> Config {
    Config {
        max_tcp_sockets: 4,
        tcp_buffer_max: 8192,
        tcp_buffer_min: 2048,
        tcp_memory_budget: 24 * 1024,
        max_udp_entries: 4,
        max_tun_queue: 64,
        max_events: 16,
        max_event_bytes: 65535,
        tcp_idle_timeout: Duration::from_secs(60),
        tcp_connect_timeout: Duration::from_secs(10),
        udp_timeout: Duration::from_secs(30),
        udp_dns_timeout: Duration::from_secs(5),
        ..Config::default()
    }
}

/// The caps hold.
fn check_bounds(ns: &Netstack) {
    let c = ns.config();
    assert!(ns.tcp_sockets() <= c.max_tcp_sockets);
    assert!(ns.tcp_buffer_bytes() <= c.tcp_memory_budget);
    assert!(ns.udp_count() <= c.max_udp_entries);
    assert!(ns.pending_tun_packets() <= c.max_tun_queue);
    // Input events are capped; the others are bounded by connections and entries.
    assert!(
        ns.pending_events() <= c.max_events + 4 * c.max_tcp_sockets + 2 * c.max_udp_entries + 64
    );
}

/// Sequence numbers seen per flow, so that test packets can be in-window.
#[derive(Default)]
struct Seqs {
    /// (app, destination) -> (next app sequence number, next netstack sequence number).
    next: HashMap<(SocketAddr, SocketAddr), (u32, Option<u32>)>,
}

impl Seqs {
    /// Note a packet from the netstack (its SYN-ACKs and data advance what the app acks).
    fn saw(&mut self, p: &[u8]) {
        let Some((src, dst, IpProtocol::Tcp, seg)) = parse_ip(p) else {
            return;
        };
        let Ok(t) = TcpPacket::new_checked(seg) else {
            return;
        };
        let key = (
            SocketAddr::new(dst.into(), t.dst_port()),
            SocketAddr::new(src.into(), t.src_port()),
        );
        let data = seg.len().saturating_sub(usize::from(t.header_len())) as u32;
        let end =
            (t.seq_number().0 as u32).wrapping_add(data + u32::from(t.syn()) + u32::from(t.fin()));
        if let Some((_, server)) = self.next.get_mut(&key) {
            *server = Some(end);
        }
    }
}

/// Pop everything, like a runtime. An `eager` one also connects every new connection at
/// once, sends it some data, reads what arrives and closes when the app does.
fn drain(ns: &mut Netstack, seqs: &mut Seqs, now: Instant, eager: bool) {
    let mut buf = [0u8; 1500];
    for _ in 0..10_000 {
        let packet = ns.pop_tun_packet();
        if let Some(p) = &packet {
            seqs.saw(p);
        }
        let event = ns.pop_event();
        if eager {
            match event {
                // A connection may have closed since its event was queued: errors are fine.
                Some(Event::TcpConnect { id, .. }) if ns.tcp_connected(now, id).is_ok() => {
                    assert_eq!(
                        ns.tcp_upstream_data(now, id, &[1; 100]),
                        Ok(0),
                        "not before the handshake"
                    );
                }
                Some(Event::TcpReadable { id }) | Some(Event::TcpWritable { id }) => {
                    // Bounded by the socket's buffer.
                    while ns.tcp_read(id, &mut buf).unwrap_or(0) > 0 {}
                    let _ = ns.tcp_upstream_data(now, id, &[2; 3000]);
                }
                Some(Event::TcpAppClosed { id }) => {
                    let _ = ns.tcp_upstream_closed(now, id);
                }
                _ => {}
            }
        }
        if event.is_none() && packet.is_none() {
            break;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_bytes_never_panic(packets in vec(vec(any::<u8>(), 0..120), 1..16), v6 in any::<bool>()) {
        let mut ns = Netstack::new(small(), Instant::ZERO).unwrap();
        for (k, mut p) in packets.into_iter().enumerate() {
            // Half the time give it a plausible version nibble, so IP parsing gets further.
            if let Some(b) = p.first_mut() && k % 2 == 0 {
                *b = (*b & 0x0f) | if v6 { 0x60 } else { 0x45 };
            }
            let now = Instant::from_millis(k as i64 * 10);
            ns.on_tun_packet(now, &p);
            ns.poll(now);
            check_bounds(&ns);
        }
    }
}

const PORTS: [u16; 3] = [40000, 40001, 40002];

fn app_addr(v6: bool, port_sel: u8) -> SocketAddr {
    let ip: IpAddr = if v6 { APP_V6.into() } else { APP_V4.into() };
    SocketAddr::new(ip, PORTS[usize::from(port_sel) % PORTS.len()])
}

fn dst_addr(v6: bool, sel: u8) -> SocketAddr {
    if v6 {
        v6_dst(sel)
    } else {
        v4(if sel.is_multiple_of(2) { 443 } else { 53 })
    }
}

fn v6_dst(sel: u8) -> SocketAddr {
    common::v6(if sel.is_multiple_of(2) { 443 } else { 53 })
}

/// A well-formed packet of one of several kinds, on a small set of flows so that later
/// packets hit the connections earlier SYNs opened.
fn template(kind: u8, sel: u8, seq: u32, ack: u32, len: u8) -> Vec<u8> {
    let v6 = kind % 2 == 1;
    let (src, dst) = (app_addr(v6, sel), dst_addr(v6, sel / 3));
    let data = vec![0xabu8; usize::from(len)];
    let tcp = |control: TcpControl, ack: Option<u32>, payload: &[u8]| {
        let repr = TcpRepr {
            src_port: src.port(),
            dst_port: dst.port(),
            control,
            seq_number: TcpSeqNumber(seq as i32),
            ack_number: ack.map(|a| TcpSeqNumber(a as i32)),
            window_len: 65535,
            window_scale: if control == TcpControl::Syn {
                Some(7)
            } else {
                None
            },
            max_seg_size: if control == TcpControl::Syn {
                Some(1460)
            } else {
                None
            },
            sack_permitted: control == TcpControl::Syn,
            sack_ranges: [None, None, None],
            timestamp: None,
            payload,
        };
        tcp_packet(src, dst, &repr)
    };
    match kind / 2 {
        0 => tcp(TcpControl::Syn, None, &[]),
        1 => tcp(TcpControl::None, Some(ack), &data),
        2 => tcp(TcpControl::Fin, Some(ack), &data),
        3 => tcp(TcpControl::Rst, Some(ack), &[]),
        4 => tcp(TcpControl::Syn, Some(ack), &[]),
        5 => udp_packet(src, dst, &data),
        _ => {
            let caps = ChecksumCapabilities::default();
            match (src.ip(), dst.ip()) {
                (IpAddr::V6(s), IpAddr::V6(d)) => {
                    let repr = Icmpv6Repr::EchoRequest {
                        ident: 1,
                        seq_no: seq as u16,
                        data: &data,
                    };
                    ip_packet(
                        src.ip(),
                        dst.ip(),
                        IpProtocol::Icmpv6,
                        repr.buffer_len(),
                        |b| repr.emit(&s, &d, &mut Icmpv6Packet::new_unchecked(b), &caps),
                    )
                }
                _ => {
                    let repr = Icmpv4Repr::EchoRequest {
                        ident: 1,
                        seq_no: seq as u16,
                        data: &data,
                    };
                    ip_packet(
                        src.ip(),
                        dst.ip(),
                        IpProtocol::Icmp,
                        repr.buffer_len(),
                        |b| repr.emit(&mut Icmpv4Packet::new_unchecked(b), &caps),
                    )
                }
            }
        }
    }
}

/// Recompute the checksums of a mutated packet where its headers still parse, so the
/// mutation reaches the code behind the checksum checks.
fn fix_checksums(p: &mut [u8]) {
    let Some((src, dst, proto, segment)) = parse_ip_unchecked(p) else {
        return;
    };
    let len = segment.len();
    let offset = match p[0] >> 4 {
        4 => {
            let Ok(mut ip) = Ipv4Packet::new_checked(&mut p[..]) else {
                return;
            };
            ip.fill_checksum();
            usize::from(ip.header_len())
        }
        _ => 40,
    };
    let Some(seg) = p.get_mut(offset..offset + len) else {
        return;
    };
    match (proto, src, dst) {
        (IpProtocol::Tcp, _, _) => {
            if let Ok(mut t) = TcpPacket::new_checked(seg) {
                t.fill_checksum(&src, &dst);
            }
        }
        (IpProtocol::Udp, _, _) => {
            if let Ok(mut u) = UdpPacket::new_checked(seg) {
                u.fill_checksum(&src, &dst);
            }
        }
        (IpProtocol::Icmp, _, _) => {
            if let Ok(mut i) = Icmpv4Packet::new_checked(seg) {
                i.fill_checksum();
            }
        }
        (IpProtocol::Icmpv6, IpAddress::Ipv6(s), IpAddress::Ipv6(d)) => {
            if let Ok(mut i) = Icmpv6Packet::new_checked(seg) {
                i.fill_checksum(&s, &d);
            }
        }
        _ => {}
    }
}

/// Like `parse_ip` but without checking the IPv4 header checksum (a mutation broke it).
fn parse_ip_unchecked(p: &[u8]) -> Option<(IpAddress, IpAddress, IpProtocol, &[u8])> {
    match p.first()? >> 4 {
        4 => {
            let ip = Ipv4Packet::new_checked(p).ok()?;
            let payload = p.get(usize::from(ip.header_len())..usize::from(ip.total_len()))?;
            Some((
                ip.src_addr().into(),
                ip.dst_addr().into(),
                ip.next_header(),
                payload,
            ))
        }
        6 => {
            let ip = Ipv6Packet::new_checked(p).ok()?;
            Some((
                ip.src_addr().into(),
                ip.dst_addr().into(),
                ip.next_header(),
                ip.payload(),
            ))
        }
        _ => None,
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// `coherent`: take seq and ack from the flow's history, so the packet is in-window.
    Packet {
        kind: u8,
        sel: u8,
        seq: u32,
        ack: u32,
        len: u8,
        flips: Vec<(u8, u8)>,
        cut: Option<u8>,
        fix: bool,
        coherent: bool,
    },
    Connected(u8),
    Refused(u8),
    Unreachable(u8),
    Read(u8),
    Data(u8, u16),
    UpClosed(u8),
    UpReset(u8),
    UdpReply(u8, u16),
    UdpClose(u8),
    Pop,
    Advance(u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..14, any::<u8>(), any::<u32>(), any::<u32>(), 0u8..64, vec((any::<u8>(), any::<u8>()), 0..3), proptest::option::of(any::<u8>()), any::<bool>())
            .prop_map(|(kind, sel, seq, ack, len, flips, cut, fix)| Op::Packet { kind, sel, seq, ack, len, flips, cut, fix, coherent: false }),
        4 => (0u8..10, any::<u8>(), any::<u32>(), 0u8..64)
            .prop_map(|(kind, sel, seq, len)| Op::Packet { kind, sel, seq, ack: 0, len, flips: vec![], cut: None, fix: false, coherent: true }),
        1 => any::<u8>().prop_map(Op::Connected),
        1 => any::<u8>().prop_map(Op::Refused),
        1 => any::<u8>().prop_map(Op::Unreachable),
        1 => any::<u8>().prop_map(Op::Read),
        1 => (any::<u8>(), any::<u16>()).prop_map(|(i, n)| Op::Data(i, n)),
        1 => any::<u8>().prop_map(Op::UpClosed),
        1 => any::<u8>().prop_map(Op::UpReset),
        1 => (any::<u8>(), 0u16..2000).prop_map(|(i, n)| Op::UdpReply(i, n)),
        1 => any::<u8>().prop_map(Op::UdpClose),
        1 => Just(Op::Pop),
        2 => (0u16..5000).prop_map(Op::Advance),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Mutated packets on live flows, interleaved with every runtime call in any order:
    /// no panic, caps hold, and runtime calls on stale ids fail cleanly.
    #[test]
    fn packets_and_runtime_calls_in_any_order(
        ops in vec(op(), 1..80),
        local_echo in any::<bool>(),
        eager in any::<bool>(),
    ) {
        let echo = if local_echo { EchoMode::Local } else { EchoMode::Relay };
        let mut ns = Netstack::new(Config { echo, ..small() }, Instant::ZERO).unwrap();
        let mut now = Instant::ZERO;
        let mut buf = [0u8; 3000];
        let mut seqs = Seqs::default();
        let data = vec![0x5au8; 3000];
        for op in ops {
            let tcp = |i: u8| TcpId(u64::from(i % 8));
            let udp = |i: u8| UdpId(u64::from(i % 8));
            match op {
                Op::Packet { kind, sel, mut seq, mut ack, len, flips, cut, fix, coherent } => {
                    let v6 = kind % 2 == 1;
                    let key = (app_addr(v6, sel), dst_addr(v6, sel / 3));
                    if kind / 2 == 0 {
                        seqs.next.insert(key, (seq.wrapping_add(1), None));
                    } else if coherent && let Some((client, server)) = seqs.next.get_mut(&key) {
                        seq = *client;
                        ack = server.unwrap_or(0);
                        let control = u32::from(kind / 2 == 2);
                        *client = client.wrapping_add(u32::from(len) + control);
                    }
                    let mut p = template(kind, sel, seq, ack, len);
                    for (at, x) in flips {
                        let n = p.len();
                        p[usize::from(at) % n] ^= x;
                    }
                    if let Some(c) = cut {
                        p.truncate(usize::from(c));
                    }
                    if fix {
                        fix_checksums(&mut p);
                    }
                    ns.on_tun_packet(now, &p);
                }
                Op::Connected(i) => { let _ = ns.tcp_connected(now, tcp(i)); }
                Op::Refused(i) => { let _ = ns.tcp_refused(now, tcp(i)); }
                Op::Unreachable(i) => { let _ = ns.tcp_unreachable(now, tcp(i)); }
                Op::Read(i) => { let _ = ns.tcp_read(tcp(i), &mut buf); }
                Op::Data(i, n) => {
                    if let Ok(k) = ns.tcp_upstream_data(now, tcp(i), &data[..usize::from(n) % data.len()]) {
                        prop_assert!(k <= ns.config().tcp_buffer_max);
                    }
                }
                Op::UpClosed(i) => { let _ = ns.tcp_upstream_closed(now, tcp(i)); }
                Op::UpReset(i) => { let _ = ns.tcp_upstream_reset(now, tcp(i)); }
                Op::UdpReply(i, n) => {
                    let _ = ns.udp_reply(now, udp(i), v4(53), &data[..usize::from(n).min(data.len())]);
                }
                Op::UdpClose(i) => { let _ = ns.udp_close(udp(i)); }
                Op::Pop => drain(&mut ns, &mut seqs, now, false),
                Op::Advance(ms) => now += Duration::from_millis(u64::from(ms)),
            }
            ns.poll(now);
            check_bounds(&ns);
            // An eager runtime pops and connects at once; a lazy one lets queues fill.
            if eager {
                drain(&mut ns, &mut seqs, now, true);
            }
        }
        // Whatever happened, time alone ends everything: the idle and connect timeouts.
        drain(&mut ns, &mut seqs, now, false);
        let end = now + ns.config().tcp_idle_timeout + Duration::from_secs(300);
        let mut guard = 0;
        while let Some(at) = ns.poll_at(now) {
            guard += 1;
            prop_assert!(guard < 100_000, "timers never settle");
            now = at.max(now + Duration::from_millis(1));
            if now > end { break; }
            ns.poll(now);
            drain(&mut ns, &mut seqs, now, false);
        }
        prop_assert_eq!(ns.tcp_sockets(), 0);
        prop_assert_eq!(ns.tcp_buffer_bytes(), 0);
        prop_assert_eq!(ns.udp_count(), 0);
    }
}
