//! The layers around every route, outermost first: the request's id, span, log line
//! and security headers (`edge`), CORS, compression, and the admission of the request
//! (`admission`: authentication, the app's rate limit, the time limit, and problems for
//! whatever goes wrong beneath), idempotency keys, the body limit, then the user's own
//! layers.
//!
//! They wrap the router in one `Router::layer` call: axum boxes every route once per
//! call, and each boxed level clones what is beneath it on every request, so the cost of
//! separate calls grows with the square of their number.

mod admission;
mod edge;
mod problems;
mod request_head;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, header};
use axum::response::IntoResponse;
use axum::routing::Route;
use tower::{Layer, Service, ServiceBuilder};
#[cfg(feature = "compression")]
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;

use crate::db::AppState;
use crate::validate::MAX_BODY_BYTES;

#[cfg(feature = "swagger-ui")]
pub(crate) use problems::bare_error_as_problem;
pub use request_head::{MAX_HEADER_BYTES, MAX_HEADERS, MAX_URI_BYTES};

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
    #[cfg(feature = "compression")]
    pub compression: bool,
    pub cors: Option<CorsLayer>,
    pub security_headers: bool,
    pub layers: Vec<Wrap>,
}

impl Default for Middleware {
    fn default() -> Self {
        Middleware {
            timeout: Some(DEFAULT_TIMEOUT),
            #[cfg(feature = "compression")]
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
    /// Wraps the routes in the layers the module lists. Every response is then a
    /// problem when it is an error, compressed after it became one, with CORS headers
    /// and an id even when a handler panicked.
    pub(crate) fn apply(
        self,
        mut router: Router<AppState>,
        auth: Arc<crate::auth::Auth>,
        limiter: Arc<crate::rate_limit::Limiter>,
        idempotency: Option<Arc<crate::idempotency::Keys>>,
    ) -> Router<AppState> {
        // The user's layers see the caller and the app's limit (they are inside the
        // admission); each is its own `Router::layer` call, as the user added it.
        for layer in self.layers {
            router = layer(router);
        }
        // Around each route, after routing: a key is taken only by a request that
        // reached a `POST` operation, never by one to an unknown path (`404`) or a
        // route without `POST` (`405`). Inside the admission: a key belongs to the
        // caller it found.
        if let Some(keys) = idempotency.filter(|_| router.has_routes()) {
            router = router.route_layer(crate::idempotency::IdempotencyLayer(keys));
        }
        let admission = admission::Admission {
            auth,
            limiter,
            timeout: self.timeout,
        };
        let stack = ServiceBuilder::new()
            .layer(edge::EdgeLayer {
                security_headers: self.security_headers,
            })
            .option_layer(self.cors);
        #[cfg(feature = "compression")]
        let stack = stack.option_layer(self.compression.then(|| {
            // Compression changes the body's type; back to axum's `Response`, the
            // type of the arm without it.
            ServiceBuilder::new()
                .map_response(IntoResponse::into_response)
                .layer(CompressionLayer::new())
                .into_inner()
        }));
        let stack = stack
            .layer(admission::AdmissionLayer(Arc::new(admission)))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
        router.layer(stack)
    }
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
            crate::idempotency::IDEMPOTENCY_KEY,
            HeaderName::from_static("x-api-key"),
            REQUEST_ID,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            REQUEST_ID,
            crate::idempotency::IDEMPOTENT_REPLAYED,
            HeaderName::from_static("ratelimit"),
            HeaderName::from_static("ratelimit-policy"),
        ])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600)))
}
