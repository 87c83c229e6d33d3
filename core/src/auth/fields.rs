//! Field write permissions: `#[rest(read_only)]` and `#[rest(write = role(..))]`.
//! They bind request bodies only: endpoints and hooks write every field through
//! `Ctx`, which is how a `read_only` field gets its value.

use axum::http::StatusCode;

use super::Caller;
use crate::problem::{ApiError, FieldError};
use crate::spec::{FieldWrite, ResourceSpec};

/// Refuses a body that sets fields its caller may not write: a `read_only` field is
/// a `422 read_only`, a field whose `write = ...` the caller lacks a `403` (a `401`
/// without credentials), each naming the fields. `written` lists the guarded fields
/// the body sets.
pub(crate) fn check(
    spec: &ResourceSpec,
    caller: &Caller,
    written: Vec<&'static str>,
) -> Result<(), ApiError> {
    if written.is_empty() {
        return Ok(());
    }
    let principal = caller.principal.as_deref();
    let mut read_only = Vec::new();
    let mut refused = Vec::new();
    for name in written {
        match spec.field(name).map(|field| field.write) {
            Some(FieldWrite::ReadOnly) => read_only.push(FieldError::new(
                name,
                "read_only",
                format!("`{name}` is set by the server and cannot be written"),
            )),
            Some(FieldWrite::Permission(permission)) if !permission.allows(principal) => {
                refused.push(FieldError::new(
                    name,
                    "forbidden",
                    format!("writing `{name}` needs {}", permission.describe()),
                ));
            }
            _ => {}
        }
    }
    if !read_only.is_empty() {
        return Err(ApiError::validation(read_only));
    }
    if refused.is_empty() {
        return Ok(());
    }
    if principal.is_none() {
        return Err(caller.unauthenticated().with_errors(refused));
    }
    let detail = match refused.as_slice() {
        [one] => one.detail.clone(),
        _ => "the body sets fields this caller may not write".to_owned(),
    };
    Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail).with_errors(refused))
}
