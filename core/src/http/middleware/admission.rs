//! The layer in front of the routes: who the caller is and whether the app's rate
//! limit lets them in, the request's time limit, and the guarantee that whatever goes
//! wrong beneath (a panic, a timeout, an error without a body) leaves as a problem in
//! the media type the client accepts. One service for what would otherwise be six
//! layers, each costing every request a clone and a boxed future.

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use tower::{Layer, Service};

use super::problems::{accepts_only_plain_json, bare_error_as_problem, negotiate};
use crate::auth::{Auth, Now};
use crate::problem::ApiError;
use crate::rate_limit::Limiter;

/// What the admission of a request needs, shared by every route.
pub(crate) struct Admission {
    pub auth: Arc<Auth>,
    pub limiter: Arc<Limiter>,
    pub timeout: Option<Duration>,
}

#[derive(Clone)]
pub(crate) struct AdmissionLayer(pub Arc<Admission>);

impl<S> Layer<S> for AdmissionLayer {
    type Service = Admit<S>;

    fn layer(&self, inner: S) -> Admit<S> {
        Admit {
            inner,
            admission: self.0.clone(),
        }
    }
}

type AdmitFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

#[derive(Clone)]
pub(crate) struct Admit<S> {
    inner: S,
    admission: Arc<Admission>,
}

impl<S> Service<Request> for Admit<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = AdmitFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let plain_json = accepts_only_plain_json(request.headers());
        let timeout = self.admission.timeout;
        if let Err(problem) = super::request_head::check(&request) {
            return answered(problem.into_response(), plain_json);
        }
        // Most requests need nothing awaited before their route: credentials checked in
        // memory, and no count against an app-wide limit. They call the route that was
        // polled ready, right here.
        let request = match self.admission.admit_now(request) {
            Now::Admitted(request) => {
                let route =
                    match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
                        Ok(route) => route.map(|Ok(response)| response),
                        Err(_panic) => {
                            return answered(ApiError::internal().into_response(), plain_json);
                        }
                    };
                return Box::pin(async move { Ok(answer(route, timeout, plain_json).await) });
            }
            Now::Refused(refused) => return answered(refused, plain_json),
            Now::Later(request) => request,
        };
        // Otherwise the route is called after an await: the service that was polled
        // ready goes with the request, a clone stays behind for the next one.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        let admission = self.admission.clone();
        Box::pin(async move {
            let route = admission.run(request, inner);
            Ok(answer(route, timeout, plain_json).await)
        })
    }
}

/// A response decided before the route was called, in the media type the client
/// accepts.
fn answered(response: Response, plain_json: bool) -> AdmitFuture {
    Box::pin(std::future::ready(Ok(negotiate(response, plain_json))))
}

/// The route's answer within the time limit, with a panic, a timeout or a bare error
/// turned into a problem, in the media type the client accepts.
async fn answer(
    route: impl Future<Output = Response>,
    timeout: Option<Duration>,
    plain_json: bool,
) -> Response {
    let admitted = AssertUnwindSafe(route).catch_unwind();
    let outcome = match timeout {
        None => admitted.await,
        Some(limit) => match tokio::time::timeout(limit, admitted).await {
            Ok(outcome) => outcome,
            // The handler is dropped here, so a transaction it had open rolls back.
            Err(_) => Ok(timed_out(limit)),
        },
    };
    let response = match outcome {
        Ok(response) => bare_error_as_problem(response).await,
        Err(_panic) => ApiError::internal().into_response(),
    };
    negotiate(response, plain_json)
}

impl Admission {
    /// The admission of a request when nothing needs awaiting; [`Now::Later`] gives
    /// the request back for [`Admission::run`] (an authenticator to await, a count to
    /// make).
    fn admit_now(&self, request: Request) -> Now {
        if self.limiter.app.is_some() {
            // Even refused credentials count against the app's limit.
            return Now::Later(request);
        }
        let mut now = crate::auth::authenticate_now(&self.auth, request);
        if let Now::Admitted(request) = &mut now {
            crate::rate_limit::meter_now(&self.limiter, request);
        }
        now
    }

    /// Authentication, then the app's rate limit, then the route.
    async fn run<S>(&self, request: Request, mut route: S) -> Response
    where
        S: Service<Request, Response = Response, Error = Infallible>,
    {
        let request = match crate::auth::authenticate(&self.auth, &self.limiter, request).await {
            Ok(request) => request,
            Err(refused) => return refused,
        };
        let (request, hit) = match crate::rate_limit::meter(&self.limiter, request).await {
            Ok(metered) => metered,
            Err(refused) => return refused,
        };
        let Ok(mut response) = route.call(request).await;
        if let Some(hit) = hit {
            hit.headers(response.headers_mut());
        }
        response
    }
}

fn timed_out(limit: Duration) -> Response {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "timeout",
        format!(
            "the request did not complete within {} ms; retry later",
            limit.as_millis()
        ),
    )
    .into_response()
}
