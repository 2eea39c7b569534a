//! QUIC client Initial packets, read the way an on-path observer can: Initial keys derive from the
//! client's Destination Connection ID and a salt published for each version, so the CRYPTO frames
//! carrying the TLS ClientHello can be decrypted without any secret.
//!
//! Formats: RFC 9000 sections 12.2 (coalescing), 16 (varints), 17.2 (long header), 17.2.2
//! (Initial) and 19 (frames); RFC 9001 sections 5.2 to 5.4 (Initial secrets, packet and header
//! protection); RFC 9369 (QUIC v2 version number, packet type bits, salt and labels);
//! draft-ietf-quic-transport-29 and draft-ietf-quic-tls-29 to -32 (the v1 wire image and frames
//! as far as they are read here, with their own salt). The key schedule, header protection and
//! AEAD are rustls' public QUIC API with the ring provider.

use rustls::Side;
use rustls::quic::Keys;

use crate::tls::Reader;
use crate::{Error, Result};

/// Longest connection ID in the versions handled here (RFC 9000 section 17.2).
const MAX_CID_LEN: usize = 20;
/// Header protection samples start 4 bytes after the packet number offset (RFC 9001 5.4.2).
const SAMPLE_OFFSET: usize = 4;
/// Largest stream offset plus length a CRYPTO frame may reach (RFC 9000 section 19.6).
const MAX_CRYPTO_END: u64 = (1 << 62) - 1;

/// A QUIC version whose Initial packets this module can decrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// draft-ietf-quic-transport-29 to -32 (0xff00001d to 0xff000020), which share one Initial
    /// salt. Drafts 27 and 28 used another salt and are not accepted.
    Draft29,
    /// QUIC version 1 (RFC 9000), 0x00000001.
    V1,
    /// QUIC version 2 (RFC 9369), 0x6b3343cf.
    V2,
}

impl Version {
    /// The version a long header's version field names, if it is one handled here.
    pub fn from_wire(v: u32) -> Option<Self> {
        match v {
            0x0000_0001 => Some(Self::V1),
            0x6b33_43cf => Some(Self::V2),
            0xff00_001d..=0xff00_0020 => Some(Self::Draft29),
            _ => None,
        }
    }

    /// Long header packet type from the type bits of the first byte (RFC 9000 17.2, RFC 9369 3.2).
    fn packet_type(self, first: u8) -> PacketType {
        let bits = (first >> 4) & 0x03;
        let bits = match self {
            // v2 rotates the type codes by one: Initial is 0b01, Retry 0b00.
            Self::V2 => bits.wrapping_sub(1) & 0x03,
            Self::V1 | Self::Draft29 => bits,
        };
        match bits {
            0 => PacketType::Initial,
            1 => PacketType::ZeroRtt,
            2 => PacketType::Handshake,
            _ => PacketType::Retry,
        }
    }

    fn keys_version(self) -> rustls::quic::Version {
        match self {
            Self::Draft29 => rustls::quic::Version::V1Draft,
            Self::V1 => rustls::quic::Version::V1,
            Self::V2 => rustls::quic::Version::V2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PacketType {
    Initial,
    ZeroRtt,
    Handshake,
    Retry,
}

/// The data of one CRYPTO frame: `data` belongs at `offset` of the Initial crypto stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoFragment {
    /// Offset of `data` in the crypto stream.
    pub offset: u64,
    /// The frame's bytes.
    pub data: Vec<u8>,
}

/// One decrypted client Initial packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInitial {
    /// The version field, as sent.
    pub version: u32,
    /// Destination Connection ID of this packet.
    pub dcid: Vec<u8>,
    /// Source Connection ID of this packet.
    pub scid: Vec<u8>,
    /// The CRYPTO frames, in packet order (not necessarily stream order).
    pub crypto: Vec<CryptoFragment>,
}

/// Cheap check without decryption: is this UDP payload a QUIC long-header Initial of a version we
/// can decrypt? Returns (version, dcid).
///
/// Checks the header form, version, packet type, connection ID lengths, and that the token and
/// the packet's Length fit in the datagram. The fixed bit is not checked: RFC 9287 lets clients
/// clear it. Server Initials pass too; only decryption tells the two apart.
pub fn sniff_initial(datagram: &[u8]) -> Option<(u32, &[u8])> {
    let mut r = Reader::new(datagram);
    let header = long_header(&mut r).ok()?;
    let version = Version::from_wire(header.version)?;
    if version.packet_type(header.first) != PacketType::Initial {
        return None;
    }
    let token_len = varint_len(&mut r, "quic token").ok()?;
    r.take(token_len, "quic token").ok()?;
    let length = varint_len(&mut r, "quic length").ok()?;
    (length <= r.rest().len()).then_some((header.version, header.dcid))
}

/// Cheap check: is this UDP payload a QUIC long-header packet of any type (Initial, 0-RTT,
/// Handshake, Retry) of a version whose Initials this module decrypts? Returns the version.
/// Clients may send 0-RTT packets before the Initial that carries the ClientHello, and captures
/// may reorder datagrams, so a flow's first datagram need not be its Initial.
pub fn sniff_long_header(datagram: &[u8]) -> Option<u32> {
    let mut r = Reader::new(datagram);
    let header = long_header(&mut r).ok()?;
    Version::from_wire(header.version).map(|_| header.version)
}

/// Decrypt every client Initial packet coalesced in this UDP datagram (skip other packet types,
/// stop at a short-header packet) and collect the CRYPTO frames of all of them. `key_dcid` is the
/// DCID of the first Initial the client sent on this connection (Initial keys come from it even
/// after the server changes the DCID); None means use each packet's own DCID. Frames other than
/// CRYPTO, PADDING, PING, ACK, CONNECTION_CLOSE are an error (not a client Initial).
///
/// Following RFC 9000 section 12.2, packets after the first that carry another version or
/// Destination Connection ID are ignored, as is everything after a Retry. A first packet of a
/// version not handled here is `Error::Unsupported`; a packet that fails authentication (wrong
/// key, a server's Initial, garbage) is `Error::Decrypt`.
pub fn client_initials(datagram: &[u8], key_dcid: Option<&[u8]>) -> Result<Vec<ClientInitial>> {
    client_initials_cached(datagram, key_dcid, &mut KeyCache::default())
}

/// Initial keys kept between datagrams of one connection: deriving them (HKDF and AES key
/// schedules for both directions) costs more than decrypting a packet, and a client often sends
/// its ClientHello in several datagrams.
#[derive(Default)]
pub struct KeyCache {
    /// The version and DCID the keys were derived for, and the keys.
    keys: Option<(u32, Vec<u8>, Keys)>,
}

impl core::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let held = self.keys.as_ref().map(|(v, dcid, _)| (v, dcid));
        f.debug_struct("KeyCache").field("keys_for", &held).finish()
    }
}

