//! The layer that answers retries: around each route, after routing (it needs the
//! operation) and inside the admission (it needs the caller). A request without a key
//! costs one header lookup.

use std::collections::HashSet;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
use sea_orm::DatabaseConnection;
use tower::{Layer, Service};

use super::store::{self, Reserved, Stored};
use super::{
    IDEMPOTENT_REPLAYED, Idempotency, LEASE_WITHOUT_TIME_LIMIT, Reservation, digest, key_of,
};
use crate::auth::Caller;
use crate::problem::ApiError;

/// The keys' table and settings, shared by every request.
pub(crate) struct Keys {
    db: DatabaseConnection,
    ttl_ms: i64,
    /// How long a reservation is its request's: past the request's time limit (the
    /// request was dropped then), with a margin for a commit under way; without a time
    /// limit, [`LEASE_WITHOUT_TIME_LIMIT`].
    lease_ms: i64,
    /// The routes (as `MatchedPath` names them) that have a `POST` operation: only
    /// those take keys, so a `POST` to any other path never touches the table.
    posts: HashSet<String>,
    /// When expired keys were last purged (ms since the epoch).
    purged_at: AtomicI64,
}

/// The headers a replay repeats: those that say what the answer is and where the
/// result lives. Not the request id, nor the rate limit's state.
const REPLAYED_HEADERS: [header::HeaderName; 6] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::ETAG,
    header::LAST_MODIFIED,
    header::CONTENT_LOCATION,
    header::LINK,
];

/// Expired keys are purged at most this often (and sooner for shorter lifetimes).
const PURGE_EVERY_MS: i64 = 60_000;

impl Keys {
    pub(crate) fn new(
        db: DatabaseConnection,
        settings: Idempotency,
        timeout: Option<Duration>,
        posts: HashSet<String>,
    ) -> Keys {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4);
        Keys {
            db,
            ttl_ms: ms(settings.kept_for()),
            lease_ms: timeout.map_or(ms(LEASE_WITHOUT_TIME_LIMIT), |t| ms(t) + 60_000),
            posts,
            purged_at: AtomicI64::new(0),
        }
    }

    /// Whether `request` reached an operation that takes keys: a `POST` from an
    /// authenticated caller to a route with a `POST` operation. An anonymous request
    /// has no caller to own a key: anyone could replay its answer, or learn that the
    /// key exists, by sending the same key; its key is ignored.
    fn takes_key(&self, request: &Request) -> bool {
        request.method() == Method::POST
            && request
                .extensions()
                .get::<Caller>()
                .is_some_and(|caller| caller.principal.is_some())
            && request
                .extensions()
                .get::<MatchedPath>()
                .is_some_and(|path| self.posts.contains(path.as_str()))
    }

    /// The request with its key: the stored answer, a refusal, or the request run and
    /// its answer stored.
    async fn run<S>(self: Arc<Self>, request: Request, key: String, mut route: S) -> Response
    where
        S: Service<Request, Response = Response, Error = Infallible>,
    {
        let (mut parts, body) = request.into_parts();
        let Ok(body) = axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await else {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the body is larger than {} bytes", crate::MAX_BODY_BYTES),
            )
            .into_response();
        };
        let path = parts.uri.path_and_query().map_or("", |p| p.as_str());
        let fingerprint = digest(&[parts.method.as_str().as_bytes(), path.as_bytes(), &body]);
        // Keys are the caller's own: another caller's same key is another key. A
        // subject is unique only within its authenticator and, for tokens, its issuer
        // (a token's `sub` may equal an API key's owner).
        let caller = Caller::of(&parts.extensions);
        let authenticator = caller.authenticator().unwrap_or_default();
        let (issuer, subject) = caller.principal.as_deref().map_or(("", ""), |p| {
            let issuer = p.claims.get("iss").and_then(|iss| iss.as_str());
            (issuer.unwrap_or_default(), p.subject.as_str())
        });
        let id = digest(&[
            authenticator.as_bytes(),
            issuer.as_bytes(),
            subject.as_bytes(),
            key.as_bytes(),
        ]);
        let now = now_ms();
        if let Err(error) = self.purge_if_due(now).await {
            tracing::warn!(%error, "purging expired idempotency keys failed");
        }
        let reserved = store::reserve(
            &self.db,
            &id,
            &fingerprint,
            now,
            now.saturating_add(self.lease_ms),
            now.saturating_add(self.lease_ms.max(self.ttl_ms)),
        )
        .await;
        match reserved {
            Ok(Reserved::Ours) => {}
            Ok(Reserved::Answered(stored)) => return replay(stored),
            Ok(Reserved::Mismatch) => return mismatch(),
            Ok(Reserved::InFlight) => return in_flight(),
            Ok(Reserved::AppliedUnanswered) => return applied_unanswered(),
            Err(error) => {
                // Running it unguarded could apply it twice: refuse, the client retries.
                tracing::error!(%error, "reading an idempotency key failed");
                return ApiError::unavailable("idempotency keys cannot be read now; retry later")
                    .into_response();
            }
        }
        let id: Arc<str> = id.into();
        parts.extensions.insert(Reservation(id.clone()));
        // Gives the key back if the request is dropped (its time limit passed) before
        // it is answered.
        let mut held = Held {
            keys: Some(self.clone()),
            id: id.clone(),
        };
        let Ok(response) = route
            .call(Request::from_parts(parts, Body::from(body)))
            .await;
        let (parts, body) = response.into_parts();
        if !kept(parts.status) {
            held.release().await;
            return Response::from_parts(parts, body);
        }
        let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
            held.release().await;
            return ApiError::internal().into_response();
        };
        let stored = Stored {
            status: parts.status.as_u16(),
            headers: REPLAYED_HEADERS
                .iter()
                .flat_map(|name| {
                    parts.headers.get_all(name).iter().filter_map(|value| {
                        Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
                    })
                })
                .collect(),
            body: body.to_vec(),
        };
        let expires_at = now_ms().saturating_add(self.ttl_ms);
        if let Err(error) = store::answered(&self.db, &id, &stored, expires_at).await {
            // Retries get `409` instead of the answer; nothing runs twice.
            tracing::error!(%error, "storing the answer of an idempotency key failed");
        }
        held.keys = None;
        Response::from_parts(parts, Body::from(body))
    }

    /// Deletes the expired keys when the last purge is older than a minute (or than
    /// the keys' lifetime): one indexed statement, in the request that found it due.
    async fn purge_if_due(&self, now: i64) -> Result<(), sea_orm::DbErr> {
        let last = self.purged_at.load(Ordering::Relaxed);
        if now - last < PURGE_EVERY_MS.min(self.ttl_ms)
            || self
                .purged_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Ok(());
        }
        let purged = store::purge(&self.db, now).await?;
        if purged > 0 {
            tracing::debug!(purged, "expired idempotency keys purged");
        }
        Ok(())
    }
}

