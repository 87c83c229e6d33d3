//! `#[derive(ApiError)]`: an enum of typed errors, one problem per variant.
//!
//! parse (`parse.rs`: `#[rest(status = 404, code = "...", detail = "...")]` per
//! variant, each key once) -> model (`model.rs`: the status range, the code's spelling
//! and default) -> check (`check.rs`: unique codes) -> expand (`expand.rs`: `Display`,
//! `From<E> for ApiError`, `IntoResponse`, and the `ErrorResponses` the document
//! lists; a stand-in of the same impls beside errors). `pipeline.rs` runs the stages.

mod check;
mod expand;
mod model;
mod parse;

pub use check::check;
pub use expand::{expand, fallback};
pub use model::ErrorEnum;
pub use parse::parse;
