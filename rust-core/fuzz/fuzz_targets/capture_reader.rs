//! `telltale_capture::CaptureReader` over the input as a whole capture file (pcap or pcapng,
//! with PCAPdroid trailers and UID maps), read packet by packet to the end. Reading must end
//! without an error (a slice cannot fail to read), packet offsets must strictly increase and stay
//! inside the file, and every packet's bytes go on through `link::ip_payload` and `ip::parse` as
//! in a replay.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use telltale_capture::CaptureReader;
use telltale_wire::{ip, link};

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = CaptureReader::new(Cursor::new(data)) else {
        return;
    };
    let _ = reader.format();
    let file_len = data.len() as u64;
    let mut last_offset = None;
    loop {
        let packet = match reader.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(e) => panic!("only I/O fails, and reading a slice cannot: {e}"),
        };
        assert!(
            last_offset < Some(packet.offset),
            "packet offsets must increase"
        );
        assert!(packet.offset < file_len);
        assert!(packet.data.len() <= data.len());
        last_offset = Some(packet.offset);
        if let Ok(payload) = link::ip_payload(packet.linktype, packet.data) {
            let _ = ip::parse(payload);
        }
    }
    assert!(reader.position() <= file_len);
    assert!(reader.warnings().iter().all(|w| w.offset <= file_len));
    let _ = reader.apps().count();
});
