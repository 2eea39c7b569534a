//! DNS messages (RFC 1035), with the answer types that map addresses to names: A, AAAA, CNAME
//! and the SVCB/HTTPS records of RFC 9460.
//!
//! The parser is tolerant in the way a monitor needs: it reads section by section and keeps
//! everything before a damaged or missing part (a response cut short by a capture's snap length
//! still yields its question and the answers that fit), flagging [`Message::incomplete`]. Name
//! decompression follows only pointers to earlier bytes, with a bounded number of jumps, so no
//! message can make it loop. The `simple-dns` crate serves as the independent oracle and packet
//! builder in the tests.

use crate::bytes::{be16, be32};
use crate::{Error, Result};
use core::net::{Ipv4Addr, Ipv6Addr};

/// Record type A.
pub const TYPE_A: u16 = 1;
/// Record type CNAME.
pub const TYPE_CNAME: u16 = 5;
/// Record type AAAA.
pub const TYPE_AAAA: u16 = 28;
/// Record type SVCB (RFC 9460).
pub const TYPE_SVCB: u16 = 64;
/// Record type HTTPS (RFC 9460).
pub const TYPE_HTTPS: u16 = 65;

/// Questions and answers kept per message; real messages carry one question and a few answers.
const MAX_QUESTIONS: usize = 8;
const MAX_ANSWERS: usize = 64;
/// RFC 1035's limit on the length of a name in presentation form, plus room for escapes.
const MAX_NAME_LEN: usize = 1024;
/// Compression pointers followed in one name.
const MAX_JUMPS: usize = 32;

/// One DNS message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Transaction id.
    pub id: u16,
    /// QR bit: this is a response.
    pub response: bool,
    /// Operation code (0 is a standard query).
    pub opcode: u8,
    /// Response code (0 no error, 3 NXDOMAIN ...).
    pub rcode: u8,
    /// Questions, in order.
    pub questions: Vec<Question>,
    /// Answer-section records, in order.
    pub answers: Vec<Record>,
    /// Parsing stopped early: the message is damaged or cut short; what came before is kept.
    pub incomplete: bool,
}

/// A question: the name asked about and the record type asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Name in presentation form, ASCII lower-cased, without the trailing dot.
    pub name: String,
    /// Record type asked for (1 = A, 28 = AAAA, 65 = HTTPS ...).
    pub qtype: u16,
}

/// An answer record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Owner name, as in [`Question::name`].
    pub name: String,
    /// Record type.
    pub rtype: u16,
    /// Time to live, seconds.
    pub ttl: u32,
    /// The parsed data for the types the engine uses.
    pub data: RecordData,
}

/// Record data of the types that tie names to addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
    /// The canonical name this name is an alias of.
    Cname(String),
    /// A service binding (SVCB or HTTPS record).
    Svcb(Svcb),
    /// Any other type, or data of a known type that did not parse.
    Other,
}

/// The parts of an SVCB/HTTPS record that matter to a monitor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Svcb {
    /// 0 for alias mode, otherwise the service priority.
    pub priority: u16,
    /// Target name; empty means the owner name itself.
    pub target: String,
    /// Application protocols offered (e.g. "h3", "h2").
    pub alpn: Vec<String>,
    /// IPv4 address hints.
    pub ipv4_hints: Vec<Ipv4Addr>,
    /// IPv6 address hints.
    pub ipv6_hints: Vec<Ipv6Addr>,
    /// An ECH configuration is published: clients may hide the real server name.
    pub ech: bool,
}

