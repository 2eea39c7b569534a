//! The pcapng format: a sequence of blocks, each `type (u32) | total length (u32) | body | total
//! length (u32)`, grouped in sections that each start with a Section Header Block and carry
//! their own byte order.
//!
//! Layouts from the pcapng IETF draft (draft-ietf-opsawg-pcapng): section 4.1 (SHB), 4.2 (IDB and
//! its `if_tsresol`/`if_tsoffset` options), 4.3 (EPB), 4.4 (SPB), 4.8 (Custom Block), appendix A
//! (the obsolete Packet Block) and 3.5 (options). This module parses block bodies that the reader
//! has already framed; every function here is total over arbitrary bytes.

use telltale_wire::Timestamp;

use crate::pcapdroid;
use crate::reader::Endian;

/// Section Header Block type; a palindrome, so it reads the same in both byte orders.
pub(crate) const SHB: u32 = 0x0A0D_0D0A;
/// Interface Description Block type.
pub(crate) const IDB: u32 = 1;
/// Obsolete Packet Block type.
pub(crate) const PB: u32 = 2;
/// Simple Packet Block type.
pub(crate) const SPB: u32 = 3;
/// Enhanced Packet Block type.
pub(crate) const EPB: u32 = 6;

/// Byte-order magic of the SHB, as written by the section's writer.
pub(crate) const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
/// Smallest block: type, two lengths, empty body.
pub(crate) const MIN_BLOCK_LEN: u32 = 12;
/// Smallest SHB: header, byte-order magic, versions, section length, trailing length.
pub(crate) const MIN_SHB_LEN: u32 = 28;
/// Larger blocks are taken as damage: no real capture writes a 256 MiB block.
pub(crate) const MAX_BLOCK_LEN: u32 = 256 << 20;
/// A section with more interfaces than this is taken as damage (interface ids are u32, but real
/// captures have a handful).
pub(crate) const MAX_INTERFACES: usize = 1 << 16;

/// `opt_endofopt`: ends an option list.
pub(crate) const OPT_END: u16 = 0;
/// `opt_comment`: UTF-8 text, on any block.
pub(crate) const OPT_COMMENT: u16 = 1;
/// `shb_userappl` (SHB): the application that wrote the section.
pub(crate) const SHB_USERAPPL: u16 = 4;
/// `if_name` (IDB): the interface's name.
pub(crate) const IF_NAME: u16 = 2;
/// `if_tsresol` (IDB): timestamp resolution, one byte.
pub(crate) const IF_TSRESOL: u16 = 9;
/// `epb_flags` (EPB): a u32 whose low two bits are the direction (1 inbound, 2 outbound).
pub(crate) const EPB_FLAGS: u16 = 2;
const IF_TSOFFSET: u16 = 14;
/// `if_tsresol` when the option is absent: microseconds.
const DEFAULT_TSRESOL: u8 = 6;

/// The byte order a Section Header Block's byte-order magic (body bytes 0..4) announces.
pub(crate) fn section_order(magic: [u8; 4]) -> Option<Endian> {
    if u32::from_be_bytes(magic) == BYTE_ORDER_MAGIC {
        Some(Endian::Big)
    } else if u32::from_le_bytes(magic) == BYTE_ORDER_MAGIC {
        Some(Endian::Little)
    } else {
        None
    }
}

/// The format version of a section, from its SHB body (byte-order magic, major, minor, ...).
pub(crate) fn section_version(body: &[u8], order: Endian) -> Option<(u16, u16)> {
    let [_, _, _, _, a0, a1, i0, i1] = *body.first_chunk::<8>()?;
    Some((order.u16([a0, a1]), order.u16([i0, i1])))
}

/// Options of a block: `code (u16) | length (u16) | value | padding to 4`, until `opt_endofopt`
/// or the end of the block. A damaged option list yields one `Err` and ends.
pub(crate) struct Options<'a> {
    rest: &'a [u8],
    order: Endian,
}

