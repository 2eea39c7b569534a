//! Telltale's packet and protocol parsers.
//!
//! Everything here is a pure function of its input bytes: no I/O, no clocks, no state that
//! outlives a call. Parsers follow smoltcp's `wire` model: a checked view validates lengths once,
//! after which its accessors cannot fail, and a plain `Repr`-style struct carries what the engine
//! needs. No parser panics or reads out of bounds on any input; property tests and fuzz targets
//! (`rust-core/fuzz`) hold them to that.
#![forbid(unsafe_code)]

mod bytes;
pub mod dns;
pub mod error;
pub mod gtp;
pub mod hex;
pub mod http;
pub mod httpdns;
pub mod ip;
pub mod ja;
pub mod kv;
pub mod link;
pub mod mmtls;
pub mod oicq;
pub mod quic;
pub mod tcp;
pub mod time;
pub mod tls;
pub mod udp;

pub use error::{Error, Result};
pub use time::Timestamp;