/// Parses a DNS message. Only a header shorter than 12 bytes is an error; any later damage ends
/// parsing with [`Message::incomplete`] set.
pub fn parse(msg: &[u8]) -> Result<Message> {
    let h = msg.get(..12).ok_or(Error::Truncated("dns header"))?;
    let count = |at: usize| usize::from(u16::from_be_bytes([h[at], h[at + 1]]));
    let mut m = Message {
        id: u16::from_be_bytes([h[0], h[1]]),
        response: h[2] & 0x80 != 0,
        opcode: (h[2] >> 3) & 0x0f,
        rcode: h[3] & 0x0f,
        ..Message::default()
    };
    let (qdcount, ancount) = (count(4), count(6));
    let mut pos = 12;
    for i in 0..qdcount {
        let Some((name, after)) = read_name(msg, pos) else {
            m.incomplete = true;
            return Ok(m);
        };
        let Some(qtype) = be16(msg, after) else {
            m.incomplete = true;
            return Ok(m);
        };
        pos = after + 4;
        if i < MAX_QUESTIONS {
            m.questions.push(Question { name, qtype });
        }
    }
    if pos > msg.len() {
        m.incomplete = true;
        return Ok(m);
    }
    for _ in 0..ancount.min(MAX_ANSWERS) {
        match read_record(msg, pos) {
            Some((record, after)) => {
                m.answers.push(record);
                pos = after;
            }
            None => {
                m.incomplete = true;
                break;
            }
        }
    }
    Ok(m)
}

/// Splits the first message off a DNS-over-TCP stream (RFC 1035 section 4.2.2: each message is
/// preceded by its length as two bytes). Returns the message and the bytes consumed, or `None`
/// when the stream does not yet hold a whole message.
pub fn tcp_message(stream: &[u8]) -> Option<(&[u8], usize)> {
    let len = usize::from(be16(stream, 0)?);
    let msg = stream.get(2..2 + len)?;
    Some((msg, 2 + len))
}

fn read_record(msg: &[u8], pos: usize) -> Option<(Record, usize)> {
    let (name, at) = read_name(msg, pos)?;
    let rtype = be16(msg, at)?;
    let ttl = be32(msg, at + 4)?;
    let rdlen = usize::from(be16(msg, at + 8)?);
    let start = at + 10;
    let end = start.checked_add(rdlen)?;
    let rdata = msg.get(start..end)?;
    let data = match rtype {
        TYPE_A => <[u8; 4]>::try_from(rdata)
            .map(|o| RecordData::A(Ipv4Addr::from(o)))
            .ok(),
        TYPE_AAAA => <[u8; 16]>::try_from(rdata)
            .map(|o| RecordData::Aaaa(Ipv6Addr::from(o)))
            .ok(),
        TYPE_CNAME => read_name(msg, start)
            .filter(|&(_, after)| after <= end)
            .map(|(n, _)| RecordData::Cname(n)),
        TYPE_SVCB | TYPE_HTTPS => read_svcb(msg, start, end).map(RecordData::Svcb),
        _ => None,
    }
    .unwrap_or(RecordData::Other);
    Some((
        Record {
            name,
            rtype,
            ttl,
            data,
        },
        end,
    ))
}

fn read_svcb(msg: &[u8], start: usize, end: usize) -> Option<Svcb> {
    let priority = be16(msg, start)?;
    let (target, mut at) = read_name(msg, start + 2)?;
    let mut svcb = Svcb {
        priority,
        target,
        ..Svcb::default()
    };
    while at < end {
        let key = be16(msg, at)?;
        let len = usize::from(be16(msg, at + 2)?);
        let value = msg.get(at + 4..(at + 4).checked_add(len)?.min(end))?;
        match key {
            1 => {
                let mut rest = value;
                while let Some((&n, tail)) = rest.split_first() {
                    let (id, tail) = tail.split_at_checked(usize::from(n))?;
                    svcb.alpn.push(String::from_utf8_lossy(id).into_owned());
                    rest = tail;
                }
            }
            4 => svcb.ipv4_hints.extend(
                value
                    .chunks_exact(4)
                    .filter_map(|c| <[u8; 4]>::try_from(c).ok().map(Ipv4Addr::from)),
            ),
            5 => svcb.ech = true,
            6 => svcb.ipv6_hints.extend(
                value
                    .chunks_exact(16)
                    .filter_map(|c| <[u8; 16]>::try_from(c).ok().map(Ipv6Addr::from)),
            ),
            _ => {}
        }
        at += 4 + len;
    }
    Some(svcb)
}

