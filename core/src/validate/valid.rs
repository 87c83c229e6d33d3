//! `Valid<Json<T>>`: a JSON body checked against the `#[rest(validate(...))]` rules of
//! a `#[derive(Schema)]` type, with the same rules, codes and `422` problem as a
//! resource's body, every failing field reported at once.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::body::JsonBody;
use crate::problem::{ApiError, FieldError};
use crate::spec::Rule;

/// A request body that passed its type's declared rules.
///
/// ```
/// use ferrest::prelude::*;
/// use ferrest::Valid;
/// use ferrest::web::Json;
///
/// #[derive(Schema)]
/// pub struct Review {
///     #[rest(validate(range(min = 1, max = 5)))]
///     pub stars: i32,
///     #[rest(validate(length(max = 2000)))]
///     pub text: Option<String>,
/// }
///
/// async fn review(Valid(Json(review)): Valid<Json<Review>>) -> String {
///     format!("{} stars", review.stars)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Valid<T>(pub T);

/// One property of a `#[derive(Schema)]` type, as validation sees it.
#[derive(Debug)]
pub struct FieldRules {
    /// The JSON property.
    pub name: &'static str,
    /// Not an `Option`: the body must carry it.
    pub required: bool,
    /// Its declared rules.
    pub rules: &'static [Rule],
}

/// A type `Valid<Json<T>>` can check. Implemented by `#[derive(Schema)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no validation rules",
    note = "add `#[derive(Schema)]` to `{Self}`; its fields take `#[rest(validate(...))]`"
)]
pub trait Validate: DeserializeOwned {
    /// Each property with its rules.
    fn fields() -> &'static [FieldRules];
    /// The custom validators (`validate(with = path)`) on the typed value.
    fn check_custom(&self, _errors: &mut Vec<FieldError>) {}
}

/// Query parameters are typed first (a value of the wrong type is axum's `400`), then
/// the rules run on the typed value; a failure is a `400` naming the parameter, as
/// for the list parameters of resources.
impl<T, S> FromRequestParts<S> for Valid<Query<T>>
where
    T: Validate + Serialize,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(value) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request("invalid_parameter", e.body_text()))?;
        let json = serde_json::to_value(&value).map_err(|_| ApiError::internal())?;
        let mut errors = crate::validate::check_object(T::fields(), &json);
        value.check_custom(&mut errors);
        match errors.first() {
            None => Ok(Valid(Query(value))),
            Some(error) => Err(ApiError::invalid_parameter(
                error.pointer.trim_start_matches('/'),
                &error.detail,
            )),
        }
    }
}

impl<T: Validate, S: Send + Sync> FromRequest<S> for Valid<Json<T>> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let JsonBody(body) = JsonBody::from_request(req, state).await?;
        check::<T>(body).map(|value| Valid(Json(value)))
    }
}

/// The body's shape and rules, then the typed value and its custom validators.
pub(crate) fn check<T: Validate>(mut body: Value) -> Result<T, ApiError> {
    crate::validate::whole_floats_as_integers(&mut body);
    let found = crate::validate::check_object_counted(T::fields(), &body);
    crate::validate::typed_value(serde_json::from_value(body), found, T::check_custom)
}
