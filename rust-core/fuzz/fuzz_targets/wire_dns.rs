//! `telltale_wire::dns::parse` on the input as one DNS message (as over UDP), and the input as a
//! DNS-over-TCP stream: `dns::tcp_message` splits it into length-prefixed messages, each parsed
//! in turn. Splitting must consume bytes of the stream on every step.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_wire::dns;

fuzz_target!(|data: &[u8]| {
    let _ = dns::parse(data);

    let mut stream = data;
    while let Some((msg, consumed)) = dns::tcp_message(stream) {
        assert!(consumed > msg.len() && consumed <= stream.len());
        let _ = dns::parse(msg);
        stream = &stream[consumed..];
    }
});
