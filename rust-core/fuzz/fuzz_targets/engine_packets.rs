//! A whole `telltale_engine::Engine`, with the built-in signatures and small limits (64 flows, a
//! 32 KiB buffer budget, an 8 KiB reassembly window, 8 KiB inspected per direction), fed a
//! sequence of IP packets taken from the input. The first input byte holds options: its low bit
//! turns on `show_identifiers`; the next bit makes `download_limit` 1 KiB (a code download is cut
//! short of the inspect limit) instead of 12 KiB (a download is read past the inspect limit, to
//! its end or the limit). After it, each packet is a 4-byte record header followed by its bytes:
//!
//! - a signed time step `d`: the clock moves by `d * |d| * 20` ms, up to about 5 minutes either
//!   way, so flows time out and the clock also runs backwards;
//! - an app uid byte (0 for none);
//! - the packet length, 2 bytes big-endian (cut to what is left of the input).
//!
//! Finished flow records are drained with `poll_flow` after every packet; at the end come
//! `snapshot` and `finish`, which hands over every remaining record and leaves none to poll.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use telltale_engine::{Config, Engine, PacketMeta, Signatures};
use telltale_wire::Timestamp;

fn signatures() -> Arc<Signatures> {
    static SIGS: OnceLock<Arc<Signatures>> = OnceLock::new();
    SIGS.get_or_init(|| Arc::new(Signatures::builtin().expect("built-in signatures load")))
        .clone()
}

fuzz_target!(|data: &[u8]| {
    let options = data.first().copied().unwrap_or(0);
    let config = Config {
        max_flows: 64,
        buffer_budget: 32 * 1024,
        stream_window: 8 * 1024,
        inspect_limit: 8 * 1024,
        download_limit: if options & 2 != 0 { 1024 } else { 12 * 1024 },
        max_names: 64,
        show_identifiers: options & 1 != 0,
        keep_flow_records: true,
    };
    let mut engine = Engine::new(config, signatures());
    let mut now_ms: i64 = 1_700_000_000_000;
    let mut rest = data.get(1..).unwrap_or_default();
    while let Some((&[step, uid, len_hi, len_lo], after)) = rest.split_first_chunk::<4>() {
        let step = i64::from(step as i8);
        now_ms += step * step.abs() * 20;
        let len = usize::from(u16::from_be_bytes([len_hi, len_lo])).min(after.len());
        let (packet, tail) = after.split_at(len);
        let meta = PacketMeta {
            uid: (uid != 0).then(|| 10_000 + i32::from(uid)),
        };
        engine.on_packet(Timestamp::from_nanos(now_ms * 1_000_000), packet, meta);
        while engine.poll_flow().is_some() {}
        rest = tail;
    }
    let _ = engine.snapshot();
    let _ = engine.finish(drop);
    assert!(engine.poll_flow().is_none());
});
