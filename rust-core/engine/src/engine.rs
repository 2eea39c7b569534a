//! The engine: IP packets in, flow records and the exposure report out.
//!
//! Driven quinn-style: the caller hands over each packet with the time it was seen
//! ([`Engine::on_packet`]), pulls finished flow records ([`Engine::poll_flow`]) and asks for the
//! report ([`Engine::snapshot`], [`Engine::finish`]). The engine keeps its own clock as the
//! latest time seen, so timestamps that jump backwards cannot un-expire flows, and timestamps
//! that jump ahead by years simply close what was open.

use crate::app::{AppInfo, AppKey, is_local};
use crate::defrag::{Defrag, Defragged, FragKey};
use crate::dissect::{Ctx, Inspection, Limits, Verdict};
use crate::flow::{Direction, EndReason, Endpoint, Flow, FlowKey, RoleBasis, TcpState, roles};
use crate::names::NameCache;
use crate::record::{FlowRecord, summarize};
use crate::report::{Aggregate, Report, Totals};
use crate::signatures::Signatures;
use crate::stream::Budget;
use crate::table::{FlowRef, FlowTable};
use crate::tokens::TokenTable;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use telltale_wire::ip::{IpPacket, PROTO_TCP, PROTO_UDP};
use telltale_wire::tcp::TcpFlags;
use telltale_wire::{Timestamp, gtp, ip, tcp, udp};

/// Tunnels followed inside each other (GTP-U in GTP-U ...).
const MAX_TUNNEL_DEPTH: u8 = 2;

/// Engine limits and options. Every limit bounds memory that input could otherwise grow.
#[derive(Debug, Clone)]
pub struct Config {
    /// Flows tracked at once; the least recently used is closed early to make room.
    pub max_flows: usize,
    /// Bytes buffered across all flows for reassembly and dissection.
    pub buffer_budget: usize,
    /// Bytes held per direction of a flow while a parser waits for more.
    pub stream_window: usize,
    /// Stream bytes read per direction before a flow is no longer inspected.
    pub inspect_limit: u64,
    /// Bytes of a code download hashed, at most.
    pub download_limit: u64,
    /// Addresses remembered with names from DNS answers.
    pub max_names: usize,
    /// Show identifiers (query values ...) in full instead of masked.
    pub show_identifiers: bool,
    /// Queue finished flow records for [`Engine::poll_flow`]; the caller must then drain them.
    pub keep_flow_records: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_flows: 131_072,
            buffer_budget: 64 * 1024 * 1024,
            stream_window: 64 * 1024,
            inspect_limit: 1024 * 1024,
            download_limit: 256 * 1024 * 1024,
            max_names: 65_536,
            show_identifiers: false,
            keep_flow_records: false,
        }
    }
}

/// A transport-layer packet as the flow table sees it.
struct Transport<'a> {
    /// IP protocol number.
    protocol: u8,
    /// Sender.
    src: Endpoint,
    /// Receiver.
    dst: Endpoint,
    /// IP length on the wire.
    wire_len: u64,
    /// The TCP header, for TCP.
    tcp: Option<tcp::TcpSegment<'a>>,
    /// Transport payload.
    payload: &'a [u8],
}

/// What the capture or platform knows about a packet besides its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct PacketMeta {
    /// The Android uid of the app that sent or received it.
    pub uid: Option<i32>,
}

/// The analysis engine.
pub struct Engine {
    config: Config,
    sigs: Arc<Signatures>,
    table: FlowTable,
    names: NameCache,
    tokens: TokenTable,
    defrag: Defrag,
    budget: Budget,
    /// Latest time seen: the engine's clock.
    clock: Timestamp,
    last_sweep: Timestamp,
    next_id: u64,
    totals: Totals,
    aggregate: Aggregate,
    records: VecDeque<FlowRecord>,
    apps: BTreeMap<i32, AppInfo>,
}

impl Engine {
    /// An engine using the signature set `sigs`.
    pub fn new(config: Config, sigs: Arc<Signatures>) -> Self {
        Engine {
            table: FlowTable::new(config.max_flows),
            names: NameCache::new(config.max_names),
            tokens: TokenTable::default(),
            defrag: Defrag::default(),
            budget: Budget::new(config.buffer_budget),
            clock: Timestamp::from_nanos(i64::MIN),
            last_sweep: Timestamp::from_nanos(i64::MIN),
            next_id: 1,
            totals: Totals::default(),
            aggregate: Aggregate::default(),
            records: VecDeque::new(),
            apps: BTreeMap::new(),
            config,
            sigs,
        }
    }

