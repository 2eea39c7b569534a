//! Telltale's sans-IO analysis engine: flows, dissection, attribution, findings and the per-app
//! exposure report.
//!
//! The engine is driven with IP packets and the time they were seen (`now`); it never reads a
//! clock or does I/O, so a capture replayed offline gives the report the live monitor gave.
//! Start with [`Engine`]; the report's JSON form is documented in `docs/report-schema.md`.
#![forbid(unsafe_code)]

pub mod app;
pub mod assess;
pub mod attribution;
pub mod defrag;
pub mod dissect;
pub mod engine;
pub mod finding;
pub mod flow;
pub mod identify;
pub mod names;
pub mod observation;
pub mod record;
pub mod report;
pub mod signatures;
pub mod stream;
pub mod table;
pub mod tokens;

pub use app::{AppInfo, AppKey};
pub use engine::{Config, Engine, PacketMeta};
pub use record::FlowRecord;
pub use report::Report;
pub use signatures::Signatures;
