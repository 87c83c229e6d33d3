//! Authentication and permissions.
//!
//! An app's [`Authenticator`]s ([`Jwt`], [`ApiKeys`], or the user's own) turn a
//! request's credentials into a [`Principal`]; every request passes them once, in one
//! layer, before any route. Credentials that are present but wrong answer `401` on
//! every route, and so does an `Authorization` header that no authenticator takes (a
//! scheme none reads, bytes that are not text, the header sent twice): it would
//! otherwise pass as anonymous. Anonymous requests go on, and each operation's
//! [`Permission`] decides.

mod api_key;
pub(crate) mod fields;
#[cfg(feature = "jwt")]
mod jwt;
pub(crate) mod owner;
mod permission;
mod principal;

use std::sync::{Arc, LazyLock};

use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use api_key::ApiKeys;
#[cfg(feature = "jwt")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwt")))]
pub use jwt::Jwt;
#[doc(hidden)]
pub use permission::guard;
pub use permission::{Access, Permission};
pub use principal::Principal;
pub(crate) use principal::SharedPrincipal;

use crate::problem::ApiError;
use crate::rate_limit::Limiter;

/// Finds the principal behind a request's credentials.
///
/// ```
/// use ferrest::auth::{Authenticator, Principal, Rejected};
/// use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
///
/// /// Trusts the user name a gateway in front of the service put in a header.
/// struct Gateway;
///
/// #[ferrest::async_trait]
/// impl Authenticator for Gateway {
///     fn name(&self) -> &str { "gateway" }
///     fn scheme(&self) -> SecurityScheme {
///         SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-forwarded-user")))
///     }
///     fn challenge(&self) -> String { "Gateway".into() }
///     async fn authenticate(
///         &self,
///         request: &axum::http::request::Parts,
///     ) -> Result<Option<Principal>, Rejected> {
///         Ok(request
///             .headers
///             .get("x-forwarded-user")
///             .and_then(|v| v.to_str().ok())
///             .map(Principal::new))
///     }
/// }
///
/// let app = ferrest::App::new().authenticate(Gateway);
/// ```
#[async_trait::async_trait]
pub trait Authenticator: Send + Sync + 'static {
    /// The scheme's key in the document's `securitySchemes` (`bearer`, `apiKey`).
    fn name(&self) -> &str;
    /// The scheme as the document describes it, for Swagger UI's "Authorize" dialog.
    fn scheme(&self) -> utoipa::openapi::security::SecurityScheme;
    /// The challenge a `401` names in `WWW-Authenticate` (`Bearer realm="api"`).
    fn challenge(&self) -> String;
    /// `Ok(None)` when the request carries no credentials of this kind,
    /// `Err` when it carries some that are not valid.
    async fn authenticate(&self, request: &Parts) -> Result<Option<Principal>, Rejected>;
    /// The answer of [`authenticate`](Authenticator::authenticate) when it can be given
    /// without waiting (a signature to check, a key to look up in memory), else `None`,
    /// the default, to have `authenticate` awaited. An app whose authenticators all
    /// answer here admits a request without a boxed future or a copy of its routes.
    fn authenticate_now(&self, request: &Parts) -> Option<Result<Option<Principal>, Rejected>> {
        let _ = request;
        None
    }
}

/// Credentials that were presented but are not valid: the `401`'s detail says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected(pub String);

/// The app's authenticators, in the order they are tried.
#[derive(Default)]
pub(crate) struct Auth {
    pub authenticators: Vec<Box<dyn Authenticator>>,
    /// Every challenge, for `WWW-Authenticate`.
    challenge: Option<HeaderValue>,
}

impl Auth {
    pub(crate) fn new(authenticators: Vec<Box<dyn Authenticator>>) -> Self {
        let challenges: Vec<String> = authenticators.iter().map(|a| a.challenge()).collect();
        Auth {
            challenge: HeaderValue::from_str(&challenges.join(", "))
                .ok()
                .filter(|_| !challenges.is_empty()),
            authenticators,
        }
    }

    /// The first authenticator that recognises credentials decides.
    async fn identify(&self, parts: &Parts) -> Result<Option<Identified>, ApiError> {
        if let Some(refused) = self.ambiguous(parts) {
            return Err(refused);
        }
        for (by, authenticator) in self.authenticators.iter().enumerate() {
            let answer = match authenticator.authenticate_now(parts) {
                Some(answer) => answer,
                None => authenticator.authenticate(parts).await,
            };
            if let Some(decided) = self.decides(by, answer) {
                return decided;
            }
        }
        self.unclaimed(parts).map_or(Ok(None), Err)
    }

    /// [`Auth::identify`] when no authenticator needs waiting for, else `None`.
    fn identify_now(&self, parts: &Parts) -> Option<Result<Option<Identified>, ApiError>> {
        if let Some(refused) = self.ambiguous(parts) {
            return Some(Err(refused));
        }
        for (by, authenticator) in self.authenticators.iter().enumerate() {
            if let Some(decided) = self.decides(by, authenticator.authenticate_now(parts)?) {
                return Some(decided);
            }
        }
        Some(self.unclaimed(parts).map_or(Ok(None), Err))
    }

    /// Two `Authorization` headers: an authenticator reads the first, while a proxy or
    /// log in front may have judged the request by the other, so neither is trusted.
    fn ambiguous(&self, parts: &Parts) -> Option<ApiError> {
        if self.authenticators.is_empty() {
            return None;
        }
        let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
        values.nth(1).map(|_| {
            self.unauthorized(
                "invalid_credentials",
                "the request carries more than one `Authorization` header; send one".to_owned(),
            )
        })
    }

