//! Stored date-times as they go out: RFC 3339 in UTC with a `Z` and as many fraction
//! digits as the value needs (0, 3, 6 or 9), the text chrono's
//! `to_rfc3339_opts(SecondsFormat::AutoSi, true)` writes.
//!
//! Every row of a list carries its timestamps, so this runs several times per row.
//! chrono's formatter goes through `fmt` machinery and a `String` for each value;
//! writing the digits straight into a stack buffer takes a fraction of its
//! instructions. Values outside what the fast path writes (years before 0 or after
//! 9999, a leap second) go through chrono, so the text never differs.

use chrono::{DateTime, Datelike, FixedOffset, SecondsFormat, Timelike, Utc};

/// Enough for `9999-12-31T23:59:59.999999999Z`.
const LONGEST: usize = 30;

/// `value` in UTC as RFC 3339, in `buffer` when the fast path can write it.
pub(crate) fn utc_rfc3339<'b>(
    value: &DateTime<FixedOffset>,
    buffer: &'b mut [u8; LONGEST],
) -> Option<&'b str> {
    let utc = value.naive_utc();
    let year = utc.year();
    let nanos = utc.nanosecond();
    // chrono writes a sign and more digits for such years, and second 60 for a leap
    // second (nanoseconds past 999,999,999).
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut at = 0;
    // `value` as `width` digits, then `then`. Digits go in from the right, so every
    // division is by the constant 10, which compiles to a multiplication.
    let mut put = |mut value: u32, width: usize, then: u8| {
        for digit in buffer[at..at + width].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
        at += width;
        buffer[at] = then;
        at += 1;
    };
    put(year as u32, 4, b'-');
    put(utc.month(), 2, b'-');
    put(utc.day(), 2, b'T');
    put(utc.hour(), 2, b':');
    put(utc.minute(), 2, b':');
    if nanos == 0 {
        put(utc.second(), 2, b'Z');
    } else {
        put(utc.second(), 2, b'.');
        if nanos.is_multiple_of(1_000_000) {
            put(nanos / 1_000_000, 3, b'Z');
        } else if nanos.is_multiple_of(1_000) {
            put(nanos / 1_000, 6, b'Z');
        } else {
            put(nanos, 9, b'Z');
        }
    }
    std::str::from_utf8(&buffer[..at]).ok()
}

/// `value` in UTC as RFC 3339, as [`utc_rfc3339`] writes it, through chrono when the
/// fast path cannot.
pub(crate) fn with_utc_rfc3339<T>(
    value: &DateTime<FixedOffset>,
    then: impl FnOnce(&str) -> T,
) -> T {
    let mut buffer = [0u8; LONGEST];
    match utc_rfc3339(value, &mut buffer) {
        Some(text) => then(text),
        None => then(&chrono_rfc3339(value)),
    }
}

/// What chrono writes: the text the fast path matches, and what it falls back to.
fn chrono_rfc3339(value: &DateTime<FixedOffset>) -> String {
    value
        .with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn ours(value: &DateTime<FixedOffset>) -> String {
        with_utc_rfc3339(value, str::to_owned)
    }

    #[test]
    fn writes_what_chrono_writes() {
        let offsets = [0, 3600, -5 * 3600 - 1800, 14 * 3600, -12 * 3600];
        // A deterministic spread of instants, years 0 to 9999, with every kind of
        // fraction.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..20_000u32 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let seconds = (state % 315_537_897_600) as i64 - 62_167_219_200;
            let nanos = match i % 5 {
                0 => 0,
                1 => (state >> 40) as u32 % 1000 * 1_000_000,
                2 => (state >> 34) as u32 % 1_000_000 * 1000,
                3 => (state >> 32) as u32 % 1_000_000_000,
                _ => 1,
            };
            let offset = FixedOffset::east_opt(offsets[i as usize % offsets.len()]).unwrap();
            let value = offset.timestamp_opt(seconds, nanos).unwrap();
            assert_eq!(ours(&value), chrono_rfc3339(&value), "{value:?}");
        }
    }

    #[test]
    fn edges_match_chrono_and_odd_years_take_chrono() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let at = |y, mo, d, h, mi, s, n| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_nano_opt(h, mi, s, n)
                .unwrap()
                .and_local_timezone(utc)
                .unwrap()
        };
        let mut buffer = [0u8; LONGEST];
        let cases = [
            (at(0, 1, 1, 0, 0, 0, 0), true),
            (at(9999, 12, 31, 23, 59, 59, 999_999_999), true),
            (at(2026, 11, 29, 14, 5, 9, 120_000_000), true),
            (at(2026, 11, 29, 14, 5, 9, 120_500_000), true),
            (at(2026, 11, 29, 14, 5, 9, 120_500), true),
            (at(-1, 12, 31, 23, 59, 59, 0), false),
            (at(10_000, 1, 1, 0, 0, 0, 0), false),
            (at(2016, 12, 31, 23, 59, 59, 1_500_000_000), false),
        ];
        for (value, fast) in cases {
            assert_eq!(ours(&value), chrono_rfc3339(&value), "{value:?}");
            assert_eq!(
                utc_rfc3339(&value, &mut buffer).is_some(),
                fast,
                "{value:?}"
            );
        }
        assert_eq!(
            ours(&at(2026, 11, 29, 14, 5, 9, 120_500)),
            "2026-11-29T14:05:09.000120500Z"
        );
    }
}
