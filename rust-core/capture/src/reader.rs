//! [`CaptureReader`]: packets out of a pcap or pcapng file, with PCAPdroid's app metadata.
//!
//! The file is read through one reusable buffer; packets borrow it, so reading costs no
//! allocation per packet. Lengths from the file are checked against caps before any buffer grows,
//! and the buffer only grows as data actually arrives.

use std::collections::HashMap;
use std::io::{ErrorKind, Read};

use telltale_wire::Timestamp;
use telltale_wire::link::linktype;

use crate::error::{CaptureError, Warning};
use crate::pcap;
use crate::pcapdroid;
use crate::pcapng;

/// Size of the read buffer: large reads, few system calls.
const BUFFER_LEN: usize = 1 << 20;
/// Warnings kept per file; a badly damaged file could otherwise produce one per packet.
const MAX_WARNINGS: usize = 1000;

/// One packet as read from a capture. `data` borrows the reader's buffer (valid until the next
/// call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    /// When it was captured.
    pub ts: Timestamp,
    /// tcpdump `LINKTYPE_` of `data` (see [`telltale_wire::link::ip_payload`]).
    pub linktype: u32,
    /// Captured bytes (incl_len); for PCAPdroid trailer frames, the whole frame (the engine
    /// ignores bytes past the IP total length).
    pub data: &'a [u8],
    /// Original length on the wire.
    pub orig_len: u32,
    /// Byte offset of this record/block in the file.
    pub offset: u64,
    /// PCAPdroid app uid when the capture carries one for this packet (pcapng EPB comment
    /// `u-<uid>`, or the pcap trailer).
    pub uid: Option<i32>,
}

/// The kind of capture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Classic pcap.
    Pcap {
        /// Timestamps in nanoseconds (magic 0xA1B23C4D) rather than microseconds.
        nanos: bool,
        /// Written big-endian.
        big_endian: bool,
    },
    /// pcapng (each section has its own byte order).
    PcapNg,
}

/// App metadata learned from the capture: uid -> package name and app label (pcapng UID-map
/// custom blocks; trailer app names, which are truncated to 20 bytes, fill in when nothing
/// better is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppInfo {
    /// Android uid.
    pub uid: i32,
    /// Package name, e.g. `com.tencent.mm`.
    pub package: Option<String>,
    /// App label, e.g. `WeChat`.
    pub name: Option<String>,
}

/// Byte order of the fields of a file or section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endian {
    Little,
    Big,
}

impl Endian {
    pub(crate) fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        }
    }

    pub(crate) fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        }
    }

    pub(crate) fn i32(self, b: [u8; 4]) -> i32 {
        match self {
            Endian::Little => i32::from_le_bytes(b),
            Endian::Big => i32::from_be_bytes(b),
        }
    }

    pub(crate) fn i64(self, b: [u8; 8]) -> i64 {
        match self {
            Endian::Little => i64::from_le_bytes(b),
            Endian::Big => i64::from_be_bytes(b),
        }
    }
}

/// Reads packets from a pcap or pcapng capture.
///
/// Damage inside the file never panics and is never an error: see [`CaptureReader::next_packet`]
/// and [`CaptureReader::warnings`]. `R` need not be buffered; the reader buffers itself.
pub struct CaptureReader<R: Read> {
    input: Input<R>,
    kind: Kind,
    /// Reading stopped: at the end, or at damage it cannot get past.
    done: bool,
    warnings: Vec<Warning>,
    apps: Apps,
}

enum Kind {
    Pcap(pcap::FileHeader),
    PcapNg(Section),
}

/// State of the current pcapng section.
struct Section {
    order: Endian,
    /// False when the section's version is unknown: its blocks are skipped.
    readable: bool,
    /// Interfaces in order of their IDBs; `None` for one whose IDB was damaged, so that later ids
    /// still point at the right interface.
    interfaces: Vec<Option<pcapng::Interface>>,
    /// Timestamp of the last packet, for Simple Packet Blocks, which carry none.
    last_ts: Timestamp,
}

/// A packet found in the buffer, before it is handed out as a [`Packet`].
struct Found {
    ts: Timestamp,
    linktype: u32,
    /// Absolute position of the data in the buffer.
    start: usize,
    len: usize,
    orig_len: u32,
    offset: u64,
    /// `Some` when a pcapng comment said which uid (or that it is unknown): no trailer lookup.
    pcapdroid_uid: Option<Option<i32>>,
}

/// What one step of reading produced.
enum Step {
    Packet(Found),
    /// A block that is not a packet (or a packet that was skipped).
    Skipped,
    /// The end of the input, or damage that stops reading.
    End,
}

impl<R: Read> CaptureReader<R> {
    /// Reads the file header; Err(CaptureError::NotACapture{reason}) when the magic is neither
    /// pcap (both byte orders, micro and nano) nor pcapng, or the header is damaged; Err(Io) on
    /// read errors.
    pub fn new(reader: R) -> Result<Self, CaptureError> {
        let not_a_capture = |reason: &str| CaptureError::NotACapture {
            reason: reason.to_owned(),
        };
        let mut input = Input::new(reader);
        if !input.fill(4)? {
            return Err(not_a_capture(if input.window().is_empty() {
                "the file is empty"
            } else {
                "the file is too short"
            }));
        }
        let Some(&magic) = input.window().first_chunk::<4>() else {
            return Err(not_a_capture("the file is too short"));
        };
        let this = if pcap::sniff(magic).is_some() {
            if !input.fill(pcap::FILE_HEADER_LEN)? {
                return Err(not_a_capture("the file ends inside the pcap file header"));
            }
            let Some(bytes) = input.window().first_chunk::<{ pcap::FILE_HEADER_LEN }>() else {
                return Err(not_a_capture("the file ends inside the pcap file header"));
            };
            let header = pcap::parse_file_header(bytes)
                .map_err(|reason| CaptureError::NotACapture { reason })?;
            input.consume(pcap::FILE_HEADER_LEN);
            CaptureReader::with_kind(input, Kind::Pcap(header))
        } else if u32::from_be_bytes(magic) == pcapng::SHB {
            let section = Section {
                order: Endian::Little,
                readable: false,
                interfaces: Vec::new(),
                last_ts: Timestamp::EPOCH,
            };
            let mut this = CaptureReader::with_kind(input, Kind::PcapNg(section));
            // The first block is the section header: whatever stops it stops the file.
            let step = this.step_pcapng()?;
            let readable = matches!(&this.kind, Kind::PcapNg(s) if s.readable);
            if let Some(w) = this.warnings.first() {
                return Err(not_a_capture(&w.message));
            }
            if matches!(step, Step::End) || !readable {
                return Err(not_a_capture("damaged section header block"));
            }
            this
        } else {
            let [a, b, c, d] = magic;
            return Err(CaptureError::NotACapture {
                reason: format!("unknown magic number {a:02x}{b:02x}{c:02x}{d:02x}"),
            });
        };
        Ok(this)
    }

    fn with_kind(input: Input<R>, kind: Kind) -> Self {
        CaptureReader {
            input,
            kind,
            done: false,
            warnings: Vec::new(),
            apps: Apps::default(),
        }
    }

    /// The kind of file being read.
    pub fn format(&self) -> Format {
        match &self.kind {
            Kind::Pcap(h) => Format::Pcap {
                nanos: h.nanos,
                big_endian: h.order == Endian::Big,
            },
            Kind::PcapNg(_) => Format::PcapNg,
        }
    }

