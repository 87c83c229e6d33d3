//! Support for generated code. Not a public API: names here change without notice.
//!
//! Generated code reaches every dependency through this module, so a user's crate
//! needs only `ferrest` in its `Cargo.toml`. Re-exports only: each helper lives in the
//! module of its concept, at its layer.

pub use axum;
pub use chrono;
pub use rust_decimal;
pub use sea_orm;
pub use serde;
pub use serde_json;
pub use utoipa;
pub use uuid;

pub use crate::AppState;
pub use crate::auth::guard;
pub use crate::hooks::{HookFuture, HookOutput, HookSet, Hooks, TypedError};
pub use crate::http::crud::{load, nested_route};
pub use crate::http::handlers::{
    handler_0, handler_1, handler_2, handler_3, handler_4, handler_5, handler_6, handler_7,
    handler_8,
};
pub use crate::openapi::builders::{object_schema, query_parameters, rejections};
pub use crate::openapi::documented::reference;
pub use crate::rate_limit::limited;
pub use crate::resource::endpoints::{EndpointsProbe, HasEndpoints, NoEndpoints, RegisterBlock};
pub use crate::resource::fallback;
pub use crate::resource::relation::foreign_key;
pub use crate::resource::values::{FromLiteral, Now, Stored, decimal, now_utc, present, utc};
pub use crate::resource::{BelongsTo, Generated};
pub use crate::spec;
pub use crate::validate::checked::{Checked, all_pass};
pub use crate::validate::custom;
