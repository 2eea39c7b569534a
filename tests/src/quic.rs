//! QUIC client Initial packets protected with rustls' client-side Initial keys (RFC 9001
//! section 5): the counterpart of what `telltale_wire::quic` opens, for tests that need Initials
//! other than the RFC's own vectors.

use rustls::Side;
use rustls::quic::Version;

/// QUIC version 1 (RFC 9000).
pub const V1: u32 = 1;
/// QUIC version 2 (RFC 9369).
pub const V2: u32 = 0x6b33_43cf;
/// Draft 29, the last draft version widely deployed.
pub const DRAFT29: u32 = 0xff00_001d;

/// Where the header-protection sample starts, counted from the packet number with a 4-byte
/// packet number assumed (RFC 9001 section 5.4.2).
const SAMPLE_OFFSET: usize = 4;

/// How to build one long-header packet.
#[derive(Debug, Clone)]
pub struct Seal<'a> {
    /// Wire version: [`V1`], [`V2`] or [`DRAFT29`].
    pub version: u32,
    /// DCID the Initial keys derive from (the client's first DCID).
    pub key_dcid: &'a [u8],
    /// DCID written in this packet.
    pub dcid: &'a [u8],
    /// SCID written in this packet.
    pub scid: &'a [u8],
    /// Token (Initial packets only).
    pub token: &'a [u8],
    /// Packet number.
    pub pn: u64,
    /// Bytes the packet number takes on the wire, 1 to 4.
    pub pn_len: usize,
}

impl Seal<'_> {
    /// A V1-style Seal of packet number 0 for `dcid`, with no SCID or token.
    pub fn v1(dcid: &[u8]) -> Seal<'_> {
        Seal {
            version: V1,
            key_dcid: dcid,
            dcid,
            scid: &[],
            token: &[],
            pn: 0,
            pn_len: 2,
        }
    }

    /// An Initial packet holding `frames`.
    pub fn initial(&self, frames: &[u8]) -> Vec<u8> {
        self.packet(self.version, self.initial_type_bits(), frames)
    }

    fn initial_type_bits(&self) -> u8 {
        // Version 2 renumbered the long-header packet types; Initial is 1 there.
        u8::from(self.version == V2)
    }

    /// A long-header packet of `wire` version and `type_bits` packet type, protected with
    /// the Initial keys of this Seal's version.
    pub fn packet(&self, wire: u32, type_bits: u8, frames: &[u8]) -> Vec<u8> {
        let keys_version = match self.version {
            V2 => Version::V2,
            DRAFT29 => Version::V1Draft,
            _ => Version::V1,
        };
        let suite = rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256
            .tls13()
            .expect("TLS 1.3 suite")
            .quic_suite()
            .expect("QUIC suite");
        let keys = suite.keys(self.key_dcid, Side::Client, keys_version);
        let mut payload = frames.to_vec();
        payload.resize(payload.len().max(4), 0);
        let pn_len = u8::try_from(self.pn_len).expect("packet number length");
        let mut header = vec![0xc0 | type_bits << 4 | (pn_len - 1)];
        header.extend_from_slice(&wire.to_be_bytes());
        header.push(u8::try_from(self.dcid.len()).expect("dcid length"));
        header.extend_from_slice(self.dcid);
        header.push(u8::try_from(self.scid.len()).expect("scid length"));
        header.extend_from_slice(self.scid);
        if type_bits == self.initial_type_bits() {
            header.push(u8::try_from(self.token.len()).expect("token length"));
            header.extend_from_slice(self.token);
        }
        let length = u16::try_from(self.pn_len + payload.len() + 16).expect("packet length");
        header.extend_from_slice(&(0x4000 | length).to_be_bytes());
        let pn_offset = header.len();
        header.extend_from_slice(&self.pn.to_be_bytes()[8 - self.pn_len..]);
        let tag = keys
            .local
            .packet
            .encrypt_in_place(self.pn, &header, &mut payload)
            .expect("seal");
        payload.extend_from_slice(tag.as_ref());
        let sample_at = SAMPLE_OFFSET - self.pn_len;
        let sample = payload[sample_at..sample_at + 16].to_vec();
        let (first, rest) = header.split_first_mut().expect("header");
        keys.local
            .header
            .encrypt_in_place(&sample, first, &mut rest[pn_offset - 1..])
            .expect("header protection");
        [header, payload].concat()
    }
}

/// A CRYPTO frame (RFC 9000 section 19.6) with an 8-byte offset and a 2-byte length.
pub fn crypto_frame(offset: u64, data: &[u8]) -> Vec<u8> {
    let mut f = vec![0x06];
    f.extend_from_slice(&(0xc000_0000_0000_0000 | offset).to_be_bytes());
    f.extend_from_slice(&(0x4000 | u16::try_from(data.len()).expect("frame length")).to_be_bytes());
    f.extend_from_slice(data);
    f
}
