//! Rate limits: how many requests a caller may make in a window, per app
//! (`App::rate_limit`), per resource (`#[rest(rate_limit = "100/minute")]`) and per
//! endpoint (`rate_limit = "5/minute"`). A caller is its principal when it is
//! authenticated, else its client address. Counts live in process by default, or in
//! Redis so that several instances behind a load balancer share them.

#[cfg(feature = "redis")]
mod breaker;
mod store;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, Request};
use axum::http::{Extensions, HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

pub(crate) use store::Store;

use crate::auth::Caller;
use crate::db::AppState;
use crate::problem::ApiError;
pub use crate::spec::rate::RateLimit;

/// The app's limiter, in each request's extensions.
pub(crate) struct Limiter {
    pub store: Store,
    /// Take the client address from the last `X-Forwarded-For` entry (the one the
    /// nearest proxy added) instead of the socket, behind a load balancer.
    pub trust_forwarded_for: bool,
    /// The limit of every route, if the app has one.
    pub app: Option<RateLimit>,
    /// Whether some route has a limit of its own, which finds the limiter in the
    /// request's extensions.
    pub routes_limited: bool,
}

/// The limiter, in each request's extensions for the limits of its route.
#[derive(Clone)]
struct Metered(Arc<Limiter>);

/// The outcome of one counted request.
pub(crate) struct Hit {
    limit: RateLimit,
    remaining: u32,
    /// Seconds until the window ends.
    reset: u64,
    allowed: bool,
}

impl Limiter {
    /// Counts a request of `caller` against `limit` in `scope`. The Redis store counts
    /// in process while Redis fails; a store that fails anyway lets the request through
    /// (and says so in the log): the rate limiter should not take the API down with it.
    async fn hit(&self, scope: &str, caller: &str, limit: RateLimit) -> Hit {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let window_ms = limit.window_secs * 1000;
        let window = now_ms / window_ms;
        let key = format!(
            "ferrest:rate:{scope}:{caller}:{}:{window}",
            limit.window_secs
        );
        let count = match self
            .store
            .increment(
                &key,
                (window + 1) * window_ms,
                Duration::from_millis(window_ms),
            )
            .await
        {
            Ok(count) => count,
            Err(error) => {
                tracing::warn!(%error, "the rate-limit store failed; the request is let through");
                0
            }
        };
        Hit {
            limit,
            remaining: limit
                .requests
                .saturating_sub(count.min(u64::from(u32::MAX)) as u32),
            reset: ((window + 1) * window_ms - now_ms).div_ceil(1000),
            allowed: count <= u64::from(limit.requests),
        }
    }
}

impl Hit {
    /// `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers).
    pub(crate) fn headers(&self, headers: &mut HeaderMap) {
        let policy = format!(
            "\"default\";q={};w={}",
            self.limit.requests, self.limit.window_secs
        );
        let state = format!("\"default\";r={};t={}", self.remaining, self.reset);
        for (name, value) in [(RATELIMIT_POLICY, policy), (RATELIMIT, state)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.entry(name).or_insert(value);
            }
        }
    }

    fn refused(&self) -> Response {
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("more than {}; retry in {} s", self.limit, self.reset),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(self.reset))
        .into_response();
        self.headers(response.headers_mut());
        response
    }
}

const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// In front of every route, after authentication (`middleware::admission`): leaves the
/// limiter to the limits of the route, and counts the request against the app's own
/// limit. `Err` is the `429`; the hit's headers go on the response.
pub(crate) async fn meter(
    limiter: &Arc<Limiter>,
    mut request: Request,
) -> Result<(Request, Option<Hit>), Response> {
    let Some(limit) = meter_now(limiter, &mut request) else {
        return Ok((request, None));
    };
    let hit = limiter.hit("app", &limiter.caller(&request), limit).await;
    if !hit.allowed {
        return Err(hit.refused());
    }
    Ok((request, Some(hit)))
}

/// The part of [`meter`] that needs no waiting: leaves the limiter to the limits of the
/// route, and gives the app's limit when it counts this request.
pub(crate) fn meter_now(limiter: &Arc<Limiter>, request: &mut Request) -> Option<RateLimit> {
    if limiter.routes_limited {
        request.extensions_mut().insert(Metered(limiter.clone()));
    }
    limiter.app.filter(|_| !is_docs(request.uri().path()))
}

/// `/docs` and its assets, which no app-wide limit counts: Swagger UI loads a dozen
/// files at once.
pub(crate) fn is_docs(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/")
}

