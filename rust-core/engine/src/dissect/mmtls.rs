//! WeChat's MMTLS: records over a raw TCP connection (the long link) or as the bodies of
//! `POST /mmtls/<8 hex>` requests (short links). What an observer sees is counted: records and
//! their sizes, the ClientHello's cipher suites, cleartext client clock and resumption ticket
//! (kept as a short hash, and tracked across connections), and the suite the server chose.

use super::Ctx;
use crate::observation::{AppProto, MmtlsHelloObs, MmtlsLink, MmtlsObs, Observations};
use crate::stream::Reassembler;
use telltale_wire::mmtls::{self, Handshake, Record};

/// The protocol and what the ticket is called in reports.
const TICKET: (&str, &str) = ("mmtls", "MMTLS resumption ticket");

fn started(obs: &mut Observations, link: MmtlsLink) {
    obs.protocol = Some("mmtls");
    obs.mmtls.get_or_insert_with(|| {
        Box::new(MmtlsObs {
            link,
            hello: None,
            server_suite: None,
            records: [0; 2],
            record_bytes: [0; 2],
            alerts: 0,
        })
    });
}

/// A TCP flow that starts with an MMTLS record: WeChat's long link.
pub(super) fn start_long(obs: &mut Observations) {
    obs.proto = AppProto::Mmtls;
    started(obs, MmtlsLink::Long);
}

/// An HTTP request that is a WeChat short link.
pub(super) fn start_short(obs: &mut Observations) {
    started(obs, MmtlsLink::Short);
}

/// Reads the records readable on side `d` of a long link; true when the stream is not MMTLS
/// (any more).
pub(super) fn long_link(
    d: usize,
    stream: &mut Reassembler,
    obs: &mut Observations,
    ctx: &mut Ctx<'_>,
) -> bool {
    loop {
        match mmtls::parse_record(stream.ready()) {
            Ok(Some((rec, used))) => {
                record(d, &rec, obs, ctx);
                stream.consume(used, ctx.budget);
            }
            Ok(None) => return false,
            Err(_) => return true,
        }
    }
}

/// The records of a short-link body, request (`d` 0) or response (`d` 1).
pub(super) fn short_link_body(d: usize, body: &[u8], obs: &mut Observations, ctx: &mut Ctx<'_>) {
    let mut rest = body;
    while let Ok(Some((rec, used))) = mmtls::parse_record(rest) {
        record(d, &rec, obs, ctx);
        rest = rest.get(used..).unwrap_or_default();
    }
}

/// Counts one record, parsing the first hello of each side.
fn record(d: usize, rec: &Record<'_>, obs: &mut Observations, ctx: &mut Ctx<'_>) {
    let Some(m) = obs.mmtls.as_mut() else { return };
    if let (Some(n), Some(b)) = (m.records.get_mut(d), m.record_bytes.get_mut(d)) {
        *n += 1;
        *b += rec.body.len() as u64 + 5;
    }
    if rec.kind == mmtls::RECORD_ALERT {
        m.alerts += 1;
    }
    let handshake = rec.kind == mmtls::RECORD_HANDSHAKE || rec.kind == mmtls::RECORD_EARLY;
    let wanted = (d == 0 && m.hello.is_none()) || (d == 1 && m.server_suite.is_none());
    if !handshake || !wanted {
        return;
    }
    match mmtls::parse_handshake(rec) {
        Ok(Handshake::ClientHello(ch)) if d == 0 => {
            let ticket = ch.psk.as_ref().map(|p| {
                ctx.tokens
                    .observe(&p.ticket, TICKET, ctx.app, ctx.flow, ctx.now)
            });
            m.hello = Some(MmtlsHelloObs {
                early: ch.early,
                version: ch.version,
                suites: ch.cipher_suites.clone(),
                timestamp: ch.timestamp,
                ticket_lifetime: ch.psk.as_ref().map(|p| p.lifetime_hint),
                ticket,
                key_shares: ch.key_shares,
            });
        }
        Ok(Handshake::ServerHello(sh)) if d == 1 => m.server_suite = Some(sh.cipher_suite),
        _ => {}
    }
}
