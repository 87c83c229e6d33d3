//! Bearer tokens, checked as the bookstore checks them: HS256 with the same secret,
//! `exp` and `sub` required, `nbf` checked, 30 seconds of leeway, through the same
//! `jsonwebtoken` crate. Only the claims the handlers read are decoded.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::Baseline;
use super::problem::Problem;

/// What verifies tokens: built once at startup.
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

impl Verifier {
    /// The bookstore's key: `FERREST_JWT_SECRET` when set, else its development secret.
    pub fn bookstore() -> Self {
        let secret = std::env::var("FERREST_JWT_SECRET")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| bookstore::DEVELOPMENT_SECRET.to_owned());
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 30;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Verifier {
            key: DecodingKey::from_secret(secret.as_bytes()).expect("a secret that is not empty"),
            validation,
        }
    }
}

/// The claims the handlers use.
#[derive(Debug, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Claims {
    /// Editors and admins change every book; others only the books they added.
    pub fn edits_every_book(&self) -> bool {
        self.roles.iter().any(|r| r == "editor" || r == "admin")
    }
}

/// The authenticated caller of a write: `401` without a valid bearer token.
pub struct Caller(pub Claims);

impl FromRequestParts<Baseline> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &Baseline) -> Result<Self, Problem> {
        let unauthenticated = || {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "this operation needs a bearer token",
            )
        };
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(unauthenticated)?;
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(unauthenticated()),
        };
        let verifier = &state.verifier;
        jsonwebtoken::decode::<Claims>(token, &verifier.key, &verifier.validation)
            .map(|data| Caller(data.claims))
            .map_err(|e| {
                Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_credentials",
                    format!("the token is not valid: {e}"),
                )
            })
    }
}
