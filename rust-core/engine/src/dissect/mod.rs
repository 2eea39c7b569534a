//! Per-flow dissection: recognises the application protocol from the first bytes of a flow and
//! feeds the right parser until there is nothing more to learn, then lets the flow go cheap.
//!
//! TCP bytes are put back in order per direction by a [`Reassembler`]; each parser consumes what
//! it has parsed, so only bytes still needed are held. UDP datagrams are parsed one by one, except
//! QUIC Initial CRYPTO frames, which are reassembled across packets in the same way.

use crate::app::AppKey;
use crate::flow::Direction;
use crate::names::{NameCache, NameSource};
use crate::observation::{
    AppProto, DnsObs, FingerprintObs, HttpObs, MAX_ITEMS, Observations, ServerHelloObs, TlsObs,
    TlsTransport,
};
use crate::signatures::{Signatures, Transport};
use crate::stream::{Budget, Pushed, Reassembler};
use core::net::IpAddr;
use telltale_wire::http::Head;
use telltale_wire::tcp::{TcpFlags, TcpSegment};
use telltale_wire::{Timestamp, dns, http, ja, quic, tls};

/// Ports on which UDP and TCP carry DNS (DNS, mDNS, LLMNR).
pub const DNS_PORTS: [u16; 3] = [53, 5353, 5355];
/// Largest TLS handshake message accepted (a post-quantum ClientHello is about 2 KB).
const MAX_HANDSHAKE: usize = 32 * 1024;
/// First bytes needed before a TCP stream is classified.
const SNIFF_BYTES: usize = 8;
/// Client datagrams searched for a complete QUIC ClientHello.
const QUIC_MAX_DATAGRAMS: u8 = 8;

/// Limits on what dissection holds and reads.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes held per direction while waiting for a parser to complete (the reassembly window).
    pub window: usize,
    /// Stream bytes read per direction before a flow is no longer inspected.
    pub inspect: u64,
}

/// Engine state the dissectors read and update.
pub struct Ctx<'a> {
    /// Address-to-name map fed by DNS answers.
    pub names: &'a mut NameCache,
    /// Shared allowance of buffered bytes.
    pub budget: &'a mut Budget,
    /// Current time.
    pub now: Timestamp,
    /// The flow's app.
    pub app: AppKey,
    /// The flow's server address.
    pub server: IpAddr,
    /// The signature set, for payload rules.
    pub sigs: &'a Signatures,
    /// Client and server are known for certain (a TCP handshake was seen), so the first
    /// payload must not swap them.
    pub roles_known: bool,
    /// Limits.
    pub limits: Limits,
}

#[derive(Debug)]
enum State {
    Undecided,
    Tls,
    Http {
        skip: [u64; 2],
        responses: usize,
    },
    DnsTcp,
    Dns,
    Quic {
        key_dcid: Vec<u8>,
        keys: quic::KeyCache,
        crypto: Reassembler,
        datagrams: u8,
    },
    Opaque,
}

/// Dissection state of one flow.
#[derive(Debug)]
pub struct Inspection {
    state: State,
    streams: [Reassembler; 2],
    /// TCP sequence number at stream offset 0, per direction.
    base: [Option<u32>; 2],
    done: [bool; 2],
    /// Datagrams seen while waiting for a QUIC Initial.
    waited: u8,
}

/// What the engine should do after a packet was dissected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Keep going.
    Continue,
    /// The first payload shows client and server the other way round; swap the flow's roles.
    SwapRoles,
}

impl Inspection {
    /// State for a new flow.
    pub fn new() -> Self {
        Inspection {
            state: State::Undecided,
            streams: Default::default(),
            base: [None; 2],
            done: [false; 2],
            waited: 0,
        }
    }

    /// Whether nothing more can be learned from this flow.
    pub fn finished(&self) -> bool {
        self.done == [true, true]
    }

    /// Returns every buffered byte to the budget.
    pub fn release(&mut self, budget: &mut Budget) {
        for s in &mut self.streams {
            s.clear(budget);
        }
        if let State::Quic { crypto, .. } = &mut self.state {
            crypto.clear(budget);
        }
    }

    /// Swaps the per-direction state after the flow swapped client and server.
    pub fn swap(&mut self) {
        self.streams.swap(0, 1);
        self.base.swap(0, 1);
        self.done.swap(0, 1);
    }

