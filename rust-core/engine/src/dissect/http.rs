//! HTTP/1.x: request and response heads on any port, and their bodies, read for what they
//! expose:
//!
//! - request bodies (and queries, headers, cookies) are scanned for identifiers and location;
//! - name lookups over HTTP (Tencent HTTPDNS `/d?dn=`, WeChat's `newgetdns`, Volcengine's
//!   HTTPDNS `/resolve?domain=`) are recorded, and the Tencent and WeChat answers teach names
//!   for addresses, like DNS answers;
//! - WeChat short links (`POST /mmtls/<8 hex>`) have MMTLS records as bodies;
//! - WeChat business-layer requests sent without MMTLS name the API they call;
//! - response bodies that are program code (APK, DEX, JAR, ELF, TBS) are hashed as they pass.
//!
//! A body is read whole (it must fit the reassembly window) only when something is parsed from
//! it; otherwise it streams through and is only counted (and hashed, for code).

use super::{Ctx, mmtls};
use crate::identify;
use crate::names::NameSource;
use crate::observation::{
    CodeKind, DownloadObs, HttpObs, LookupKind, LookupObs, MAX_ITEMS, Observations,
};
use crate::stream::Reassembler;
use ring::digest::{Context, SHA256};
use telltale_wire::http::{self, Head};
use telltale_wire::{httpdns, kv};

/// Request bodies scanned for identifiers, at most; longer ones are scanned up to here.
const SCAN_BODY: usize = 16 * 1024;
/// Decoded lookup answers kept, at most.
const MAX_DECODED: usize = 256 * 1024;
/// Longest chunk-size line accepted.
const MAX_CHUNK_LINE: usize = 1024;
/// Zip local headers looked at when telling an APK from another archive.
const ZIP_HEADERS: usize = 64;

/// HTTP state of a flow: one side for requests, one for responses.
#[derive(Debug, Default)]
pub(super) struct HttpState {
    sides: [Side; 2],
    /// Responses seen, to pair each with its request.
    responses: usize,
}

#[derive(Debug, Default)]
struct Side {
    body: Option<Body>,
}

/// A body being read.
#[derive(Debug)]
struct Body {
    /// The exchange it belongs to (index into the flow's HTTP observations).
    index: usize,
    framing: Framing,
    /// What to do with the bytes.
    purpose: Purpose,
    /// Request headers, kept for the identifier scan at the end of the body.
    headers: Vec<(String, String)>,
    /// Content-Encoding, for lookup answers.
    encoding: Option<String>,
    /// Hash of the bytes seen, for code.
    hash: Option<Hasher>,
    /// Bytes seen.
    seen: u64,
}

/// A running SHA-256 (ring's context has no `Debug`).
struct Hasher(Context);

impl core::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Hasher(SHA-256)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// Content-Length bytes remain.
    Length(u64),
    /// Chunked transfer coding.
    Chunked(Chunk),
    /// Until the connection closes (a response without length).
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Size,
    Data(u64),
    DataEnd,
    Trailers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Counted only.
    Skip,
    /// A request body: scanned for identifiers (and parsed as MMTLS or a WeChat request).
    Request,
    /// A lookup answer: decoded and parsed for addresses.
    Answer(LookupKind),
    /// MMTLS records of a short-link response.
    MmtlsResponse,
    /// Possibly code: decided on the first bytes.
    MaybeCode { hinted: bool },
    /// Code: hashed.
    Code(CodeKind),
}

impl Purpose {
    /// Whether the body must be read whole before it is parsed.
    fn whole(self) -> bool {
        matches!(
            self,
            Purpose::Request | Purpose::Answer(_) | Purpose::MmtlsResponse
        )
    }
}

impl HttpState {
    /// Parses what is readable on side `d` (0 requests, 1 responses); true when nothing more can
    /// be learned there.
    pub(super) fn advance(
        &mut self,
        d: usize,
        stream: &mut Reassembler,
        obs: &mut Observations,
        ctx: &mut Ctx<'_>,
    ) -> bool {
        loop {
            if let Some(body) = self.sides.get_mut(d).and_then(|s| s.body.as_mut()) {
                match read_body(body, stream, obs, ctx) {
                    BodyStep::Wait => return false,
                    BodyStep::Done => {
                        if let Some(side) = self.sides.get_mut(d) {
                            side.body = None;
                        }
                    }
                    BodyStep::Broken => return true,
                }
            }
            if stream.ready().is_empty() {
                return false;
            }
            let step = if d == 0 {
                self.request(stream, obs, ctx)
            } else {
                self.response(stream, obs, ctx)
            };
            match step {
                Some(true) => return true,
                Some(false) => {}
                None => return false,
            }
        }
    }

