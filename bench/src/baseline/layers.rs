//! The production layers of the baseline: what an expert puts in front of an axum API
//! that serves the public, composed with `tower::ServiceBuilder` and added with one
//! `Router::layer` call, from tower-http's stock layers. They give the baseline's
//! answers what ferrest's carry: a request id (taken from the request or a fresh
//! UUID, echoed on the response) and a tracing span per request, a log line per
//! response, the security headers (`nosniff`, no referrer, a `Content-Security-Policy`
//! that allows nothing), compression, a `500` instead of a dropped connection when a
//! handler panics, a 30 s time limit and a 1 MiB body limit.
//!
//! ferrest's own layer also authenticates every request, meters it for rate limits,
//! and turns bare errors into problems; the baseline does only what its routes need
//! (it checks the token in the write handlers).

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `router` behind the production layers; the first one added is the outermost.
pub fn wrap(router: Router) -> Router {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router.layer(
        tower::ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(span)
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(header(header::REFERRER_POLICY, "no-referrer"))
            .layer(header(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; frame-ancestors 'none'",
            ))
            .layer(CompressionLayer::new())
            .layer(CatchPanicLayer::custom(panicked))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                Duration::from_secs(30),
            ))
            .layer(DefaultBodyLimit::max(1024 * 1024)),
    )
}

fn span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
}

fn panicked(_: Box<dyn std::any::Any + Send>) -> Response {
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}