impl<'a> Options<'a> {
    pub(crate) fn new(rest: &'a [u8], order: Endian) -> Self {
        Options { rest, order }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<(u16, &'a [u8]), ()>;

    fn next(&mut self) -> Option<Self::Item> {
        // Fewer than 4 bytes cannot hold an option: the end (some writers omit opt_endofopt).
        let (&[c0, c1, l0, l1], tail) = self.rest.split_first_chunk::<4>()?;
        let code = self.order.u16([c0, c1]);
        if code == OPT_END {
            self.rest = &[];
            return None;
        }
        let len = usize::from(self.order.u16([l0, l1]));
        let Some((value, after)) = tail.split_at_checked(len) else {
            self.rest = &[];
            return Some(Err(()));
        };
        // Padding to 4 bytes; a missing pad at the very end is tolerated.
        self.rest = after.get((4 - len % 4) % 4..).unwrap_or_default();
        Some(Ok((code, value)))
    }
}

/// How an interface's timestamp ticks become nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// Ticks of 10^-n seconds with n <= 9: multiply.
    Mul(u64),
    /// Ticks finer than a nanosecond: divide (0 when the divisor does not fit: all ticks are
    /// below a nanosecond then).
    Div(Option<u128>),
    /// Ticks of 2^-n seconds.
    Shift(u32),
}

impl Scale {
    fn from_tsresol(tsresol: u8) -> Self {
        let n = u32::from(tsresol & 0x7F);
        if tsresol & 0x80 != 0 {
            Scale::Shift(n)
        } else if n <= 9 {
            Scale::Mul(10u64.pow(9 - n))
        } else {
            Scale::Div(10u128.checked_pow(n - 9))
        }
    }
}

/// An interface of the current section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Interface {
    /// tcpdump `LINKTYPE_` of its packets.
    pub(crate) linktype: u32,
    /// Snap length (0: none); bounds the data of Simple Packet Blocks.
    pub(crate) snaplen: u32,
    scale: Scale,
    /// `if_tsoffset` in nanoseconds.
    offset_nanos: i128,
}

impl Interface {
    /// The timestamp of a packet stamped `ticks` on this interface, exact to the nanosecond
    /// (finer resolutions are truncated), saturating at the `Timestamp` range.
    pub(crate) fn timestamp(&self, ticks: u64) -> Timestamp {
        let ticks = u128::from(ticks);
        // Every product below fits in 2^94; the offset in 2^93.
        let nanos = match self.scale {
            Scale::Mul(m) => ticks * u128::from(m),
            Scale::Div(Some(d)) => ticks / d,
            Scale::Div(None) => 0,
            Scale::Shift(n) => (ticks * 1_000_000_000) >> n,
        };
        let total = i128::try_from(nanos).unwrap_or(i128::MAX) + self.offset_nanos;
        let clamped = total.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
        Timestamp::from_nanos(i64::try_from(clamped).unwrap_or_default())
    }
}

/// Parses an Interface Description Block body: link type (u16), reserved (u16), snap length
/// (u32), options. The second value is false when the options were damaged (what could be read
/// of them is applied).
pub(crate) fn parse_idb(body: &[u8], order: Endian) -> Option<(Interface, bool)> {
    let (&[t0, t1, _, _, s0, s1, s2, s3], options) = body.split_first_chunk::<8>()?;
    let mut tsresol = DEFAULT_TSRESOL;
    let mut offset_secs: i64 = 0;
    let mut ok = true;
    for option in Options::new(options, order) {
        match option {
            Ok((IF_TSRESOL, &[r])) => tsresol = r,
            Ok((IF_TSOFFSET, &[a, b, c, d, e, f, g, h])) => {
                offset_secs = order.i64([a, b, c, d, e, f, g, h])
            }
            Ok((IF_TSRESOL | IF_TSOFFSET, _)) | Err(()) => ok = false,
            Ok(_) => {}
        }
    }
    let interface = Interface {
        linktype: u32::from(order.u16([t0, t1])),
        snaplen: order.u32([s0, s1, s2, s3]),
        scale: Scale::from_tsresol(tsresol),
        offset_nanos: i128::from(offset_secs) * 1_000_000_000,
    };
    Some((interface, ok))
}