    /// Whether side `d` is hashing a download (read further than other flows).
    pub(super) fn hashing(&self, d: usize) -> bool {
        self.sides
            .get(d)
            .and_then(|s| s.body.as_ref())
            .is_some_and(|b| b.hash.is_some())
    }

    /// The flow ends: a download in progress is recorded with the bytes seen.
    pub(super) fn close(&mut self, obs: &mut Observations) {
        for side in &mut self.sides {
            if let Some(mut body) = side.body.take() {
                finish_download(&mut body, obs, false);
            }
        }
    }

    /// Parses one request head. `Some(true)`: give up on this side; `Some(false)`: go on;
    /// `None`: wait for more bytes.
    fn request(
        &mut self,
        stream: &mut Reassembler,
        obs: &mut Observations,
        ctx: &mut Ctx<'_>,
    ) -> Option<bool> {
        let req = match http::parse_request(stream.ready()) {
            Ok(Some(req)) => req,
            Ok(None) => return None,
            Err(_) => return Some(true),
        };
        stream.consume(req.head_len, ctx.budget);
        if obs.http.len() >= MAX_ITEMS {
            obs.dropped_items += 1;
            return Some(true);
        }
        // Through a proxy, the Host names the proxy's target, not this server.
        let proxied = req.method == "CONNECT" || req.target.contains("://");
        if let (Some(host), false) = (req.host(), proxied) {
            super::learn_server_name(ctx, &host);
        }
        let path = req.path();
        let lookup = lookup_of(path, req.query());
        let short_link = path
            .strip_prefix("/mmtls/")
            .is_some_and(|rest| rest.len() == 8 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
            || req
                .header("upgrade")
                .is_some_and(|u| u.eq_ignore_ascii_case("mmtls"));
        let wechat_api = (req.method == "POST" && !short_link)
            .then(|| path.strip_prefix("/cgi-bin/micromsg-bin/"))
            .flatten()
            .filter(|api| {
                !api.is_empty() && api.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
            .map(str::to_owned);
        if wechat_api.is_some() {
            obs.protocol.get_or_insert("wechat-business");
        }
        if short_link {
            mmtls::start_short(obs);
        }
        let framing = request_framing(&req);
        let headers: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        let index = obs.http.len();
        obs.http.push(HttpObs {
            host: req.host(),
            user_agent: req.user_agent().map(str::to_owned),
            content_type: req.content_type().map(str::to_owned),
            content_length: req.content_length(),
            method: req.method.clone(),
            target: req.target.clone(),
            status: None,
            response_content_type: None,
            response_content_length: None,
            identifiers: Vec::new(),
            lookup,
            download: None,
            wechat_api,
            mmtls: short_link,
        });
        let body = Body {
            index,
            framing,
            purpose: Purpose::Request,
            headers,
            encoding: None,
            hash: None,
            seen: 0,
        };
        if body.framing == Framing::Length(0) {
            finish_request(&body, &[], obs, ctx);
        } else {
            self.sides[0].body = Some(body);
        }
        Some(false)
    }

    /// Parses one response head, pairing it with the oldest unanswered request.
    fn response(
        &mut self,
        stream: &mut Reassembler,
        obs: &mut Observations,
        ctx: &mut Ctx<'_>,
    ) -> Option<bool> {
        let resp = match http::parse_response(stream.ready()) {
            Ok(Some(resp)) => resp,
            Ok(None) => return None,
            Err(_) => return Some(true),
        };
        stream.consume(resp.head_len, ctx.budget);
        // Interim (1xx) responses precede the real one for the same request.
        if resp.status < 200 {
            return Some(false);
        }
        let index = self.responses;
        self.responses += 1;
        let request = obs.http.get_mut(index);
        let head_only = resp.status == 204
            || resp.status == 304
            || request.as_ref().is_some_and(|r| r.method == "HEAD");
        let purpose = match request {
            Some(r) => {
                r.status = Some(resp.status);
                r.response_content_type = resp.content_type().map(str::to_owned);
                r.response_content_length = resp.content_length();
                // A Volcengine answer is not read (see LookupKind::VolcengineResolve).
                if let Some(l) = r
                    .lookup
                    .as_ref()
                    .filter(|l| l.kind != LookupKind::VolcengineResolve)
                {
                    Purpose::Answer(l.kind)
                } else if r.mmtls {
                    Purpose::MmtlsResponse
                } else {
                    Purpose::MaybeCode {
                        hinted: code_hint(r, resp.content_type(), ctx),
                    }
                }
            }
            None => Purpose::Skip,
        };
        if head_only {
            return Some(false);
        }
        let framing = if resp
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            Framing::Chunked(Chunk::Size)
        } else {
            resp.content_length()
                .map_or(Framing::Close, Framing::Length)
        };
        let purpose = match purpose {
            // A whole-body purpose needs a known length that fits the window.
            p if p.whole()
                && !matches!(framing, Framing::Length(n) if n < ctx.limits.window as u64) =>
            {
                Purpose::Skip
            }
            p => p,
        };
        self.sides[1].body = Some(Body {
            index,
            framing,
            purpose,
            headers: Vec::new(),
            encoding: resp.header("content-encoding").map(str::to_owned),
            hash: None,
            seen: 0,
        });
        Some(false)
    }
}

/// How a request's body is delimited: chunked, or by its length (none without one).
fn request_framing(req: &http::Request) -> Framing {
    if req
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        return Framing::Chunked(Chunk::Size);
    }
    Framing::Length(req.content_length().unwrap_or(0))
}

/// The lookup a request makes, if it is one: Tencent HTTPDNS (`/d` with a `dn` parameter),
/// Volcengine HTTPDNS (`/resolve` with a `domain` parameter) or WeChat's `newgetdns`.
fn lookup_of(path: &str, query: Option<&str>) -> Option<LookupObs> {
    if path.ends_with("/cgi-bin/micromsg-bin/newgetdns") {
        let device_type = query.and_then(|q| {
            kv::form_pairs(q.as_bytes(), false)
                .into_iter()
                .find(|(k, v)| k == "devicetype" && !v.is_empty())
                .map(|(_, v)| v)
        });
        return Some(LookupObs {
            kind: LookupKind::Newgetdns,
            names: Vec::new(),
            encrypted: false,
            answered: 0,
            device_type,
        });
    }
    let (kind, param) = match path {
        "/d" => (LookupKind::Httpdns, "dn"),
        "/resolve" => (LookupKind::VolcengineResolve, "domain"),
        _ => return None,
    };
    let asked = kv::form_pairs(query?.as_bytes(), false)
        .into_iter()
        .find(|(k, _)| k == param)?
        .1;
    let names = httpdns::dn_names(&asked);
    Some(LookupObs {
        kind,
        encrypted: names.is_empty() && !asked.is_empty(),
        names,
        answered: 0,
        device_type: None,
    })
}

/// Whether the request or the response head suggests program code: a code content type, a
/// code file name, or a host whose signature serves code.
fn code_hint(req: &HttpObs, content_type: Option<&str>, ctx: &Ctx<'_>) -> bool {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let typed = [
        "application/vnd.android.package-archive",
        "application/java-archive",
        "application/x-java-archive",
        "application/x-dex",
        "application/x-sharedlib",
        "application/x-executable",
        "application/x-elf",
    ]
    .iter()
    .any(|t| ct.starts_with(t));
    let path = req
        .target
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let named = [".apk", ".dex", ".jar", ".so", ".tbs"]
        .iter()
        .any(|e| path.ends_with(e));
    let host_serves_code = req
        .host
        .as_deref()
        .and_then(|h| ctx.sigs.match_name(h))
        .is_some_and(|m| m.rule.tags.contains(&crate::signatures::Tag::CodeDownload));
    typed || named || host_serves_code
}

