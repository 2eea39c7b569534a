//! TLS handshake messages: the ClientHello and ServerHello fields Telltale reports, and the TLS
//! record framing that carries them over TCP.
//!
//! Formats: RFC 8446 (TLS 1.3) sections 4, 4.1.2, 4.1.3, 4.2 and 5.1; RFC 5246 (TLS 1.2) section
//! 7.4.1; RFC 6066 section 3 (server_name); RFC 7301 (ALPN); RFC 8422 (supported groups, point
//! formats); RFC 8701 (GREASE). DTLS is out of scope.
//!
//! The hello bodies are read with a small bounds-checked cursor rather than with tls-parser:
//! tls-parser's extension list parser stops without an error at the first extension whose
//! contents it cannot decode, and folds every GREASE extension into one id, while JA3 and JA4 need
//! each extension id exactly as sent and the monitor must tell a truncated hello from a complete
//! one.

use crate::{Error, Result};

/// Extension type of server_name (RFC 6066).
pub const EXT_SERVER_NAME: u16 = 0x0000;
/// Extension type of supported_groups, formerly elliptic_curves (RFC 8422).
pub const EXT_SUPPORTED_GROUPS: u16 = 0x000a;
/// Extension type of ec_point_formats (RFC 8422).
pub const EXT_EC_POINT_FORMATS: u16 = 0x000b;
/// Extension type of signature_algorithms (RFC 8446).
pub const EXT_SIGNATURE_ALGORITHMS: u16 = 0x000d;
/// Extension type of application_layer_protocol_negotiation (RFC 7301).
pub const EXT_ALPN: u16 = 0x0010;
/// Extension type of supported_versions (RFC 8446).
pub const EXT_SUPPORTED_VERSIONS: u16 = 0x002b;
/// Extension type of encrypted_client_hello (draft-ietf-tls-esni-18 and later).
pub const EXT_ECH: u16 = 0xfe0d;
/// Extension type of the withdrawn encrypted_server_name (draft-ietf-tls-esni-01 to -02).
pub const EXT_ESNI: u16 = 0xffce;

/// Handshake message type of a ClientHello.
pub const HANDSHAKE_CLIENT_HELLO: u8 = 1;
/// Handshake message type of a ServerHello (also a TLS 1.3 HelloRetryRequest).
pub const HANDSHAKE_SERVER_HELLO: u8 = 2;

/// Length of the handshake message header: 1-byte type, 3-byte length.
const HANDSHAKE_HEADER_LEN: usize = 4;
/// Length of the record header: type, 2-byte version, 2-byte length.
const RECORD_HEADER_LEN: usize = 5;
/// Record content type of handshake records.
const CONTENT_HANDSHAKE: u8 = 0x16;
/// Largest plaintext record fragment (RFC 8446 section 5.1, RFC 5246 section 6.2.1).
const MAX_FRAGMENT_LEN: usize = 1 << 14;
/// Longest legacy session id (RFC 8446 section 4.1.2).
const MAX_SESSION_ID_LEN: usize = 32;
/// Length of the hello random.
const RANDOM_LEN: usize = 32;

/// What a ClientHello tells an on-path observer about the client.
///
/// Lists keep wire order and GREASE values, so that fingerprints (see [`crate::ja`]) can be
/// computed from this struct alone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientHello {
    /// The `legacy_version` field (0x0303 in every TLS 1.3 hello).
    pub legacy_version: u16,
    /// supported_versions (extension 43), in wire order, GREASE kept.
    pub supported_versions: Vec<u16>,
    /// Cipher suites offered, in wire order, GREASE and signalling values kept.
    pub cipher_suites: Vec<u16>,
    /// Extension type ids in wire order, GREASE and repeats kept.
    pub extensions: Vec<u16>,
    /// The first host_name of the server_name extension, as sent (lossy UTF-8).
    pub server_name: Option<String>,
    /// ALPN protocol names (extension 16), in order, lossy UTF-8.
    pub alpn: Vec<String>,
    /// ALPN protocol names exactly as sent; JA4 needs the raw bytes of the first one.
    pub alpn_raw: Vec<Vec<u8>>,
    /// supported_groups (extension 10), in wire order.
    pub supported_groups: Vec<u16>,
    /// ec_point_formats (extension 11), in wire order.
    pub ec_point_formats: Vec<u8>,
    /// signature_algorithms (extension 13), in wire order.
    pub signature_algorithms: Vec<u16>,
    /// encrypted_client_hello (0xfe0d) is present: `server_name` is only the outer, client-facing
    /// name, and the real one is encrypted.
    pub ech: bool,
    /// The withdrawn encrypted_server_name extension (0xffce) is present.
    pub esni: bool,
}

impl ClientHello {
    /// The highest version the client offers: the largest non-GREASE supported_versions entry,
    /// or `legacy_version` when there is none.
    pub fn max_version(&self) -> u16 {
        self.supported_versions
            .iter()
            .copied()
            .filter(|&v| !is_grease(v))
            .max()
            .unwrap_or(self.legacy_version)
    }
}

/// What a ServerHello tells an on-path observer about the negotiated session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerHello {
    /// The `legacy_version` field (0x0303 when TLS 1.3 is selected).
    pub legacy_version: u16,
    /// The version chosen in the supported_versions extension (TLS 1.3 and later).
    pub selected_version: Option<u16>,
    /// The cipher suite the server chose.
    pub cipher_suite: u16,
    /// Extension type ids in wire order.
    pub extensions: Vec<u16>,
    /// The protocol chosen by ALPN, lossy UTF-8 (TLS 1.2 and earlier; TLS 1.3 sends it encrypted).
    pub alpn: Option<String>,
}

impl ServerHello {
    /// The negotiated protocol version: `selected_version`, else `legacy_version`.
    pub fn version(&self) -> u16 {
        self.selected_version.unwrap_or(self.legacy_version)
    }
}

/// One parsed handshake message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    /// A ClientHello.
    ClientHello(ClientHello),
    /// A ServerHello or HelloRetryRequest.
    ServerHello(ServerHello),
    /// Any other message, by its handshake type; its body is not parsed.
    Other(u8),
}

