//! Telltale's sans-IO analysis engine: flows, dissection, attribution, findings and the per-app
//! exposure report.
//!
//! The engine is driven with IP packets and the time they were seen (`now`); it never reads a
//! clock or does I/O, so a capture replayed offline gives the report the live monitor gave.
#![forbid(unsafe_code)]

pub mod signatures;
