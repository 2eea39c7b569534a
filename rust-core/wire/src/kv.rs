//! Key/value pairs out of the places an HTTP request carries them: a URL query or an
//! `application/x-www-form-urlencoded` body, a `Cookie` header, a JSON document.
//!
//! Everything here is pure and bounded. At most [`MAX_PAIRS`] pairs come out of one input; keys
//! are cut to [`MAX_KEY_LEN`] bytes and values to [`MAX_VALUE_LEN`] bytes (at a character
//! boundary); JSON nesting deeper than [`MAX_DEPTH`] ends the walk. Malformed input never fails:
//! extraction stops cleanly and keeps what came before, since the bodies a monitor sees are often
//! cut short by its reassembly limit.
//!
//! The `*_pairs` functions return owned pairs. The iterator and visitor forms ([`FormPairs`],
//! [`CookiePairs`], [`json_walk`]) borrow from the input wherever no decoding is needed, for
//! callers that look at every cleartext request and want to allocate little.

use std::borrow::Cow;

/// Most pairs taken from one input; the rest is ignored.
pub const MAX_PAIRS: usize = 256;
/// Longest key kept, in bytes; longer keys (and JSON member names) are cut.
pub const MAX_KEY_LEN: usize = 256;
/// Longest value kept, in bytes; longer values are cut.
pub const MAX_VALUE_LEN: usize = 4096;
/// Deepest JSON nesting walked (objects and arrays); a document nesting deeper ends the walk.
pub const MAX_DEPTH: usize = 32;
/// Longest JSON key path: every level holds a member name (at most [`MAX_KEY_LEN`]) or an array
/// index, plus its separator.
pub const MAX_PATH_LEN: usize = MAX_DEPTH * (MAX_KEY_LEN + 24);

/// `s` cut to at most `max` bytes, at a character boundary.
fn cut_str(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// A `Cow<str>` cut to at most `max` bytes, at a character boundary.
fn cut_cow(s: Cow<'_, str>, max: usize) -> Cow<'_, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(cut_str(b, max)),
        Cow::Owned(mut o) => {
            let keep = cut_str(&o, max).len();
            o.truncate(keep);
            Cow::Owned(o)
        }
    }
}

/// The value of one hex digit.
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes `raw` (RFC 3986 section 2.1), `+` as a space when `plus_is_space`, as lossy
/// UTF-8, cut to [`MAX_VALUE_LEN`] bytes. Invalid escapes (`%`, `%4`, `%zz`) are kept literally.
/// Borrows when nothing needs decoding. For a path segment or any other single value.
pub fn percent_decode(raw: &[u8], plus_is_space: bool) -> Cow<'_, str> {
    cut_cow(
        decode_capped(raw, plus_is_space, MAX_VALUE_LEN * 3),
        MAX_VALUE_LEN,
    )
}

