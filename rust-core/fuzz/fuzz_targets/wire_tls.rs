//! TLS handshake parsing. The first two input bytes (big-endian) are the size limit given to
//! `tls::first_handshake_message`; the rest is a TCP stream's first bytes. The stream goes through
//! `looks_like_tls` and `first_handshake_message`, whose message (never longer than the limit) goes
//! to `parse_handshake`; the stream is also given to `parse_handshake` directly, as QUIC CRYPTO
//! data would be. Every ClientHello parsed gets its JA3 and both JA4 fingerprints; every
//! ServerHello its version.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_wire::ja::{self, Transport};
use telltale_wire::tls::{self, Handshake};

fn inspect(msg: &[u8]) {
    match tls::parse_handshake(msg) {
        Ok(Handshake::ClientHello(hello)) => {
            let ja3 = ja::ja3(&hello);
            assert_eq!(ja3.hash.len(), 32);
            for transport in [Transport::Tcp, Transport::Quic] {
                let _ = ja::ja4(&hello, transport);
            }
            let _ = tls::version_name(hello.max_version());
        }
        Ok(Handshake::ServerHello(hello)) => {
            let _ = tls::version_name(hello.version());
            let _ = tls::weak_cipher(hello.cipher_suite);
        }
        Ok(Handshake::Other(_)) | Err(_) => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((max, stream)) = data.split_first_chunk::<2>() else {
        return;
    };
    let max = usize::from(u16::from_be_bytes(*max));
    let _ = tls::looks_like_tls(stream);
    if let Ok(Some(msg)) = tls::first_handshake_message(stream, max) {
        assert!(msg.len() <= max);
        inspect(&msg);
    }
    inspect(stream);
});
