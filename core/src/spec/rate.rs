//! A rate: at most so many requests in a window, as `#[rest(rate_limit = "...")]`
//! declares it. Data only; `rate_limit` counts requests against it.

/// At most `requests` requests per `window_secs` seconds.
///
/// ```
/// use ferrest::rate_limit::RateLimit;
/// let limit: RateLimit = "100/minute".parse()?;
/// assert_eq!(limit, RateLimit { requests: 100, window_secs: 60 });
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in one window.
    pub requests: u32,
    /// The window's length in seconds.
    pub window_secs: u64,
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    /// `<requests>/<second|minute|hour|day>`, read by the same rules the macros
    /// check `#[rest(rate_limit = "...")]` with (`ferrest_shared::Rate`).
    fn from_str(text: &str) -> Result<Self, String> {
        let rate: ferrest_shared::Rate = text.parse().map_err(|e| format!("{e}"))?;
        Ok(RateLimit {
            requests: rate.requests,
            window_secs: rate.window_secs,
        })
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.window_secs {
            1 => "second".to_owned(),
            60 => "minute".to_owned(),
            3600 => "hour".to_owned(),
            86_400 => "day".to_owned(),
            n => format!("{n} seconds"),
        };
        write!(f, "{} requests per {unit}", self.requests)
    }
}
