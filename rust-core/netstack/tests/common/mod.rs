//! A deterministic simulation around one `Netstack`: an "app side" (a second smoltcp interface
//! with client sockets, standing for the apps behind the TUN), a lossy, reordering link between
//! them in simulated time, and a fake runtime ("upstream") that answers the netstack's events.
//! Every run is bounded in steps and simulated time.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use smoltcp::iface::{Config as IfaceConfig, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{ChecksumCapabilities, Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::socket::tcp;
use smoltcp::wire::{
    HardwareAddress, IpAddress, IpCidr, IpProtocol, Ipv4Packet, Ipv4Repr, Ipv6Packet, Ipv6Repr,
    TcpControl, TcpPacket, TcpRepr, TcpSeqNumber, UdpPacket, UdpRepr,
};
use telltale_netstack::{CloseReason, Config, Duration, Event, Instant, Netstack, TcpId};

pub const APP_V4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
pub const APP_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2);
/// Destinations: documentation prefixes; nothing leaves the process anyway.
pub const DST_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);
pub const DST_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10);

/// Seeded generator (splitmix64): the same seed, the same losses.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// One direction of the link: fixed delay, seeded loss, and some packets held back long enough
/// for later ones to overtake them.
#[derive(Debug)]
pub struct Link {
    queue: Vec<(Instant, u64, Vec<u8>)>,
    seq: u64,
    pub loss: f64,
    pub reorder: f64,
    pub delay: Duration,
    rng: Rng,
    pub sent: u64,
    pub lost: u64,
}

impl Link {
    pub fn new(loss: f64, reorder: f64, delay: Duration, seed: u64) -> Self {
        Link {
            queue: vec![],
            seq: 0,
            loss,
            reorder,
            delay,
            rng: Rng::new(seed),
            sent: 0,
            lost: 0,
        }
    }

    pub fn send(&mut self, now: Instant, packet: Vec<u8>) {
        self.sent += 1;
        if self.rng.chance(self.loss) {
            self.lost += 1;
            return;
        }
        let mut at = now + self.delay;
        if self.rng.chance(self.reorder) {
            at += Duration::from_micros(self.rng.below(3 * self.delay.total_micros() + 1));
        }
        self.seq += 1;
        self.queue.push((at, self.seq, packet));
    }

    pub fn due(&mut self, now: Instant) -> Vec<Vec<u8>> {
        self.queue.sort_by_key(|(at, seq, _)| (*at, *seq));
        let n = self
            .queue
            .iter()
            .take_while(|(at, _, _)| *at <= now)
            .count();
        self.queue.drain(..n).map(|(_, _, p)| p).collect()
    }

    pub fn next_at(&self) -> Option<Instant> {
        self.queue.iter().map(|(at, _, _)| *at).min()
    }

    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }
}

/// The app side's device: plain queues.
#[derive(Debug, Default)]
pub struct AppDevice {
    pub rx: VecDeque<Vec<u8>>,
    pub tx: VecDeque<Vec<u8>>,
    pub mtu: usize,
}

pub struct AppRx(Vec<u8>);
pub struct AppTx<'a>(&'a mut VecDeque<Vec<u8>>);

impl RxToken for AppRx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl TxToken for AppTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut buf = vec![0; len];
        let r = f(&mut buf);
        self.0.push_back(buf);
        r
    }
}

impl Device for AppDevice {
    type RxToken<'a> = AppRx;
    type TxToken<'a> = AppTx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(AppRx, AppTx<'_>)> {
        let p = self.rx.pop_front()?;
        Some((AppRx(p), AppTx(&mut self.tx)))
    }

    fn transmit(&mut self, _: Instant) -> Option<AppTx<'_>> {
        Some(AppTx(&mut self.tx))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ip;
        caps.max_transmission_unit = self.mtu;
        caps
    }
}

