//! The clock types the netstack is driven with: smoltcp's, re-exported.
//!
//! The netstack never reads a clock; every call that can start or check a timer takes `now`.
//! Any monotonic origin works (the runtime's start, the test's zero).

pub use smoltcp::time::{Duration, Instant};

/// `now + d`, saturating instead of overflowing on absurd clocks.
pub(crate) fn after(now: Instant, d: Duration) -> Instant {
    let d = i64::try_from(d.total_micros()).unwrap_or(i64::MAX);
    Instant::from_micros(now.total_micros().saturating_add(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_saturates() {
        let t = Instant::from_micros(i64::MAX - 5);
        assert_eq!(after(t, Duration::from_secs(1)).total_micros(), i64::MAX);
        assert_eq!(
            after(Instant::ZERO, Duration::from_millis(3)),
            Instant::from_millis(3)
        );
    }
}