/// Reads a possibly compressed name starting at `pos`. Returns the name in presentation form and
/// the position just after the name's bytes at `pos` (after the first pointer, if any).
fn read_name(msg: &[u8], mut pos: usize) -> Option<(String, usize)> {
    // Room for most names at once: growing a name label by label cost more than reading it.
    let mut name = String::with_capacity(64);
    let mut after = None;
    let mut jumps = 0;
    loop {
        let len = *msg.get(pos)?;
        match len >> 6 {
            0 if len == 0 => {
                return Some((name, after.unwrap_or(pos + 1)));
            }
            0 => {
                let label = msg.get(pos + 1..pos + 1 + usize::from(len))?;
                if !name.is_empty() {
                    name.push('.');
                }
                push_label(&mut name, label);
                if name.len() > MAX_NAME_LEN {
                    return None;
                }
                pos += 1 + usize::from(len);
            }
            3 => {
                let target = usize::from(be16(msg, pos)? & 0x3fff);
                // Only pointers to earlier bytes: forward or self pointers could loop.
                if target >= pos || jumps == MAX_JUMPS {
                    return None;
                }
                jumps += 1;
                after.get_or_insert(pos + 2);
                pos = target;
            }
            // 0b01 and 0b10 label types are obsolete or reserved.
            _ => return None,
        }
    }
}