/// The apps: a smoltcp interface with client sockets.
pub struct App {
    pub iface: Interface,
    pub sockets: SocketSet<'static>,
    pub dev: AppDevice,
}

impl App {
    pub fn new(mtu: usize, seed: u64) -> Self {
        let mut dev = AppDevice {
            mtu,
            ..AppDevice::default()
        };
        let mut config = IfaceConfig::new(HardwareAddress::Ip);
        config.random_seed = seed;
        let mut iface = Interface::new(config, &mut dev, Instant::ZERO);
        iface.update_ip_addrs(|a| {
            a.push(IpCidr::new(IpAddress::Ipv4(APP_V4), 8)).unwrap();
            a.push(IpCidr::new(IpAddress::Ipv6(APP_V6), 64)).unwrap();
        });
        iface
            .routes_mut()
            .add_default_ipv4_route(Ipv4Addr::new(10, 0, 0, 1))
            .unwrap();
        iface
            .routes_mut()
            .add_default_ipv6_route(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1))
            .unwrap();
        App {
            iface,
            sockets: SocketSet::new(vec![]),
            dev,
        }
    }

    /// A client socket connecting from `local` to `remote`.
    pub fn connect(
        &mut self,
        local: SocketAddr,
        remote: SocketAddr,
        buffer: usize,
    ) -> SocketHandle {
        let mut s = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; buffer]),
            tcp::SocketBuffer::new(vec![0; buffer]),
        );
        s.set_nagle_enabled(false);
        s.set_congestion_control(tcp::CongestionControl::Cubic);
        s.connect(self.iface.context(), remote, local)
            .expect("connect");
        self.sockets.add(s)
    }

    pub fn tcp(&mut self, h: SocketHandle) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(h)
    }

    pub fn poll(&mut self, now: Instant) {
        self.iface.poll(now, &mut self.dev, &mut self.sockets);
    }
}

/// An app-side connection the simulation drives: sends `to_send`, collects what arrives.
#[derive(Debug)]
pub struct AppFlow {
    pub handle: SocketHandle,
    pub to_send: Vec<u8>,
    pub sent: usize,
    pub received: Vec<u8>,
    pub close_when_sent: bool,
    pub closed: bool,
}

/// The fake runtime's view of one connection.
#[derive(Debug, Default)]
pub struct Flow {
    pub src: Option<SocketAddr>,
    pub dst: Option<SocketAddr>,
    pub connected: bool,
    pub received: Vec<u8>,
    pub to_send: Vec<u8>,
    pub sent: usize,
    pub close_when_sent: bool,
    pub close_sent: bool,
    pub readable: bool,
    pub write_blocked: bool,
    pub app_closed: bool,
    pub closed: Option<CloseReason>,
    /// Events in order, for assertions on the protocol.
    pub events: Vec<&'static str>,
}

/// The fake runtime: connects (or not), reads and writes as the events say.
#[derive(Debug, Default)]
pub struct Upstream {
    pub flows: BTreeMap<TcpId, Flow>,
    pub auto_connect: bool,
    /// Most bytes read per connection per step (a slow upstream); 0: unlimited.
    pub read_limit: usize,
    pub other_events: Vec<Event>,
    /// Largest amount `tcp_upstream_data` accepted in one call.
    pub most_accepted_at_once: usize,
    /// What each new connection's upstream sends, and whether it closes after.
    pub on_connect_send: Vec<u8>,
    pub on_connect_close: bool,
}

