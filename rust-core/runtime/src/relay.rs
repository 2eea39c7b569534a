//! The event loop: TUN packets through the netstack to upstream sockets and back, every packet
//! tapped for the engine and the pcapng capture.

use crate::error::{Error, Result};
use crate::hooks::{AppInfoSource, FlowTuple, Protector, UidResolver};
use crate::ping::PingSocket;
use crate::tun::Tun;
use mio::net::{TcpStream, UdpSocket};
use mio::{Events, Interest, Poll, Token, Waker};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::SystemTime;
use telltale_capture::{Direction, PacketExtras, PcapngWriter};
use telltale_engine::{AppInfo, Engine, PacketMeta, Report};
use telltale_netstack::{CloseReason, EchoRequest, Event, Instant, Netstack, Stats, TcpId, UdpId};
use telltale_wire::Timestamp;

const TUN: Token = Token(0);
const WAKER: Token = Token(1);
/// First token of upstream sockets.
const FIRST_SOCKET: usize = 2;
/// Packets read from the TUN per loop turn, so that sockets get their turn under load.
const TUN_BATCH: usize = 256;
/// Datagrams read from one UDP socket per loop turn.
const UDP_BATCH: usize = 64;
/// Rounds of events, socket work and netstack polls per loop turn.
const ROUNDS: usize = 16;
/// Reads or writes per connection and round; more waits for the next round.
const PUMP_STEPS: usize = 32;
/// Longest sleep without a timer due (the stop flag is also checked on wake-ups).
const MAX_SLEEP: std::time::Duration = std::time::Duration::from_millis(500);
/// How long a connection the app has finished with may take to hand its last bytes upstream.
const DRAIN_TIME_MICROS: i64 = 10_000_000;
/// Flows whose uid is remembered; the cache is emptied when it reaches this.
const MAX_UID_CACHE: usize = 65_536;
/// Largest IP packet read from the TUN.
const MAX_PACKET: usize = 65_535;

/// The capture output: a pcapng writer over any byte sink (a buffered file, usually).
pub type Capture = PcapngWriter<Box<dyn Write + Send>>;

/// Where the apps' DNS goes: datagrams to `listen`:53 (an address routed into the TUN, named
/// in the apps' resolv.conf) are sent to `upstream`, and its answers come back from `listen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DnsForward {
    /// The in-TUN resolver address the apps use.
    pub listen: IpAddr,
    /// The real resolver (the host's first `nameserver`, see [`crate::host_resolver`]).
    pub upstream: SocketAddr,
}

/// How the relay runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The netstack's limits. With [`EchoMode::Relay`](telltale_netstack::EchoMode::Relay) (the default) the relay pings for the
    /// apps through an ICMP socket (see `ping.rs`: a ping socket, else a raw one); when neither
    /// can be opened the apps' pings go unanswered, as on a network that filters ICMP.
    pub netstack: telltale_netstack::Config,
    /// DNS forwarding, if any.
    pub dns: Option<DnsForward>,
    /// Bytes buffered per direction of a TCP connection between netstack and upstream socket.
    pub tcp_chunk: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            netstack: telltale_netstack::Config::default(),
            dns: None,
            tcp_chunk: 16 * 1024,
        }
    }
}

/// The platform's answers about sockets and apps.
pub struct Hooks {
    /// Applied to every upstream socket before it connects or sends.
    pub protector: Box<dyn Protector>,
    /// Names the app of each flow.
    pub uids: Box<dyn UidResolver>,
    /// Names each app.
    pub apps: Box<dyn AppInfoSource>,
}

/// Stops a running [`Relay`] from any thread. Cloneable; stopping twice is harmless.
#[derive(Clone)]
pub struct StopHandle {
    flag: Arc<AtomicBool>,
    waker: Arc<Waker>,
}

impl StopHandle {
    /// Asks the loop to close its sockets, flush the capture and return.
    pub fn stop(&self) {
        self.flag.store(true, Ordering::SeqCst);
        // A failed wake-up is caught by the loop's bounded sleep.
        let _ = self.waker.wake();
    }
}

/// Asks a running [`Relay`] for the report of what it has seen so far, from any thread.
/// Cloneable; once the relay has returned, every request answers `None`.
#[derive(Clone)]
pub struct ReportHandle {
    requests: mpsc::Sender<mpsc::SyncSender<Report>>,
    waker: Arc<Waker>,
}

