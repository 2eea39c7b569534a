//! Protocol messages written byte by byte from their specifications, for generated captures.

use crate::App;
use std::net::IpAddr;

fn push_name(out: &mut Vec<u8>, name: &str) {
    for label in name.split('.').filter(|l| !l.is_empty()) {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
}

/// A DNS query (RFC 1035 section 4.1) for `name`, type `qtype`, recursion desired.
pub fn dns_query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    push_name(&mut m, name);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&[0, 1]);
    m
}

/// The answer to an A/AAAA query: one record per address, names compressed to the question.
pub fn dns_answer(id: u16, name: &str, addrs: &[IpAddr], ttl: u32) -> Vec<u8> {
    let qtype = if addrs.iter().all(IpAddr::is_ipv4) {
        1u16
    } else {
        28
    };
    let mut m = id.to_be_bytes().to_vec();
    m.extend_from_slice(&[0x81, 0x80, 0, 1]);
    m.extend_from_slice(&(addrs.len() as u16).to_be_bytes());
    m.extend_from_slice(&[0, 0, 0, 0]);
    push_name(&mut m, name);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&[0, 1]);
    for a in addrs {
        m.extend_from_slice(&[0xc0, 12]);
        let (t, data) = match a {
            IpAddr::V4(v4) => (1u16, v4.octets().to_vec()),
            IpAddr::V6(v6) => (28u16, v6.octets().to_vec()),
        };
        m.extend_from_slice(&t.to_be_bytes());
        m.extend_from_slice(&[0, 1]);
        m.extend_from_slice(&ttl.to_be_bytes());
        m.extend_from_slice(&(data.len() as u16).to_be_bytes());
        m.extend_from_slice(&data);
    }
    m
}

fn ext(out: &mut Vec<u8>, ty: u16, body: &[u8]) {
    out.extend_from_slice(&ty.to_be_bytes());
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
}

fn vec16(items: &[u16]) -> Vec<u8> {
    let mut v = ((items.len() * 2) as u16).to_be_bytes().to_vec();
    for i in items {
        v.extend_from_slice(&i.to_be_bytes());
    }
    v
}

/// What a generated ClientHello offers.
#[derive(Debug, Clone)]
pub struct Hello<'a> {
    /// Server name, if any.
    pub sni: Option<&'a str>,
    /// ALPN protocols.
    pub alpn: &'a [&'a str],
    /// Cipher suites.
    pub ciphers: &'a [u16],
    /// Versions for the supported_versions extension (empty: none sent).
    pub versions: &'a [u16],
    /// The record and legacy version fields.
    pub legacy_version: u16,
    /// Further extensions (type, body), e.g. encrypted_client_hello (0xfe0d).
    pub extra: &'a [(u16, &'a [u8])],
}

impl Default for Hello<'_> {
    /// A modern TLS 1.3 ClientHello.
    fn default() -> Self {
        Hello {
            sni: None,
            alpn: &["h2", "http/1.1"],
            ciphers: &[0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f],
            versions: &[0x0304, 0x0303],
            legacy_version: 0x0303,
            extra: &[],
        }
    }
}

/// A ClientHello handshake message (RFC 8446 section 4.1.2), without the record header.
pub fn client_hello_msg(h: &Hello<'_>) -> Vec<u8> {
    let mut body = h.legacy_version.to_be_bytes().to_vec();
    body.extend_from_slice(&[0x5a; 32]);
    body.push(32);
    body.extend_from_slice(&[0xa5; 32]);
    body.extend_from_slice(&vec16(h.ciphers));
    body.extend_from_slice(&[1, 0]);
    let mut exts = Vec::new();
    if let Some(sni) = h.sni {
        let mut list = vec![0];
        list.extend_from_slice(&(sni.len() as u16).to_be_bytes());
        list.extend_from_slice(sni.as_bytes());
        let mut body = (list.len() as u16).to_be_bytes().to_vec();
        body.extend_from_slice(&list);
        ext(&mut exts, 0, &body);
    }
    ext(&mut exts, 10, &vec16(&[0x001d, 0x0017]));
    ext(&mut exts, 11, &[1, 0]);
    ext(&mut exts, 13, &vec16(&[0x0403, 0x0804, 0x0401]));
    if !h.alpn.is_empty() {
        let mut list = Vec::new();
        for p in h.alpn {
            list.push(p.len() as u8);
            list.extend_from_slice(p.as_bytes());
        }
        let mut body = (list.len() as u16).to_be_bytes().to_vec();
        body.extend_from_slice(&list);
        ext(&mut exts, 16, &body);
    }
    if !h.versions.is_empty() {
        let mut body = vec![(h.versions.len() * 2) as u8];
        for v in h.versions {
            body.extend_from_slice(&v.to_be_bytes());
        }
        ext(&mut exts, 43, &body);
    }
    for (ty, data) in h.extra {
        ext(&mut exts, *ty, data);
    }
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut msg = vec![1];
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    msg
}

