//! Reading and writing packet captures (pcap, pcapng) for Telltale, with PCAPdroid's per-packet
//! app metadata.
//!
//! [`CaptureReader`] reads either format from any [`std::io::Read`], hands out zero-copy
//! [`Packet`]s, and collects what it learns about apps ([`AppInfo`]) and what it found damaged
//! ([`Warning`]). Link-layer decapsulation of the packets is `telltale_wire::link::ip_payload`.
//!
//! [`PcapngWriter`] records raw IP packets as pcapng into any [`std::io::Write`], with the app of
//! each packet in PCAPdroid's form, which the reader, PCAPdroid and Wireshark read back.
#![forbid(unsafe_code)]

mod error;
mod pcap;
pub mod pcapdroid;
mod pcapng;
mod reader;
mod replay;
pub mod writer;

pub use error::{CaptureError, Warning, WriteError};
pub use reader::{AppInfo, CaptureReader, Format, Packet};
pub use replay::replay;
pub use writer::{Direction, PacketExtras, PcapngWriter, TsResolution, WriterOptions};