    /// An `Authorization` header that no authenticator took: credentials were sent, so
    /// the caller is not anonymous, and letting them pass as such would hide a client's
    /// mistake (or a probe) behind a `200` on public routes.
    fn unclaimed(&self, parts: &Parts) -> Option<ApiError> {
        if self.authenticators.is_empty() {
            return None;
        }
        let value = parts.headers.get(header::AUTHORIZATION)?;
        let detail = match value.to_str() {
            Err(_) => {
                "the `Authorization` header holds bytes that are not visible ASCII".to_owned()
            }
            Ok(text) => match text.split_ascii_whitespace().next() {
                None => "the `Authorization` header is empty".to_owned(),
                // A scheme is a short token of letters (`Basic`, `Digest`); anything
                // else may be the credential itself (a bare token), never echoed.
                Some(scheme)
                    if scheme.len() <= 16
                        && text.len() > scheme.len()
                        && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
                {
                    format!(
                        "the `Authorization` scheme `{scheme}` is not accepted; `WWW-Authenticate` names the schemes that are"
                    )
                }
                Some(_) => "the `Authorization` header names no accepted scheme; `WWW-Authenticate` names the schemes that are".to_owned(),
            },
        };
        Some(self.unauthorized("invalid_credentials", detail))
    }

    /// What the authenticator at `by` answered decides: nothing when it saw no
    /// credentials of its kind.
    fn decides(
        &self,
        by: usize,
        answer: Result<Option<Principal>, Rejected>,
    ) -> Option<Result<Option<Identified>, ApiError>> {
        match answer {
            Ok(None) => None,
            Ok(Some(principal)) => Some(Ok(Some((principal, by)))),
            Err(Rejected(detail)) => Some(Err(self.unauthorized("invalid_credentials", detail))),
        }
    }

    /// The request again, with its caller in the extensions.
    fn admitted(
        self: &Arc<Auth>,
        mut parts: Parts,
        body: axum::body::Body,
        identified: Option<Identified>,
    ) -> Request {
        let (principal, by) = identified.unzip();
        parts.extensions.insert(Caller {
            principal: principal.map(Arc::new),
            by,
            auth: self.clone(),
        });
        Request::from_parts(parts, body)
    }

    fn unauthorized(&self, code: &'static str, detail: String) -> ApiError {
        let problem = ApiError::new(StatusCode::UNAUTHORIZED, code, detail);
        match &self.challenge {
            Some(challenge) => problem.with_header(header::WWW_AUTHENTICATE, challenge.clone()),
            None => problem,
        }
    }
}

/// A principal and the position of the authenticator that found it.
type Identified = (Principal, usize);

/// Who sent a request, as the authentication layer found out; in the request's
/// extensions.
#[derive(Clone)]
pub(crate) struct Caller {
    pub principal: Option<SharedPrincipal>,
    /// The position of the authenticator that found the principal.
    by: Option<usize>,
    auth: Arc<Auth>,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

impl Caller {
    /// The caller a request's extensions hold; anonymous when no app authenticated it
    /// (a router served without `App`).
    pub(crate) fn of(extensions: &Extensions) -> Caller {
        static NOBODY: LazyLock<Caller> = LazyLock::new(|| Caller {
            principal: None,
            by: None,
            auth: Arc::new(Auth::default()),
        });
        extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_else(|| NOBODY.clone())
    }

    /// The name of the authenticator that found the principal (`bearer`, `apiKey`):
    /// subjects are unique only within their authenticator. `None` when anonymous.
    pub(crate) fn authenticator(&self) -> Option<&str> {
        let by = self.by?;
        self.auth.authenticators.get(by).map(|a| a.name())
    }

    /// `401 unauthenticated`, naming the schemes that would do.
    pub(crate) fn unauthenticated(&self) -> ApiError {
        self.auth.unauthorized(
            "unauthenticated",
            "this operation needs credentials; `WWW-Authenticate` names the kinds accepted"
                .to_owned(),
        )
    }
}

/// In front of every route (`middleware::admission`): the caller's principal joins the
/// request, or wrong credentials answer `401` (the `Err`).
/// Refused credentials count against the client address's share of the app's rate
/// limit, so guessing them is limited too.
pub(crate) async fn authenticate(
    auth: &Arc<Auth>,
    limiter: &Limiter,
    request: Request,
) -> Result<Request, Response> {
    let (parts, body) = request.into_parts();
    match auth.identify(&parts).await {
        Ok(principal) => Ok(auth.admitted(parts, body, principal)),
        Err(problem) => {
            let caller = limiter.anonymous(&parts.headers, &parts.extensions);
            Err(match limiter.refused_credentials(&caller).await {
                Some(too_many) => too_many,
                None => problem.into_response(),
            })
        }
    }
}

/// What [`authenticate_now`] decided.
pub(crate) enum Now {
    /// The caller's principal joined the request.
    Admitted(Request),
    /// The `401` of refused credentials.
    Refused(Response),
    /// An authenticator must be awaited: the request, for [`authenticate`].
    Later(Request),
}

/// [`authenticate`] when every authenticator answers without waiting, for an app
/// without a rate limit of its own (which would count a refusal).
pub(crate) fn authenticate_now(auth: &Arc<Auth>, request: Request) -> Now {
    let (parts, body) = request.into_parts();
    match auth.identify_now(&parts) {
        Some(Ok(principal)) => Now::Admitted(auth.admitted(parts, body, principal)),
        Some(Err(problem)) => Now::Refused(problem.into_response()),
        None => Now::Later(Request::from_parts(parts, body)),
    }
}