impl Upstream {
    pub fn handle_events(&mut self, ns: &mut Netstack, now: Instant) {
        // Bounded: the queue is bounded by the netstack's caps.
        while let Some(ev) = ns.pop_event() {
            match ev {
                Event::TcpConnect { id, src, dst } => {
                    let flow = self.flows.entry(id).or_default();
                    flow.src = Some(src);
                    flow.dst = Some(dst);
                    flow.events.push("connect");
                    flow.to_send = self.on_connect_send.clone();
                    flow.close_when_sent = self.on_connect_close;
                    if self.auto_connect {
                        ns.tcp_connected(now, id).expect("pending");
                        flow.connected = true;
                    }
                }
                Event::TcpReadable { id } => {
                    let f = self.flows.entry(id).or_default();
                    f.readable = true;
                    f.events.push("readable");
                }
                Event::TcpWritable { id } => {
                    let f = self.flows.entry(id).or_default();
                    f.write_blocked = false;
                    f.events.push("writable");
                }
                Event::TcpAppClosed { id } => {
                    let f = self.flows.entry(id).or_default();
                    assert!(!f.app_closed, "AppClosed twice");
                    f.app_closed = true;
                    f.events.push("app-closed");
                }
                Event::TcpClosed { id, reason } => {
                    let f = self.flows.entry(id).or_default();
                    assert!(f.closed.is_none(), "TcpClosed twice for {id}");
                    f.closed = Some(reason);
                    f.events.push("closed");
                }
                other => self.other_events.push(other),
            }
        }
    }

    /// Read and write on every open connection, as far as the netstack takes it.
    pub fn work(&mut self, ns: &mut Netstack, now: Instant) {
        let mut buf = vec![0u8; 16 * 1024];
        for (id, f) in self.flows.iter_mut().filter(|(_, f)| f.closed.is_none()) {
            if f.readable {
                let mut budget = if self.read_limit == 0 {
                    usize::MAX
                } else {
                    self.read_limit
                };
                // Bounded by the socket's buffer and the budget.
                while budget > 0 {
                    let want = buf.len().min(budget);
                    let n = ns.tcp_read(*id, &mut buf[..want]).expect("live");
                    if n == 0 {
                        f.readable = false;
                        break;
                    }
                    budget -= n;
                    f.received.extend_from_slice(&buf[..n]);
                }
            }
            if f.connected && !f.write_blocked && f.sent < f.to_send.len() {
                match ns.tcp_upstream_data(now, *id, &f.to_send[f.sent..]) {
                    Ok(n) => {
                        self.most_accepted_at_once = self.most_accepted_at_once.max(n);
                        f.sent += n;
                        if f.sent < f.to_send.len() {
                            f.write_blocked = true;
                        }
                    }
                    Err(e) => panic!("upstream data on {id}: {e}"),
                }
            }
            if f.connected && f.close_when_sent && !f.close_sent && f.sent == f.to_send.len() {
                ns.tcp_upstream_closed(now, *id).expect("live");
                f.close_sent = true;
            }
        }
    }
}

/// Counts of what went from the netstack to the app.
#[derive(Debug, Default)]
pub struct OutCheck {
    pub packets: u64,
    pub largest: usize,
    pub bad: u64,
    pub syn_acks: u64,
    pub rsts: u64,
    /// MSS options seen in SYN-ACKs.
    pub mss: Vec<u16>,
}

impl OutCheck {
    /// Parse a packet from the netstack strictly, checksums included.
    pub fn check(&mut self, packet: &[u8]) {
        self.packets += 1;
        self.largest = self.largest.max(packet.len());
        let caps = ChecksumCapabilities::default();
        let Some((src, dst, proto, payload)) = parse_ip(packet) else {
            self.bad += 1;
            return;
        };
        if proto == IpProtocol::Tcp {
            let ok = TcpPacket::new_checked(payload).ok().and_then(|t| {
                TcpRepr::parse(&t, &src, &dst, &caps)
                    .ok()
                    .map(|r| (r.control, r.ack_number, r.max_seg_size))
            });
            match ok {
                Some((TcpControl::Syn, Some(_), mss)) => {
                    self.syn_acks += 1;
                    self.mss.extend(mss);
                }
                Some((TcpControl::Rst, _, _)) => self.rsts += 1,
                Some(_) => {}
                None => self.bad += 1,
            }
        }
    }
}

