//! [`Permission`]: what an operation asks of its caller, checked. The types are the
//! spec's (`spec/access.rs`), plain data the macros emit.

use std::future::{Ready, ready};

use axum::extract::Request;
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;

use super::{Caller, Principal};
use crate::db::AppState;
use crate::problem::ApiError;
pub use crate::spec::access::{Access, Permission};

impl Permission {
    /// Whether `principal` (`None`: anonymous) may call.
    pub fn allows(&self, principal: Option<&Principal>) -> bool {
        match (self, principal) {
            (Permission::Public, _) => true,
            (_, None) => false,
            (Permission::Authenticated, Some(_)) => true,
            (Permission::Role(roles), Some(p)) => roles.iter().any(|r| p.has_role(r)),
            (Permission::Scope(scopes), Some(p)) => scopes.iter().all(|s| p.has_scope(s)),
        }
    }

    /// What the caller needs, for messages and the document: `the role `admin``.
    pub fn describe(&self) -> String {
        fn list(names: &[&str]) -> String {
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            quoted.join(", ")
        }
        match self {
            Permission::Public => "no credentials".to_owned(),
            Permission::Authenticated => "an authenticated caller".to_owned(),
            Permission::Role([one]) => format!("the role {}", list(&[one])),
            Permission::Role(roles) => format!("one of the roles {}", list(roles)),
            Permission::Scope([one]) => format!("the scope {}", list(&[one])),
            Permission::Scope(scopes) => format!("the scopes {}", list(scopes)),
        }
    }

    /// The role or scope names a security requirement lists (empty for the others).
    pub(crate) fn names(&self) -> &'static [&'static str] {
        match self {
            Permission::Role(names) | Permission::Scope(names) => names,
            _ => &[],
        }
    }

    /// `401` for an anonymous caller that needs credentials, `403` for a known one
    /// that lacks them.
    pub(crate) fn check(&self, caller: &Caller) -> Result<(), ApiError> {
        match caller.principal.as_deref() {
            p if self.allows(p) => Ok(()),
            None => Err(caller.unauthenticated()),
            Some(_) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("this operation needs {}", self.describe()),
            )),
        }
    }
}

/// `handler` answering `401`/`403` before its extractors run unless the caller holds
/// every one of `permissions`.
///
/// A wrapper of the handler rather than a layer of its route: a `route_layer` would box
/// the route once more, and every request would pay for copying both boxes. The
/// permissions are held inline, so the copy of the handler that each request makes
/// touches no shared reference count.
pub fn guard<H, T, const N: usize>(handler: H, permissions: [Permission; N]) -> GuardedHandler<H, N>
where
    H: Handler<T, AppState>,
{
    GuardedHandler {
        handler,
        permissions,
    }
}

/// A handler behind a check of what its request already carries: see [`guard`].
#[doc(hidden)]
#[derive(Clone)]
pub struct GuardedHandler<H, const N: usize> {
    handler: H,
    permissions: [Permission; N],
}

impl<H, T, const N: usize> Handler<T, AppState> for GuardedHandler<H, N>
where
    H: Handler<T, AppState>,
{
    type Future = Either<Ready<Response>, H::Future>;

    fn call(self, request: Request, state: AppState) -> Self::Future {
        if self.permissions.iter().any(|p| *p != Permission::Public) {
            let caller = Caller::of(request.extensions());
            if let Err(problem) = self.permissions.iter().try_for_each(|p| p.check(&caller)) {
                return Either::Left(ready(problem.into_response()));
            }
        }
        Either::Right(self.handler.call(request, state))
    }
}
