//! The relay over a real TUN device, as root: the apps' side is a network namespace the test
//! makes (client sockets are opened from a thread that entered it), the servers listen in the
//! test's own namespace on the host end of a veth pair whose other end sits in a second
//! namespace the test makes. No traffic leaves those addresses; every wait is bounded.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use telltale_engine::{Engine, Signatures};
use telltale_runtime::netns::{Addresses, Namespace, ip, is_root};
use telltale_runtime::{ConstUid, FixedAppInfo, Hooks, NoProtect, Relay, Settings, Tun};

const TIMEOUT: Duration = Duration::from_secs(20);

/// The monitored namespace with the relay running, and the host address servers bind to.
struct World {
    ns: Option<Namespace>,
    peer_ns: String,
    host: Ipv4Addr,
    stop: telltale_runtime::StopHandle,
    relay: Option<std::thread::JoinHandle<telltale_runtime::Outcome>>,
}

impl World {
    fn new(tag: &str) -> Option<World> {
        if !is_root() {
            eprintln!("skipped: not root (network namespaces and TUN devices need it)");
            return None;
        }
        if Command::new("ip").arg("-V").output().is_err() {
            eprintln!("skipped: iproute2 (ip) is not installed");
            return None;
        }
        let id = std::process::id() % 10_000;
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let octet = 100 + (id * 7 + n) % 100;
        let host = Ipv4Addr::new(10, 202, octet as u8, 1);
        // The host end of a veth pair carries the server address; its peer waits in a
        // namespace of the test's own.
        let peer_ns = format!("ttrp-{tag}-{id}");
        let (a, b) = (format!("ttra{tag}{id}"), format!("ttrb{tag}{id}"));
        ip(&["netns", "add", &peer_ns]).unwrap();
        ip(&["link", "add", &a, "type", "veth", "peer", "name", &b]).unwrap();
        ip(&["link", "set", &b, "netns", &peer_ns]).unwrap();
        ip(&["addr", "add", &format!("{host}/24"), "dev", &a]).unwrap();
        ip(&["link", "set", &a, "up"]).unwrap();

        let mut ns = Namespace::create_named(&format!("ttrt-{tag}-{id}")).unwrap();
        let tun_name = format!("ttrt{tag}{id}");
        let tun = Tun::open(&tun_name).unwrap();
        ns.adopt_tun(&tun_name, &Addresses::default(), 1500)
            .unwrap();
        let sigs = Arc::new(Signatures::builtin().unwrap());
        let engine = Engine::new(telltale_engine::Config::default(), sigs);
        let hooks = Hooks {
            protector: Box::new(NoProtect),
            uids: Box::new(ConstUid(10_123)),
            apps: Box::new(FixedAppInfo {
                package: "com.example.test".into(),
                name: "Test".into(),
            }),
        };
        let relay = Relay::new(tun, Settings::default(), engine, hooks, None).unwrap();
        let stop = relay.stop_handle();
        let relay = std::thread::spawn(move || relay.run());
        Some(World {
            ns: Some(ns),
            peer_ns,
            host,
            stop,
            relay: Some(relay),
        })
    }

    /// Runs `f` on a thread that entered the monitored namespace: sockets it opens are the
    /// apps'.
    fn app<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let path = format!("/run/netns/{}", self.ns.as_ref().unwrap().name());
        std::thread::spawn(move || {
            let file = std::fs::File::open(path).unwrap();
            // SAFETY: setns on a namespace descriptor; it changes only this thread.
            let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
            f()
        })
        .join()
        .unwrap()
    }

    fn finish(mut self) -> telltale_runtime::Outcome {
        self.stop.stop();
        let outcome = self.relay.take().unwrap().join().unwrap();
        assert!(outcome.loop_error.is_none(), "{:?}", outcome.loop_error);
        outcome
    }
}

impl Drop for World {
    fn drop(&mut self) {
        self.stop.stop();
        if let Some(r) = self.relay.take() {
            let _ = r.join();
        }
        drop(self.ns.take());
        let _ = ip(&["netns", "del", &self.peer_ns]);
    }
}