/// (src, dst, protocol, payload) of a well-formed IPv4 or IPv6 packet, header checksum checked.
pub fn parse_ip(packet: &[u8]) -> Option<(IpAddress, IpAddress, IpProtocol, &[u8])> {
    match packet.first()? >> 4 {
        4 => {
            let ip = Ipv4Packet::new_checked(packet).ok()?;
            let r = Ipv4Repr::parse(&ip, &ChecksumCapabilities::default()).ok()?;
            Some((
                r.src_addr.into(),
                r.dst_addr.into(),
                r.next_header,
                &packet[ip.header_len() as usize..ip.total_len() as usize],
            ))
        }
        6 => {
            let ip = Ipv6Packet::new_checked(packet).ok()?;
            let r = Ipv6Repr::parse(&ip).ok()?;
            Some((
                r.src_addr.into(),
                r.dst_addr.into(),
                r.next_header,
                &packet[40..40 + r.payload_len],
            ))
        }
        _ => None,
    }
}

/// The whole simulated world.
pub struct Sim {
    pub now: Instant,
    pub ns: Netstack,
    pub app: App,
    pub up: Upstream,
    pub app_flows: Vec<AppFlow>,
    pub to_ns: Link,
    pub to_app: Link,
    pub out: OutCheck,
    /// Keep copies of the netstack's packets (for tests that look at them).
    pub keep_out: bool,
    pub out_log: Vec<Vec<u8>>,
    /// Give the app's pure ACKs the highest sequence number it has sent, as Linux
    /// (`tcp_acceptable_seq`) and BSD (`snd_max`) do, unlike smoltcp (see `linux_like_ack`).
    pub linux_acks: bool,
    app_seq_max: HashMap<(IpAddress, u16, IpAddress, u16), TcpSeqNumber>,
    /// Copies of the app's packets, when `keep_out`.
    pub in_log: Vec<Vec<u8>>,
    pub steps: u64,
}

impl Sim {
    pub fn new(config: Config, loss: f64, reorder: f64, seed: u64) -> Self {
        let mtu = config.mtu;
        let delay = Duration::from_millis(5);
        Sim {
            now: Instant::ZERO,
            ns: Netstack::new(
                Config {
                    random_seed: seed,
                    ..config
                },
                Instant::ZERO,
            )
            .expect("config"),
            app: App::new(mtu, seed ^ 0x5555),
            up: Upstream {
                auto_connect: true,
                ..Upstream::default()
            },
            app_flows: vec![],
            to_ns: Link::new(loss, reorder, delay, seed ^ 1),
            to_app: Link::new(loss, reorder, delay, seed ^ 2),
            out: OutCheck::default(),
            keep_out: false,
            out_log: vec![],
            in_log: vec![],
            linux_acks: true,
            app_seq_max: HashMap::new(),
            steps: 0,
        }
    }

    /// Open an app connection from `local_port` to `dst` that sends `data` (and closes after it
    /// when `close`); its index in `app_flows`.
    pub fn app_connect(
        &mut self,
        local_port: u16,
        dst: SocketAddr,
        buffer: usize,
        data: Vec<u8>,
        close: bool,
    ) -> usize {
        let local_ip = match dst.ip() {
            IpAddr::V4(_) => IpAddr::V4(APP_V4),
            IpAddr::V6(_) => IpAddr::V6(APP_V6),
        };
        let handle = self
            .app
            .connect(SocketAddr::new(local_ip, local_port), dst, buffer);
        self.app_flows.push(AppFlow {
            handle,
            to_send: data,
            sent: 0,
            received: vec![],
            close_when_sent: close,
            closed: false,
        });
        self.app_flows.len() - 1
    }