    /// Records an app's package name and label for reports.
    pub fn set_app_info(&mut self, uid: i32, info: AppInfo) {
        self.apps.insert(uid, info);
    }

    /// Counts a frame that never reached IP (non-IP link-layer frame, unknown link type).
    pub fn on_undecodable(&mut self) {
        self.totals.undecodable_packets += 1;
    }

    /// Processes one IP packet seen at `now`.
    pub fn on_packet(&mut self, now: Timestamp, packet: &[u8], meta: PacketMeta) {
        self.totals.packets += 1;
        self.totals.bytes += packet.len() as u64;
        self.clock = self.clock.max(now);
        if self.clock > self.last_sweep.plus_secs(1) {
            self.sweep();
            self.last_sweep = self.clock;
        }
        match ip::parse(packet) {
            Ok(p) => self.on_ip(now, &p, meta, 0),
            Err(_) => self.totals.undecodable_packets += 1,
        }
    }

    /// The next finished flow record, when [`Config::keep_flow_records`] is set.
    pub fn poll_flow(&mut self) -> Option<FlowRecord> {
        self.records.pop_front()
    }

    /// The report as of now, open flows included, without closing anything.
    pub fn snapshot(&self) -> Report {
        let mut agg = self.aggregate.clone();
        for flow in self.table.iter() {
            agg.add(&self.record(&mut flow.detached(), EndReason::Open));
        }
        agg.add_tokens(&self.tokens.linked(), &self.sigs);
        agg.report(&self.sigs, &self.apps, self.totals.clone())
    }

    /// Closes every open flow and returns the final report. With
    /// [`Config::keep_flow_records`], every record not yet polled goes to `on_flow`, one flow
    /// at a time, so that open flows never all sit in memory as records at once.
    pub fn finish(&mut self, mut on_flow: impl FnMut(FlowRecord)) -> Report {
        while let Some(r) = self.records.pop_front() {
            on_flow(r);
        }
        while let Some(flow) = self.table.pop_oldest() {
            self.close(flow, EndReason::Open);
            while let Some(r) = self.records.pop_front() {
                on_flow(r);
            }
        }
        self.defrag.clear(&mut self.budget);
        self.aggregate.add_tokens(&self.tokens.linked(), &self.sigs);
        core::mem::take(&mut self.aggregate).report(&self.sigs, &self.apps, self.totals.clone())
    }

    fn record(&self, flow: &mut Flow, end: EndReason) -> FlowRecord {
        // A connection that ended with FIN or RST says so, whatever closed its record.
        let end = if flow.tcp_closed() && end != EndReason::Reused {
            EndReason::Closed
        } else {
            end
        };
        // A name learned while the flow ran still names its server.
        let learned = match flow.learned_name.clone() {
            Some(known) => Some(known),
            None => self.names.lookup(flow.server.addr, flow.app, self.clock),
        };
        summarize(
            flow,
            learned.as_ref(),
            end,
            &self.sigs,
            self.config.show_identifiers,
        )
    }

    fn close(&mut self, mut flow: Flow, end: EndReason) {
        if let Some(mut insp) = flow.inspect.take() {
            insp.close(&mut flow.obs, &mut self.budget);
        }

        let record = self.record(&mut flow, end);
        if self.config.keep_flow_records {
            self.aggregate.add(&record);
            self.records.push_back(record);
        } else {
            self.aggregate.add_owned(record);
        }
    }

    /// Closes flows idle past their timeout, oldest first.
    fn sweep(&mut self) {
        while let Some((_, f)) = self.table.oldest() {
            if f.touched.plus_secs(f.idle_timeout()) >= self.clock {
                break;
            }
            if let Some(flow) = self.table.pop_oldest() {
                self.close(flow, EndReason::Idle);
            }
        }
    }