/// What program code the first bytes of a body are, if any. `hinted` (by type, name or host)
/// makes an unrecognised archive count as code too.
fn code_kind(first: &[u8], hinted: bool, path: &str) -> Option<CodeKind> {
    if path.to_ascii_lowercase().ends_with(".tbs") && hinted {
        return Some(CodeKind::Tbs);
    }
    if first.starts_with(b"dex\n") {
        return Some(CodeKind::Dex);
    }
    if first.starts_with(b"\x7fELF") {
        return Some(CodeKind::Elf);
    }
    if first.starts_with(b"PK\x03\x04") {
        let names = zip_entry_names(first);
        if names.iter().any(|n| {
            n == "AndroidManifest.xml" || (n.starts_with("classes") && n.ends_with(".dex"))
        }) {
            return Some(CodeKind::Apk);
        }
        if names.iter().any(|n| n == "META-INF/MANIFEST.MF") {
            return Some(CodeKind::Jar);
        }
        return hinted.then_some(CodeKind::Archive);
    }
    None
}

/// Names of the entries whose local headers (APPNOTE 4.3.7) lie in `data`, in order.
fn zip_entry_names(data: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 0usize;
    while names.len() < ZIP_HEADERS {
        let Some(h) = data.get(at..at.saturating_add(30)) else {
            break;
        };
        if h.get(..4) != Some(b"PK\x03\x04") {
            break;
        }
        let le16 = |i: usize| usize::from(u16::from_le_bytes([h[i], h[i + 1]]));
        let le32 = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]) as usize;
        let (flags, compressed, name_len, extra_len) = (le16(6), le32(18), le16(26), le16(28));
        let Some(name) = data.get(at + 30..at + 30 + name_len) else {
            break;
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        // With a data descriptor the size is not in the header: the next header is unknown.
        if flags & 0x08 != 0 {
            break;
        }
        at = at
            .saturating_add(30 + name_len + extra_len)
            .saturating_add(compressed);
    }
    names
}

