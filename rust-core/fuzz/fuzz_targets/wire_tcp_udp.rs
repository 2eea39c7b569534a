//! `telltale_wire::tcp::parse` and `telltale_wire::udp::parse` on the same arbitrary bytes (both
//! take the bytes following an IP header). The payload each returns must lie within the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_wire::{tcp, udp};

fn inside(outer: &[u8], inner: &[u8]) -> bool {
    let (o, i) = (outer.as_ptr_range(), inner.as_ptr_range());
    o.start <= i.start && i.end <= o.end
}

fuzz_target!(|data: &[u8]| {
    if let Ok(segment) = tcp::parse(data) {
        assert!(inside(data, segment.payload));
    }
    if let Ok(datagram) = udp::parse(data) {
        assert!(inside(data, datagram.payload));
    }
});
