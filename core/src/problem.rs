//! RFC 9457 problem details: the one error body every ferrest response uses.

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The most field errors a problem lists. A body with more failures (a megabyte of
/// unknown keys, say) is answered with the first ones, and `errors_omitted` counts
/// the rest: the answer stays small whatever the request.
pub const MAX_FIELD_ERRORS: usize = 50;

/// The `Retry-After` of a `503` that sets none: an unavailable service tells clients
/// when to come back (RFC 9110, 10.2.3) rather than leave them to retry at once.
///
/// ```
/// use axum::response::IntoResponse;
/// let response = ferrest::ApiError::new(
///     axum::http::StatusCode::SERVICE_UNAVAILABLE, "down", "the catalogue is down",
/// ).into_response();
/// assert_eq!(response.headers()["retry-after"], ferrest::DEFAULT_RETRY_AFTER_SECS.to_string());
/// ```
pub const DEFAULT_RETRY_AFTER_SECS: u32 = 1;

/// An error answered as `application/problem+json` (RFC 9457).
///
/// `type` is always `about:blank`, so `title` is the status phrase; the machine
/// readable reason is the `code` extension member, and field level failures are
/// listed in `errors`.
///
/// ```
/// use ferrest::ApiError;
/// let err = ApiError::not_found("no book with id 7");
/// assert_eq!(err.status().as_u16(), 404);
/// assert_eq!(err.code(), "not_found");
/// ```
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: Cow<'static, str>,
    detail: String,
    errors: Vec<FieldError>,
    /// Field errors past [`MAX_FIELD_ERRORS`], counted but not listed (a `u32` keeps
    /// `ApiError` within clippy's size for an `Err`; a 1 MiB body has fewer keys).
    omitted: u32,
    parameter: Option<Box<str>>,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

/// One failing field of a request body: where, which rule, and a sentence.
///
/// ```
/// use ferrest::FieldError;
/// let e = FieldError::new("title", "length", "must be at most 200 characters");
/// assert_eq!(e.pointer, "/title");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// JSON Pointer (RFC 6901) into the request body.
    pub pointer: String,
    /// Stable identifier of the failed rule (`length`, `range`, `required`, ...).
    pub code: Cow<'static, str>,
    /// Human readable explanation.
    pub detail: String,
}

impl FieldError {
    /// An error for the top-level property `field` (pointer `/field`, RFC 6901 escaped).
    pub fn new(field: &str, code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        FieldError {
            pointer: format!("/{}", field.replace('~', "~0").replace('/', "~1")),
            code: code.into(),
            detail: detail.into(),
        }
    }

    /// An error about the body as a whole (pointer `""`).
    pub fn body(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        FieldError {
            pointer: String::new(),
            code: code.into(),
            detail: detail.into(),
        }
    }
}

