//! QUIC client Initials: `quic::sniff_initial`, then `quic::client_initials` with or without a
//! key DCID, then `tls::parse_handshake` (and JA3/JA4) on the CRYPTO stream they carry.
//!
//! The first input byte chooses the mode. Bit 0: a key DCID follows (its length is the byte's top
//! five bits, at most 20). Bit 1: instead of taking the remaining bytes as the datagram, the
//! target seals them into up to three client Initials with the very keys the parser derives, so
//! that the fuzzer reaches header-protection removal, frame parsing and the ClientHello behind
//! the AEAD, which random bytes never get past.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use rustls::Side;
use rustls::quic::{Keys, Version};
use telltale_wire::ja::{self, Transport};
use telltale_wire::tls::{self, Handshake};
use telltale_wire::{quic, quic::ClientInitial};

/// Length of the AES-128-GCM tag the Initial packet protection appends.
const TAG_LEN: usize = 16;
/// Header protection samples start this far past the packet number offset (RFC 9001 5.4.2).
const SAMPLE_OFFSET: usize = 4;

fn initial_keys(dcid: &[u8], version: Version) -> Keys {
    rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256
        .tls13()
        .and_then(rustls::Tls13CipherSuite::quic_suite)
        .expect("TLS13_AES_128_GCM_SHA256 has a QUIC suite")
        .keys(dcid, Side::Client, version)
}

/// Builds a datagram of client Initials whose plaintext frames come from `u`, protected as a
/// client would protect them, followed by whatever input is left (coalesced garbage).
fn seal(u: &mut Unstructured<'_>, key_dcid: Option<&[u8]>) -> Result<Vec<u8>> {
    // (wire version, the long-header type bits of an Initial, the keys' version)
    let (wire_version, type_bits, version) = match u.int_in_range(0..=2u8)? {
        0 => (0x0000_0001u32, 0x00u8, Version::V1),
        1 => (0x6b33_43cf, 0x10, Version::V2),
        _ => (0xff00_001d, 0x00, Version::V1Draft),
    };
    let dcid_len = u.int_in_range(0..=20)?;
    let dcid = u.bytes(dcid_len)?;
    let scid_len = u.int_in_range(0..=20)?;
    let scid = u.bytes(scid_len)?;
    let keys = initial_keys(key_dcid.unwrap_or(dcid), version);

    let mut datagram = Vec::new();
    for pn in 0..u.int_in_range(1..=3u64)? {
        let pn_len = u.int_in_range(1..=4usize)?;
        let frames_len = usize::from(u.arbitrary::<u16>()?).min(u.len());
        let mut payload = u.bytes(frames_len)?.to_vec();
        // PADDING frames so that the header protection sample exists.
        payload.resize(payload.len().max(SAMPLE_OFFSET.saturating_sub(pn_len)), 0);

        let start = datagram.len();
        datagram.push(0xc0 | type_bits | (pn_len as u8 - 1));
        datagram.extend_from_slice(&wire_version.to_be_bytes());
        for cid in [dcid, scid] {
            datagram.push(cid.len() as u8);
            datagram.extend_from_slice(cid);
        }
        datagram.push(0); // token length
        let length = u32::try_from(pn_len + payload.len() + TAG_LEN).expect("below 2^17");
        datagram.extend_from_slice(&(0x8000_0000 | length).to_be_bytes()); // 4-byte varint
        let pn_offset = datagram.len();
        datagram.extend_from_slice(&pn.to_be_bytes()[8 - pn_len..]);

        let tag = keys
            .local
            .packet
            .encrypt_in_place(pn, &datagram[start..], &mut payload)
            .expect("an Initial-sized payload seals");
        datagram.extend_from_slice(&payload);
        datagram.extend_from_slice(tag.as_ref());

        let sample_at = pn_offset + SAMPLE_OFFSET;
        let sample = datagram[sample_at..sample_at + keys.local.header.sample_len()].to_vec();
        let (header, rest) = datagram.split_at_mut(pn_offset);
        keys.local
            .header
            .encrypt_in_place(&sample, &mut header[start], &mut rest[..pn_len])
            .expect("sample and packet number have valid lengths");
    }
    datagram.extend_from_slice(u.bytes(u.len())?);
    Ok(datagram)
}

/// The CRYPTO stream from offset 0 as far as the fragments make it contiguous.
fn crypto_stream(initials: &[ClientInitial]) -> Vec<u8> {
    let mut fragments: Vec<_> = initials.iter().flat_map(|i| &i.crypto).collect();
    fragments.sort_by_key(|f| f.offset);
    let mut stream = Vec::new();
    for f in fragments {
        let Some(skip) = usize::try_from(f.offset)
            .ok()
            .and_then(|start| stream.len().checked_sub(start))
        else {
            break;
        };
        stream.extend_from_slice(f.data.get(skip..).unwrap_or_default());
    }
    stream
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(mode) = u.arbitrary::<u8>() else {
        return;
    };
    let key_dcid = if mode & 1 != 0 {
        let Ok(dcid) = u.bytes(usize::from(mode >> 3).min(20)) else {
            return;
        };
        Some(dcid)
    } else {
        None
    };
    let datagram = if mode & 2 != 0 {
        let Ok(sealed) = seal(&mut u, key_dcid) else {
            return;
        };
        sealed
    } else {
        u.take_rest().to_vec()
    };

    if let Some((_, dcid)) = quic::sniff_initial(&datagram) {
        assert!(dcid.len() <= 20);
    }
    let Ok(initials) = quic::client_initials(&datagram, key_dcid) else {
        return;
    };
    let stream = crypto_stream(&initials);
    assert!(stream.len() <= datagram.len());
    if let Ok(Handshake::ClientHello(hello)) = tls::parse_handshake(&stream) {
        let _ = ja::ja3(&hello);
        let _ = ja::ja4(&hello, Transport::Quic);
    }
});