    /// A TCP segment in direction `dir`.
    pub fn on_tcp(
        &mut self,
        dir: Direction,
        seg: &TcpSegment<'_>,
        server_port: u16,
        obs: &mut Observations,
        ctx: &mut Ctx<'_>,
    ) -> Verdict {
        let d = dir.index();
        let (seq, payload) = (seg.seq, seg.payload);
        if seg.flags.has(TcpFlags::SYN) {
            if self.base[d].is_none() {
                self.base[d] = Some(seq.wrapping_add(1));
            }
            return Verdict::Continue;
        }
        if payload.is_empty() || self.done[d] {
            return Verdict::Continue;
        }
        let base = *self.base[d].get_or_insert(seq);
        // Offsets before the base (data from before the capture started) are trimmed.
        let rel = seq.wrapping_sub(base) as i32;
        let (offset, payload) = if rel < 0 {
            (
                0,
                payload
                    .get(rel.unsigned_abs() as usize..)
                    .unwrap_or_default(),
            )
        } else {
            (u64::from(rel.unsigned_abs()), payload)
        };
        let pushed = self.streams[d].push(offset, payload, ctx.limits.window, ctx.budget);
        if pushed != Pushed::Readable && pushed != Pushed::Dropped {
            return Verdict::Continue;
        }
        self.progress(dir, server_port, obs, ctx)
    }

    /// Classifies a TCP flow if still undecided, then parses what is readable. The engine calls
    /// this again with `Up` after swapping roles on a [`Verdict::SwapRoles`].
    pub fn progress(
        &mut self,
        dir: Direction,
        server_port: u16,
        obs: &mut Observations,
        ctx: &mut Ctx<'_>,
    ) -> Verdict {
        if matches!(self.state, State::Undecided) {
            match self.classify_tcp(dir, server_port, obs, ctx) {
                Some(Verdict::Continue) => {}
                Some(v) => return v,
                None => return Verdict::Continue,
            }
        }
        self.advance_tcp(obs, ctx);
        Verdict::Continue
    }

    /// Decides the protocol of a TCP flow from its first bytes. `None` while too few bytes.
    fn classify_tcp(
        &mut self,
        dir: Direction,
        server_port: u16,
        obs: &mut Observations,
        ctx: &Ctx<'_>,
    ) -> Option<Verdict> {
        let up = self.streams[0].ready();
        let down = self.streams[1].ready();
        if dir == Direction::Down && up.is_empty() {
            // The server spoke first: a request here means the roles were guessed wrong.
            if down.len() < SNIFF_BYTES {
                return None;
            }
            let request = tls::looks_like_tls(down) && down.get(5) == Some(&1)
                || http::looks_like_request(down) && !http::looks_like_response(down);
            if request && !ctx.roles_known {
                return Some(Verdict::SwapRoles);
            }
            self.state = if tls::looks_like_tls(down) {
                obs.proto = AppProto::Tls;
                State::Tls
            } else if http::looks_like_response(down) {
                obs.proto = AppProto::Http;
                State::Http {
                    skip: [0; 2],
                    responses: 0,
                }
            } else {
                self.done = [true, true];
                State::Opaque
            };
            return Some(Verdict::Continue);
        }
        if up.len() < SNIFF_BYTES {
            return None;
        }
        self.state = if tls::looks_like_tls(up) {
            obs.proto = AppProto::Tls;
            State::Tls
        } else if http::looks_like_request(up) {
            obs.proto = AppProto::Http;
            State::Http {
                skip: [0; 2],
                responses: 0,
            }
        } else if DNS_PORTS.contains(&server_port) {
            obs.proto = AppProto::Dns;
            State::DnsTcp
        } else {
            obs.fingerprint = fingerprint(ctx.sigs, Transport::Tcp, up);
            self.done = [true, true];
            State::Opaque
        };
        Some(Verdict::Continue)
    }

    /// Runs the flow's parser over the bytes now readable in both directions.
    fn advance_tcp(&mut self, obs: &mut Observations, ctx: &mut Ctx<'_>) {
        for d in 0..2 {
            if self.done[d] {
                continue;
            }
            let stream = &mut self.streams[d];
            let done = match &mut self.state {
                State::Tls => tls_side(d, stream, obs, ctx),
                State::Http { skip, responses } => {
                    if d == 0 {
                        http_requests(stream, &mut skip[0], obs, ctx)
                    } else {
                        http_responses(stream, &mut skip[1], responses, obs, ctx.budget)
                    }
                }
                State::DnsTcp => dns_tcp(stream, obs, ctx),
                _ => true,
            };
            let stream = &mut self.streams[d];
            let exhausted = stream.offset() > ctx.limits.inspect
                || stream.has_gap()
                || stream.ready().len() >= ctx.limits.window;
            if done || exhausted {
                stream.clear(ctx.budget);
                self.done[d] = true;
            }
        }
    }

