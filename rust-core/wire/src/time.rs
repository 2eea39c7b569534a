//! Timestamps as the sans-IO crates take them: passed in by the caller, never read from a clock.

use core::fmt;

/// A point in time, in nanoseconds since the Unix epoch (negative before 1970).
///
/// Captures carry arbitrary, sometimes bogus, timestamps; all arithmetic here saturates so that a
/// timestamp jumping by centuries cannot overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// A timestamp from nanoseconds since the epoch.
    pub const fn from_nanos(nanos: i64) -> Self {
        Timestamp(nanos)
    }

    /// A timestamp from whole seconds and a sub-second part in nanoseconds.
    pub fn from_secs_nanos(secs: i64, nanos: u32) -> Self {
        Timestamp(
            secs.saturating_mul(1_000_000_000)
                .saturating_add(i64::from(nanos)),
        )
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// Whole microseconds since the epoch (rounded towards negative infinity).
    pub const fn as_micros(self) -> i64 {
        self.0.div_euclid(1_000)
    }

    /// This time plus `secs` seconds, saturating.
    pub fn plus_secs(self, secs: u64) -> Self {
        let add = i64::try_from(secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1_000_000_000);
        Timestamp(self.0.saturating_add(add))
    }

    /// Seconds from `earlier` to `self`, zero when `earlier` is later.
    pub fn secs_since(self, earlier: Timestamp) -> f64 {
        let d = self.0.saturating_sub(earlier.0).max(0);
        d as f64 / 1e9
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with microseconds, e.g. `2023-12-05T01:02:03.000004Z`. Written digit by
    /// digit: reports print one per finding, and `write!` with padding costs ten times more.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1_000_000_000);
        let micros = self.0.rem_euclid(1_000_000_000) / 1_000;
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400).unsigned_abs();
        let (y, m, d) = civil_from_days(days);
        // i64 nanoseconds span the years 1677 to 2262: always four digits.
        let Ok(year) = u64::try_from(y) else {
            return Err(fmt::Error);
        };
        let fields = [
            (year, 4, b'-'),
            (u64::from(m), 2, b'-'),
            (u64::from(d), 2, b'T'),
            (sod / 3600, 2, b':'),
            (sod / 60 % 60, 2, b':'),
            (sod % 60, 2, b'.'),
            (micros.unsigned_abs(), 6, b'Z'),
        ];
        let mut out = [0u8; 27];
        let mut rest = out.as_mut_slice();
        for (value, width, sep) in fields {
            let (field, tail) = rest.split_at_mut(width + 1);
            let (digits, end) = field.split_at_mut(width);
            let mut v = value;
            for b in digits.iter_mut().rev() {
                *b = b'0' + (v % 10) as u8;
                v /= 10;
            }
            end.fill(sep);
            rest = tail;
        }
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's civil-from-days algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339() {
        let t = Timestamp::from_secs_nanos(1_701_738_555, 4_000);
        assert_eq!(t.to_string(), "2023-12-05T01:09:15.000004Z");
        assert_eq!(Timestamp::EPOCH.to_string(), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            Timestamp::from_nanos(-1).to_string(),
            "1969-12-31T23:59:59.999999Z"
        );
        // The ends of the range (checked with Python's datetime).
        assert_eq!(
            Timestamp::from_nanos(i64::MIN).to_string(),
            "1677-09-21T00:12:43.145224Z"
        );
        assert_eq!(
            Timestamp::from_nanos(i64::MAX).to_string(),
            "2262-04-11T23:47:16.854775Z"
        );
    }

    #[test]
    fn saturates() {
        let t = Timestamp::from_secs_nanos(i64::MAX, 999);
        assert_eq!(t.as_nanos(), i64::MAX);
        assert_eq!(t.plus_secs(u64::MAX).as_nanos(), i64::MAX);
        assert_eq!(Timestamp::EPOCH.secs_since(t), 0.0);
    }

    proptest::proptest! {
        /// The digit writer says what `write!` with padding says, for every i64 timestamp.
        #[test]
        fn formats_as_write_would(nanos in proptest::prelude::any::<i64>()) {
            let secs = nanos.div_euclid(1_000_000_000);
            let micros = nanos.rem_euclid(1_000_000_000) / 1_000;
            let sod = secs.rem_euclid(86_400);
            let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
            let want = format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
                sod / 3600,
                (sod / 60) % 60,
                sod % 60
            );
            proptest::prop_assert_eq!(Timestamp::from_nanos(nanos).to_string(), want);
        }
    }
}