/// Parse one handshake message: 1-byte type, 3-byte length, body (as it appears in the TLS
/// handshake stream or in QUIC CRYPTO data).
///
/// Bytes after the message (the next message of the stream) are ignored.
pub fn parse_handshake(msg: &[u8]) -> Result<Handshake> {
    let mut r = Reader::new(msg);
    let kind = r.u8("handshake header")?;
    let len = r.u24("handshake header")?;
    let body = r.take(len, "handshake message")?;
    match kind {
        HANDSHAKE_CLIENT_HELLO => parse_client_hello(body).map(Handshake::ClientHello),
        HANDSHAKE_SERVER_HELLO => parse_server_hello(body).map(Handshake::ServerHello),
        other => Ok(Handshake::Other(other)),
    }
}

/// TLS over TCP: `stream` is one direction's bytes from the start of the connection. Returns the
/// first handshake message, joined across as many records as it spans (records may also carry
/// several messages): `Ok(Some(message bytes))` when complete, `Ok(None)` when more bytes are
/// needed, `Err` when the stream is not TLS (first record type not 0x16 handshake, bad version
/// bytes, zero-length or oversized record, a non-handshake record before the message ends).
/// `max` bounds the message size accepted, header included: longer messages are an `Err` as soon
/// as their header is seen.
///
/// SSL 2.0-style ClientHellos (no record layer) are not TLS here.
pub fn first_handshake_message(stream: &[u8], max: usize) -> Result<Option<Vec<u8>>> {
    let mut msg = Vec::new();
    let mut rest = stream;
    loop {
        let Some(len) = record_prefix(rest)? else {
            return Ok(None);
        };
        let after = rest.get(RECORD_HEADER_LEN..).unwrap_or_default();
        let (fragment, record_complete) = match after.split_at_checked(len) {
            Some((fragment, tail)) => {
                rest = tail;
                (fragment, true)
            }
            None => (after, false),
        };
        // Copy no more than the message still needs once its length is known.
        let wanted = match message_len(&msg) {
            Some(total) => total.saturating_sub(msg.len()).min(fragment.len()),
            None => fragment.len(),
        };
        msg.extend_from_slice(fragment.get(..wanted).unwrap_or(fragment));
        if let Some(total) = message_len(&msg) {
            if total > max {
                return Err(Error::Malformed {
                    what: "tls handshake message",
                    why: "longer than the accepted maximum",
                });
            }
            if msg.len() >= total {
                msg.truncate(total);
                return Ok(Some(msg));
            }
        }
        if !record_complete {
            return Ok(None);
        }
    }
}

/// Cheap sniff: do these first bytes of a stream look like a TLS handshake record (0x16,
/// 0x03 0x00..=0x04)? Needs at least 3 bytes; when 5 are present the record length must also be
/// valid (1 to 2^14).
pub fn looks_like_tls(prefix: &[u8]) -> bool {
    prefix.len() >= 3 && record_prefix(prefix).is_ok()
}

/// Is `v` one of the sixteen GREASE values of RFC 8701 (0x0a0a, 0x1a1a, ..., 0xfafa)? They are
/// reserved in the cipher suite, extension, group, signature algorithm and version registries.
pub fn is_grease(v: u16) -> bool {
    let [hi, lo] = v.to_be_bytes();
    hi == lo && lo & 0x0f == 0x0a
}

/// Short human name of a protocol version ("TLS 1.3", "TLS 1.0", "SSL 3.0", ...), "unknown"
/// otherwise. Pre-standard TLS 1.3 drafts (0x7f00 + draft number) are "TLS 1.3 draft".
pub fn version_name(v: u16) -> &'static str {
    match v {
        0x0002 => "SSL 2.0",
        0x0300 => "SSL 3.0",
        0x0301 => "TLS 1.0",
        0x0302 => "TLS 1.1",
        0x0303 => "TLS 1.2",
        0x0304 => "TLS 1.3",
        0x7f00..=0x7fff => "TLS 1.3 draft",
        _ => "unknown",
    }
}

/// If this cipher suite is broken or weak, a short reason; `None` otherwise.
///
/// The rule: a suite is weak when its entry in the IANA TLS Cipher Suites registry has NULL
/// (integrity-only) encryption, anonymous (`DH_anon`, `ECDH_anon`) key exchange, EXPORT or
/// EXPORT1024 key sizes, or the RC4, RC2, single DES, 3DES or IDEA cipher (3DES and IDEA have
/// 64-bit blocks: Sweet32). The arms below list every registry value with one of those
/// properties, plus the withdrawn EXPORT1024 drafts (0x0060-0x0066) that old clients still send;
/// a suite with several flaws gets the first reason in that order, so the RC2 suites (all EXPORT)
/// and the MD5-MAC suites (all also NULL, EXPORT, RC4, DES, 3DES or IDEA) never need an arm of
/// their own. Signalling values (0x00ff, 0x5600), GREASE and unassigned values are not suites
/// and are `None`. The tests check these arms against tls-parser's copy of the registry.
pub fn weak_cipher(suite: u16) -> Option<&'static str> {
    match suite {
        // RFC 5246, 4785, 5487, 5489, 8422, 9150: *_WITH_NULL_*, TLS_SHA256_SHA256, TLS_SHA384_SHA384.
        0x0000..=0x0002
        | 0x002c..=0x002e
        | 0x003b
        | 0x00b0..=0x00b1
        | 0x00b4..=0x00b5
        | 0x00b8..=0x00b9
        | 0xc001
        | 0xc006
        | 0xc00b
        | 0xc010
        | 0xc015
        | 0xc039..=0xc03b
        | 0xc0b4..=0xc0b5 => Some("NULL encryption"),
        // *_DH_anon_* and *_ECDH_anon_* (RFC 5246, 4132, 4162, 5932, 6209, 6367, 8422).
        0x0017..=0x001b
        | 0x0034
        | 0x003a
        | 0x0046
        | 0x006c..=0x006d
        | 0x0089
        | 0x009b
        | 0x00a6..=0x00a7
        | 0x00bf
        | 0x00c5
        | 0xc016..=0xc019
        | 0xc046..=0xc047
        | 0xc05a..=0xc05b
        | 0xc084..=0xc085 => Some("anonymous key exchange"),
        // *_EXPORT_* (RFC 4346, 2712) and the EXPORT1024 drafts.
        0x0003
        | 0x0006
        | 0x0008
        | 0x000b
        | 0x000e
        | 0x0011
        | 0x0014
        | 0x0026..=0x002b
        | 0x0060..=0x0065 => Some("export-grade key"),
        // *_WITH_RC4_128_* (RFC 7465 prohibits them).
        0x0004..=0x0005
        | 0x0020
        | 0x0024
        | 0x0066
        | 0x008a
        | 0x008e
        | 0x0092
        | 0xc002
        | 0xc007
        | 0xc00c
        | 0xc011
        | 0xc033 => Some("RC4"),
        // *_WITH_DES_CBC_* (56-bit key; removed in RFC 5246).
        0x0009 | 0x000c | 0x000f | 0x0012 | 0x0015 | 0x001e | 0x0022 => Some("single DES"),
        // *_WITH_3DES_EDE_CBC_*.
        0x000a
        | 0x000d
        | 0x0010
        | 0x0013
        | 0x0016
        | 0x001f
        | 0x0023
        | 0x008b
        | 0x008f
        | 0x0093
        | 0xc003
        | 0xc008
        | 0xc00d
        | 0xc012
        | 0xc01a..=0xc01c
        | 0xc034 => Some("3DES (64-bit block)"),
        // *_WITH_IDEA_CBC_* (removed in RFC 5246).
        0x0007 | 0x0021 | 0x0025 => Some("IDEA (64-bit block)"),
        _ => None,
    }
}