impl ReportHandle {
    /// The engine's report as of now, open flows included ([`Engine::snapshot`]); `None` when
    /// the relay has ended or did not answer within `timeout`.
    pub fn snapshot(&self, timeout: std::time::Duration) -> Option<Report> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.requests.send(tx).ok()?;
        // A failed wake-up is caught by the loop's bounded sleep.
        let _ = self.waker.wake();
        rx.recv_timeout(timeout).ok()
    }
}

/// What a finished run leaves.
#[derive(Debug)]
pub struct Outcome {
    /// The engine's final report (every flow closed).
    pub report: Report,
    /// The netstack's counters.
    pub stats: Stats,
    /// Why the capture stopped early, if it did (the relay went on without it).
    pub capture_error: Option<telltale_capture::WriteError>,
    /// Why the loop ended on its own (the poller or the TUN device failed), if it did; the
    /// report covers what was seen until then.
    pub loop_error: Option<Error>,
}

/// A fixed buffer with a window of pending bytes.
struct Chunk {
    data: Box<[u8]>,
    start: usize,
    end: usize,
}

impl Chunk {
    fn new(size: usize) -> Self {
        Chunk {
            data: vec![0; size].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }
    fn pending(&self) -> &[u8] {
        self.data.get(self.start..self.end).unwrap_or(&[])
    }
    fn is_empty(&self) -> bool {
        self.start >= self.end
    }
    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }
    /// The whole buffer to fill, emptied first.
    fn refill(&mut self) -> &mut [u8] {
        self.start = 0;
        self.end = 0;
        &mut self.data
    }
    fn filled(&mut self, n: usize) {
        self.start = 0;
        self.end = n.min(self.data.len());
    }
    fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }
}

/// One relayed TCP connection's upstream side.
struct TcpConn {
    stream: TcpStream,
    token: Token,
    connecting: bool,
    /// Upstream may have bytes to read (until a read says `WouldBlock`).
    readable: bool,
    /// Upstream may take bytes (until a write says `WouldBlock`).
    writable: bool,
    /// From the app, not yet written upstream.
    to_up: Chunk,
    /// From upstream, not yet accepted by the netstack.
    to_app: Chunk,
    app_closed: bool,
    up_shut: bool,
    up_eof: bool,
    eof_told: bool,
    /// The netstack is done with it (closed normally): hand the last bytes upstream, then close.
    draining_since: Option<Instant>,
}

/// One UDP NAT entry's upstream sockets, one per address family, made when first needed.
#[derive(Default)]
struct UdpEntry {
    v4: Option<(UdpSocket, Token)>,
    v6: Option<(UdpSocket, Token)>,
}

#[derive(Clone, Copy)]
enum Owner {
    Tcp(TcpId),
    Udp(UdpId, bool),
    /// The ICMP socket of a family (true: IPv6).
    Ping(bool),
}

/// The relay: a TUN device, a netstack, upstream sockets, and the engine and capture tap.
pub struct Relay {
    poll: Poll,
    tun: Tun,
    ns: Netstack,
    engine: Engine,
    capture: Option<Capture>,
    capture_error: Option<telltale_capture::WriteError>,
    hooks: Hooks,
    settings: Settings,
    stop: StopHandle,
    snapshots: mpsc::Receiver<mpsc::SyncSender<Report>>,
    snapshot_requests: mpsc::Sender<mpsc::SyncSender<Report>>,
    start: std::time::Instant,
    tcp: HashMap<TcpId, TcpConn>,
    udp: HashMap<UdpId, UdpEntry>,
    owners: HashMap<Token, Owner>,
    next_token: usize,
    dirty: HashSet<TcpId>,
    udp_ready: HashSet<Token>,
    uid_cache: HashMap<FlowTuple, Option<i32>>,
    known_apps: HashSet<i32>,
    buf: Vec<u8>,
    /// ICMP sockets for IPv4 and IPv6, made at the first ping of the family.
    pingers: [Pinger; 2],
}

/// A family's ICMP socket, or why there is none.
enum Pinger {
    NotYet,
    Open(PingSocket),
    Unavailable,
}

