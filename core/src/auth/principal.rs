//! [`Principal`]: who is calling, as an authenticator found out.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

use super::Caller;
use crate::problem::ApiError;

/// The authenticated caller of a request: a subject, its roles and scopes, and any
/// other claims its credentials carried.
///
/// Endpoint methods take it as an argument (`401` when the request is anonymous) or as
/// `Option<Principal>`; hooks and endpoints also find it in [`Ctx::principal`](crate::Ctx::principal).
///
/// ```
/// use ferrest::auth::Principal;
/// let editor = Principal::new("ada").with_roles(["editor"]);
/// assert!(editor.has_role("editor") && !editor.has_role("admin"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    /// Who it is: a token's `sub` claim, an API key's owner.
    pub subject: String,
    /// Roles, for `role(...)` permissions.
    #[serde(default)]
    pub roles: Vec<String>,
    /// OAuth scopes, for `scope(...)` permissions.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Every other claim of a token, for the application's own rules.
    #[serde(default)]
    pub claims: serde_json::Map<String, serde_json::Value>,
}

impl Principal {
    /// A principal with no roles, scopes or claims.
    pub fn new(subject: impl Into<String>) -> Self {
        Principal {
            subject: subject.into(),
            ..Principal::default()
        }
    }

    /// The same principal with these roles.
    pub fn with_roles<S: Into<String>>(mut self, roles: impl IntoIterator<Item = S>) -> Self {
        self.roles = roles.into_iter().map(Into::into).collect();
        self
    }

    /// The same principal with these scopes.
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Holds the role `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Was granted the scope `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The caller of the request, or `401` when it is anonymous.
impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let caller = Caller::of(&parts.extensions);
        match &caller.principal {
            Some(principal) => Ok(Principal::clone(principal)),
            None => Err(caller.unauthenticated()),
        }
    }
}

/// The caller of the request, `None` when it is anonymous.
impl<S: Send + Sync> OptionalFromRequestParts<S> for Principal {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &S,
    ) -> Result<Option<Self>, std::convert::Infallible> {
        Ok(Caller::of(&parts.extensions).principal.as_deref().cloned())
    }
}

/// Shared so a request's principal is not copied for each hook or include that reads it.
pub(crate) type SharedPrincipal = Arc<Principal>;