/// A packet block's fields. Data is given as a range of the block body so that the reader can
/// hand out a slice of its own buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PacketFields {
    /// Index of the interface in the current section.
    pub(crate) interface_id: u32,
    /// Timestamp in the interface's ticks; `None` for Simple Packet Blocks, which have none.
    pub(crate) ticks: Option<u64>,
    /// Offset of the packet data within the block body.
    pub(crate) data_start: usize,
    /// Captured length.
    pub(crate) data_len: usize,
    /// Original length.
    pub(crate) orig_len: u32,
    /// `Some` when an `opt_comment` had PCAPdroid's `u-<uid>` form: the uid, `None` inside for
    /// `u--1` (unknown).
    pub(crate) pcapdroid_uid: Option<Option<i32>>,
    /// False when the options were damaged.
    pub(crate) options_ok: bool,
}

/// Why a packet block's body cannot be read.
pub(crate) type BodyError = &'static str;

/// Parses an Enhanced Packet Block body: interface id (u32), timestamp high and low (u32 each),
/// captured length, original length, data padded to 4, options.
pub(crate) fn parse_epb(body: &[u8], order: Endian) -> Result<PacketFields, BodyError> {
    let (head, rest) = body
        .split_first_chunk::<20>()
        .ok_or("enhanced packet block too short")?;
    packet_fields(order.u32(word(head, 0)), head, rest, order)
}

/// Parses an obsolete Packet Block body: interface id (u16), drops count (u16), then as an EPB.
pub(crate) fn parse_pb(body: &[u8], order: Endian) -> Result<PacketFields, BodyError> {
    let (head, rest) = body
        .split_first_chunk::<20>()
        .ok_or("packet block too short")?;
    let [i0, i1, _, _] = word(head, 0);
    packet_fields(u32::from(order.u16([i0, i1])), head, rest, order)
}

/// The four bytes at `at` of a packet block's fixed 20-byte head.
fn word(head: &[u8; 20], at: usize) -> [u8; 4] {
    head.get(at..at + 4)
        .and_then(|w| w.try_into().ok())
        .unwrap_or_default()
}

/// The fields both packet block kinds share after the interface id: timestamp high and low,
/// captured and original length (in `head`), then the data and options (`rest`).
fn packet_fields(
    interface_id: u32,
    head: &[u8; 20],
    rest: &[u8],
    order: Endian,
) -> Result<PacketFields, BodyError> {
    let (ts_high, ts_low) = (word(head, 4), word(head, 8));
    let (captured, orig_len) = (order.u32(word(head, 12)), order.u32(word(head, 16)));
    let data_len = usize::try_from(captured).map_err(|_| "captured length too large")?;
    if data_len > rest.len() {
        return Err("captured length runs past the block");
    }
    let padded = data_len.saturating_add((4 - data_len % 4) % 4);
    let options = rest.get(padded..).unwrap_or_default();
    let mut pcapdroid_uid = None;
    let mut options_ok = true;
    for option in Options::new(options, order) {
        match option {
            Ok((OPT_COMMENT, text)) if pcapdroid_uid.is_none() => {
                pcapdroid_uid =
                    pcapdroid::uid_from_comment(text).map(|uid| (uid != -1).then_some(uid));
            }
            Ok(_) => {}
            Err(()) => options_ok = false,
        }
    }
    Ok(PacketFields {
        interface_id,
        ticks: Some((u64::from(order.u32(ts_high)) << 32) | u64::from(order.u32(ts_low))),
        data_start: 20,
        data_len,
        orig_len,
        pcapdroid_uid,
        options_ok,
    })
}