    fn app_work(&mut self) {
        let mut buf = vec![0u8; 16 * 1024];
        for f in &mut self.app_flows {
            let s = self.app.sockets.get_mut::<tcp::Socket>(f.handle);
            if s.can_send() && f.sent < f.to_send.len() {
                f.sent += s.send_slice(&f.to_send[f.sent..]).unwrap_or(0);
            }
            // Bounded by the socket's buffer.
            while s.can_recv() {
                let n = s.recv_slice(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                f.received.extend_from_slice(&buf[..n]);
            }
            if f.close_when_sent && !f.closed && f.sent == f.to_send.len() && s.may_send() {
                s.close();
                f.closed = true;
            }
        }
    }

    /// One round: deliver due packets, let everyone act and poll, then advance the clock to the
    /// next thing that happens (at least 100 µs, at most 100 ms).
    pub fn step(&mut self) {
        self.steps += 1;
        let now = self.now;
        for p in self.to_ns.due(now) {
            self.ns.on_tun_packet(now, &p);
        }
        for p in self.to_app.due(now) {
            self.app.dev.rx.push_back(p);
        }
        self.app_work();
        self.app.poll(now);
        self.app_work();
        self.up.handle_events(&mut self.ns, now);
        self.up.work(&mut self.ns, now);
        self.ns.poll(now);
        self.up.handle_events(&mut self.ns, now);
        self.up.work(&mut self.ns, now);
        self.ns.poll(now);
        while let Some(p) = self.ns.pop_tun_packet() {
            self.out.check(&p);
            if self.keep_out {
                self.out_log.push(p.clone());
            }
            self.to_app.send(now, p);
        }
        self.app.poll(now);
        while let Some(mut p) = self.app.dev.tx.pop_front() {
            if self.linux_acks {
                linux_like_ack(&mut p, &mut self.app_seq_max);
            }
            if self.keep_out {
                self.in_log.push(p.clone());
            }
            self.to_ns.send(now, p);
        }
        let candidates = [
            self.to_ns.next_at(),
            self.to_app.next_at(),
            self.app.iface.poll_at(now, &self.app.sockets),
            self.ns.poll_at(now),
        ];
        let next = candidates
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(now + Duration::from_millis(100));
        let lo = now + Duration::from_micros(100);
        let hi = now + Duration::from_millis(100);
        self.now = next.max(lo).min(hi);
    }

    /// Step until `done` holds, at most `limit` of simulated time and a fixed number of steps;
    /// whether `done` was reached.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&mut Sim) -> bool) -> bool {
        let end = self.now + limit;
        for _ in 0..2_000_000u32 {
            if done(self) {
                return true;
            }
            if self.now >= end {
                return false;
            }
            self.step();
        }
        false
    }

    /// Step for `d` of simulated time.
    pub fn run_for(&mut self, d: Duration) {
        self.run_until(d, |_| false);
    }

    pub fn app_state(&mut self, i: usize) -> tcp::State {
        let h = self.app_flows[i].handle;
        self.app.tcp(h).state()
    }
}

/// A SYN (with MSS option) from `src` to `dst` as an app would send it.
pub fn syn_packet(src: SocketAddr, dst: SocketAddr, seq: i32, mss: Option<u16>) -> Vec<u8> {
    let repr = TcpRepr {
        src_port: src.port(),
        dst_port: dst.port(),
        control: TcpControl::Syn,
        seq_number: TcpSeqNumber(seq),
        ack_number: None,
        window_len: 64240,
        window_scale: Some(7),
        max_seg_size: mss,
        sack_permitted: true,
        sack_ranges: [None, None, None],
        timestamp: None,
        payload: &[],
    };
    tcp_packet(src, dst, &repr)
}

/// The IP packet carrying the TCP segment `repr` from `src` to `dst`, checksums filled in.
pub fn tcp_packet(src: SocketAddr, dst: SocketAddr, repr: &TcpRepr<'_>) -> Vec<u8> {
    let (s, d) = (IpAddress::from(src.ip()), IpAddress::from(dst.ip()));
    ip_packet(
        src.ip(),
        dst.ip(),
        IpProtocol::Tcp,
        repr.buffer_len(),
        |b| {
            repr.emit(
                &mut TcpPacket::new_unchecked(b),
                &s,
                &d,
                &ChecksumCapabilities::default(),
            );
        },
    )
}

