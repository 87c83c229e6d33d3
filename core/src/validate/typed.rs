//! A write's body checked into its DTO: read from a request (`typed`) or built in code
//! (`check_typed`). The declared rules run on the typed value where it can tell, else
//! on the JSON, and the custom validators after them.

use super::body::ObjectBody;
use super::{Found, Storage, Write, check_members, check_value_body, typed_value};
use crate::problem::{ApiError, FieldError};
use crate::spec::ResourceSpec;

/// The checks of a body, on a value built in code (`Ctx::create`, `Ctx::update`):
/// the declared rules, on the typed value where it can tell, and the custom validators.
pub(crate) fn check_typed<T: serde::Serialize>(
    storage: Storage,
    spec: &'static ResourceSpec,
    value: &T,
    mode: Write,
    passes: fn(&T, Storage) -> bool,
    custom: fn(&T, &mut Vec<FieldError>),
) -> Result<(), ApiError> {
    let mut found = if passes(value, storage) {
        Found::default()
    } else {
        let body = serde_json::to_value(value).map_err(|e| {
            tracing::error!(error = %e, "a write did not serialize");
            ApiError::internal()
        })?;
        check_value_body(spec, &body, mode, storage)
    };
    super::add_custom(&mut found.listed, |errors| custom(value, errors));
    found.into_result()
}

/// The DTO of a write body, with its custom validators run. A valid body is read
/// straight into the DTO and checked there; any other is checked as JSON, and every
/// failure of the declared checks and of the custom validators is reported together.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(
    spec: &'static ResourceSpec,
    body: ObjectBody,
    mode: Write,
    storage: Storage,
    passes: fn(&T, Storage) -> bool,
    custom: fn(&T, &mut Vec<FieldError>),
) -> Result<T, ApiError> {
    if let Some(value) = body.typed::<T>()
        && passes(&value, storage)
    {
        return typed_value(Ok(value), Found::default(), custom);
    }
    match body.members()? {
        Ok(mut members) => {
            let found = check_members(spec, members.iter(), mode, storage);
            members.normalize_numbers(spec);
            members.typed(found, custom)
        }
        // Not an object: the check says so.
        Err(other) => Err(check_value_body(spec, &other, mode, storage).into_error()),
    }
}
