//! Extractors of the generic handlers. Each turns axum's rejection into a problem, so
//! a malformed request gets the same error body as everything else.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

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

/// A JSON request body, parsed but not yet typed: validation runs on it first so that
/// every failing field is reported at once.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = json_bytes(req, state).await?;
        let value = parse_json(&bytes)?;
        crate::unique_keys::refuse_duplicate_keys(&bytes)?;
        Ok(JsonBody(value))
    }
}

/// The body of a resource's write, read but not parsed: a valid body is parsed straight
/// into its DTO, any other as JSON, to name what is wrong with it.
pub(crate) struct ObjectBody(Bytes);

impl<S: Send + Sync> FromRequest<S> for ObjectBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        json_bytes(req, state).await.map(ObjectBody)
    }
}

impl ObjectBody {
    /// The DTO, when the body is a JSON object that reads as one. (serde would read a
    /// struct from an array too, which the document does not allow.)
    pub(crate) fn typed<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        let object = self.0.trim_ascii_start().first() == Some(&b'{');
        let value = object
            .then(|| serde_json::from_slice(&self.0).ok())
            .flatten()?;
        // The DTO refuses a member given twice itself (serde's `duplicate field`);
        // an object nested in a JSON field does not, so a body with one is walked.
        let nested = self.0.iter().filter(|b| **b == b'{').nth(1).is_some();
        (!nested || crate::unique_keys::duplicate_key(&self.0).is_none()).then_some(value)
    }

    /// The members of the object, or for a body that is not one, whatever JSON it is;
    /// a body that is not JSON is a `400`.
    pub(crate) fn members(&self) -> Result<Result<crate::validate::Members, Value>, ApiError> {
        let members = match serde_json::from_slice(&self.0) {
            Ok(members) => Ok(members),
            Err(_) => Err(parse_json(&self.0)?),
        };
        crate::unique_keys::refuse_duplicate_keys(&self.0)?;
        Ok(members)
    }
}

/// The bytes of a body that says it is JSON.
async fn json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    if !is_json(req.headers()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "expected a request body with `Content-Type: application/json`",
        ));
    }
    Bytes::from_request(req, state)
        .await
        .map_err(|e| body_problem(&e))
}

fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
    })
}

fn body_problem(rejection: &BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the body exceeds the limit of {} bytes",
                crate::middleware::MAX_BODY_BYTES
            ),
        )
    } else {
        ApiError::bad_request("unreadable_body", rejection.body_text())
    }
}

/// `application/json` or any `application/*+json`, with or without parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}
