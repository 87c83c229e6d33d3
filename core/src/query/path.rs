//! The id in a path: an extractor of the generic handlers, and the canonical forms an
//! id (and an integer in a query string) is read in. A malformed one is a problem, so a
//! malformed request gets the same error body as everything else.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::problem::ApiError;

/// The row's id in the path: `{id}` on item routes, the parent's `{author_id}` on a
/// nested list (the route's one parameter).
pub struct PathId<T>(pub T);

impl<T, S> FromRequestParts<S> for PathId<T>
where
    T: PathValue + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request("invalid_path_parameter", e.body_text()))?;
        let (name, segment) = params
            .iter()
            .find(|(name, _)| *name == "id")
            .or_else(|| params.iter().next())
            .unwrap_or(("id", ""));
        T::parse(segment).map(PathId).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_path_parameter",
                format!(
                    "invalid path parameter `{name}`: expected {}, found `{segment}`",
                    T::EXPECTED
                ),
            )
        })
    }
}

/// A primary key as it appears in a path.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a resource id",
    note = "`#[rest(id)]` fields are `i16`, `i32`, `i64` or `Uuid`"
)]
pub trait PathValue: Sized {
    /// How a valid value reads, for the error message.
    const EXPECTED: &'static str;
    /// The value of a path segment, if it is one.
    fn parse(segment: &str) -> Option<Self>;
}

// A row has one URL: an id is accepted only as ferrest writes it (`Location`, links,
// bodies), so `/books/01`, `/books/+1` and `/books/1.0` are not other names of
// `/books/1` that a cache, a log search or an authorisation rule in front of the
// service would treat as different resources.
macro_rules! integer_path_value {
    ($($t:ty => $expected:literal),*) => {$(
        impl PathValue for $t {
            const EXPECTED: &'static str = $expected;
            fn parse(segment: &str) -> Option<Self> {
                if is_canonical_integer(segment) { segment.parse().ok() } else { None }
            }
        }
    )*};
}
integer_path_value!(
    i16 => "a 16-bit integer in decimal digits (no `+`, leading zero or fraction)",
    i32 => "a 32-bit integer in decimal digits (no `+`, leading zero or fraction)",
    i64 => "a 64-bit integer in decimal digits (no `+`, leading zero or fraction)"
);

/// `0`, or decimal digits without a leading zero, after an optional `-` (not `-0`).
fn is_canonical_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    match digits.as_bytes() {
        [b'0'] => digits.len() == text.len(),
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

impl PathValue for uuid::Uuid {
    const EXPECTED: &'static str =
        "a UUID in lowercase hyphenated form (`67e55044-10b1-426f-9247-bb680e5fe0c8`)";
    fn parse(segment: &str) -> Option<Self> {
        // The form ferrest writes; `uuid` also reads braces, `urn:uuid:`, no hyphens
        // and upper case, each another URL of the same row.
        let canonical = segment.len() == 36 && !segment.bytes().any(|b| b.is_ascii_uppercase());
        canonical
            .then(|| uuid::Uuid::try_parse(segment).ok())
            .flatten()
    }
}

/// An integer in a path or query string, also written with a zero fraction (`12.0`),
/// which JSON Schema, and so the document, counts as an integer.
pub(crate) fn parse_integer(text: &str) -> Option<i64> {
    let whole = match text.split_once('.') {
        Some((whole, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') => {
            whole
        }
        Some(_) => return None,
        None => text,
    };
    whole.parse().ok()
}
