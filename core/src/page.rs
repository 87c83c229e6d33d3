//! The body of a list response.

use serde::Serialize;

/// `limit` when the client gives none.
pub const DEFAULT_LIMIT: u64 = 20;

/// One page of a list: `{"items": [...], "limit": L, "offset": O?, "total": N?,
/// "next_cursor": C?}`.
///
/// ```
/// let page = ferrest::Page { items: vec![1, 2], limit: 2, offset: Some(0), total: None, next_cursor: None };
/// assert_eq!(serde_json::to_string(&page).unwrap(), r#"{"items":[1,2],"limit":2,"offset":0}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The rows of this page, in order.
    pub items: Vec<T>,
    /// The page size used (the requested `limit`, clamped to the resource's maximum).
    pub limit: u64,
    /// Rows skipped before this page; offset pagination only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Rows matching the request, only when `?count=true` asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// The `cursor` of the next page; cursor pagination only, absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