    /// A UDP datagram in direction `dir` between `ports` (client, server).
    pub fn on_udp(
        &mut self,
        dir: Direction,
        payload: &[u8],
        ports: (u16, u16),
        obs: &mut Observations,
        ctx: &mut Ctx<'_>,
    ) -> Verdict {
        if matches!(self.state, State::Undecided) {
            if DNS_PORTS.contains(&ports.1) || DNS_PORTS.contains(&ports.0) {
                obs.proto = AppProto::Dns;
                self.state = State::Dns;
            } else if let Some((_, dcid)) = quic::sniff_initial(payload) {
                // A server's Initial looks like a client's until decrypted: only swap when the
                // roles were a guess.
                if dir == Direction::Down {
                    return if ctx.roles_known {
                        Verdict::Continue
                    } else {
                        Verdict::SwapRoles
                    };
                }
                obs.proto = AppProto::Quic;
                self.state = State::Quic {
                    key_dcid: dcid.to_vec(),
                    keys: quic::KeyCache::default(),
                    crypto: Reassembler::default(),
                    datagrams: 0,
                };
            } else if quic::sniff_long_header(payload).is_some() {
                // 0-RTT or Handshake packets ahead of the Initial: wait for it, a little.
                self.waited = self.waited.saturating_add(1);
                if self.waited >= QUIC_MAX_DATAGRAMS {
                    self.state = State::Opaque;
                    self.done = [true, true];
                }
                return Verdict::Continue;
            } else {
                if dir == Direction::Up {
                    obs.fingerprint = fingerprint(ctx.sigs, Transport::Udp, payload);
                }
                self.state = State::Opaque;
                self.done = [true, true];
            }
        }
        match &mut self.state {
            // DNS flows stay inspected for their whole life: every answer teaches names.
            State::Dns => on_dns_message(payload, obs, ctx),
            State::Quic {
                key_dcid,
                keys,
                crypto,
                datagrams,
            } if dir == Direction::Up => {
                *datagrams += 1;
                let complete = quic_datagram(payload, key_dcid, keys, crypto, obs, ctx);
                if complete || *datagrams >= QUIC_MAX_DATAGRAMS {
                    crypto.clear(ctx.budget);
                    self.done = [true, true];
                }
            }
            _ => {}
        }
        Verdict::Continue
    }
}

impl Default for Inspection {
    fn default() -> Self {
        Self::new()
    }
}

/// The service whose payload rule the client's first bytes fit, if any.
fn fingerprint(
    sigs: &Signatures,
    transport: Transport,
    first: &[u8],
) -> Option<Box<FingerprintObs>> {
    sigs.match_payload(transport, first).map(|m| {
        Box::new(FingerprintObs {
            vendor: m.vendor.id.clone(),
            service: m.service.id.clone(),
            note: m.rule.note.clone(),
            rule: format!("{}:{}", m.rule.file, m.rule.line),
        })
    })
}

/// Remembers that the server address goes by `name`, for flows to it that carry no name.
fn learn_server_name(ctx: &mut Ctx<'_>, name: &str) {
    ctx.names.learn(
        ctx.server,
        name,
        NameSource::ServerName,
        ctx.app,
        ctx.now,
        0,
    );
}

/// One side of a TLS handshake: the first handshake message (ClientHello up, ServerHello down).
fn tls_side(d: usize, stream: &mut Reassembler, obs: &mut Observations, ctx: &mut Ctx<'_>) -> bool {
    let msg = match tls::first_handshake_message(stream.ready(), MAX_HANDSHAKE) {
        Ok(Some(msg)) => msg,
        Ok(None) => return false,
        Err(_) => return true,
    };
    match (d, tls::parse_handshake(&msg)) {
        (0, Ok(tls::Handshake::ClientHello(ch))) => {
            let t = tls_obs(&ch, TlsTransport::Tcp, None);
            // With Encrypted Client Hello the visible name is the front's, not the server's.
            if let (Some(sni), false) = (&t.sni, t.ech) {
                learn_server_name(ctx, sni);
            }
            obs.tls = Some(Box::new(t));
        }
        (1, Ok(tls::Handshake::ServerHello(sh))) => {
            if let Some(t) = obs.tls.as_mut() {
                t.server = Some(ServerHelloObs {
                    version: sh.version(),
                    cipher: sh.cipher_suite,
                    alpn: sh.alpn.clone(),
                });
            }
        }
        _ => {}
    }
    true
}