/// [`percent_decode`] reading at most `max` input bytes, enough for `max / 3` decoded bytes;
/// callers cut the result to their own cap.
fn decode_capped(raw: &[u8], plus_is_space: bool, max: usize) -> Cow<'_, str> {
    let raw = raw.get(..max).unwrap_or(raw);
    let needs = raw
        .iter()
        .any(|&b| b == b'%' || (plus_is_space && b == b'+'));
    if !needs {
        return String::from_utf8_lossy(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'%' => {
                let hi = raw.get(i + 1).copied().and_then(hex_val);
                let lo = raw.get(i + 2).copied().and_then(hex_val);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push((hi << 4) | lo);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' if plus_is_space => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Iterator over the `key=value` pairs of a URL query or a form body; see [`form_pairs`].
#[derive(Debug, Clone)]
pub struct FormPairs<'a> {
    rest: &'a [u8],
    plus_is_space: bool,
    left: usize,
}

impl<'a> FormPairs<'a> {
    /// The pairs of `text`, `+` decoded as a space when `plus_is_space` (form bodies; in URL
    /// queries a `+` is usually meant literally, e.g. in `+86` phone numbers).
    pub fn new(text: &'a [u8], plus_is_space: bool) -> Self {
        FormPairs {
            rest: text,
            plus_is_space,
            left: MAX_PAIRS,
        }
    }
}

impl<'a> Iterator for FormPairs<'a> {
    type Item = (Cow<'a, str>, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        while self.left > 0 && !self.rest.is_empty() {
            let end = self
                .rest
                .iter()
                .position(|&b| b == b'&')
                .unwrap_or(self.rest.len());
            let (segment, rest) = self.rest.split_at(end);
            self.rest = rest.get(1..).unwrap_or_default();
            if segment.is_empty() {
                continue;
            }
            let (key, value) = match segment.iter().position(|&b| b == b'=') {
                Some(eq) => (
                    segment.get(..eq).unwrap_or_default(),
                    segment.get(eq + 1..).unwrap_or_default(),
                ),
                None => (segment, &[][..]),
            };
            self.left -= 1;
            let key = decode_capped(key, self.plus_is_space, MAX_KEY_LEN * 3);
            let value = decode_capped(value, self.plus_is_space, MAX_VALUE_LEN * 3);
            return Some((cut_cow(key, MAX_KEY_LEN), cut_cow(value, MAX_VALUE_LEN)));
        }
        None
    }
}

/// `key=value` pairs of a URL query or an `application/x-www-form-urlencoded` body, in order,
/// percent-decoded (invalid escapes kept literally; bytes that are not UTF-8 replaced), `+` as a
/// space when `plus_is_space` (forms). Pairs are separated by `&`; empty segments are skipped and
/// a segment without `=` is a key with an empty value. A body cut short yields its last pair cut
/// short too.
pub fn form_pairs(text: &[u8], plus_is_space: bool) -> Vec<(String, String)> {
    FormPairs::new(text, plus_is_space)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Iterator over the pairs of a `Cookie` header; see [`cookie_pairs`].
#[derive(Debug, Clone)]
pub struct CookiePairs<'a> {
    rest: &'a str,
    left: usize,
}

impl<'a> CookiePairs<'a> {
    /// The pairs of one `Cookie` header value.
    pub fn new(header: &'a str) -> Self {
        CookiePairs {
            rest: header,
            left: MAX_PAIRS,
        }
    }
}

impl<'a> Iterator for CookiePairs<'a> {
    type Item = (Cow<'a, str>, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        while self.left > 0 && !self.rest.is_empty() {
            let (segment, rest) = self.rest.split_once(';').unwrap_or((self.rest, ""));
            self.rest = rest;
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            self.left -= 1;
            let value = decode_capped(value.as_bytes(), false, MAX_VALUE_LEN * 3);
            return Some((
                Cow::Borrowed(cut_str(name, MAX_KEY_LEN)),
                cut_cow(value, MAX_VALUE_LEN),
            ));
        }
        None
    }
}