/// A handshake message in one TLS record.
pub fn record(legacy_version: u16, msg: &[u8]) -> Vec<u8> {
    let mut r = vec![0x16];
    r.extend_from_slice(&legacy_version.to_be_bytes());
    r.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    r.extend_from_slice(msg);
    r
}

/// A ClientHello in a TLS record.
pub fn client_hello(h: &Hello<'_>) -> Vec<u8> {
    record(0x0301, &client_hello_msg(h))
}

/// A ServerHello in a TLS record choosing `version` and `cipher` (a supported_versions
/// extension when choosing TLS 1.3).
pub fn server_hello(version: u16, cipher: u16) -> Vec<u8> {
    let legacy = version.min(0x0303);
    let mut body = legacy.to_be_bytes().to_vec();
    body.extend_from_slice(&[0x33; 32]);
    body.push(0);
    body.extend_from_slice(&cipher.to_be_bytes());
    body.push(0);
    let mut exts = Vec::new();
    if version == 0x0304 {
        ext(&mut exts, 43, &[0x03, 0x04]);
    }
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut msg = vec![2];
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    record(legacy, &msg)
}

/// An HTTP/1.1 request with the given headers and body (Content-Length added for a body).
pub fn http_request(
    method: &str,
    host: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut r = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        r.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    r.push_str("\r\n");
    let mut out = r.into_bytes();
    out.extend_from_slice(body);
    out
}

/// An HTTP/1.1 response with a body.
pub fn http_response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// PCAPdroid's UID map custom block, little-endian (layout in
/// shared/research/pcapdroid-formats.md: block type 0xBAD, PEN 62652, version 1, type 1).
pub fn pcapdroid_uid_block(app: &App) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&62652u32.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&[1, 0]);
    body.extend_from_slice(&app.uid.to_le_bytes());
    body.push(app.package.len() as u8);
    body.push(app.name.len() as u8);
    body.extend_from_slice(app.package.as_bytes());
    body.extend_from_slice(app.name.as_bytes());
    while body.len() % 4 != 0 {
        body.push(0);
    }
    let total = (body.len() + 12) as u32;
    let mut block = 0x0000_0badu32.to_le_bytes().to_vec();
    block.extend_from_slice(&total.to_le_bytes());
    block.extend_from_slice(&body);
    block.extend_from_slice(&total.to_le_bytes());
    block
}

/// The RFC 1071 Internet checksum of `data`.
fn internet_checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Splits an IPv4 packet (20-byte header, no options) into fragments whose payloads hold at
/// most `chunk` bytes (rounded down to a multiple of 8), as RFC 791 section 2.3 describes.
pub fn ipv4_fragments(packet: &[u8], chunk: usize) -> Vec<Vec<u8>> {
    let (header, payload) = packet.split_at(20);
    let chunk = (chunk / 8).max(1) * 8;
    let pieces: Vec<&[u8]> = payload.chunks(chunk).collect();
    pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut h = header.to_vec();
            h[2..4].copy_from_slice(&((20 + piece.len()) as u16).to_be_bytes());
            let more = if i + 1 < pieces.len() { 0x2000 } else { 0 };
            h[6..8].copy_from_slice(&((i * chunk / 8) as u16 | more).to_be_bytes());
            h[10..12].copy_from_slice(&[0, 0]);
            let sum = internet_checksum(&h);
            h[10..12].copy_from_slice(&sum.to_be_bytes());
            h.extend_from_slice(piece);
            h
        })
        .collect()
}

/// A GTP-U G-PDU (3GPP TS 29.281) carrying `inner`, for tunnel `teid`.
pub fn gtp_u(inner: &[u8], teid: u32) -> Vec<u8> {
    let mut m = vec![0x30, 0xff];
    m.extend_from_slice(&(inner.len() as u16).to_be_bytes());
    m.extend_from_slice(&teid.to_be_bytes());
    m.extend_from_slice(inner);
    m
}