impl ApiError {
    /// A problem with any status and code.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code: code.into(),
            detail: detail.into(),
            errors: Vec::new(),
            omitted: 0,
            parameter: None,
            headers: Vec::new(),
        }
    }

    /// 400 `invalid_parameter`: the query parameter `name` has a value the endpoint
    /// cannot use; `what` completes the sentence "query parameter `name` ...".
    ///
    /// ```
    /// let err = ferrest::ApiError::invalid_parameter("limit", "must be a positive integer");
    /// assert_eq!(err.detail(), "query parameter `limit` must be a positive integer");
    /// assert_eq!(err.parameter(), Some("limit"));
    /// ```
    pub fn invalid_parameter(name: &str, what: impl std::fmt::Display) -> Self {
        let mut err = Self::bad_request(
            "invalid_parameter",
            format!("query parameter `{name}` {what}"),
        );
        err.parameter = Some(name.into());
        err
    }

    /// 400 `unknown_parameter`: the endpoint takes no query parameter `name`.
    pub fn unknown_parameter(name: &str, detail: impl Into<String>) -> Self {
        let mut err = Self::bad_request("unknown_parameter", detail);
        err.parameter = Some(name.into());
        err
    }

    /// 400: the request is malformed (bad JSON, bad query or path parameter).
    pub fn bad_request(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 404 `not_found`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    /// 409 `conflict`.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", detail)
    }

    /// 422 `validation_failed` listing the failing fields, at most
    /// [`MAX_FIELD_ERRORS`] of them; `errors_omitted` counts the others.
    ///
    /// ```
    /// use ferrest::{ApiError, FieldError, MAX_FIELD_ERRORS};
    /// let unknown = (0..70).map(|i| FieldError::new(&format!("k{i}"), "unknown_field", "unknown"));
    /// let err = ApiError::validation(unknown.collect());
    /// assert_eq!(err.errors().len(), MAX_FIELD_ERRORS);
    /// assert_eq!(err.errors_omitted(), 20);
    /// assert_eq!(err.detail(), "70 fields are invalid; the first 50 errors are listed");
    /// ```
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::validation_counted(errors, 0)
    }

    /// [`ApiError::validation`] for a check that stopped collecting: `unlisted` more
    /// fields failed (unknown keys past the first [`MAX_FIELD_ERRORS`]) and were
    /// counted, not made into errors.
    pub(crate) fn validation_counted(errors: Vec<FieldError>, unlisted: usize) -> Self {
        let mut pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        pointers.sort_unstable();
        pointers.dedup();
        let mut detail = match pointers.len() + unlisted {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        };
        if errors.len() + unlisted > MAX_FIELD_ERRORS {
            detail.push_str(&format!("; the first {MAX_FIELD_ERRORS} errors are listed"));
        }
        let mut err = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            detail,
        );
        err.omitted = u32::try_from(unlisted).unwrap_or(u32::MAX);
        err.with_errors(errors)
    }

    /// 503 `unavailable`: the database cannot be reached; the client may retry (after
    /// [`DEFAULT_RETRY_AFTER_SECS`], as every `503` says in `Retry-After`).
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
    }

    /// 500 `internal`: a server fault. The detail stays generic; the cause is logged.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to handle the request",
        )
    }

    /// Adds field errors to the body; past [`MAX_FIELD_ERRORS`] they are counted in
    /// `errors_omitted` instead.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        let room = MAX_FIELD_ERRORS.saturating_sub(self.errors.len());
        let omitted = u32::try_from(errors.len().saturating_sub(room)).unwrap_or(u32::MAX);
        self.omitted = self.omitted.saturating_add(omitted);
        self.errors.extend(errors.into_iter().take(room));
        self
    }

    /// Adds a response header (`Allow`, `Retry-After`, ...).
    pub fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Machine readable reason.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Human readable explanation.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Field level failures.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// How many field errors were left out of [`ApiError::errors`], past
    /// [`MAX_FIELD_ERRORS`].
    pub fn errors_omitted(&self) -> usize {
        self.omitted as usize
    }

    /// The query parameter at fault, for 400s about one.
    pub fn parameter(&self) -> Option<&str> {
        self.parameter.as_deref()
    }
}

/// One error a typed error enum can produce: its status, code and meaning, for the
/// document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    /// HTTP status.
    pub status: u16,
    /// The problem's `code`.
    pub code: &'static str,
    /// When it happens (the variant's doc comment).
    pub description: &'static str,
}

/// The errors a type can answer with; `#[derive(ApiError)]` implements it.
///
/// ```
/// use ferrest::{ApiError, ErrorResponses};
///
/// #[derive(Debug, ApiError)]
/// pub enum ShelfError {
///     /// The shelf holds its maximum of books.
///     #[rest(status = 409, code = "shelf_full")]
///     Full { capacity: u32 },
///     #[rest(status = 404, detail = "no shelf `{label}`")]
///     Missing { label: String },
/// }
///
/// let problem = ApiError::from(ShelfError::Missing { label: "B2".into() });
/// assert_eq!((problem.status().as_u16(), problem.code()), (404, "missing"));
/// assert_eq!(problem.detail(), "no shelf `B2`");
/// assert_eq!(ApiError::from(ShelfError::Full { capacity: 3 }).detail(), "The shelf holds its maximum of books");
/// assert_eq!(ShelfError::responses()[0].code, "shelf_full");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a typed error",
    note = "add `#[derive(ApiError)]` to `{Self}`, or return `ferrest::ApiError`"
)]
pub trait ErrorResponses {
    /// Each status and code, in declaration order.
    fn responses() -> Vec<ErrorResponse>;
}

/// A plain `ApiError` can be anything; operations document their usual problems.
impl ErrorResponses for ApiError {
    fn responses() -> Vec<ErrorResponse> {
        Vec::new()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl std::error::Error for ApiError {}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
    #[serde(skip_serializing_if = "is_zero")]
    errors_omitted: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            kind: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: &self.detail,
            code: &self.code,
            parameter: self.parameter.as_deref(),
            errors: &self.errors,
            errors_omitted: self.omitted,
        };
        let bytes = serde_json::to_vec(&body).expect("problem body serializes");
        let mut response = (self.status, bytes).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            headers
                .entry(header::RETRY_AFTER)
                .or_insert(HeaderValue::from(DEFAULT_RETRY_AFTER_SECS));
        }
        response
    }
}
