//! [`PcapngWriter`]: records raw IP packets as pcapng with PCAPdroid's per-packet app metadata,
//! so that this crate's reader, PCAPdroid, its Wireshark plugin and plain Wireshark/tshark read
//! which app sent each packet.
//!
//! Sans-IO in the sense that matters here: the writer never opens a file or reads a clock. It
//! encodes each block into a reusable buffer and hands it whole to the caller's
//! [`std::io::Write`] (a `Vec<u8>`, a file, a pipe). After every call the output ends at a block
//! boundary, so it is a readable capture at any moment: a live monitor can flush, copy or
//! rotate it between packets.
//!
//! # What is written
//!
//! One section, little-endian (the byte order every Android ABI uses natively, which
//! PCAPdroid's own reader requires), pcapng 1.0 (draft-ietf-opsawg-pcapng, sections 3.5, 4.1,
//! 4.2, 4.3 and 4.8):
//!
//! - **Section Header Block** (type `0x0A0D0D0A`): byte-order magic `0x1A2B3C4D`, version 1.0,
//!   section length -1 (not known while streaming), options `shb_userappl` (code 4) =
//!   `Telltale <version>`, `opt_endofopt`. No hardware or OS option: the file says nothing about
//!   the device.
//! - **Interface Description Block** (type 1), interface 0: link type `LINKTYPE_RAW` (101: each
//!   packet is an IPv4 or IPv6 packet with no link header; the version nibble tells which, so one
//!   interface carries both families, as PCAPdroid does), reserved 0, snap length, options
//!   `if_name` (code 2) when given, `if_tsresol` (code 9) = 6 (microseconds) or 9
//!   (nanoseconds), `opt_endofopt`.
//! - **PCAPdroid UID-map Custom Block** (type `0x00000BAD`) per app, where
//!   [`PcapngWriter::add_app`] is called: PEN 62652 (u32), metadata version 1 (u16), kind 1
//!   (u8), a zero byte, uid (i32), package name length (u8), app name length (u8), the package
//!   name, the app name, zero padding to 4 bytes. No options.
//! - **Enhanced Packet Block** (type 6) per packet: interface 0, timestamp high and low (u32
//!   each, in `if_tsresol` ticks since 1970), captured length, original length, the data
//!   padded to 4 bytes, then options `epb_flags` (code 2, u32: 1 inbound, 2 outbound) when a
//!   direction is given, `opt_comment` (code 1) = `u-<uid>` (decimal; `u--1` when the app is
//!   unknown), `opt_endofopt`.
//!
//! Every block ends with its total length again; options are padded to 4 bytes.
//!
//! # Apps: when to add them
//!
//! A UID-map block may stand anywhere in the section, so an app can be added after packets were
//! written: the block goes at that point in the file. This crate's reader collects map blocks
//! wherever they stand; plain Wireshark and tshark show each custom block as a record of its own
//! (`frame.cb_pen` 62652) and every packet's `u-<uid>` comment as `frame.comment`. PCAPdroid's
//! app and its Wireshark plugin read in file order, though: PCAPdroid drops the uid of a packet
//! whose uid has no map block before it, and the plugin (in tshark, checked with 4.0) names the
//! app only for packets after the block. So add an app before its first packet whenever its
//! names are known by then ([`PcapngWriter::has_app`] tells whether it was added).
//!
//! Each uid gets at most one map block: the first [`PcapngWriter::add_app`] for a uid wins and
//! later ones write nothing. PCAPdroid's reader keeps the first mapping of a uid and ignores
//! later ones, while this crate's reader and the plugin keep the last; one block per uid keeps
//! them all in agreement.

use std::collections::HashSet;
use std::io::{ErrorKind, Write};

use telltale_wire::Timestamp;
use telltale_wire::link::linktype;

use crate::error::WriteError;
use crate::pcapdroid;
use crate::pcapng;

