//! The outermost layer: gives every request an id, runs it in a tracing span, logs its
//! response, and sets the headers every response carries (the id, and the security
//! headers). One small service rather than four tower-http layers, because every layer
//! level costs each request a clone and a boxed future.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use tower::{Layer, Service};
use tracing::Instrument;

use super::{API_CSP, DOCS_CSP, REQUEST_ID};

/// See the module: `security_headers` is [`crate::App::security_headers`].
#[derive(Clone, Copy)]
pub(crate) struct EdgeLayer {
    pub security_headers: bool,
}

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            inner,
            security_headers: self.security_headers,
        }
    }
}

#[derive(Clone)]
pub(crate) struct Edge<S> {
    inner: S,
    security_headers: bool,
}

impl<S> Service<Request> for Edge<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        // The client's (or a proxy's) id when it sent one, so that logs on both
        // sides of a hop share it; a fresh UUID otherwise.
        let id = match request.headers().get(REQUEST_ID) {
            Some(id) => id.clone(),
            None => {
                let id = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                    .expect("a UUID is a header value");
                request.headers_mut().insert(REQUEST_ID, id.clone());
                id
            }
        };
        let policy = self.security_headers.then(|| {
            if crate::rate_limit::is_docs(request.uri().path()) {
                DOCS_CSP
            } else {
                API_CSP
            }
        });
        let span = tracing::info_span!(
            "request",
            method = %request.method(),
            uri = %request.uri(),
            request_id = id.to_str().unwrap_or(""),
        );
        let start = Instant::now();
        let response = span.in_scope(|| self.inner.call(request));
        Box::pin(
            async move {
                let Ok(mut response) = response.await;
                let status = response.status();
                let latency = start.elapsed().as_micros();
                if status.is_server_error() {
                    tracing::error!(
                        status = status.as_u16(),
                        latency_us = latency,
                        "response failed"
                    );
                } else {
                    tracing::info!(
                        status = status.as_u16(),
                        latency_us = latency,
                        "finished processing request"
                    );
                }
                let headers = response.headers_mut();
                headers.entry(REQUEST_ID).or_insert(id);
                if let Some(policy) = policy {
                    for (name, value) in [
                        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                        (header::REFERRER_POLICY, "no-referrer"),
                        (header::CONTENT_SECURITY_POLICY, policy),
                    ] {
                        headers
                            .entry(name)
                            .or_insert(HeaderValue::from_static(value));
                    }
                }
                Ok(response)
            }
            .instrument(span),
        )
    }
}
