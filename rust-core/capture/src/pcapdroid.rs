//! PCAPdroid's per-packet app metadata, as PCAPdroid writes it.
//!
//! Facts from PCAPdroid's `app/src/main/jni/core/pcap_dump.h`, `pcap_dump.c`, `pcap_utils.h` and
//! `crc32.c` at commit c735049420c1 (see `research/pcapdroid-formats.md`); the pcapng Custom Block
//! is section 4.8 of the pcapng IETF draft (draft-ietf-opsawg-pcapng).
//!
//! - pcapng: a UID-map Custom Block per app and an `opt_comment` of `u-<uid>` on every Enhanced
//!   Packet Block.
//! - pcap: a fake Ethernet frame around each IP packet, ending in a 32-byte trailer with the uid,
//!   a truncated app name and a CRC-32.

use crate::reader::Endian;

/// Magic number that starts the pcap trailer (network byte order in the file).
pub const TRAILER_MAGIC: u32 = 0x0107_2021;
/// Length of the pcap trailer: magic, uid, 20-byte app name, fcs.
pub const TRAILER_LEN: usize = 32;
/// Length of the app name field in the pcap trailer (NUL padded, truncated).
pub const TRAILER_APP_NAME_LEN: usize = 20;
/// PCAPdroid's IANA Private Enterprise Number, which tags its pcapng custom blocks.
pub const PEN: u32 = 62652;
/// Version of PCAPdroid's pcapng metadata this module reads.
pub const METADATA_VERSION: u16 = 1;
/// PCAPdroid custom block kind: uid to package and app name map.
pub const BLOCK_KIND_UID_MAP: u8 = 1;
/// pcapng Custom Block type that may be copied by tools that rewrite the file (PCAPdroid's).
pub const CUSTOM_BLOCK: u32 = 0x0000_0BAD;
/// pcapng Custom Block type that must not be copied; accepted as well.
pub const CUSTOM_BLOCK_NO_COPY: u32 = 0x4000_0BAD;

/// Length of the Ethernet header PCAPdroid puts before the IP packet.
const ETHERNET_HEADER_LEN: usize = 14;

/// The metadata in a PCAPdroid pcap trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trailer<'a> {
    /// Android uid of the app (-1 when PCAPdroid did not know it).
    pub uid: i32,
    /// App name, truncated to fit 20 bytes, without the NUL padding.
    pub app_name: &'a [u8],
}

/// Finds a PCAPdroid trailer at the end of an Ethernet frame.
///
/// The trailer must start 4-byte aligned from the frame start (PCAPdroid pads before it), begin
/// with [`TRAILER_MAGIC`] and end in a CRC-32 over everything before that CRC. PCAPdroid stores
/// the CRC in its host byte order (little-endian on every Android ABI) while the other fields are
/// big-endian; both orders of the CRC are accepted.
pub fn parse_trailer(frame: &[u8]) -> Option<Trailer<'_>> {
    if frame.len() < ETHERNET_HEADER_LEN + TRAILER_LEN || !frame.len().is_multiple_of(4) {
        return None;
    }
    let (_, trailer) = frame.split_last_chunk::<TRAILER_LEN>()?;
    let (magic, rest) = trailer.split_first_chunk::<4>()?;
    if u32::from_be_bytes(*magic) != TRAILER_MAGIC {
        return None;
    }
    let (uid, rest) = rest.split_first_chunk::<4>()?;
    let (name, fcs) = rest.split_first_chunk::<TRAILER_APP_NAME_LEN>()?;
    let (covered, _) = frame.split_last_chunk::<4>()?;
    let crc = crc32(covered);
    if fcs != crc.to_le_bytes().as_slice() && fcs != crc.to_be_bytes().as_slice() {
        return None;
    }
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    Some(Trailer {
        uid: i32::from_be_bytes(*uid),
        app_name: name.get(..end).unwrap_or_default(),
    })
}

/// The uid in a PCAPdroid packet comment `u-<decimal uid>` (`u--1` gives -1: unknown).
///
/// `None` when the comment is something else. Trailing NUL bytes are tolerated.
pub fn uid_from_comment(comment: &[u8]) -> Option<i32> {
    let digits = comment.strip_prefix(b"u-")?;
    let end = digits.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let digits = digits.get(..end)?;
    let (negative, digits) = match digits.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    // At most 10 digits: no overflow in an i64.
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(d - b'0');
    }
    i32::try_from(if negative { -value } else { value }).ok()
}

/// A PCAPdroid UID-map custom block: which app a uid belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UidMap<'a> {
    /// Android uid.
    pub uid: i32,
    /// Package name, e.g. `com.tencent.mm` (raw bytes, normally UTF-8).
    pub package: &'a [u8],
    /// App label, e.g. `WeChat` (raw bytes, normally UTF-8).
    pub app_name: &'a [u8],
}

