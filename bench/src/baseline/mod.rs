//! The baseline: the bookstore's book operations written by hand with axum and
//! sea-orm, the way an expert would without ferrest. Same tables, same pool, same
//! JSON; the harness checks the answers are equal before it measures.
//!
//! What it does, per operation, and what the bookstore does besides:
//! - `GET /books/{id}`: one `SELECT ... WHERE id = $1`.
//! - `GET /books?price_cents__lt=..&sort=-price_cents&limit=20`: typed parameters
//!   (unknown ones are a `400`), one `SELECT ... LIMIT limit + 1` (the extra row tells
//!   whether a next page exists), the page envelope and its `Link` header.
//! - `POST /books`: bearer token verified (HS256, `jsonwebtoken`), body typed with
//!   unknown fields refused, the bookstore's rules checked, one `INSERT ... RETURNING`,
//!   `201` with `Location`.
//! - `PATCH /books/{id}`: bearer token verified; in one transaction the row is read and
//!   locked, the bookstore's `freeze_isbn` rule and ownership are checked, the changed
//!   columns and `updated_at` written with `UPDATE ... RETURNING`.
//!
//! Not replicated: ferrest's middleware (request ids, tracing spans, timeouts, panic
//! catching, compression, security headers, rate-limit metering), which an expert may
//! or may not add; `BENCHMARKS.md` says what it costs.

mod auth;
mod books;
pub mod entity;
mod layers;
mod problem;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use sea_orm::DatabaseConnection;

pub use auth::Verifier;

/// What every handler gets.
#[derive(Clone)]
pub struct Baseline {
    pub db: DatabaseConnection,
    pub verifier: Arc<Verifier>,
}

/// The baseline's routes on `db`; with `production_layers`, behind the layers an
/// expert's public API has (`layers.rs`).
pub fn router(db: DatabaseConnection, production_layers: bool) -> Router {
    let state = Baseline {
        db,
        verifier: Arc::new(Verifier::bookstore()),
    };
    let router = Router::new()
        .route("/books", get(books::list).post(books::create))
        .route("/books/{id}", get(books::read).patch(books::update))
        .with_state(state);
    if production_layers {
        layers::wrap(router)
    } else {
        router
    }
}