    /// The next packet; Ok(None) at the end. Damaged records are skipped with a Warning when the
    /// reader can resynchronise (pcapng: a block whose total length is sane but whose body is
    /// bad; a block type it does not know is skipped silently; a pcapng EPB referring to an
    /// unknown interface is skipped with a warning), otherwise reading stops with a Warning (e.g.
    /// pcap record header with an impossible incl_len, or a file cut short in the middle of a
    /// record: "file ends inside a record at offset N"). Only I/O errors are Err.
    pub fn next_packet(&mut self) -> Result<Option<Packet<'_>>, CaptureError> {
        let found = loop {
            if self.done {
                return Ok(None);
            }
            let step = match self.kind {
                Kind::Pcap(_) => self.step_pcap()?,
                Kind::PcapNg(_) => self.step_pcapng()?,
            };
            match step {
                Step::Packet(found) => break found,
                Step::Skipped => {}
                Step::End => {
                    self.done = true;
                    return Ok(None);
                }
            }
        };
        let data = self.input.slice(found.start, found.len);
        let uid = match found.pcapdroid_uid {
            Some(uid) => uid,
            None if found.linktype == linktype::ETHERNET => match pcapdroid::parse_trailer(data) {
                Some(t) if t.uid != -1 => {
                    self.apps.learn_trailer_name(t.uid, t.app_name);
                    Some(t.uid)
                }
                _ => None,
            },
            None => None,
        };
        Ok(Some(Packet {
            ts: found.ts,
            linktype: found.linktype,
            data,
            orig_len: found.orig_len,
            offset: found.offset,
            uid,
        }))
    }

    /// Warnings so far, in file order.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Apps learned so far (grows while reading; complete after the last packet).
    pub fn apps(&self) -> impl Iterator<Item = &AppInfo> {
        self.apps.list.iter()
    }

    /// Bytes consumed so far (for a progress bar).
    pub fn position(&self) -> u64 {
        self.input.pos
    }

    fn warn(&mut self, offset: u64, message: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(Warning { offset, message });
        } else if self.warnings.len() == MAX_WARNINGS {
            self.warnings.push(Warning {
                offset,
                message: format!(
                    "more than {MAX_WARNINGS} warnings; further ones from offset {offset} on are not listed"
                ),
            });
        }
    }

    /// The input ended at `offset`: cleanly between records, or inside one.
    fn input_ended(&mut self, offset: u64, what: &str) -> Step {
        if !self.input.window().is_empty() {
            self.warn(
                offset,
                format!("file ends inside a {what} at offset {offset}"),
            );
        }
        Step::End
    }

    fn step_pcap(&mut self) -> Result<Step, CaptureError> {
        let Kind::Pcap(header) = self.kind else {
            return Ok(Step::End);
        };
        let offset = self.input.pos;
        if !self.input.fill(pcap::RECORD_HEADER_LEN)? {
            return Ok(self.input_ended(offset, "record"));
        }
        let Some(bytes) = self
            .input
            .window()
            .first_chunk::<{ pcap::RECORD_HEADER_LEN }>()
        else {
            return Ok(Step::End);
        };
        let record = header.record(bytes);
        if record.incl_len > header.max_record {
            self.warn(
                offset,
                format!(
                    "record at offset {offset} claims {} captured bytes (more than {}): the file is damaged here; reading stops",
                    record.incl_len, header.max_record
                ),
            );
            return Ok(Step::End);
        }
        let len = usize::try_from(record.incl_len).unwrap_or(usize::MAX);
        let total = pcap::RECORD_HEADER_LEN.saturating_add(len);
        if !self.input.fill(total)? {
            return Ok(self.input_ended(offset, "record"));
        }
        let start = self.input.start + pcap::RECORD_HEADER_LEN;
        self.input.consume(total);
        Ok(Step::Packet(Found {
            ts: record.ts,
            linktype: header.linktype,
            start,
            len,
            orig_len: record.orig_len,
            offset,
            pcapdroid_uid: None,
        }))
    }

    fn step_pcapng(&mut self) -> Result<Step, CaptureError> {
        let offset = self.input.pos;
        if !self.input.fill(8)? {
            return Ok(self.input_ended(offset, "block"));
        }
        let Some(&[t0, t1, t2, t3, l0, l1, l2, l3]) = self.input.window().first_chunk::<8>() else {
            return Ok(Step::End);
        };
        let Kind::PcapNg(section) = &self.kind else {
            return Ok(Step::End);
        };
        let is_shb = u32::from_be_bytes([t0, t1, t2, t3]) == pcapng::SHB;
        let order = if is_shb {
            if !self.input.fill(12)? {
                return Ok(self.input_ended(offset, "block"));
            }
            let magic = self
                .input
                .window()
                .get(8..12)
                .and_then(|m| <[u8; 4]>::try_from(m).ok());
            match magic.and_then(pcapng::section_order) {
                Some(order) => order,
                None => {
                    self.warn(
                        offset,
                        format!(
                            "section header block at offset {offset} has no valid byte-order magic; reading stops"
                        ),
                    );
                    return Ok(Step::End);
                }
            }
        } else {
            section.order
        };
        let block_type = order.u32([t0, t1, t2, t3]);
        let block_len = order.u32([l0, l1, l2, l3]);
        let min_len = if is_shb {
            pcapng::MIN_SHB_LEN
        } else {
            pcapng::MIN_BLOCK_LEN
        };
        if block_len < min_len || !block_len.is_multiple_of(4) || block_len > pcapng::MAX_BLOCK_LEN
        {
            self.warn(
                offset,
                format!(
                    "block at offset {offset} (type {block_type:#x}) has an impossible length {block_len}: the file is damaged here; reading stops"
                ),
            );
            return Ok(Step::End);
        }
        let len = usize::try_from(block_len).unwrap_or(usize::MAX);
        if !self.input.fill(len)? {
            return Ok(self.input_ended(offset, "block"));
        }
        let block_start = self.input.start;
        let block = self.input.window().get(..len).unwrap_or_default();
        let trailing = block.last_chunk::<4>().map(|&t| order.u32(t));
        let body = block.get(8..len.saturating_sub(4)).unwrap_or_default();
        let step = if trailing != Some(block_len) {
            BlockOutcome::Warn(format!(
                "block at offset {offset} (type {block_type:#x}): its trailing length differs from its leading length {block_len}; skipped"
            ))
        } else if is_shb {
            let Kind::PcapNg(section) = &mut self.kind else {
                return Ok(Step::End);
            };
            section_header(section, body, order, offset)
        } else if !section.readable {
            BlockOutcome::Skip
        } else {
            match block_type {
                pcapng::IDB => {
                    let Kind::PcapNg(section) = &mut self.kind else {
                        return Ok(Step::End);
                    };
                    interface_description(section, body, order, offset)
                }
                pcapng::EPB => packet_block(
                    section,
                    pcapng::parse_epb(body, order),
                    "enhanced packet block",
                    offset,
                ),
                pcapng::PB => packet_block(
                    section,
                    pcapng::parse_pb(body, order),
                    "packet block",
                    offset,
                ),
                pcapng::SPB => {
                    let snaplen = match section.interfaces.first() {
                        Some(Some(i)) => i.snaplen,
                        _ => 0,
                    };
                    let fields = pcapng::parse_spb(body, order, snaplen);
                    packet_block(section, fields, "simple packet block", offset)
                }
                pcapdroid::CUSTOM_BLOCK | pcapdroid::CUSTOM_BLOCK_NO_COPY => {
                    match pcapng::parse_custom(body, order) {
                        Ok(Some(map)) => {
                            self.apps.learn_map(map.uid, map.package, map.app_name);
                            BlockOutcome::Skip
                        }
                        Ok(None) => BlockOutcome::Skip,
                        Err(why) => BlockOutcome::Warn(format!(
                            "PCAPdroid custom block at offset {offset} is damaged ({why}); skipped"
                        )),
                    }
                }
                _ => BlockOutcome::Skip,
            }
        };
        self.input.consume(len);
        match step {
            BlockOutcome::Skip => Ok(Step::Skipped),
            BlockOutcome::Warn(message) => {
                self.warn(offset, message);
                Ok(Step::Skipped)
            }
            BlockOutcome::Packet {
                fields,
                ts,
                linktype,
                warning,
            } => {
                if let Some(message) = warning {
                    self.warn(offset, message);
                }
                if let Kind::PcapNg(section) = &mut self.kind {
                    section.last_ts = ts;
                }
                Ok(Step::Packet(Found {
                    ts,
                    linktype,
                    start: block_start + 8 + fields.data_start,
                    len: fields.data_len,
                    orig_len: fields.orig_len,
                    offset,
                    pcapdroid_uid: fields.pcapdroid_uid,
                }))
            }
        }
    }
}

/// What a pcapng block amounts to.
enum BlockOutcome {
    Skip,
    Warn(String),
    Packet {
        fields: pcapng::PacketFields,
        ts: Timestamp,
        linktype: u32,
        /// A problem that did not cost the packet (damaged options).
        warning: Option<String>,
    },
}

/// A Section Header Block: a new byte order, no interfaces yet.
fn section_header(section: &mut Section, body: &[u8], order: Endian, offset: u64) -> BlockOutcome {
    section.order = order;
    section.interfaces.clear();
    match pcapng::section_version(body, order) {
        Some((1, _)) => {
            section.readable = true;
            BlockOutcome::Skip
        }
        Some((major, minor)) => {
            section.readable = false;
            BlockOutcome::Warn(format!(
                "section at offset {offset} has unsupported pcapng version {major}.{minor}; its blocks are skipped"
            ))
        }
        None => {
            section.readable = false;
            BlockOutcome::Warn(format!(
                "section header block at offset {offset} is too short; its section is skipped"
            ))
        }
    }
}

fn interface_description(
    section: &mut Section,
    body: &[u8],
    order: Endian,
    offset: u64,
) -> BlockOutcome {
    if section.interfaces.len() >= pcapng::MAX_INTERFACES {
        return BlockOutcome::Warn(format!(
            "interface description block at offset {offset}: more than {} interfaces in one section; ignored",
            pcapng::MAX_INTERFACES
        ));
    }
    let id = section.interfaces.len();
    match pcapng::parse_idb(body, order) {
        Some((interface, ok)) => {
            section.interfaces.push(Some(interface));
            if ok {
                BlockOutcome::Skip
            } else {
                BlockOutcome::Warn(format!(
                    "interface description block at offset {offset} (interface {id}) has damaged options; timestamps may be wrong"
                ))
            }
        }
        None => {
            section.interfaces.push(None);
            BlockOutcome::Warn(format!(
                "interface description block at offset {offset} (interface {id}) is too short; packets on it are skipped"
            ))
        }
    }
}

fn packet_block(
    section: &Section,
    fields: Result<pcapng::PacketFields, pcapng::BodyError>,
    what: &str,
    offset: u64,
) -> BlockOutcome {
    let fields = match fields {
        Ok(f) => f,
        Err(why) => {
            return BlockOutcome::Warn(format!(
                "{what} at offset {offset} is damaged ({why}); skipped"
            ));
        }
    };
    let id = fields.interface_id;
    let interface = usize::try_from(id)
        .ok()
        .and_then(|i| section.interfaces.get(i));
    let Some(Some(interface)) = interface else {
        let why = if interface.is_some() {
            "a damaged"
        } else {
            "an unknown"
        };
        return BlockOutcome::Warn(format!(
            "{what} at offset {offset} refers to {why} interface {id}; skipped"
        ));
    };
    // Simple packet blocks carry no timestamp: they get the last one seen.
    let ts = fields
        .ticks
        .map_or(section.last_ts, |t| interface.timestamp(t));
    let warning =
        (!fields.options_ok).then(|| format!("{what} at offset {offset} has damaged options"));
    BlockOutcome::Packet {
        fields,
        ts,
        linktype: interface.linktype,
        warning,
    }
}