/// [`client_initials`], reusing (and filling) `cache` for the keys.
pub fn client_initials_cached(
    datagram: &[u8],
    key_dcid: Option<&[u8]>,
    cache: &mut KeyCache,
) -> Result<Vec<ClientInitial>> {
    let suite = rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256
        .tls13()
        .and_then(rustls::Tls13CipherSuite::quic_suite)
        .ok_or(Error::Unsupported("quic initial cipher suite"))?;
    let mut out = Vec::new();
    let mut first_packet: Option<(u32, &[u8])> = None;
    let mut rest = datagram;
    // A short header (form bit clear) starts a 1-RTT packet that runs to the end of the datagram.
    while rest.first().is_some_and(|&b| b & 0x80 != 0) {
        let mut r = Reader::new(rest);
        let header = long_header(&mut r)?;
        match first_packet {
            None => first_packet = Some((header.version, header.dcid)),
            Some(first) if first != (header.version, header.dcid) => break,
            Some(_) => {}
        }
        let version =
            Version::from_wire(header.version).ok_or(Error::Unsupported("quic version"))?;
        let kind = version.packet_type(header.first);
        if kind == PacketType::Retry {
            break;
        }
        if kind == PacketType::Initial {
            let token_len = varint_len(&mut r, "quic token")?;
            r.take(token_len, "quic token")?;
        }
        let length = varint_len(&mut r, "quic length")?;
        let pn_offset = rest.len() - r.rest().len();
        let end = pn_offset
            .checked_add(length)
            .ok_or(Error::Truncated("quic packet"))?;
        let (packet, tail) = rest
            .split_at_checked(end)
            .ok_or(Error::Truncated("quic packet"))?;
        rest = tail;
        if kind != PacketType::Initial {
            continue;
        }
        // Every Initial kept here has the first packet's version and DCID, so one key set serves.
        let dcid = key_dcid.unwrap_or(header.dcid);
        let cached = cache
            .keys
            .as_ref()
            .is_some_and(|(v, d, _)| *v == header.version && d.as_slice() == dcid);
        if !cached {
            let keys = suite.keys(dcid, Side::Server, version.keys_version());
            cache.keys = Some((header.version, dcid.to_vec(), keys));
        }
        let Some((_, _, keys)) = cache.keys.as_ref() else {
            return Err(Error::Unsupported("quic initial keys"));
        };
        let plaintext = unprotect(keys, packet, pn_offset)?;
        out.push(ClientInitial {
            version: header.version,
            dcid: header.dcid.to_vec(),
            scid: header.scid.to_vec(),
            crypto: crypto_frames(&plaintext)?,
        });
    }
    Ok(out)
}

/// The version-independent start of a long header (RFC 8999) with v1's connection ID limit.
struct LongHeader<'a> {
    first: u8,
    version: u32,
    dcid: &'a [u8],
    scid: &'a [u8],
}

