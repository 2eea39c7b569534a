//! The classic pcap file format: a 24-byte file header, then 16-byte record headers each followed
//! by the captured bytes.
//!
//! Layout from the pcap IETF draft (draft-ietf-opsawg-pcap) and libpcap's `pcap/pcap.h` and
//! `sf-pcap.c` behaviour: magic 0xA1B2C3D4 (microsecond timestamps) or 0xA1B23C4D (nanosecond),
//! written in the capturing host's byte order; the link type field's upper bits carry FCS
//! information and are masked off as libpcap's `LT_LINKTYPE` does. Files of versions 2.0 to 2.2
//! have the two length fields of each record in the other order, and 2.3 files may have; libpcap
//! swaps them back, and so does this module.

use telltale_wire::Timestamp;

use crate::reader::Endian;

/// Length of the file header.
pub(crate) const FILE_HEADER_LEN: usize = 24;
/// Length of a record header.
pub(crate) const RECORD_HEADER_LEN: usize = 16;

const MAGIC_MICROS: u32 = 0xA1B2_C3D4;
const MAGIC_NANOS: u32 = 0xA1B2_3C4D;
/// The link type proper; the bits above are the FCS length and its presence flag.
const LINKTYPE_MASK: u32 = 0x03FF_FFFF;
/// Records up to this length are always accepted, whatever the header's snap length says: the
/// largest snap length libpcap and Wireshark use for ordinary link types (256 KiB).
const STANDARD_MAX_RECORD: u32 = 262_144;
/// No record is longer than this; a longer captured length means the file is damaged.
const ABSOLUTE_MAX_RECORD: u32 = 16 << 20;

/// Does a file starting with these bytes look like pcap? Returns its byte order and whether the
/// timestamps are in nanoseconds.
pub(crate) fn sniff(magic: [u8; 4]) -> Option<(Endian, bool)> {
    match (u32::from_be_bytes(magic), u32::from_le_bytes(magic)) {
        (MAGIC_MICROS, _) => Some((Endian::Big, false)),
        (MAGIC_NANOS, _) => Some((Endian::Big, true)),
        (_, MAGIC_MICROS) => Some((Endian::Little, false)),
        (_, MAGIC_NANOS) => Some((Endian::Little, true)),
        _ => None,
    }
}

/// What the reader needs from the file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileHeader {
    /// Byte order of every field in the file.
    pub(crate) order: Endian,
    /// Timestamps carry nanoseconds (otherwise microseconds).
    pub(crate) nanos: bool,
    /// tcpdump `LINKTYPE_` of every record, FCS bits removed.
    pub(crate) linktype: u32,
    /// Largest captured length a record may have before the file counts as damaged.
    pub(crate) max_record: u32,
    /// Where the record headers keep the captured and the original length.
    pub(crate) lengths: LengthOrder,
}

/// Order of the two length fields in record headers, which changed in version 2.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LengthOrder {
    /// Captured length, then original length (2.4 and later).
    Normal,
    /// Original length first (before 2.3).
    Swapped,
    /// Either (2.3): swapped when the first is the larger, since a capture never holds more
    /// than the original.
    Either,
}

/// Parses the file header; `Err` says why the file cannot be read as pcap. The time zone and
/// accuracy fields are ignored, as libpcap and Wireshark ignore them (writers leave them 0).
pub(crate) fn parse_file_header(bytes: &[u8; FILE_HEADER_LEN]) -> Result<FileHeader, String> {
    let [
        m0,
        m1,
        m2,
        m3,
        ma0,
        ma1,
        mi0,
        mi1,
        _,
        _,
        _,
        _,
        _,
        _,
        _,
        _,
        s0,
        s1,
        s2,
        s3,
        l0,
        l1,
        l2,
        l3,
    ] = *bytes;
    let (order, nanos) = sniff([m0, m1, m2, m3]).ok_or("not a pcap magic number")?;
    let (major, minor) = (order.u16([ma0, ma1]), order.u16([mi0, mi1]));
    if major != 2 {
        return Err(format!("unsupported pcap version {major}.{minor}"));
    }
    let snaplen = order.u32([s0, s1, s2, s3]);
    let lengths = match minor {
        0..=2 => LengthOrder::Swapped,
        3 => LengthOrder::Either,
        _ => LengthOrder::Normal,
    };
    Ok(FileHeader {
        order,
        nanos,
        linktype: order.u32([l0, l1, l2, l3]) & LINKTYPE_MASK,
        max_record: snaplen.clamp(STANDARD_MAX_RECORD, ABSOLUTE_MAX_RECORD),
        lengths,
    })
}

/// A record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordHeader {
    /// When the packet was captured.
    pub(crate) ts: Timestamp,
    /// Bytes of the packet present in the file.
    pub(crate) incl_len: u32,
    /// Length of the packet on the wire.
    pub(crate) orig_len: u32,
}