/// Parses the custom data of a PCAPdroid custom block (what follows the PEN), in the section's
/// byte order (`big_endian`): version (u16), kind (u8), padding (u8), uid (i32), package name
/// length (u8), app name length (u8), the two names.
///
/// `Ok(None)` for block kinds or versions this module does not know; `Err` names the damage.
pub fn parse_uid_map(data: &[u8], big_endian: bool) -> Result<Option<UidMap<'_>>, &'static str> {
    let order = if big_endian {
        Endian::Big
    } else {
        Endian::Little
    };
    let Some((&[v0, v1, kind, _pad], rest)) = data.split_first_chunk::<4>() else {
        return Err("shorter than its fixed fields");
    };
    if order.u16([v0, v1]) != METADATA_VERSION || kind != BLOCK_KIND_UID_MAP {
        return Ok(None);
    }
    let Some((&[u0, u1, u2, u3, package_len, app_len], names)) = rest.split_first_chunk::<6>()
    else {
        return Err("shorter than its fixed fields");
    };
    let (package, rest) = names
        .split_at_checked(usize::from(package_len))
        .ok_or("package name runs past the block")?;
    let app_name = rest
        .get(..usize::from(app_len))
        .ok_or("app name runs past the block")?;
    Ok(Some(UidMap {
        uid: order.i32([u0, u1, u2, u3]),
        package,
        app_name,
    }))
}

