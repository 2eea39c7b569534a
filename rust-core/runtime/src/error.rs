//! The errors of the runtime.

use std::io;

/// What went wrong in the runtime.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Opening or configuring the TUN device failed.
    #[error("TUN device {name}: {source}")]
    Tun {
        /// The device name asked for (or the descriptor number).
        name: String,
        /// The system's error.
        source: io::Error,
    },
    /// A TUN device name longer than the kernel's 15 bytes, or with a NUL byte.
    #[error("invalid TUN device name {0:?}")]
    TunName(String),
    /// The event loop's poller failed.
    #[error("event loop: {0}")]
    Poll(io::Error),
    /// Reading or writing the TUN device failed for good.
    #[error("TUN I/O: {0}")]
    TunIo(io::Error),
    /// The netstack configuration is invalid.
    #[error(transparent)]
    Netstack(#[from] telltale_netstack::Error),
    /// Writing the pcapng capture failed.
    #[error("pcapng capture: {0}")]
    Capture(#[from] telltale_capture::WriteError),
    /// An `ip` command (network namespace, link or route setup) failed.
    #[error("`ip {args}` failed: {why}")]
    IpCommand {
        /// The arguments given to `ip`.
        args: String,
        /// Its exit status and standard error, or why it could not start.
        why: String,
    },
    /// Another system call failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The system's error.
        source: io::Error,
    },
}

/// Short for `Result<T, Error>`.
pub type Result<T> = std::result::Result<T, Error>;