impl Limiter {
    /// Counts a request whose credentials were refused against its address's share of
    /// the app's limit, so that guessing tokens or keys is as limited as any other
    /// traffic. `Some` is the `429` to answer instead of the `401`.
    pub(crate) async fn refused_credentials(&self, caller: &str) -> Option<Response> {
        let limit = self.app?;
        let hit = self.hit("app", caller, limit).await;
        (!hit.allowed).then(|| hit.refused())
    }

    /// Who a request counts against: its principal, else its client address. Made
    /// only where a limit applies: most requests meet none.
    fn caller(&self, request: &Request) -> String {
        match &Caller::of(request.extensions()).principal {
            Some(principal) => format!("sub:{}", principal.subject),
            None => self.anonymous(request.headers(), request.extensions()),
        }
    }

    /// The key of a caller without a principal: its client address.
    pub(crate) fn anonymous(&self, headers: &HeaderMap, extensions: &Extensions) -> String {
        format!(
            "ip:{}",
            client_address(headers, extensions, self.trust_forwarded_for)
        )
    }
}

/// The client's address: the socket's peer, or the last `X-Forwarded-For` entry (the
/// one the nearest proxy added) when the app trusts it. An IPv6 address counts as its
/// /64 network, the block one subscriber usually holds, so that a client cannot step
/// through its own addresses to get fresh counts.
fn client_address(
    headers: &HeaderMap,
    extensions: &Extensions,
    trust_forwarded_for: bool,
) -> String {
    let forwarded = trust_forwarded_for
        .then(|| {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
        })
        .flatten();
    let address = match forwarded {
        Some(last) => match last.parse::<IpAddr>() {
            Ok(address) => address,
            Err(_) => return last.to_owned(),
        },
        None => match extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) => peer.ip(),
            None => {
                static WARNED: std::sync::Once = std::sync::Once::new();
                WARNED.call_once(|| {
                    tracing::warn!(
                        "requests carry no client address, so every anonymous caller shares one rate-limit count; serve with `App::serve`, or `into_make_service_with_connect_info::<SocketAddr>()`"
                    );
                });
                return "unknown".to_owned();
            }
        },
    };
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// `route` counting its requests against `limit` in `scope` (a resource or an
/// endpoint), on top of the app's limit.
#[doc(hidden)]
pub fn limited(
    route: MethodRouter<AppState>,
    scope: &'static str,
    limit: Option<RateLimit>,
) -> MethodRouter<AppState> {
    let Some(limit) = limit else {
        return route;
    };
    route.route_layer(axum::middleware::from_fn(
        move |request: Request, next: Next| async move {
            let Some(Metered(limiter)) = request.extensions().get::<Metered>().cloned() else {
                return next.run(request).await;
            };
            let hit = limiter.hit(scope, &limiter.caller(&request), limit).await;
            if !hit.allowed {
                return hit.refused();
            }
            let mut response = next.run(request).await;
            hit.headers(response.headers_mut());
            response
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::{RateLimit, client_address};
    use axum::http::{Extensions, HeaderMap, HeaderValue};

    #[test]
    fn ipv6_callers_count_by_their_64_block() {
        let from = |address: &str| {
            let mut headers = HeaderMap::new();
            headers.insert("x-forwarded-for", HeaderValue::from_str(address).unwrap());
            client_address(&headers, &Extensions::new(), true)
        };
        assert_eq!(from("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(from("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
        assert_eq!(from("10.0.0.1, 2001:db8:1:3::1"), "2001:db8:1:3::/64");
        assert_eq!(from("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(from("192.0.2.7"), "192.0.2.7");
        assert_eq!(
            client_address(&HeaderMap::new(), &Extensions::new(), false),
            "unknown"
        );
    }

    #[test]
    fn rates_parse() {
        assert_eq!(
            "5/second".parse(),
            Ok(RateLimit {
                requests: 5,
                window_secs: 1
            })
        );
        assert_eq!("1000/hour".parse::<RateLimit>().unwrap().window_secs, 3600);
        assert!("0/minute".parse::<RateLimit>().is_err());
        assert!("ten/minute".parse::<RateLimit>().is_err());
        assert!("10/fortnight".parse::<RateLimit>().is_err());
        assert_eq!(
            RateLimit {
                requests: 3,
                window_secs: 60
            }
            .to_string(),
            "3 requests per minute"
        );
    }
}