/// Whether an answer is stored for retries. A `5xx` is not, so that a retry can
/// succeed (Stripe's rule), nor are the answers that say the request was not let in
/// and may be later (`401`, `403`, `408`, `425`, `429`) or did not reach an operation
/// (`404`, `405`, `413`): nothing ran that a retry could repeat.
fn kept(status: StatusCode) -> bool {
    !status.is_server_error()
        && !matches!(
            status.as_u16(),
            401 | 403 | 404 | 405 | 408 | 413 | 425 | 429
        )
}

/// The stored answer again, marked as a replay.
fn replay(stored: Stored) -> Response {
    let mut response = Response::new(Body::from(stored.body));
    *response.status_mut() = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::try_from(name),
            HeaderValue::try_from(value),
        ) {
            headers.append(name, value);
        }
    }
    headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    response
}

fn mismatch() -> Response {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "this `Idempotency-Key` was used for another request (another method, path or body); use a new key for a new request",
    )
    .into_response()
}

fn in_flight() -> Response {
    ApiError::new(
        StatusCode::CONFLICT,
        "idempotency_key_in_use",
        "a request with this `Idempotency-Key` is still running; retry later to get its answer",
    )
    .with_header(header::RETRY_AFTER, HeaderValue::from_static("1"))
    .into_response()
}

fn applied_unanswered() -> Response {
    ApiError::new(
        StatusCode::CONFLICT,
        "idempotency_key_applied",
        "the request with this `Idempotency-Key` was applied, but it was cut off before its answer was recorded; read the result instead of retrying",
    )
    .into_response()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4))
}

/// A reservation its request still holds.
struct Held {
    keys: Option<Arc<Keys>>,
    id: Arc<str>,
}

impl Held {
    async fn release(&mut self) {
        if let Some(keys) = self.keys.take()
            && let Err(error) = store::release(&keys.db, &self.id).await
        {
            tracing::warn!(%error, "releasing an idempotency key failed");
        }
    }
}

impl Drop for Held {
    /// The request was dropped unanswered: release the key unless its write committed
    /// (the statement waits for a commit under way, and then leaves it).
    fn drop(&mut self) {
        let Some(keys) = self.keys.take() else {
            return;
        };
        let id = self.id.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = store::release(&keys.db, &id).await {
                    tracing::warn!(%error, "releasing an idempotency key failed");
                }
            });
        }
    }
}

/// Puts [`Idempotent`] around each route (`Router::route_layer`).
#[derive(Clone)]
pub(crate) struct IdempotencyLayer(pub Arc<Keys>);

impl<S> Layer<S> for IdempotencyLayer {
    type Service = Idempotent<S>;

    fn layer(&self, inner: S) -> Idempotent<S> {
        Idempotent {
            inner,
            keys: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Idempotent<S> {
    inner: S,
    keys: Arc<Keys>,
}

type Boxed = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> Service<Request> for Idempotent<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, Boxed>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if !self.keys.takes_key(&request) {
            return Either::Left(self.inner.call(request));
        }
        let key = match key_of(request.headers()) {
            Ok(Some(key)) => key,
            Ok(None) => return Either::Left(self.inner.call(request)),
            Err(problem) => {
                return Either::Right(Box::pin(std::future::ready(Ok(problem.into_response()))));
            }
        };
        let keys = self.keys.clone();
        // The route is called after awaits: the service that was polled ready goes
        // with the request, a clone stays behind for the next one.
        let ready = self.inner.clone();
        let route = std::mem::replace(&mut self.inner, ready);
        Either::Right(Box::pin(
            async move { Ok(keys.run(request, key, route).await) },
        ))
    }
}
