//! QQ's own framing: legacy OICQ packets (UDP, and TCP with a length prefix), and mobile QQ's
//! MSF/SSO frames. Both carry the QQ number in clear.
//!
//! Sources (facts only, no code taken), as summarised in `research/tencent-facts.md` sections 3.1
//! and 3.2:
//! - OICQ header `flag 0x02 | version(2) | command(2) | sequence(2) | QQ number(4)`, the QQ
//!   number only on client-to-server packets, command names: Wireshark's `packet-oicq.c`.
//! - Commands accepted: nDPI's `oicq.c` (2023) accepts 0x0001 to 0x00B5 and 0x03F7. nDPI also
//!   requires the version 0x3B0B; that is one client build's value, so it is not required here.
//! - The packet ends with 0x03, its body is TEA-encrypted while the header stays in clear, and
//!   over TCP a 2-byte length precedes it: community QQ2005 protocol notes (libeva/miranda-qq).
//!   The TCP length counts the whole frame, its own 2 bytes included, as the QQ client of
//!   libpurple (Pidgin) writes it.
//! - MSF/SSO framing: the reverse-engineered Android QQ client MIRAI (`OutgoingPacketAndroid.kt`),
//!   Android QQ 8.x era; current QQ-NT may differ.
//!
//! Strictness. Random UDP traffic (DNS, games, VoIP) must not read as OICQ, so a datagram is
//! OICQ only if it is at least 12 bytes long (the 11-byte client header and the end byte),
//! starts with 0x02, ends with 0x03 and names a known command. An MSF frame needs a length
//! between its smallest possible header and 1 MiB, packet type 0x0A or 0x0B, encrypt type 0, 1
//! or 2, the zero byte, and a uin of 5 to 12 ASCII digits with no leading zero.

use crate::bytes::{be16, be32};
use crate::tls::Reader;
use crate::{Error, Result};

/// First byte of every OICQ packet.
pub const FLAG: u8 = 0x02;
/// Last byte of every OICQ packet.
pub const TAIL: u8 = 0x03;
/// Smallest QQ number (five digits); the 4 bytes after the sequence read as less than this are
/// no QQ number.
pub const MIN_QQ_NUMBER: u32 = 10_000;

/// OICQ header of a client-to-server packet: flag, version, command, sequence, QQ number.
const CLIENT_HEADER_LEN: usize = 11;
/// Shortest OICQ packet accepted: the client header and the end byte.
const MIN_PACKET_LEN: usize = CLIENT_HEADER_LEN + 1;
/// Length of the OICQ-over-TCP length prefix.
const TCP_PREFIX_LEN: usize = 2;

/// MSF packet type of login frames (body encrypted with an all-zero key in MIRAI's model).
pub const MSF_LOGIN: u32 = 0x0A;
/// MSF packet type of every other frame (body encrypted with the session key).
pub const MSF_NORMAL: u32 = 0x0B;
/// MSF encrypt type: body not encrypted.
pub const MSF_ENCRYPT_NONE: u8 = 0;
/// MSF encrypt type: body encrypted with the session (D2) key.
pub const MSF_ENCRYPT_SESSION_KEY: u8 = 1;
/// MSF encrypt type: body TEA-encrypted with 16 zero bytes, so readable by anyone.
pub const MSF_ENCRYPT_ZERO_KEY: u8 = 2;
/// Largest MSF frame accepted.
const MAX_MSF_LEN: usize = 1 << 20;
/// Smallest MSF frame: length, type, encrypt type, 4 bytes (sequence or empty extra data), zero
/// byte, uin length and 5 digits.
const MIN_MSF_LEN: usize = 4 + 4 + 1 + 4 + 1 + 4 + MIN_UIN_DIGITS;
/// Fewest digits of a uin (QQ numbers start at 10000).
const MIN_UIN_DIGITS: usize = 5;
/// Most digits of a uin accepted.
const MAX_UIN_DIGITS: usize = 12;

/// Legacy QQ (OICQ) packet header: 0x02, version, command, sequence, QQ number (client to
/// server), ..., 0x03 at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oicq {
    /// The client version (build) field.
    pub version: u16,
    /// The command number (see [`command_name`]).
    pub command: u16,
    /// The sequence number.
    pub sequence: u16,
    /// The 4 bytes after the sequence, when they read as a QQ number (at least
    /// [`MIN_QQ_NUMBER`]). Only client-to-server packets carry the QQ number there; in a
    /// server-to-client packet these bytes are the start of the encrypted body, so a caller
    /// reports this only for packets it knows the client sent.
    pub qq_number: Option<u32>,
}

