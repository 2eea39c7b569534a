//! HTTP/1.x request and response heads, on any port.
//!
//! The heads are parsed with `httparse`; this module turns them into owned structs holding what a
//! monitor reports (method, host, target, user agent, content type and length) plus every header,
//! since identifiers travel in arbitrary headers and cookies.

use crate::{Error, Result};

/// Headers kept per message; more than this is treated as malformed.
const MAX_HEADERS: usize = 96;

/// Request methods recognised by [`looks_like_request`] (RFC 9110 plus WebDAV's common ones).
const METHODS: &[&[u8]] = &[
    b"GET ",
    b"POST ",
    b"HEAD ",
    b"PUT ",
    b"DELETE ",
    b"OPTIONS ",
    b"PATCH ",
    b"CONNECT ",
    b"TRACE ",
    b"PROPFIND ",
];

/// One header, name as sent, value decoded as lossy UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Header name, as sent.
    pub name: String,
    /// Header value.
    pub value: String,
}

/// An HTTP/1.x request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Method, e.g. `GET`.
    pub method: String,
    /// Request target as sent: a path with an optional query, or an absolute URI for proxies.
    pub target: String,
    /// Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub version: u8,
    /// All headers, in order.
    pub headers: Vec<Header>,
    /// Length of the head, up to and including the blank line; the body starts here.
    pub head_len: usize,
}

/// An HTTP/1.x response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub version: u8,
    /// All headers, in order.
    pub headers: Vec<Header>,
    /// Length of the head, up to and including the blank line; the body starts here.
    pub head_len: usize,
}

/// Header look-ups shared by requests and responses.
pub trait Head {
    /// The message's headers.
    fn headers(&self) -> &[Header];

    /// The first value of a header, matched case-insensitively.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// `Content-Type`.
    fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// `Content-Length`, when it is a plain number.
    fn content_length(&self) -> Option<u64> {
        self.header("content-length")?.trim().parse().ok()
    }
}

impl Head for Request {
    fn headers(&self) -> &[Header] {
        &self.headers
    }
}

impl Head for Response {
    fn headers(&self) -> &[Header] {
        &self.headers
    }
}

impl Request {
    /// `Host` header, lower-cased, without a port; for an absolute-URI target, its authority.
    pub fn host(&self) -> Option<String> {
        let raw = match self.header("host") {
            Some(h) => h,
            None => self
                .target
                .split_once("://")
                .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(rest))?,
        };
        let raw = raw.trim();
        let host = if let Some(v6) = raw.strip_prefix('[') {
            v6.split(']').next().unwrap_or(v6)
        } else {
            raw.rsplit_once(':')
                .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
                .map_or(raw, |(h, _)| h)
        };
        (!host.is_empty()).then(|| host.to_ascii_lowercase())
    }

    /// The path part of the target, without the query.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    /// The query part of the target, after `?`.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// `User-Agent`.
    pub fn user_agent(&self) -> Option<&str> {
        self.header("user-agent")
    }
}

fn owned_headers(headers: &[httparse::Header<'_>]) -> Vec<Header> {
    headers
        .iter()
        .map(|h| Header {
            name: h.name.to_owned(),
            value: String::from_utf8_lossy(h.value).into_owned(),
        })
        .collect()
}

fn malformed(e: httparse::Error) -> Error {
    Error::Malformed {
        what: "http head",
        why: match e {
            httparse::Error::TooManyHeaders => "too many headers",
            httparse::Error::Version => "bad version",
            httparse::Error::Status => "bad status",
            httparse::Error::Token => "bad method or header name",
            httparse::Error::NewLine => "bad line ending",
            httparse::Error::HeaderName => "bad header name",
            httparse::Error::HeaderValue => "bad header value",
        },
    }
}

/// Parses a request head at the start of `buf`: `Ok(None)` when the head is not complete yet.
pub fn parse_request(buf: &[u8]) -> Result<Option<Request>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf).map_err(malformed)? {
        httparse::Status::Partial => Ok(None),
        httparse::Status::Complete(head_len) => Ok(Some(Request {
            method: req.method.unwrap_or_default().to_owned(),
            target: req.path.unwrap_or_default().to_owned(),
            version: req.version.unwrap_or(1),
            headers: owned_headers(req.headers),
            head_len,
        })),
    }
}

/// Parses a response head at the start of `buf`: `Ok(None)` when the head is not complete yet.
pub fn parse_response(buf: &[u8]) -> Result<Option<Response>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    match resp.parse(buf).map_err(malformed)? {
        httparse::Status::Partial => Ok(None),
        httparse::Status::Complete(head_len) => Ok(Some(Response {
            status: resp.code.unwrap_or(0),
            version: resp.version.unwrap_or(1),
            headers: owned_headers(resp.headers),
            head_len,
        })),
    }
}

/// A body with its `Content-Encoding` undone: identity, `deflate` (zlib-wrapped, or raw as some
/// servers send it), or `gzip`. At most `limit` bytes come out; a body that would decode to more,
/// or does not decode, is an error (a body cut short by the capture decodes to what it holds only
/// when the encoding allows, so callers treat errors as "not readable").
pub fn decode_body(encoding: Option<&str>, body: &[u8], limit: usize) -> Result<Vec<u8>> {
    use miniz_oxide::inflate::{decompress_to_vec_with_limit, decompress_to_vec_zlib_with_limit};
    let bad = |_| Error::Malformed {
        what: "http body",
        why: "does not decode",
    };
    match encoding.map(|e| e.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "identity") => {
            Ok(body.get(..limit.min(body.len())).unwrap_or(body).to_vec())
        }
        Some("deflate") => decompress_to_vec_zlib_with_limit(body, limit)
            .or_else(|_| decompress_to_vec_with_limit(body, limit))
            .map_err(bad),
        Some("gzip" | "x-gzip") => {
            decompress_to_vec_with_limit(gzip_payload(body)?, limit).map_err(bad)
        }
        Some(_) => Err(Error::Unsupported("http content encoding")),
    }
}

