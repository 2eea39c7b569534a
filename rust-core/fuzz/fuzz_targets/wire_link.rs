//! `telltale_wire::link::ip_payload`: the first two input bytes (big-endian) are the tcpdump
//! link type, the rest is the frame. What it returns must lie within the frame, and is then
//! given to `ip::parse` as the capture replay does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_wire::{ip, link};

fuzz_target!(|data: &[u8]| {
    let Some((linktype, frame)) = data.split_first_chunk::<2>() else {
        return;
    };
    if let Ok(payload) = link::ip_payload(u32::from(u16::from_be_bytes(*linktype)), frame) {
        let (outer, inner) = (frame.as_ptr_range(), payload.as_ptr_range());
        assert!(outer.start <= inner.start && inner.end <= outer.end);
        let _ = ip::parse(payload);
    }
});
