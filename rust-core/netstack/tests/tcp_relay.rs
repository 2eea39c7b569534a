//! TCP through the netstack, end to end in simulated time: an app-side smoltcp client, a lossy
//! and reordering link, and a fake runtime standing for the upstream server.

mod common;

use std::net::SocketAddr;

use common::*;
use smoltcp::phy::ChecksumCapabilities;
use smoltcp::socket::tcp::State;
use smoltcp::wire::{Icmpv4Packet, Icmpv4Repr, Icmpv6Packet, Icmpv6Repr, IpAddress, IpProtocol};
use telltale_netstack::{
    CloseReason, Config, Duration, Error, Event, Instant, Netstack, TcpId, UnreachableReply,
};

/// Both directions at once, byte-exact, then a graceful close from both ends.
fn transfer(dst: SocketAddr, size: usize, loss: f64, seed: u64, limit_secs: u64) -> Sim {
    let mut sim = Sim::new(Config::default(), loss, 0.05, seed);
    let mut rng = Rng::new(seed);
    let from_app = rng.bytes(size);
    let from_up = rng.bytes(size);
    sim.up.on_connect_send = from_up.clone();
    sim.up.on_connect_close = true;
    let i = sim.app_connect(40000, dst, 256 * 1024, from_app.clone(), true);
    let done = sim.run_until(Duration::from_secs(limit_secs), |s| {
        let f = &s.app_flows[i];
        let up = s.up.flows.values().next();
        f.received.len() == size
            && up.is_some_and(|u| u.received.len() == size && u.closed.is_some())
            && s.ns.tcp_sockets() == 0
    });
    let up = sim.up.flows.values().next().expect("connected");
    assert!(
        done,
        "stalled at {}: app got {} of {}, upstream got {} of {}, steps {}, stats {:?}",
        sim.now,
        sim.app_flows[i].received.len(),
        size,
        up.received.len(),
        size,
        sim.steps,
        sim.ns.stats()
    );
    assert!(
        sim.app_flows[i].received == from_up,
        "upstream to app byte-exact"
    );
    assert!(up.received == from_app, "app to upstream byte-exact");
    assert_eq!(up.closed, Some(CloseReason::Normal));
    assert!(up.events.contains(&"app-closed"));
    assert_eq!(
        sim.out.bad, 0,
        "every packet to the app parses with valid checksums"
    );
    assert!(
        sim.out.largest <= 1500,
        "largest packet {} over the MTU",
        sim.out.largest
    );
    assert!(
        sim.to_ns.lost + sim.to_app.lost > 0 || loss == 0.0,
        "the link did lose packets"
    );
    sim
}

#[test]
fn one_mib_each_way_v4_with_2_percent_loss() {
    transfer(v4(80), 1 << 20, 0.02, 1, 120);
}

#[test]
fn one_mib_each_way_v6_with_5_percent_loss() {
    transfer(v6(443), 1 << 20, 0.05, 2, 300);
}

#[test]
fn eight_mib_each_way_v4_with_1_percent_loss() {
    transfer(v4(8080), 8 << 20, 0.01, 3, 300);
}

/// A lossless simulation with one app connection to `dst`; runs until the handshake is done
/// (when `connect`) and returns the app flow index and the connection id.
fn open(config: Config, dst: SocketAddr, connect: bool) -> (Sim, usize, TcpId) {
    let mut sim = Sim::new(config, 0.0, 0.0, 11);
    sim.keep_out = true;
    sim.up.auto_connect = connect;
    let i = sim.app_connect(40000, dst, 64 * 1024, vec![], false);
    let ok = sim.run_until(Duration::from_secs(5), |s| {
        !s.up.flows.is_empty() && (!connect || s.app_state(i) == State::Established)
    });
    assert!(ok, "connection did not open");
    let id = *sim.up.flows.keys().next().unwrap();
    (sim, i, id)
}