/// Whether nDPI accepts this command number: 0x0001 to 0x00B5, or 0x03F7.
pub fn is_known_command(command: u16) -> bool {
    matches!(command, 0x0001..=0x00B5 | 0x03F7)
}

/// The name Wireshark's OICQ dissector gives a command, for the commands the facts file lists.
pub fn command_name(command: u16) -> Option<&'static str> {
    Some(match command {
        0x0001 => "log out",
        0x0002 => "heartbeat",
        0x0016 => "send message",
        0x0017 => "receive message",
        0x0022 => "log in",
        0x0026 => "get friend list",
        0x0062 => "request login",
        _ => return None,
    })
}

/// A UDP datagram: Err unless it is a plausible OICQ packet (first byte 0x02, last byte 0x03,
/// command in the known range 0x0001-0x00B5 or 0x03F7 as nDPI accepts; length >= the header).
///
/// The rule, from the sources in the module documentation: at least 12 bytes (the 11-byte
/// client header and the end byte), the flag 0x02 first (Wireshark, nDPI), the end byte 0x03
/// last (QQ2005 notes), a command nDPI accepts. The version is not checked.
pub fn parse_udp(datagram: &[u8]) -> Result<Oicq> {
    const WHAT: &str = "oicq packet";
    check_head(datagram)?;
    if datagram.len() < MIN_PACKET_LEN {
        return Err(Error::Truncated(WHAT));
    }
    if datagram.last() != Some(&TAIL) {
        return Err(Error::Malformed {
            what: WHAT,
            why: "does not end with 0x03",
        });
    }
    let field = |at| be16(datagram, at).ok_or(Error::Truncated(WHAT));
    Ok(Oicq {
        version: field(1)?,
        command: field(3)?,
        sequence: field(5)?,
        qq_number: be32(datagram, 7).filter(|&n| n >= MIN_QQ_NUMBER),
    })
}

/// OICQ over TCP: a 2-byte length prefix, then the same packet. Ok(None) when incomplete.
///
/// The length counts the whole frame, prefix included. Returns the packet's header and the
/// bytes the frame takes. The flag and command are checked as soon as they arrive, so a stream
/// that is not OICQ is an error before the frame is complete.
pub fn parse_tcp(stream: &[u8]) -> Result<Option<(Oicq, usize)>> {
    let Some(len) = be16(stream, 0) else {
        return Ok(None);
    };
    let len = usize::from(len);
    if len < TCP_PREFIX_LEN + MIN_PACKET_LEN {
        return Err(Error::Malformed {
            what: "oicq tcp frame",
            why: "length below the smallest packet",
        });
    }
    match stream.get(TCP_PREFIX_LEN..len) {
        Some(packet) => parse_udp(packet).map(|oicq| Some((oicq, len))),
        None => {
            check_head(stream.get(TCP_PREFIX_LEN..).unwrap_or_default())?;
            Ok(None)
        }
    }
}

/// The flag and command of a packet prefix, as far as it goes.
fn check_head(prefix: &[u8]) -> Result<()> {
    const WHAT: &str = "oicq packet";
    if prefix.first().is_some_and(|&b| b != FLAG) {
        return Err(Error::Malformed {
            what: WHAT,
            why: "does not start with 0x02",
        });
    }
    if be16(prefix, 3).is_some_and(|c| !is_known_command(c)) {
        return Err(Error::Malformed {
            what: WHAT,
            why: "unknown command",
        });
    }
    Ok(())
}

/// Mobile QQ MSF/SSO frame (MIRAI's model, section 3.2): 4-byte BE length (includes itself),
/// packet type 0x0A (login) or 0x0B (normal), encrypt type, [seq for 0x0B], 0x00, then the uin
/// as decimal ASCII with a 4-byte length prefix (= len + 4).
///
/// For 0x0A frames MIRAI writes, where 0x0B frames have the sequence, extra data with its own
/// 4-byte length prefix (length + 4; `00 00 00 04` when empty). The TEA-encrypted body follows
/// the uin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsfFrame {
    /// [`MSF_LOGIN`] or [`MSF_NORMAL`].
    pub packet_type: u32,
    /// One of the `MSF_ENCRYPT_*` values.
    pub encrypt_type: u8,
    /// The QQ number, decimal ASCII as sent.
    pub uin: String,
}

