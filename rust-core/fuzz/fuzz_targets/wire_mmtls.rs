//! WeChat MMTLS parsing. The input is read three ways: as a TCP stream or HTTP body, whose
//! records `mmtls::parse_record` takes one after another (each must consume its header and body
//! and no more than the input), every record going to `parse_handshake`; and as the body of a
//! 0x16 and of a 0x19 record given straight to `parse_handshake`, so that the hello parsers see
//! arbitrary bytes without the fuzzer first finding a record header. `looks_like_mmtls` must agree
//! with `parse_record`, and every hello parsed must respect the documented bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telltale_wire::mmtls::{self, Handshake, Record};

fn inspect(record: &Record<'_>) {
    match mmtls::parse_handshake(record) {
        Ok(Handshake::ClientHello(hello)) => {
            assert!(matches!(
                record.kind,
                mmtls::RECORD_HANDSHAKE | mmtls::RECORD_EARLY
            ));
            assert_eq!(hello.early, record.kind == mmtls::RECORD_EARLY);
            assert_eq!(hello.version >> 8, 0xF1);
            assert!(!hello.cipher_suites.is_empty());
            for &suite in &hello.cipher_suites {
                let _ = mmtls::suite_name(suite);
            }
            if let Some(psk) = &hello.psk {
                assert!(psk.ticket.len() <= mmtls::MAX_TICKET_LEN);
                assert!(psk.nonce.len() <= 255);
            }
            assert!(hello.key_shares <= 255 * 255);
        }
        Ok(Handshake::ServerHello(hello)) => {
            assert_eq!(hello.version >> 8, 0xF1);
            let _ = mmtls::suite_name(hello.cipher_suite);
        }
        Ok(Handshake::Other(_)) | Err(_) => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let sniffed = mmtls::looks_like_mmtls(data);
    assert_eq!(
        sniffed,
        data.len() >= 3 && mmtls::parse_record(data).is_ok()
    );

    let mut rest = data;
    while let Ok(Some((record, used))) = mmtls::parse_record(rest) {
        assert!(used <= rest.len());
        assert_eq!(used, record.body.len() + 5);
        assert!(!record.body.is_empty());
        inspect(&record);
        rest = &rest[used..];
    }

    for kind in [mmtls::RECORD_HANDSHAKE, mmtls::RECORD_EARLY] {
        inspect(&Record { kind, body: data });
    }
});