/// Largest snap length the writer accepts: libpcap's `MAXIMUM_SNAPLEN`, which Wireshark and
/// tcpdump also use as their limit.
pub const MAX_SNAPLEN: u32 = 262_144;
/// Snap length when none is given: the largest IP packet, so nothing a TUN device delivers is
/// cut (PCAPdroid's default too).
pub const DEFAULT_SNAPLEN: u32 = 65_535;
/// Longest package name, app name or interface name written, in bytes: the UID-map block stores
/// name lengths in one byte. Longer names are cut at the last whole UTF-8 character that fits.
pub const MAX_NAME_LEN: usize = 255;

/// The application named in the section header's `shb_userappl` option.
const USER_APPLICATION: &str = concat!("Telltale ", env!("CARGO_PKG_VERSION"));
/// PCAPdroid's comment prefix; the uid follows in decimal.
const UID_COMMENT_PREFIX: &[u8] = b"u-";
/// Longest uid comment: `u-` and `-2147483648`.
const MAX_UID_COMMENT_LEN: usize = 13;
/// `epb_flags` direction values (low two bits).
const FLAGS_INBOUND: u32 = 1;
const FLAGS_OUTBOUND: u32 = 2;

/// Resolution of the timestamps in the file (the interface's `if_tsresol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TsResolution {
    /// Microseconds (`if_tsresol` 6). PCAPdroid's own reader assumes microseconds whatever the
    /// option says, so this is the default.
    #[default]
    Micros,
    /// Nanoseconds (`if_tsresol` 9): Wireshark, tshark and this crate's reader honour it.
    Nanos,
}

/// Direction of a packet through the monitored interface, written as `epb_flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the network towards the apps on the device.
    Inbound,
    /// From an app on the device towards the network.
    Outbound,
}

/// How [`PcapngWriter::new`] sets up the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterOptions {
    /// Bytes kept of each packet, 1..=[`MAX_SNAPLEN`]; longer packets are cut and keep their
    /// original length. Default [`DEFAULT_SNAPLEN`].
    pub snaplen: u32,
    /// Timestamp resolution. Default microseconds.
    pub resolution: TsResolution,
    /// Name of the capture interface (`if_name`), e.g. `tun0`; none by default.
    pub interface_name: Option<String>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            snaplen: DEFAULT_SNAPLEN,
            resolution: TsResolution::Micros,
            interface_name: None,
        }
    }
}

/// Details of a packet beyond its time, app and bytes, for [`PcapngWriter::packet_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PacketExtras {
    /// Length on the wire when `data` is already cut (e.g. a packet read from another capture);
    /// `None` means `data` is the whole packet. A value below `data.len()` is raised to it.
    pub orig_len: Option<u32>,
    /// Direction through the interface; `None` writes no `epb_flags` (PCAPdroid's VPN mode
    /// writes none either).
    pub direction: Option<Direction>,
}

/// Writes a pcapng capture of raw IP packets with PCAPdroid app metadata to `W`.
///
/// The section header and interface are written by [`PcapngWriter::new`]; then apps and packets
/// in any order; [`PcapngWriter::finish`] flushes and returns the output. Each call writes whole
/// blocks with one `write_all`-like sequence, so give an unbuffered file if every packet should
/// reach it at once, or a [`std::io::BufWriter`] and call [`PcapngWriter::flush`] when it
/// should. With a `Vec<u8>`, take the bytes out between calls through
/// [`PcapngWriter::get_mut`] (e.g. `std::mem::take`): what is taken always ends at a block
/// boundary. A non-blocking writer must not be given: `WouldBlock` is an output error.
///
/// ```
/// use telltale_capture::{CaptureReader, PcapngWriter, WriterOptions};
/// use telltale_wire::Timestamp;
///
/// let mut w = PcapngWriter::new(Vec::new(), WriterOptions::default())?;
/// w.add_app(10123, "com.tencent.mm", "WeChat")?;
/// let packet = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
/// w.packet(Timestamp::from_nanos(1_700_000_000_000_000_000), Some(10123), &packet)?;
/// let file = w.finish()?;
///
/// let mut r = CaptureReader::new(&file[..])?;
/// assert_eq!(r.next_packet()?.unwrap().uid, Some(10123));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct PcapngWriter<W: Write> {
    out: W,
    snaplen: u32,
    resolution: TsResolution,
    /// Uids whose map block reached the output.
    apps: HashSet<i32>,
    /// The block being written, reused for every block.
    block: Vec<u8>,
    /// Bytes of complete blocks that reached the output.
    written: u64,
    /// An output error cut a block: nothing more may be written.
    broken: bool,
}