impl Relay {
    /// A relay over `tun`, feeding `engine` and, when given, `capture`.
    pub fn new(
        tun: Tun,
        mut settings: Settings,
        engine: Engine,
        hooks: Hooks,
        capture: Option<Capture>,
    ) -> Result<Relay> {
        settings.tcp_chunk = settings.tcp_chunk.clamp(1024, 1 << 20);
        let ns = Netstack::new(settings.netstack.clone(), Instant::ZERO)?;
        let poll = Poll::new().map_err(Error::Poll)?;
        let waker = Waker::new(poll.registry(), WAKER).map_err(Error::Poll)?;
        poll.registry()
            .register(
                &mut mio::unix::SourceFd(&tun.as_raw_fd()),
                TUN,
                Interest::READABLE,
            )
            .map_err(Error::Poll)?;
        let (snapshot_requests, snapshots) = mpsc::channel();
        Ok(Relay {
            poll,
            tun,
            ns,
            engine,
            capture,
            capture_error: None,
            hooks,
            settings,
            stop: StopHandle {
                flag: Arc::new(AtomicBool::new(false)),
                waker: Arc::new(waker),
            },
            snapshots,
            snapshot_requests,
            start: std::time::Instant::now(),
            tcp: HashMap::new(),
            udp: HashMap::new(),
            owners: HashMap::new(),
            next_token: FIRST_SOCKET,
            dirty: HashSet::new(),
            udp_ready: HashSet::new(),
            uid_cache: HashMap::new(),
            known_apps: HashSet::new(),
            buf: vec![0; MAX_PACKET],
            pingers: [Pinger::NotYet, Pinger::NotYet],
        })
    }

    /// A handle that stops [`Relay::run`] from another thread.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// A handle that asks the running loop for report snapshots from another thread.
    pub fn report_handle(&self) -> ReportHandle {
        ReportHandle {
            requests: self.snapshot_requests.clone(),
            waker: Arc::clone(&self.stop.waker),
        }
    }

    /// Answers the snapshot requests waiting.
    fn answer_snapshots(&mut self) {
        while let Ok(reply) = self.snapshots.try_recv() {
            // The asker may have given up waiting: nothing to do then.
            let _ = reply.send(self.engine.snapshot());
        }
    }

    fn now(&self) -> Instant {
        let micros = i64::try_from(self.start.elapsed().as_micros()).unwrap_or(i64::MAX);
        Instant::from_micros(micros)
    }

    /// Runs until stopped, or until the poller or the TUN device fails (e.g. the device was
    /// deleted: see [`Outcome::loop_error`]); then closes every socket, flushes the capture and
    /// returns the engine's report.
    pub fn run(mut self) -> Outcome {
        let loop_error = self.event_loop().err();
        // The apps' connections are reset, so that apps still running (`monitor`) learn at
        // once; then the upstream sockets close as they drop.
        let now = self.now();
        let ids: Vec<TcpId> = self.tcp.keys().copied().collect();
        for id in ids {
            let _ = self.ns.tcp_upstream_reset(now, id);
        }
        self.ns.poll(now);
        if loop_error.is_none() {
            let _ = self.write_tun();
        }
        self.tcp.clear();
        self.udp.clear();
        if let Some(c) = self.capture.as_mut()
            && let Err(e) = c.flush()
            && self.capture_error.is_none()
        {
            self.capture_error = Some(e);
        }
        let report = self.engine.finish(|_| {});
        Outcome {
            report,
            stats: self.ns.stats(),
            capture_error: self.capture_error,
            loop_error,
        }
    }

