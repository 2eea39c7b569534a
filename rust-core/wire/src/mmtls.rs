//! WeChat's MMTLS: the record layer, and the cleartext ClientHello and ServerHello an on-path
//! observer can read.
//!
//! MMTLS is WeChat's own TLS 1.3 derivative. It runs directly over TCP on the "long link" (port
//! 8080, also 80 and 443) and as the body of `POST /mmtls/<8 hex>` HTTP requests and their
//! responses on the "short link". Sources of the layout (facts only, no code taken): Citizen Lab's
//! `citizenlab/wechat-security-report`, `docs/mmtls-network-format.md`, checked byte by byte
//! against the capture in the same repository (see the test `citizen_lab_capture_agrees`), and
//! WeChat's own design note "基于TLS1.3的微信安全通信协议mmtls介绍" (`WeMobileDev/article`), as
//! summarised in `research/tencent-facts.md` sections 1.2 to 1.4.
//!
//! Record: `type(1) | F1 04 | length(2) | body`, all integers big-endian. Types: 0x15 alert,
//! 0x16 handshake, 0x17 application data, 0x19 0-RTT handshake (the PSK ClientHello of a short
//! link and its encrypted extensions).
//!
//! Handshake record body: `section_length(4) | type(1) | ...`, where type 1 is a ClientHello and
//! 2 a ServerHello. The ClientHello is
//! `01 | version(2) | n(1) | n suites(2 each) | client_random(32) | timestamp(4) |
//! extensions_length(4) | n_ext(1) | n_ext x (ext_length(4) | ext_type(2) | ext body)`.
//! Extension 0x000F carries PSKs: `count(1)`, then per PSK `length(4) | ticket_index(1) |
//! lifetime_hint(4) | ticket_time_add(2) | 4 unnamed bytes | nonce_length(2) | nonce |
//! ticket_length(2) | ticket`. Extension 0x0010 carries ECDH key shares: `count(1)`, then per
//! share `length(4) | key_index(4) | point_length(2) | point` (a 65-byte uncompressed P-256
//! point). Citizen Lab's note reads `00 0F 01` and `00 10 02` as 3-byte extension headers; the
//! third byte is read here as the count, since it equals the number of entries that follow.
//! Bytes after the entries are ignored (the key share extensions in Citizen Lab's capture end
//! with 13 bytes the note does not mention), as are extensions of other types. The
//! ServerHello is `02 | version(2) | suite(2) | server_random(32) | extensions_length(4) |
//! n_ext(1) | extensions`, with the server key share in extension 0x0011 (`key_index(4) |
//! point_length(2) | point`).
//!
//! The handshake version is sent low byte first: the bytes `04 F1` are version 0xF104, the same
//! value as the record layer's `F1 04` (Citizen Lab's format note shows `03 F1`, 0xF103, from an
//! older build). It is read that way here and must have the high byte 0xF1.
//!
//! Everything after the ServerHello (certificate, session ticket, Finished, application data,
//! alerts) is encrypted; those records are framed by [`parse_record`] but their bodies are not
//! parsed.

use crate::bytes::be16;
use crate::tls::Reader;
use crate::{Error, Result};

/// Record type of an alert (also closes 0-RTT early data).
pub const RECORD_ALERT: u8 = 0x15;
/// Record type of a handshake record: hellos in clear, later messages encrypted.
pub const RECORD_HANDSHAKE: u8 = 0x16;
/// Record type of application data.
pub const RECORD_DATA: u8 = 0x17;
/// Record type of a 0-RTT handshake record: the PSK ClientHello of a short link, then its
/// encrypted extensions.
pub const RECORD_EARLY: u8 = 0x19;

/// The record-layer version, sent as the bytes `F1 04`; the handshake version field carries the
/// same value low byte first.
pub const VERSION: u16 = 0xF104;

/// Cipher suite ECDHE-ECDSA-AES128-GCM-SHA256 (offered in 1-RTT ECDHE hellos).
pub const SUITE_ECDHE_ECDSA_AES128_GCM_SHA256: u16 = 0xC02B;
/// Cipher suite PSK-AES128-GCM-SHA256 (resumption, and the only suite of 0-RTT hellos).
pub const SUITE_PSK_AES128_GCM_SHA256: u16 = 0x00A8;

/// Longest PSK ticket accepted; longer ones make the ClientHello an error. Tickets seen in
/// Citizen Lab's capture are 72 and 105 bytes.
pub const MAX_TICKET_LEN: usize = 4096;
/// Longest PSK nonce accepted (the nonces seen are 12 bytes).
const MAX_NONCE_LEN: usize = 255;

/// Length of the record header: type, version, length.
const RECORD_HEADER_LEN: usize = 5;
/// Handshake message type of a ClientHello.
const HANDSHAKE_CLIENT_HELLO: u8 = 1;
/// Handshake message type of a ServerHello.
const HANDSHAKE_SERVER_HELLO: u8 = 2;
/// ClientHello extension carrying PSK tickets.
const EXT_PSK: u16 = 0x000F;
/// ClientHello extension carrying ECDH key shares.
const EXT_CLIENT_KEY_SHARE: u16 = 0x0010;
/// ServerHello extension carrying the server's ECDH key share.
const EXT_SERVER_KEY_SHARE: u16 = 0x0011;
/// Length of the client and server randoms.
const RANDOM_LEN: usize = 32;