impl<W: Write> PcapngWriter<W> {
    /// Writes the Section Header Block and the Interface Description Block to `out`.
    ///
    /// Err([`WriteError::InvalidSnaplen`]) before anything is written when the snap length is
    /// out of range; Err([`WriteError::Io`]) when the output fails (it may then hold part of the
    /// header).
    pub fn new(out: W, options: WriterOptions) -> Result<Self, WriteError> {
        let WriterOptions {
            snaplen,
            resolution,
            interface_name,
        } = options;
        if !(1..=MAX_SNAPLEN).contains(&snaplen) {
            return Err(WriteError::InvalidSnaplen { snaplen });
        }
        let mut this = PcapngWriter {
            out,
            snaplen,
            resolution,
            apps: HashSet::new(),
            block: Vec::with_capacity(256),
            written: 0,
            broken: false,
        };
        this.block.clear();
        encode_shb(&mut this.block);
        encode_idb(
            &mut this.block,
            snaplen,
            interface_name.as_deref(),
            resolution,
        );
        this.emit()?;
        Ok(this)
    }

    /// Maps `uid` to its package name (e.g. `com.tencent.mm`) and app name (e.g. `WeChat`) with
    /// a PCAPdroid UID-map block written at this point of the file.
    ///
    /// Ok(true) when the block was written; Ok(false), writing nothing, when `uid` already has
    /// one (the first mapping of a uid is final: see the module documentation). Names longer
    /// than [`MAX_NAME_LEN`] bytes are cut at a character boundary; empty names are allowed.
    pub fn add_app(&mut self, uid: i32, package: &str, name: &str) -> Result<bool, WriteError> {
        self.check()?;
        if self.apps.contains(&uid) {
            return Ok(false);
        }
        self.block.clear();
        encode_uid_map(
            &mut self.block,
            uid,
            cut_name(package).as_bytes(),
            cut_name(name).as_bytes(),
        );
        self.emit()?;
        self.apps.insert(uid);
        Ok(true)
    }

    /// Whether `uid` has its UID-map block in the output.
    pub fn has_app(&self, uid: i32) -> bool {
        self.apps.contains(&uid)
    }

    /// Writes one raw IP packet (IPv4 or IPv6, no link header) captured at `ts`, sent or
    /// received by the app `uid` (`None` when unknown), as an Enhanced Packet Block.
    ///
    /// `data` longer than the snap length is cut; the original length keeps `data.len()`
    /// (saturated at `u32::MAX`). Timestamps before 1970 are written as 1970-01-01 (pcapng
    /// timestamps are unsigned); finer than the resolution, they are truncated.
    pub fn packet(
        &mut self,
        ts: Timestamp,
        uid: Option<i32>,
        data: &[u8],
    ) -> Result<(), WriteError> {
        self.packet_with(ts, uid, data, PacketExtras::default())
    }

    /// [`PcapngWriter::packet`] with an original length for already cut data and a direction.
    pub fn packet_with(
        &mut self,
        ts: Timestamp,
        uid: Option<i32>,
        data: &[u8],
        extras: PacketExtras,
    ) -> Result<(), WriteError> {
        self.check()?;
        let full_len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let orig_len = extras.orig_len.map_or(full_len, |l| l.max(full_len));
        let keep = usize::try_from(self.snaplen).unwrap_or(usize::MAX);
        let captured = data.get(..keep).unwrap_or(data);
        let ticks = ticks(ts, self.resolution);
        // -1 is PCAPdroid's "unknown" uid.
        let (comment, comment_len) = uid_comment(uid.unwrap_or(-1));
        let comment = comment.get(..comment_len).unwrap_or_default();
        self.block.clear();
        encode_epb(
            &mut self.block,
            ticks,
            captured,
            orig_len,
            extras.direction,
            comment,
        );
        self.emit()
    }

