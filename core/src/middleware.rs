//! The layers around every route: request ids, tracing, panics, timeouts, compression,
//! CORS, the body limit, and the user's own layers. Each comes from tower-http; this
//! file only orders them and turns their bare error responses into problems.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::Route;
use tower::{Layer, Service};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::db::AppState;
use crate::problem::{ApiError, PROBLEM_JSON};

/// Largest request body accepted; larger ones get `413` problem+json.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long a request may take before it is answered with `503` and code `timeout`
/// (the handler is dropped, so a transaction it had open rolls back).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The header that carries the request id: taken from the request when the client (or a
/// proxy) sends one, generated otherwise, and echoed on the response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The `Content-Security-Policy` of API responses: JSON is never a document, so it may
/// load nothing and be framed by nobody.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The `Content-Security-Policy` of `/docs`: Swagger UI loads its scripts and styles
/// from this server (never from a CDN), sets inline styles and data-URI icons, and
/// fetches the document from here.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// A layer the user added, applied to a router.
pub(crate) type Wrap = Box<dyn FnOnce(Router<AppState>) -> Router<AppState> + Send>;

/// The middleware settings of an app.
pub(crate) struct Middleware {
    pub timeout: Option<Duration>,
    pub compression: bool,
    pub cors: Option<CorsLayer>,
    pub security_headers: bool,
    pub layers: Vec<Wrap>,
}

impl Default for Middleware {
    fn default() -> Self {
        Middleware {
            timeout: Some(DEFAULT_TIMEOUT),
            compression: true,
            cors: None,
            security_headers: true,
            layers: Vec::new(),
        }
    }
}

/// `router.layer(layer)` as a deferred step, for the app's and a resource's own layers.
pub(crate) fn wrap<L>(layer: L) -> Wrap
where
    L: Layer<Route> + Clone + Send + Sync + 'static,
    L::Service: Service<Request> + Clone + Send + Sync + 'static,
    <L::Service as Service<Request>>::Response: IntoResponse + 'static,
    <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
    <L::Service as Service<Request>>::Future: Send + 'static,
{
    Box::new(move |router: Router<AppState>| router.layer(layer))
}

impl Middleware {
    /// Wraps the routes, innermost first: the user's layers, rate limits, authentication, the body limit, the timeout,
    /// problems for bodiless and plain-text errors, the panic catcher, the problems'
    /// media type by `Accept`, compression,
    /// CORS, and request ids around tracing. Every response is then a problem when it
    /// is an error, compressed after it became one, with CORS headers and an id even
    /// when a handler panicked.
    pub(crate) fn apply(
        self,
        mut router: Router<AppState>,
        auth: std::sync::Arc<crate::auth::Auth>,
        limiter: std::sync::Arc<crate::rate_limit::Limiter>,
    ) -> Router<AppState> {
        for layer in self.layers {
            router = layer(router);
        }
        let meter = limiter.clone();
        router = router.layer(axum::middleware::from_fn(move |request, next| {
            crate::rate_limit::meter(meter.clone(), request, next)
        }));
        // Outside the user's layers and the rate limits, so they see the caller too.
        router = router.layer(axum::middleware::from_fn(move |request, next| {
            crate::auth::authenticate(auth.clone(), limiter.clone(), request, next)
        }));
        router = router.layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
        if let Some(timeout) = self.timeout {
            router = router.layer(axum::middleware::from_fn(
                move |request: Request, next: axum::middleware::Next| async move {
                    match tokio::time::timeout(timeout, next.run(request)).await {
                        Ok(response) => response,
                        Err(_) => ApiError::new(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "timeout",
                            format!(
                                "the request did not complete within {} ms; retry later",
                                timeout.as_millis()
                            ),
                        )
                        .into_response(),
                    }
                },
            ));
        }
        router = router
            .layer(axum::middleware::map_response(bare_error_as_problem))
            .layer(CatchPanicLayer::custom(|_| {
                ApiError::internal().into_response()
            }))
            .layer(axum::middleware::from_fn(negotiate_problem));
        if self.compression {
            router = router.layer(CompressionLayer::new());
        }
        if let Some(cors) = self.cors {
            router = router.layer(cors);
        }
        if self.security_headers {
            router = router.layer(axum::middleware::from_fn(security_headers));
        }
        router
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|request: &Request| {
                        let id = request
                            .headers()
                            .get(REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("");
                        tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
                    })
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
    }
}

/// Problems go out as `application/problem+json` (RFC 9457), unless the client's
/// `Accept` takes `application/json` and not that: client generators that type JSON
/// bodies only (progenitor sends `Accept: application/json`) then get the same body as
/// `application/json`, and so a typed error.
async fn negotiate_problem(request: Request, next: axum::middleware::Next) -> Response {
    let plain_json = accepts_only_plain_json(request.headers());
    let mut response = next.run(request).await;
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
fn accepts_only_plain_json(headers: &axum::http::HeaderMap) -> bool {
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

/// Headers that keep browsers from misreading or framing responses, on every response
/// (errors included) unless a handler set them: `nosniff`, no referrer, and a
/// `Content-Security-Policy` that allows nothing for the API and what Swagger UI needs
/// for `/docs`. ferrest sends no `Server` header to announce itself.
async fn security_headers(request: Request, next: axum::middleware::Next) -> Response {
    let policy = if crate::rate_limit::is_docs(request.uri().path()) {
        DOCS_CSP
    } else {
        API_CSP
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, policy),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// The CORS policy of `FERREST_CORS_ORIGINS` (comma separated origins): those origins
/// may call every method with credentials and the headers ferrest reads, and read the
/// headers it sends.
pub(crate) fn cors_for(origins: &str) -> Result<CorsLayer, String> {
    use axum::http::{HeaderValue, Method};
    let origins = origins
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            HeaderValue::from_str(origin)
                .ok()
                .filter(|_| origin.starts_with("http://") || origin.starts_with("https://"))
                .ok_or_else(|| {
                    format!("FERREST_CORS_ORIGINS: `{origin}` is not an origin like `https://shop.example`")
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("x-api-key"),
            REQUEST_ID,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            REQUEST_ID,
            HeaderName::from_static("ratelimit"),
            HeaderName::from_static("ratelimit-policy"),
        ])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600)))
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