enum BodyStep {
    /// More bytes are needed.
    Wait,
    /// The body ended.
    Done,
    /// The body cannot be followed (bad chunk framing).
    Broken,
}

/// Reads what is readable of a body.
fn read_body(
    body: &mut Body,
    stream: &mut Reassembler,
    obs: &mut Observations,
    ctx: &mut Ctx<'_>,
) -> BodyStep {
    loop {
        match body.framing {
            Framing::Length(0) => {
                finish_body(body, &[], obs, ctx);
                return BodyStep::Done;
            }
            Framing::Length(remaining) => {
                let ready = stream.ready();
                if body.purpose.whole() {
                    let Some(whole) = usize::try_from(remaining).ok().and_then(|n| ready.get(..n))
                    else {
                        return BodyStep::Wait;
                    };
                    piece(body, whole, obs);
                    finish_body(body, whole, obs, ctx);
                    stream.consume(whole.len(), ctx.budget);
                    return BodyStep::Done;
                }
                if !deciding_can_wait(body, ready.len(), remaining) {
                    return BodyStep::Wait;
                }
                let n = ready
                    .len()
                    .min(usize::try_from(remaining).unwrap_or(usize::MAX));
                if n == 0 {
                    return BodyStep::Wait;
                }
                piece(body, ready.get(..n).unwrap_or_default(), obs);
                stream.consume(n, ctx.budget);
                body.framing = Framing::Length(remaining - n as u64);
                if remaining == n as u64 {
                    finish_body(body, &[], obs, ctx);
                    return BodyStep::Done;
                }
            }
            Framing::Close => {
                let ready = stream.ready();
                if ready.is_empty() || !deciding_can_wait(body, ready.len(), u64::MAX) {
                    return BodyStep::Wait;
                }
                let n = ready.len();
                piece(body, ready, obs);
                stream.consume(n, ctx.budget);
                return BodyStep::Wait;
            }
            Framing::Chunked(chunk) => match chunked(body, chunk, stream, obs, ctx) {
                Some(step) => return step,
                None => continue,
            },
        }
    }
}

/// The first bytes of a possibly-code body are needed to decide; wait for 4 of them unless the
/// body is shorter.
fn deciding_can_wait(body: &Body, ready: usize, remaining: u64) -> bool {
    !matches!(body.purpose, Purpose::MaybeCode { .. }) || ready >= 4 || (ready as u64) >= remaining
}