    /// Flushes the output (e.g. a [`std::io::BufWriter`] around a file).
    pub fn flush(&mut self) -> Result<(), WriteError> {
        self.out.flush().map_err(WriteError::Io)
    }

    /// Bytes of complete blocks written so far: the size of the capture.
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    /// The output.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// The output, e.g. to take the bytes out of a `Vec<u8>` between calls. Writing to it
    /// directly corrupts the capture.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Flushes and returns the output. pcapng has no end marker: the capture is complete.
    pub fn finish(mut self) -> Result<W, WriteError> {
        self.flush()?;
        Ok(self.out)
    }

    /// The output, without flushing (e.g. after an error, to truncate a file to
    /// [`WriteError::Broken::valid_len`]).
    pub fn into_inner(self) -> W {
        self.out
    }

    fn check(&self) -> Result<(), WriteError> {
        if self.broken {
            Err(WriteError::Broken {
                valid_len: self.written,
            })
        } else {
            Ok(())
        }
    }

    /// Hands the encoded block to the output. An error after part of it was accepted breaks the
    /// writer; one before any byte was accepted loses only this block.
    fn emit(&mut self) -> Result<(), WriteError> {
        let mut done = 0usize;
        while let Some(rest) = self.block.get(done..).filter(|r| !r.is_empty()) {
            match self.out.write(rest) {
                Ok(0) => {
                    self.broken = done > 0;
                    return Err(WriteError::Io(ErrorKind::WriteZero.into()));
                }
                Ok(n) => done = done.saturating_add(n),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    self.broken = done > 0;
                    return Err(WriteError::Io(e));
                }
            }
        }
        self.written = self
            .written
            .saturating_add(u64::try_from(self.block.len()).unwrap_or(u64::MAX));
        Ok(())
    }
}

/// `name` cut to at most [`MAX_NAME_LEN`] bytes, at a character boundary.
fn cut_name(name: &str) -> &str {
    let mut end = name.len().min(MAX_NAME_LEN);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name.get(..end).unwrap_or_default()
}

/// Timestamp ticks at `resolution` since 1970; earlier times give 0.
fn ticks(ts: Timestamp, resolution: TsResolution) -> u64 {
    let nanos = u64::try_from(ts.as_nanos()).unwrap_or(0);
    match resolution {
        TsResolution::Micros => nanos / 1_000,
        TsResolution::Nanos => nanos,
    }
}