/// What a generated MMTLS ClientHello carries.
#[derive(Debug, Clone)]
pub struct MmtlsHello<'a> {
    /// In a 0-RTT (0x19) record rather than a handshake (0x16) record.
    pub early: bool,
    /// Cipher suites.
    pub suites: &'a [u16],
    /// The client's clock, UNIX seconds.
    pub timestamp: u32,
    /// A resumption ticket, with its lifetime hint in seconds.
    pub ticket: Option<(&'a [u8], u32)>,
    /// ECDH key shares offered.
    pub key_shares: usize,
}

/// An MMTLS record (research/tencent-facts.md section 1.2): type, `F1 04`, 2-byte length, body.
pub fn mmtls_record(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![kind, 0xf1, 0x04];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// Appends `body` behind its 4-byte big-endian length.
fn vec32(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(body);
}

/// An MMTLS ClientHello record, laid out as section 1.3 of the facts file describes (and
/// telltale_wire::mmtls documents): section length, type 1, version `04 F1`, suites, random,
/// clock, then the PSK (0x000F) and key-share (0x0010) extensions.
pub fn mmtls_client_hello(h: &MmtlsHello<'_>) -> Vec<u8> {
    let mut msg = vec![1, 0x04, 0xf1, h.suites.len() as u8];
    for s in h.suites {
        msg.extend_from_slice(&s.to_be_bytes());
    }
    msg.extend_from_slice(&[0x5c; 32]);
    msg.extend_from_slice(&h.timestamp.to_be_bytes());
    let mut exts = Vec::new();
    let mut n_ext = 0u8;
    if let Some((ticket, lifetime)) = h.ticket {
        let mut entry = vec![1];
        entry.extend_from_slice(&lifetime.to_be_bytes());
        entry.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        entry.extend_from_slice(&12u16.to_be_bytes());
        entry.extend_from_slice(&[0x6e; 12]);
        entry.extend_from_slice(&(ticket.len() as u16).to_be_bytes());
        entry.extend_from_slice(ticket);
        let mut ext = vec![0x00, 0x0f, 1];
        vec32(&mut ext, &entry);
        vec32(&mut exts, &ext);
        n_ext += 1;
    }
    if h.key_shares > 0 {
        let mut ext = vec![0x00, 0x10, h.key_shares as u8];
        for i in 0..h.key_shares {
            let mut share = (i as u32 + 1).to_be_bytes().to_vec();
            share.extend_from_slice(&65u16.to_be_bytes());
            share.push(4);
            share.extend_from_slice(&[0x30 + i as u8; 64]);
            vec32(&mut ext, &share);
        }
        vec32(&mut exts, &ext);
        n_ext += 1;
    }
    let mut ext_section = vec![n_ext];
    ext_section.extend_from_slice(&exts);
    vec32(&mut msg, &ext_section);
    let mut body = Vec::new();
    vec32(&mut body, &msg);
    mmtls_record(if h.early { 0x19 } else { 0x16 }, &body)
}

/// An MMTLS ServerHello record choosing `suite`, with a server key share when `key_share`.
pub fn mmtls_server_hello(suite: u16, key_share: bool) -> Vec<u8> {
    let mut msg = vec![2, 0x04, 0xf1];
    msg.extend_from_slice(&suite.to_be_bytes());
    msg.extend_from_slice(&[0xc5; 32]);
    let mut ext_section = vec![u8::from(key_share)];
    if key_share {
        let mut ext = vec![0x00, 0x11];
        ext.extend_from_slice(&1u32.to_be_bytes());
        ext.extend_from_slice(&65u16.to_be_bytes());
        ext.push(4);
        ext.extend_from_slice(&[0x44; 64]);
        vec32(&mut ext_section, &ext);
    }
    vec32(&mut msg, &ext_section);
    let mut body = Vec::new();
    vec32(&mut body, &msg);
    mmtls_record(0x16, &body)
}

/// Ticket lifetimes WeChat's hellos carry (research/tencent-facts.md section 1.3): the long
/// link's ECDHE hello, and the short links' PSK-only 0-RTT hello.
pub const MMTLS_THIRTY_DAYS: u32 = 2_592_000;
/// See [`MMTLS_THIRTY_DAYS`].
pub const MMTLS_SEVEN_DAYS: u32 = 604_800;

/// The hello opening a long link (raw MMTLS over TCP): 1-RTT, ECDHE and PSK suites, the
/// resumption `ticket` and two key shares, as WeChat sends it.
pub fn mmtls_long_link_hello(ticket: &[u8], timestamp: u32) -> Vec<u8> {
    mmtls_client_hello(&MmtlsHello {
        early: false,
        suites: &[0xc02b, 0x00a8],
        timestamp,
        ticket: Some((ticket, MMTLS_THIRTY_DAYS)),
        key_shares: 2,
    })
}

/// A short link request: `POST /mmtls/<8 hex>` to `host` whose body is a 0-RTT ClientHello with
/// `ticket`, encrypted extensions, early data and an alert.
pub fn mmtls_short_link_request(host: &str, ticket: &[u8], timestamp: u32) -> Vec<u8> {
    let mut body = mmtls_client_hello(&MmtlsHello {
        early: true,
        suites: &[0x00a8],
        timestamp,
        ticket: Some((ticket, MMTLS_SEVEN_DAYS)),
        key_shares: 0,
    });
    body.extend(mmtls_record(0x19, &[0x11; 40]));
    body.extend(mmtls_record(0x17, &[0x22; 500]));
    body.extend(mmtls_record(0x15, &[0x33; 20]));
    http_request(
        "POST",
        host,
        "/mmtls/7d44b6a2",
        &[
            ("Content-Type", "application/octet-stream"),
            ("Upgrade", "mmtls"),
            ("User-Agent", "MicroMessenger Client"),
        ],
        &body,
    )
}

/// The answer to a short link: a PSK ServerHello, data and an alert in an HTTP response.
pub fn mmtls_short_link_response() -> Vec<u8> {
    let mut answer = mmtls_server_hello(0x00a8, false);
    answer.extend(mmtls_record(0x17, &[0x44; 800]));
    answer.extend(mmtls_record(0x15, &[0x55; 20]));
    http_response(200, "application/octet-stream", &answer)
}

/// A legacy QQ (OICQ) packet from a client (research/tencent-facts.md section 3.1): 0x02,
/// version, command, sequence, QQ number, an encrypted-looking body, 0x03.
pub fn oicq_packet(command: u16, sequence: u16, qq_number: u32) -> Vec<u8> {
    let mut p = vec![0x02];
    p.extend_from_slice(&0x1131u16.to_be_bytes());
    p.extend_from_slice(&command.to_be_bytes());
    p.extend_from_slice(&sequence.to_be_bytes());
    p.extend_from_slice(&qq_number.to_be_bytes());
    p.extend_from_slice(&[0x9d; 40]);
    p.push(0x03);
    p
}

/// A mobile QQ MSF/SSO frame (section 3.2): length (itself included), packet type 0x0B, encrypt
/// type 1, sequence, a zero byte, the uin as ASCII digits behind a length that counts itself,
/// then an encrypted-looking body.
pub fn msf_frame(uin: &str) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0x0bu32.to_be_bytes());
    f.push(1);
    f.extend_from_slice(&7u32.to_be_bytes());
    f.push(0);
    f.extend_from_slice(&(uin.len() as u32 + 4).to_be_bytes());
    f.extend_from_slice(uin.as_bytes());
    f.extend_from_slice(&[0x5e; 48]);
    let mut out = (f.len() as u32 + 4).to_be_bytes().to_vec();
    out.extend_from_slice(&f);
    out
}

/// The SHA-256 of `data` in lower-case hex, as reports print file digests.
pub fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `data` as a raw DEFLATE stream (RFC 1951), the body encoding `Content-Encoding: deflate` and
/// WeChat's newgetdns use.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(data, 6)
}

/// A zip local file entry (APPNOTE.TXT section 4.3.7), stored without compression: how APKs,
/// JARs and TBS packages begin.
pub fn zip_local_file(name: &str, data: &[u8]) -> Vec<u8> {
    let mut h = b"PK\x03\x04".to_vec();
    h.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    h.extend_from_slice(&(data.len() as u32).to_le_bytes());
    h.extend_from_slice(&(data.len() as u32).to_le_bytes());
    h.extend_from_slice(&(name.len() as u16).to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes());
    h.extend_from_slice(name.as_bytes());
    h.extend_from_slice(data);
    h
}