fn long_header<'a>(r: &mut Reader<'a>) -> Result<LongHeader<'a>> {
    const WHAT: &str = "quic long header";
    let first = r.u8(WHAT)?;
    if first & 0x80 == 0 {
        return Err(Error::Malformed {
            what: WHAT,
            why: "short header",
        });
    }
    let version = r.u32(WHAT)?;
    let dcid = r.vec8(WHAT)?;
    let scid = r.vec8(WHAT)?;
    if dcid.len() > MAX_CID_LEN || scid.len() > MAX_CID_LEN {
        return Err(Error::Malformed {
            what: WHAT,
            why: "connection id longer than 20 bytes",
        });
    }
    Ok(LongHeader {
        first,
        version,
        dcid,
        scid,
    })
}

/// Removes header protection and decrypts one Initial packet (`packet` runs from its first byte
/// to the end of its payload; the packet number starts at `pn_offset`). Returns the plaintext
/// frames.
fn unprotect(keys: &Keys, packet: &[u8], pn_offset: usize) -> Result<Vec<u8>> {
    const WHAT: &str = "quic initial";
    let sample = packet
        .get(pn_offset + SAMPLE_OFFSET..)
        .and_then(|s| s.get(..keys.remote.header.sample_len()))
        .ok_or(Error::Truncated(WHAT))?;
    let mut buf = packet.to_vec();
    let (header, body) = buf
        .split_at_mut_checked(pn_offset)
        .ok_or(Error::Truncated(WHAT))?;
    let first = header.first_mut().ok_or(Error::Truncated(WHAT))?;
    // Unmask a copy of the first byte alone to learn the packet number length, so the second call
    // can be given exactly the packet number field, as the trait asks.
    let mut probe = *first;
    keys.remote
        .header
        .decrypt_in_place(sample, &mut probe, &mut [])
        .map_err(|_| Error::Decrypt(WHAT))?;
    let pn_len = usize::from(probe & 0x03) + 1;
    let pn_field = body.get_mut(..pn_len).ok_or(Error::Truncated(WHAT))?;
    keys.remote
        .header
        .decrypt_in_place(sample, first, pn_field)
        .map_err(|_| Error::Decrypt(WHAT))?;
    // Initial packet numbers start at 0 and a client sends only a few Initials, so the truncated
    // number is the full one (RFC 9000 A.3 with no packet received before).
    let pn = pn_field.iter().fold(0u64, |n, &b| n << 8 | u64::from(b));
    let (aad, payload) = buf
        .split_at_mut_checked(pn_offset + pn_len)
        .ok_or(Error::Truncated(WHAT))?;
    let plaintext = keys
        .remote
        .packet
        .decrypt_in_place(pn, aad, payload)
        .map_err(|_| Error::Decrypt(WHAT))?;
    Ok(plaintext.to_vec())
}

/// The CRYPTO frames of a decrypted Initial payload; any frame a client may not send in an
/// Initial packet (RFC 9000 section 12.4, table 3) is an error.
fn crypto_frames(payload: &[u8]) -> Result<Vec<CryptoFragment>> {
    const WHAT: &str = "quic frame";
    let mut r = Reader::new(payload);
    let mut fragments = Vec::new();
    while !r.is_empty() {
        match varint(&mut r, WHAT)? {
            // PADDING: a client pads its Initials to 1200 bytes, so skip the run of zeros at
            // once rather than a frame at a time.
            0x00 => {
                let zeros = r.rest().iter().take_while(|&&b| b == 0).count();
                r.take(zeros, WHAT)?;
            }
            // PING.
            0x01 => {}
            // ACK, ACK with ECN counts.
            kind @ (0x02 | 0x03) => {
                varint(&mut r, WHAT)?; // largest acknowledged
                varint(&mut r, WHAT)?; // ack delay
                let ranges = varint(&mut r, WHAT)?;
                varint(&mut r, WHAT)?; // first range
                // Each range takes at least two bytes, so running out of input ends this loop.
                for _ in 0..ranges {
                    varint(&mut r, WHAT)?;
                    varint(&mut r, WHAT)?;
                }
                if kind == 0x03 {
                    for _ in 0..3 {
                        varint(&mut r, WHAT)?;
                    }
                }
            }
            // CRYPTO.
            0x06 => {
                let offset = varint(&mut r, "quic crypto frame")?;
                let len = varint(&mut r, "quic crypto frame")?;
                if offset
                    .checked_add(len)
                    .is_none_or(|end| end > MAX_CRYPTO_END)
                {
                    return Err(Error::Malformed {
                        what: "quic crypto frame",
                        why: "ends beyond 2^62-1",
                    });
                }
                let len =
                    usize::try_from(len).map_err(|_| Error::Truncated("quic crypto frame"))?;
                let data = r.take(len, "quic crypto frame")?;
                fragments.push(CryptoFragment {
                    offset,
                    data: data.to_vec(),
                });
            }
            // CONNECTION_CLOSE (transport): error code, frame type, reason phrase.
            0x1c => {
                varint(&mut r, WHAT)?;
                varint(&mut r, WHAT)?;
                let reason_len = varint_len(&mut r, WHAT)?;
                r.take(reason_len, WHAT)?;
            }
            _ => {
                return Err(Error::Malformed {
                    what: "quic initial",
                    why: "frame type not allowed in a client Initial",
                });
            }
        }
    }
    Ok(fragments)
}