/// One step of chunked decoding; `None` to go on with the next state.
fn chunked(
    body: &mut Body,
    chunk: Chunk,
    stream: &mut Reassembler,
    obs: &mut Observations,
    ctx: &mut Ctx<'_>,
) -> Option<BodyStep> {
    let ready = stream.ready();
    match chunk {
        Chunk::Size | Chunk::Trailers => {
            let Some(end) = ready.windows(2).position(|w| w == b"\r\n") else {
                return Some(if ready.len() > MAX_CHUNK_LINE {
                    BodyStep::Broken
                } else {
                    BodyStep::Wait
                });
            };
            let line = String::from_utf8_lossy(ready.get(..end).unwrap_or_default()).into_owned();
            stream.consume(end + 2, ctx.budget);
            if chunk == Chunk::Trailers {
                if line.is_empty() {
                    finish_body(body, &[], obs, ctx);
                    return Some(BodyStep::Done);
                }
                return None;
            }
            let size = line.split(';').next().unwrap_or("").trim();
            let Ok(size) = u64::from_str_radix(size, 16) else {
                return Some(BodyStep::Broken);
            };
            body.framing = Framing::Chunked(if size == 0 {
                Chunk::Trailers
            } else {
                Chunk::Data(size)
            });
            None
        }
        Chunk::Data(remaining) => {
            if ready.is_empty() || !deciding_can_wait(body, ready.len(), remaining) {
                return Some(BodyStep::Wait);
            }
            let n = ready
                .len()
                .min(usize::try_from(remaining).unwrap_or(usize::MAX));
            piece(body, ready.get(..n).unwrap_or_default(), obs);
            stream.consume(n, ctx.budget);
            body.framing = Framing::Chunked(if remaining == n as u64 {
                Chunk::DataEnd
            } else {
                Chunk::Data(remaining - n as u64)
            });
            None
        }
        Chunk::DataEnd => {
            if ready.len() < 2 {
                return Some(BodyStep::Wait);
            }
            if ready.get(..2) != Some(b"\r\n") {
                return Some(BodyStep::Broken);
            }
            stream.consume(2, ctx.budget);
            body.framing = Framing::Chunked(Chunk::Size);
            None
        }
    }
}

/// A piece of body content: counted, and hashed when it is code (decided on the first piece).
fn piece(body: &mut Body, bytes: &[u8], obs: &mut Observations) {
    if let Purpose::MaybeCode { hinted } = body.purpose {
        let path = obs.http.get(body.index).map_or("", |h| h.target.as_str());
        body.purpose = match code_kind(bytes, hinted, path.split('?').next().unwrap_or("")) {
            Some(kind) => {
                body.hash = Some(Hasher(Context::new(&SHA256)));
                Purpose::Code(kind)
            }
            None => Purpose::Skip,
        };
    }
    if let Some(Hasher(h)) = body.hash.as_mut() {
        h.update(bytes);
    }
    body.seen += bytes.len() as u64;
}

/// The body ended: `whole` is the body when its purpose needed it whole.
fn finish_body(body: &mut Body, whole: &[u8], obs: &mut Observations, ctx: &mut Ctx<'_>) {
    match body.purpose {
        Purpose::Request => finish_request(body, whole, obs, ctx),
        Purpose::Answer(kind) => finish_answer(body, kind, whole, obs, ctx),
        Purpose::MmtlsResponse => mmtls::short_link_body(1, whole, obs, ctx),
        Purpose::Code(_) => finish_download(body, obs, true),
        Purpose::Skip | Purpose::MaybeCode { .. } => {}
    }
    body.purpose = Purpose::Skip;
}

/// A request body ended: MMTLS records of a short link, and identifiers anywhere.
fn finish_request(body: &Body, whole: &[u8], obs: &mut Observations, ctx: &mut Ctx<'_>) {
    let Some(h) = obs.http.get(body.index) else {
        return;
    };
    let scanned = whole.get(..SCAN_BODY).unwrap_or(whole);
    let short_link = h.mmtls;
    let identifiers =
        identify::scan_request(&h.target, &body.headers, scanned, h.content_type.as_deref());
    if let Some(h) = obs.http.get_mut(body.index) {
        h.identifiers = identifiers;
    }
    if short_link {
        mmtls::short_link_body(0, whole, obs, ctx);
    }
}