/// Appends a label in presentation form, lower-cased, escaping dots, backslashes and
/// non-printable bytes the way `dig` shows them.
fn push_label(out: &mut String, label: &[u8]) {
    for &b in label {
        match b {
            b'.' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x21..=0x7e => out.push(char::from(b.to_ascii_lowercase())),
            _ => {
                out.push('\\');
                out.push(char::from(b'0' + b / 100));
                out.push(char::from(b'0' + (b / 10) % 10));
                out.push(char::from(b'0' + b % 10));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simple_dns::{
        CLASS, Name, Packet, QTYPE, Question as SdQuestion, ResourceRecord, TYPE, rdata,
    };

    fn query(name: &str, qtype: TYPE) -> Vec<u8> {
        let mut p = Packet::new_query(0x1234);
        p.questions.push(SdQuestion::new(
            Name::new_unchecked(name),
            QTYPE::TYPE(qtype),
            simple_dns::QCLASS::CLASS(CLASS::IN),
            false,
        ));
        p.build_bytes_vec().unwrap()
    }

    fn response() -> Vec<u8> {
        let mut p = Packet::new_reply(7);
        let q = Name::new_unchecked("Short.WeiXin.qq.com");
        p.questions.push(SdQuestion::new(
            q.clone(),
            QTYPE::TYPE(TYPE::A),
            simple_dns::QCLASS::CLASS(CLASS::IN),
            false,
        ));
        let cname = Name::new_unchecked("short.wx.example");
        p.answers.push(ResourceRecord::new(
            q,
            CLASS::IN,
            600,
            rdata::RData::CNAME(rdata::CNAME(cname.clone())),
        ));
        p.answers.push(ResourceRecord::new(
            cname.clone(),
            CLASS::IN,
            60,
            rdata::RData::A(rdata::A {
                address: 0xcbcd_93ab,
            }),
        ));
        p.answers.push(ResourceRecord::new(
            cname,
            CLASS::IN,
            60,
            rdata::RData::AAAA(rdata::AAAA {
                address: 0x2402_4e00_0000_0000_0000_0000_0000_0001,
            }),
        ));
        p.build_bytes_vec_compressed().unwrap()
    }

    #[test]
    fn parses_query() {
        let m = parse(&query("web.wechat.com", TYPE::A)).unwrap();
        assert_eq!(m.id, 0x1234);
        assert!(!m.response);
        assert_eq!(
            m.questions,
            vec![Question {
                name: "web.wechat.com".into(),
                qtype: TYPE_A
            }]
        );
        assert!(m.answers.is_empty());
        assert!(!m.incomplete);
    }

    #[test]
    fn parses_compressed_answers() {
        let m = parse(&response()).unwrap();
        assert!(m.response);
        assert_eq!(m.questions[0].name, "short.weixin.qq.com");
        assert_eq!(m.answers.len(), 3);
        assert_eq!(
            m.answers[0].data,
            RecordData::Cname("short.wx.example".into())
        );
        assert_eq!(m.answers[0].ttl, 600);
        assert_eq!(m.answers[1].name, "short.wx.example");
        assert_eq!(
            m.answers[1].data,
            RecordData::A(Ipv4Addr::new(203, 205, 147, 171))
        );
        assert_eq!(
            m.answers[2].data,
            RecordData::Aaaa("2402:4e00::1".parse().unwrap())
        );
        assert!(!m.incomplete);
    }

    #[test]
    fn keeps_what_precedes_damage() {
        let full = response();
        // Cut inside the last record: the question and the first answers survive.
        let m = parse(&full[..full.len() - 5]).unwrap();
        assert!(m.incomplete);
        assert_eq!(m.questions[0].name, "short.weixin.qq.com");
        assert_eq!(m.answers.len(), 2);
    }

    #[test]
    fn svcb_https_record() {
        // HTTPS record: priority 1, target ".", alpn h3,h2, ipv4hint 1.2.3.4, ech present.
        let mut msg = vec![0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0];
        msg.extend_from_slice(b"\x07example\x03com\x00");
        msg.extend_from_slice(&[0, 65, 0, 1, 0, 0, 0, 60]);
        let rdata: Vec<u8> = [
            &[0, 1, 0][..],
            &[0, 1, 0, 6, 2, b'h', b'3', 2, b'h', b'2'],
            &[0, 4, 0, 4, 1, 2, 3, 4],
            &[0, 5, 0, 2, 0xab, 0xcd],
        ]
        .concat();
        msg.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        msg.extend_from_slice(&rdata);
        let m = parse(&msg).unwrap();
        let RecordData::Svcb(s) = &m.answers[0].data else {
            panic!("not svcb")
        };
        assert_eq!(s.priority, 1);
        assert_eq!(s.target, "");
        assert_eq!(s.alpn, vec!["h3", "h2"]);
        assert_eq!(s.ipv4_hints, vec![Ipv4Addr::new(1, 2, 3, 4)]);
        assert!(s.ech);
    }

    #[test]
    fn rejects_pointer_loops_and_odd_labels() {
        // A question whose name points at itself.
        let msg = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1];
        let m = parse(&msg).unwrap();
        assert!(m.incomplete);
        assert!(m.questions.is_empty());
        let weird = [
            0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, b'a', 0, b'.', 0, 0, 1, 0, 1,
        ];
        assert_eq!(parse(&weird).unwrap().questions[0].name, "a\\000\\.");
        assert_eq!(parse(&[0; 11]), Err(Error::Truncated("dns header")));
    }

    #[test]
    fn splits_tcp_stream() {
        let q = query("a.example", TYPE::AAAA);
        let mut stream = (q.len() as u16).to_be_bytes().to_vec();
        stream.extend_from_slice(&q);
        stream.extend_from_slice(&[0, 40, 1]);
        let (msg, used) = tcp_message(&stream).unwrap();
        assert_eq!(msg, &q[..]);
        assert_eq!(tcp_message(&stream[used..]), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse(&data);
            let _ = tcp_message(&data);
        }

        /// Whatever simple-dns reads completely, this parser reads the same way.
        #[test]
        fn agrees_with_simple_dns(data in proptest::collection::vec(proptest::num::u8::ANY, 12..200)) {
            if let Ok(p) = Packet::parse(&data) {
                let m = parse(&data).unwrap();
                if !m.incomplete {
                    proptest::prop_assert_eq!(m.questions.len(), p.questions.len().min(MAX_QUESTIONS));
                    proptest::prop_assert_eq!(m.answers.len(), p.answers.len().min(MAX_ANSWERS));
                }
            }
        }

        #[test]
        fn reads_any_generated_name(labels in proptest::collection::vec("[a-z0-9-]{1,20}", 1..6)) {
            let name = labels.join(".");
            let m = parse(&query(&name, TYPE::A)).unwrap();
            proptest::prop_assert_eq!(&m.questions[0].name, &name);
        }
    }
}
