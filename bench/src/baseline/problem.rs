//! Errors as `application/problem+json`, the format the bookstore answers them in.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;

/// One failing field of a body.
#[derive(Debug, Serialize)]
pub struct FieldError {
    pub pointer: String,
    pub code: &'static str,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: &str, code: &'static str, detail: impl Into<String>) -> Self {
        FieldError {
            pointer: format!("/{field}"),
            code,
            detail: detail.into(),
        }
    }
}

/// An error response.
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(skip)]
    status: StatusCode,
    r#type: &'static str,
    title: &'static str,
    #[serde(rename = "status")]
    status_code: u16,
    code: &'static str,
    detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Problem {
            status,
            r#type: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status_code: status.as_u16(),
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn not_found() -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not_found", "no book with this id")
    }

    pub fn bad_parameter(name: &str, detail: &str) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            format!("`{name}` {detail}"),
        )
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        Problem {
            errors,
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "the body has invalid fields",
            )
        }
    }
}

/// A unique ISBN taken is a `409`, an author that does not exist a `422`, an
/// unreachable database a `503`; anything else is logged and a `500`.
impl From<DbErr> for Problem {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                return Problem::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "a book with this isbn already exists",
                );
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return Problem::validation(vec![FieldError::new(
                    "author_id",
                    "not_found",
                    "no Author has this id",
                )]);
            }
            _ => {}
        }
        if matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) {
            return Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database is unavailable, retry later",
            );
        }
        eprintln!("baseline: database error: {err}");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}
