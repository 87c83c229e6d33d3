//! Optimistic concurrency for resources with a `#[rest(version)]` field: reads carry
//! the version as a strong `ETag`, a write's `If-Match` names the version it was
//! based on, and `If-None-Match` lets a client revalidate a cached read.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::problem::ApiError;

/// `"7"`: the entity tag of a row at version 7. It is the same for every
/// representation of the row without `?include=` (which adds other rows' data, so those
/// responses carry no tag).
pub(crate) fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits and quotes are a header value")
}

/// What a write's `If-Match` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IfMatch {
    /// No header: the write goes ahead (unless the resource requires one).
    Absent,
    /// `*`: any current version.
    Any,
    /// One of these versions; a tag that is not a version of ours matches none.
    Versions(Vec<i64>),
}

impl IfMatch {
    /// Reads `If-Match`; a malformed header is a `400`.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<IfMatch, ApiError> {
        let values: Vec<&HeaderValue> = headers.get_all(header::IF_MATCH).iter().collect();
        if values.is_empty() {
            return Ok(IfMatch::Absent);
        }
        let mut versions = Vec::new();
        for value in values {
            let text = value.to_str().map_err(|_| malformed(header::IF_MATCH))?;
            for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                if tag == "*" {
                    return Ok(IfMatch::Any);
                }
                // If-Match compares strongly: a weak tag never matches.
                if tag.starts_with("W/") {
                    continue;
                }
                let quoted = tag
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .ok_or_else(|| malformed(header::IF_MATCH))?;
                if let Ok(version) = quoted.parse() {
                    versions.push(version);
                }
            }
        }
        Ok(IfMatch::Versions(versions))
    }

    /// `412` unless the row's `current` version is one the client named; `428` when
    /// the resource requires the header and it is absent.
    pub(crate) fn check(&self, current: i64, required: bool) -> Result<(), ApiError> {
        match self {
            IfMatch::Absent if required => Err(ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                "this write needs `If-Match` with the `ETag` of the row it is based on; read the row first",
            )),
            IfMatch::Absent | IfMatch::Any => Ok(()),
            IfMatch::Versions(versions) if versions.contains(&current) => Ok(()),
            IfMatch::Versions(_) => Err(stale(current)),
        }
    }
}

/// `412 precondition_failed`: the row changed since the client read it.
pub(crate) fn stale(current: i64) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        "the row changed since it was read (its `ETag` is no longer current); read it again and reapply the change",
    )
    .with_header(header::ETAG, etag(current))
}

/// `412 precondition_failed` for `If-Match` tags on a resource that has no version:
/// its rows carry no entity tag, so no tag can match (only `*` does).
pub(crate) fn untagged(spec: &crate::spec::ResourceSpec) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        format!(
            "`{}` rows carry no `ETag`, so `If-Match` can only be `*`",
            spec.name
        ),
    )
}

/// Whether `If-None-Match` names the row's current version (or is `*`): the client's
/// copy is current, and a `GET` answers `304`.
pub(crate) fn not_modified(headers: &HeaderMap, current: i64) -> bool {
    let tag = format!("\"{current}\"");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        // If-None-Match compares weakly: `W/"7"` matches `"7"`.
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

fn malformed(name: header::HeaderName) -> ApiError {
    ApiError::bad_request(
        "malformed_header",
        format!("`{name}` must list entity tags like `\"3\"`, or be `*`"),
    )
}

/// The request's `If-Match` and `If-None-Match` headers, the only ones the CRUD
/// handlers read: a copy of those rather than of every header.
pub(crate) struct Conditions(pub HeaderMap);

impl<S: Send + Sync> FromRequestParts<S> for Conditions {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut headers = HeaderMap::new();
        for name in [header::IF_MATCH, header::IF_NONE_MATCH] {
            for value in parts.headers.get_all(&name) {
                headers.append(name.clone(), value.clone());
            }
        }
        Ok(Conditions(headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn if_match_lists_strong_tags() {
        let parse = |v| IfMatch::from_headers(&headers(header::IF_MATCH, v)).unwrap();
        assert_eq!(parse("\"3\""), IfMatch::Versions(vec![3]));
        assert_eq!(parse("\"3\", W/\"4\", \"x\""), IfMatch::Versions(vec![3]));
        assert_eq!(parse("*"), IfMatch::Any);
        assert!(IfMatch::from_headers(&headers(header::IF_MATCH, "3")).is_err());
        assert_eq!(
            IfMatch::from_headers(&HeaderMap::new()).unwrap(),
            IfMatch::Absent
        );
        assert_eq!(parse("\"3\"").check(4, false).unwrap_err().status(), 412);
        assert!(parse("\"3\"").check(3, true).is_ok());
        assert_eq!(IfMatch::Absent.check(3, true).unwrap_err().status(), 428);
    }

    #[test]
    fn if_none_match_compares_weakly() {
        assert!(not_modified(&headers(header::IF_NONE_MATCH, "W/\"7\""), 7));
        assert!(not_modified(
            &headers(header::IF_NONE_MATCH, "\"1\", \"7\""),
            7
        ));
        assert!(!not_modified(&headers(header::IF_NONE_MATCH, "\"6\""), 7));
        assert!(!not_modified(&HeaderMap::new(), 7));
    }
}