#[test]
fn synack_is_held_until_the_upstream_connects() {
    let (mut sim, i, id) = open(Config::default(), v4(443), false);
    sim.run_for(Duration::from_secs(3));
    assert_eq!(sim.out.syn_acks, 0, "no SYN-ACK before tcp_connected");
    assert_eq!(sim.app_state(i), State::SynSent);
    assert!(sim.in_log.len() >= 2, "the app retransmitted its SYN");
    assert_eq!(
        sim.ns.tcp_count(),
        1,
        "a retransmitted SYN opens nothing new"
    );
    assert_eq!(
        sim.ns.tcp_endpoints(id),
        Some((SocketAddr::new(APP_V4.into(), 40000), v4(443)))
    );
    assert_eq!(sim.up.flows[&id].events, vec!["connect"]);

    sim.ns.tcp_connected(sim.now, id).unwrap();
    sim.up.flows.get_mut(&id).unwrap().connected = true;
    assert_eq!(
        sim.ns.tcp_connected(sim.now, id),
        Err(Error::NotPending(id))
    );
    assert!(sim.run_until(Duration::from_secs(2), |s| s.app_state(i)
        == State::Established));
    assert_eq!(sim.out.syn_acks, 1);

    // And it carries data both ways.
    sim.up.flows.get_mut(&id).unwrap().to_send = b"hello app".to_vec();
    sim.app_flows[i].to_send = b"hello upstream".to_vec();
    assert!(sim.run_until(Duration::from_secs(2), |s| {
        s.app_flows[i].received == b"hello app" && s.up.flows[&id].received == b"hello upstream"
    }));
}

#[test]
fn refused_upstream_gives_the_app_a_reset() {
    for dst in [v4(25), v6(25)] {
        let (mut sim, i, id) = open(Config::default(), dst, false);
        sim.ns.tcp_refused(sim.now, id).unwrap();
        assert!(
            sim.run_until(Duration::from_secs(2), |s| s.app_state(i) == State::Closed),
            "connect failed"
        );
        assert_eq!(sim.out.rsts, 1);
        assert_eq!(sim.out.syn_acks, 0);
        assert_eq!(sim.up.flows[&id].closed, Some(CloseReason::Refused));
        assert_eq!(sim.ns.tcp_sockets(), 0, "socket freed once the RST is out");
        assert_eq!(sim.ns.tcp_buffer_bytes(), 0);
        assert_eq!(sim.ns.tcp_refused(sim.now, id), Err(Error::UnknownTcp(id)));
    }
}

/// The ICMP error the netstack sent, as (reason code, quoted TCP ports).
fn icmp_error(packet: &[u8]) -> Option<(u8, u16, u16)> {
    let caps = ChecksumCapabilities::default();
    let (src, dst, proto, payload) = parse_ip(packet)?;
    let (code, data) = match (proto, src, dst) {
        (IpProtocol::Icmp, _, _) => {
            let p = Icmpv4Packet::new_checked(payload).ok()?;
            match Icmpv4Repr::parse(&p, &caps).ok()? {
                Icmpv4Repr::DstUnreachable { reason, data, .. } => (u8::from(reason), data),
                _ => return None,
            }
        }
        (IpProtocol::Icmpv6, IpAddress::Ipv6(s), IpAddress::Ipv6(d)) => {
            let p = Icmpv6Packet::new_checked(payload).ok()?;
            match Icmpv6Repr::parse(&s, &d, &p, &caps).ok()? {
                Icmpv6Repr::DstUnreachable { reason, data, .. } => (u8::from(reason), data),
                _ => return None,
            }
        }
        _ => return None,
    };
    let port = |at: usize| u16::from_be_bytes([data[at], data[at + 1]]);
    Some((code, port(0), port(2)))
}

#[test]
fn unreachable_upstream_gives_the_app_an_icmp_error() {
    for (dst, code) in [(v4(443), 1), (v6(443), 3)] {
        let (mut sim, _, id) = open(Config::default(), dst, false);
        sim.ns.tcp_unreachable(sim.now, id).unwrap();
        sim.run_for(Duration::from_millis(50));
        let errors: Vec<_> = sim.out_log.iter().filter_map(|p| icmp_error(p)).collect();
        assert_eq!(
            errors,
            vec![(code, 40000, 443)],
            "host/address unreachable quoting the SYN"
        );
        assert_eq!(sim.out.rsts, 0);
        assert_eq!(sim.up.flows[&id].closed, Some(CloseReason::Unreachable));
        assert_eq!(sim.ns.tcp_sockets(), 0);
    }
}

#[test]
fn unreachable_upstream_can_give_a_reset_instead() {
    let config = Config {
        unreachable: UnreachableReply::Rst,
        ..Config::default()
    };
    let (mut sim, i, id) = open(config, v4(443), false);
    sim.ns.tcp_unreachable(sim.now, id).unwrap();
    assert!(sim.run_until(Duration::from_secs(1), |s| s.app_state(i) == State::Closed));
    assert_eq!(sim.out.rsts, 1);
}

