//! `telltale_engine::identify::scan_request` over a request split out of the input, and the
//! `telltale_wire::kv` extractors over its parts. Layout: byte 0 picks the content type (0 none,
//! 1 JSON, 2 form, 3 `text/plain`, else the `Content-Type` header's value), then the target up to
//! the first `\n`, then `Name: value` header lines up to an empty line, then the body (raw bytes).
//! Detections must stay within `MAX_DETECTIONS`, never be empty, and never mask to their own
//! value; the extractors must stay within their pair, key and value caps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_engine::identify::{self, IdKind, MAX_DETECTIONS};
use telltale_wire::kv;

fn check_pairs(pairs: &[(String, String)]) {
    assert!(pairs.len() <= kv::MAX_PAIRS);
    for (k, v) in pairs {
        assert!(k.len() <= kv::MAX_PATH_LEN, "key of {} bytes", k.len());
        assert!(v.len() <= kv::MAX_VALUE_LEN, "value of {} bytes", v.len());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (target, rest) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&rest[..at], &rest[at + 2..]),
        None => (rest, &[][..]),
    };
    let target = String::from_utf8_lossy(target);
    let headers: Vec<(String, String)> = String::from_utf8_lossy(head)
        .lines()
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            Some((n.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    let header_ct = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str());
    let content_type = match mode % 5 {
        0 => None,
        1 => Some("application/json"),
        2 => Some("application/x-www-form-urlencoded"),
        3 => Some("text/plain"),
        _ => header_ct,
    };

    let found = identify::scan_request(&target, &headers, body, content_type);
    assert!(found.len() <= MAX_DETECTIONS);
    for d in &found {
        assert!(!d.value.is_empty());
        assert_ne!(d.masked(), d.value, "{:?}", d.kind);
        let _ = (
            d.summary(false),
            d.kind.label(),
            d.place.label(),
            d.kind.is_location(),
        );
    }
    let _ = identify::classify(&target, &String::from_utf8_lossy(body));
    let kind = IdKind::ALL[usize::from(mode) % IdKind::ALL.len()];
    if !target.is_empty() {
        assert_ne!(identify::mask(kind, &target), *target);
    }

    check_pairs(&kv::form_pairs(body, true));
    check_pairs(&kv::form_pairs(target.as_bytes(), false));
    check_pairs(&kv::json_pairs(body));
    for (_, v) in &headers {
        check_pairs(&kv::cookie_pairs(v));
    }
    assert!(kv::percent_decode(target.as_bytes(), false).len() <= kv::MAX_VALUE_LEN);
});