    fn event_loop(&mut self) -> Result<()> {
        let mut events = Events::with_capacity(256);
        let mut tun_ready = true;
        while !self.stop.flag.load(Ordering::SeqCst) {
            let now = self.now();
            let timeout = if tun_ready || !self.dirty.is_empty() || !self.udp_ready.is_empty() {
                std::time::Duration::ZERO
            } else {
                match self.ns.poll_at(now) {
                    Some(at) => {
                        let micros = (at.total_micros() - now.total_micros()).max(0);
                        std::time::Duration::from_micros(micros as u64).min(MAX_SLEEP)
                    }
                    None => MAX_SLEEP,
                }
            };
            match self.poll.poll(&mut events, Some(timeout)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Poll(e)),
            }
            let now = self.now();
            for ev in events.iter() {
                match ev.token() {
                    TUN => tun_ready = true,
                    WAKER => {}
                    token => self.on_socket_event(now, token, ev),
                }
            }
            if tun_ready {
                tun_ready = self.read_tun(now)?;
            }
            let ready: Vec<Token> = self.udp_ready.drain().collect();
            for token in ready {
                self.read_udp(now, token)?;
            }
            for _ in 0..ROUNDS {
                self.handle_events(now)?;
                let dirty: Vec<TcpId> = self.dirty.drain().collect();
                for id in dirty {
                    self.pump(now, id);
                }
                self.ns.poll(now);
                self.write_tun()?;
                if self.ns.pending_events() == 0 && self.dirty.is_empty() {
                    break;
                }
            }
            self.reap_drained(now);
            self.answer_snapshots();
        }
        Ok(())
    }

    /// Reads up to a batch of packets; whether more may be waiting.
    fn read_tun(&mut self, now: Instant) -> Result<bool> {
        for _ in 0..TUN_BATCH {
            let mut buf = std::mem::take(&mut self.buf);
            let got = self.tun.recv(&mut buf);
            let more = match got {
                Ok(n) => {
                    let packet = buf.get(..n).unwrap_or(&[]);
                    self.tap(packet, Direction::Outbound);
                    self.ns.on_tun_packet(now, packet);
                    true
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => true,
                Err(e) => {
                    self.buf = buf;
                    return Err(Error::TunIo(e));
                }
            };
            self.buf = buf;
            if !more {
                return Ok(false);
            }
            // Keep the output queue short while reading a burst.
            if self.ns.pending_tun_packets() > 0 {
                self.ns.poll(now);
                self.write_tun()?;
            }
        }
        Ok(true)
    }

    fn write_tun(&mut self) -> Result<()> {
        while let Some(packet) = self.ns.pop_tun_packet() {
            self.tap(&packet, Direction::Inbound);
            match self.tun.send(&packet) {
                Ok(_) => {}
                // The TUN's queue is full or the interface is down: drop it like a
                // congested link would (TCP sends it again).
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) || e.raw_os_error() == Some(libc::EIO) => {}
                Err(e) => return Err(Error::TunIo(e)),
            }
        }
        Ok(())
    }

    /// Hands a packet to the engine and the capture, with the uid of its app.
    fn tap(&mut self, packet: &[u8], dir: Direction) {
        let ts = wall_clock();
        let uid = flow_tuple(packet, dir).and_then(|t| self.uid_of(t));
        if let Some(uid) = uid
            && self.known_apps.insert(uid)
        {
            let (package, name) = self
                .hooks
                .apps
                .app_info(uid)
                .unwrap_or_else(|| (format!("uid-{uid}"), String::new()));
            if let Some(c) = self.capture.as_mut()
                && let Err(e) = c.add_app(uid, &package, &name)
            {
                self.capture_error.get_or_insert(e);
                self.capture = None;
            }
            self.engine.set_app_info(
                uid,
                AppInfo {
                    package: Some(package),
                    name: (!name.is_empty()).then_some(name),
                },
            );
        }
        self.engine.on_packet(ts, packet, PacketMeta { uid });
        if let Some(c) = self.capture.as_mut() {
            let extras = PacketExtras {
                orig_len: None,
                direction: Some(dir),
            };
            if let Err(e) = c.packet_with(ts, uid, packet, extras) {
                self.capture_error.get_or_insert(e);
                self.capture = None;
            }
        }
    }

    fn uid_of(&mut self, tuple: FlowTuple) -> Option<i32> {
        if let Some(uid) = self.uid_cache.get(&tuple) {
            return *uid;
        }
        if self.uid_cache.len() >= MAX_UID_CACHE {
            self.uid_cache.clear();
        }
        let uid = self.hooks.uids.uid(&tuple);
        self.uid_cache.insert(tuple, uid);
        uid
    }

    fn token(&mut self, owner: Owner) -> Token {
        let token = Token(self.next_token);
        self.next_token = self.next_token.wrapping_add(1).max(FIRST_SOCKET);
        self.owners.insert(token, owner);
        token
    }

    fn on_socket_event(&mut self, now: Instant, token: Token, ev: &mio::event::Event) {
        match self.owners.get(&token).copied() {
            Some(Owner::Tcp(id)) => {
                let Some(conn) = self.tcp.get_mut(&id) else {
                    return;
                };
                if conn.connecting {
                    self.check_connect(now, id);
                    return;
                }
                if ev.is_readable() || ev.is_read_closed() || ev.is_error() {
                    conn.readable = true;
                }
                if ev.is_writable() || ev.is_write_closed() || ev.is_error() {
                    conn.writable = true;
                }
                self.dirty.insert(id);
            }
            Some(Owner::Udp(..) | Owner::Ping(_)) => {
                self.udp_ready.insert(token);
            }
            None => {}
        }
    }

    /// A connecting socket reported progress: connected, failed, or not yet.
    fn check_connect(&mut self, now: Instant, id: TcpId) {
        let Some(conn) = self.tcp.get_mut(&id) else {
            return;
        };
        let failure = match conn.stream.take_error() {
            Ok(Some(e)) | Err(e) => Some(e),
            Ok(None) => match conn.stream.peer_addr() {
                Ok(_) => None,
                Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => return,
                Err(e) => Some(e),
            },
        };
        match failure {
            None => {
                conn.connecting = false;
                conn.readable = true;
                conn.writable = true;
                if self.ns.tcp_connected(now, id).is_err() {
                    self.drop_tcp(id, true);
                } else {
                    self.dirty.insert(id);
                }
            }
            Some(e) => self.connect_failed(now, id, &e),
        }
    }

    fn connect_failed(&mut self, now: Instant, id: TcpId, e: &io::Error) {
        // Either call fails only for a connection the netstack already closed. A reset
        // before the connect was seen to succeed is an RST for the app as well.
        let _ = if matches!(
            e.raw_os_error(),
            Some(libc::ECONNREFUSED | libc::ECONNRESET)
        ) {
            self.ns.tcp_refused(now, id)
        } else {
            self.ns.tcp_unreachable(now, id)
        };
        self.drop_tcp(id, false);
    }

    fn drop_tcp(&mut self, id: TcpId, reset: bool) {
        if let Some(mut conn) = self.tcp.remove(&id) {
            if reset {
                // Linger 0: closing sends RST instead of FIN.
                let _ = socket2::SockRef::from(&conn.stream).set_linger(Some(Default::default()));
            }
            let _ = self.poll.registry().deregister(&mut conn.stream);
            self.owners.remove(&conn.token);
        }
        self.dirty.remove(&id);
    }

    fn handle_events(&mut self, now: Instant) -> Result<()> {
        while let Some(event) = self.ns.pop_event() {
            match event {
                Event::TcpConnect { id, src: _, dst } => self.connect(now, id, dst),
                Event::TcpReadable { id } | Event::TcpWritable { id } => {
                    self.dirty.insert(id);
                }
                Event::TcpAppClosed { id } => {
                    if let Some(conn) = self.tcp.get_mut(&id) {
                        conn.app_closed = true;
                        self.dirty.insert(id);
                    }
                }
                Event::TcpClosed { id, reason } => match reason {
                    CloseReason::Normal => {
                        if let Some(conn) = self.tcp.get_mut(&id) {
                            conn.app_closed = true;
                            conn.draining_since = Some(now);
                            self.dirty.insert(id);
                        }
                    }
                    _ => self.drop_tcp(id, true),
                },
                Event::UdpSend {
                    id,
                    src: _,
                    dst,
                    payload,
                } => self.udp_send(id, dst, &payload),
                Event::UdpExpired { id } => {
                    if let Some(entry) = self.udp.remove(&id) {
                        for (mut s, token) in entry.v4.into_iter().chain(entry.v6) {
                            let _ = self.poll.registry().deregister(&mut s);
                            self.owners.remove(&token);
                            self.udp_ready.remove(&token);
                        }
                    }
                }
                Event::Ping(req) => self.ping(now, req),
            }
        }
        Ok(())
    }

    fn connect(&mut self, now: Instant, id: TcpId, dst: SocketAddr) {
        let socket = match Socket::new(Domain::for_address(dst), Type::STREAM, Some(Protocol::TCP))
        {
            Ok(s) => s,
            Err(e) => return self.connect_failed(now, id, &e),
        };
        let protected = socket.set_nonblocking(true).is_ok()
            && self.hooks.protector.protect(socket.as_raw_fd());
        if !protected {
            let e = io::Error::from_raw_os_error(libc::EACCES);
            return self.connect_failed(now, id, &e);
        }
        let connecting = match socket.connect(&SockAddr::from(dst)) {
            Ok(()) => false,
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => true,
            Err(e) => return self.connect_failed(now, id, &e),
        };
        let mut stream = TcpStream::from_std(std::net::TcpStream::from(socket));
        let token = self.token(Owner::Tcp(id));
        if let Err(e) = self.poll.registry().register(
            &mut stream,
            token,
            Interest::READABLE | Interest::WRITABLE,
        ) {
            self.owners.remove(&token);
            return self.connect_failed(now, id, &e);
        }
        let chunk = self.settings.tcp_chunk;
        self.tcp.insert(
            id,
            TcpConn {
                stream,
                token,
                connecting: true,
                readable: false,
                writable: false,
                to_up: Chunk::new(chunk),
                to_app: Chunk::new(chunk),
                app_closed: false,
                up_shut: false,
                up_eof: false,
                eof_told: false,
                draining_since: None,
            },
        );
        if !connecting {
            self.check_connect(now, id);
        }
    }

    /// Moves what can be moved on one connection, both ways, within the netstack's and the
    /// upstream socket's room.
    fn pump(&mut self, now: Instant, id: TcpId) {
        let Some(conn) = self.tcp.get_mut(&id) else {
            return;
        };
        if conn.connecting {
            return;
        }
        let mut reset = false;
        let mut more = false;
        // App to upstream: read from the netstack only what the socket has taken.
        for step in 0..=PUMP_STEPS {
            if step == PUMP_STEPS {
                more = true;
                break;
            }
            if !conn.to_up.is_empty() {
                if !conn.writable {
                    break;
                }
                match conn.stream.write(conn.to_up.pending()) {
                    Ok(n) => conn.to_up.consume(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        conn.writable = false;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        reset = true;
                        break;
                    }
                }
                continue;
            }
            if conn.draining_since.is_some() {
                break;
            }
            match self.ns.tcp_read(id, conn.to_up.refill()) {
                Ok(0) => break,
                Ok(n) => conn.to_up.filled(n),
                Err(_) => break,
            }
        }
        if !reset && conn.to_up.is_empty() && conn.app_closed && !conn.up_shut {
            // Half-close: the upstream reads EOF, and may go on sending.
            let _ = conn.stream.shutdown(std::net::Shutdown::Write);
            conn.up_shut = true;
        }
        if conn.draining_since.is_some() {
            if conn.to_up.is_empty() || reset {
                self.drop_tcp(id, reset);
            }
            return;
        }
        // Upstream to app: read from the socket only what the netstack has accepted.
        if !reset {
            for step in 0..=PUMP_STEPS {
                if step == PUMP_STEPS {
                    more = true;
                    break;
                }
                if !conn.to_app.is_empty() {
                    match self.ns.tcp_upstream_data(now, id, conn.to_app.pending()) {
                        Ok(n) => {
                            conn.to_app.consume(n);
                            if !conn.to_app.is_empty() {
                                // TcpWritable comes when there is room again.
                                break;
                            }
                        }
                        Err(_) => {
                            // The app no longer takes data: nothing to do with it.
                            conn.to_app.clear();
                            conn.up_eof = true;
                            conn.eof_told = true;
                            break;
                        }
                    }
                    continue;
                }
                if !conn.readable || conn.up_eof {
                    break;
                }
                match conn.stream.read(conn.to_app.refill()) {
                    Ok(0) => conn.up_eof = true,
                    Ok(n) => conn.to_app.filled(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        conn.readable = false;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        reset = true;
                        break;
                    }
                }
            }
        }
        if reset {
            let _ = self.ns.tcp_upstream_reset(now, id);
            self.drop_tcp(id, true);
            return;
        }
        if conn.up_eof && conn.to_app.is_empty() && !conn.eof_told {
            conn.eof_told = true;
            let _ = self.ns.tcp_upstream_closed(now, id);
        }
        if more {
            self.dirty.insert(id);
        }
    }

    /// Closes connections that have had their time to hand over their last bytes.
    fn reap_drained(&mut self, now: Instant) {
        let late: Vec<TcpId> = self
            .tcp
            .iter()
            .filter(|(_, c)| {
                c.draining_since
                    .is_some_and(|t| now.total_micros() - t.total_micros() > DRAIN_TIME_MICROS)
            })
            .map(|(id, _)| *id)
            .collect();
        for id in late {
            self.drop_tcp(id, true);
        }
    }

    fn udp_send(&mut self, id: UdpId, dst: SocketAddr, payload: &[u8]) {
        let target = match self.settings.dns {
            Some(dns) if dst.ip() == dns.listen && dst.port() == 53 => dns.upstream,
            _ => dst,
        };
        let v6 = target.is_ipv6();
        let exists = self
            .udp
            .get(&id)
            .is_some_and(|e| if v6 { e.v6.is_some() } else { e.v4.is_some() });
        if !exists {
            let Some(socket) = self.udp_socket(v6) else {
                let _ = self.ns.udp_unreachable(id, dst);
                return;
            };
            let mut socket = socket;
            let token = self.token(Owner::Udp(id, v6));
            if self
                .poll
                .registry()
                .register(&mut socket, token, Interest::READABLE)
                .is_err()
            {
                self.owners.remove(&token);
                return;
            }
            let entry = self.udp.entry(id).or_default();
            if v6 {
                entry.v6 = Some((socket, token));
            } else {
                entry.v4 = Some((socket, token));
            }
        }
        let Some(entry) = self.udp.get(&id) else {
            return;
        };
        let socket = if v6 { &entry.v6 } else { &entry.v4 };
        let Some((socket, _)) = socket else {
            return;
        };
        if let Err(e) = socket.send_to(payload, target) {
            // Lost like on any network, except for a clear "unreachable", which the app hears.
            if matches!(
                e.raw_os_error(),
                Some(libc::ENETUNREACH | libc::EHOSTUNREACH)
            ) {
                let _ = self.ns.udp_unreachable(id, dst);
            }
        }
    }

    /// A protected, non-blocking UDP socket bound to any address of the family.
    fn udp_socket(&mut self, v6: bool) -> Option<UdpSocket> {
        let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
        let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).ok()?;
        socket.set_nonblocking(true).ok()?;
        if !self.hooks.protector.protect(socket.as_raw_fd()) {
            return None;
        }
        let any: IpAddr = if v6 {
            Ipv6Addr::UNSPECIFIED.into()
        } else {
            Ipv4Addr::UNSPECIFIED.into()
        };
        socket.bind(&SockAddr::from(SocketAddr::new(any, 0))).ok()?;
        Some(UdpSocket::from_std(std::net::UdpSocket::from(socket)))
    }

    /// Pings `req.dst` for the app; a request that cannot be sent goes unanswered.
    fn ping(&mut self, now: Instant, req: EchoRequest) {
        let v6 = req.dst.is_ipv6();
        let slot = usize::from(v6);
        if let Some(Pinger::NotYet) = self.pingers.get(slot) {
            let ident = (std::process::id() as u16) ^ 0x7474;
            let protector = &self.hooks.protector;
            let made = PingSocket::new(v6, ident, |s| protector.protect(s.as_raw_fd()));
            let pinger = match made {
                Some(p) => {
                    let token = self.token(Owner::Ping(v6));
                    let fd = p.socket.as_raw_fd();
                    let registered = self.poll.registry().register(
                        &mut mio::unix::SourceFd(&fd),
                        token,
                        Interest::READABLE,
                    );
                    if registered.is_ok() {
                        Pinger::Open(p)
                    } else {
                        self.owners.remove(&token);
                        Pinger::Unavailable
                    }
                }
                None => Pinger::Unavailable,
            };
            if let Some(s) = self.pingers.get_mut(slot) {
                *s = pinger;
            }
        }
        if let Some(Pinger::Open(p)) = self.pingers.get_mut(slot) {
            p.send(now, req);
        }
    }

    fn read_ping(&mut self, now: Instant, token: Token, v6: bool) -> Result<()> {
        let Some(Pinger::Open(p)) = self.pingers.get_mut(usize::from(v6)) else {
            return Ok(());
        };
        let (answered, more) = p.receive(now, UDP_BATCH);
        if more {
            self.udp_ready.insert(token);
        }
        for req in answered {
            if let Err(telltale_netstack::Error::QueueFull) = self.ns.echo_reply(&req) {
                self.write_tun()?;
                let _ = self.ns.echo_reply(&req);
            }
        }
        self.write_tun()
    }

    fn read_udp(&mut self, now: Instant, token: Token) -> Result<()> {
        let (id, v6) = match self.owners.get(&token).copied() {
            Some(Owner::Udp(id, v6)) => (id, v6),
            Some(Owner::Ping(v6)) => return self.read_ping(now, token, v6),
            _ => return Ok(()),
        };
        let mut buf = std::mem::take(&mut self.buf);
        for step in 0..=UDP_BATCH {
            if step == UDP_BATCH {
                self.udp_ready.insert(token);
                break;
            }
            let Some(entry) = self.udp.get(&id) else {
                break;
            };
            let Some((socket, _)) = (if v6 { &entry.v6 } else { &entry.v4 }) else {
                break;
            };
            let (n, mut from) = match socket.recv_from(&mut buf) {
                Ok(r) => r,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // WouldBlock, or an ICMP error reported on the socket: nothing to pass on.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => continue,
            };
            if let Some(dns) = self.settings.dns
                && from == dns.upstream
            {
                from = SocketAddr::new(dns.listen, 53);
            }
            let payload = buf.get(..n).unwrap_or(&[]);
            if let Err(telltale_netstack::Error::QueueFull) =
                self.ns.udp_reply(now, id, from, payload)
            {
                self.write_tun()?;
                let _ = self.ns.udp_reply(now, id, from, payload);
            }
        }
        self.buf = buf;
        self.write_tun()
    }
}