#[test]
fn pending_connect_times_out_with_a_reset() {
    let config = Config {
        tcp_connect_timeout: Duration::from_secs(5),
        ..Config::default()
    };
    let (mut sim, i, id) = open(config, v4(443), false);
    sim.run_for(Duration::from_secs(4));
    assert_eq!(sim.up.flows[&id].closed, None);
    assert!(sim.run_until(Duration::from_secs(2), |s| s.app_state(i) == State::Closed));
    assert_eq!(sim.up.flows[&id].closed, Some(CloseReason::ConnectTimeout));
    assert_eq!(sim.ns.tcp_sockets(), 0);
}

#[test]
fn half_close_from_the_app() {
    let (mut sim, i, id) = open(Config::default(), v4(80), true);
    sim.app_flows[i].to_send = b"GET / HTTP/1.0\r\n\r\n".to_vec();
    sim.app_flows[i].close_when_sent = true;
    // The upstream answers only once the app has finished: the app's side must stay open.
    let answered = sim.run_until(Duration::from_secs(5), |s| {
        let f = s.up.flows.get_mut(&id).unwrap();
        if f.app_closed && f.to_send.is_empty() {
            assert_eq!(
                f.received, b"GET / HTTP/1.0\r\n\r\n",
                "all data before the FIN"
            );
            f.to_send = b"HTTP/1.0 200 OK\r\n\r\nbody".to_vec();
            f.close_when_sent = true;
        }
        f.closed.is_some() && s.ns.tcp_sockets() == 0
    });
    assert!(answered);
    assert_eq!(sim.app_flows[i].received, b"HTTP/1.0 200 OK\r\n\r\nbody");
    let f = &sim.up.flows[&id];
    assert_eq!(f.closed, Some(CloseReason::Normal));
    let order: Vec<_> = f
        .events
        .iter()
        .filter(|e| **e != "readable")
        .copied()
        .collect();
    assert_eq!(order, vec!["connect", "app-closed", "closed"]);
    assert!(matches!(sim.app_state(i), State::TimeWait | State::Closed));
}

#[test]
fn half_close_from_upstream() {
    let (mut sim, i, id) = open(Config::default(), v6(25), true);
    {
        let f = sim.up.flows.get_mut(&id).unwrap();
        f.to_send = b"220 banner\r\n".to_vec();
        f.close_when_sent = true;
    }
    // The app reads the banner and the FIN, then still sends; the upstream gets it all.
    let done = sim.run_until(Duration::from_secs(5), |s| {
        if s.app_state(i) == State::CloseWait && s.app_flows[i].to_send.is_empty() {
            s.app_flows[i].to_send = b"QUIT\r\n".to_vec();
            s.app_flows[i].close_when_sent = true;
        }
        s.up.flows[&id].closed.is_some() && s.ns.tcp_sockets() == 0
    });
    assert!(done);
    assert_eq!(sim.app_flows[i].received, b"220 banner\r\n");
    assert_eq!(sim.up.flows[&id].received, b"QUIT\r\n");
    assert_eq!(sim.up.flows[&id].closed, Some(CloseReason::Normal));
    assert!(sim.up.flows[&id].app_closed);
}

#[test]
fn reset_from_the_app_reaches_upstream() {
    let (mut sim, i, id) = open(Config::default(), v4(443), true);
    sim.app_flows[i].to_send = b"partial".to_vec();
    assert!(
        sim.run_until(Duration::from_secs(2), |s| s.up.flows[&id].received
            == b"partial")
    );
    let h = sim.app_flows[i].handle;
    sim.app.tcp(h).abort();
    assert!(sim.run_until(Duration::from_secs(2), |s| s.up.flows[&id].closed.is_some()));
    assert_eq!(sim.up.flows[&id].closed, Some(CloseReason::AppReset));
    assert_eq!(sim.ns.tcp_sockets(), 0);
    assert_eq!(
        sim.ns.tcp_upstream_data(sim.now, id, b"late"),
        Err(Error::UnknownTcp(id))
    );
}

#[test]
fn reset_from_the_app_before_the_connect_completes() {
    let (mut sim, i, id) = open(Config::default(), v4(443), false);
    let h = sim.app_flows[i].handle;
    sim.app.tcp(h).abort();
    assert!(sim.run_until(Duration::from_secs(2), |s| s.up.flows[&id].closed.is_some()));
    assert_eq!(sim.up.flows[&id].closed, Some(CloseReason::AppReset));
    assert_eq!(sim.ns.tcp_sockets(), 0, "no listener left behind");
    assert_eq!(
        sim.ns.tcp_connected(sim.now, id),
        Err(Error::UnknownTcp(id))
    );
}