/// A lookup answer ended: decode it, record what it answered and learn the names.
fn finish_answer(
    body: &Body,
    kind: LookupKind,
    whole: &[u8],
    obs: &mut Observations,
    ctx: &mut Ctx<'_>,
) {
    let Ok(decoded) = http::decode_body(body.encoding.as_deref(), whole, MAX_DECODED) else {
        return;
    };
    let Some(h) = obs.http.get_mut(body.index) else {
        return;
    };
    let Some(lookup) = h.lookup.as_mut() else {
        return;
    };
    let hosts = match kind {
        LookupKind::Httpdns => httpdns::httpdns_answer(&decoded, &lookup.names),
        LookupKind::Newgetdns => httpdns::newgetdns_hosts(&decoded),
        LookupKind::VolcengineResolve => return,
    };
    lookup.answered = hosts.len();
    for host in hosts {
        for addr in host.addrs {
            let ttl = host.ttl.unwrap_or(0);
            ctx.names.learn(
                addr,
                &host.name,
                NameSource::HttpLookup,
                ctx.app,
                ctx.now,
                ttl,
            );
        }
    }
}

/// Records program code seen in a response body, `complete` when its end was seen.
fn finish_download(body: &mut Body, obs: &mut Observations, complete: bool) {
    let Purpose::Code(kind) = body.purpose else {
        return;
    };
    let sha256 = body
        .hash
        .take()
        .map(|Hasher(h)| telltale_wire::hex::encode(h.finish().as_ref()));
    if let Some(h) = obs.http.get_mut(body.index) {
        h.download = Some(DownloadObs {
            kind,
            bytes: body.seen,
            complete,
            sha256,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_by_magic_and_hint() {
        let apk = [
            telltale_tests::msg::zip_local_file("META-INF/CERT.SF", b"x"),
            telltale_tests::msg::zip_local_file("classes.dex", b"dex\n035"),
        ]
        .concat();
        assert_eq!(code_kind(&apk, false, "/a"), Some(CodeKind::Apk));
        let jar =
            telltale_tests::msg::zip_local_file("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0");
        assert_eq!(code_kind(&jar, false, "/lib.jar"), Some(CodeKind::Jar));
        let zip = telltale_tests::msg::zip_local_file("readme.txt", b"hi");
        assert_eq!(code_kind(&zip, false, "/x.zip"), None);
        assert_eq!(code_kind(&zip, true, "/x.zip"), Some(CodeKind::Archive));
        assert_eq!(code_kind(b"dex\n035\0", false, "/"), Some(CodeKind::Dex));
        assert_eq!(
            code_kind(b"\x7fELF\x02", false, "/libx.so"),
            Some(CodeKind::Elf)
        );
        assert_eq!(
            code_kind(b"anything", true, "/17421/core.tbs"),
            Some(CodeKind::Tbs)
        );
        assert_eq!(code_kind(b"<html>", false, "/index.html"), None);
        assert_eq!(zip_entry_names(&apk), ["META-INF/CERT.SF", "classes.dex"]);
        assert!(zip_entry_names(&apk[..40]).len() <= 1);
    }

    #[test]
    fn lookups_by_path_and_parameter() {
        let l = lookup_of("/d", Some("dn=www.qq.com.,b.qq.com&ttl=1")).unwrap();
        assert_eq!(
            (l.kind, l.names.as_slice()),
            (
                LookupKind::Httpdns,
                &["www.qq.com".to_owned(), "b.qq.com".to_owned()][..]
            )
        );
        let l = lookup_of(
            "/resolve",
            Some("account_id=1&domain=a.example%2Cb.example"),
        )
        .unwrap();
        assert_eq!(l.kind, LookupKind::VolcengineResolve);
        assert_eq!(l.names, ["a.example", "b.example"]);
        assert!(!l.encrypted);
        // Ciphertext instead of names: the lookup is seen, the names are not.
        let l = lookup_of("/resolve", Some("domain=9f3a0c77")).unwrap();
        assert!(l.names.is_empty() && l.encrypted);
        assert_eq!(lookup_of("/resolve", Some("host=a.example")), None);
        assert_eq!(lookup_of("/resolve/x", Some("domain=a.example")), None);
        assert_eq!(lookup_of("/d", None), None);
        let w = lookup_of(
            "/mmtls/cgi-bin/micromsg-bin/newgetdns",
            Some("devicetype=android-34"),
        )
        .unwrap();
        assert_eq!(
            (w.kind, w.device_type.as_deref()),
            (LookupKind::Newgetdns, Some("android-34"))
        );
    }

    proptest::proptest! {
        #[test]
        fn zip_names_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let mut d = b"PK\x03\x04".to_vec();
            d.extend_from_slice(&data);
            proptest::prop_assert!(zip_entry_names(&d).len() <= ZIP_HEADERS);
        }
    }
}