fn listener(host: Ipv4Addr) -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind((host, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    (l, addr)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, TIMEOUT).unwrap();
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    s.set_write_timeout(Some(TIMEOUT)).unwrap();
    s
}

#[test]
fn half_close_both_ways_and_the_report() {
    let Some(world) = World::new("hc") else {
        return;
    };
    let (l, addr) = listener(world.host);
    let server = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        // The app's FIN arrived; this side can still send.
        s.write_all(b"world").unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        got
    });
    let reply = world.app(move || {
        let mut s = connect(addr);
        s.write_all(b"hello").unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    });
    assert_eq!(server.join().unwrap(), b"hello");
    assert_eq!(reply, b"world");
    let outcome = world.finish();
    assert!(outcome.stats.tcp_accepted >= 1, "{:?}", outcome.stats);
    let report = serde_json::to_value(&outcome.report).unwrap();
    assert_eq!(report["apps"][0]["uid"], 10_123);
    assert_eq!(report["apps"][0]["package"], "com.example.test");
}

#[test]
fn upload_is_byte_exact() {
    let Some(world) = World::new("up") else {
        return;
    };
    let (l, addr) = listener(world.host);
    let data: Vec<u8> = (0..4u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let expected = data.clone();
    let server = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    });
    world.app(move || {
        let mut s = connect(addr);
        s.write_all(&data).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        // Wait for the server's close.
        let _ = s.read(&mut [0; 1]);
    });
    let got = server.join().unwrap();
    assert_eq!(got.len(), expected.len());
    assert!(got == expected);
}

#[test]
fn upstream_reset_reaches_the_app() {
    let Some(world) = World::new("rst") else {
        return;
    };
    let (l, addr) = listener(world.host);
    let server = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        // Once the app has sent something (so its connect is surely done), close with RST.
        s.read_exact(&mut [0; 1]).unwrap();
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s);
    });
    let kind = world.app(move || {
        let mut s = connect(addr);
        s.write_all(b"x").unwrap();
        server.join().unwrap();
        let mut buf = [0; 16];
        // A first read or write may still succeed while the RST travels.
        for _ in 0..50 {
            match s.read(&mut buf) {
                Err(e) => return e.kind(),
                Ok(0) => return ErrorKind::UnexpectedEof,
                Ok(_) => {}
            }
        }
        ErrorKind::Other
    });
    assert_eq!(kind, ErrorKind::ConnectionReset);
}

#[test]
fn udp_round_trip() {
    let Some(world) = World::new("udp") else {
        return;
    };
    let server = UdpSocket::bind((world.host, 0)).unwrap();
    server.set_read_timeout(Some(TIMEOUT)).unwrap();
    let addr = server.local_addr().unwrap();
    let echo = std::thread::spawn(move || {
        let mut buf = [0; 2048];
        let (n, from) = server.recv_from(&mut buf).unwrap();
        server.send_to(&buf[..n], from).unwrap();
        buf[..n].to_vec()
    });
    let (reply, from) = world.app(move || {
        let s = UdpSocket::bind("0.0.0.0:0").unwrap();
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        s.send_to(b"ping over udp", addr).unwrap();
        let mut buf = [0; 2048];
        let (n, from) = s.recv_from(&mut buf).unwrap();
        (buf[..n].to_vec(), from)
    });
    assert_eq!(echo.join().unwrap(), b"ping over udp");
    assert_eq!(reply, b"ping over udp");
    assert_eq!(from, addr);
}

#[test]
fn refused_and_stop_without_traffic() {
    let Some(world) = World::new("ref") else {
        return;
    };
    let (l, addr) = listener(world.host);
    drop(l);
    let kind = world.app(move || {
        TcpStream::connect_timeout(&addr, TIMEOUT)
            .map(|_| ())
            .unwrap_err()
            .kind()
    });
    assert_eq!(kind, ErrorKind::ConnectionRefused);
    let outcome = world.finish();
    assert_eq!(outcome.stats.tcp_accepted, 1);
}