/// The wall clock as the engine and the capture record it.
fn wall_clock() -> Timestamp {
    match SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => Timestamp::from_nanos(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
        Err(_) => Timestamp::EPOCH,
    }
}

/// The flow of a packet, the app's endpoint first: for packets from the TUN the source, for
/// packets to it the destination.
pub(crate) fn flow_tuple(packet: &[u8], dir: Direction) -> Option<FlowTuple> {
    let ip = telltale_wire::ip::parse(packet).ok()?;
    let ports = match ip.protocol {
        6 | 17 if ip.fragment.is_none() => {
            let p = ip.payload.get(..4)?;
            (
                u16::from_be_bytes([*p.first()?, *p.get(1)?]),
                u16::from_be_bytes([*p.get(2)?, *p.get(3)?]),
            )
        }
        _ => (0, 0),
    };
    let src = SocketAddr::new(ip.src, ports.0);
    let dst = SocketAddr::new(ip.dst, ports.1);
    let (local, remote) = match dir {
        Direction::Outbound => (src, dst),
        Direction::Inbound => (dst, src),
    };
    Some(FlowTuple {
        protocol: ip.protocol,
        local,
        remote,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_tracks_the_pending_window() {
        let mut c = Chunk::new(8);
        assert!(c.is_empty());
        c.refill()[..5].copy_from_slice(b"hello");
        c.filled(5);
        assert_eq!(c.pending(), b"hello");
        c.consume(2);
        assert_eq!(c.pending(), b"llo");
        c.consume(10);
        assert!(c.is_empty());
        c.filled(100);
        assert_eq!(c.pending().len(), 8, "never beyond the buffer");
        c.clear();
        assert!(c.is_empty());
    }

    #[test]
    fn snapshots_while_running_and_none_after() {
        use std::os::fd::{FromRawFd, OwnedFd};
        // A datagram socket pair stands in for the TUN: one packet per read and write.
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for two descriptors.
        let rc = unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_DGRAM, 0, fds.as_mut_ptr()) };
        assert_eq!(rc, 0);
        // SAFETY: both descriptors were just created and are owned here only.
        let (ours, theirs) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let sigs = Arc::new(telltale_engine::Signatures::builtin().unwrap());
        let engine = Engine::new(telltale_engine::Config::default(), sigs);
        let hooks = Hooks {
            protector: Box::new(crate::NoProtect),
            uids: Box::new(crate::ConstUid(1)),
            apps: Box::new(crate::FixedAppInfo {
                package: "p".into(),
                name: "n".into(),
            }),
        };
        let relay = Relay::new(
            Tun::from_fd(theirs).unwrap(),
            Settings::default(),
            engine,
            hooks,
            None,
        )
        .unwrap();
        let reports = relay.report_handle();
        let stop = relay.stop_handle();
        let thread = std::thread::spawn(move || relay.run());
        let wait = std::time::Duration::from_secs(5);
        assert_eq!(reports.snapshot(wait).unwrap().totals.packets, 0);
        // Not an IP packet: the engine counts it, the netstack drops it, nothing goes out.
        let junk = [0u8; 20];
        // SAFETY: `junk` is valid for its length; `ours` is an open descriptor.
        let n = unsafe { libc::write(ours.as_raw_fd(), junk.as_ptr().cast(), junk.len()) };
        assert_eq!(n, 20);
        let mut seen = 0;
        for _ in 0..100 {
            seen = reports.snapshot(wait).unwrap().totals.packets;
            if seen == 1 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(seen, 1);
        stop.stop();
        let outcome = thread.join().unwrap();
        assert_eq!(outcome.report.totals.packets, 1);
        assert!(
            reports.snapshot(wait).is_none(),
            "no answer once the relay has ended"
        );
    }

    #[test]
    fn flow_tuple_puts_the_app_first() {
        // IPv4 UDP 10.0.0.2:1234 -> 192.0.2.1:53, checksums irrelevant here.
        let mut p = vec![
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 2, 192, 0, 2, 1,
        ];
        p.extend_from_slice(&[0x04, 0xd2, 0, 53, 0, 8, 0, 0]);
        let out = flow_tuple(&p, Direction::Outbound).unwrap();
        assert_eq!(out.protocol, 17);
        assert_eq!(out.local, "10.0.0.2:1234".parse().unwrap());
        assert_eq!(out.remote, "192.0.2.1:53".parse().unwrap());
        let back = flow_tuple(&p, Direction::Inbound).unwrap();
        assert_eq!(back.local, out.remote);
        assert_eq!(flow_tuple(&p[..10], Direction::Outbound), None);
        assert_eq!(flow_tuple(&[], Direction::Outbound), None);
    }
}
