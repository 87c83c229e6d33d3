//! Idempotency keys on `POST` (the IETF httpapi draft "The Idempotency-Key HTTP Header
//! Field", with Stripe's semantics): a client that sends `Idempotency-Key` may retry a
//! request whose answer it never got, and the retry is answered with the first answer
//! instead of running again.
//!
//! A key belongs to its caller (the principal, with the authenticator that found it
//! and a token's issuer) and lives in `ferrest_idempotency_keys`; an anonymous
//! request's key is ignored, as no caller owns it. Only the `POST` operations of the
//! document take keys, after routing. The first request reserves it, runs, and stores its
//! answer; a write made through [`Ctx`](crate::Ctx) marks the key *applied* in the
//! write's own transaction, so the mark commits exactly when the write does. A retry
//! with the same key then gets the stored answer, `409` while the first still runs or
//! when it committed without recording its answer (it was cut off between the two),
//! and `422` when its method, path or body differ. A request that failed with `5xx`
//! (or was cut off) before it committed gives the key back, so that a retry runs.

mod layer;
mod store;

use std::time::Duration;

use axum::http::{HeaderMap, HeaderName};
use sea_orm::{ConnectionTrait, DbErr};

pub(crate) use layer::{IdempotencyLayer, Keys};
pub(crate) use store::create_table;

use crate::problem::ApiError;

/// The request header that carries the key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The response header that marks a replayed answer: `Idempotent-Replayed: true`.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The longest key accepted, in characters (Stripe's limit); longer ones are a `400`.
pub const MAX_KEY_CHARS: usize = 255;

/// How long an answer is kept for retries unless configured: 24 hours.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a request holds its key when the app has no time limit
/// (`FERREST_TIMEOUT_SECS=0`): 10 minutes. If its server stops meanwhile, retries are
/// `409` until then; a request still running then is taken for abandoned, and a retry
/// may run beside it. With a time limit, the hold is the limit plus a minute.
///
/// ```
/// assert_eq!(ferrest::idempotency::LEASE_WITHOUT_TIME_LIMIT.as_secs(), 600);
/// ```
pub const LEASE_WITHOUT_TIME_LIMIT: Duration = Duration::from_secs(10 * 60);

/// What a key may hold, for the document: 1 to 255 visible ASCII characters but `"`
/// and `\`, bare (Stripe's form) or as a structured-field string (the draft's,
/// `"8e03978e-40d5-43e8-bc93-6894a57f9324"`).
pub(crate) const KEY_PATTERN: &str =
    r#"^([\x21\x23-\x5B\x5D-\x7E]{1,255}|"[\x21\x23-\x5B\x5D-\x7E]{1,255}")$"#;

/// The idempotency-key support of an app: on by default, answers kept for
/// [`DEFAULT_TTL`].
///
/// ```
/// use std::time::Duration;
/// use ferrest::idempotency::Idempotency;
/// let app = ferrest::App::new()
///     .idempotency(Some(Idempotency::default().ttl(Duration::from_secs(3600))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Idempotency {
    ttl: Duration,
}

impl Default for Idempotency {
    fn default() -> Self {
        Idempotency { ttl: DEFAULT_TTL }
    }
}

impl Idempotency {
    /// How long a key's answer is replayed to retries; past it, the key is forgotten
    /// (and purged) and a request with it runs again.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The time an answer is kept.
    ///
    /// ```
    /// use ferrest::idempotency::{DEFAULT_TTL, Idempotency};
    /// assert_eq!(Idempotency::default().kept_for(), DEFAULT_TTL);
    /// ```
    pub fn kept_for(&self) -> Duration {
        self.ttl
    }

    /// From `FERREST_IDEMPOTENCY_TTL_SECS`: unset is the default, `0` turns the
    /// support off (`Ok(None)`), anything but a number of seconds is an `Err`.
    ///
    /// ```
    /// let support = ferrest::idempotency::Idempotency::from_env()?;
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_env() -> Result<Option<Idempotency>, String> {
        let Ok(text) = std::env::var("FERREST_IDEMPOTENCY_TTL_SECS") else {
            return Ok(Some(Idempotency::default()));
        };
        match text.trim().parse::<u64>() {
            Ok(0) => Ok(None),
            Ok(seconds) => Ok(Some(
                Idempotency::default().ttl(Duration::from_secs(seconds)),
            )),
            Err(_) => Err(format!(
                "FERREST_IDEMPOTENCY_TTL_SECS: `{text}` is not a number of seconds (`0` turns idempotency keys off)"
            )),
        }
    }
}