/// Checks whichever of the first five record header bytes `p` holds; returns the record length
/// once all five are there.
fn record_prefix(p: &[u8]) -> Result<Option<usize>> {
    const WHAT: &str = "tls record";
    if p.first().is_some_and(|&t| t != CONTENT_HANDSHAKE) {
        return Err(Error::Malformed {
            what: WHAT,
            why: "not a handshake record",
        });
    }
    if p.get(1).is_some_and(|&major| major != 3) || p.get(2).is_some_and(|&minor| minor > 4) {
        return Err(Error::Malformed {
            what: WHAT,
            why: "bad protocol version",
        });
    }
    let Some(&[hi, lo]) = p.get(3..RECORD_HEADER_LEN) else {
        return Ok(None);
    };
    match usize::from(u16::from_be_bytes([hi, lo])) {
        0 => Err(Error::Malformed {
            what: WHAT,
            why: "empty record",
        }),
        len if len > MAX_FRAGMENT_LEN => Err(Error::Malformed {
            what: WHAT,
            why: "record longer than 2^14 bytes",
        }),
        len => Ok(Some(len)),
    }
}

/// Total length (header included) of the handshake message starting `msg`, once its header is in.
fn message_len(msg: &[u8]) -> Option<usize> {
    match msg.get(1..HANDSHAKE_HEADER_LEN)? {
        &[a, b, c] => Some(
            HANDSHAKE_HEADER_LEN + (usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c)),
        ),
        _ => None,
    }
}

fn parse_client_hello(body: &[u8]) -> Result<ClientHello> {
    const WHAT: &str = "client hello";
    let mut r = Reader::new(body);
    let mut ch = ClientHello {
        legacy_version: r.u16(WHAT)?,
        ..ClientHello::default()
    };
    r.take(RANDOM_LEN, WHAT)?;
    session_id(&mut r, WHAT)?;
    ch.cipher_suites = u16_list(r.vec16(WHAT)?, "client hello cipher suites")?;
    r.vec8(WHAT)?;
    // Hellos from before RFC 3546 may end after the compression methods.
    if r.is_empty() {
        return Ok(ch);
    }
    let mut exts = Reader::new(r.vec16("client hello extensions")?);
    if !r.is_empty() {
        return Err(Error::Malformed {
            what: WHAT,
            why: "bytes after the extensions",
        });
    }
    while !exts.is_empty() {
        let kind = exts.u16("client hello extension")?;
        let data = exts.vec16("client hello extension")?;
        ch.extensions.push(kind);
        // A repeated extension is invalid TLS; the first one that carries a value wins.
        match kind {
            EXT_SERVER_NAME => {
                let name = whole(data, "server_name extension", server_name)?;
                ch.server_name = ch.server_name.take().or(name);
            }
            EXT_SUPPORTED_GROUPS => {
                let list = whole(data, "supported_groups extension", |r| {
                    u16_list(
                        r.vec16("supported_groups extension")?,
                        "supported_groups extension",
                    )
                })?;
                fill(&mut ch.supported_groups, list);
            }
            EXT_EC_POINT_FORMATS => {
                let list = whole(data, "ec_point_formats extension", |r| {
                    Ok(r.vec8("ec_point_formats extension")?.to_vec())
                })?;
                fill(&mut ch.ec_point_formats, list);
            }
            EXT_SIGNATURE_ALGORITHMS => {
                let list = whole(data, "signature_algorithms extension", |r| {
                    u16_list(
                        r.vec16("signature_algorithms extension")?,
                        "signature_algorithms extension",
                    )
                })?;
                fill(&mut ch.signature_algorithms, list);
            }
            EXT_ALPN => {
                let names = whole(data, "alpn extension", alpn_names)?;
                if ch.alpn_raw.is_empty() {
                    ch.alpn = names
                        .iter()
                        .map(|n| String::from_utf8_lossy(n).into_owned())
                        .collect();
                    ch.alpn_raw = names;
                }
            }
            EXT_SUPPORTED_VERSIONS => {
                let list = whole(data, "supported_versions extension", |r| {
                    u16_list(
                        r.vec8("supported_versions extension")?,
                        "supported_versions extension",
                    )
                })?;
                fill(&mut ch.supported_versions, list);
            }
            EXT_ECH => ch.ech = true,
            EXT_ESNI => ch.esni = true,
            _ => {}
        }
    }
    Ok(ch)
}