#[test]
fn reset_from_upstream_reaches_the_app() {
    let (mut sim, i, id) = open(Config::default(), v6(443), true);
    sim.ns.tcp_upstream_reset(sim.now, id).unwrap();
    assert!(sim.run_until(Duration::from_secs(2), |s| s.app_state(i) == State::Closed));
    // One from the abort; the app's ACKs still in flight may draw more.
    assert!(sim.out.rsts >= 1);
    assert_eq!(sim.up.flows[&id].closed, Some(CloseReason::UpstreamReset));
    assert_eq!(sim.ns.tcp_sockets(), 0);
}

#[test]
fn idle_connection_times_out_and_frees_its_socket() {
    let config = Config {
        tcp_idle_timeout: Duration::from_secs(30),
        ..Config::default()
    };
    let (mut sim, i, id) = open(config, v4(443), true);
    assert!(sim.ns.tcp_buffer_bytes() > 0);
    sim.run_for(Duration::from_secs(29));
    assert_eq!(sim.up.flows[&id].closed, None, "not before the timeout");
    assert!(sim.run_until(Duration::from_secs(2), |s| s.up.flows[&id].closed.is_some()));
    assert_eq!(sim.up.flows[&id].closed, Some(CloseReason::IdleTimeout));
    assert!(
        sim.run_until(Duration::from_secs(1), |s| s.app_state(i) == State::Closed),
        "app got RST"
    );
    assert_eq!(sim.ns.tcp_sockets(), 0);
    assert_eq!(sim.ns.tcp_buffer_bytes(), 0);
    assert_eq!(sim.ns.poll_at(sim.now), None, "no timer left");
}

#[test]
fn syn_flood_beyond_the_cap_is_refused_while_a_transfer_goes_on() {
    let config = Config {
        max_tcp_sockets: 4,
        ..Config::default()
    };
    let mut sim = Sim::new(config, 0.01, 0.02, 21);
    let size = 1 << 20;
    let mut rng = Rng::new(21);
    let from_app = rng.bytes(size);
    let from_up = rng.bytes(size);
    sim.up.on_connect_send = from_up.clone();
    sim.up.on_connect_close = true;
    let i = sim.app_connect(40000, v4(443), 256 * 1024, from_app.clone(), true);
    assert!(
        sim.run_until(Duration::from_secs(5), |s| s.app_flows[i].received.len()
            > 64 * 1024)
    );
    let mut next_port = 10_000u16;
    let mut most_sockets = 0;
    let done = sim.run_until(Duration::from_secs(120), |s| {
        // 5 SYNs from new ports every step for the first 2000 ports: a flood.
        for _ in 0..5 {
            if next_port < 12_000 {
                let src = SocketAddr::new(APP_V4.into(), next_port);
                next_port += 1;
                s.ns.on_tun_packet(s.now, &syn_packet(src, v4(443), 1000, Some(1460)));
            }
        }
        most_sockets = most_sockets.max(s.ns.tcp_sockets());
        let up = s.up.flows.values().next().unwrap();
        s.app_flows[i].received.len() == size && up.received.len() == size
    });
    assert!(
        done,
        "transfer stalled: {} of {}",
        sim.app_flows[i].received.len(),
        size
    );
    assert!(sim.app_flows[i].received == from_up);
    assert!(sim.up.flows.values().next().unwrap().received == from_app);
    assert!(most_sockets <= 4, "cap held: {most_sockets}");
    let stats = sim.ns.stats();
    assert!(stats.tcp_refused_limit >= 1900, "{stats:?}");
    assert!(
        sim.out.rsts >= stats.tcp_refused_limit,
        "each refused SYN got an RST"
    );
}