/// PCAPdroid's packet comment `u-<uid>` in a fixed buffer, with its length.
fn uid_comment(uid: i32) -> ([u8; MAX_UID_COMMENT_LEN], usize) {
    let mut buf = [0u8; MAX_UID_COMMENT_LEN];
    let mut len = 0;
    for &b in UID_COMMENT_PREFIX {
        push_byte(&mut buf, &mut len, b);
    }
    if uid < 0 {
        push_byte(&mut buf, &mut len, b'-');
    }
    // Digits of |uid| (i64: |i32::MIN| fits), most significant first.
    let mut value = i64::from(uid).unsigned_abs();
    let mut digits = [0u8; 10];
    let mut n = 0;
    loop {
        // value % 10 < 10: the cast keeps it exactly.
        push_byte(&mut digits, &mut n, b'0' + (value % 10) as u8);
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &d in digits.get(..n).unwrap_or_default().iter().rev() {
        push_byte(&mut buf, &mut len, d);
    }
    (buf, len)
}

/// Stores `b` at `buf[*len]` and advances `len`; a full buffer drops it (never happens for the
/// sizes above).
fn push_byte<const N: usize>(buf: &mut [u8; N], len: &mut usize, b: u8) {
    if let Some(slot) = buf.get_mut(*len) {
        *slot = b;
        *len += 1;
    }
}

// Block encoders: each appends one complete block, little-endian, to `out`.

/// Starts a block: type and a total length to be filled in by [`end_block`]. Returns where the
/// block starts.
fn begin_block(out: &mut Vec<u8>, block_type: u32) -> usize {
    let start = out.len();
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    start
}

/// Pads the body to 4 bytes, appends the trailing total length and fills in the leading one.
fn end_block(out: &mut Vec<u8>, start: usize) {
    pad(out);
    // Blocks are bounded by MAX_SNAPLEN plus a few hundred bytes: the length fits.
    let total = u32::try_from(out.len() - start + 4).unwrap_or(u32::MAX);
    out.extend_from_slice(&total.to_le_bytes());
    if let Some(field) = out.get_mut(start + 4..start + 8) {
        field.copy_from_slice(&total.to_le_bytes());
    }
}

/// Zero bytes up to a multiple of 4 (blocks start 4-aligned in `out`, so this aligns within the
/// block).
fn pad(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

/// One option: code, length, value, padding to 4. Values are bounded by the callers (names by
/// [`MAX_NAME_LEN`], comments by [`MAX_UID_COMMENT_LEN`]).
fn option(out: &mut Vec<u8>, code: u16, value: &[u8]) {
    let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(value.get(..usize::from(len)).unwrap_or(value));
    pad(out);
}

/// `opt_endofopt`.
fn end_of_options(out: &mut Vec<u8>) {
    out.extend_from_slice(&pcapng::OPT_END.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
}

/// Section Header Block: byte-order magic, version 1.0, unknown section length,
/// `shb_userappl`.
fn encode_shb(out: &mut Vec<u8>) {
    let start = begin_block(out, pcapng::SHB);
    out.extend_from_slice(&pcapng::BYTE_ORDER_MAGIC.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(-1i64).to_le_bytes());
    option(out, pcapng::SHB_USERAPPL, USER_APPLICATION.as_bytes());
    end_of_options(out);
    end_block(out, start);
}

/// Interface Description Block: raw IP, snap length, `if_name`, `if_tsresol`.
fn encode_idb(
    out: &mut Vec<u8>,
    snaplen: u32,
    interface_name: Option<&str>,
    resolution: TsResolution,
) {
    let start = begin_block(out, pcapng::IDB);
    let link = u16::try_from(linktype::RAW).unwrap_or_default();
    out.extend_from_slice(&link.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&snaplen.to_le_bytes());
    if let Some(name) = interface_name {
        option(out, pcapng::IF_NAME, cut_name(name).as_bytes());
    }
    let tsresol: u8 = match resolution {
        TsResolution::Micros => 6,
        TsResolution::Nanos => 9,
    };
    option(out, pcapng::IF_TSRESOL, &[tsresol]);
    end_of_options(out);
    end_block(out, start);
}

/// PCAPdroid UID-map Custom Block. Names must be at most 255 bytes ([`cut_name`]).
fn encode_uid_map(out: &mut Vec<u8>, uid: i32, package: &[u8], name: &[u8]) {
    let start = begin_block(out, pcapdroid::CUSTOM_BLOCK);
    out.extend_from_slice(&pcapdroid::PEN.to_le_bytes());
    out.extend_from_slice(&pcapdroid::METADATA_VERSION.to_le_bytes());
    out.push(pcapdroid::BLOCK_KIND_UID_MAP);
    out.push(0);
    out.extend_from_slice(&uid.to_le_bytes());
    let package = package.get(..MAX_NAME_LEN).unwrap_or(package);
    let name = name.get(..MAX_NAME_LEN).unwrap_or(name);
    out.push(u8::try_from(package.len()).unwrap_or(u8::MAX));
    out.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(package);
    out.extend_from_slice(name);
    end_block(out, start);
}

/// Enhanced Packet Block on interface 0 with `epb_flags` (when a direction is known) and the
/// uid comment. `data` is already cut to the snap length.
fn encode_epb(
    out: &mut Vec<u8>,
    ticks: u64,
    data: &[u8],
    orig_len: u32,
    direction: Option<Direction>,
    comment: &[u8],
) {
    let start = begin_block(out, pcapng::EPB);
    out.extend_from_slice(&0u32.to_le_bytes());
    // High and low halves of the 64-bit timestamp; the casts keep exactly those bits.
    out.extend_from_slice(&((ticks >> 32) as u32).to_le_bytes());
    out.extend_from_slice(&(ticks as u32).to_le_bytes());
    let captured = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&captured.to_le_bytes());
    out.extend_from_slice(&orig_len.to_le_bytes());
    out.extend_from_slice(data);
    pad(out);
    if let Some(direction) = direction {
        let flags = match direction {
            Direction::Inbound => FLAGS_INBOUND,
            Direction::Outbound => FLAGS_OUTBOUND,
        };
        option(out, pcapng::EPB_FLAGS, &flags.to_le_bytes());
    }
    option(out, pcapng::OPT_COMMENT, comment);
    end_of_options(out);
    end_block(out, start);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(uid: i32) -> String {
        let (buf, len) = uid_comment(uid);
        String::from_utf8(buf[..len].to_vec()).unwrap()
    }

    #[test]
    fn uid_comments_as_pcapdroid_formats_them() {
        for uid in [0, 7, 1000, 10123, 99_999, -1, -42, i32::MAX, i32::MIN] {
            assert_eq!(comment(uid), format!("u-{uid}"));
            assert_eq!(
                pcapdroid::uid_from_comment(comment(uid).as_bytes()),
                Some(uid)
            );
        }
        assert_eq!(comment(i32::MIN).len(), MAX_UID_COMMENT_LEN);
    }

    #[test]
    fn names_cut_at_character_boundaries() {
        assert_eq!(cut_name("WeChat"), "WeChat");
        let long = "a".repeat(300);
        assert_eq!(cut_name(&long).len(), 255);
        // 254 ASCII bytes then a 3-byte character: it does not fit whole.
        let s = format!("{}微信", "b".repeat(254));
        assert_eq!(cut_name(&s), "b".repeat(254));
        let s = format!("{}微", "b".repeat(252));
        assert_eq!(cut_name(&s), s);
    }

    #[test]
    fn ticks_at_each_resolution() {
        let ts = Timestamp::from_nanos(1_700_000_000_123_456_789);
        assert_eq!(ticks(ts, TsResolution::Micros), 1_700_000_000_123_456);
        assert_eq!(ticks(ts, TsResolution::Nanos), 1_700_000_000_123_456_789);
        assert_eq!(ticks(Timestamp::from_nanos(-5), TsResolution::Nanos), 0);
        assert_eq!(
            ticks(Timestamp::from_nanos(i64::MIN), TsResolution::Micros),
            0
        );
    }

    #[test]
    fn blocks_are_aligned_and_framed() {
        for data_len in 0..9 {
            let mut out = Vec::new();
            let data = vec![0xAB; data_len];
            encode_epb(&mut out, 1, &data, 100, Some(Direction::Inbound), b"u-1");
            assert!(out.len().is_multiple_of(4));
            let len = out.len() as u32;
            assert_eq!(out[4..8], len.to_le_bytes());
            assert_eq!(out[out.len() - 4..], len.to_le_bytes());
        }
        for n in 0..6 {
            let mut out = Vec::new();
            encode_uid_map(&mut out, 1, &b"pkg"[..n.min(3)], &b"ab"[..n.min(2)]);
            assert!(out.len().is_multiple_of(4));
            assert_eq!(out[out.len() - 4..], out[4..8]);
        }
    }
}