#[test]
fn a_reader_that_stalls_holds_the_sender_back() {
    let Some(world) = World::new("bp") else {
        return;
    };
    let (l, addr) = listener(world.host);
    const TOTAL: usize = 48 << 20;
    let server = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_nonblocking(true).unwrap();
        let mut chunk = vec![0u8; 64 * 1024];
        let mut sent = 0usize;
        let mut stalled_since = std::time::Instant::now();
        let deadline = std::time::Instant::now() + TIMEOUT;
        // Write until the app's stall has held us back for a second.
        while sent < TOTAL && std::time::Instant::now() < deadline {
            let want = fill(&mut chunk, sent, TOTAL);
            match s.write(&chunk[..want]) {
                Ok(n) => {
                    sent += n;
                    stalled_since = std::time::Instant::now();
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    if stalled_since.elapsed() > Duration::from_secs(1) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("{e}"),
            }
        }
        let held_at = sent;
        // Now the rest, blocking, as the app reads.
        s.set_nonblocking(false).unwrap();
        s.set_write_timeout(Some(TIMEOUT)).unwrap();
        while sent < TOTAL {
            let want = fill(&mut chunk, sent, TOTAL);
            sent += s.write(&chunk[..want]).unwrap();
        }
        held_at
    });
    let received = world.app(move || {
        let mut s = connect(addr);
        // Stall: the app reads nothing for a while.
        std::thread::sleep(Duration::from_millis(2500));
        let mut buf = vec![0; 64 * 1024];
        let mut total = 0usize;
        let mut ok = true;
        while total < TOTAL {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            ok &= buf[..n]
                .iter()
                .enumerate()
                .all(|(i, b)| *b == pattern(total + i));
            total += n;
        }
        (total, ok)
    });
    let held_at = server.join().unwrap();
    eprintln!("sender held back after {held_at} of {TOTAL} bytes");
    assert!(
        held_at < TOTAL / 2,
        "the sender got {held_at} bytes out while the app read nothing"
    );
    assert_eq!(received, (TOTAL, true));
}

/// The byte at `pos` of the stream the stalled reader gets.
fn pattern(pos: usize) -> u8 {
    (pos % 251) as u8 ^ (pos >> 16) as u8
}

/// Fills `buf` with the stream from `from` on (at most up to `total`); how much it filled.
fn fill(buf: &mut [u8], from: usize, total: usize) -> usize {
    let n = buf.len().min(total - from);
    for (i, b) in buf[..n].iter_mut().enumerate() {
        *b = pattern(from + i);
    }
    n
}

#[test]
fn server_that_speaks_first_is_heard() {
    let Some(world) = World::new("ban") else {
        return;
    };
    let (l, addr) = listener(world.host);
    // The banner is sent at once, likely before the app has finished its handshake with the
    // netstack: it must wait for the app, not be lost.
    let server = std::thread::spawn(move || {
        for _ in 0..5 {
            let (mut s, _) = l.accept().unwrap();
            s.write_all(b"220 banner\r\n").unwrap();
            s.shutdown(Shutdown::Write).unwrap();
            let _ = s.read(&mut [0; 1]);
        }
    });
    let banners = world.app(move || {
        (0..5)
            .map(|_| {
                let mut s = connect(addr);
                let mut got = Vec::new();
                s.read_to_end(&mut got).unwrap();
                got
            })
            .collect::<Vec<_>>()
    });
    server.join().unwrap();
    for b in banners {
        assert_eq!(b, b"220 banner\r\n");
    }
}

#[test]
fn stopping_resets_the_apps_connections() {
    let Some(world) = World::new("stop") else {
        return;
    };
    let (l, addr) = listener(world.host);
    let server = std::thread::spawn(move || l.accept().unwrap().0);
    // The socket stays in the monitored namespace after the thread that opened it ends.
    let mut app = world.app(move || connect(addr));
    let _upstream = server.join().unwrap();
    let outcome = world.finish();
    assert_eq!(outcome.stats.tcp_accepted, 1);
    let e = app.read(&mut [0; 8]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionReset);
}
