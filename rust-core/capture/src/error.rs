//! What can go wrong with a capture: reading errors that stop it, warnings that do not, and
//! writing errors.

use core::fmt;

/// Why a capture could not be opened or read.
///
/// Damage inside a file that was recognised is not an error: the reader skips or stops with a
/// [`Warning`] instead, so that everything readable is still analysed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// The file is neither pcap nor pcapng, or its file header (pcap header, first pcapng section
    /// header block) is damaged.
    #[error("not a pcap or pcapng capture: {reason}")]
    NotACapture {
        /// What was wrong, for the user.
        reason: String,
    },
    /// Reading the underlying file failed.
    #[error("reading the capture failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Something wrong with part of the file that did not stop reading (or that stopped it early):
/// shown to the user with the byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Byte offset in the file of the record or block concerned.
    pub offset: u64,
    /// What is wrong and what the reader did about it; it names the offset too.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why [`PcapngWriter`](crate::PcapngWriter) could not write.
///
/// The writer hands each block to the output whole; after an error the output still ends at a
/// block boundary unless the error is (or was preceded by) one that cut a block: see
/// [`WriteError::Broken`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The snap length asked for is 0 or above [`MAX_SNAPLEN`](crate::writer::MAX_SNAPLEN).
    #[error("snap length {snaplen} is outside 1..={max}", max = crate::writer::MAX_SNAPLEN)]
    InvalidSnaplen {
        /// The snap length asked for.
        snaplen: u32,
    },
    /// The output failed. When part of a block had already been accepted, the writer is broken
    /// from then on (see [`WriteError::Broken`]); when none had, the block is lost but the
    /// writer goes on.
    #[error("writing the capture failed: {0}")]
    Io(#[from] std::io::Error),
    /// An earlier output error cut a block short: the output is valid pcapng only up to
    /// `valid_len` bytes (truncate it there), and nothing more is written.
    #[error("an earlier write error cut a block; the capture is valid up to byte {valid_len}")]
    Broken {
        /// Bytes of complete blocks that reached the output.
        valid_len: u64,
    },
}