/// `name=value` pairs of a `Cookie` header (RFC 6265 section 4.2.1: pairs separated by `;`),
/// names and values trimmed, a value's surrounding double quotes removed, values percent-decoded
/// (RFC 6265 defines no encoding, but most frameworks percent-encode; invalid escapes are kept).
/// A segment without `=` is a name with an empty value; segments without a name are skipped.
pub fn cookie_pairs(header: &str) -> Vec<(String, String)> {
    CookiePairs::new(header)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Leaf values of a JSON document with their key paths (`device.imei`, `list[0].mac`,
/// `[2]` for an element of a top-level array, the empty string for a top-level scalar), in
/// document order. Lenient (RFC 8259 is the model, not the judge): the walk stops cleanly at the
/// first malformed or truncated spot and keeps what came before; a string or number that the input
/// cuts off is not reported. Strings are unescaped (`\uXXXX` surrogate pairs joined, lone
/// surrogates replaced by U+FFFD); numbers, `true`, `false` and `null` come as their text. Empty
/// objects and arrays yield nothing.
pub fn json_pairs(body: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    json_walk(body, |path, value| {
        out.push((path.to_owned(), value.into_owned()))
    });
    out
}

/// One level of a JSON document being walked.
#[derive(Debug, Clone, Copy)]
enum Frame {
    /// An object; its members' paths start at `base` bytes of the path.
    Object { base: usize },
    /// An array at element `index`; element paths start at `base` bytes of the path.
    Array { base: usize, index: usize },
}

/// What the walker expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    Key,
    AfterValue,
}

/// The visitor form of [`json_pairs`]: calls `visit(path, value)` for every leaf, with the same
/// caps, without collecting. Values borrow from `body` where no unescaping was needed.
pub fn json_walk<'a>(body: &'a [u8], mut visit: impl FnMut(&str, Cow<'a, str>)) {
    let mut walker = Walker {
        src: body,
        at: 0,
        path: String::new(),
        stack: Vec::new(),
    };
    let mut left = MAX_PAIRS;
    // A UTF-8 byte order mark is tolerated.
    if body.starts_with(b"\xef\xbb\xbf") {
        walker.at = 3;
    }
    let mut expect = Expect::Value;
    while left > 0 {
        walker.skip_ws();
        let Some(&b) = walker.src.get(walker.at) else {
            return;
        };
        match expect {
            Expect::Value => match b {
                b'{' | b'[' => {
                    if walker.stack.len() >= MAX_DEPTH {
                        return;
                    }
                    walker.at += 1;
                    let base = walker.path.len();
                    walker.skip_ws();
                    let close = if b == b'{' { b'}' } else { b']' };
                    if walker.src.get(walker.at) == Some(&close) {
                        walker.at += 1;
                        expect = Expect::AfterValue;
                    } else if b == b'{' {
                        walker.stack.push(Frame::Object { base });
                        expect = Expect::Key;
                    } else {
                        walker.stack.push(Frame::Array { base, index: 0 });
                        walker.path.push_str("[0]");
                        expect = Expect::Value;
                    }
                }
                b'"' => {
                    let Some(s) = walker.string(MAX_VALUE_LEN) else {
                        return;
                    };
                    visit(&walker.path, s);
                    left -= 1;
                    expect = Expect::AfterValue;
                }
                _ => {
                    let Some(s) = walker.scalar() else {
                        return;
                    };
                    visit(&walker.path, Cow::Borrowed(s));
                    left -= 1;
                    expect = Expect::AfterValue;
                }
            },
            Expect::Key => {
                if b != b'"' {
                    return;
                }
                let Some(key) = walker.string(MAX_KEY_LEN) else {
                    return;
                };
                walker.skip_ws();
                if walker.src.get(walker.at) != Some(&b':') {
                    return;
                }
                walker.at += 1;
                let Some(&Frame::Object { base }) = walker.stack.last() else {
                    return;
                };
                walker.path.truncate(base);
                if base > 0 {
                    walker.path.push('.');
                }
                walker.path.push_str(&key);
                expect = Expect::Value;
            }
            Expect::AfterValue => {
                let Some(frame) = walker.stack.last_mut() else {
                    // The top-level value is complete; anything after it is not ours.
                    return;
                };
                walker.at += 1;
                match (frame, b) {
                    (Frame::Object { .. }, b',') => expect = Expect::Key,
                    (Frame::Array { base, index }, b',') => {
                        *index += 1;
                        let (base, index) = (*base, *index);
                        walker.path.truncate(base);
                        walker.path.push('[');
                        walker.path.push_str(&index.to_string());
                        walker.path.push(']');
                        expect = Expect::Value;
                    }
                    (Frame::Object { base }, b'}') | (Frame::Array { base, .. }, b']') => {
                        let base = *base;
                        walker.path.truncate(base);
                        walker.stack.pop();
                    }
                    _ => return,
                }
            }
        }
    }
}

/// Cursor state of [`json_walk`].
struct Walker<'a> {
    src: &'a [u8],
    at: usize,
    path: String,
    stack: Vec<Frame>,
}

