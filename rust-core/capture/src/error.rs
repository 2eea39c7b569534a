//! What can go wrong while reading a capture: errors that stop it, warnings that do not.

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