/// One MMTLS record: type byte, the 0xF1 0x04 version, a 2-byte length, the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The record type: one of the `RECORD_*` constants.
    pub kind: u8,
    /// The record body (length as announced, never empty).
    pub body: &'a [u8],
}

/// A pre-shared-key ticket offered in a ClientHello, sent in clear. The same ticket recurs on
/// every connection until the PSK rotates, so it links connections of one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Psk {
    /// Which of the client's tickets this is (2 on the long-lived PSK of a 1-RTT hello, 1 on the
    /// short-lived one of 0-RTT hellos in Citizen Lab's capture).
    pub ticket_index: u8,
    /// Ticket lifetime hint in seconds (30 or 7 days in Citizen Lab's capture).
    pub lifetime_hint: u32,
    /// The ticket nonce, as sent (at most 255 bytes).
    pub nonce: Vec<u8>,
    /// The ticket, as sent (at most [`MAX_TICKET_LEN`] bytes).
    pub ticket: Vec<u8>,
}

/// What an MMTLS ClientHello tells an on-path observer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello {
    /// Sent in a 0x19 (0-RTT) record rather than a 0x16 one.
    pub early: bool,
    /// The handshake version, read low byte first: 0xF104 from the bytes `04 F1`.
    pub version: u16,
    /// Cipher suites offered, in wire order (e.g. `[0xC02B, 0x00A8]`).
    pub cipher_suites: Vec<u16>,
    /// The client random.
    pub client_random: [u8; 32],
    /// The client's clock, in UNIX seconds, sent in clear.
    pub timestamp: u32,
    /// The first PSK of the PSK extension (0x000F), if there is one.
    pub psk: Option<Psk>,
    /// Number of ECDH key shares in the key share extension (0x0010); 0 without one.
    pub key_shares: usize,
}

/// What an MMTLS ServerHello tells an on-path observer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// The handshake version, read low byte first: 0xF104 from the bytes `04 F1`.
    pub version: u16,
    /// The cipher suite the server chose.
    pub cipher_suite: u16,
    /// The server random.
    pub server_random: [u8; 32],
    /// The server sent an ECDH key share (extension 0x0011): a 1-RTT ECDHE handshake. PSK
    /// handshakes carry none.
    pub key_share: bool,
}

/// The handshake message carried by a handshake record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    /// A ClientHello.
    ClientHello(ClientHello),
    /// A ServerHello.
    ServerHello(ServerHello),
    /// A well-framed message of another type, by its type byte; its body is not parsed.
    Other(u8),
}

/// Cheap sniff on the first bytes of a stream or HTTP body: type in {15,16,17,19}, then F1 04.
/// Needs at least 3 bytes; when 5 are present the record length must also be non-zero.
pub fn looks_like_mmtls(prefix: &[u8]) -> bool {
    prefix.len() >= 3 && parse_record(prefix).is_ok()
}

/// The record at the start of `buf`: Ok(None) when incomplete, Err when not an MMTLS record.
/// Returns the record and the bytes it takes.
///
/// Not a record: a type byte other than 0x15, 0x16, 0x17 or 0x19, version bytes other than
/// `F1 04`, or a zero length (every known record has a body; encrypted ones at least a 16-byte
/// tag). Each is rejected as soon as its bytes are present, so a short non-MMTLS prefix is an
/// error rather than "incomplete".
pub fn parse_record(buf: &[u8]) -> Result<Option<(Record<'_>, usize)>> {
    const WHAT: &str = "mmtls record";
    let Some(&kind) = buf.first() else {
        return Ok(None);
    };
    if !matches!(
        kind,
        RECORD_ALERT | RECORD_HANDSHAKE | RECORD_DATA | RECORD_EARLY
    ) {
        return Err(Error::Malformed {
            what: WHAT,
            why: "unknown record type",
        });
    }
    let [high, low] = VERSION.to_be_bytes();
    for (at, want) in [(1, high), (2, low)] {
        match buf.get(at) {
            None => return Ok(None),
            Some(&b) if b != want => {
                return Err(Error::Malformed {
                    what: WHAT,
                    why: "version bytes are not F1 04",
                });
            }
            Some(_) => {}
        }
    }
    let Some(len) = be16(buf, 3) else {
        return Ok(None);
    };
    if len == 0 {
        return Err(Error::Malformed {
            what: WHAT,
            why: "empty record",
        });
    }
    let total = RECORD_HEADER_LEN + usize::from(len);
    Ok(buf
        .get(RECORD_HEADER_LEN..total)
        .map(|body| (Record { kind, body }, total)))
}

/// Parses the handshake message carried by a 0x16 or 0x19 record body (the 4-byte section
/// length, then type ...). Encrypted handshake records (certificate, ticket, finished) are
/// `Other` or an error, never a panic.
///
/// The section must fit in the record; bytes after it are ignored. Other record types are an
/// error.
pub fn parse_handshake(record: &Record<'_>) -> Result<Handshake> {
    const WHAT: &str = "mmtls handshake";
    if record.kind != RECORD_HANDSHAKE && record.kind != RECORD_EARLY {
        return Err(Error::Malformed {
            what: WHAT,
            why: "not a handshake record",
        });
    }
    let mut r = Reader::new(record.body);
    let mut section = Reader::new(vec32(&mut r, WHAT)?);
    match section.u8(WHAT)? {
        HANDSHAKE_CLIENT_HELLO => {
            client_hello(&mut section, record.kind == RECORD_EARLY).map(Handshake::ClientHello)
        }
        HANDSHAKE_SERVER_HELLO => server_hello(&mut section).map(Handshake::ServerHello),
        other => Ok(Handshake::Other(other)),
    }
}

