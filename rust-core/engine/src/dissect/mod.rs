//! Per-flow dissection: recognises the application protocol from the first bytes of a flow and
//! feeds the right parser until there is nothing more to learn, then lets the flow go cheap.
//!
//! TCP bytes are put back in order per direction by a [`Reassembler`]; each parser consumes what
//! it has parsed, so only bytes still needed are held. UDP datagrams are parsed one by one, except
//! QUIC Initial CRYPTO frames, which are reassembled across packets in the same way.
//!
//! One submodule per protocol family: [`tls`] (TLS and QUIC handshakes), [`http`] (HTTP/1.x with
//! bodies, the lookups, downloads and WeChat requests inside them), [`dns`], [`mmtls`] (WeChat's
//! own TLS) and [`qq`] (QQ's OICQ and MSF framings).

mod dns;
mod http;
mod mmtls;
mod qq;
mod tls;

use crate::app::AppKey;
use crate::flow::Direction;
use crate::names::{NameCache, NameSource};
use crate::observation::{AppProto, FingerprintObs, Observations};
use crate::signatures::{Signatures, Transport};
use crate::stream::{Budget, Pushed, Reassembler};
use crate::tokens::TokenTable;
use core::net::IpAddr;
use telltale_wire::tcp::{TcpFlags, TcpSegment};
use telltale_wire::{Timestamp, http as wire_http, mmtls as wire_mmtls, quic, tls as wire_tls};

/// Ports on which UDP and TCP carry DNS (DNS, mDNS, LLMNR).
pub const DNS_PORTS: [u16; 3] = [53, 5353, 5355];
/// Largest TLS handshake message accepted (a post-quantum ClientHello is about 2 KB).
const MAX_HANDSHAKE: usize = 32 * 1024;
/// First bytes needed before a TCP stream is classified.
const SNIFF_BYTES: usize = 8;

/// Limits on what dissection holds and reads.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes held per direction while waiting for a parser to complete (the reassembly window).
    pub window: usize,
    /// Stream bytes read per direction before a flow is no longer inspected (downloads are
    /// hashed further, up to [`Limits::download`]).
    pub inspect: u64,
    /// Bytes of a code download hashed before giving up on its end.
    pub download: u64,
}

/// Engine state the dissectors read and update.
pub struct Ctx<'a> {
    /// Address-to-name map fed by DNS answers and lookups over HTTP.
    pub names: &'a mut NameCache,
    /// Shared allowance of buffered bytes.
    pub budget: &'a mut Budget,
    /// Tokens seen in clear on several connections.
    pub tokens: &'a mut TokenTable,
    /// Current time.
    pub now: Timestamp,
    /// The flow's id.
    pub flow: u64,
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
    Http(Box<http::HttpState>),
    Mmtls,
    Qq,
    DnsTcp,
    Dns,
    Quic(Box<tls::QuicState>),
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

    /// Settles what is still open when the flow ends (a download whose end was not seen), and
    /// returns every buffered byte to the budget.
    pub fn close(&mut self, obs: &mut Observations, budget: &mut Budget) {
        if let State::Http(h) = &mut self.state {
            h.close(obs);
        }
        for s in &mut self.streams {
            s.clear(budget);
        }
        if let State::Quic(q) = &mut self.state {
            q.crypto.clear(budget);
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
            let skip = rel.unsigned_abs() as usize;
            (0, payload.get(skip..).unwrap_or_default())
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
                None => {
                    // Undecided until the window is full or bytes are lost: then give up.
                    let stuck = self
                        .streams
                        .iter()
                        .any(|s| s.has_gap() || s.ready().len() >= ctx.limits.window);
                    if stuck {
                        self.state = State::Opaque;
                        self.done = [true, true];
                    }
                    return Verdict::Continue;
                }
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
            let request = wire_tls::looks_like_tls(down) && down.get(5) == Some(&1)
                || wire_http::looks_like_request(down) && !wire_http::looks_like_response(down);
            if request && !ctx.roles_known {
                return Some(Verdict::SwapRoles);
            }
            self.state = if wire_tls::looks_like_tls(down) {
                obs.proto = AppProto::Tls;
                State::Tls
            } else if wire_http::looks_like_response(down) {
                obs.proto = AppProto::Http;
                State::Http(Box::default())
            } else if wire_mmtls::looks_like_mmtls(down) {
                mmtls::start_long(obs);
                State::Mmtls
            } else {
                self.done = [true, true];
                State::Opaque
            };
            return Some(Verdict::Continue);
        }
        if up.len() < SNIFF_BYTES {
            return None;
        }
        self.state = if wire_tls::looks_like_tls(up) {
            obs.proto = AppProto::Tls;
            State::Tls
        } else if wire_http::looks_like_request(up) {
            obs.proto = AppProto::Http;
            State::Http(Box::default())
        } else if wire_mmtls::looks_like_mmtls(up) {
            mmtls::start_long(obs);
            State::Mmtls
        } else if DNS_PORTS.contains(&server_port) {
            obs.proto = AppProto::Dns;
            State::DnsTcp
        } else {
            match qq::classify_tcp(up, obs) {
                Some(true) => State::Qq,
                // A frame that may be QQ's is still arriving; the window bounds the wait.
                None => return None,
                Some(false) => {
                    obs.fingerprint = fingerprint(ctx.sigs, Transport::Tcp, up);
                    self.done = [true, true];
                    State::Opaque
                }
            }
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
            let mut reading_download = false;
            let done = match &mut self.state {
                State::Tls => tls::tls_side(d, stream, obs, ctx),
                State::Http(h) => {
                    let done = h.advance(d, stream, obs, ctx);
                    reading_download = h.hashing(d);
                    done
                }
                State::Mmtls => mmtls::long_link(d, stream, obs, ctx),
                State::DnsTcp => dns::dns_tcp(stream, obs, ctx),
                _ => true,
            };
            let stream = &mut self.streams[d];
            let limit = if reading_download {
                ctx.limits.download
            } else {
                ctx.limits.inspect
            };
            let exhausted = stream.offset() > limit
                || stream.has_gap()
                || stream.ready().len() >= ctx.limits.window;
            if done || exhausted {
                if let State::Http(h) = &mut self.state {
                    h.close(obs);
                }
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
                self.state = State::Quic(Box::new(tls::QuicState {
                    key_dcid: dcid.to_vec(),
                    keys: quic::KeyCache::default(),
                    crypto: Reassembler::default(),
                    datagrams: 0,
                }));
            } else if quic::sniff_long_header(payload).is_some() {
                // 0-RTT or Handshake packets ahead of the Initial: wait for it, a little.
                self.waited = self.waited.saturating_add(1);
                if self.waited >= tls::QUIC_MAX_DATAGRAMS {
                    self.state = State::Opaque;
                    self.done = [true, true];
                }
                return Verdict::Continue;
            } else if dir == Direction::Up && qq::classify_udp(payload, obs) {
                self.state = State::Opaque;
                self.done = [true, true];
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
            State::Dns => dns::on_dns_message(payload, obs, ctx),
            State::Quic(q) if dir == Direction::Up => {
                q.datagrams += 1;
                let complete = tls::quic_datagram(payload, q, obs, ctx);
                if complete || q.datagrams >= tls::QUIC_MAX_DATAGRAMS {
                    q.crypto.clear(ctx.budget);
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