#[test]
fn mss_is_clamped_to_the_tun_mtu() {
    let config = Config {
        mtu: 1280,
        ..Config::default()
    };
    for (dst, mss) in [(v4(443), 1240), (v6(443), 1220)] {
        let mut sim = Sim::new(config.clone(), 0.0, 0.0, 5);
        sim.app.dev.mtu = 9000; // the app offers a larger MSS than the TUN carries
        sim.up.on_connect_send = vec![7; 200_000];
        let i = sim.app_connect(40000, dst, 256 * 1024, vec![9; 200_000], false);
        assert!(sim.run_until(Duration::from_secs(10), |s| {
            s.app_flows[i].received.len() == 200_000
                && s.up
                    .flows
                    .values()
                    .next()
                    .is_some_and(|f| f.received.len() == 200_000)
        }));
        assert_eq!(sim.out.mss, vec![mss], "SYN-ACK MSS for {dst}");
        assert!(sim.out.largest <= 1280, "largest {}", sim.out.largest);
        let largest_in = sim.in_log.iter().map(Vec::len).max().unwrap_or(0);
        assert!(largest_in <= 1280, "the app obeyed the MSS: {largest_in}");
    }
}

#[test]
fn backpressure_both_ways_with_a_slow_upstream() {
    let config = Config {
        tcp_buffer_max: 32 * 1024,
        tcp_buffer_min: 16 * 1024,
        ..Config::default()
    };
    let mut sim = Sim::new(config, 0.01, 0.02, 31);
    sim.up.read_limit = 2000; // the upstream reads 2000 bytes per step at most
    let size = 512 * 1024;
    let mut rng = Rng::new(31);
    let from_app = rng.bytes(size);
    let from_up = rng.bytes(size);
    sim.up.on_connect_send = from_up.clone();
    sim.up.on_connect_close = true;
    let i = sim.app_connect(40000, v4(80), 256 * 1024, from_app.clone(), true);
    let done = sim.run_until(Duration::from_secs(300), |s| {
        s.app_flows[i].received.len() == size
            && s.up
                .flows
                .values()
                .next()
                .is_some_and(|f| f.received.len() == size)
    });
    assert!(done);
    let f = sim.up.flows.values().next().unwrap();
    assert!(f.received == from_app && sim.app_flows[i].received == from_up);
    assert!(
        sim.up.most_accepted_at_once <= 32 * 1024,
        "never more than the buffer"
    );
    assert!(
        f.events.contains(&"writable"),
        "the upstream was told to resume"
    );
    assert!(sim.ns.tcp_buffer_bytes() <= 64 * 1024);
}

#[test]
fn a_waiting_connection_does_not_make_the_runtime_spin() {
    let mut ns = Netstack::new(Config::default(), Instant::ZERO).unwrap();
    let app = SocketAddr::new(APP_V4.into(), 40000);
    ns.on_tun_packet(Instant::ZERO, &syn_packet(app, v4(443), 1, Some(1460)));
    ns.poll(Instant::ZERO);
    // smoltcp reports a paused SYN-ACK as due at once; the netstack must not pass that on.
    assert_eq!(
        ns.poll_at(Instant::ZERO),
        Some(Instant::from_secs(30)),
        "the connect timeout"
    );
    assert_eq!(ns.pop_tun_packet(), None);
    let Some(Event::TcpConnect { id, src, dst }) = ns.pop_event() else {
        panic!("no connect")
    };
    assert_eq!((src, dst), (app, v4(443)));
    ns.tcp_connected(Instant::ZERO, id).unwrap();
    ns.poll(Instant::ZERO);
    let mut out = OutCheck::default();
    out.check(&ns.pop_tun_packet().expect("SYN-ACK"));
    assert_eq!((out.syn_acks, out.mss.as_slice()), (1, &[1460][..]));
    let next = ns.poll_at(Instant::ZERO).unwrap();
    assert!(
        next >= Instant::from_millis(500),
        "SYN-ACK retransmission timer, not now: {next}"
    );
}

#[test]
fn the_simulation_is_deterministic() {
    // The same seed gives the same packets at the same simulated times: a failing run can be
    // replayed exactly.
    let run = || {
        let mut sim = Sim::new(Config::default(), 0.03, 0.05, 77);
        sim.keep_out = true;
        sim.up.on_connect_send = Rng::new(1).bytes(200_000);
        sim.up.on_connect_close = true;
        let i = sim.app_connect(40000, v6(443), 64 * 1024, Rng::new(2).bytes(200_000), true);
        assert!(sim.run_until(Duration::from_secs(60), |s| {
            s.app_flows[i].received.len() == 200_000 && s.ns.tcp_sockets() == 0
        }));
        (sim.now, sim.out_log, sim.in_log)
    };
    let (a, b) = (run(), run());
    assert_eq!(a.0, b.0);
    assert!(a.1 == b.1 && a.2 == b.2, "identical packet traces");
}
