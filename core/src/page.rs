//! Offset pagination: the `limit`/`offset`/`count` query parameters and the page body.

use serde::Serialize;

use crate::problem::ApiError;
use crate::spec::ResourceSpec;

/// `limit` when the client gives none.
pub const DEFAULT_LIMIT: u64 = 20;

/// One page of a list: `{"items": [...], "limit": L, "offset": O, "total": N?}`.
///
/// ```
/// let page = ferrest::Page { items: vec![1, 2], limit: 2, offset: 0, total: None };
/// assert_eq!(serde_json::to_string(&page).unwrap(), r#"{"items":[1,2],"limit":2,"offset":0}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The rows of this page, in order.
    pub items: Vec<T>,
    /// The page size used (the requested `limit`, clamped to the resource's maximum).
    pub limit: u64,
    /// Rows skipped before this page.
    pub offset: u64,
    /// Rows matching the request, only when `?count=true` asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// The parsed query of a list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    pub offset: u64,
    pub count: bool,
}

impl PageRequest {
    /// Parses `limit`, `offset` and `count`; any other parameter is an error, so a
    /// misspelled filter is reported instead of silently returning everything.
    pub fn parse(spec: &ResourceSpec, query: Option<&str>) -> Result<Self, ApiError> {
        let mut request = PageRequest {
            limit: DEFAULT_LIMIT.min(spec.max_limit),
            offset: 0,
            count: false,
        };
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            if seen.iter().any(|k| *k == key) {
                return Err(invalid(&key, "is given more than once"));
            }
            seen.push(key.to_string());
            match &*key {
                "limit" => {
                    let limit: u64 = crate::extract::parse_integer(&value)
                        .and_then(|n| u64::try_from(n).ok())
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| invalid("limit", "must be a positive integer"))?;
                    request.limit = limit.min(spec.max_limit);
                }
                "offset" => {
                    request.offset = crate::extract::parse_integer(&value)
                        .and_then(|n| u64::try_from(n).ok())
                        .ok_or_else(|| invalid("offset", "must be a non-negative integer"))?;
                }
                "count" => {
                    request.count = match &*value {
                        "true" => true,
                        "false" => false,
                        _ => return Err(invalid("count", "must be `true` or `false`")),
                    };
                }
                other => {
                    return Err(ApiError::bad_request(
                        "unknown_parameter",
                        format!(
                            "unknown query parameter `{other}`, expected one of: limit, offset, count"
                        ),
                    ));
                }
            }
        }
        Ok(request)
    }
}

fn invalid(parameter: &str, what: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_parameter",
        format!("query parameter `{parameter}` {what}"),
    )
}