/// A UDP datagram from `src` to `dst`.
pub fn udp_packet(src: SocketAddr, dst: SocketAddr, payload: &[u8]) -> Vec<u8> {
    let (s, d) = (IpAddress::from(src.ip()), IpAddress::from(dst.ip()));
    ip_packet(
        src.ip(),
        dst.ip(),
        IpProtocol::Udp,
        8 + payload.len(),
        |b| {
            UdpRepr {
                src_port: src.port(),
                dst_port: dst.port(),
            }
            .emit(
                &mut UdpPacket::new_unchecked(b),
                &s,
                &d,
                payload.len(),
                |p| p.copy_from_slice(payload),
                &ChecksumCapabilities::default(),
            );
        },
    )
}

/// An IP packet around a payload `fill` writes.
pub fn ip_packet(
    src: IpAddr,
    dst: IpAddr,
    proto: IpProtocol,
    len: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Vec<u8> {
    let caps = ChecksumCapabilities::default();
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let repr = Ipv4Repr {
                src_addr: s,
                dst_addr: d,
                next_header: proto,
                payload_len: len,
                hop_limit: 64,
            };
            let mut buf = vec![0; 20 + len];
            let mut p = Ipv4Packet::new_unchecked(&mut buf[..]);
            repr.emit(&mut p, &caps);
            fill(p.payload_mut());
            buf
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let repr = Ipv6Repr {
                src_addr: s,
                dst_addr: d,
                next_header: proto,
                payload_len: len,
                hop_limit: 64,
            };
            let mut buf = vec![0; 40 + len];
            let mut p = Ipv6Packet::new_unchecked(&mut buf[..]);
            repr.emit(&mut p);
            fill(p.payload_mut());
            buf
        }
        _ => panic!("mixed families"),
    }
}

pub fn v4(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(DST_V4), port)
}

pub fn v6(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V6(DST_V6), port)
}

/// Make an app-side (smoltcp) pure ACK carry the highest sequence number sent on its
/// connection.
///
/// After a retransmission timeout smoltcp rewinds its send sequence and sends pure ACKs from
/// there, below what the peer has already received; a receiver drops such a segment without
/// reading its ACK field (RFC 9293 acceptability test). With smoltcp at both ends and data
/// lost both ways, each side then ignores the other's ACKs forever. The real app side is the
/// phone's kernel, whose pure ACKs carry the highest sequence sent, and this gives the
/// simulated app that behaviour.
pub fn linux_like_ack(
    packet: &mut [u8],
    max: &mut HashMap<(IpAddress, u16, IpAddress, u16), TcpSeqNumber>,
) {
    let Some((src, dst, proto, segment)) = parse_ip(packet) else {
        return;
    };
    let segment_len = segment.len();
    if proto != IpProtocol::Tcp {
        return;
    }
    let offset = match packet[0] >> 4 {
        4 => usize::from(packet[0] & 0x0f) * 4,
        _ => 40,
    };
    let Ok(mut tcp) = TcpPacket::new_checked(&mut packet[offset..offset + segment_len]) else {
        return;
    };
    let key = (src, tcp.src_port(), dst, tcp.dst_port());
    let seq = tcp.seq_number();
    let data_len = segment_len.saturating_sub(usize::from(tcp.header_len()));
    let len = data_len + usize::from(tcp.syn()) + usize::from(tcp.fin());
    if len > 0 {
        let end = seq + len;
        let m = max.entry(key).or_insert(end);
        if end > *m {
            *m = end;
        }
    } else if !tcp.rst()
        && let Some(m) = max.get(&key)
        && seq < *m
    {
        tcp.set_seq_number(*m);
        tcp.fill_checksum(&src, &dst);
    }
}
