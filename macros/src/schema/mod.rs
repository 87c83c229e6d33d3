//! `#[derive(Schema)]`: a request or response type of a custom endpoint. It gets its
//! schema in the document, and serde's `Serialize`/`Deserialize` through ferrest, so
//! the user's crate needs no serde of its own.
//!
//! parse (`parse.rs`: named fields, `#[rest(validate(...))]` once per field) -> model
//! (`model.rs`: the rules typed, each field's value kind) -> check (`check.rs`: each
//! rule fits its field, as on a resource) -> expand (`expand.rs`: the impls, or their
//! stand-in beside errors). `pipeline.rs` runs the stages.

mod check;
mod expand;
mod model;
mod parse;

pub use check::check;
pub use expand::{expand, fallback};
pub use model::Schema;
pub use parse::parse;