/// Apps by uid, in the order they were first learned.
#[derive(Default)]
struct Apps {
    list: Vec<AppInfo>,
    by_uid: HashMap<i32, usize>,
}

impl Apps {
    fn entry(&mut self, uid: i32) -> Option<&mut AppInfo> {
        let index = *self.by_uid.entry(uid).or_insert_with(|| {
            self.list.push(AppInfo {
                uid,
                package: None,
                name: None,
            });
            self.list.len() - 1
        });
        self.list.get_mut(index)
    }

    /// A UID map block: authoritative, replaces what was known.
    fn learn_map(&mut self, uid: i32, package: &[u8], name: &[u8]) {
        if let Some(app) = self.entry(uid) {
            app.package = (!package.is_empty()).then(|| pcapdroid::text(package));
            app.name = (!name.is_empty()).then(|| pcapdroid::text(name));
        }
    }

    /// A trailer's truncated app name: only when no name is known (the common case, a known
    /// uid, costs one hash lookup).
    fn learn_trailer_name(&mut self, uid: i32, name: &[u8]) {
        if name.is_empty() {
            return;
        }
        if let Some(&index) = self.by_uid.get(&uid)
            && self.list.get(index).is_some_and(|a| a.name.is_some())
        {
            return;
        }
        if let Some(app) = self.entry(uid) {
            app.name = Some(pcapdroid::text(name));
        }
    }
}

/// The file, read through one reusable buffer. `buf[start..end]` holds bytes read but not yet
/// consumed; `pos` is the file offset of `buf[start]`.
struct Input<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    pos: u64,
}

impl<R: Read> Input<R> {
    fn new(inner: R) -> Self {
        Input {
            inner,
            buf: vec![0; BUFFER_LEN],
            start: 0,
            end: 0,
            pos: 0,
        }
    }