/// The key a request holds, in its extensions while it runs: the writes it makes
/// through `Ctx` mark the key applied in their transaction.
#[derive(Debug, Clone)]
pub(crate) struct Reservation(std::sync::Arc<str>);

/// Marks the request's key applied, in `ctx`'s transaction, just before it commits.
/// Nothing to do without a key or a transaction.
pub(crate) async fn mark_applied(ctx: &crate::Ctx) -> Result<(), DbErr> {
    let Some(Reservation(id)) = &ctx.idempotency else {
        return Ok(());
    };
    if !ctx.db.in_transaction() {
        return Ok(());
    }
    let statement = store::mark_applied(ctx.db.get_database_backend(), id);
    ctx.db.execute_raw(statement).await?;
    Ok(())
}

/// The request's key: `None` without the header, a `400` when it is malformed.
pub(crate) fn key_of(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = |detail: String| ApiError::bad_request("invalid_idempotency_key", detail);
    if values.next().is_some() {
        return Err(invalid(
            "send one `Idempotency-Key` header, not several".to_owned(),
        ));
    }
    let text = value.to_str().unwrap_or("\u{0}");
    // The draft's structured-field string, `"..."`, or Stripe's bare value.
    let key = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner,
        None => text,
    };
    if key.is_empty() || key.len() > MAX_KEY_CHARS {
        return Err(invalid(format!(
            "`Idempotency-Key` holds 1 to {MAX_KEY_CHARS} characters; a UUID is a good key"
        )));
    }
    if !key
        .bytes()
        .all(|b| (0x21..=0x7E).contains(&b) && b != b'"' && b != b'\\')
    {
        return Err(invalid(
            "`Idempotency-Key` holds visible ASCII characters only, without `\"` or `\\`; a UUID is a good key"
                .to_owned(),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// Lowercase hexadecimal SHA-256 of `parts`, each followed by a newline so that
/// parts cannot run into each other.
fn digest(parts: &[&[u8]]) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update(part.len().to_be_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            use std::fmt::Write;
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::{IDEMPOTENCY_KEY, key_of};
    use axum::http::{HeaderMap, HeaderValue};

    fn key(value: &str) -> Result<Option<String>, String> {
        let mut headers = HeaderMap::new();
        headers.insert(IDEMPOTENCY_KEY, HeaderValue::from_str(value).unwrap());
        key_of(&headers).map_err(|e| e.code().to_owned())
    }

    #[test]
    fn keys_are_bare_or_structured_field_strings() {
        assert_eq!(key("abc-123"), Ok(Some("abc-123".to_owned())));
        assert_eq!(key("\"abc-123\""), Ok(Some("abc-123".to_owned())));
        assert_eq!(key(&"k".repeat(255)), Ok(Some("k".repeat(255))));
        for bad in ["", "\"\"", "a b", "a\"b", "a\\b", &"k".repeat(256)] {
            assert_eq!(key(bad), Err("invalid_idempotency_key".to_owned()), "{bad}");
        }
        assert_eq!(key_of(&HeaderMap::new()).unwrap(), None);
        let mut twice = HeaderMap::new();
        twice.append(IDEMPOTENCY_KEY, HeaderValue::from_static("a"));
        twice.append(IDEMPOTENCY_KEY, HeaderValue::from_static("b"));
        assert!(key_of(&twice).is_err());
    }

    #[test]
    fn the_pattern_says_what_the_parser_accepts() {
        let pattern = regex::Regex::new(super::KEY_PATTERN).unwrap();
        assert!(pattern.is_match("abc-123") && pattern.is_match("\"abc\""));
        assert!(!pattern.is_match("a b") && !pattern.is_match(&"k".repeat(256)));
    }
}
