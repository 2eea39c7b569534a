//! A progress bar on standard error, shown only when it is a terminal and the input is large.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Inputs smaller than this finish too fast for a bar to help.
const MIN_SIZE: u64 = 16 * 1024 * 1024;
/// Redraw at most this often.
const INTERVAL: Duration = Duration::from_millis(100);

/// A progress bar over a known number of bytes.
pub struct Progress {
    total: u64,
    last: Option<Instant>,
    shown: bool,
}

impl Progress {
    /// A bar for an input of `total` bytes; inert unless stderr is a terminal and the input large.
    pub fn new(total: u64, enabled: bool) -> Self {
        let active = enabled && total >= MIN_SIZE && std::io::stderr().is_terminal();
        Progress {
            total,
            last: active.then(Instant::now),
            shown: false,
        }
    }

    /// Shows that `done` bytes of the input were read.
    pub fn update(&mut self, done: u64) {
        let Some(last) = self.last else { return };
        if last.elapsed() < INTERVAL {
            return;
        }
        self.last = Some(Instant::now());
        let frac = (done as f64 / self.total.max(1) as f64).clamp(0.0, 1.0);
        let filled = (frac * 30.0) as usize;
        eprint!(
            "\r[{}{}] {:3.0}%  {} of {} MB",
            "#".repeat(filled),
            ".".repeat(30 - filled),
            frac * 100.0,
            done / 1_000_000,
            self.total / 1_000_000
        );
        let _ = std::io::stderr().flush();
        self.shown = true;
    }

    /// Removes the bar.
    pub fn finish(&mut self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(60));
            let _ = std::io::stderr().flush();
        }
    }
}