impl<'a> Walker<'a> {
    fn skip_ws(&mut self) {
        while matches!(self.src.get(self.at), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    /// A number or literal at the cursor, as its text. A number the input ends inside (it may be
    /// cut short) counts only as a whole top-level document.
    fn scalar(&mut self) -> Option<&'a str> {
        let rest = self.src.get(self.at..)?;
        for lit in [&b"true"[..], b"false", b"null"] {
            if rest.starts_with(lit) {
                self.at += lit.len();
                return std::str::from_utf8(lit).ok();
            }
        }
        let len = rest
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .unwrap_or(rest.len());
        let text = rest.get(..len)?;
        let first = *text.first()?;
        if !(first == b'-' || first.is_ascii_digit()) || !text.iter().any(u8::is_ascii_digit) {
            return None;
        }
        if len == rest.len() && !self.stack.is_empty() {
            return None;
        }
        self.at += len;
        std::str::from_utf8(text).ok()
    }

    /// The string whose opening quote is at the cursor, unescaped and cut to `max` bytes; `None`
    /// when it is malformed or not terminated.
    fn string(&mut self, max: usize) -> Option<Cow<'a, str>> {
        let start = self.at + 1;
        let rest = self.src.get(start..)?;
        // The common case: no escapes before the closing quote.
        let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
        if rest.get(end) == Some(&b'"') {
            self.at = start + end + 1;
            let raw = rest.get(..end)?;
            return Some(cut_cow(String::from_utf8_lossy(raw), max));
        }
        let mut out: Vec<u8> = rest.get(..end)?.to_vec();
        let mut i = end;
        loop {
            match *rest.get(i)? {
                b'"' => {
                    self.at = start + i + 1;
                    return Some(cut_cow(
                        Cow::Owned(String::from_utf8_lossy(&out).into_owned()),
                        max,
                    ));
                }
                b'\\' => {
                    let esc = *rest.get(i + 1)?;
                    i += 2;
                    let c = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = hex4(rest.get(i..i + 4)?)?;
                            i += 4;
                            if (0xD800..0xDC00).contains(&hi)
                                && rest.get(i..i + 2) == Some(b"\\u")
                                && let Some(lo) = rest.get(i + 2..i + 6).and_then(hex4)
                                && (0xDC00..0xE000).contains(&lo)
                            {
                                i += 6;
                                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                char::from_u32(c).unwrap_or('\u{fffd}')
                            } else {
                                char::from_u32(hi).unwrap_or('\u{fffd}')
                            }
                        }
                        _ => return None,
                    };
                    if out.len() <= max {
                        let mut buf = [0; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                }
                b => {
                    if out.len() <= max {
                        out.push(b);
                    }
                    i += 1;
                }
            }
        }
    }
}

