//! JSON request bodies, as validation reads them: only `application/json`, at most
//! [`MAX_BODY_BYTES`], no member given twice. Each failure is a problem, so a malformed
//! request gets the same error body as everything else.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::unique_keys;
use crate::problem::ApiError;

/// Largest request body accepted; larger ones get `413` problem+json.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body, parsed but not yet typed: validation runs on it first so that
/// every failing field is reported at once.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = json_bytes(req, state).await?;
        let value = parse_json(&bytes)?;
        unique_keys::refuse_duplicate_keys(&bytes)?;
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
        (!nested || unique_keys::duplicate_key(&self.0).is_none()).then_some(value)
    }

    /// The members of the object, or for a body that is not one, whatever JSON it is;
    /// a body that is not JSON is a `400`.
    pub(crate) fn members(&self) -> Result<Result<super::Members, Value>, ApiError> {
        let members = match serde_json::from_slice(&self.0) {
            Ok(members) => Ok(members),
            Err(_) => Err(parse_json(&self.0)?),
        };
        unique_keys::refuse_duplicate_keys(&self.0)?;
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
            format!("the body exceeds the limit of {} bytes", MAX_BODY_BYTES),
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