/// Human name of a suite: 0xC02B "ECDHE-ECDSA-AES128-GCM-SHA256", 0x00A8
/// "PSK-AES128-GCM-SHA256", else "unknown".
pub fn suite_name(s: u16) -> &'static str {
    match s {
        SUITE_ECDHE_ECDSA_AES128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        SUITE_PSK_AES128_GCM_SHA256 => "PSK-AES128-GCM-SHA256",
        _ => "unknown",
    }
}

/// The ClientHello after its type byte.
fn client_hello(r: &mut Reader<'_>, early: bool) -> Result<ClientHello> {
    const WHAT: &str = "mmtls client hello";
    let version = version(r, WHAT)?;
    let n = r.u8(WHAT)?;
    if n == 0 {
        return Err(Error::Malformed {
            what: WHAT,
            why: "no cipher suites",
        });
    }
    let (suites, _) = r.take(usize::from(n) * 2, WHAT)?.as_chunks::<2>();
    let cipher_suites = suites.iter().map(|&s| u16::from_be_bytes(s)).collect();
    let client_random = random(r, WHAT)?;
    let timestamp = r.u32(WHAT)?;

    let mut psk = None;
    let mut key_shares = 0;
    let mut exts = Reader::new(vec32(r, "mmtls client hello extensions")?);
    for _ in 0..exts.u8("mmtls client hello extensions")? {
        let mut ext = Reader::new(vec32(&mut exts, "mmtls client hello extension")?);
        match ext.u16("mmtls client hello extension")? {
            EXT_PSK => {
                const WHAT: &str = "mmtls psk extension";
                for _ in 0..ext.u8(WHAT)? {
                    let entry = self::psk(&mut Reader::new(vec32(&mut ext, WHAT)?))?;
                    psk.get_or_insert(entry);
                }
            }
            EXT_CLIENT_KEY_SHARE => {
                const WHAT: &str = "mmtls key share extension";
                for _ in 0..ext.u8(WHAT)? {
                    key_share(&mut Reader::new(vec32(&mut ext, WHAT)?), WHAT)?;
                    key_shares += 1;
                }
            }
            _ => {}
        }
    }
    Ok(ClientHello {
        early,
        version,
        cipher_suites,
        client_random,
        timestamp,
        psk,
        key_shares,
    })
}

/// One PSK entry of the PSK extension, after its length.
fn psk(r: &mut Reader<'_>) -> Result<Psk> {
    const WHAT: &str = "mmtls psk";
    let ticket_index = r.u8(WHAT)?;
    let lifetime_hint = r.u32(WHAT)?;
    // ticket_time_add(2) and four bytes Citizen Lab leaves unnamed.
    r.take(6, WHAT)?;
    let nonce = r.vec16(WHAT)?;
    if nonce.len() > MAX_NONCE_LEN {
        return Err(Error::Malformed {
            what: WHAT,
            why: "nonce longer than 255 bytes",
        });
    }
    let ticket = r.vec16(WHAT)?;
    if ticket.len() > MAX_TICKET_LEN {
        return Err(Error::Malformed {
            what: WHAT,
            why: "ticket longer than 4096 bytes",
        });
    }
    Ok(Psk {
        ticket_index,
        lifetime_hint,
        nonce: nonce.to_vec(),
        ticket: ticket.to_vec(),
    })
}

/// A key share: `key_index(4) | point_length(2) | point`, the point not empty.
fn key_share(r: &mut Reader<'_>, what: &'static str) -> Result<()> {
    r.u32(what)?;
    if r.vec16(what)?.is_empty() {
        return Err(Error::Malformed {
            what,
            why: "empty key share",
        });
    }
    Ok(())
}

/// The ServerHello after its type byte.
fn server_hello(r: &mut Reader<'_>) -> Result<ServerHello> {
    const WHAT: &str = "mmtls server hello";
    let version = version(r, WHAT)?;
    let cipher_suite = r.u16(WHAT)?;
    let server_random = random(r, WHAT)?;
    let mut key_share = false;
    let mut exts = Reader::new(vec32(r, "mmtls server hello extensions")?);
    for _ in 0..exts.u8("mmtls server hello extensions")? {
        let mut ext = Reader::new(vec32(&mut exts, "mmtls server hello extension")?);
        if ext.u16("mmtls server hello extension")? == EXT_SERVER_KEY_SHARE {
            self::key_share(&mut ext, "mmtls server key share")?;
            key_share = true;
        }
    }
    Ok(ServerHello {
        version,
        cipher_suite,
        server_random,
        key_share,
    })
}