impl FileHeader {
    /// Parses a record header. Seconds are unsigned (the draft's definition); a fraction beyond
    /// one second, which only broken writers produce, is added as is.
    pub(crate) fn record(&self, bytes: &[u8; RECORD_HEADER_LEN]) -> RecordHeader {
        let [s @ .., f0, f1, f2, f3, i0, i1, i2, i3, o0, o1, o2, o3] = *bytes;
        let secs = i64::from(self.order.u32(s));
        let frac = i64::from(self.order.u32([f0, f1, f2, f3]));
        let frac_nanos = if self.nanos { frac } else { frac * 1_000 };
        // At most (2^32 - 1) * 10^9 + (2^32 - 1) * 10^3, which fits an i64.
        let ts = Timestamp::from_nanos(secs * 1_000_000_000 + frac_nanos);
        let first = self.order.u32([i0, i1, i2, i3]);
        let second = self.order.u32([o0, o1, o2, o3]);
        let swapped = match self.lengths {
            LengthOrder::Normal => false,
            LengthOrder::Swapped => true,
            LengthOrder::Either => first > second,
        };
        let (incl_len, orig_len) = if swapped {
            (second, first)
        } else {
            (first, second)
        };
        RecordHeader {
            ts,
            incl_len,
            orig_len,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(bytes: &[u8]) -> Result<FileHeader, String> {
        parse_file_header(bytes.try_into().unwrap())
    }

    #[test]
    fn file_header_all_magics() {
        let le_micro = [
            0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0,
            0,
        ];
        assert_eq!(
            header(&le_micro),
            Ok(FileHeader {
                order: Endian::Little,
                nanos: false,
                linktype: 1,
                max_record: STANDARD_MAX_RECORD,
                lengths: LengthOrder::Normal,
            })
        );
        let be_nano = [
            0xA1, 0xB2, 0x3C, 0x4D, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x40, 0, 0, 0, 0, 0,
            101,
        ];
        assert_eq!(
            header(&be_nano),
            Ok(FileHeader {
                order: Endian::Big,
                nanos: true,
                linktype: 101,
                max_record: 4 << 20,
                lengths: LengthOrder::Normal,
            })
        );
        assert_eq!(sniff([0xA1, 0xB2, 0xC3, 0xD4]), Some((Endian::Big, false)));
        assert_eq!(
            sniff([0x4D, 0x3C, 0xB2, 0xA1]),
            Some((Endian::Little, true))
        );
        assert_eq!(sniff([0x0A, 0x0D, 0x0D, 0x0A]), None);
    }

    #[test]
    fn file_header_masks_fcs_bits_and_checks_version() {
        // Link type 0 with the FCS-present flag and an FCS length of 4 (two 16-bit words).
        let mut h = [
            0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1,
            0, 0, 0x24,
        ];
        let parsed = header(&h).unwrap();
        assert_eq!(parsed.linktype, 1);
        assert_eq!(parsed.max_record, ABSOLUTE_MAX_RECORD);
        h[6] = 2;
        assert_eq!(header(&h).unwrap().lengths, LengthOrder::Swapped);
        h[6] = 3;
        assert_eq!(header(&h).unwrap().lengths, LengthOrder::Either);
        h[4] = 3;
        assert_eq!(header(&h), Err("unsupported pcap version 3.3".to_owned()));
    }

    #[test]
    fn record_timestamps() {
        let micro = FileHeader {
            order: Endian::Little,
            nanos: false,
            linktype: 1,
            max_record: STANDARD_MAX_RECORD,
            lengths: LengthOrder::Normal,
        };
        let mut r = [0u8; 16];
        r[..4].copy_from_slice(&1_700_000_000u32.to_le_bytes());
        r[4..8].copy_from_slice(&123_456u32.to_le_bytes());
        r[8..12].copy_from_slice(&60u32.to_le_bytes());
        r[12..].copy_from_slice(&1514u32.to_le_bytes());
        assert_eq!(
            micro.record(&r),
            RecordHeader {
                ts: Timestamp::from_secs_nanos(1_700_000_000, 123_456_000),
                incl_len: 60,
                orig_len: 1514,
            }
        );
        let nano = FileHeader {
            nanos: true,
            ..micro
        };
        assert_eq!(
            nano.record(&r).ts,
            Timestamp::from_secs_nanos(1_700_000_000, 123_456)
        );
        // Before version 2.3 the lengths came the other way round; in 2.3 either way.
        let old = FileHeader {
            lengths: LengthOrder::Swapped,
            ..micro
        };
        assert_eq!(
            (old.record(&r).incl_len, old.record(&r).orig_len),
            (1514, 60)
        );
        let either = FileHeader {
            lengths: LengthOrder::Either,
            ..micro
        };
        assert_eq!(
            (either.record(&r).incl_len, either.record(&r).orig_len),
            (60, 1514)
        );
        r[8..12].copy_from_slice(&1514u32.to_le_bytes());
        r[12..].copy_from_slice(&60u32.to_le_bytes());
        assert_eq!(
            (either.record(&r).incl_len, either.record(&r).orig_len),
            (60, 1514)
        );
        // The largest values cannot overflow.
        let max = FileHeader {
            order: Endian::Big,
            ..micro
        };
        let r = [0xFF; 16];
        assert_eq!(
            max.record(&r).ts.as_nanos(),
            i64::from(u32::MAX) * 1_000_000_000 + i64::from(u32::MAX) * 1_000
        );
    }
}