/// A variable-length integer (RFC 9000 section 16): the top two bits of the first byte give its
/// length, 1, 2, 4 or 8 bytes.
fn varint(r: &mut Reader<'_>, what: &'static str) -> Result<u64> {
    let first = r.u8(what)?;
    let extra = (1usize << (first >> 6)) - 1;
    let rest = r.take(extra, what)?;
    Ok(rest
        .iter()
        .fold(u64::from(first & 0x3f), |v, &b| v << 8 | u64::from(b)))
}

/// A varint used as a byte count; one larger than memory cannot be satisfied by the input.
fn varint_len(r: &mut Reader<'_>, what: &'static str) -> Result<usize> {
    usize::try_from(varint(r, what)?).map_err(|_| Error::Truncated(what))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ja::{Transport, ja4};
    use crate::tls::tests::unhex;
    use crate::tls::{Handshake, parse_handshake};
    use telltale_tests::quic::{Seal, crypto_frame};

    /// The wire value of a version, for the sealer.
    fn wire(v: Version) -> u32 {
        match v {
            Version::Draft29 => telltale_tests::quic::DRAFT29,
            Version::V1 => telltale_tests::quic::V1,
            Version::V2 => telltale_tests::quic::V2,
        }
    }

    /// RFC 9001 appendix A.2: the client Initial, protected, as the RFC prints it.
    const RFC9001_CLIENT_INITIAL: &str = concat!(
        "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11",
        "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399",
        "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c",
        "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212",
        "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5",
        "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208",
        "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec",
        "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3",
        "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db",
        "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c",
        "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8",
        "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556",
        "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74",
        "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a",
        "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00",
        "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632",
        "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964",
        "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd",
        "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff",
        "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198",
        "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd",
        "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73",
        "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f",
        "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e",
        "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade",
        "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047",
        "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2",
        "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4",
        "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0",
        "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e",
        "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0",
        "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400",
        "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab",
        "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9",
        "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4",
        "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064",
        "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241",
        "e221af44860018ab0856972e194cd934",
    );

    /// RFC 9001 appendix A.3: the server's Initial in reply.
    const RFC9001_SERVER_INITIAL: &str = concat!(
        "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a",
        "5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3",
        "dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84",
        "022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4",
        "2158407dd074ee",
    );

    /// RFC 9369 appendix A.2: the same client Initial protected as QUIC version 2.
    const RFC9369_CLIENT_INITIAL: &str = concat!(
        "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485",
        "dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04",
        "9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d",
        "250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a",
        "12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500",
        "cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68",
        "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33",
        "12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3",
        "d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd",
        "6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520",
        "bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045",
        "636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f",
        "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12",
        "16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5",
        "4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4",
        "fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b",
        "8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7",
        "14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9",
        "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91",
        "abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd",
        "80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db",
        "848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18",
        "d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15",
        "c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc",
        "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61",
        "f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710",
        "10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b",
        "3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e",
        "06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce",
        "8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1",
        "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1",
        "e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd",
        "5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3",
        "8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89",
        "d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53",
        "6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19",
        "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b",
        "a18b2faa745b6fe189cf772a9f84cbfc",
    );

    /// draft-ietf-quic-tls-29 appendix A.2: a client Initial of draft 29 (0xff00001d).
    const DRAFT29_CLIENT_INITIAL: &str = concat!(
        "c5ff00001d088394c8f03e5157080000449e4a95245bfb66bc5f93032b7ddd89",
        "fe0ff15d9c4f7050fccdb71c1cd80512d4431643a53aafa1b0b518b44968b18b",
        "8d3e7a4d04c30b3ed9410325b2abb2dafb1c12f8b70479eb8df98abcaf95dd8f",
        "3d1c78660fbc719f88b23c8aef6771f3d50e10fdfb4c9d92386d44481b6c52d5",
        "9e5538d3d3942de9f13a7f8b702dc31724180da9df22714d01003fc5e3d165c9",
        "50e630b8540fbd81c9df0ee63f94997026c4f2e1887a2def79050ac2d86ba318",
        "e0b3adc4c5aa18bcf63c7cf8e85f569249813a2236a7e72269447cd1c755e451",
        "f5e77470eb3de64c8849d292820698029cfa18e5d66176fe6e5ba4ed18026f90",
        "900a5b4980e2f58e39151d5cd685b10929636d4f02e7fad2a5a458249f5c0298",
        "a6d53acbe41a7fc83fa7cc01973f7a74d1237a51974e097636b6203997f921d0",
        "7bc1940a6f2d0de9f5a11432946159ed6cc21df65c4ddd1115f86427259a196c",
        "7148b25b6478b0dc7766e1c4d1b1f5159f90eabc61636226244642ee148b464c",
        "9e619ee50a5e3ddc836227cad938987c4ea3c1fa7c75bbf88d89e9ada642b2b8",
        "8fe8107b7ea375b1b64889a4e9e5c38a1c896ce275a5658d250e2d76e1ed3a34",
        "ce7e3a3f383d0c996d0bed106c2899ca6fc263ef0455e74bb6ac1640ea7bfedc",
        "59f03fee0e1725ea150ff4d69a7660c5542119c71de270ae7c3ecfd1af2c4ce5",
        "51986949cc34a66b3e216bfe18b347e6c05fd050f85912db303a8f054ec23e38",
        "f44d1c725ab641ae929fecc8e3cefa5619df4231f5b4c009fa0c0bbc60bc75f7",
        "6d06ef154fc8577077d9d6a1d2bd9bf081dc783ece60111bea7da9e5a9748069",
        "d078b2bef48de04cabe3755b197d52b32046949ecaa310274b4aac0d008b1948",
        "c1082cdfe2083e386d4fd84c0ed0666d3ee26c4515c4fee73433ac703b690a9f",
        "7bf278a77486ace44c489a0c7ac8dfe4d1a58fb3a730b993ff0f0d61b4d89557",
        "831eb4c752ffd39c10f6b9f46d8db278da624fd800e4af85548a294c1518893a",
        "8778c4f6d6d73c93df200960104e062b388ea97dcf4016bced7f62b4f062cb6c",
        "04c20693d9a0e3b74ba8fe74cc01237884f40d765ae56a51688d985cf0ceaef4",
        "3045ed8c3f0c33bced08537f6882613acd3b08d665fce9dd8aa73171e2d3771a",
        "61dba2790e491d413d93d987e2745af29418e428be34941485c93447520ffe23",
        "1da2304d6a0fd5d07d0837220236966159bef3cf904d722324dd852513df39ae",
        "030d8173908da6364786d3c1bfcb19ea77a63b25f1e7fc661def480c5d00d444",
        "56269ebd84efd8e3a8b2c257eec76060682848cbf5194bc99e49ee75e4d0d254",
        "bad4bfd74970c30e44b65511d4ad0e6ec7398e08e01307eeeea14e46ccd87cf3",
        "6b285221254d8fc6a6765c524ded0085dca5bd688ddf722e2c0faf9d0fb2ce7a",
        "0c3f2cee19ca0ffba461ca8dc5d2c8178b0762cf67135558494d2a96f1a139f0",
        "edb42d2af89a9c9122b07acbc29e5e722df8615c343702491098478a389c9872",
        "a10b0c9875125e257c7bfdf27eef4060bd3d00f4c14fd3e3496c38d3c5d1a566",
        "8c39350effbc2d16ca17be4ce29f02ed969504dda2a8c6b9ff919e693ee79e09",
        "089316e7d1d89ec099db3b2b268725d888536a4b8bf9aee8fb43e82a4d919d48",
        "43b1ca70a2d8d3f725ead1391377dcc0",
    );

    /// The CRYPTO frame of RFC 9001 A.2 and RFC 9369 A.2 (the packet adds PADDING after it).
    const RFC9001_CRYPTO_FRAME: &str = concat!(
        "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868",
        "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578",
        "616d706c652e636f6dff01000100000a00080006001d00170018001000070005",
        "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba",
        "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400",
        "0d0010000e0403050306030203080408050806002d00020101001c0002400100",
        "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000",
        "75300901100f088394c8f03e51570806048000ffff",
    );

    const RFC_DCID: [u8; 8] = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];

    fn one_client_hello(
        datagram: &[u8],
        key_dcid: Option<&[u8]>,
    ) -> (ClientInitial, crate::tls::ClientHello) {
        let initials = client_initials(datagram, key_dcid).unwrap();
        assert_eq!(initials.len(), 1);
        let initial = initials.into_iter().next().unwrap();
        assert_eq!(initial.crypto.len(), 1);
        assert_eq!(initial.crypto[0].offset, 0);
        let Ok(Handshake::ClientHello(ch)) = parse_handshake(&initial.crypto[0].data) else {
            panic!("no ClientHello");
        };
        (initial, ch)
    }

    #[test]
    fn padding_runs_are_skipped_around_frames() {
        let payload = [
            0, 0, 0, 0x06, 0x00, 0x02, b'h', b'i', 0x01, 0, 0, 0x06, 0x02, 0x01, b'!', 0,
        ];
        let frames = crypto_frames(&payload).unwrap();
        let got: Vec<(u64, &[u8])> = frames
            .iter()
            .map(|f| (f.offset, f.data.as_slice()))
            .collect();
        assert_eq!(got, vec![(0, &b"hi"[..]), (2, &b"!"[..])]);
        assert!(crypto_frames(&[0; 1200]).unwrap().is_empty());
        // A frame type after padding is still checked.
        assert!(crypto_frames(&[0, 0, 0x08]).is_err());
    }

    #[test]
    fn rfc9001_v1_client_initial() {
        let datagram = unhex(RFC9001_CLIENT_INITIAL);
        assert_eq!(datagram.len(), 1200);
        assert_eq!(sniff_initial(&datagram), Some((1, &RFC_DCID[..])));
        let (initial, ch) = one_client_hello(&datagram, None);
        assert_eq!(
            (
                initial.version,
                initial.dcid.as_slice(),
                initial.scid.as_slice()
            ),
            (1, &RFC_DCID[..], &[][..])
        );
        // Byte-exact: the decrypted frame is the RFC's CRYPTO frame (type, offset 0, length 241).
        let frame = unhex(RFC9001_CRYPTO_FRAME);
        assert_eq!(initial.crypto[0].data, frame[4..]);
        assert_eq!(ch.server_name.as_deref(), Some("example.com"));
        assert_eq!(ch.alpn, ["alpn"]);
        assert_eq!(ch.cipher_suites, [0x1301, 0x1302]);
        assert_eq!(ch.max_version(), 0x0304);
        // The same keys when the engine names the first DCID explicitly.
        assert_eq!(
            client_initials(&datagram, Some(&RFC_DCID)).unwrap(),
            [initial]
        );
        // FoxIO's python/ja4.py prints t13d0211an_62ed6f6ca7ad_4d634acda6c0 for this hello carried
        // in a TLS record (it shows QUIC JA4 only for whole handshakes).
        assert_eq!(
            ja4(&ch, Transport::Quic),
            "q13d0211an_62ed6f6ca7ad_4d634acda6c0"
        );
    }

    #[test]
    fn rfc9369_v2_client_initial() {
        let datagram = unhex(RFC9369_CLIENT_INITIAL);
        assert_eq!(sniff_initial(&datagram), Some((0x6b33_43cf, &RFC_DCID[..])));
        let (initial, ch) = one_client_hello(&datagram, None);
        assert_eq!(initial.version, 0x6b33_43cf);
        assert_eq!(initial.crypto[0].data, unhex(RFC9001_CRYPTO_FRAME)[4..]);
        assert_eq!(ch.server_name.as_deref(), Some("example.com"));
    }

    #[test]
    fn draft29_client_initial() {
        let datagram = unhex(DRAFT29_CLIENT_INITIAL);
        assert_eq!(sniff_initial(&datagram), Some((0xff00_001d, &RFC_DCID[..])));
        let (initial, ch) = one_client_hello(&datagram, None);
        assert_eq!(initial.version, 0xff00_001d);
        assert_eq!(initial.crypto[0].data.len(), 0xc4);
        assert_eq!(ch.server_name.as_deref(), Some("server"));
        // Checked the same way as the RFC 9001 hello.
        assert_eq!(
            ja4(&ch, Transport::Quic),
            "q13d030900_55b375c5d22e_59cd3dafc54d"
        );
    }

    #[test]
    fn sealing_reproduces_the_rfc_packet() {
        // Check the test helper itself against RFC 9001 A.2 and RFC 9369 A.2: packet number 2 in
        // 4 bytes, 1162 bytes of frames.
        let mut frames = unhex(RFC9001_CRYPTO_FRAME);
        frames.resize(1162, 0);
        for (version, expected) in [
            (Version::V1, RFC9001_CLIENT_INITIAL),
            (Version::V2, RFC9369_CLIENT_INITIAL),
        ] {
            let seal = Seal {
                version: wire(version),
                key_dcid: &RFC_DCID,
                dcid: &RFC_DCID,
                scid: &[],
                token: &[],
                pn: 2,
                pn_len: 4,
            };
            let sealed = seal.initial(&frames);
            assert_eq!(sealed, unhex(expected));
        }
    }

    #[test]
    fn long_headers_of_any_type_are_sniffed() {
        let dcid = [7u8; 8];
        let zero_rtt = Seal::v1(&dcid).packet(telltale_tests::quic::V1, 1, &[0; 40]);
        assert_eq!(sniff_initial(&zero_rtt), None);
        assert_eq!(sniff_long_header(&zero_rtt), Some(1));
        let unknown = Seal::v1(&dcid).packet(0x0a0a_0a0a, 0, &[0; 40]);
        assert_eq!(sniff_long_header(&unknown), None);
        assert_eq!(sniff_long_header(&[0x40, 1, 2, 3]), None);
    }

    #[test]
    fn coalesced_packets() {
        let ch = unhex(RFC9001_CRYPTO_FRAME)[4..].to_vec();
        let (head, tail) = ch.split_at(100);
        let seal = |pn| Seal {
            version: telltale_tests::quic::V1,
            key_dcid: &RFC_DCID,
            dcid: &RFC_DCID,
            scid: &[0x5c],
            token: &[],
            pn,
            pn_len: 2,
        };
        // Two Initials carrying the hello out of order, then a Handshake packet, then 1-RTT.
        let first = seal(0).initial(&[&[0x01][..], &crypto_frame(100, tail)].concat());
        let second = seal(1).initial(&[&crypto_frame(0, head)[..], &[0; 30]].concat());
        let handshake = seal(0).packet(1, 2, &[0xee; 40]);
        let short = [&[0x40][..], &RFC_DCID, &[0xaa; 30]].concat();
        let datagram = [&first[..], &second, &handshake, &short].concat();
        let initials = client_initials(&datagram, None).unwrap();
        assert_eq!(initials.len(), 2);
        assert_eq!(
            initials[0].crypto,
            [CryptoFragment {
                offset: 100,
                data: tail.to_vec()
            }]
        );
        assert_eq!(
            initials[1].crypto,
            [CryptoFragment {
                offset: 0,
                data: head.to_vec()
            }]
        );
        assert_eq!(initials[0].scid, [0x5c]);

        // A packet for another connection ID (or version) ends the datagram, as does a Retry.
        let other = Seal {
            dcid: &[9; 8],
            key_dcid: &[9; 8],
            ..seal(2)
        }
        .initial(&[0x01]);
        let datagram = [&first[..], &other].concat();
        assert_eq!(client_initials(&datagram, None).unwrap().len(), 1);
        let retry = [
            &[0xf0][..],
            &1u32.to_be_bytes(),
            &[8],
            &RFC_DCID,
            &[0],
            &[0x77; 30],
        ]
        .concat();
        let datagram = [&first[..], &retry, &second].concat();
        assert_eq!(client_initials(&datagram, None).unwrap().len(), 1);
        // Only a short header: nothing to decrypt.
        assert_eq!(client_initials(&short, None).unwrap(), []);
    }

    #[test]
    fn keys_come_from_the_first_dcid() {
        // After a Retry or the server's first reply the client sends a new DCID but keeps the
        // Initial keys of its first one.
        let seal = Seal {
            version: telltale_tests::quic::V1,
            key_dcid: &RFC_DCID,
            dcid: &[4, 3, 2, 1],
            scid: &[0x5c],
            token: b"retry token",
            pn: 5,
            pn_len: 1,
        };
        let datagram = seal.initial(&crypto_frame(0, b"hello"));
        assert_eq!(sniff_initial(&datagram), Some((1, &[4, 3, 2, 1][..])));
        let initials = client_initials(&datagram, Some(&RFC_DCID)).unwrap();
        assert_eq!(initials[0].dcid, [4, 3, 2, 1]);
        assert_eq!(
            initials[0].crypto,
            [CryptoFragment {
                offset: 0,
                data: b"hello".to_vec()
            }]
        );
        assert_eq!(
            client_initials(&datagram, None),
            Err(Error::Decrypt("quic initial"))
        );
    }

    #[test]
    fn every_packet_number_length() {
        for version in [Version::Draft29, Version::V1, Version::V2] {
            for pn_len in 1..=4 {
                let seal = Seal {
                    version: wire(version),
                    key_dcid: &[1; 20],
                    dcid: &[1; 20],
                    scid: &[0x5c],
                    token: &[],
                    pn: 7,
                    pn_len,
                };
                let datagram = seal.initial(&crypto_frame(3, b"abc"));
                let initials = client_initials(&datagram, None).unwrap();
                assert_eq!(
                    initials[0].crypto,
                    [CryptoFragment {
                        offset: 3,
                        data: b"abc".to_vec()
                    }],
                    "{version:?} {pn_len}"
                );
            }
        }
    }

    #[test]
    fn wrong_keys_and_garbage() {
        let datagram = unhex(RFC9001_CLIENT_INITIAL);
        // A server's Initial is protected with the server keys.
        let server = unhex(RFC9001_SERVER_INITIAL);
        assert_eq!(sniff_initial(&server).map(|(v, _)| v), Some(1));
        assert_eq!(
            client_initials(&server, None),
            Err(Error::Decrypt("quic initial"))
        );
        // Keys from another DCID.
        assert_eq!(
            client_initials(&datagram, Some(&[0; 8])),
            Err(Error::Decrypt("quic initial"))
        );
        // One flipped ciphertext bit.
        let mut flipped = datagram.clone();
        flipped[600] ^= 1;
        assert_eq!(
            client_initials(&flipped, None),
            Err(Error::Decrypt("quic initial"))
        );
        // Cut short: the Length field runs past the datagram.
        assert_eq!(
            client_initials(&datagram[..1199], None),
            Err(Error::Truncated("quic packet"))
        );
        // Too short to sample.
        let tiny = [&datagram[..16], &[0x40, 12], &[0; 12]].concat();
        assert_eq!(
            client_initials(&tiny, None),
            Err(Error::Truncated("quic initial"))
        );
        // Other versions: unknown, draft 27, version negotiation.
        for version in [0x1a2a_3a4a_u32, 0xff00_001b, 0] {
            let mut other = datagram.clone();
            other[1..5].copy_from_slice(&version.to_be_bytes());
            assert_eq!(sniff_initial(&other), None);
            assert_eq!(
                client_initials(&other, None),
                Err(Error::Unsupported("quic version"))
            );
        }
        // Over-long connection IDs.
        let long_cid = [
            &[0xc0][..],
            &1u32.to_be_bytes(),
            &[21],
            &[0; 21],
            &[0, 0, 0x41, 0],
        ]
        .concat();
        assert_eq!(sniff_initial(&long_cid), None);
        assert!(matches!(
            client_initials(&long_cid, None),
            Err(Error::Malformed { .. })
        ));
        assert_eq!(sniff_initial(b"\x40short header"), None);
        assert_eq!(sniff_initial(&[]), None);
        assert_eq!(client_initials(&[], None), Ok(vec![]));
    }

    #[test]
    fn frames_allowed_in_a_client_initial() {
        let ack = [0x02, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01];
        let ack_ecn = [0x03, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03];
        let close = [&[0x1c, 0x0a, 0x06, 0x04][..], b"oops"].concat();
        let payload = [
            &[0x00, 0x01][..],
            &ack,
            &crypto_frame(9, b"x"),
            &ack_ecn,
            &close,
            &[0; 5],
        ]
        .concat();
        assert_eq!(
            crypto_frames(&payload),
            Ok(vec![CryptoFragment {
                offset: 9,
                data: b"x".to_vec()
            }])
        );
        // STREAM, application CONNECTION_CLOSE, HANDSHAKE_DONE, NEW_TOKEN: not client Initial frames.
        for kind in [0x08, 0x1d, 0x1e, 0x07] {
            assert_eq!(
                crypto_frames(&[0x01, kind, 0, 0, 0]),
                Err(Error::Malformed {
                    what: "quic initial",
                    why: "frame type not allowed in a client Initial"
                })
            );
        }
        // A CRYPTO frame reaching past 2^62-1, and one longer than the payload.
        let far = [&[0x06][..], &[0xff; 8], &[0x01, 0x00]].concat();
        assert_eq!(
            crypto_frames(&far),
            Err(Error::Malformed {
                what: "quic crypto frame",
                why: "ends beyond 2^62-1"
            })
        );
        assert_eq!(
            crypto_frames(&[0x06, 0x00, 0x05, 1, 2]),
            Err(Error::Truncated("quic crypto frame"))
        );
        // An ACK claiming 2^62-1 ranges runs out of bytes, not of time.
        assert_eq!(
            crypto_frames(&[
                0x02, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 1, 1
            ]),
            Err(Error::Truncated("quic frame"))
        );
    }

    #[test]
    fn varints() {
        // RFC 9000 appendix A.1.
        for (bytes, value) in [
            (
                &[0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c][..],
                151_288_809_941_952_652,
            ),
            (&[0x9d, 0x7f, 0x3e, 0x7d], 494_878_333),
            (&[0x7b, 0xbd], 15_293),
            (&[0x25], 37),
            (&[0x40, 0x25], 37),
        ] {
            let mut r = Reader::new(bytes);
            assert_eq!(varint(&mut r, "test"), Ok(value));
            assert!(r.is_empty());
        }
        assert_eq!(
            varint(&mut Reader::new(&[0x80, 1]), "test"),
            Err(Error::Truncated("test"))
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..1400)) {
            let _ = sniff_initial(&data);
            let _ = client_initials(&data, None);
            let _ = client_initials(&data, Some(&RFC_DCID));
            let _ = crypto_frames(&data);
        }

        #[test]
        fn no_changed_byte_decrypts(at in 0usize..1200, xor in 1u8..=255) {
            let mut datagram = unhex(RFC9001_CLIENT_INITIAL);
            datagram[at] ^= xor;
            let _ = sniff_initial(&datagram);
            // An error, or no Initial at all (the type bits now say 0-RTT, Handshake or Retry, or
            // the form bit a short header).
            let result = client_initials(&datagram, None);
            proptest::prop_assert!(!matches!(result, Ok(ref v) if !v.is_empty()), "{result:?}");
        }

        #[test]
        fn arbitrary_long_headers(first in 0xc0u8..=0xff, version in proptest::sample::select(vec![1u32, 0x6b33_43cf, 0xff00_001d]), tail in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let data = [&[first][..], &version.to_be_bytes(), &[8], &RFC_DCID, &tail].concat();
            let _ = sniff_initial(&data);
            let _ = client_initials(&data, None);
        }
    }
}
