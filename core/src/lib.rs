//! # ferrest
//!
//! Declarative REST APIs for Rust. Annotate a struct with `#[derive(Resource)]` and
//! `#[rest(...)]` attributes; ferrest generates, at compile time, the sea-orm entity,
//! the create/update DTOs, request validation, and the data from which the runtime
//! serves five CRUD endpoints and an OpenAPI document with Swagger UI.
//!
//! ```no_run
//! use ferrest::prelude::*;
//!
//! /// A book in the catalogue.
//! #[derive(Resource)]
//! #[rest(table = "books", path = "/books", tag = "Books")]
//! pub struct Book {
//!     #[rest(id)]
//!     pub id: i64,
//!     #[rest(validate(length(min = 1, max = 200)))]
//!     pub title: String,
//!     #[rest(validate(pattern = "^[0-9]{13}$"), unique)]
//!     pub isbn: String,
//!     pub summary: Option<String>,
//!     #[rest(created_at)]
//!     pub created_at: DateTimeUtc,
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), ferrest::Error> {
//!     ferrest::App::from_env().resource::<Book>().serve().await
//! }
//! ```
//!
//! The user guide in `docs/` covers every attribute.
//!
//! ## Cargo features
//!
//! All on by default, except `testing`:
//!
//! | feature | what it brings |
//! |---|---|
//! | `sqlite`, `postgres`, `mysql` | the database backends; at least one is needed |
//! | `redis` | rate-limit counts shared through Redis ([`App::rate_limit_redis`]) |
//! | `jwt` | [`auth::Jwt`], bearer tokens checked by jsonwebtoken |
//! | `swagger-ui` | Swagger UI at `/docs` (`/openapi.json` is served without it) |
//! | `compression` | gzip responses ([`App::compression`]) |
//! | `testing` | `ferrest::testing`: a database per test and an in-process client |
//!
//! A `DATABASE_URL` naming a backend the build leaves out stops start-up with a
//! message naming the feature to enable.
//!
//! ## Layers
//!
//! The modules of this crate read downward: each names only modules of its own layer
//! and of the layers below, so the data at the bottom depends on nothing and a request
//! can be followed from the top. A test (`src/layering.rs`) reads every `crate::` path in
//! `src/` and fails on one that names a layer above its own.
//!
//! | layer | modules | what they hold |
//! |---|---|---|
//! | app | `app`, `cli`, `testing` | the `App` builder, registration checks, serving, the command line |
//! | http | `http`, `openapi` | generic CRUD handlers, endpoint handlers, middleware; the document |
//! | query, auth, write | `resource`, `query`, `auth`, `rate_limit`, `precondition`, `write`, `hooks`, `ctx`, `idempotency` | the request's work: read the query, check the caller, write rows, run hooks |
//! | db, validate | `db`, `sqlite_log`, `mysql`, `migrate`, `validate` | connections and schema; body and value checks from the spec |
//! | spec | `spec` | plain data the macros emit: resources, fields, rules, permissions |
//! | support | `error`, `problem`, `redact`, `timestamp`, `page` | the error types and helpers every layer uses |
//!
//! `lib.rs` and `private.rs` (`__private`) only re-export. One exception is known:
//! `db.rs` holds `AppState`, whose hook registry comes from `hooks`.

#![doc(html_no_source)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!(
    "ferrest needs a database backend: enable at least one of its features `sqlite`, `postgres` and `mysql`"
);

mod app;
pub mod auth;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod cli;
mod ctx;
mod db;
mod error;
mod hooks;
mod http;
pub mod idempotency;
#[cfg(test)]
mod layering;
#[cfg(feature = "migrate")]
#[cfg_attr(docsrs, doc(cfg(feature = "migrate")))]
pub mod migrate;
#[cfg(feature = "mysql")]
mod mysql;
mod openapi;
mod page;
mod precondition;
mod problem;
mod query;
pub mod rate_limit;
mod redact;
mod resource;
#[cfg(feature = "sqlite")]
mod sqlite_log;
mod timestamp;
mod write;

pub mod spec;

/// The user guide (`docs/guide.md`); its Rust examples are compiled and run as doctests.
// Through the link `core/guide.md`, so the guide is packaged with the crate.
#[doc = include_str!("../guide.md")]
pub mod guide {}

#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
pub mod validate;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use app::{App, HEADER_READ_TIMEOUT, SchemaMode};
/// For implementing [`auth::Authenticator`].
pub use async_trait::async_trait;
pub use error::Error;
pub use http::middleware::{
    API_CSP, DEFAULT_TIMEOUT, DOCS_CSP, MAX_HEADER_BYTES, MAX_HEADERS, MAX_URI_BYTES, REQUEST_ID,
};

pub use ctx::{Ctx, Db};
pub use db::{AppState, DEFAULT_DATABASE_URL, connect};
pub use ferrest_macros::{ApiError, Resource, Schema, endpoints};
pub use openapi::documented::{Documented, QueryParameters, Responds};
pub use openapi::{OpenApiVersion, to_openapi_30};
pub use page::{DEFAULT_LIMIT, Page};
pub use problem::{
    ApiError, DEFAULT_RETRY_AFTER_SECS, ErrorResponse, ErrorResponses, FieldError,
    MAX_FIELD_ERRORS, PROBLEM_JSON,
};
pub use query::filter::MAX_IN_VALUES;
pub use query::filter::MAX_SEARCH_CHARS;
pub use query::include::{MAX_INCLUDE_DEPTH, MAX_INCLUDED_ROWS};
pub use query::path::PathValue;
pub use resource::endpoints::{Endpoint, Endpoints};
pub use resource::{BelongsTo, Resource};
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite_log::{SQLITE_LOG_LIMIT, sqlite_log_bytes};
/// tower-http's layers, for [`App::layer`], [`App::resource_with`] and [`App::cors`].
pub use tower_http as layers;
pub use validate::Invalid;
pub use validate::body::MAX_BODY_BYTES;
pub use validate::valid::{FieldRules, Valid, Validate};

/// The extractors endpoint methods take, from axum: `Path`, `Query`, and `Json` for
/// bodies (a JSON column holds the prelude's `JsonValue`).
pub mod web {
    pub use axum::Json;
    pub use axum::extract::{Path, Query};
    pub use axum::http::StatusCode;
}

/// sea-orm, for queries in endpoint methods (`<Book as Resource>::Entity::find()`).
pub use sea_orm;

/// What a resource file needs: the derive, the trait, and the column value types.
pub mod prelude {
    pub use crate::{ApiError, Ctx, FieldError, Invalid, Resource, Schema, Valid};
    /// A JSON value, the type of a JSON column (`serde_json::Value`). Named apart from
    /// [`web::Json`](crate::web::Json), the body extractor, so both can be imported.
    pub use serde_json::Value as JsonValue;
    /// `DateTime<Utc>`, the type of `created_at`/`updated_at` fields.
    pub type DateTimeUtc = chrono::DateTime<chrono::Utc>;
    pub use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
    pub use rust_decimal::Decimal;
    pub use uuid::Uuid;
}