    /// Unconsumed bytes.
    fn window(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    /// `len` bytes at absolute buffer position `start`.
    fn slice(&self, start: usize, len: usize) -> &[u8] {
        start
            .checked_add(len)
            .and_then(|end| self.buf.get(start..end))
            .unwrap_or_default()
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        self.start += n;
        self.pos += n as u64;
    }

    /// Makes at least `n` unconsumed bytes available; false when the input ends first. The
    /// caller bounds `n` (a capped block or record length); the buffer grows only as data arrives,
    /// so a lying length in a short file costs no memory.
    fn fill(&mut self, n: usize) -> std::io::Result<bool> {
        if self.end - self.start >= n {
            return Ok(true);
        }
        if self.buf.len() - self.start < n {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            // Give back what one huge block made the buffer grow to.
            if self.buf.len() > BUFFER_LEN && n.max(self.end) <= BUFFER_LEN {
                self.buf.truncate(BUFFER_LEN);
                self.buf.shrink_to_fit();
            }
        }
        while self.end - self.start < n {
            if self.end == self.buf.len() {
                // Only reached when n > buf.len(), after compaction: grow geometrically.
                let grown = self.buf.len().saturating_mul(2).min(n).max(self.end + 1);
                self.buf.resize(grown, 0);
            }
            let Some(free) = self.buf.get_mut(self.end..) else {
                return Ok(false);
            };
            match self.inner.read(free) {
                Ok(0) => return Ok(false),
                Ok(k) => self.end += k,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pcapdroid::tests::trailer_frame;
    use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
    use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
    use pcap_file::pcapng::blocks::interface_description::{
        InterfaceDescriptionBlock, InterfaceDescriptionOption,
    };
    use pcap_file::pcapng::blocks::section_header::SectionHeaderBlock;
    use pcap_file::pcapng::blocks::simple_packet::SimplePacketBlock;
    use pcap_file::pcapng::blocks::unknown::UnknownBlock;
    use pcap_file::pcapng::{Block, PcapNgReader, PcapNgWriter};
    use pcap_file::{DataLink, Endianness, TsResolution};
    use std::borrow::Cow;
    use std::time::Duration;

    /// A packet as the reader yields it, owned.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Got {
        ts: i64,
        linktype: u32,
        data: Vec<u8>,
        orig_len: u32,
        offset: u64,
        uid: Option<i32>,
    }

    struct Read_ {
        packets: Vec<Got>,
        warnings: Vec<Warning>,
        apps: Vec<AppInfo>,
        position: u64,
    }

    fn read_from(reader: impl Read) -> Result<Read_, CaptureError> {
        let mut r = CaptureReader::new(reader)?;
        let mut packets = Vec::new();
        while let Some(p) = r.next_packet()? {
            packets.push(Got {
                ts: p.ts.as_nanos(),
                linktype: p.linktype,
                data: p.data.to_vec(),
                orig_len: p.orig_len,
                offset: p.offset,
                uid: p.uid,
            });
        }
        // Reading stays finished.
        assert!(r.next_packet()?.is_none());
        Ok(Read_ {
            packets,
            warnings: r.warnings().to_vec(),
            apps: r.apps().cloned().collect(),
            position: r.position(),
        })
    }

    fn read(bytes: &[u8]) -> Read_ {
        let all = read_from(bytes).expect("readable");
        // Reading through one-byte reads gives the same.
        let slow = read_from(OneByte(bytes)).expect("readable");
        assert_eq!(all.packets, slow.packets);
        assert_eq!(all.warnings, slow.warnings);
        all
    }

    /// A reader that hands out one byte per call.
    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((&b, rest)), Some(slot)) => {
                    *slot = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// Deterministic packet bytes of a given length, starting like an IPv4 header.
    fn bytes_of(len: usize, seed: usize) -> Vec<u8> {
        (0..len)
            .map(|i| {
                if i == 0 {
                    0x45
                } else {
                    (i * 31 + seed * 7) as u8
                }
            })
            .collect()
    }

    fn pcap_file_with(
        endianness: Endianness,
        res: TsResolution,
        datalink: u32,
        n: usize,
    ) -> Vec<u8> {
        let header = PcapHeader {
            version_major: 2,
            version_minor: 4,
            ts_correction: 0,
            ts_accuracy: 0,
            snaplen: 65535,
            datalink: DataLink::from(datalink),
            ts_resolution: res,
            endianness,
        };
        let mut w = PcapWriter::with_header(Vec::new(), header).unwrap();
        for i in 0..n {
            let data = bytes_of((i * 37) % 300, i);
            let ts = Duration::new(
                1_700_000_000 + i as u64,
                (i as u64 * 123_457_000 % 1_000_000_000) as u32,
            );
            let orig = data.len() as u32 + (i as u32 % 3) * 100;
            w.write_packet(&PcapPacket::new(ts, orig, &data)).unwrap();
        }
        w.into_writer()
    }

    #[test]
    fn pcap_matches_pcap_file_in_every_variant() {
        for endianness in [Endianness::Big, Endianness::Little] {
            for res in [TsResolution::MicroSecond, TsResolution::NanoSecond] {
                for linktype in [1, 101, 113] {
                    let file = pcap_file_with(endianness, res, linktype, 40);
                    let got = read(&file);
                    assert!(got.warnings.is_empty());
                    assert_eq!(got.position, file.len() as u64);
                    let mut reference = PcapReader::new(&file[..]).unwrap();
                    let mut offset = 24u64;
                    for g in &got.packets {
                        let p = reference.next_packet().unwrap().unwrap();
                        assert_eq!(g.ts, p.timestamp.as_nanos() as i64);
                        assert_eq!(g.data, &p.data[..]);
                        assert_eq!(g.orig_len, p.orig_len);
                        assert_eq!(g.linktype, linktype);
                        assert_eq!(g.offset, offset);
                        assert_eq!(g.uid, None);
                        offset += 16 + g.data.len() as u64;
                    }
                    assert!(reference.next_packet().is_none());
                    assert_eq!(got.packets.len(), 40);
                    let r = CaptureReader::new(&file[..]).unwrap();
                    assert_eq!(
                        r.format(),
                        Format::Pcap {
                            nanos: res == TsResolution::NanoSecond,
                            big_endian: endianness == Endianness::Big,
                        }
                    );
                }
            }
        }
    }

    /// A pcap file header and records, written by hand.
    fn pcap_bytes(
        big: bool,
        nanos: bool,
        linktype: u32,
        snaplen: u32,
        records: &[(u32, u32, &[u8], u32)],
    ) -> Vec<u8> {
        let w32 = |v: u32| {
            if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let w16 = |v: u16| {
            if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut f = Vec::new();
        f.extend_from_slice(&w32(if nanos { 0xA1B2_3C4D } else { 0xA1B2_C3D4 }));
        f.extend_from_slice(&w16(2));
        f.extend_from_slice(&w16(4));
        f.extend_from_slice(&[0; 8]);
        f.extend_from_slice(&w32(snaplen));
        f.extend_from_slice(&w32(linktype));
        for &(secs, frac, data, orig) in records {
            f.extend_from_slice(&w32(secs));
            f.extend_from_slice(&w32(frac));
            f.extend_from_slice(&w32(data.len() as u32));
            f.extend_from_slice(&w32(orig));
            f.extend_from_slice(data);
        }
        f
    }

    #[test]
    fn pcap_byte_exact() {
        let file: &[u8] = &[
            0xD4, 0xC3, 0xB2, 0xA1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0,
            0, // magic, version
            0xFF, 0xFF, 0x00, 0x00, 0x65, 0x00, 0x00, 0x00, // snaplen 65535, LINKTYPE_RAW
            0x00, 0xF1, 0x53, 0x65, 0x40, 0xE2, 0x01, 0x00, // 1_700_000_000 s, 123_456 us
            0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, // incl 2, orig 5
            0x45, 0x00,
        ];
        let got = read(file);
        assert_eq!(
            got.packets,
            vec![Got {
                ts: 1_700_000_000_123_456_000,
                linktype: 101,
                data: vec![0x45, 0x00],
                orig_len: 5,
                offset: 24,
                uid: None,
            }]
        );
        let be = pcap_bytes(
            true,
            true,
            229,
            100,
            &[(7, 999_999_999, &[0x60], 1), (8, 1, &[], 0)],
        );
        let got = read(&be);
        assert_eq!(got.packets.len(), 2);
        assert_eq!(got.packets[0].ts, 7_999_999_999);
        assert_eq!(got.packets[1].ts, 8_000_000_001);
        assert_eq!(got.packets[1].offset, 24 + 17);
        assert_eq!(got.packets[0].linktype, 229);
    }

    #[test]
    fn pcap_linktype_fcs_bits_are_masked() {
        let file = pcap_bytes(false, false, 0x2400_0001, 65535, &[(1, 0, &[1, 2, 3], 3)]);
        assert_eq!(read(&file).packets[0].linktype, 1);
    }

    #[test]
    fn pcap_impossible_length_stops_with_a_warning() {
        let mut file = pcap_bytes(
            false,
            false,
            101,
            65535,
            &[(1, 0, &[0x45; 20], 20), (2, 0, &[0x45; 4], 4)],
        );
        let second = 24 + 16 + 20;
        file[second + 8..second + 12].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
        let got = read(&file);
        assert_eq!(got.packets.len(), 1);
        assert_eq!(got.warnings.len(), 1);
        assert_eq!(got.warnings[0].offset, second as u64);
        assert!(
            got.warnings[0].message.contains("reading stops"),
            "{}",
            got.warnings[0]
        );
        assert_eq!(got.position, second as u64);
    }

    #[test]
    fn records_larger_than_the_buffer() {
        let big = bytes_of(3 << 20, 1);
        let file = pcap_bytes(
            true,
            false,
            101,
            8 << 20,
            &[
                (1, 0, &[0x45; 10], 10),
                (2, 0, &big, 3 << 20),
                (3, 0, &[0x60; 3], 3),
            ],
        );
        let got = read(&file);
        assert!(got.warnings.is_empty());
        assert_eq!(got.packets.len(), 3);
        assert_eq!(got.packets[1].data, big);
        assert_eq!(got.packets[2].data, [0x60; 3]);

        let mut ng = Ng::new(false);
        ng.idb(101, 0, &[]);
        ng.epb(0, 1, &big, &[]);
        ng.epb(0, 2, &[0x45; 7], &[]);
        let got = read(&ng.out);
        assert!(got.warnings.is_empty());
        assert_eq!(got.packets.len(), 2);
        assert_eq!(got.packets[0].data, big);
    }

    #[test]
    fn pcap_truncated_at_every_offset() {
        let records: Vec<(u32, u32, Vec<u8>, u32)> = (0..5)
            .map(|i| (i, i * 10, bytes_of(i as usize * 7 + 1, 0), 100))
            .collect();
        let refs: Vec<(u32, u32, &[u8], u32)> = records
            .iter()
            .map(|(a, b, d, o)| (*a, *b, &d[..], *o))
            .collect();
        let file = pcap_bytes(false, false, 101, 65535, &refs);
        let full = read(&file).packets;
        // Start offsets of records, and the end of the file.
        let mut bounds: Vec<usize> = full.iter().map(|p| p.offset as usize).collect();
        bounds.push(file.len());
        for cut in 0..=file.len() {
            let result = read_from(&file[..cut]);
            if cut < 24 {
                assert!(
                    matches!(result, Err(CaptureError::NotACapture { .. })),
                    "cut {cut}"
                );
                continue;
            }
            let got = result.unwrap();
            let complete: Vec<Got> = full
                .iter()
                .filter(|p| p.offset as usize + 16 + p.data.len() <= cut)
                .cloned()
                .collect();
            assert_eq!(got.packets, complete, "cut {cut}");
            if bounds.contains(&cut) || cut == 24 {
                assert!(got.warnings.is_empty(), "cut {cut}: {:?}", got.warnings);
            } else {
                let start = *bounds.iter().filter(|&&b| b <= cut).max().unwrap();
                assert_eq!(
                    got.warnings,
                    vec![Warning {
                        offset: start as u64,
                        message: format!("file ends inside a record at offset {start}"),
                    }],
                    "cut {cut}"
                );
            }
        }
    }

    /// A hand-made pcapng writer for the byte-level tests.
    struct Ng {
        out: Vec<u8>,
        big: bool,
        /// Offsets of the blocks written.
        offsets: Vec<u64>,
    }

    impl Ng {
        fn new(big: bool) -> Self {
            let mut ng = Ng {
                out: Vec::new(),
                big,
                offsets: Vec::new(),
            };
            ng.shb(big, 1);
            ng
        }

        fn w16(&self, v: u16) -> [u8; 2] {
            if self.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        }

        fn w32(&self, v: u32) -> [u8; 4] {
            if self.big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        }

        fn block(&mut self, block_type: u32, body: &[u8]) -> u64 {
            let offset = self.out.len() as u64;
            let mut body = body.to_vec();
            while !body.len().is_multiple_of(4) {
                body.push(0);
            }
            let len = body.len() as u32 + 12;
            let (t, l) = (self.w32(block_type), self.w32(len));
            self.out.extend_from_slice(&t);
            self.out.extend_from_slice(&l);
            self.out.extend_from_slice(&body);
            self.out.extend_from_slice(&l);
            self.offsets.push(offset);
            offset
        }

        fn options(&self, list: &[(u16, &[u8])]) -> Vec<u8> {
            let mut v = Vec::new();
            if list.is_empty() {
                return v;
            }
            for (code, value) in list {
                v.extend_from_slice(&self.w16(*code));
                v.extend_from_slice(&self.w16(value.len() as u16));
                v.extend_from_slice(value);
                while !v.len().is_multiple_of(4) {
                    v.push(0);
                }
            }
            v.extend_from_slice(&[0; 4]);
            v
        }

        fn shb(&mut self, big: bool, major: u16) -> u64 {
            self.big = big;
            let mut body = self.w32(0x1A2B_3C4D).to_vec();
            body.extend_from_slice(&self.w16(major));
            body.extend_from_slice(&self.w16(0));
            body.extend_from_slice(&[0xFF; 8]);
            body.extend(self.options(&[(3, b"Linux"), (4, b"telltale tests")]));
            self.block(pcapng::SHB, &body)
        }

        fn idb(&mut self, linktype: u16, snaplen: u32, options: &[(u16, &[u8])]) -> u64 {
            let mut body = self.w16(linktype).to_vec();
            body.extend_from_slice(&[0, 0]);
            body.extend_from_slice(&self.w32(snaplen));
            body.extend(self.options(options));
            self.block(pcapng::IDB, &body)
        }

        fn epb_full(
            &mut self,
            iface: u32,
            ticks: u64,
            data: &[u8],
            orig: u32,
            options: &[(u16, &[u8])],
        ) -> u64 {
            let mut body = self.w32(iface).to_vec();
            body.extend_from_slice(&self.w32((ticks >> 32) as u32));
            body.extend_from_slice(&self.w32(ticks as u32));
            body.extend_from_slice(&self.w32(data.len() as u32));
            body.extend_from_slice(&self.w32(orig));
            body.extend_from_slice(data);
            while !body.len().is_multiple_of(4) {
                body.push(0);
            }
            body.extend(self.options(options));
            self.block(pcapng::EPB, &body)
        }

        fn epb(&mut self, iface: u32, ticks: u64, data: &[u8], options: &[(u16, &[u8])]) -> u64 {
            self.epb_full(iface, ticks, data, data.len() as u32, options)
        }

        fn spb(&mut self, data: &[u8], orig: u32) -> u64 {
            let mut body = self.w32(orig).to_vec();
            body.extend_from_slice(data);
            self.block(pcapng::SPB, &body)
        }

        fn pb(&mut self, iface: u16, ticks: u64, data: &[u8]) -> u64 {
            let mut body = self.w16(iface).to_vec();
            body.extend_from_slice(&self.w16(0));
            body.extend_from_slice(&self.w32((ticks >> 32) as u32));
            body.extend_from_slice(&self.w32(ticks as u32));
            body.extend_from_slice(&self.w32(data.len() as u32));
            body.extend_from_slice(&self.w32(data.len() as u32));
            body.extend_from_slice(data);
            self.block(pcapng::PB, &body)
        }

        /// PCAPdroid's UID map custom block.
        fn uid_map(&mut self, block_type: u32, uid: i32, package: &[u8], app: &[u8]) -> u64 {
            let mut body = self.w32(pcapdroid::PEN).to_vec();
            body.extend_from_slice(&self.w16(1));
            body.extend_from_slice(&[1, 0]);
            body.extend_from_slice(&self.w32(uid as u32));
            body.extend_from_slice(&[package.len() as u8, app.len() as u8]);
            body.extend_from_slice(package);
            body.extend_from_slice(app);
            self.block(block_type, &body)
        }
    }

    #[test]
    fn pcapng_byte_exact() {
        // SHB (no options), IDB (raw IP, tsresol 9), EPB with 3 data bytes and a comment.
        let le: &[u8] = &[
            0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 28, 0, 0, 0, // SHB
            1, 0, 0, 0, 28, 0, 0, 0, 101, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 0, 9, 0, 0, 0, 28, 0, 0,
            0, // IDB
            6, 0, 0, 0, 52, 0, 0, 0, 0, 0, 0, 0, 0x17, 0x97, 0x97, 0x17, 0x15, 0xCD, 0x5B, 0x07, 3,
            0, 0, 0, 9, 0, 0, 0, 0x45, 1, 2, 0, 1, 0, 6, 0, b'u', b'-', b'1', b'0', b'0', b'0', 0,
            0, 0, 0, 0, 0, 52, 0, 0, 0, // EPB
        ];
        let got = read(le);
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(
            got.packets,
            vec![Got {
                ts: 0x1797_9717_075B_CD15,
                linktype: 101,
                data: vec![0x45, 1, 2],
                orig_len: 9,
                offset: 56,
                uid: Some(1000),
            }]
        );
        assert_eq!(got.position, le.len() as u64);
        assert_eq!(CaptureReader::new(le).unwrap().format(), Format::PcapNg);
        // The same file big-endian.
        let be: Vec<u8> = le
            .chunks(4)
            .enumerate()
            .flat_map(|(i, w)| {
                let mut w = w.to_vec();
                // Every word is reversed except raw bytes (tsresol value at 48, packet data at
                // 84, comment text at 92..100) and pairs of 16-bit fields (versions at 12, link
                // type at 36, option headers at 44 and 88).
                let at = i * 4;
                let halves = matches!(at, 12 | 36 | 44 | 88);
                let raw = matches!(at, 48 | 84 | 92 | 96);
                if halves {
                    w.swap(0, 1);
                    w.swap(2, 3);
                } else if !raw {
                    w.reverse();
                }
                w
            })
            .collect();
        let got_be = read(&be);
        assert!(got_be.warnings.is_empty(), "{:?}", got_be.warnings);
        assert_eq!(got_be.packets, got.packets);
    }

    #[test]
    fn pcapng_sections_interfaces_and_resolutions() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[]); // microseconds by default
        ng.idb(101, 0, &[(9, &[9]), (2, b"tun0")]);
        ng.idb(113, 0, &[(9, &[0x80 | 20]), (14, &100i64.to_le_bytes())]);
        ng.epb(0, 1_700_000_000_000_001, &bytes_of(60, 1), &[]);
        ng.epb(1, 1_700_000_000_000_000_002, &bytes_of(61, 2), &[]);
        ng.epb(2, 5 << 20, &bytes_of(62, 3), &[]);
        ng.block(0x0000_0099, &[1, 2, 3, 4]); // unknown: skipped silently
        ng.block(5, &[0; 12]); // interface statistics: skipped
        ng.spb(&bytes_of(10, 4), 10); // interface 0, last timestamp
        let second = ng.shb(true, 1);
        ng.idb(101, 0, &[(9, &[3])]);
        ng.idb(1, 4, &[(14, &(-10i64).to_be_bytes())]);
        ng.epb(1, 20_000_000, &bytes_of(40, 5), &[]);
        ng.epb(0, 1_500, &bytes_of(41, 6), &[]);
        ng.pb(1, 30_000_000, &bytes_of(42, 7));
        ng.spb(&bytes_of(9, 8), 9); // interface 0 of this section; not limited by interface 1
        let got = read(&ng.out);
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let summary: Vec<(i64, u32, usize, u64)> = got
            .packets
            .iter()
            .map(|p| (p.ts, p.linktype, p.data.len(), p.offset))
            .collect();
        let o = &ng.offsets;
        assert_eq!(
            summary,
            vec![
                (1_700_000_000_000_001_000, 1, 60, o[4]),
                (1_700_000_000_000_000_002, 101, 61, o[5]),
                (105_000_000_000, 113, 62, o[6]),
                (105_000_000_000, 1, 10, o[9]),
                (10_000_000_000, 1, 40, o[13]),
                (1_500_000_000, 101, 41, o[14]),
                (20_000_000_000, 1, 42, o[15]),
                (20_000_000_000, 101, 9, o[16]),
            ]
        );
        assert_eq!(o[10], second);

        // pcap-file 2.0 reads the same blocks (it reports raw ticks, without if_tsresol).
        let mut reference = PcapNgReader::new(&ng.out[..]).unwrap();
        let mut ours = got.packets.iter();
        while let Some(block) = reference.next_block() {
            let (data, orig) = match block.unwrap() {
                Block::EnhancedPacket(b) => (b.data.to_vec(), b.original_len),
                Block::Packet(b) => (b.data.to_vec(), b.original_len),
                Block::SimplePacket(b) => {
                    let n = b.original_len as usize;
                    (b.data[..n].to_vec(), b.original_len)
                }
                _ => continue,
            };
            let p = ours.next().unwrap();
            assert_eq!((&p.data, p.orig_len), (&data, orig));
        }
        assert!(ours.next().is_none());
    }

    #[test]
    fn pcapng_written_by_pcap_file() {
        for endianness in [Endianness::Big, Endianness::Little] {
            let section = SectionHeaderBlock {
                endianness,
                ..Default::default()
            };
            let mut w = PcapNgWriter::with_section_header(Vec::new(), section).unwrap();
            for (linktype, tsresol) in [(1u32, 6u8), (101, 9), (276, 3)] {
                w.write_pcapng_block(InterfaceDescriptionBlock {
                    linktype: DataLink::from(linktype),
                    snaplen: 0,
                    options: vec![InterfaceDescriptionOption::IfTsResol(tsresol)],
                })
                .unwrap();
            }
            let mut offsets = Vec::new();
            for i in 0..30u32 {
                let data = bytes_of(i as usize * 13 % 200, i as usize);
                let comment = format!("u-{}", 10_000 + i);
                offsets.push(w.get_ref().len() as u64);
                w.write_pcapng_block(EnhancedPacketBlock {
                    interface_id: i % 3,
                    timestamp: Duration::from_nanos(1_000_000 * u64::from(i) + 7),
                    original_len: data.len() as u32 + i,
                    data: Cow::Owned(data),
                    options: vec![EnhancedPacketOption::Comment(Cow::Owned(comment))],
                })
                .unwrap();
            }
            offsets.push(w.get_ref().len() as u64);
            w.write_pcapng_block(SimplePacketBlock {
                original_len: 3,
                data: Cow::Borrowed(&[1, 2, 3]),
            })
            .unwrap();
            w.write_pcapng_block(UnknownBlock::new(0x0000_0BAD, 0, &[0; 8]))
                .unwrap();
            let file = w.into_inner();
            let got = read(&file);
            assert!(got.warnings.is_empty(), "{:?}", got.warnings);
            assert_eq!(got.packets.len(), 31);
            let mut reference = PcapNgReader::new(&file[..]).unwrap();
            let mut i = 0;
            while let Some(block) = reference.next_block() {
                let Block::EnhancedPacket(b) = block.unwrap() else {
                    continue;
                };
                let p = &got.packets[i];
                let ticks = b.timestamp.as_nanos() as i64;
                let scale = [1_000, 1, 1_000_000][i % 3];
                assert_eq!(p.ts, ticks * scale);
                assert_eq!(p.linktype, [1, 101, 276][i % 3]);
                assert_eq!((&p.data[..], p.orig_len), (&b.data[..], b.original_len));
                assert_eq!(p.uid, Some(10_000 + i as i32));
                assert_eq!(p.offset, offsets[i]);
                i += 1;
            }
            assert_eq!(i, 30);
            assert_eq!(got.packets[30].offset, offsets[30]);
            assert_eq!(got.packets[30].ts, got.packets[29].ts);
        }
    }

    #[test]
    fn pcapdroid_pcapng() {
        // As PCAPdroid writes it: raw IP, a UID map before each uid's first packet, comments.
        let mut ng = Ng::new(false);
        ng.idb(101, 65535, &[]);
        ng.uid_map(
            pcapdroid::CUSTOM_BLOCK,
            10123,
            b"com.tencent.mm",
            "微信".as_bytes(),
        );
        ng.epb(
            0,
            1,
            &bytes_of(40, 1),
            &[(2, &2u32.to_le_bytes()), (1, b"u-10123")],
        );
        ng.uid_map(
            pcapdroid::CUSTOM_BLOCK_NO_COPY,
            1000,
            b"android",
            b"Android System",
        );
        ng.epb(0, 2, &bytes_of(41, 2), &[(1, b"u-1000")]);
        ng.epb(0, 3, &bytes_of(42, 3), &[(1, b"u--1")]);
        ng.epb(0, 4, &bytes_of(43, 4), &[(1, b"just a note")]);
        ng.epb(0, 5, &bytes_of(44, 5), &[]);
        // Somebody else's custom block, and a PCAPdroid block of an unknown kind.
        let mut other = 32473u32.to_le_bytes().to_vec();
        other.extend_from_slice(b"data");
        ng.block(pcapdroid::CUSTOM_BLOCK, &other);
        let mut kind9 = pcapdroid::PEN.to_le_bytes().to_vec();
        kind9.extend_from_slice(&[1, 0, 9, 0, 1, 2, 3, 4]);
        ng.block(pcapdroid::CUSTOM_BLOCK, &kind9);
        // A damaged UID map: the app name runs past the block.
        let mut damaged = pcapdroid::PEN.to_le_bytes().to_vec();
        damaged.extend_from_slice(&[1, 0, 1, 0, 7, 0, 0, 0, 3, 200, b'a', b'b', b'c']);
        let bad_at = ng.block(pcapdroid::CUSTOM_BLOCK, &damaged);
        // The second map for a uid replaces the first.
        ng.uid_map(pcapdroid::CUSTOM_BLOCK, 1000, b"android", b"");
        ng.epb(0, 6, &bytes_of(45, 6), &[(1, b"u-1000")]);
        let got = read(&ng.out);
        let uids: Vec<Option<i32>> = got.packets.iter().map(|p| p.uid).collect();
        assert_eq!(
            uids,
            vec![Some(10123), Some(1000), None, None, None, Some(1000)]
        );
        assert_eq!(
            got.apps,
            vec![
                AppInfo {
                    uid: 10123,
                    package: Some("com.tencent.mm".into()),
                    name: Some("微信".into())
                },
                AppInfo {
                    uid: 1000,
                    package: Some("android".into()),
                    name: None
                },
            ]
        );
        assert_eq!(got.warnings.len(), 1);
        assert_eq!(got.warnings[0].offset, bad_at);
        assert!(
            got.warnings[0]
                .message
                .contains("app name runs past the block")
        );
    }

    #[test]
    fn pcapdroid_trailer_pcap() {
        let ip4 = bytes_of(33, 1);
        let mut ip6 = bytes_of(48, 2);
        ip6[0] = 0x60;
        let wechat = trailer_frame(&ip4, 10123, b"WeChat");
        let long = trailer_frame(&ip6, 10200, "某某某某某某某".as_bytes());
        let unknown = trailer_frame(&ip4, -1, b"");
        let mut bad_crc = trailer_frame(&ip4, 10300, b"Bad");
        let n = bad_crc.len();
        bad_crc[n - 1] ^= 1;
        let mut plain = vec![0u8; 12];
        plain.extend_from_slice(&[0x08, 0x00]);
        plain.extend_from_slice(&ip4);
        let file = pcap_bytes(
            false,
            false,
            1,
            65535,
            &[
                (1, 0, &wechat, wechat.len() as u32),
                (2, 0, &long, long.len() as u32),
                (3, 0, &unknown, unknown.len() as u32),
                (4, 0, &bad_crc, bad_crc.len() as u32),
                (5, 0, &plain, plain.len() as u32),
                (6, 0, &wechat, wechat.len() as u32),
            ],
        );
        let got = read(&file);
        assert!(got.warnings.is_empty());
        let uids: Vec<Option<i32>> = got.packets.iter().map(|p| p.uid).collect();
        assert_eq!(
            uids,
            vec![Some(10123), Some(10200), None, None, None, Some(10123)]
        );
        assert_eq!(got.packets[0].data, wechat);
        // The frame still decapsulates to the IP packet (the trailer follows it).
        let ip =
            telltale_wire::link::ip_payload(got.packets[0].linktype, &got.packets[0].data).unwrap();
        assert!(ip.starts_with(&ip4));
        // 20 bytes hold six 3-byte characters and two bytes of a seventh, which are dropped.
        assert_eq!(
            got.apps,
            vec![
                AppInfo {
                    uid: 10123,
                    package: None,
                    name: Some("WeChat".into())
                },
                AppInfo {
                    uid: 10200,
                    package: None,
                    name: Some("某某某某某某".into())
                },
            ]
        );
        // Only Ethernet frames carry the trailer.
        let raw = pcap_bytes(
            false,
            false,
            101,
            65535,
            &[(1, 0, &wechat, wechat.len() as u32)],
        );
        assert_eq!(read(&raw).packets[0].uid, None);
        // In pcapng (a converted PCAPdroid pcap), a trailer counts when no comment says otherwise;
        // a UID map's names win over the trailer's.
        let mut ng = Ng::new(true);
        ng.idb(1, 0, &[]);
        ng.uid_map(
            pcapdroid::CUSTOM_BLOCK,
            10123,
            b"com.tencent.mm",
            b"WeChat Full Name",
        );
        ng.epb(0, 1, &wechat, &[]);
        ng.epb(0, 1, &wechat, &[(1, b"u--1")]);
        let got = read(&ng.out);
        assert_eq!(
            got.packets.iter().map(|p| p.uid).collect::<Vec<_>>(),
            vec![Some(10123), None]
        );
        assert_eq!(got.apps[0].name.as_deref(), Some("WeChat Full Name"));
    }

    #[test]
    fn pcapng_damage() {
        let mut ng = Ng::new(false);
        ng.idb(101, 0, &[]);
        ng.epb(0, 1, &[0x45; 8], &[]);
        let unknown_iface = ng.epb(7, 2, &[0x45; 8], &[]);
        // Trailing length differs: skipped, reading goes on after it.
        let mismatch = ng.epb(0, 3, &[0x45; 8], &[]);
        let end = ng.out.len();
        ng.out[end - 4..].copy_from_slice(&99u32.to_le_bytes());
        // EPB whose captured length runs past its block.
        let overrun = ng.epb(0, 4, &[0x45; 8], &[]);
        let at = overrun as usize + 8 + 12;
        ng.out[at..at + 4].copy_from_slice(&50u32.to_le_bytes());
        // Damaged options: the packet is kept.
        let bad_opts = ng.epb(0, 5, &[0x45; 4], &[]);
        let mut body = 0u32.to_le_bytes().to_vec();
        body.extend_from_slice(&[
            0, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0x45, 0, 0, 0, 1, 0, 99, 0,
        ]);
        ng.out.truncate(bad_opts as usize);
        ng.offsets.pop();
        ng.block(pcapng::EPB, &body);
        // A damaged IDB keeps interface numbering.
        let short_idb = ng.block(pcapng::IDB, &[1, 0]);
        ng.idb(1, 0, &[]);
        let on_damaged = ng.epb(1, 6, &[0x45; 8], &[]);
        ng.epb(2, 7, &bytes_of(20, 0), &[]);
        // A section of an unknown version is skipped, the next one is read.
        let v2 = ng.shb(false, 2);
        ng.idb(101, 0, &[]);
        ng.epb(0, 8, &[0x45; 8], &[]);
        ng.shb(true, 1);
        ng.idb(101, 0, &[]);
        ng.epb(0, 9, &[0x46; 8], &[]);
        // Simple packet block in a section without interfaces.
        ng.shb(false, 1);
        let lonely_spb = ng.spb(&[0x45; 4], 4);
        // An impossible length stops reading.
        let insane = ng.out.len() as u64;
        ng.out.extend_from_slice(&6u32.to_le_bytes());
        ng.out.extend_from_slice(&13u32.to_le_bytes());
        ng.out.extend_from_slice(&[0; 40]);
        let got = read(&ng.out);
        let ticks: Vec<i64> = got.packets.iter().map(|p| p.ts / 1_000).collect();
        assert_eq!(ticks, vec![1, 5, 7, 9]);
        let offsets: Vec<u64> = got.warnings.iter().map(|w| w.offset).collect();
        assert_eq!(
            offsets,
            vec![
                unknown_iface,
                mismatch,
                overrun,
                bad_opts,
                short_idb,
                on_damaged,
                v2,
                lonely_spb,
                insane
            ],
            "{:#?}",
            got.warnings
        );
        let messages: Vec<&str> = got.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(
            messages[0].contains("unknown interface 7"),
            "{}",
            messages[0]
        );
        assert!(messages[1].contains("trailing length"), "{}", messages[1]);
        assert!(
            messages[2].contains("captured length runs past the block"),
            "{}",
            messages[2]
        );
        assert!(messages[3].contains("damaged options"), "{}", messages[3]);
        assert!(
            messages[5].contains("damaged interface 1"),
            "{}",
            messages[5]
        );
        assert!(messages[6].contains("version 2.0"), "{}", messages[6]);
        assert!(
            messages[7].contains("unknown interface 0"),
            "{}",
            messages[7]
        );
        assert!(messages[8].contains("reading stops"), "{}", messages[8]);
        assert_eq!(got.position, insane);

        // A section header with a bad byte-order magic stops reading.
        let mut ng = Ng::new(false);
        ng.idb(101, 0, &[]);
        ng.epb(0, 1, &[0x45; 8], &[]);
        let bad = ng.shb(false, 1);
        ng.out[bad as usize + 8] = 0;
        ng.idb(101, 0, &[]);
        ng.epb(0, 2, &[0x45; 8], &[]);
        let got = read(&ng.out);
        assert_eq!(got.packets.len(), 1);
        assert_eq!(got.warnings.len(), 1);
        assert_eq!(got.warnings[0].offset, bad);
        assert!(got.warnings[0].message.contains("byte-order magic"));
    }

    #[test]
    fn pcapng_truncated_at_every_offset() {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[(9, &[9])]);
        ng.epb(0, 10, &bytes_of(21, 1), &[(1, b"u-5")]);
        ng.uid_map(pcapdroid::CUSTOM_BLOCK, 5, b"p", b"n");
        ng.epb(0, 11, &bytes_of(3, 2), &[]);
        ng.shb(true, 1);
        ng.idb(101, 0, &[]);
        ng.spb(&bytes_of(6, 3), 6);
        ng.epb(0, 12, &bytes_of(1, 4), &[]);
        let file = ng.out.clone();
        let full = read(&file).packets;
        let first_block_end = ng.offsets[1] as usize;
        let mut bounds: Vec<usize> = ng.offsets.clone().into_iter().map(|o| o as usize).collect();
        bounds.push(file.len());
        for cut in 0..=file.len() {
            let result = read_from(&file[..cut]);
            if cut < first_block_end {
                assert!(
                    matches!(result, Err(CaptureError::NotACapture { .. })),
                    "cut {cut}"
                );
                continue;
            }
            let got = result.unwrap();
            let block_end = |offset: u64| {
                bounds[bounds.iter().position(|&b| b == offset as usize).unwrap() + 1]
            };
            let complete: Vec<Got> = full
                .iter()
                .filter(|p| block_end(p.offset) <= cut)
                .cloned()
                .collect();
            assert_eq!(got.packets, complete, "cut {cut}");
            if bounds.contains(&cut) {
                assert!(got.warnings.is_empty(), "cut {cut}: {:?}", got.warnings);
            } else {
                let start = *bounds.iter().filter(|&&b| b <= cut).max().unwrap();
                assert_eq!(
                    got.warnings,
                    vec![Warning {
                        offset: start as u64,
                        message: format!("file ends inside a block at offset {start}"),
                    }],
                    "cut {cut}"
                );
            }
        }
    }

    #[test]
    fn not_a_capture() {
        let reason = |bytes: &[u8]| match CaptureReader::new(bytes) {
            Err(CaptureError::NotACapture { reason }) => reason,
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("accepted"),
        };
        assert_eq!(reason(b""), "the file is empty");
        assert_eq!(reason(b"\xD4\xC3"), "the file is too short");
        assert_eq!(
            reason(b"GET / HTTP/1.1\r\n"),
            "unknown magic number 47455420"
        );
        assert_eq!(
            reason(&[0xD4, 0xC3, 0xB2, 0xA1, 2, 0]),
            "the file ends inside the pcap file header"
        );
        let mut v1 = pcap_bytes(false, false, 1, 65535, &[]);
        v1[4] = 1;
        assert_eq!(reason(&v1), "unsupported pcap version 1.4");
        let ng = Ng::new(false).out;
        let mut bom = ng.clone();
        bom[9] = 0;
        assert!(reason(&bom).contains("byte-order magic"));
        let mut v2 = ng.clone();
        v2[12] = 2;
        assert!(reason(&v2).contains("unsupported pcapng version 2.0"));
        assert!(reason(&ng[..20]).contains("file ends inside a block at offset 0"));
        let mut huge = ng.clone();
        huge[4..8].copy_from_slice(&0x7FFF_FFF0u32.to_le_bytes());
        assert!(reason(&huge).contains("impossible length"));
        // The smallest valid files have no packets and no warnings.
        let got = read(&ng);
        assert!(got.packets.is_empty() && got.warnings.is_empty());
        let got = read(&pcap_bytes(true, true, 1, 0, &[]));
        assert!(got.packets.is_empty() && got.warnings.is_empty());
    }

    #[test]
    fn io_errors_are_errors() {
        struct Failing<'a>(&'a [u8]);
        impl Read for Failing<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Err(std::io::Error::other("disk on fire"));
                }
                let n = self.0.read(buf)?;
                Ok(n)
            }
        }
        let file = pcap_file_with(Endianness::Little, TsResolution::MicroSecond, 1, 3);
        let mut r = CaptureReader::new(Failing(&file[..100])).unwrap();
        let mut packets = 0;
        let err = loop {
            match r.next_packet() {
                Ok(Some(_)) => packets += 1,
                Ok(None) => panic!("no error"),
                Err(e) => break e,
            }
        };
        assert!(matches!(err, CaptureError::Io(_)), "{err}");
        // Records of 0 and 37 bytes fit in the first 100 bytes.
        assert_eq!(packets, 2);
        assert!(matches!(
            CaptureReader::new(Failing(&[])),
            Err(CaptureError::Io(_))
        ));
    }

    #[test]
    fn warnings_are_capped() {
        let mut ng = Ng::new(false);
        for i in 0..(MAX_WARNINGS as u64 + 500) {
            ng.epb(3, i, &[0x45], &[]);
        }
        let got = read_from(&ng.out[..]).unwrap();
        assert_eq!(got.warnings.len(), MAX_WARNINGS + 1);
        assert!(got.warnings[MAX_WARNINGS].message.contains("not listed"));
    }

    #[test]
    fn input_grows_only_with_data_and_shrinks_back() {
        // A length field that lies about a short file costs no memory.
        let mut input = Input::new(&[1u8; 10][..]);
        assert!(!input.fill(200 << 20).unwrap());
        assert_eq!(input.buf.len(), BUFFER_LEN);
        assert_eq!(input.window(), &[1u8; 10]);

        let data: Vec<u8> = (0..(8usize << 20)).map(|i| i as u8).collect();
        let mut input = Input::new(&data[..]);
        assert!(input.fill(3 << 20).unwrap());
        assert!(input.buf.len() >= 3 << 20);
        assert_eq!(input.window().get(..3 << 20), data.get(..3 << 20));
        input.consume(3 << 20);
        while input.fill(100).unwrap() {
            assert_eq!(input.window().first(), data.get(input.pos as usize));
            input.consume(100);
        }
        assert_eq!(input.buf.len(), BUFFER_LEN);
        assert_eq!(input.pos, (3 << 20) + (5 << 20) / 100 * 100);
    }

    /// An IPv4 header (with its checksum) in front of `payload`.
    fn ipv4(protocol: u8, src: [u8; 4], dst: [u8; 4], payload: &[u8]) -> Vec<u8> {
        let total = 20 + payload.len() as u16;
        let mut h = vec![0x45, 0];
        h.extend_from_slice(&total.to_be_bytes());
        h.extend_from_slice(&[0x12, 0x34, 0x40, 0, 64, protocol, 0, 0]);
        h.extend_from_slice(&src);
        h.extend_from_slice(&dst);
        let sum: u32 = h
            .chunks(2)
            .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
            .sum();
        let folded = (sum & 0xFFFF) + (sum >> 16);
        let checksum = !((folded & 0xFFFF) + (folded >> 16)) as u16;
        h[10..12].copy_from_slice(&checksum.to_be_bytes());
        h.extend_from_slice(payload);
        h
    }

    /// The packets of the fixtures: a DNS query for weixin.qq.com from WeChat (uid 10123) and a
    /// TCP SYN from an app PCAPdroid could not identify, all synthetic.
    fn fixture_packets() -> Vec<(u64, Vec<u8>, i32)> {
        let device = [10, 215, 173, 1];
        let mut dns = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        dns.extend_from_slice(b"\x06weixin\x02qq\x03com\x00\x00\x01\x00\x01");
        let mut udp = 40000u16.to_be_bytes().to_vec();
        udp.extend_from_slice(&53u16.to_be_bytes());
        udp.extend_from_slice(&(8 + dns.len() as u16).to_be_bytes());
        udp.extend_from_slice(&[0, 0]);
        udp.extend_from_slice(&dns);
        let mut syn = 40001u16.to_be_bytes().to_vec();
        syn.extend_from_slice(&443u16.to_be_bytes());
        syn.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]);
        vec![
            (
                1_704_067_200_000_000,
                ipv4(17, device, [10, 215, 173, 2], &udp),
                10123,
            ),
            (
                1_704_067_200_250_000,
                ipv4(6, device, [192, 0, 2, 10], &syn),
                -1,
            ),
        ]
    }

    /// `testdata/pcapdroid.pcapng`: as PCAPdroid writes pcapng with app metadata.
    fn pcapdroid_pcapng_fixture() -> Vec<u8> {
        let mut ng = Ng::new(false);
        ng.idb(101, 65535, &[]);
        for (micros, packet, uid) in fixture_packets() {
            if uid != -1 {
                ng.uid_map(pcapdroid::CUSTOM_BLOCK, uid, b"com.tencent.mm", b"WeChat");
            }
            ng.epb(0, micros, &packet, &[(1, format!("u-{uid}").as_bytes())]);
        }
        ng.out
    }

    /// `testdata/pcapdroid-trailer.pcap`: as PCAPdroid writes pcap with its trailer.
    fn pcapdroid_trailer_fixture() -> Vec<u8> {
        let frames: Vec<(u64, Vec<u8>)> = fixture_packets()
            .into_iter()
            .map(|(micros, packet, uid)| {
                let name: &[u8] = if uid == -1 { b"" } else { b"WeChat" };
                (micros, trailer_frame(&packet, uid, name))
            })
            .collect();
        let records: Vec<(u32, u32, &[u8], u32)> = frames
            .iter()
            .map(|(us, f)| {
                (
                    (us / 1_000_000) as u32,
                    (us % 1_000_000) as u32,
                    &f[..],
                    f.len() as u32,
                )
            })
            .collect();
        pcap_bytes(false, false, 1, 65535, &records)
    }

    /// The fixtures in `testdata/` are what the builders above make (set
    /// `TELLTALE_WRITE_FIXTURES=1` to rewrite them), and read as intended.
    #[test]
    fn fixtures() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        for (name, bytes) in [
            ("pcapdroid.pcapng", pcapdroid_pcapng_fixture()),
            ("pcapdroid-trailer.pcap", pcapdroid_trailer_fixture()),
        ] {
            let path = dir.join(name);
            if std::env::var_os("TELLTALE_WRITE_FIXTURES").is_some() {
                std::fs::write(&path, &bytes).unwrap();
            }
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name}");
            let got = read(&bytes);
            assert!(got.warnings.is_empty());
            let uids: Vec<Option<i32>> = got.packets.iter().map(|p| p.uid).collect();
            assert_eq!(uids, vec![Some(10123), None], "{name}");
            let ts: Vec<i64> = got.packets.iter().map(|p| p.ts).collect();
            assert_eq!(
                ts,
                vec![1_704_067_200_000_000_000, 1_704_067_200_250_000_000]
            );
            for (p, (_, packet, _)) in got.packets.iter().zip(fixture_packets()) {
                let ip = telltale_wire::link::ip_payload(p.linktype, &p.data).unwrap();
                assert!(ip.starts_with(&packet));
            }
            let package = name
                .ends_with(".pcapng")
                .then(|| "com.tencent.mm".to_owned());
            assert_eq!(
                got.apps,
                vec![AppInfo {
                    uid: 10123,
                    package,
                    name: Some("WeChat".to_owned())
                }]
            );
        }
    }

    /// Reads a whole file from bytes, checking the reader's structural promises.
    fn read_anything(bytes: &[u8]) {
        let Ok(mut r) = CaptureReader::new(bytes) else {
            return;
        };
        let mut packets = 0usize;
        let mut last_offset = None;
        while let Ok(Some(p)) = r.next_packet() {
            packets += 1;
            // Every packet comes from a record of at least 12 bytes, later than the one before.
            assert!(packets <= bytes.len() / 12 + 1);
            assert!(last_offset < Some(p.offset));
            last_offset = Some(p.offset);
            let _ = telltale_wire::link::ip_payload(p.linktype, p.data);
        }
        assert!(r.position() <= bytes.len() as u64);
        assert!(r.warnings().len() <= MAX_WARNINGS + 1);
    }

    fn sample_files() -> Vec<Vec<u8>> {
        let mut ng = Ng::new(false);
        ng.idb(1, 0, &[(9, &[0x80 | 10]), (14, &(-3i64).to_le_bytes())]);
        ng.uid_map(pcapdroid::CUSTOM_BLOCK, 10123, b"com.tencent.mm", b"WeChat");
        ng.epb(
            0,
            1,
            &trailer_frame(&bytes_of(30, 1), 10123, b"WeChat"),
            &[(1, b"u-10123")],
        );
        ng.spb(&bytes_of(12, 2), 12);
        ng.shb(true, 1);
        ng.idb(101, 0, &[]);
        ng.pb(0, 77, &bytes_of(9, 3));
        ng.epb(0, 78, &bytes_of(9, 4), &[(1, b"u--1")]);
        let trailer = trailer_frame(&bytes_of(20, 5), 1000, b"android");
        vec![
            ng.out,
            pcap_bytes(
                false,
                true,
                1,
                65535,
                &[(1, 2, &trailer, 80), (3, 4, &bytes_of(30, 6), 30)],
            ),
            pcap_file_with(Endianness::Big, TsResolution::MicroSecond, 113, 4),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_bytes_never_panic(
            prefix in proptest::sample::select(vec![
                vec![], vec![0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0], vec![0xA1, 0xB2, 0x3C, 0x4D, 0, 2, 0, 4],
                vec![0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0],
            ]),
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
        ) {
            let mut bytes = prefix;
            bytes.extend_from_slice(&tail);
            read_anything(&bytes);
        }

        #[test]
        fn corrupted_files_never_panic(
            which in 0usize..3,
            edits in proptest::collection::vec((proptest::num::usize::ANY, proptest::num::u8::ANY), 1..8),
            cut in proptest::option::of(proptest::num::usize::ANY),
        ) {
            let mut bytes = sample_files().swap_remove(which);
            for (at, value) in edits {
                let n = bytes.len();
                bytes[at % n] = value;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut % (bytes.len() + 1));
            }
            read_anything(&bytes);
        }
    }

    /// The third-party corpus (kept outside the repository, in `../shared/captures` next to the
    /// checkout or where `TELLTALE_CAPTURES` points): every capture reads completely and agrees
    /// with `capinfos -c`.
    #[test]
    fn corpus_packet_counts() {
        let root = std::env::var_os("TELLTALE_CAPTURES").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures"),
            std::path::PathBuf::from,
        );
        if !root.is_dir() {
            println!("skipped: no capture corpus at {}", root.display());
            return;
        }
        const COUNTS: &[(&str, usize)] = &[
            ("ndpi/pcap/badpackets.pcap", 93),
            ("ndpi/pcap/codm.pcap", 13),
            ("ndpi/pcap/dingtalk.pcap", 16),
            ("ndpi/pcap/dns-invalid-chars.pcap", 2),
            ("ndpi/pcap/dns.pcap", 5),
            ("ndpi/pcap/dns_ambiguous_names.pcap", 20),
            ("ndpi/pcap/dns_fragmented.pcap", 66),
            ("ndpi/pcap/dns_long_domainname.pcap", 2),
            ("ndpi/pcap/ethereum.pcap", 2000),
            ("ndpi/pcap/fuzz-2021-06-07-c6c72a0a56.pcap", 1),
            ("ndpi/pcap/fuzz-2021-10-13.pcap", 1),
            ("ndpi/pcap/genshin-impact.pcap", 90),
            ("ndpi/pcap/google_chat.pcapng", 6),
            ("ndpi/pcap/http-lines-split.pcap", 14),
            ("ndpi/pcap/http.pcapng", 10),
            ("ndpi/pcap/http_ipv6.pcap", 193),
            ("ndpi/pcap/ip_fragmented_garbage.pcap", 1252),
            ("ndpi/pcap/ipv6_in_gtp.pcap", 2),
            ("ndpi/pcap/iqiyi.pcap", 2),
            ("ndpi/pcap/lol_wild_rift_udp.pcap", 8),
            ("ndpi/pcap/malformed_dns.pcap", 6),
            ("ndpi/pcap/malformed_icmp.pcap", 1),
            ("ndpi/pcap/netease_games.pcapng", 20),
            ("ndpi/pcap/quic-29.pcap", 15),
            ("ndpi/pcap/quic-fuzz-overflow.pcapng", 1),
            ("ndpi/pcap/quic-v2.pcapng", 19),
            ("ndpi/pcap/quic_0RTT.pcap", 17),
            (
                "ndpi/pcap/quic_frags_ch_out_of_order_same_packet_craziness.pcapng",
                179,
            ),
            ("ndpi/pcap/rtmp.pcap", 60),
            ("ndpi/pcap/sites.pcapng", 699),
            ("ndpi/pcap/tencent_games.pcap", 32),
            ("ndpi/pcap/tls-esni-fuzzed.pcap", 3),
            ("ndpi/pcap/tls_ech.pcapng", 10),
            ("ndpi/pcap/tls_missing_ch_frag.pcap", 14),
            ("ndpi/pcap/wechat.pcap", 1672),
            ("ndpi/pcap/weibo.pcap", 498),
            ("ndpi/pcap/xiaomi.pcap", 52),
            (
                "other/citizenlab-wechat-security-report/capture-logged-in-all-keys.pcapng",
                489,
            ),
        ];
        // Every capture in the corpus is listed.
        let mut on_disk = Vec::new();
        for dir in ["ndpi/pcap", "other/citizenlab-wechat-security-report"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                if name.contains(".pcap") {
                    on_disk.push(format!("{dir}/{name}"));
                }
            }
        }
        on_disk.sort();
        let mut listed: Vec<String> = COUNTS.iter().map(|(p, _)| (*p).to_owned()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);

        for &(path, count) in COUNTS {
            let file = std::fs::read(root.join(path)).unwrap();
            let mut r = CaptureReader::new(&file[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
            let (mut n, mut ip, mut shorter) = (0, 0, 0);
            let mut linktypes = std::collections::BTreeSet::new();
            while let Some(p) = r.next_packet().unwrap() {
                n += 1;
                linktypes.insert(p.linktype);
                ip += usize::from(telltale_wire::link::ip_payload(p.linktype, p.data).is_ok());
                shorter += usize::from((p.orig_len as usize) < p.data.len());
            }
            println!(
                "{path}: {n} packets, {ip} decapsulated to IP, link types {linktypes:?}, orig_len < captured: {shorter}, warnings: {:?}",
                r.warnings()
            );
            assert_eq!(n, count, "{path}");
            assert_eq!(
                r.position(),
                if path.ends_with("fuzz-2021-10-13.pcap") {
                    r.position()
                } else {
                    file.len() as u64
                },
                "{path}"
            );
            if path.ends_with("fuzz-2021-10-13.pcap") {
                assert_eq!(r.warnings().len(), 1, "{path}");
                assert!(
                    r.warnings()[0]
                        .message
                        .starts_with("file ends inside a record"),
                    "{path}"
                );
            } else {
                assert!(r.warnings().is_empty(), "{path}: {:?}", r.warnings());
            }
            assert_eq!(r.apps().count(), 0, "{path}");

            // pcap files: pcap-file 2.0 reads the same records (it rejects records longer than
            // the snap length, so compare only while it agrees the file is sound).
            if !file.starts_with(&[0x0A, 0x0D, 0x0D, 0x0A]) {
                let mut reference = PcapReader::new(&file[..]).unwrap();
                let mut ours = CaptureReader::new(&file[..]).unwrap();
                while let Some(Ok(p)) = reference.next_packet() {
                    let q = ours.next_packet().unwrap().unwrap();
                    assert_eq!(q.data, &p.data[..], "{path}");
                    assert_eq!(q.orig_len, p.orig_len, "{path}");
                    assert_eq!(q.ts.as_nanos(), p.timestamp.as_nanos() as i64, "{path}");
                }
            }
        }
    }
}