/// The observation of a ClientHello, over TCP or QUIC.
fn tls_obs(ch: &tls::ClientHello, transport: TlsTransport, quic_version: Option<u32>) -> TlsObs {
    let ja_transport = match transport {
        TlsTransport::Tcp => ja::Transport::Tcp,
        TlsTransport::Quic => ja::Transport::Quic,
    };
    TlsObs {
        transport,
        quic_version,
        sni: ch.server_name.clone(),
        ech: ch.ech || ch.esni,
        client_version: ch.max_version(),
        alpn: ch.alpn.clone(),
        weak_ciphers_offered: ch
            .cipher_suites
            .iter()
            .copied()
            .filter(|&c| tls::weak_cipher(c).is_some())
            .collect(),
        ja3: (transport == TlsTransport::Tcp).then(|| ja::ja3(ch).hash),
        ja4: ja::ja4(ch, ja_transport),
        server: None,
    }
}

/// Skips `skip` body bytes already known to follow; returns false while more are expected.
fn skip_body(stream: &mut Reassembler, skip: &mut u64, budget: &mut Budget) -> bool {
    let n = stream
        .ready()
        .len()
        .min(usize::try_from(*skip).unwrap_or(usize::MAX));
    stream.consume(n, budget);
    *skip -= n as u64;
    *skip == 0
}

/// Client side of HTTP/1.x: every request head, skipping bodies of known length.
fn http_requests(
    stream: &mut Reassembler,
    skip: &mut u64,
    obs: &mut Observations,
    ctx: &mut Ctx<'_>,
) -> bool {
    loop {
        let budget = &mut *ctx.budget;
        if !skip_body(stream, skip, budget) || stream.ready().is_empty() {
            return false;
        }
        let req = match http::parse_request(stream.ready()) {
            Ok(Some(req)) => req,
            Ok(None) => return false,
            Err(_) => return true,
        };
        stream.consume(req.head_len, budget);
        if obs.http.len() >= MAX_ITEMS {
            obs.dropped_items += 1;
            return true;
        }
        let chunked = req
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        *skip = req.content_length().unwrap_or(0);
        // Through a proxy, the Host names the proxy's target, not this server.
        let proxied = req.method == "CONNECT" || req.target.contains("://");
        if let (Some(host), false) = (req.host(), proxied) {
            learn_server_name(ctx, &host);
        }
        obs.http.push(HttpObs {
            host: req.host(),
            user_agent: req.user_agent().map(str::to_owned),
            content_type: req.content_type().map(str::to_owned),
            content_length: req.content_length(),
            method: req.method,
            target: req.target,
            status: None,
            response_content_type: None,
            response_content_length: None,
        });
        if chunked {
            return true;
        }
    }
}

/// Server side of HTTP/1.x: response heads, matched to requests in order.
fn http_responses(
    stream: &mut Reassembler,
    skip: &mut u64,
    responses: &mut usize,
    obs: &mut Observations,
    budget: &mut Budget,
) -> bool {
    loop {
        if !skip_body(stream, skip, budget) || stream.ready().is_empty() {
            return false;
        }
        let resp = match http::parse_response(stream.ready()) {
            Ok(Some(resp)) => resp,
            Ok(None) => return false,
            Err(_) => return true,
        };
        stream.consume(resp.head_len, budget);
        // Interim (1xx) responses precede the real one for the same request.
        if resp.status < 200 {
            continue;
        }
        let request = obs.http.get_mut(*responses);
        let no_body = resp.status == 204
            || resp.status == 304
            || request.as_ref().is_some_and(|r| r.method == "HEAD");
        if let Some(r) = request {
            r.status = Some(resp.status);
            r.response_content_type = resp.content_type().map(str::to_owned);
            r.response_content_length = resp.content_length();
        }
        *responses += 1;
        if no_body {
            continue;
        }
        match resp.content_length() {
            Some(n) if resp.header("transfer-encoding").is_none() => *skip = n,
            // Chunked or close-delimited bodies: the next head cannot be found without
            // decoding them, and a connection rarely carries another response.
            _ => return true,
        }
    }
}

