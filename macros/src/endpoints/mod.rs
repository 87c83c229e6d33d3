//! `#[ferrest::endpoints]` on an impl block: each method with `#[rest(get = "/path")]`
//! (or `post`, `put`, `patch`, `delete`) becomes a route and an operation.
//!
//! Methods with `#[rest(before_create)]` (and the other hook kinds) are the
//! resource's lifecycle hooks instead.
//!
//! parse (`parse.rs`: the block, its options and each method's attribute, each key
//! once) -> model (`model.rs`: routes and hooks told apart, `auth` and `rate_limit`
//! given meaning) -> check (`check.rs`: async, path parameters against `Path`
//! arguments, the body last, one method per route, each hook's arguments) -> expand
//! (`expand.rs`: `impl Endpoints`, a check per argument that it is an extractor,
//! spanned at its type, and the hooks' wrappers; the block with an empty
//! `impl Endpoints` beside errors). `pipeline.rs` runs the stages.

mod argument;
mod check;
mod expand;
mod model;
mod parse;

pub use check::check;
pub use expand::{expand, fallback};
pub use model::Block;
pub use parse::parse;