/// Text from bytes that should be UTF-8: a multi-byte character cut off at the end (PCAPdroid
/// truncates names to fit) is dropped, other invalid bytes become U+FFFD.
pub(crate) fn text(bytes: &[u8]) -> String {
    match core::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(bytes.get(..e.valid_up_to()).unwrap_or_default()).into_owned()
        }
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// CRC-32 as in IEEE 802.3 and zlib (reflected polynomial 0xEDB88320, initial value and final
/// xor 0xFFFFFFFF): the check value of `b"123456789"` is 0xCBF43926.
///
/// Slicing-by-8 over tables computed at compile time, so checking a trailer costs well under a
/// nanosecond per byte.
pub fn crc32(data: &[u8]) -> u32 {
    let t = &CRC_TABLES;
    let mut crc = !0u32;
    let (words, rest) = data.as_chunks::<8>();
    for w in words {
        let lo = u32::from_le_bytes([w[0], w[1], w[2], w[3]]) ^ crc;
        let hi = u32::from_le_bytes([w[4], w[5], w[6], w[7]]);
        crc = t[7][(lo & 0xFF) as usize]
            ^ t[6][((lo >> 8) & 0xFF) as usize]
            ^ t[5][((lo >> 16) & 0xFF) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xFF) as usize]
            ^ t[2][((hi >> 8) & 0xFF) as usize]
            ^ t[1][((hi >> 16) & 0xFF) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in rest {
        crc = (crc >> 8) ^ t[0][((crc ^ u32::from(b)) & 0xFF) as usize];
    }
    !crc
}

/// `CRC_TABLES[0]` is the classic byte-at-a-time table; table `k` advances a byte's contribution
/// by `k` further zero bytes, which lets eight bytes be folded in at once.
static CRC_TABLES: [[u32; 256]; 8] = crc_tables();

const fn crc_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
            bit += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut k = 1;
        while k < 8 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            k += 1;
        }
        i += 1;
    }
    t
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Bit-at-a-time CRC-32, the definition the fast version must agree with.
    fn crc32_bitwise(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A PCAPdroid pcap frame: zero MACs, EtherType from the IP version, the packet, padding to a
    /// 4-byte boundary, then the trailer with the CRC in little-endian order.
    pub(crate) fn trailer_frame(ip: &[u8], uid: i32, app_name: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        let ethertype: u16 = if ip.first().is_some_and(|b| b >> 4 == 6) {
            0x86DD
        } else {
            0x0800
        };
        f.extend_from_slice(&ethertype.to_be_bytes());
        f.extend_from_slice(ip);
        while !f.len().is_multiple_of(4) {
            f.push(0);
        }
        f.extend_from_slice(&TRAILER_MAGIC.to_be_bytes());
        f.extend_from_slice(&uid.to_be_bytes());
        let mut name = [0u8; TRAILER_APP_NAME_LEN];
        let n = app_name.len().min(TRAILER_APP_NAME_LEN);
        name[..n].copy_from_slice(&app_name[..n]);
        f.extend_from_slice(&name);
        let crc = crc32(&f);
        f.extend_from_slice(&crc.to_le_bytes());
        f
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"a"), 0xE8B7_BE43);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn crc32_matches_bitwise_on_every_length() {
        let data: Vec<u8> = (0u32..300)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        for n in 0..data.len() {
            assert_eq!(crc32(&data[..n]), crc32_bitwise(&data[..n]), "length {n}");
        }
    }

    #[test]
    fn trailer_byte_exact() {
        let ip = [
            0x45, 0, 0, 21, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0xEE,
        ];
        let f = trailer_frame(&ip, 10123, b"WeChat");
        // 14 + 21 = 35 bytes, one byte of padding, then the trailer at offset 36.
        assert_eq!(f.len(), 36 + 32);
        assert_eq!(&f[12..14], &[0x08, 0x00]);
        assert_eq!(f[35], 0);
        assert_eq!(&f[36..40], &[0x01, 0x07, 0x20, 0x21]);
        assert_eq!(&f[40..44], &10123i32.to_be_bytes());
        assert_eq!(&f[44..50], b"WeChat");
        assert_eq!(&f[50..64], &[0; 14]);
        assert_eq!(
            parse_trailer(&f),
            Some(Trailer {
                uid: 10123,
                app_name: b"WeChat"
            })
        );

        // The CRC in network order is accepted too.
        let mut be = f.clone();
        let crc = crc32(&be[..64]);
        be[64..].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(parse_trailer(&be).map(|t| t.uid), Some(10123));

        // A full 20-byte name has no NUL.
        let f = trailer_frame(&ip, -1, b"A very long application name");
        assert_eq!(
            parse_trailer(&f),
            Some(Trailer {
                uid: -1,
                app_name: b"A very long applicat"
            })
        );
    }

    #[test]
    fn trailer_rejections() {
        let ip = [0x60, 0, 0, 0, 0, 0, 59, 64, 1, 2, 3, 4];
        let good = trailer_frame(&ip, 1000, b"android");
        assert!(parse_trailer(&good).is_some());
        // Any flipped bit breaks the CRC or the magic.
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x10;
            assert_eq!(parse_trailer(&bad), None, "flip at {i}");
        }
        // Misaligned (one extra byte before the trailer).
        let mut shifted = good[..good.len() - 32].to_vec();
        shifted.push(0);
        shifted.extend_from_slice(&good[good.len() - 32..]);
        assert_eq!(parse_trailer(&shifted), None);
        assert_eq!(parse_trailer(&good[..40]), None);
        assert_eq!(parse_trailer(&[]), None);
    }

    #[test]
    fn comments() {
        assert_eq!(uid_from_comment(b"u-10123"), Some(10123));
        assert_eq!(uid_from_comment(b"u-0"), Some(0));
        assert_eq!(uid_from_comment(b"u--1"), Some(-1));
        assert_eq!(uid_from_comment(b"u-2147483647"), Some(i32::MAX));
        assert_eq!(uid_from_comment(b"u--2147483648"), Some(i32::MIN));
        assert_eq!(uid_from_comment(b"u-1000\0\0"), Some(1000));
        assert_eq!(uid_from_comment(b"u-2147483648"), None);
        assert_eq!(uid_from_comment(b"u-99999999999"), None);
        assert_eq!(uid_from_comment(b"u-"), None);
        assert_eq!(uid_from_comment(b"u--"), None);
        assert_eq!(uid_from_comment(b"u-12a"), None);
        assert_eq!(uid_from_comment(b"u-+1"), None);
        assert_eq!(uid_from_comment(b"hello"), None);
        assert_eq!(uid_from_comment(b""), None);
    }

    #[test]
    fn uid_map_both_orders() {
        let mut le = vec![1, 0, 1, 0];
        le.extend_from_slice(&10123i32.to_le_bytes());
        le.extend_from_slice(&[14, 6]);
        le.extend_from_slice(b"com.tencent.mmWeChat");
        le.extend_from_slice(&[0, 0]);
        let want = UidMap {
            uid: 10123,
            package: b"com.tencent.mm",
            app_name: b"WeChat",
        };
        assert_eq!(parse_uid_map(&le, false), Ok(Some(want)));

        let mut be = vec![0, 1, 1, 0];
        be.extend_from_slice(&10123i32.to_be_bytes());
        be.extend_from_slice(&[14, 6]);
        be.extend_from_slice(b"com.tencent.mmWeChat");
        assert_eq!(parse_uid_map(&be, true), Ok(Some(want)));

        // Other versions and kinds are not ours to read.
        let mut v2 = le.clone();
        v2[0] = 2;
        assert_eq!(parse_uid_map(&v2, false), Ok(None));
        let mut kind = le.clone();
        kind[2] = 7;
        assert_eq!(parse_uid_map(&kind, false), Ok(None));

        assert_eq!(
            parse_uid_map(&le[..3], false),
            Err("shorter than its fixed fields")
        );
        assert_eq!(
            parse_uid_map(&le[..9], false),
            Err("shorter than its fixed fields")
        );
        assert_eq!(
            parse_uid_map(&le[..26], false),
            Err("app name runs past the block")
        );
        assert_eq!(
            parse_uid_map(&le[..23], false),
            Err("package name runs past the block")
        );
    }

    #[test]
    fn text_drops_a_cut_character() {
        assert_eq!(text(b"WeChat"), "WeChat");
        // "微信" is e5 be ae e4 bf a1; cut inside the second character.
        assert_eq!(text(&[0xE5, 0xBE, 0xAE, 0xE4, 0xBF]), "微");
        assert_eq!(text(&[b'a', 0xFF, b'b']), "a\u{FFFD}b");
    }
}
