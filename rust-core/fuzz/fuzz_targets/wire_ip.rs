//! `telltale_wire::ip::parse` on arbitrary bytes: IPv4 and IPv6 headers, IPv6 extension headers
//! and fragment headers. Besides not panicking, the payload handed on must be a part of the input
//! and the stated wire length must cover the header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_wire::ip;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = ip::parse(data) {
        let input = data.as_ptr_range();
        let payload = p.payload.as_ptr_range();
        assert!(input.start <= payload.start && payload.end <= input.end);
        assert!(p.truncated || p.payload.len() <= p.wire_len);
    }
});
