//! `telltale_wire::http::parse_request` and `parse_response` on arbitrary bytes, then every
//! accessor of a parsed head (host, path, query, user agent, content type and length). A head
//! length must never exceed the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_wire::http::{self, Head};

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(req)) = http::parse_request(data) {
        assert!(req.head_len <= data.len());
        let _ = req.host();
        let path = req.path();
        if let Some(query) = req.query() {
            assert_eq!(path.len() + 1 + query.len(), req.target.len());
        }
        let _ = (req.user_agent(), req.content_type(), req.content_length());
    }
    if let Ok(Some(resp)) = http::parse_response(data) {
        assert!(resp.head_len <= data.len());
        let _ = (resp.content_type(), resp.content_length());
    }
    let _ = (
        http::looks_like_request(data),
        http::looks_like_response(data),
    );
});
