//! A `telltale_netstack::Netstack` with small limits (8 TCP sockets, 16 KiB buffers, 8 UDP
//! entries, short queues) driven by the input as a sequence of steps, each a header byte and
//! maybe a 2-byte big-endian length and that many bytes:
//!
//! - `op % 8` picks the step: 0 and 1 an app packet (the bytes) into `on_tun_packet`; 2 the
//!   upstream connects, is refused or unreachable (`op / 8 % 3`) for the oldest pending
//!   connection; 3 upstream data (the bytes) for a connection; 4 upstream closes or resets
//!   (`op / 8 % 2`); 5 a UDP reply (the bytes) for an entry; 6 a read of the app's data;
//!   7 the clock moves by `(op / 8)^2 * 50` ms, so timers and timeouts fire.
//!
//! After every step the netstack is polled and drained of packets and events; the ids the events
//! name are what later steps act on. Panics and broken caps are what this looks for.
#![no_main]

use std::collections::VecDeque;
use std::net::SocketAddr;

use libfuzzer_sys::fuzz_target;
use telltale_netstack::{Config, Duration, Event, Instant, Netstack, TcpId, UdpId};

fn config() -> Config {
    Config {
        max_tcp_sockets: 8,
        tcp_buffer_max: 16 * 1024,
        tcp_buffer_min: 4 * 1024,
        tcp_memory_budget: 256 * 1024,
        max_udp_entries: 8,
        max_tun_queue: 64,
        max_events: 64,
        max_event_bytes: 64 * 1024,
        ..Config::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut ns) = Netstack::new(config(), Instant::from_millis(0)) else {
        return;
    };
    let mut now = Instant::from_millis(0);
    let mut pending: VecDeque<TcpId> = VecDeque::new();
    let mut open: Vec<TcpId> = Vec::new();
    let mut udp: Vec<(UdpId, SocketAddr)> = Vec::new();
    let mut buf = [0u8; 2048];
    let mut rest = data;
    let mut steps = 0;
    while let Some((&op, tail)) = rest.split_first() {
        steps += 1;
        if steps > 512 {
            break;
        }
        let takes_bytes = matches!(op % 8, 0 | 1 | 3 | 5);
        let (bytes, tail) = if takes_bytes {
            let len = tail
                .get(..2)
                .and_then(|l| <[u8; 2]>::try_from(l).ok())
                .map_or(0, |l| usize::from(u16::from_be_bytes(l)) % 1600);
            let body = tail.get(2..).unwrap_or_default();
            let len = len.min(body.len());
            body.split_at(len)
        } else {
            (&[][..], tail)
        };
        rest = tail;
        let pick = usize::from(op / 8);
        match op % 8 {
            0 | 1 => ns.on_tun_packet(now, bytes),
            2 => {
                if let Some(id) = pending.pop_front() {
                    let _ = match pick % 3 {
                        0 => ns.tcp_connected(now, id).map(|()| open.push(id)),
                        1 => ns.tcp_refused(now, id),
                        _ => ns.tcp_unreachable(now, id),
                    };
                }
            }
            3 => {
                if let Some(&id) = open.get(pick % open.len().max(1)) {
                    let accepted = ns.tcp_upstream_data(now, id, bytes).unwrap_or(0);
                    assert!(accepted <= bytes.len());
                }
            }
            4 => {
                if let Some(&id) = open.get(pick % open.len().max(1)) {
                    let _ = if pick % 2 == 0 {
                        ns.tcp_upstream_closed(now, id)
                    } else {
                        ns.tcp_upstream_reset(now, id)
                    };
                }
            }
            5 => {
                if let Some(&(id, dst)) = udp.get(pick % udp.len().max(1)) {
                    let _ = ns.udp_reply(now, id, dst, bytes);
                }
            }
            6 => {
                for &id in &open {
                    let _ = ns.tcp_read(id, &mut buf);
                }
            }
            _ => now += Duration::from_millis((pick * pick * 50) as u64),
        }
        ns.poll(now);
        let mut drained = 0;
        while ns.pop_tun_packet().is_some() && drained < 4096 {
            drained += 1;
        }
        while let Some(event) = ns.pop_event() {
            match event {
                Event::TcpConnect { id, .. } => pending.push_back(id),
                Event::TcpClosed { id, .. } => {
                    open.retain(|&o| o != id);
                    pending.retain(|&o| o != id);
                }
                Event::UdpSend { id, dst, .. } => {
                    if !udp.iter().any(|&(u, _)| u == id) {
                        udp.push((id, dst));
                    }
                }
                Event::UdpExpired { id } => udp.retain(|&(u, _)| u != id),
                _ => {}
            }
        }
        let limits = ns.config().clone();
        assert!(ns.tcp_sockets() <= limits.max_tcp_sockets);
        assert!(ns.udp_count() <= limits.max_udp_entries);
        assert!(ns.tcp_buffer_bytes() <= limits.tcp_memory_budget);
    }
});