    fn on_ip(&mut self, now: Timestamp, p: &IpPacket<'_>, meta: PacketMeta, depth: u8) {
        if p.truncated {
            self.totals.truncated_packets += 1;
        }
        let whole;
        let payload = match p.fragment {
            None => p.payload,
            Some(frag) => {
                let key = FragKey {
                    src: p.src,
                    dst: p.dst,
                    protocol: p.protocol,
                    id: frag.id,
                };
                match self.defrag.push(
                    key,
                    frag.offset,
                    frag.more,
                    p.payload,
                    self.clock,
                    &mut self.budget,
                ) {
                    Defragged::Complete(data) => {
                        self.totals.fragments_reassembled += 1;
                        whole = data;
                        &whole[..]
                    }
                    Defragged::Incomplete => return,
                    Defragged::Dropped => {
                        self.totals.fragments_dropped += 1;
                        return;
                    }
                }
            }
        };
        let ends = |sport, dport| {
            (
                Endpoint {
                    addr: p.src,
                    port: sport,
                },
                Endpoint {
                    addr: p.dst,
                    port: dport,
                },
            )
        };
        let wire_len = p.wire_len as u64;
        match p.protocol {
            PROTO_TCP => match tcp::parse(payload) {
                Ok(seg) => {
                    let (src, dst) = ends(seg.src_port, seg.dst_port);
                    let t = Transport {
                        protocol: PROTO_TCP,
                        src,
                        dst,
                        wire_len,
                        tcp: Some(seg),
                        payload: seg.payload,
                    };
                    self.on_transport(now, &t, meta);
                }
                Err(_) => self.totals.undecodable_packets += 1,
            },
            PROTO_UDP => match udp::parse(payload) {
                Ok(d) => {
                    let tunnelled = (d.dst_port == gtp::PORT || d.src_port == gtp::PORT)
                        && depth < MAX_TUNNEL_DEPTH;
                    if tunnelled
                        && let Ok(inner) = gtp::decapsulate(d.payload)
                        && let Ok(inner) = ip::parse(inner)
                    {
                        return self.on_ip(now, &inner, meta, depth + 1);
                    }
                    let (src, dst) = ends(d.src_port, d.dst_port);
                    let t = Transport {
                        protocol: PROTO_UDP,
                        src,
                        dst,
                        wire_len,
                        tcp: None,
                        payload: d.payload,
                    };
                    self.on_transport(now, &t, meta);
                }
                Err(_) => self.totals.undecodable_packets += 1,
            },
            other => {
                let (src, dst) = ends(0, 0);
                let t = Transport {
                    protocol: other,
                    src,
                    dst,
                    wire_len,
                    tcp: None,
                    payload: &[],
                };
                self.on_transport(now, &t, meta);
            }
        }
    }

    fn on_transport(&mut self, now: Timestamp, t: &Transport<'_>, meta: PacketMeta) {
        let flags = t.tcp.map(|s| s.flags).unwrap_or_default();
        let syn_only = flags.has(TcpFlags::SYN) && !flags.has(TcpFlags::ACK);
        let key = FlowKey::new(t.protocol, t.src, t.dst);
        let r = match self.table.find(&key) {
            Some(r) => {
                let stale = self.table.get_mut(r).map(|f| {
                    if f.touched.plus_secs(f.idle_timeout()) < self.clock {
                        Some(EndReason::Idle)
                    } else if syn_only && f.tcp_closed() {
                        Some(EndReason::Reused)
                    } else {
                        None
                    }
                });
                match stale.flatten() {
                    Some(reason) => {
                        if let Some(old) = self.table.remove(r) {
                            self.close(old, reason);
                        }
                        self.open(now, key, t, meta)
                    }
                    None => Some(r),
                }
            }
            None => self.open(now, key, t, meta),
        };
        let Some(r) = r else { return };
        self.table.touch(r);
        let clock = self.clock;
        let limits = Limits {
            window: self.config.stream_window,
            inspect: self.config.inspect_limit,
            download: self.config.download_limit,
        };
        let Some(flow) = self.table.get_mut(r) else {
            return;
        };
        flow.first_seen = flow.first_seen.min(now);
        flow.last_seen = flow.last_seen.max(now);
        flow.touched = clock;
        if let (AppKey::Addr(_), Some(uid)) = (flow.app, meta.uid) {
            flow.app = AppKey::Uid(uid);
        }
        let dir = flow.direction_from(t.src);
        let c = flow.counters_mut(dir);
        c.packets += 1;
        c.bytes += t.wire_len;
        c.payload += t.payload.len() as u64;
        if flags.has(TcpFlags::FIN) {
            flow.tcp.fin[dir.index()] = true;
        }
        if flags.has(TcpFlags::RST) {
            flow.tcp.rst = true;
        }
        let Some(mut insp) = flow.inspect.take() else {
            return;
        };
        let server_port = flow.server.port;
        let ports = (flow.client.port, server_port);
        let mut ctx = Ctx {
            names: &mut self.names,
            budget: &mut self.budget,
            tokens: &mut self.tokens,
            now,
            flow: flow.id,
            app: flow.app,
            server: flow.server.addr,
            sigs: &self.sigs,
            roles_known: flow.role_basis == RoleBasis::Strong,
            limits,
        };
        let verdict = match &t.tcp {
            Some(s) => insp.on_tcp(dir, s, server_port, &mut flow.obs, &mut ctx),
            None => insp.on_udp(dir, t.payload, ports, &mut flow.obs, &mut ctx),
        };
        if verdict == Verdict::SwapRoles {
            flow.swap_roles();
            insp.swap();
            flow.learned_name = ctx.names.lookup(flow.server.addr, flow.app, clock);
            ctx.server = flow.server.addr;
            let ports = (flow.client.port, flow.server.port);
            match t.tcp {
                Some(_) => insp.progress(Direction::Up, ports.1, &mut flow.obs, &mut ctx),
                None => insp.on_udp(Direction::Up, t.payload, ports, &mut flow.obs, &mut ctx),
            };
        }
        if insp.finished() {
            insp.close(&mut flow.obs, ctx.budget);
        } else {
            flow.inspect = Some(insp);
        }
    }