fn parse_server_hello(body: &[u8]) -> Result<ServerHello> {
    const WHAT: &str = "server hello";
    let mut r = Reader::new(body);
    let mut sh = ServerHello {
        legacy_version: r.u16(WHAT)?,
        ..ServerHello::default()
    };
    r.take(RANDOM_LEN, WHAT)?;
    session_id(&mut r, WHAT)?;
    sh.cipher_suite = r.u16(WHAT)?;
    r.u8(WHAT)?;
    if r.is_empty() {
        return Ok(sh);
    }
    let mut exts = Reader::new(r.vec16("server hello extensions")?);
    if !r.is_empty() {
        return Err(Error::Malformed {
            what: WHAT,
            why: "bytes after the extensions",
        });
    }
    while !exts.is_empty() {
        let kind = exts.u16("server hello extension")?;
        let data = exts.vec16("server hello extension")?;
        sh.extensions.push(kind);
        match kind {
            EXT_SUPPORTED_VERSIONS => {
                let v = whole(data, "supported_versions extension", |r| {
                    r.u16("supported_versions extension")
                })?;
                sh.selected_version = sh.selected_version.or(Some(v));
            }
            EXT_ALPN => {
                let names = whole(data, "alpn extension", alpn_names)?;
                let first = names
                    .first()
                    .map(|n| String::from_utf8_lossy(n).into_owned());
                sh.alpn = sh.alpn.take().or(first);
            }
            _ => {}
        }
    }
    Ok(sh)
}

fn session_id(r: &mut Reader<'_>, what: &'static str) -> Result<()> {
    if r.vec8(what)?.len() > MAX_SESSION_ID_LEN {
        return Err(Error::Malformed {
            what,
            why: "session id longer than 32 bytes",
        });
    }
    Ok(())
}

/// server_name extension body: the first host_name entry (RFC 6066 section 3).
fn server_name(r: &mut Reader<'_>) -> Result<Option<String>> {
    const WHAT: &str = "server_name extension";
    let mut list = Reader::new(r.vec16(WHAT)?);
    let mut host = None;
    while !list.is_empty() {
        let name_type = list.u8(WHAT)?;
        let name = list.vec16(WHAT)?;
        if name_type == 0 && host.is_none() {
            host = Some(String::from_utf8_lossy(name).into_owned());
        }
    }
    Ok(host)
}

/// ALPN extension body: the protocol names (RFC 7301 section 3.1).
fn alpn_names(r: &mut Reader<'_>) -> Result<Vec<Vec<u8>>> {
    const WHAT: &str = "alpn extension";
    let mut list = Reader::new(r.vec16(WHAT)?);
    let mut names = Vec::new();
    while !list.is_empty() {
        names.push(list.vec8(WHAT)?.to_vec());
    }
    Ok(names)
}

/// Runs `parse` over an extension body and requires it to use every byte.
fn whole<'a, T>(
    data: &'a [u8],
    what: &'static str,
    parse: impl FnOnce(&mut Reader<'a>) -> Result<T>,
) -> Result<T> {
    let mut r = Reader::new(data);
    let value = parse(&mut r)?;
    if !r.is_empty() {
        return Err(Error::Malformed {
            what,
            why: "bytes after the extension's contents",
        });
    }
    Ok(value)
}

/// Keeps the first non-empty value of a repeated list extension.
fn fill<T>(field: &mut Vec<T>, list: Vec<T>) {
    if field.is_empty() {
        *field = list;
    }
}

fn u16_list(data: &[u8], what: &'static str) -> Result<Vec<u16>> {
    let (pairs, odd) = data.as_chunks::<2>();
    if !odd.is_empty() {
        return Err(Error::Malformed {
            what,
            why: "odd length for a list of 16-bit values",
        });
    }
    Ok(pairs.iter().map(|&p| u16::from_be_bytes(p)).collect())
}

