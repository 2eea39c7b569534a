//! `telltale_wire::gtp::decapsulate` on arbitrary bytes (a GTP-U message as carried on UDP port
//! 2152), then `ip::parse` on the inner packet as the engine does. The inner packet must be a
//! part of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_wire::{gtp, ip};

fuzz_target!(|data: &[u8]| {
    if let Ok(inner) = gtp::decapsulate(data) {
        let (outer, inner_range) = (data.as_ptr_range(), inner.as_ptr_range());
        assert!(outer.start <= inner_range.start && inner_range.end <= outer.end);
        let _ = ip::parse(inner);
    }
});