    fn open(
        &mut self,
        now: Timestamp,
        key: FlowKey,
        t: &Transport<'_>,
        meta: PacketMeta,
    ) -> Option<FlowRef> {
        if self.table.is_full()
            && let Some(old) = self.table.pop_oldest()
        {
            self.totals.flows_evicted += 1;
            self.close(old, EndReason::Evicted);
        }
        let syn = t
            .tcp
            .filter(|s| s.flags.has(TcpFlags::SYN))
            .map(|s| s.flags.has(TcpFlags::ACK));
        let (client, server, role_basis) = roles(t.src, t.dst, syn);
        let app = match meta.uid {
            Some(uid) => AppKey::Uid(uid),
            // The device is the local end; when both or neither are local, the client.
            None if is_local(server.addr) && !is_local(client.addr) => AppKey::Addr(server.addr),
            None => AppKey::Addr(client.addr),
        };
        let learned_name = self.names.lookup(server.addr, app, self.clock);
        let flow = Flow {
            id: self.next_id,
            protocol: t.protocol,
            client,
            server,
            role_basis,
            app,
            first_seen: now,
            last_seen: now,
            touched: self.clock,
            up: Default::default(),
            down: Default::default(),
            tcp: TcpState::default(),
            obs: Default::default(),
            inspect: (t.protocol == PROTO_TCP || t.protocol == PROTO_UDP)
                .then(|| Box::new(Inspection::new())),
            learned_name,
        };
        self.next_id += 1;
        self.totals.flows += 1;
        // Room was made above and the key was not in the table, so the table takes the flow;
        // were it refused, its record still counts.
        match self.table.insert(key, flow) {
            Ok(r) => Some(r),
            Err(flow) => {
                self.close(*flow, EndReason::Evicted);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use telltale_tests::msg::{self, Hello};
    use telltale_tests::{Capture, Flags, sa};

    fn engine(config: Config) -> Engine {
        let sigs = Signatures::builtin().unwrap_or_else(|e| panic!("{e}"));
        Engine::new(config, Arc::new(sigs))
    }

    /// The flow records of a capture, through an engine with the default limits.
    fn records_of(c: &Capture) -> Vec<FlowRecord> {
        let mut e = engine(Config {
            keep_flow_records: true,
            ..Config::default()
        });
        feed(&mut e, c);
        let mut records = Vec::new();
        e.finish(|r| records.push(r));
        records
    }

    fn feed(e: &mut Engine, c: &Capture) {
        for p in &c.packets {
            let now = Timestamp::from_nanos(i64::try_from(p.ts.as_nanos()).unwrap());
            e.on_packet(now, &p.data, PacketMeta { uid: p.uid });
        }
    }

    #[test]
    fn buffered_bytes_return_to_the_budget() {
        let mut c = Capture::new(1_700_000_000);
        // Half a ClientHello, pieces held out of order, and an IP fragment without its rest.
        let hello = msg::client_hello(&Hello {
            sni: Some("a.example"),
            ..Hello::default()
        });
        let (cl, sv) = (sa("10.0.0.2:40000"), sa("198.51.100.1:443"));
        c.tcp(
            cl,
            sv,
            100,
            Flags {
                syn: true,
                ..Flags::default()
            },
            &[],
        );
        c.tcp(cl, sv, 101, Flags::default(), &hello[..60]);
        c.tcp(cl, sv, 300, Flags::default(), &[7; 40]);
        let mut frag = Capture::new(1_700_000_000);
        frag.udp(sa("10.0.0.2:5000"), sa("10.0.0.1:53"), &[0; 600]);
        c.raw(msg::ipv4_fragments(&frag.packets[0].data, 256).remove(0));
        let config = Config::default();
        let mut e = engine(config.clone());
        feed(&mut e, &c);
        assert!(e.budget.available() < config.buffer_budget);
        e.finish(|_| {});
        assert_eq!(e.budget.available(), config.buffer_budget);
    }

    #[test]
    fn the_flow_table_stays_within_its_limit() {
        let mut c = Capture::new(1_700_000_000);
        for port in 1..=2000u16 {
            c.tcp(
                sa(&format!("10.0.0.2:{port}")),
                sa("198.51.100.1:443"),
                1,
                Flags {
                    syn: true,
                    ..Flags::default()
                },
                &[],
            );
        }
        let mut e = engine(Config {
            max_flows: 100,
            ..Config::default()
        });
        feed(&mut e, &c);
        assert_eq!(e.table.len(), 100);
        assert_eq!((e.totals.flows, e.totals.flows_evicted), (2000, 1900));
        let r = e.finish(|_| {});
        assert_eq!(r.apps[0].flows, 2000);
    }

    #[test]
    fn a_request_from_the_presumed_server_swaps_the_roles() {
        let mut c = Capture::new(1_700_000_000);
        let (a, b) = (sa("10.0.0.3:41000"), sa("10.0.0.2:40000"));
        // The first packet is a bare ACK from `a`; then `b` sends a ClientHello: `b` is the client.
        c.tcp(
            a,
            b,
            1,
            Flags {
                ack: Some(1),
                ..Flags::default()
            },
            &[],
        );
        let hello = msg::client_hello(&Hello {
            sni: Some("web.wechat.com"),
            ..Hello::default()
        });
        c.tcp(
            b,
            a,
            1,
            Flags {
                ack: Some(1),
                ..Flags::default()
            },
            &hello,
        );
        let records = records_of(&c);
        assert_eq!(records.len(), 1);
        assert_eq!((records[0].src, records[0].sport), (b.ip(), 40000));
        assert_eq!((records[0].packets_up, records[0].packets_down), (1, 1));
        assert_eq!(
            records[0].tls.as_ref().and_then(|t| t.sni.as_deref()),
            Some("web.wechat.com")
        );
    }

    #[test]
    fn a_handshake_fixes_the_roles() {
        let mut c = Capture::new(1_700_000_000);
        let (client, server) = (sa("10.0.0.2:40000"), sa("10.0.0.3:41000"));
        c.tcp(
            client,
            server,
            1,
            Flags {
                syn: true,
                ..Flags::default()
            },
            &[],
        );
        c.tcp(
            server,
            client,
            9,
            Flags {
                syn: true,
                ack: Some(2),
                ..Flags::default()
            },
            &[],
        );
        // The server speaks first, with something that looks like a request.
        c.tcp(
            server,
            client,
            10,
            Flags {
                ack: Some(2),
                ..Flags::default()
            },
            b"GET / HTTP/1.1\r\n\r\n",
        );
        let records = records_of(&c);
        assert_eq!((records[0].src, records[0].sport), (client.ip(), 40000));
    }

    #[test]
    fn a_snapshot_reports_what_finish_reports() {
        let mut c = telltale_tests::sample::sample();
        c.wait(Duration::from_secs(1));
        let mut e = engine(Config::default());
        feed(&mut e, &c);
        let snap = serde_json::to_value(e.snapshot()).unwrap();
        let fin = serde_json::to_value(e.finish(|_| {})).unwrap();
        assert_eq!(snap, fin);
    }
}
