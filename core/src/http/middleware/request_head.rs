//! The request head's limits and well-formedness, answered as problems: a request
//! target longer than [`MAX_URI_BYTES`] (`414`), more than [`MAX_HEADERS`] header
//! fields or [`MAX_HEADER_BYTES`] of them (`431`), and a query string whose
//! percent-decoded names or values are not UTF-8 (`400`; they would otherwise be
//! decoded lossily, `%FF` read as `U+FFFD`, and match what the client never sent).
//!
//! hyper answers heads past its own, higher, limits itself, with an empty body (see
//! `app::connections`).

use axum::extract::Request;
use axum::http::StatusCode;
use percent_encoding::percent_decode;

use crate::problem::ApiError;

/// The longest request target (path and query) accepted; a longer one gets `414`
/// problem+json with code `uri_too_long`.
///
/// ```
/// assert_eq!(ferrest::MAX_URI_BYTES, 8192);
/// ```
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The most header fields a request may carry; more get `431` problem+json with code
/// `header_fields_too_large`.
///
/// ```
/// assert_eq!(ferrest::MAX_HEADERS, 100);
/// ```
pub const MAX_HEADERS: usize = 100;

/// The most bytes of header names and values a request may carry; more get `431`
/// problem+json with code `header_fields_too_large`.
///
/// ```
/// assert_eq!(ferrest::MAX_HEADER_BYTES, 32 * 1024);
/// ```
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The problem with the head of `request`, if it has one.
pub(crate) fn check(request: &Request) -> Result<(), ApiError> {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > MAX_URI_BYTES {
        return Err(ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request target has {target} bytes; the limit is {MAX_URI_BYTES}"),
        ));
    }
    let headers = request.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return Err(ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "header_fields_too_large",
            format!(
                "the request has {} header fields of {bytes} bytes; the limits are {MAX_HEADERS} fields and {MAX_HEADER_BYTES} bytes",
                headers.len()
            ),
        ));
    }
    match request.uri().query() {
        Some(query) if query.contains('%') => check_query(query),
        _ => Ok(()),
    }
}

/// `400 invalid_parameter` naming the first parameter whose name or value is not
/// UTF-8 once percent-decoded.
fn check_query(query: &str) -> Result<(), ApiError> {
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name.as_bytes());
        let Ok(name) = name.decode_utf8() else {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!(
                    "the name of the query parameter `{}` is not UTF-8 once percent-decoded",
                    pair.split_once('=').map_or(pair, |(name, _)| name)
                ),
            ));
        };
        if percent_decode(value.as_bytes()).decode_utf8().is_err() {
            return Err(ApiError::invalid_parameter(
                &name.replace('+', " "),
                "is not UTF-8 once percent-decoded",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_query;

    #[test]
    fn names_the_parameter_that_is_not_utf8() {
        assert!(check_query("title=%C3%A9t%C3%A9&x=%2F").is_ok());
        let error = check_query("a=1&title=%FF%FE").unwrap_err();
        assert_eq!(error.parameter(), Some("title"));
        assert_eq!(error.code(), "invalid_parameter");
        // An overlong encoding of `/` is not UTF-8 either.
        assert!(check_query("q=%C0%AF").is_err());
        let error = check_query("%FF=1").unwrap_err();
        assert_eq!(error.parameter(), None);
        assert!(error.detail().contains("`%FF`"), "{}", error.detail());
    }
}
