//! The one error type of the wire crate.

/// Why a parser rejected its input.
///
/// Parsers in this crate return this instead of panicking; every variant names the structure that
/// failed so a caller can report it without knowing the parser's internals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ends before the structure does.
    #[error("{0}: truncated")]
    Truncated(&'static str),
    /// A field holds a value the format does not allow.
    #[error("{what}: {why}")]
    Malformed {
        /// The structure being parsed, e.g. `"ipv4 header"`.
        what: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// Well formed, but a variant this parser does not handle (a link type, a QUIC version).
    #[error("{0}: unsupported")]
    Unsupported(&'static str),
    /// Authenticated decryption failed (QUIC Initial packets).
    #[error("{0}: decryption failed")]
    Decrypt(&'static str),
}

/// Result of a wire parser.
pub type Result<T> = core::result::Result<T, Error>;
