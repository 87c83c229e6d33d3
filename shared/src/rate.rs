//! `<requests>/<unit>`: the spelling of a rate limit in `#[rest(rate_limit = "...")]`,
//! `App::rate_limit` and `FERREST_RATE_LIMIT`.

use std::fmt;
use std::str::FromStr;

/// At most `requests` requests per `window_secs` seconds.
///
/// ```
/// use ferrest_shared::Rate;
/// let rate: Rate = "100/minute".parse().unwrap();
/// assert_eq!(rate, Rate { requests: 100, window_secs: 60 });
/// assert!("0/minute".parse::<Rate>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed in one window; never zero.
    pub requests: u32,
    /// The window's length in seconds.
    pub window_secs: u64,
}

/// The units a rate may be counted in, with the window each stands for.
const UNITS: &[(&[&str], u64)] = &[
    (&["second", "s"], 1),
    (&["minute", "min", "m"], 60),
    (&["hour", "h"], 3600),
    (&["day", "d"], 86_400),
];

impl FromStr for Rate {
    type Err = InvalidRate;

    /// `<requests>/<second|minute|hour|day>` (or `s`, `min`/`m`, `h`, `d`), with a
    /// positive number of requests; spaces around either part are ignored.
    fn from_str(text: &str) -> Result<Rate, InvalidRate> {
        let invalid = || InvalidRate {
            text: text.to_owned(),
        };
        let (requests, unit) = text.split_once('/').ok_or_else(invalid)?;
        let requests: u32 = requests
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(invalid)?;
        let unit = unit.trim();
        let window_secs = UNITS
            .iter()
            .find(|(names, _)| names.contains(&unit))
            .map(|(_, secs)| *secs)
            .ok_or_else(invalid)?;
        Ok(Rate {
            requests,
            window_secs,
        })
    }
}

/// A string that is not a rate; says what one looks like.
///
/// ```
/// let error = "ten/minute".parse::<ferrest_shared::Rate>().unwrap_err();
/// assert_eq!(error.text(), "ten/minute");
/// assert!(error.to_string().contains("100/minute"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRate {
    text: String,
}

impl InvalidRate {
    /// The string as given.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for InvalidRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a rate like `100/minute` (per `second`, `minute`, `hour` or `day`)",
            self.text
        )
    }
}

impl std::error::Error for InvalidRate {}

#[cfg(test)]
mod tests {
    use super::Rate;

    fn parse(text: &str) -> Option<(u32, u64)> {
        text.parse::<Rate>()
            .ok()
            .map(|r| (r.requests, r.window_secs))
    }

    #[test]
    fn every_unit_and_its_short_forms_parse() {
        assert_eq!(parse("5/second"), Some((5, 1)));
        assert_eq!(parse("5/s"), Some((5, 1)));
        assert_eq!(parse("100/minute"), Some((100, 60)));
        assert_eq!(parse("100/min"), Some((100, 60)));
        assert_eq!(parse("100/m"), Some((100, 60)));
        assert_eq!(parse("1000/hour"), Some((1000, 3600)));
        assert_eq!(parse("1000/h"), Some((1000, 3600)));
        assert_eq!(parse("7/day"), Some((7, 86_400)));
        assert_eq!(parse(" 7 / d "), Some((7, 86_400)));
    }

    #[test]
    fn malformed_rates_are_refused() {
        for text in [
            "0/minute",
            "ten/minute",
            "-1/minute",
            "10/fortnight",
            "10",
            "/minute",
            "10/",
            "4294967296/second",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
