//! Every error a client meets is a problem (RFC 9457): errors that axum, tower or a
//! handler answer without one are turned into one, and its media type follows the
//! client's `Accept`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::problem::{ApiError, PROBLEM_JSON};

/// Problems go out as `application/problem+json` (RFC 9457), unless the client's
/// `Accept` takes `application/json` and not that (`plain_json`, from
/// [`accepts_only_plain_json`]): client generators that type JSON bodies only
/// (progenitor sends `Accept: application/json`) then get the same body as
/// `application/json`, and so a typed error.
pub(crate) fn negotiate(mut response: Response, plain_json: bool) -> Response {
    let headers = response.headers_mut();
    if headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == PROBLEM_JSON)
    {
        headers.append(header::VARY, HeaderValue::from_static("accept"));
        if plain_json {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
    }
    response
}

/// Whether `Accept` lists `application/json` but no range that covers
/// `application/problem+json` (a range with `q=0` refuses its type).
pub(crate) fn accepts_only_plain_json(headers: &HeaderMap) -> bool {
    let mut json = false;
    for range in headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        match media.as_str() {
            _ if refused => {}
            "application/problem+json" | "application/*" | "*/*" => return false,
            "application/json" => json = true,
            _ => {}
        }
    }
    json
}

/// An error response that is not a problem becomes one of the same status, so clients
/// see one error format: a bodiless one (a handler's bare `StatusCode`, Swagger UI's
/// missing asset) with the status phrase as its detail, a plain-text one (axum's rejections, like a path parameter that is
/// not a number, or a handler's `(StatusCode, "text")`) with its text as the detail.
pub(crate) async fn bare_error_as_problem(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (code, detail) = match content_type.as_deref() {
        None => (code_of(status), reason(status)),
        Some(text) if text.starts_with("text/plain") => {
            let (parts, body) = response.into_parts();
            let detail = match axum::body::to_bytes(body, 16 * 1024).await {
                Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
                _ => reason(status),
            };
            let mut problem = ApiError::new(status, code_of(status), detail).into_response();
            copy_headers(&parts.headers, &mut problem);
            return problem;
        }
        Some(_) => return response,
    };
    let mut problem = ApiError::new(status, code, detail).into_response();
    copy_headers(response.headers(), &mut problem);
    problem
}

/// Keeps the headers a layer or handler set (`Allow`, `Retry-After`, every `Vary` and
/// `Set-Cookie` value), not those that described the body it replaces.
fn copy_headers(from: &axum::http::HeaderMap, to: &mut Response) {
    let describes_body = [
        header::CONTENT_LENGTH,
        header::CONTENT_TYPE,
        header::CONTENT_ENCODING,
    ];
    for name in from.keys().filter(|n| !describes_body.contains(n)) {
        to.headers_mut().remove(name);
        for value in from.get_all(name) {
            to.headers_mut().append(name.clone(), value.clone());
        }
    }
}

/// `bad_request`, `payload_too_large`, ...: the status phrase in snake_case.
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable_entity",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "http_error",
    }
}

fn reason(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("error").to_lowercase()
}