/// Parses a Simple Packet Block body: original length (u32), data. The captured length is the
/// original length bounded by the block and by the interface's snap length.
pub(crate) fn parse_spb(
    body: &[u8],
    order: Endian,
    snaplen: u32,
) -> Result<PacketFields, BodyError> {
    let (&orig, data) = body
        .split_first_chunk::<4>()
        .ok_or("simple packet block too short")?;
    let orig_len = order.u32(orig);
    let mut captured = usize::try_from(orig_len)
        .unwrap_or(usize::MAX)
        .min(data.len());
    if snaplen != 0 {
        captured = captured.min(usize::try_from(snaplen).unwrap_or(usize::MAX));
    }
    Ok(PacketFields {
        interface_id: 0,
        ticks: None,
        data_start: 4,
        data_len: captured,
        orig_len,
        pcapdroid_uid: None,
        options_ok: true,
    })
}

/// A PCAPdroid UID map found in a Custom Block body (PEN, then custom data).
/// `Ok(None)` for other custom blocks and PCAPdroid kinds this reader does not know.
pub(crate) fn parse_custom(
    body: &[u8],
    order: Endian,
) -> Result<Option<pcapdroid::UidMap<'_>>, BodyError> {
    let Some((&pen, data)) = body.split_first_chunk::<4>() else {
        return Err("custom block too short");
    };
    if order.u32(pen) != pcapdroid::PEN {
        return Ok(None);
    }
    pcapdroid::parse_uid_map(data, order == Endian::Big)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(tsresol: u8, offset_secs: i64) -> Interface {
        Interface {
            linktype: 1,
            snaplen: 0,
            scale: Scale::from_tsresol(tsresol),
            offset_nanos: i128::from(offset_secs) * 1_000_000_000,
        }
    }

    #[test]
    fn timestamps_for_each_resolution() {
        let ns = |i: Interface, t: u64| i.timestamp(t).as_nanos();
        assert_eq!(
            ns(iface(6, 0), 1_700_000_000_123_456),
            1_700_000_000_123_456_000
        );
        assert_eq!(
            ns(iface(9, 0), 1_700_000_000_123_456_789),
            1_700_000_000_123_456_789
        );
        assert_eq!(ns(iface(0, 0), 1_700_000_000), 1_700_000_000_000_000_000);
        assert_eq!(ns(iface(3, 0), 1_500), 1_500_000_000);
        // Picoseconds: truncated to the nanosecond.
        assert_eq!(ns(iface(12, 0), 1_234_567), 1_234);
        // 10^-127 seconds: every u64 tick count is below a nanosecond.
        assert_eq!(ns(iface(127, 0), u64::MAX), 0);
        // 2^-10 seconds: 1024 ticks is one second, 1 tick is 976562.5 ns (truncated).
        assert_eq!(ns(iface(0x80 | 10, 0), 1024), 1_000_000_000);
        assert_eq!(ns(iface(0x80 | 10, 0), 1), 976_562);
        assert_eq!(ns(iface(0x80 | 30, 0), 3 << 30), 3_000_000_000);
        assert_eq!(ns(iface(0x80 | 127, 0), u64::MAX), 0);
        assert_eq!(ns(iface(0x80, 0), 2), 2_000_000_000);
        // Offsets, and saturation both ways.
        assert_eq!(ns(iface(6, 3_600), 1_000_000), 3_601_000_000_000);
        assert_eq!(ns(iface(6, -10), 1_000_000), -9_000_000_000);
        assert_eq!(ns(iface(0, 0), u64::MAX), i64::MAX);
        assert_eq!(ns(iface(6, i64::MIN), 0), i64::MIN);
        assert_eq!(ns(iface(6, i64::MAX), u64::MAX), i64::MAX);
    }

    /// Options as `(code, value)` in little-endian order, padded, with an end marker.
    fn opts(list: &[(u16, &[u8])]) -> Vec<u8> {
        let mut v = Vec::new();
        for (code, value) in list {
            v.extend_from_slice(&code.to_le_bytes());
            v.extend_from_slice(&(value.len() as u16).to_le_bytes());
            v.extend_from_slice(value);
            while !v.len().is_multiple_of(4) {
                v.push(0);
            }
        }
        v.extend_from_slice(&[0, 0, 0, 0]);
        v
    }

    #[test]
    fn options_iterate_and_stop_on_damage() {
        let o = opts(&[(2, b"eth0"), (1, b"hi!"), (9, &[9])]);
        let got: Vec<_> = Options::new(&o, Endian::Little).collect();
        assert_eq!(
            got,
            vec![
                Ok((2, &b"eth0"[..])),
                Ok((1, &b"hi!"[..])),
                Ok((9, &[9u8][..]))
            ]
        );
        // A length past the end.
        let bad = [1, 0, 50, 0, b'x', 0, 0, 0];
        let got: Vec<_> = Options::new(&bad, Endian::Little).collect();
        assert_eq!(got, vec![Err(())]);
        // No end marker, no final padding, stray short tail: all tolerated.
        let loose = [1, 0, 1, 0, b'x'];
        let got: Vec<_> = Options::new(&loose, Endian::Little).collect();
        assert_eq!(got, vec![Ok((1, &b"x"[..]))]);
        let got: Vec<_> = Options::new(&[1, 0], Endian::Little).collect();
        assert!(got.is_empty());
        // Big endian.
        let be = [0, 1, 0, 2, b'o', b'k', 0, 0, 0, 0, 0, 0];
        let got: Vec<_> = Options::new(&be, Endian::Big).collect();
        assert_eq!(got, vec![Ok((1, &b"ok"[..]))]);
    }

    #[test]
    fn idb_options() {
        let mut body = vec![101, 0, 0, 0, 0xFF, 0xFF, 0, 0];
        body.extend(opts(&[
            (2, b"tun0"),
            (9, &[9]),
            (14, &(-5i64).to_le_bytes()),
        ]));
        let (i, ok) = parse_idb(&body, Endian::Little).unwrap();
        assert!(ok);
        assert_eq!(i.linktype, 101);
        assert_eq!(i.snaplen, 65535);
        assert_eq!(i, iface_with(101, 65535, 9, -5));
        // Default resolution; a damaged tsresol is reported.
        let (i, ok) = parse_idb(&[1, 0, 0, 0, 0, 0, 0, 0], Endian::Little).unwrap();
        assert!(ok);
        assert_eq!(i.timestamp(1).as_nanos(), 1_000);
        let mut body = vec![1, 0, 0, 0, 0, 0, 0, 0];
        body.extend(opts(&[(9, &[6, 6])]));
        assert!(!parse_idb(&body, Endian::Little).unwrap().1);
        assert_eq!(parse_idb(&[1, 0, 0], Endian::Little), None);
        // Big endian link type.
        let (i, _) = parse_idb(&[0, 113, 0, 0, 0, 0, 0, 0], Endian::Big).unwrap();
        assert_eq!(i.linktype, 113);
    }

    fn iface_with(linktype: u32, snaplen: u32, tsresol: u8, offset: i64) -> Interface {
        Interface {
            linktype,
            snaplen,
            ..iface(tsresol, offset)
        }
    }

    #[test]
    fn epb_fields_and_uid_comment() {
        let mut body = Vec::new();
        for v in [2u32, 0x0001_0002, 0x0003_0004, 5, 60] {
            body.extend_from_slice(&v.to_le_bytes());
        }
        body.extend_from_slice(&[0x45, 1, 2, 3, 4, 0, 0, 0]);
        body.extend(opts(&[(2, &2u32.to_le_bytes()), (1, b"u-10123")]));
        let p = parse_epb(&body, Endian::Little).unwrap();
        assert_eq!(
            p,
            PacketFields {
                interface_id: 2,
                ticks: Some(0x0001_0002_0003_0004),
                data_start: 20,
                data_len: 5,
                orig_len: 60,
                pcapdroid_uid: Some(Some(10123)),
                options_ok: true,
            }
        );
        // Unknown uid.
        let mut unknown = body[..28].to_vec();
        unknown.extend(opts(&[(1, b"u--1")]));
        assert_eq!(
            parse_epb(&unknown, Endian::Little).unwrap().pcapdroid_uid,
            Some(None)
        );
        // An ordinary comment.
        let mut other = body[..28].to_vec();
        other.extend(opts(&[(1, b"retransmission")]));
        assert_eq!(
            parse_epb(&other, Endian::Little).unwrap().pcapdroid_uid,
            None
        );
        // Damaged options keep the packet.
        let mut damaged = body[..28].to_vec();
        damaged.extend_from_slice(&[1, 0, 200, 0]);
        let p = parse_epb(&damaged, Endian::Little).unwrap();
        assert!(!p.options_ok);
        assert_eq!(p.data_len, 5);
        // Captured length past the body.
        let mut long = body[..28].to_vec();
        long[12..16].copy_from_slice(&9u32.to_le_bytes());
        assert_eq!(
            parse_epb(&long, Endian::Little),
            Err("captured length runs past the block")
        );
        assert_eq!(
            parse_epb(&body[..19], Endian::Little),
            Err("enhanced packet block too short")
        );
    }

    #[test]
    fn pb_and_spb() {
        let mut body = Vec::new();
        body.extend_from_slice(&[0, 1, 0, 7]);
        for v in [0u32, 1_000_000, 3, 3] {
            body.extend_from_slice(&v.to_be_bytes());
        }
        body.extend_from_slice(&[0x60, 0, 0, 0]);
        let p = parse_pb(&body, Endian::Big).unwrap();
        assert_eq!(
            (p.interface_id, p.ticks, p.data_start, p.data_len),
            (1, Some(1_000_000), 20, 3)
        );

        let spb = [0, 0, 0, 6, 0x45, 1, 2, 3, 4, 5, 0, 0];
        let p = parse_spb(&spb, Endian::Big, 0).unwrap();
        assert_eq!((p.data_start, p.data_len, p.orig_len), (4, 6, 6));
        let p = parse_spb(&spb, Endian::Big, 4).unwrap();
        assert_eq!(p.data_len, 4);
        // orig_len beyond the block: bounded by the block.
        let p = parse_spb(&[0, 0, 1, 0, 1, 2, 3, 4], Endian::Big, 0).unwrap();
        assert_eq!((p.data_len, p.orig_len), (4, 256));
    }

    #[test]
    fn custom_blocks() {
        let mut body = pcapdroid::PEN.to_le_bytes().to_vec();
        body.extend_from_slice(&[1, 0, 1, 0]);
        body.extend_from_slice(&1000i32.to_le_bytes());
        body.extend_from_slice(&[7, 6]);
        body.extend_from_slice(b"androidSystem\0\0\0");
        let m = parse_custom(&body, Endian::Little).unwrap().unwrap();
        assert_eq!(
            (m.uid, m.package, m.app_name),
            (1000, &b"android"[..], &b"System"[..])
        );
        let mut other = 32473u32.to_le_bytes().to_vec();
        other.extend_from_slice(&[1, 2, 3]);
        assert_eq!(parse_custom(&other, Endian::Little), Ok(None));
        assert_eq!(
            parse_custom(&[1, 2], Endian::Little),
            Err("custom block too short")
        );
    }

    #[test]
    fn section_header_fields() {
        assert_eq!(section_order([0x1A, 0x2B, 0x3C, 0x4D]), Some(Endian::Big));
        assert_eq!(
            section_order([0x4D, 0x3C, 0x2B, 0x1A]),
            Some(Endian::Little)
        );
        assert_eq!(section_order([0x4D, 0x3C, 0x2B, 0x1B]), None);
        let body = [0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0];
        assert_eq!(section_version(&body, Endian::Little), Some((1, 0)));
        assert_eq!(section_version(&body[..7], Endian::Little), None);
    }
}