/// Four hex digits as a number.
fn hex4(b: &[u8]) -> Option<u32> {
    if b.len() != 4 {
        return None;
    }
    b.iter()
        .try_fold(0u32, |acc, &d| Some((acc << 4) | u32::from(hex_val(d)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn form_decoding() {
        assert_eq!(
            form_pairs(b"a=1&b=x%3Ay%3a&&c&d=&=e&f=%zz%4&g=a+b", true),
            pairs(&[
                ("a", "1"),
                ("b", "x:y:"),
                ("c", ""),
                ("d", ""),
                ("", "e"),
                ("f", "%zz%4"),
                ("g", "a b"),
            ])
        );
        // In a query `+` stays literal unless asked.
        assert_eq!(
            form_pairs(b"tel=+8613800000000&m=a%2Bb", false),
            pairs(&[("tel", "+8613800000000"), ("m", "a+b")])
        );
        // Invalid UTF-8 after decoding is replaced, not fatal.
        assert_eq!(form_pairs(b"k=%ff", false), pairs(&[("k", "\u{fffd}")]));
        assert_eq!(form_pairs(b"", true), pairs(&[]));
        // Borrowed when nothing needs decoding.
        let mut it = FormPairs::new(b"imei=1&x=%41", false);
        assert!(matches!(
            it.next(),
            Some((Cow::Borrowed("imei"), Cow::Borrowed("1")))
        ));
        assert!(matches!(
            it.next(),
            Some((Cow::Borrowed("x"), Cow::Owned(_)))
        ));
    }

    #[test]
    fn form_caps() {
        let many = "k=v&".repeat(MAX_PAIRS + 10);
        assert_eq!(form_pairs(many.as_bytes(), false).len(), MAX_PAIRS);
        let long = format!("{}={}", "k".repeat(1000), "%41".repeat(MAX_VALUE_LEN * 2));
        let got = form_pairs(long.as_bytes(), false);
        assert_eq!(got[0].0.len(), MAX_KEY_LEN);
        assert_eq!(got[0].1.len(), MAX_VALUE_LEN);
        assert!(got[0].1.bytes().all(|b| b == b'A'));
        // A cut never splits a character.
        let wide = format!("k={}", "é".repeat(MAX_VALUE_LEN));
        let got = form_pairs(wide.as_bytes(), false);
        assert!(got[0].1.len() <= MAX_VALUE_LEN && got[0].1.chars().all(|c| c == 'é'));
    }

    #[test]
    fn cookies() {
        assert_eq!(
            cookie_pairs(
                " uin=o0123456789; skey=@AbC; ; flag; mail=\"a%40b.example\";=x;  p_uin = o01 "
            ),
            pairs(&[
                ("uin", "o0123456789"),
                ("skey", "@AbC"),
                ("flag", ""),
                ("mail", "a@b.example"),
                ("p_uin", "o01"),
            ])
        );
        assert_eq!(cookie_pairs(""), pairs(&[]));
        assert_eq!(cookie_pairs("a=b=c"), pairs(&[("a", "b=c")]));
    }

    #[test]
    fn json_paths() {
        let doc = br#" {"device":{"imei":"865432012345674","mac":"a4:5e:60:01:02:03",
            "ids":[1, 2.5e3, -0.25], "empty":{}, "none":[], "ok":true, "n":null},
            "list":[{"mac":"x"},[ "y" ]], "esc":"a\"b\\c\/\u00e9\ud83d\ude00\ud800x\n"}"#;
        assert_eq!(
            json_pairs(doc),
            pairs(&[
                ("device.imei", "865432012345674"),
                ("device.mac", "a4:5e:60:01:02:03"),
                ("device.ids[0]", "1"),
                ("device.ids[1]", "2.5e3"),
                ("device.ids[2]", "-0.25"),
                ("device.ok", "true"),
                ("device.n", "null"),
                ("list[0].mac", "x"),
                ("list[1][0]", "y"),
                ("esc", "a\"b\\c/é😀\u{fffd}x\n"),
            ])
        );
        assert_eq!(
            json_pairs(br#"[{"a":1},2]"#),
            pairs(&[("[0].a", "1"), ("[1]", "2")])
        );
        assert_eq!(json_pairs(b"42"), pairs(&[("", "42")]));
        assert_eq!(json_pairs(b"\"s\" trailing"), pairs(&[("", "s")]));
        assert_eq!(
            json_pairs(b"\xef\xbb\xbf{\"a\":\"b\"}"),
            pairs(&[("a", "b")])
        );
    }

    #[test]
    fn json_lenient_stops() {
        // Cut short: the value in progress is dropped, what came before kept.
        assert_eq!(json_pairs(br#"{"a":"1","lat":39.90"#), pairs(&[("a", "1")]));
        assert_eq!(json_pairs(br#"{"a":"1","b":"unterm"#), pairs(&[("a", "1")]));
        assert_eq!(json_pairs(br#"{"a":"1" "b":"2"}"#), pairs(&[("a", "1")]));
        assert_eq!(json_pairs(br#"{"a":tru}"#), pairs(&[]));
        assert_eq!(json_pairs(br#"{"a":"\q","b":"2"}"#), pairs(&[]));
        assert_eq!(json_pairs(br#"{a:1}"#), pairs(&[]));
        assert_eq!(json_pairs(br#"{"a":1]"#), pairs(&[("a", "1")]));
        assert_eq!(json_pairs(b"not json"), pairs(&[]));
        assert_eq!(json_pairs(b""), pairs(&[]));
        // Too deep: stops at the limit.
        let deep = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(json_pairs(deep.as_bytes()), pairs(&[]));
        let ok = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(json_pairs(ok.as_bytes()).len(), 1);
    }

    #[test]
    fn json_caps() {
        let many = format!("[{}0]", "0,".repeat(MAX_PAIRS * 2));
        assert_eq!(json_pairs(many.as_bytes()).len(), MAX_PAIRS);
        let long = format!(
            "{{\"{}\":\"{}\",\"e\":\"{}\"}}",
            "k".repeat(1000),
            "v".repeat(MAX_VALUE_LEN * 2),
            "\\u00e9".repeat(MAX_VALUE_LEN)
        );
        let got = json_pairs(long.as_bytes());
        assert_eq!(got[0].0.len(), MAX_KEY_LEN);
        assert_eq!(got[0].1.len(), MAX_VALUE_LEN);
        assert!(got[1].1.len() <= MAX_VALUE_LEN && got[1].1.chars().all(|c| c == 'é'));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_stays_bounded(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            for pairs in [form_pairs(&data, true), form_pairs(&data, false), json_pairs(&data),
                          cookie_pairs(&String::from_utf8_lossy(&data))] {
                proptest::prop_assert!(pairs.len() <= MAX_PAIRS);
                for (k, v) in &pairs {
                    proptest::prop_assert!(k.len() <= MAX_PATH_LEN && v.len() <= MAX_VALUE_LEN);
                }
            }
        }

        #[test]
        fn json_like_inputs(s in "[\\[\\]{}\":,a-c0-9.\\\\u -]{0,300}") {
            for (k, v) in json_pairs(s.as_bytes()) {
                proptest::prop_assert!(k.len() <= MAX_PATH_LEN && v.len() <= MAX_VALUE_LEN);
            }
        }
    }
}