/// The handshake version: two bytes, low byte first, high byte 0xF1.
fn version(r: &mut Reader<'_>, what: &'static str) -> Result<u16> {
    let v = r.u16(what)?.swap_bytes();
    if v >> 8 != VERSION >> 8 {
        return Err(Error::Malformed {
            what,
            why: "handshake version is not 0xF1xx",
        });
    }
    Ok(v)
}

/// A 32-byte hello random.
fn random(r: &mut Reader<'_>, what: &'static str) -> Result<[u8; RANDOM_LEN]> {
    r.take(RANDOM_LEN, what)?
        .try_into()
        .map_err(|_| Error::Truncated(what))
}

/// A vector with a 4-byte big-endian length prefix.
fn vec32<'a>(r: &mut Reader<'a>, what: &'static str) -> Result<&'a [u8]> {
    let n = r.u32(what)?;
    let n = usize::try_from(n).map_err(|_| Error::Truncated(what))?;
    r.take(n, what)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tls::tests::unhex;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    // Vectors written by hand from the layouts in the module documentation (Citizen Lab's format
    // note). Randoms, keys, nonces and tickets are made up.

    /// 1-RTT ECDHE ClientHello: two suites, a 30-day PSK and two key shares.
    const CLIENT_HELLO_1RTT: &str = concat!(
        "16 f104 0108", // record: handshake, F1 04, 264 bytes
        "00000104",     // section: 260 bytes
        "01 04f1",      // ClientHello, version 0xF104
        "02 c02b 00a8", // two suites
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", // client random
        "656e783b",     // timestamp 1701738555 (2023-12-05)
        "000000d4 02",  // extensions: 212 bytes, 2 of them
        "00000032 000f 01", // PSK extension, 50 bytes, 1 PSK
        "0000002b 02 00278d00 0000 00000048", // 43 bytes: index 2, 30 days, time add, unnamed
        "000c c0c1c2c3c4c5c6c7c8c9cacb", // nonce
        "0010 d0d1d2d3d4d5d6d7d8d9dadbdcdddedf", // ticket
        "00000099 0010 02", // key share extension, 153 bytes, 2 shares
        "00000047 00000001 0041 04",
        "11111111111111111111111111111111111111111111111111111111111111111111111111111111",
        "111111111111111111111111111111111111111111111111",
        "00000047 00000002 0041 04",
        "22222222222222222222222222222222222222222222222222222222222222222222222222222222",
        "222222222222222222222222222222222222222222222222",
    );

    /// 0-RTT ClientHello: one PSK suite and a 7-day PSK, in a 0x19 record.
    const CLIENT_HELLO_0RTT: &str = concat!(
        "19 f104 0069",    // record: 0-RTT handshake, 105 bytes
        "00000065",        // section: 101 bytes
        "01 04f1 01 00a8", // ClientHello, version 0xF104, one suite
        "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf", // client random
        "656e7841",        // timestamp
        "00000037 01",     // extensions: 55 bytes, 1 of them
        "00000032 000f 01", // PSK extension, 1 PSK
        "0000002b 01 00093a80 0000 0000003d", // index 1, 7 days
        "000c e0e1e2e3e4e5e6e7e8e9eaeb", // nonce
        "0010 f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", // ticket
    );

    /// 1-RTT ECDHE ServerHello with the server key share and extension 0x0013.
    const SERVER_HELLO_1RTT: &str = concat!(
        "16 f104 0089", // record: handshake, 137 bytes
        "00000085",     // section: 133 bytes
        "02 04f1 c02b", // ServerHello, version 0xF104, ECDHE suite
        "5a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273747576777879", // server random
        "0000005c 02",  // extensions: 92 bytes, 2 of them
        "00000049 0011 00000001 0041 04", // server key share, key index 1
        "33333333333333333333333333333333333333333333333333333333333333333333333333333333",
        "333333333333333333333333333333333333333333333333",
        "0000000a 0013 00000001 00000003", // extension 0x0013
    );

    /// PSK ServerHello (1-RTT PSK or 0-RTT): no extensions.
    const SERVER_HELLO_PSK: &str = concat!(
        "16 f104 002e", // record: handshake, 46 bytes
        "0000002a",     // section: 42 bytes
        "02 04f1 00a8", // ServerHello, PSK suite
        "909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf", // server random
        "00000001 00",  // extensions: 1 byte, none
    );

    /// An alert closing early data: encrypted, 23 bytes.
    const ALERT: &str = "15 f104 0017 0102030405060708090a0b0c0d0e0f1011121314151617";

    /// An encrypted handshake record (e.g. the certificate): its first four bytes are no length.
    const ENCRYPTED_HANDSHAKE: &str = concat!(
        "16 f104 0037",
        "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
        "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
    );

    fn record(bytes: &[u8]) -> Record<'_> {
        let (rec, used) = parse_record(bytes).unwrap().unwrap();
        assert_eq!(used, bytes.len());
        rec
    }

    fn client_hello_of(bytes: &[u8]) -> ClientHello {
        match parse_handshake(&record(bytes)).unwrap() {
            Handshake::ClientHello(ch) => ch,
            other => panic!("not a ClientHello: {other:?}"),
        }
    }

    fn server_hello_of(bytes: &[u8]) -> ServerHello {
        match parse_handshake(&record(bytes)).unwrap() {
            Handshake::ServerHello(sh) => sh,
            other => panic!("not a ServerHello: {other:?}"),
        }
    }

    fn all_vectors() -> Vec<Vec<u8>> {
        [
            CLIENT_HELLO_1RTT,
            CLIENT_HELLO_0RTT,
            SERVER_HELLO_1RTT,
            SERVER_HELLO_PSK,
            ALERT,
            ENCRYPTED_HANDSHAKE,
        ]
        .iter()
        .map(|h| unhex(h))
        .collect()
    }

    #[test]
    fn one_rtt_client_hello() {
        let ch = client_hello_of(&unhex(CLIENT_HELLO_1RTT));
        assert_eq!(
            ch,
            ClientHello {
                early: false,
                version: 0xF104,
                cipher_suites: vec![0xC02B, 0x00A8],
                client_random: core::array::from_fn(|i| i as u8),
                timestamp: 1_701_738_555,
                psk: Some(Psk {
                    ticket_index: 2,
                    lifetime_hint: 30 * 24 * 3600,
                    nonce: unhex("c0c1c2c3c4c5c6c7c8c9cacb"),
                    ticket: unhex("d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"),
                }),
                key_shares: 2,
            }
        );
    }

    #[test]
    fn zero_rtt_client_hello() {
        let ch = client_hello_of(&unhex(CLIENT_HELLO_0RTT));
        assert!(ch.early);
        assert_eq!(ch.version, VERSION);
        assert_eq!(ch.cipher_suites, [SUITE_PSK_AES128_GCM_SHA256]);
        assert_eq!(ch.client_random[0], 0xa0);
        assert_eq!(ch.client_random[31], 0xbf);
        assert_eq!(ch.timestamp, 0x656e_7841);
        assert_eq!(ch.key_shares, 0);
        let psk = ch.psk.unwrap();
        assert_eq!(psk.ticket_index, 1);
        assert_eq!(psk.lifetime_hint, 7 * 24 * 3600);
        assert_eq!(psk.nonce, unhex("e0e1e2e3e4e5e6e7e8e9eaeb"));
        assert_eq!(psk.ticket, unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"));
    }

    #[test]
    fn the_same_hello_in_a_handshake_record_is_not_early() {
        let mut bytes = unhex(CLIENT_HELLO_0RTT);
        bytes[0] = RECORD_HANDSHAKE;
        let ch = client_hello_of(&bytes);
        assert!(!ch.early);
        assert_eq!(ch.psk.unwrap().lifetime_hint, 604_800);
    }

    #[test]
    fn server_hellos() {
        let sh = server_hello_of(&unhex(SERVER_HELLO_1RTT));
        assert_eq!(
            sh,
            ServerHello {
                version: 0xF104,
                cipher_suite: 0xC02B,
                server_random: core::array::from_fn(|i| 0x5a + i as u8),
                key_share: true,
            }
        );
        let sh = server_hello_of(&unhex(SERVER_HELLO_PSK));
        assert_eq!(sh.cipher_suite, SUITE_PSK_AES128_GCM_SHA256);
        assert_eq!(sh.server_random[0], 0x90);
        assert!(!sh.key_share);
    }

    #[test]
    fn older_handshake_version_reads_as_f103() {
        // Citizen Lab's format note shows `01 03 F1`.
        let mut bytes = unhex(CLIENT_HELLO_0RTT);
        bytes[10] = 0x03;
        assert_eq!(client_hello_of(&bytes).version, 0xF103);
        // A high byte other than 0xF1 is not MMTLS.
        let mut bytes = unhex(CLIENT_HELLO_0RTT);
        bytes[11] = 0x03;
        assert!(parse_handshake(&record(&bytes)).is_err());
    }

    #[test]
    fn alert_and_data_records_frame_but_are_no_handshake() {
        let alert = unhex(ALERT);
        let rec = record(&alert);
        assert_eq!(rec.kind, RECORD_ALERT);
        assert_eq!(rec.body.len(), 23);
        assert!(parse_handshake(&rec).is_err());

        let data = unhex("17 f104 0003 aabbcc");
        let rec = record(&data);
        assert_eq!((rec.kind, rec.body), (RECORD_DATA, &[0xaa, 0xbb, 0xcc][..]));
        assert!(parse_handshake(&rec).is_err());
    }

    #[test]
    fn encrypted_handshake_records_are_errors_or_other() {
        let bytes = unhex(ENCRYPTED_HANDSHAKE);
        assert!(parse_handshake(&record(&bytes)).is_err());
        // Ciphertext whose first bytes happen to frame a section: not a hello, so `Other`.
        let bytes = unhex("16 f104 0008 00000004 04 9a9b9c");
        assert_eq!(parse_handshake(&record(&bytes)), Ok(Handshake::Other(4)));
        // ... or a hello that does not parse: an error.
        let bytes = unhex("19 f104 0008 00000004 01 9a9b9c");
        assert!(parse_handshake(&record(&bytes)).is_err());
    }

    #[test]
    fn records_follow_each_other() {
        // A short-link request body: 0-RTT hello, encrypted extensions, early data, alert.
        let stream = [
            unhex(CLIENT_HELLO_0RTT),
            unhex("19 f104 0004 01020304"),
            unhex("17 f104 0002 0506"),
            unhex(ALERT),
        ]
        .concat();
        let mut rest = &stream[..];
        let mut kinds = Vec::new();
        while let Some((rec, used)) = parse_record(rest).unwrap() {
            kinds.push(rec.kind);
            rest = &rest[used..];
        }
        assert!(rest.is_empty());
        assert_eq!(kinds, [0x19, 0x19, 0x17, 0x15]);
    }

    #[test]
    fn what_is_not_a_record() {
        for bad in [
            "16 0301 0005",         // TLS
            "18 f104 0001 00",      // unknown type
            "16 f103 0001 00",      // other version
            "17 f104 0000",         // empty
            "504f5354202f6d6d746c", // "POST /mmtl"
        ] {
            let bytes = unhex(bad);
            assert!(parse_record(&bytes).is_err(), "{bad}");
            assert!(!looks_like_mmtls(&bytes), "{bad}");
        }
        // Rejected as soon as the wrong byte is there.
        assert!(parse_record(&[0x16, 0x03]).is_err());
        assert!(parse_record(&[0x47]).is_err());
        assert_eq!(parse_record(&[]), Ok(None));
        assert_eq!(parse_record(&[0x16, 0xf1]), Ok(None));
    }

    #[test]
    fn sniff() {
        assert!(looks_like_mmtls(&[0x16, 0xf1, 0x04]));
        assert!(looks_like_mmtls(&[0x19, 0xf1, 0x04, 0x00, 0xa1]));
        assert!(looks_like_mmtls(&unhex(ALERT)));
        assert!(!looks_like_mmtls(&[0x16, 0xf1]));
        assert!(!looks_like_mmtls(&[0x16, 0x03, 0x01, 0x02, 0x00]));
    }

    #[test]
    fn every_prefix_is_incomplete() {
        for bytes in all_vectors() {
            for cut in 0..bytes.len() {
                assert_eq!(parse_record(&bytes[..cut]), Ok(None), "cut at {cut}");
            }
        }
    }

    #[test]
    fn every_cut_body_is_an_error() {
        for bytes in all_vectors() {
            let rec = record(&bytes);
            for cut in 0..rec.body.len() {
                let short = Record {
                    kind: rec.kind,
                    body: &rec.body[..cut],
                };
                assert!(parse_handshake(&short).is_err(), "cut at {cut}");
            }
        }
    }

    #[test]
    fn length_fields_that_overrun_are_errors() {
        let bytes = unhex(CLIENT_HELLO_1RTT);
        let body = &bytes[RECORD_HEADER_LEN..];
        // Each 4-byte length of the hello, set one too large: section, extensions, PSK
        // extension, PSK entry, key share extension, first key share.
        for at in [0, 48, 53, 60, 107, 114] {
            let mut changed = body.to_vec();
            let n = u32::from_be_bytes(changed[at..at + 4].try_into().unwrap());
            changed[at..at + 4].copy_from_slice(&(n + 1).to_be_bytes());
            let rec = Record {
                kind: RECORD_HANDSHAKE,
                body: &changed,
            };
            assert!(parse_handshake(&rec).is_err(), "length at {at}");
        }
    }

    #[test]
    fn long_tickets_and_empty_suite_lists_are_rejected() {
        // A ticket one byte over the bound, with every length adjusted.
        let ticket = vec![0x5a; MAX_TICKET_LEN + 1];
        let psk = [
            &[1][..],
            &604_800u32.to_be_bytes(),
            &[0; 6],
            &[0, 1, 0x77],
            &(ticket.len() as u16).to_be_bytes(),
            &ticket,
        ]
        .concat();
        let hello = build_client_hello(&[0x00a8], &[ext(EXT_PSK, &list(&[psk]))]);
        assert!(parse_handshake(&hello.as_record(RECORD_EARLY)).is_err());

        let hello = build_client_hello(&[], &[]);
        assert!(parse_handshake(&hello.as_record(RECORD_HANDSHAKE)).is_err());
    }

    #[test]
    fn hellos_without_psk_or_with_unknown_extensions() {
        let share = [&1u32.to_be_bytes()[..], &[0, 2, 4, 9]].concat();
        let hello = build_client_hello(
            &[0xc02b],
            &[
                ext(0x7777, b"unknown"),
                ext(EXT_CLIENT_KEY_SHARE, &list(&[share.clone(), share])),
            ],
        );
        let Handshake::ClientHello(ch) =
            parse_handshake(&hello.as_record(RECORD_HANDSHAKE)).unwrap()
        else {
            panic!("not a ClientHello")
        };
        assert_eq!((ch.psk, ch.key_shares), (None, 2));

        // An empty key share is malformed.
        let hello = build_client_hello(
            &[0xc02b],
            &[ext(
                EXT_CLIENT_KEY_SHARE,
                &list(&[[&1u32.to_be_bytes()[..], &[0, 0]].concat()]),
            )],
        );
        assert!(parse_handshake(&hello.as_record(RECORD_HANDSHAKE)).is_err());
    }

    #[test]
    fn suite_names() {
        assert_eq!(suite_name(0xC02B), "ECDHE-ECDSA-AES128-GCM-SHA256");
        assert_eq!(suite_name(0x00A8), "PSK-AES128-GCM-SHA256");
        assert_eq!(suite_name(0x1301), "unknown");
    }

    /// A handshake body (section length and all) built from parts, for variants of the vectors.
    struct Body(Vec<u8>);

    impl Body {
        fn as_record(&self, kind: u8) -> Record<'_> {
            Record {
                kind,
                body: &self.0,
            }
        }
    }

    fn u32_vec(data: &[u8]) -> Vec<u8> {
        [&(data.len() as u32).to_be_bytes()[..], data].concat()
    }

    fn ext(kind: u16, body: &[u8]) -> Vec<u8> {
        u32_vec(&[&kind.to_be_bytes()[..], body].concat())
    }

    /// Count byte, then each entry with a 4-byte length.
    fn list(entries: &[Vec<u8>]) -> Vec<u8> {
        let mut out = vec![entries.len() as u8];
        for e in entries {
            out.extend(u32_vec(e));
        }
        out
    }

    fn build_client_hello(suites: &[u16], exts: &[Vec<u8>]) -> Body {
        let mut hello = vec![HANDSHAKE_CLIENT_HELLO, 0x04, 0xf1, suites.len() as u8];
        for s in suites {
            hello.extend(s.to_be_bytes());
        }
        hello.extend([0x42; 32]);
        hello.extend(0x6000_0000u32.to_be_bytes());
        hello.extend(u32_vec(&[&[exts.len() as u8][..], &exts.concat()].concat()));
        Body(u32_vec(&hello))
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = looks_like_mmtls(&data);
            if let Ok(Some((rec, used))) = parse_record(&data) {
                proptest::prop_assert!(used <= data.len() && used == rec.body.len() + 5);
                let _ = parse_handshake(&rec);
            }
            for kind in [RECORD_HANDSHAKE, RECORD_EARLY] {
                let _ = parse_handshake(&Record { kind, body: &data });
            }
        }

        #[test]
        fn arbitrary_extensions_never_panic(
            kind in 0x000eu16..0x0013,
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
        ) {
            let hello = build_client_hello(&[0x00a8], &[ext(kind, &tail)]);
            let _ = parse_handshake(&hello.as_record(RECORD_EARLY));
            let server = u32_vec(&[&[2, 4, 0xf1, 0xc0, 0x2b][..], &[0; 32], &u32_vec(&[&[1][..], &ext(kind, &tail)].concat())].concat());
            let _ = parse_handshake(&Record { kind: RECORD_HANDSHAKE, body: &server });
        }

        #[test]
        fn changed_vectors_never_panic(which in 0usize..6, at in 0usize..300, xor in 1u8..=255) {
            let mut bytes = all_vectors().swap_remove(which);
            let at = at % bytes.len();
            bytes[at] ^= xor;
            if let Ok(Some((rec, _))) = parse_record(&bytes) {
                let _ = parse_handshake(&rec);
            }
        }
    }

    // --- Citizen Lab's capture, read at test time -------------------------------------------

    /// The third-party captures (never copied into this repository): `TELLTALE_CAPTURES`, else
    /// `../shared/captures` beside the repository.
    pub(crate) fn captures_root() -> PathBuf {
        std::env::var_os("TELLTALE_CAPTURES")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures")
            })
    }

    /// tshark's tab-separated `fields` of the packets matching `filter`; None (with a message)
    /// when tshark cannot be run.
    pub(crate) fn tshark(file: &Path, filter: &str, fields: &[&str]) -> Option<Vec<Vec<String>>> {
        let mut cmd = Command::new("tshark");
        cmd.arg("-n")
            .arg("-r")
            .arg(file)
            .args(["-Y", filter, "-T", "fields"]);
        for f in fields {
            cmd.args(["-e", f]);
        }
        let out = match cmd.output() {
            Ok(out) => out,
            Err(e) => {
                eprintln!("skipped: cannot run tshark: {e}");
                return None;
            }
        };
        // tshark exits non-zero on a capture cut short, after printing what it read.
        Some(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| l.split('\t').map(str::to_owned).collect())
                .collect(),
        )
    }

    /// The MMTLS bytes of a TCP payload: an HTTP message's body when it is one, else all of it.
    fn mmtls_part(payload: &[u8]) -> &[u8] {
        let http = payload.starts_with(b"POST ") || payload.starts_with(b"HTTP/");
        match payload.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(end) if http => &payload[end + 4..],
            _ => payload,
        }
    }

    #[test]
    fn citizen_lab_capture_agrees() {
        let file = captures_root()
            .join("other/citizenlab-wechat-security-report/capture-logged-in-all-keys.pcapng");
        if !file.is_file() {
            eprintln!("skipped: no capture at {}", file.display());
            return;
        }
        let fields = [
            "tcp.stream",
            "ip.dst",
            "tcp.srcport",
            "tcp.dstport",
            "tcp.payload",
        ];
        let Some(rows) = tshark(&file, "tcp.len>0", &fields) else {
            return;
        };
        // The first payload of each direction of each flow.
        let mut first: BTreeMap<(u32, bool), (String, String, Vec<u8>)> = BTreeMap::new();
        for row in &rows {
            let [stream, dst, sport, dport, payload] = &row[..] else {
                panic!("tshark row {row:?}")
            };
            let to_server = !matches!(sport.as_str(), "80" | "8080");
            first
                .entry((stream.parse().unwrap(), to_server))
                .or_insert_with(|| (dst.clone(), dport.clone(), unhex(payload)));
        }

        let day = 1_701_734_400..1_701_820_800; // 2023-12-05, UTC
        let (mut ecdhe, mut psk_1rtt, mut zero_rtt, mut servers) = (0, 0, 0, 0);
        // (nonce, ticket) -> the (stream, server address) pairs it was sent on.
        type Flows = BTreeSet<(u32, String)>;
        let mut short_tickets: BTreeMap<(Vec<u8>, Vec<u8>), Flows> = BTreeMap::new();
        let mut long_link_ticket = None;
        for (&(stream, to_server), (dst, dport, payload)) in &first {
            let is_http = payload.starts_with(b"POST ") || payload.starts_with(b"HTTP/");
            let data = mmtls_part(payload);
            if !looks_like_mmtls(data) {
                continue; // newgetdns, plain HTTP
            }
            let (rec, _) = parse_record(data).unwrap().unwrap();
            if !to_server {
                if rec.kind == RECORD_ALERT {
                    // The server's answer to a raw PSK hello on port 80: an alert, nothing more.
                    assert_eq!(data.len(), rec.body.len() + 5);
                    continue;
                }
                let Handshake::ServerHello(sh) = parse_handshake(&rec).unwrap() else {
                    panic!("stream {stream}: no ServerHello")
                };
                assert_eq!(sh.version, VERSION);
                match sh.cipher_suite {
                    SUITE_ECDHE_ECDSA_AES128_GCM_SHA256 => assert!(sh.key_share),
                    SUITE_PSK_AES128_GCM_SHA256 => assert!(!sh.key_share),
                    s => panic!("stream {stream}: suite {s:#06x}"),
                }
                // The encrypted handshake records after it are no hellos.
                let mut rest = &data[rec.body.len() + 5..];
                while let Ok(Some((next, used))) = parse_record(rest) {
                    assert!(!matches!(
                        parse_handshake(&next),
                        Ok(Handshake::ClientHello(_) | Handshake::ServerHello(_))
                    ));
                    rest = &rest[used..];
                }
                servers += 1;
                continue;
            }
            let Handshake::ClientHello(ch) = parse_handshake(&rec).unwrap() else {
                panic!("stream {stream}: no ClientHello")
            };
            assert_eq!(ch.version, VERSION, "stream {stream}");
            assert!(
                day.contains(&ch.timestamp),
                "stream {stream}: {}",
                ch.timestamp
            );
            let psk = ch
                .psk
                .clone()
                .expect("every hello in the capture offers a PSK");
            match ch.cipher_suites[..] {
                [
                    SUITE_ECDHE_ECDSA_AES128_GCM_SHA256,
                    SUITE_PSK_AES128_GCM_SHA256,
                ] => {
                    // 1-RTT ECDHE: two key shares and the long-lived (30-day) PSK.
                    assert!(!ch.early && is_http);
                    assert_eq!((ch.key_shares, psk.lifetime_hint), (2, 2_592_000));
                    ecdhe += 1;
                }
                [SUITE_PSK_AES128_GCM_SHA256] => {
                    // PSK hellos: the short-lived (7-day) PSK, no key shares; 0-RTT on short
                    // links, 1-RTT (record 0x16) on raw connections.
                    assert_eq!((ch.key_shares, psk.lifetime_hint), (0, 604_800));
                    assert_eq!(ch.early, is_http, "stream {stream}");
                    if ch.early {
                        zero_rtt += 1;
                        short_tickets
                            .entry((psk.nonce.clone(), psk.ticket.clone()))
                            .or_default()
                            .insert((stream, dst.clone()));
                    } else {
                        psk_1rtt += 1;
                    }
                }
                ref other => panic!("stream {stream}: suites {other:x?}"),
            }
            if !is_http && dport == "8080" {
                // The raw long link.
                assert!(long_link_ticket.is_none(), "one long link");
                long_link_ticket = Some((psk.nonce, psk.ticket, dst.clone()));
            }
        }
        let (ticket, flows) = short_tickets
            .iter()
            .max_by_key(|(_, flows)| flows.len())
            .expect("0-RTT short links");
        let (long_nonce, long_ticket, long_address) = long_link_ticket.expect("a long link");
        assert_eq!(
            (&long_nonce, &long_ticket),
            (&ticket.0, &ticket.1),
            "long link ticket"
        );
        let mut addresses: BTreeSet<_> = flows.iter().map(|(_, a)| a).collect();
        addresses.insert(&long_address);
        println!(
            "Citizen Lab capture: {ecdhe} 1-RTT ECDHE, {psk_1rtt} raw 1-RTT PSK and {zero_rtt} \
             0-RTT ClientHellos, {servers} ServerHellos; {} of {zero_rtt} short links and the \
             long link share one PSK ticket (nonce {:02x?}), sent to {} server addresses",
            flows.len(),
            &ticket.0[..4],
            addresses.len()
        );
        assert_eq!(ecdhe, 2);
        assert_eq!(psk_1rtt, 2);
        assert_eq!(
            short_tickets.len(),
            1,
            "every short link sends the same ticket"
        );
        assert_eq!(flows.len(), zero_rtt);
        assert!(zero_rtt >= 20);
        assert!(addresses.len() >= 4);
    }
}