/// The deflate stream inside a gzip member (RFC 1952 section 2.3): the header and its optional
/// fields skipped.
fn gzip_payload(data: &[u8]) -> Result<&[u8]> {
    const WHAT: &str = "gzip header";
    let header = data.get(..10).ok_or(Error::Truncated(WHAT))?;
    if header.get(..3) != Some(&[0x1f, 0x8b, 8][..]) {
        return Err(Error::Malformed {
            what: WHAT,
            why: "not a gzip member",
        });
    }
    let flags = header.get(3).copied().unwrap_or(0);
    let mut at = 10usize;
    if flags & 0x04 != 0 {
        let xlen = crate::bytes::be16(data, at)
            .map(u16::swap_bytes)
            .ok_or(Error::Truncated(WHAT))?;
        at += 2 + usize::from(xlen);
    }
    for bit in [0x08, 0x10] {
        if flags & bit != 0 {
            let rest = data.get(at..).ok_or(Error::Truncated(WHAT))?;
            at += rest
                .iter()
                .position(|&b| b == 0)
                .ok_or(Error::Truncated(WHAT))?
                + 1;
        }
    }
    if flags & 0x02 != 0 {
        at += 2;
    }
    data.get(at..).ok_or(Error::Truncated(WHAT))
}

/// Cheap sniff: does a stream start like an HTTP/1.x request (a known method and a space)?
/// Also true for a prefix of such a start, so a first segment of two bytes is not ruled out.
pub fn looks_like_request(prefix: &[u8]) -> bool {
    METHODS.iter().any(|m| {
        let n = m.len().min(prefix.len());
        n > 0 && prefix.get(..n) == m.get(..n)
    })
}

/// Cheap sniff: does a stream start like an HTTP/1.x response (`HTTP/1.`)?
pub fn looks_like_response(prefix: &[u8]) -> bool {
    let n = prefix.len().min(7);
    n > 0 && prefix.get(..n) == b"HTTP/1.".get(..n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_fields() {
        let raw = b"POST /rqd/async?aid=1&x=2 HTTP/1.1\r\nHost: Android.Bugly.qq.com:8080\r\n\
User-Agent: okhttp/3.12\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"imei\":\"x\"}";
        let r = parse_request(raw).unwrap().unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.host().as_deref(), Some("android.bugly.qq.com"));
        assert_eq!(r.path(), "/rqd/async");
        assert_eq!(r.query(), Some("aid=1&x=2"));
        assert_eq!(r.user_agent(), Some("okhttp/3.12"));
        assert_eq!(r.content_type(), Some("application/json"));
        assert_eq!(r.content_length(), Some(17));
        assert_eq!(r.version, 1);
        assert_eq!(&raw[r.head_len..], b"{\"imei\":\"x\"}");
    }

    #[test]
    fn host_variants() {
        let host = |raw: &[u8]| parse_request(raw).unwrap().unwrap().host();
        assert_eq!(host(b"GET / HTTP/1.0\r\n\r\n"), None);
        assert_eq!(
            host(b"GET http://Proxy.Example:81/a HTTP/1.1\r\n\r\n").as_deref(),
            Some("proxy.example")
        );
        assert_eq!(
            host(b"GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n").as_deref(),
            Some("2001:db8::1")
        );
    }

    #[test]
    fn partial_and_bad() {
        assert_eq!(parse_request(b"GET / HTTP/1.1\r\nHost: a"), Ok(None));
        assert!(parse_request(b"GET / HTTP/1.1\r\nHo st: a\r\n\r\n").is_err());
        let resp = parse_response(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(resp.status, 200);
        assert_eq!(resp.content_type(), Some("text/xml"));
        assert_eq!(parse_response(b"HTTP/1.1 200"), Ok(None));
    }

    #[test]
    fn decodes_bodies() {
        let text = b"<dns><domainlist></domainlist></dns>";
        let raw = miniz_oxide::deflate::compress_to_vec(text, 6);
        let zlib = miniz_oxide::deflate::compress_to_vec_zlib(text, 6);
        assert_eq!(decode_body(Some("deflate"), &raw, 1024).unwrap(), text);
        assert_eq!(decode_body(Some("Deflate"), &zlib, 1024).unwrap(), text);
        let mut gzip = vec![0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3];
        gzip.extend_from_slice(b"name.xml\0");
        gzip.extend_from_slice(&raw);
        assert_eq!(decode_body(Some("gzip"), &gzip, 1024).unwrap(), text);
        assert_eq!(decode_body(None, b"abc", 2).unwrap(), b"ab");
        assert!(
            decode_body(Some("deflate"), &raw, 5).is_err(),
            "output limit"
        );
        assert!(decode_body(Some("deflate"), b"\xff\xff", 100).is_err());
        assert!(decode_body(Some("br"), b"", 100).is_err());
        assert!(decode_body(Some("gzip"), &gzip[..6], 100).is_err());
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_request(b"GET /"));
        assert!(looks_like_request(b"PO"));
        assert!(!looks_like_request(b"\x16\x03\x01"));
        assert!(!looks_like_request(b""));
        assert!(looks_like_response(b"HTTP/1.1 404"));
        assert!(!looks_like_response(b"HTTP/2"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            if let Ok(Some(r)) = parse_request(&data) {
                let _ = (r.host(), r.path(), r.query());
            }
            let _ = parse_response(&data);
            for e in ["deflate", "gzip"] {
                let _ = decode_body(Some(e), &data, 4096);
            }
        }
    }
}