/// DNS over TCP: every length-prefixed message.
fn dns_tcp(stream: &mut Reassembler, obs: &mut Observations, ctx: &mut Ctx<'_>) -> bool {
    while let Some((msg, used)) = dns::tcp_message(stream.ready()) {
        on_dns_message(msg, obs, ctx);
        stream.consume(used, ctx.budget);
    }
    false
}

/// Records the questions of a DNS message and feeds answered addresses to the name map.
fn on_dns_message(msg: &[u8], obs: &mut Observations, ctx: &mut Ctx<'_>) {
    let Ok(m) = dns::parse(msg) else { return };
    for q in &m.questions {
        let mut o = match obs
            .dns
            .iter()
            .position(|o| o.name == q.name && o.qtype == q.qtype)
        {
            Some(i) => obs.dns.get_mut(i),
            None if obs.dns.len() < MAX_ITEMS => {
                obs.dns.push(DnsObs {
                    name: q.name.clone(),
                    qtype: q.qtype,
                    addresses: Vec::new(),
                    cnames: Vec::new(),
                    rcode: None,
                });
                obs.dns.last_mut()
            }
            None => {
                obs.dropped_items += 1;
                None
            }
        };
        if !m.response {
            continue;
        }
        if let Some(o) = o.as_deref_mut() {
            o.rcode = Some(m.rcode);
        }
        for a in &m.answers {
            let addrs: Vec<IpAddr> = match &a.data {
                dns::RecordData::A(v4) => vec![IpAddr::V4(*v4)],
                dns::RecordData::Aaaa(v6) => vec![IpAddr::V6(*v6)],
                dns::RecordData::Svcb(s) => s
                    .ipv4_hints
                    .iter()
                    .map(|&v| IpAddr::V4(v))
                    .chain(s.ipv6_hints.iter().map(|&v| IpAddr::V6(v)))
                    .collect(),
                dns::RecordData::Cname(c) => {
                    if let Some(o) = o.as_deref_mut()
                        && o.cnames.len() < MAX_ITEMS
                        && !o.cnames.contains(c)
                    {
                        o.cnames.push(c.clone());
                    }
                    continue;
                }
                dns::RecordData::Other => continue,
            };
            for addr in addrs {
                // The name the app asked for is what its later connection is about, not the
                // CDN alias the answer went through.
                ctx.names.learn(
                    addr,
                    &q.name,
                    NameSource::DnsAnswer,
                    ctx.app,
                    ctx.now,
                    a.ttl,
                );
                if let Some(o) = o.as_deref_mut()
                    && o.addresses.len() < MAX_ITEMS
                    && !o.addresses.contains(&addr)
                {
                    o.addresses.push(addr);
                }
            }
        }
    }
}

/// Adds the CRYPTO frames of a client datagram; true once the ClientHello was parsed (or can
/// never be).
fn quic_datagram(
    payload: &[u8],
    key_dcid: &[u8],
    keys: &mut quic::KeyCache,
    crypto: &mut Reassembler,
    obs: &mut Observations,
    ctx: &mut Ctx<'_>,
) -> bool {
    let Ok(initials) = quic::client_initials_cached(payload, Some(key_dcid), keys) else {
        return false;
    };
    let version = initials.first().map(|i| i.version);
    for frag in initials.iter().flat_map(|i| &i.crypto) {
        crypto.push(frag.offset, &frag.data, MAX_HANDSHAKE, ctx.budget);
    }
    let ready = crypto.ready();
    let Some(&[_, a, b, c]) = ready.get(..4) else {
        return false;
    };
    let len = 4 + usize::from(a) * 65_536 + usize::from(b) * 256 + usize::from(c);
    let Some(msg) = ready.get(..len) else {
        return len > MAX_HANDSHAKE;
    };
    if let Ok(tls::Handshake::ClientHello(ch)) = tls::parse_handshake(msg) {
        let t = tls_obs(&ch, TlsTransport::Quic, version);
        if let (Some(sni), false) = (&t.sni, t.ech) {
            learn_server_name(ctx, sni);
        }
        obs.tls = Some(Box::new(t));
    }
    true
}