/// A bounds-checked big-endian reader; reading past the end is `Error::Truncated(what)`.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let (head, tail) = self
            .rest
            .split_at_checked(n)
            .ok_or(Error::Truncated(what))?;
        self.rest = tail;
        Ok(head)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8> {
        let (&b, tail) = self.rest.split_first().ok_or(Error::Truncated(what))?;
        self.rest = tail;
        Ok(b)
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16> {
        let (head, tail) = self
            .rest
            .split_first_chunk::<2>()
            .ok_or(Error::Truncated(what))?;
        self.rest = tail;
        Ok(u16::from_be_bytes(*head))
    }

    pub(crate) fn u24(&mut self, what: &'static str) -> Result<usize> {
        let (&[a, b, c], tail) = self
            .rest
            .split_first_chunk::<3>()
            .ok_or(Error::Truncated(what))?;
        self.rest = tail;
        Ok(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32> {
        let (head, tail) = self
            .rest
            .split_first_chunk::<4>()
            .ok_or(Error::Truncated(what))?;
        self.rest = tail;
        Ok(u32::from_be_bytes(*head))
    }

    /// A vector with a 1-byte length prefix.
    pub(crate) fn vec8(&mut self, what: &'static str) -> Result<&'a [u8]> {
        let n = self.u8(what)?;
        self.take(n.into(), what)
    }

    /// A vector with a 2-byte length prefix.
    pub(crate) fn vec16(&mut self, what: &'static str) -> Result<&'a [u8]> {
        let n = self.u16(what)?;
        self.take(n.into(), what)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Bytes from hex; whitespace is ignored so vectors can be laid out as in their source.
    pub(crate) fn unhex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    /// The fixtures made by `testdata/tls/generate.py`: TLS records as each peer sent them, up to
    /// the end of its first handshake message.
    pub(crate) const OPENSSL_TLS13_CLIENT: &[u8] =
        include_bytes!("../testdata/tls/openssl-tls13.client.bin");
    pub(crate) const OPENSSL_SPLIT_CLIENT: &[u8] =
        include_bytes!("../testdata/tls/openssl-split.client.bin");
    pub(crate) const OPENSSL_TLS12_WEAK_CLIENT: &[u8] =
        include_bytes!("../testdata/tls/openssl-tls12-weak.client.bin");
    pub(crate) const CURL_CLIENT: &[u8] = include_bytes!("../testdata/tls/curl.client.bin");
    pub(crate) const WGET_GNUTLS_CLIENT: &[u8] =
        include_bytes!("../testdata/tls/wget-gnutls.client.bin");
    pub(crate) const PYTHON_CLIENT: &[u8] = include_bytes!("../testdata/tls/python.client.bin");
    pub(crate) const NODE_CLIENT: &[u8] = include_bytes!("../testdata/tls/node.client.bin");
    pub(crate) const JAVA_CLIENT: &[u8] = include_bytes!("../testdata/tls/java.client.bin");
    const OPENSSL_TLS13_SERVER: &[u8] = include_bytes!("../testdata/tls/openssl-tls13.server.bin");
    const OPENSSL_TLS12_WEAK_SERVER: &[u8] =
        include_bytes!("../testdata/tls/openssl-tls12-weak.server.bin");
    const WGET_GNUTLS_SERVER: &[u8] = include_bytes!("../testdata/tls/wget-gnutls.server.bin");

    /// The ClientHello of a fixture stream.
    pub(crate) fn client_hello_of(stream: &[u8]) -> ClientHello {
        let msg = first_handshake_message(stream, 1 << 16).unwrap().unwrap();
        match parse_handshake(&msg).unwrap() {
            Handshake::ClientHello(ch) => ch,
            other => panic!("not a ClientHello: {other:?}"),
        }
    }

    fn server_hello_of(stream: &[u8]) -> ServerHello {
        let msg = first_handshake_message(stream, 1 << 16).unwrap().unwrap();
        match parse_handshake(&msg).unwrap() {
            Handshake::ServerHello(sh) => sh,
            other => panic!("not a ServerHello: {other:?}"),
        }
    }

    fn u16s(list: &[u16]) -> Vec<u8> {
        list.iter().flat_map(|v| v.to_be_bytes()).collect()
    }

    /// `body` behind a 1-byte length.
    pub(crate) fn vec8(body: &[u8]) -> Vec<u8> {
        [&[u8::try_from(body.len()).unwrap()][..], body].concat()
    }

    /// `body` behind a 2-byte length.
    pub(crate) fn vec16(body: &[u8]) -> Vec<u8> {
        [&u16::try_from(body.len()).unwrap().to_be_bytes()[..], body].concat()
    }

    /// A handshake message of type `kind` around `body`.
    pub(crate) fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
        let len = u32::try_from(body.len()).unwrap().to_be_bytes();
        [&[kind][..], &len[1..], body].concat()
    }

    /// A ClientHello handshake message offering `ciphers` with the extensions `(type, body)`.
    pub(crate) fn build_client_hello(ciphers: &[u16], extensions: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let exts: Vec<u8> = extensions
            .iter()
            .flat_map(|(kind, body)| [&kind.to_be_bytes()[..], &vec16(body)].concat())
            .collect();
        let body = [
            &[0x03, 0x03][..],
            &[0x11; 32],
            &vec8(&[0x22; 32]),
            &vec16(&u16s(ciphers)),
            &vec8(&[0]),
            &vec16(&exts),
        ]
        .concat();
        handshake(HANDSHAKE_CLIENT_HELLO, &body)
    }

    pub(crate) fn sni_ext(name: &str) -> (u16, Vec<u8>) {
        (
            EXT_SERVER_NAME,
            vec16(&[&[0][..], &vec16(name.as_bytes())].concat()),
        )
    }

    pub(crate) fn alpn_ext(names: &[&[u8]]) -> (u16, Vec<u8>) {
        let list: Vec<u8> = names.iter().flat_map(|n| vec8(n)).collect();
        (EXT_ALPN, vec16(&list))
    }

    pub(crate) fn u16_list_ext(kind: u16, list: &[u16]) -> (u16, Vec<u8>) {
        (kind, vec16(&u16s(list)))
    }

    pub(crate) fn versions_ext(list: &[u16]) -> (u16, Vec<u8>) {
        (EXT_SUPPORTED_VERSIONS, vec8(&u16s(list)))
    }

    /// Wraps `msg` in handshake records of at most `fragment` bytes each.
    fn records(msg: &[u8], fragment: usize) -> Vec<u8> {
        msg.chunks(fragment)
            .flat_map(|c| [&[CONTENT_HANDSHAKE, 3, 1][..], &vec16(c)].concat())
            .collect()
    }

    fn parse_client(msg: &[u8]) -> Result<ClientHello> {
        match parse_handshake(msg)? {
            Handshake::ClientHello(ch) => Ok(ch),
            other => panic!("not a ClientHello: {other:?}"),
        }
    }

    #[test]
    fn openssl_client_hello() {
        let ch = client_hello_of(OPENSSL_TLS13_CLIENT);
        assert_eq!(ch.legacy_version, 0x0303);
        assert_eq!(ch.supported_versions, [0x0304, 0x0303, 0x0302, 0x0301]);
        assert_eq!(ch.max_version(), 0x0304);
        assert_eq!(ch.server_name.as_deref(), Some("example.test"));
        assert_eq!(ch.alpn, ["h2", "http/1.1"]);
        assert_eq!(ch.alpn_raw, [b"h2".to_vec(), b"http/1.1".to_vec()]);
        // Field by field as tshark 4.0 dissects the same bytes.
        assert_eq!(ch.extensions, [0, 11, 10, 35, 16, 22, 23, 13, 43, 45, 51]);
        assert_eq!(
            ch.supported_groups,
            [29, 23, 30, 25, 24, 256, 257, 258, 259, 260]
        );
        assert_eq!(ch.ec_point_formats, [0, 1, 2]);
        assert_eq!(
            ch.signature_algorithms,
            [
                0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
                0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602
            ]
        );
        assert_eq!(ch.cipher_suites.len(), 31);
        assert_eq!(ch.cipher_suites[..3], [0x1302, 0x1303, 0x1301]);
        assert_eq!(ch.cipher_suites.last(), Some(&0x00ff));
        assert!(!ch.ech && !ch.esni);
    }

    #[test]
    fn clients_without_sni_or_alpn() {
        let ch = client_hello_of(OPENSSL_TLS12_WEAK_CLIENT);
        assert_eq!(ch.server_name, None);
        assert!(ch.supported_versions.is_empty());
        assert_eq!(ch.max_version(), 0x0303);
        assert_eq!(ch.cipher_suites.len(), 90);

        let ch = client_hello_of(WGET_GNUTLS_CLIENT);
        assert_eq!(ch.server_name.as_deref(), Some("localhost"));
        assert!(ch.alpn.is_empty());
        assert_eq!(ch.ec_point_formats, [0]);
    }

    #[test]
    fn server_hellos() {
        let sh = server_hello_of(OPENSSL_TLS13_SERVER);
        assert_eq!(sh.legacy_version, 0x0303);
        assert_eq!(sh.selected_version, Some(0x0304));
        assert_eq!(sh.version(), 0x0304);
        assert_eq!(sh.cipher_suite, 0x1302);
        assert_eq!(sh.extensions, [EXT_SUPPORTED_VERSIONS, 0x0033]);
        assert_eq!(sh.alpn, None);

        let sh = server_hello_of(OPENSSL_TLS12_WEAK_SERVER);
        assert_eq!(sh.version(), 0x0303);
        assert_eq!(sh.selected_version, None);
        assert_eq!(sh.cipher_suite, 0xc02c);
        assert_eq!(sh.extensions, [0xff01, 0x000b, 0x0023, 0x0010, 0x0017]);
        assert_eq!(sh.alpn.as_deref(), Some("h2"));

        // openssl s_server's TLS 1.3 answers to the other clients.
        for stream in [
            &include_bytes!("../testdata/tls/openssl-split.server.bin")[..],
            include_bytes!("../testdata/tls/curl.server.bin"),
            include_bytes!("../testdata/tls/python.server.bin"),
            include_bytes!("../testdata/tls/node.server.bin"),
            include_bytes!("../testdata/tls/java.server.bin"),
        ] {
            let sh = server_hello_of(stream);
            assert_eq!(
                (sh.version(), sh.extensions.as_slice()),
                (0x0304, &[0x002b, 0x0033][..])
            );
            assert!(matches!(sh.cipher_suite, 0x1301..=0x1303));
        }
        let sh = server_hello_of(WGET_GNUTLS_SERVER);
        assert_eq!((sh.version(), sh.cipher_suite), (0x0304, 0x1302));
    }

    #[test]
    fn client_hello_split_across_records() {
        // openssl s_client -max_send_frag 512 -split_send_frag 256 sent its hello in two records.
        let stream = OPENSSL_SPLIT_CLIENT;
        assert_eq!(stream[..5], [0x16, 0x03, 0x01, 0x01, 0x00]);
        let second = 5 + 256;
        assert_eq!(stream[second..second + 5], [0x16, 0x03, 0x01, 0x00, 0x39]);
        let joined = [&stream[5..second], &stream[second + 5..]].concat();
        assert_eq!(
            first_handshake_message(stream, 1 << 16),
            Ok(Some(joined.clone()))
        );
        assert_eq!(
            parse_client(&joined).unwrap().server_name.as_deref(),
            Some("example.test")
        );
    }

    #[test]
    fn every_tcp_prefix_needs_more_bytes() {
        for stream in [OPENSSL_SPLIT_CLIENT, CURL_CLIENT] {
            for cut in 0..stream.len() {
                assert_eq!(
                    first_handshake_message(&stream[..cut], 1 << 16),
                    Ok(None),
                    "{cut}"
                );
            }
            let full = first_handshake_message(stream, 1 << 16).unwrap().unwrap();
            // Whatever follows the message (here, a second hello) is left alone.
            let longer = [stream, stream].concat();
            assert_eq!(first_handshake_message(&longer, 1 << 16), Ok(Some(full)));
        }
    }

    #[test]
    fn message_complete_before_its_record() {
        // One record holding two messages, cut in the middle of the second.
        let ch = build_client_hello(&[0x1301], &[sni_ext("a.example")]);
        let two = [&ch[..], &handshake(20, &[0; 40])].concat();
        let stream = records(&two, 1 << 14);
        let cut = 5 + ch.len() + 10;
        assert_eq!(
            first_handshake_message(&stream[..cut], 1 << 16),
            Ok(Some(ch.clone()))
        );
        // And a message spread over many one-byte records.
        assert_eq!(
            first_handshake_message(&records(&ch, 1), 1 << 16),
            Ok(Some(ch))
        );
    }

    #[test]
    fn record_layer_errors() {
        let ch = build_client_hello(&[0x1301], &[]);
        let stream = records(&ch, 1 << 14);
        let malformed = |why| {
            Err(Error::Malformed {
                what: "tls record",
                why,
            })
        };
        // Not handshake: HTTP, an alert, an SSL 2.0 hello.
        assert_eq!(
            first_handshake_message(b"GET / HTTP/1.1\r\n", 1 << 16),
            malformed("not a handshake record")
        );
        assert_eq!(
            first_handshake_message(&[0x15, 3, 3, 0, 2, 2, 40], 1 << 16),
            malformed("not a handshake record")
        );
        assert_eq!(
            first_handshake_message(&[0x80, 0x2e, 0x01], 1 << 16),
            malformed("not a handshake record")
        );
        // A partial header is judged on the bytes it has.
        assert_eq!(first_handshake_message(&[0x16], 1 << 16), Ok(None));
        assert_eq!(
            first_handshake_message(&[0x16, 2], 1 << 16),
            malformed("bad protocol version")
        );
        assert_eq!(
            first_handshake_message(&[0x16, 3, 5], 1 << 16),
            malformed("bad protocol version")
        );
        assert_eq!(
            first_handshake_message(&[0x16, 3, 1, 0, 0], 1 << 16),
            malformed("empty record")
        );
        assert_eq!(
            first_handshake_message(&[0x16, 3, 1, 0x40, 1], 1 << 16),
            malformed("record longer than 2^14 bytes")
        );
        // A change_cipher_spec record after the first 15-byte record, before the message ends.
        let mut split = records(&ch, 15);
        split.truncate(20);
        split.extend_from_slice(&[0x14, 3, 3, 0, 1, 1]);
        assert_eq!(
            first_handshake_message(&split, 1 << 16),
            malformed("not a handshake record")
        );
        // The same bytes inside a longer record are just part of its payload.
        let inside = [&stream[..20], &[0x14, 3, 3, 0, 1, 1][..]].concat();
        assert_eq!(first_handshake_message(&inside, 1 << 16), Ok(None));
        // Longer than `max`: refused as soon as the message header is in.
        assert_eq!(
            first_handshake_message(&stream[..9], ch.len() - 1),
            Err(Error::Malformed {
                what: "tls handshake message",
                why: "longer than the accepted maximum"
            })
        );
        assert_eq!(first_handshake_message(&stream, ch.len()), Ok(Some(ch)));
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_tls(OPENSSL_TLS13_CLIENT));
        assert!(looks_like_tls(&[0x16, 3, 0]));
        assert!(looks_like_tls(&[0x16, 3, 4, 0x40, 0]));
        assert!(!looks_like_tls(&[0x16, 3]));
        assert!(!looks_like_tls(&[0x16, 3, 5]));
        assert!(!looks_like_tls(&[0x17, 3, 3, 0, 10]));
        assert!(!looks_like_tls(&[0x16, 3, 1, 0, 0]));
        assert!(!looks_like_tls(b"\x16\x03\x01\xff\xff"));
        assert!(!looks_like_tls(b"POST /mmtls/1234abcd HTTP/1.1"));
    }

    #[test]
    fn grease_and_ech_kept_in_wire_order() {
        let msg = build_client_hello(
            &[0x3a3a, 0x1301, 0x1302],
            &[
                (0xdada, vec![]),
                sni_ext("outer.example"),
                u16_list_ext(EXT_SUPPORTED_GROUPS, &[0x8a8a, 0x001d]),
                versions_ext(&[0x2a2a, 0x0304, 0x0303]),
                (EXT_ECH, vec![0, 0, 1, 0, 1, 7]),
                (0x4a4a, vec![0]),
            ],
        );
        let ch = parse_client(&msg).unwrap();
        assert_eq!(ch.cipher_suites, [0x3a3a, 0x1301, 0x1302]);
        assert_eq!(
            ch.extensions,
            [
                0xdada,
                EXT_SERVER_NAME,
                EXT_SUPPORTED_GROUPS,
                EXT_SUPPORTED_VERSIONS,
                EXT_ECH,
                0x4a4a
            ]
        );
        assert_eq!(ch.supported_groups, [0x8a8a, 0x001d]);
        assert_eq!(ch.supported_versions, [0x2a2a, 0x0304, 0x0303]);
        assert_eq!(ch.max_version(), 0x0304);
        assert_eq!(ch.server_name.as_deref(), Some("outer.example"));
        assert!(ch.ech && !ch.esni);

        let ch =
            parse_client(&build_client_hello(&[0x1301], &[(EXT_ESNI, vec![1, 2, 3])])).unwrap();
        assert!(ch.esni && !ch.ech);
        // Only GREASE in supported_versions: fall back to legacy_version.
        let ch = parse_client(&build_client_hello(&[0x1301], &[versions_ext(&[0x0a0a])])).unwrap();
        assert_eq!(ch.max_version(), 0x0303);
    }

    #[test]
    fn server_name_details() {
        // Non-host_name entries are skipped, the first host_name wins, bytes stay as sent.
        let list = [
            &[7][..],
            &vec16(b"other"),
            &[0],
            &vec16(b"caf\xc3\xa9.example"),
            &[0],
            &vec16(b"second"),
        ]
        .concat();
        let ch = parse_client(&build_client_hello(
            &[0x1301],
            &[(EXT_SERVER_NAME, vec16(&list))],
        ))
        .unwrap();
        assert_eq!(ch.server_name.as_deref(), Some("café.example"));
        let ch = parse_client(&build_client_hello(
            &[0x1301],
            &[sni_ext("bad\u{fffd}"), sni_ext("ignored")],
        ))
        .unwrap();
        assert_eq!(ch.server_name.as_deref(), Some("bad\u{fffd}"));
        assert_eq!(ch.extensions, [0, 0]);
        // ALPN names that are not UTF-8 keep their raw bytes.
        let ch = parse_client(&build_client_hello(
            &[0x1301],
            &[alpn_ext(&[b"\xff\x01", b"h3"])],
        ))
        .unwrap();
        assert_eq!(ch.alpn, ["\u{fffd}\u{1}", "h3"]);
        assert_eq!(ch.alpn_raw[0], [0xff, 0x01]);
    }

    #[test]
    fn hello_without_extensions() {
        // An SSL 3.0-era hello ends after the compression methods.
        let body = [
            &[3, 0][..],
            &[0; 32],
            &[0],
            &vec16(&[0, 0x0a, 0, 0x05]),
            &[1, 0],
        ]
        .concat();
        let ch = parse_client(&handshake(HANDSHAKE_CLIENT_HELLO, &body)).unwrap();
        assert_eq!(
            (ch.legacy_version, ch.cipher_suites.as_slice()),
            (0x0300, &[0x000a, 0x0005][..])
        );
        assert!(ch.extensions.is_empty());
        assert_eq!(ch.max_version(), 0x0300);
    }

    #[test]
    fn malformed_hellos() {
        let good = build_client_hello(&[0x1301], &[sni_ext("a.example")]);
        // Every truncation of the message is reported, never read past.
        for cut in 0..good.len() {
            assert!(parse_handshake(&good[..cut]).is_err(), "{cut}");
        }
        let bad = |body: &[u8]| parse_handshake(&handshake(HANDSHAKE_CLIENT_HELLO, body));
        let head = [&[3, 3][..], &[0; 32]].concat();
        assert_eq!(
            bad(&[&head[..], &vec8(&[0; 33]), &vec16(&[0x13, 0x01]), &[1, 0]].concat()),
            Err(Error::Malformed {
                what: "client hello",
                why: "session id longer than 32 bytes"
            })
        );
        assert_eq!(
            bad(&[&head[..], &[0], &vec16(&[0x13, 0x01, 0x13]), &[1, 0]].concat()),
            Err(Error::Malformed {
                what: "client hello cipher suites",
                why: "odd length for a list of 16-bit values"
            })
        );
        assert_eq!(
            bad(&[
                &head[..],
                &[0],
                &vec16(&[0x13, 0x01]),
                &[1, 0],
                &vec16(&[]),
                &[0]
            ]
            .concat()),
            Err(Error::Malformed {
                what: "client hello",
                why: "bytes after the extensions"
            })
        );
        let sni_with_tail = (EXT_SERVER_NAME, [&sni_ext("a").1[..], &[0]].concat());
        assert_eq!(
            parse_handshake(&build_client_hello(&[0x1301], &[sni_with_tail])),
            Err(Error::Malformed {
                what: "server_name extension",
                why: "bytes after the extension's contents"
            })
        );
        assert_eq!(
            parse_handshake(&build_client_hello(
                &[0x1301],
                &[(EXT_SUPPORTED_VERSIONS, vec![3, 3, 4, 3])]
            )),
            Err(Error::Malformed {
                what: "supported_versions extension",
                why: "odd length for a list of 16-bit values"
            })
        );
        assert_eq!(
            parse_handshake(&[1, 0, 0]),
            Err(Error::Truncated("handshake header"))
        );
        assert_eq!(
            parse_handshake(&[1, 0, 0, 5, 3]),
            Err(Error::Truncated("handshake message"))
        );
    }

    #[test]
    fn other_handshake_types() {
        assert_eq!(
            parse_handshake(&handshake(11, &[0; 7])),
            Ok(Handshake::Other(11))
        );
        assert_eq!(parse_handshake(&[20, 0, 0, 0]), Ok(Handshake::Other(20)));
    }

    #[test]
    fn grease_values() {
        // RFC 8701 section 2: 0x0A0A, 0x1A1A, ..., 0xFAFA.
        let all: Vec<u16> = (0..=0xffff).filter(|&v| is_grease(v)).collect();
        let expected: Vec<u16> = (0..16).map(|i| 0x0a0a + i * 0x1010).collect();
        assert_eq!(all, expected);
    }

    #[test]
    fn version_names() {
        assert_eq!(version_name(0x0304), "TLS 1.3");
        assert_eq!(version_name(0x0303), "TLS 1.2");
        assert_eq!(version_name(0x0302), "TLS 1.1");
        assert_eq!(version_name(0x0301), "TLS 1.0");
        assert_eq!(version_name(0x0300), "SSL 3.0");
        assert_eq!(version_name(0x0002), "SSL 2.0");
        assert_eq!(version_name(0x7f1c), "TLS 1.3 draft");
        assert_eq!(version_name(0x0a0a), "unknown");
        assert_eq!(version_name(0xfefd), "unknown");
    }

    #[test]
    fn weak_ciphers_follow_the_registry() {
        use tls_parser::{TlsCipherEnc, TlsCipherSuite};
        // tls-parser's table is generated from the IANA registry (plus the EXPORT1024 drafts):
        // check the rule against every suite it knows, and that nothing else is flagged.
        let mut known = 0;
        for id in 0..=0xffff {
            let Some(cs) = TlsCipherSuite::from_id(id) else {
                assert_eq!(weak_cipher(id), None, "{id:#06x} is not a registered suite");
                continue;
            };
            known += 1;
            let signalling = cs.name.ends_with("_SCSV");
            let weak_enc = matches!(
                cs.enc,
                TlsCipherEnc::Null
                    | TlsCipherEnc::Rc4
                    | TlsCipherEnc::Rc2
                    | TlsCipherEnc::Des
                    | TlsCipherEnc::TripleDes
                    | TlsCipherEnc::Idea
            );
            let expected = !signalling
                && (weak_enc || cs.name.contains("_anon_") || cs.name.contains("EXPORT"));
            assert_eq!(weak_cipher(id).is_some(), expected, "{id:#06x} {}", cs.name);
        }
        assert!(known > 300);
        assert_eq!(weak_cipher(0x0003), Some("export-grade key"));
        assert_eq!(weak_cipher(0x0018), Some("anonymous key exchange"));
        assert_eq!(weak_cipher(0xc011), Some("RC4"));
        assert_eq!(weak_cipher(0x000a), Some("3DES (64-bit block)"));
        assert_eq!(weak_cipher(0xc0b4), Some("NULL encryption"));
        assert_eq!(weak_cipher(0x1301), None);
        assert_eq!(weak_cipher(0xc02f), None);
        assert_eq!(weak_cipher(0x00ff), None);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = parse_handshake(&data);
            let _ = first_handshake_message(&data, 300);
            let _ = looks_like_tls(&data);
        }

        #[test]
        fn arbitrary_bytes_after_a_hello_header(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            // Start with a plausible header so the fuzzing reaches the extension walk.
            let body = [&[3, 3][..], &[0; 32], &[0], &vec16(&[0x13, 0x01]), &[1, 0], &vec16(&tail)].concat();
            let _ = parse_handshake(&handshake(HANDSHAKE_CLIENT_HELLO, &body));
            let _ = parse_handshake(&handshake(HANDSHAKE_SERVER_HELLO, &[&[3, 3][..], &[0; 32], &[0, 0x13, 1, 0], &vec16(&tail)].concat()));
        }

        #[test]
        fn changed_real_hello_never_panics(at in 0usize..517, xor in 1u8..=255) {
            let mut stream = CURL_CLIENT.to_vec();
            stream[at] ^= xor;
            if let Ok(Some(msg)) = first_handshake_message(&stream, 1 << 16) {
                let _ = parse_handshake(&msg);
            }
        }

        #[test]
        fn any_record_split_gives_the_same_message(fragment in 1usize..400, cut in 0usize..600) {
            let msg = first_handshake_message(CURL_CLIENT, 1 << 16).unwrap().unwrap();
            let stream = records(&msg, fragment);
            let cut = cut.min(stream.len());
            let expected = if cut == stream.len() { Some(msg) } else { None };
            proptest::prop_assert_eq!(first_handshake_message(&stream[..cut], 1 << 16), Ok(expected));
        }
    }
}