/// The MSF frame at the start of `stream`: Ok(None) when incomplete, Err when not an MSF frame.
/// Returns the frame's header fields and the bytes the frame takes (its length field).
///
/// Each field is checked as soon as its bytes are present, so a stream that is not MSF is an
/// error early; a frame is returned only once all its bytes are present.
pub fn parse_msf(stream: &[u8]) -> Result<Option<(MsfFrame, usize)>> {
    const WHAT: &str = "qq msf frame";
    let Some(len) = be32(stream, 0) else {
        // Frames are shorter than 16 MiB: the length's first byte is zero.
        return match stream.first() {
            Some(&b) if b != 0 => Err(Error::Malformed {
                what: WHAT,
                why: "length out of range",
            }),
            _ => Ok(None),
        };
    };
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if !(MIN_MSF_LEN..=MAX_MSF_LEN).contains(&len) {
        return Err(Error::Malformed {
            what: WHAT,
            why: "length out of range",
        });
    }
    let frame = stream.get(..len);
    let head = frame.unwrap_or(stream).get(4..).unwrap_or_default();
    match msf_header(&mut Reader::new(head)) {
        Ok(msf) => Ok(frame.map(|_| (msf, len))),
        Err(Error::Truncated(_)) if frame.is_none() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The MSF header after the length field.
fn msf_header(r: &mut Reader<'_>) -> Result<MsfFrame> {
    const WHAT: &str = "qq msf frame";
    let packet_type = r.u32(WHAT)?;
    if packet_type != MSF_LOGIN && packet_type != MSF_NORMAL {
        return Err(Error::Malformed {
            what: WHAT,
            why: "packet type is not 0x0A or 0x0B",
        });
    }
    let encrypt_type = r.u8(WHAT)?;
    if encrypt_type > MSF_ENCRYPT_ZERO_KEY {
        return Err(Error::Malformed {
            what: WHAT,
            why: "unknown encrypt type",
        });
    }
    if packet_type == MSF_LOGIN {
        let extra = lv32(r, WHAT)?;
        r.take(extra, WHAT)?;
    } else {
        r.u32(WHAT)?; // sequence
    }
    if r.u8(WHAT)? != 0 {
        return Err(Error::Malformed {
            what: WHAT,
            why: "no zero byte before the uin",
        });
    }
    let digits = lv32(r, WHAT)?;
    if !(MIN_UIN_DIGITS..=MAX_UIN_DIGITS).contains(&digits) {
        return Err(Error::Malformed {
            what: WHAT,
            why: "uin length out of range",
        });
    }
    let uin = r.take(digits, WHAT)?;
    if !uin.iter().all(u8::is_ascii_digit) || uin.first() == Some(&b'0') {
        return Err(Error::Malformed {
            what: WHAT,
            why: "uin is not a decimal QQ number",
        });
    }
    Ok(MsfFrame {
        packet_type,
        encrypt_type,
        uin: uin.iter().copied().map(char::from).collect(),
    })
}

/// A 4-byte length that counts its own 4 bytes: the length of what follows.
fn lv32(r: &mut Reader<'_>, what: &'static str) -> Result<usize> {
    let n = r.u32(what)?;
    usize::try_from(n)
        .ok()
        .and_then(|n| n.checked_sub(4))
        .ok_or(Error::Malformed {
            what,
            why: "length field below 4",
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mmtls::tests::{captures_root, tshark};
    use crate::tls::tests::unhex;
    use std::collections::BTreeSet;

    // Vectors written by hand from the layouts in the module documentation; bodies, sequence
    // numbers and QQ numbers are made up.

    /// Client login (0x0022), version 0x3B0B, QQ number 100000.
    const UDP_LOGIN: &str = concat!(
        "02 3b0b 0022 0001 000186a0",
        "a1a2a3a4a5a6a7a8a9aaabacadaeafb0", // encrypted body
        "03",
    );
    /// Client heartbeat (0x0002), QQ number 12345678.
    const UDP_HEARTBEAT: &str = "02 0e1b 0002 1234 00bc614e 0102030405060708090a0b0c0d0e0f10 03";
    /// Server answer to the heartbeat: no QQ number, the encrypted body follows the sequence.
    const UDP_SERVER: &str = "02 0e1b 0002 1234 00000102030405060708090a0b0c0d0e0f 03";
    /// The login as sent over TCP: length 30 (2 + 28).
    const TCP_LOGIN: &str = concat!(
        "001e",
        "02 3b0b 0022 0001 000186a0 a1a2a3a4a5a6a7a8a9aaabacadaeafb0 03"
    );
    /// MSF login frame: 43 bytes, zero-key encryption, empty extra data, uin 123456789.
    const MSF_LOGIN_FRAME: &str = concat!(
        "0000002b 0000000a 02",
        "00000004", // extra data: none
        "00",
        "0000000d 313233343536373839",      // uin "123456789"
        "c1c2c3c4c5c6c7c8c9cacbcccdcecfd0", // encrypted body
    );
    /// MSF normal frame: 44 bytes, session-key encryption, sequence 12345, uin 1234567890.
    const MSF_NORMAL_FRAME: &str = concat!(
        "0000002c 0000000b 01",
        "00003039", // sequence
        "00",
        "0000000e 31323334353637383930",    // uin "1234567890"
        "d1d2d3d4d5d6d7d8d9dadbdcdddedfe0", // encrypted body
    );

    fn all_vectors() -> Vec<Vec<u8>> {
        [
            UDP_LOGIN,
            UDP_HEARTBEAT,
            UDP_SERVER,
            TCP_LOGIN,
            MSF_LOGIN_FRAME,
            MSF_NORMAL_FRAME,
        ]
        .iter()
        .map(|h| unhex(h))
        .collect()
    }

    #[test]
    fn udp_login_and_heartbeat() {
        assert_eq!(
            parse_udp(&unhex(UDP_LOGIN)),
            Ok(Oicq {
                version: 0x3b0b,
                command: 0x0022,
                sequence: 1,
                qq_number: Some(100_000),
            })
        );
        let hb = parse_udp(&unhex(UDP_HEARTBEAT)).unwrap();
        assert_eq!((hb.command, hb.sequence), (0x0002, 0x1234));
        assert_eq!(hb.qq_number, Some(12_345_678));
        assert_eq!(command_name(hb.command), Some("heartbeat"));
        assert_eq!(command_name(0x0022), Some("log in"));
        assert_eq!(command_name(0x0003), None);
    }

    #[test]
    fn server_packets_carry_no_qq_number() {
        let p = parse_udp(&unhex(UDP_SERVER)).unwrap();
        assert_eq!((p.command, p.qq_number), (0x0002, None));
    }

    #[test]
    fn command_range() {
        let mut p = unhex(UDP_HEARTBEAT);
        for (command, ok) in [
            (0x0000, false),
            (0x0001, true),
            (0x00b5, true),
            (0x00b6, false),
            (0x03f6, false),
            (0x03f7, true),
            (0x03f8, false),
            (0xffff, false),
        ] {
            p[3..5].copy_from_slice(&u16::to_be_bytes(command));
            assert_eq!(parse_udp(&p).is_ok(), ok, "{command:#06x}");
        }
    }

    #[test]
    fn what_is_not_oicq() {
        let good = unhex(UDP_HEARTBEAT);
        let mut no_tail = good.clone();
        *no_tail.last_mut().unwrap() = 0x00;
        let mut no_flag = good.clone();
        no_flag[0] = 0x05;
        for bad in [
            no_tail,
            no_flag,
            unhex("02 0e1b 0002 1234 00bc61 03"),
            vec![],
        ] {
            assert!(parse_udp(&bad).is_err(), "{bad:02x?}");
        }
        // The shortest accepted: the header and the end byte.
        assert!(parse_udp(&unhex("02 0e1b 0002 1234 00bc614e 03")).is_ok());
        // A DNS query is not OICQ.
        assert!(
            parse_udp(&unhex(
                "1234 0100 0001 0000 0000 0000 02 7171 03 636f6d 00 0001 0001"
            ))
            .is_err()
        );
    }

    #[test]
    fn over_tcp() {
        let frame = unhex(TCP_LOGIN);
        let (p, used) = parse_tcp(&frame).unwrap().unwrap();
        assert_eq!(used, 30);
        assert_eq!(p, parse_udp(&frame[2..]).unwrap());

        // Two frames in a row.
        let stream = [frame.clone(), frame.clone()].concat();
        let (_, used) = parse_tcp(&stream).unwrap().unwrap();
        assert_eq!(parse_tcp(&stream[used..]).unwrap().unwrap().1, 30);

        // Too short a length, a wrong flag or command before the frame is complete.
        assert!(parse_tcp(&unhex("000d 02")).is_err());
        assert!(parse_tcp(&unhex("001e 05")).is_err());
        assert!(parse_tcp(&unhex("001e 02 3b0b 0500")).is_err());
        assert!(parse_tcp(b"GET / HTTP/1.1\r\n").is_err());
    }

    #[test]
    fn msf_frames() {
        let login = unhex(MSF_LOGIN_FRAME);
        assert_eq!(
            parse_msf(&login),
            Ok(Some((
                MsfFrame {
                    packet_type: MSF_LOGIN,
                    encrypt_type: MSF_ENCRYPT_ZERO_KEY,
                    uin: "123456789".into(),
                },
                43
            )))
        );
        let normal = unhex(MSF_NORMAL_FRAME);
        assert_eq!(
            parse_msf(&normal),
            Ok(Some((
                MsfFrame {
                    packet_type: MSF_NORMAL,
                    encrypt_type: MSF_ENCRYPT_SESSION_KEY,
                    uin: "1234567890".into(),
                },
                44
            )))
        );
        // Frames follow each other.
        let stream = [normal.clone(), login].concat();
        let (_, used) = parse_msf(&stream).unwrap().unwrap();
        assert_eq!(parse_msf(&stream[used..]).unwrap().unwrap().1, 43);
    }

    #[test]
    fn msf_login_with_extra_data() {
        let frame = unhex(concat!(
            "00000033 0000000a 02",
            "0000000c 0102030405060708", // extra data: 8 bytes
            "00 0000000d 313233343536373839",
            "c1c2c3c4c5c6c7c8c9cacbcccdcecfd0",
        ));
        let (msf, used) = parse_msf(&frame).unwrap().unwrap();
        assert_eq!((msf.uin.as_str(), used), ("123456789", 51));
    }

    #[test]
    fn what_is_not_msf() {
        let good = unhex(MSF_NORMAL_FRAME);
        let changed = |at: usize, bytes: &[u8]| {
            let mut c = good.clone();
            c[at..at + bytes.len()].copy_from_slice(bytes);
            c
        };
        for (why, bad) in [
            ("packet type 0x0C", changed(4, &[0, 0, 0, 0x0c])),
            ("encrypt type 3", changed(8, &[3])),
            ("no zero byte", changed(13, &[1])),
            ("letter in the uin", changed(22, b"a")),
            ("leading zero", changed(18, b"0")),
            ("uin of 13 digits", changed(14, &[0, 0, 0, 17])),
            ("uin of 4 digits", changed(14, &[0, 0, 0, 8])),
            ("uin length below 4", changed(14, &[0, 0, 0, 2])),
            ("length below the header", changed(0, &[0, 0, 0, 0x10])),
            ("length above 1 MiB", changed(0, &[0, 0x10, 0, 1])),
            ("uin past the frame", changed(0, &[0, 0, 0, 0x17])),
        ] {
            assert!(parse_msf(&bad).is_err(), "{why}");
        }
        // Rejected before the frame is complete.
        assert!(parse_msf(&good[..10].iter().map(|&b| b ^ 1).collect::<Vec<_>>()).is_err());
        assert!(parse_msf(b"GE").is_err());
        assert!(parse_msf(&changed(4, &[0, 0, 0, 0x0c])[..8]).is_err());
        assert_eq!(parse_msf(&[0, 0]), Ok(None));
    }

    #[test]
    fn every_prefix_is_incomplete() {
        for v in [TCP_LOGIN, MSF_LOGIN_FRAME, MSF_NORMAL_FRAME] {
            let bytes = unhex(v);
            for cut in 0..bytes.len() {
                let prefix = &bytes[..cut];
                let result = if v == TCP_LOGIN {
                    parse_tcp(prefix).map(|r| r.map(|(_, n)| n))
                } else {
                    parse_msf(prefix).map(|r| r.map(|(_, n)| n))
                };
                assert_eq!(result, Ok(None), "cut at {cut}");
            }
        }
        // A cut datagram is whole as far as UDP goes: shorter than the header it is an error,
        // longer it is OICQ only if the cut happens to end on 0x03.
        for v in [UDP_LOGIN, UDP_HEARTBEAT, UDP_SERVER] {
            let bytes = unhex(v);
            for cut in 0..bytes.len() {
                let result = parse_udp(&bytes[..cut]);
                if cut < MIN_PACKET_LEN || bytes[cut - 1] != TAIL {
                    assert!(result.is_err(), "cut at {cut}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = parse_udp(&data);
            if let Ok(Some((_, used))) = parse_tcp(&data) {
                proptest::prop_assert!(used <= data.len());
            }
            if let Ok(Some((msf, used))) = parse_msf(&data) {
                proptest::prop_assert!(used <= data.len());
                proptest::prop_assert!((5..=12).contains(&msf.uin.len()));
            }
        }

        #[test]
        fn changed_vectors_never_panic(which in 0usize..6, at in 0usize..64, xor in 1u8..=255) {
            let mut bytes = all_vectors().swap_remove(which);
            let at = at % bytes.len();
            bytes[at] ^= xor;
            let _ = parse_udp(&bytes);
            let _ = parse_tcp(&bytes);
            let _ = parse_msf(&bytes);
        }
    }

    /// Every UDP payload, and the first TCP payload of each direction of every TCP flow, of the
    /// nDPI test captures (none of which holds QQ or WeChat MMTLS traffic): none may parse as
    /// QQ, and no TCP payload may be left undecided (`Ok(None)`) or sniff as MMTLS.
    #[test]
    fn ndpi_captures_hold_no_false_positives() {
        let dir = captures_root().join("ndpi/pcap");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: no captures at {}", dir.display());
            return;
        };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.retain(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"));
        files.sort();
        let (mut udp, mut tcp) = (0, 0);
        let (mut hits, mut undecided) = (Vec::new(), Vec::new());
        for file in &files {
            let name = file.file_name().unwrap().to_string_lossy();
            let fields = ["udp.payload", "tcp.stream", "tcp.srcport", "tcp.payload"];
            let Some(rows) = tshark(file, "udp or tcp.len>0", &fields) else {
                return;
            };
            let mut seen = BTreeSet::new();
            for row in &rows {
                let [udp_payload, stream, sport, tcp_payload] = &row[..] else {
                    continue;
                };
                // Tunnelled packets list one payload per UDP layer, comma-separated.
                for payload in udp_payload.split(',').filter(|p| !p.is_empty()) {
                    udp += 1;
                    if let Ok(p) = parse_udp(&unhex(payload)) {
                        hits.push(format!("{name}: udp {p:?}"));
                    }
                }
                if tcp_payload.is_empty() || !seen.insert((stream.clone(), sport.clone())) {
                    continue;
                }
                tcp += 1;
                let bytes = unhex(tcp_payload.split(',').next().unwrap_or_default());
                match parse_tcp(&bytes) {
                    Ok(Some((p, _))) => hits.push(format!("{name}: oicq over tcp {p:?}")),
                    Ok(None) => undecided.push(format!("{name}: oicq over tcp {bytes:02x?}")),
                    Err(_) => {}
                }
                match parse_msf(&bytes) {
                    Ok(Some((m, _))) => hits.push(format!("{name}: msf {m:?}")),
                    Ok(None) => undecided.push(format!("{name}: msf {bytes:02x?}")),
                    Err(_) => {}
                }
                if crate::mmtls::looks_like_mmtls(&bytes) {
                    hits.push(format!("{name}: mmtls {bytes:02x?}"));
                }
            }
        }
        println!(
            "nDPI captures: {} files, {udp} UDP payloads and {tcp} first TCP payloads; {} taken \
             for QQ or MMTLS, {} left undecided",
            files.len(),
            hits.len(),
            undecided.len()
        );
        assert!(udp > 500 && tcp > 100, "too few payloads: {udp} {tcp}");
        assert!(hits.is_empty(), "{hits:#?}");
        assert!(undecided.is_empty(), "{undecided:#?}");
    }
}
