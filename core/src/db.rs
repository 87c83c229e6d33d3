//! Database connection, schema synchronisation, and the mapping of database errors to
//! problems: a client's mistake is a 4xx, an unreachable database a 503.

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr, SqlErr};
use sea_orm::sqlx;

use crate::problem::{ApiError, FieldError};
use crate::spec::ResourceSpec;

/// State shared by every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
}

/// The database when `DATABASE_URL` is unset: a SQLite file in the working directory,
/// created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ferrest.db?mode=rwc";

/// Opens a pool with defaults that suit a web service: a bounded wait for a connection
/// (the request then fails with 503 instead of hanging) and SQL logged at `debug`.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(5))
        .sqlx_logging_level(tracing::log::LevelFilter::Debug);
    Database::connect(options).await
}

/// Translates a database error of an operation on `spec` into a problem.
pub(crate) fn db_error(spec: &ResourceSpec, err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => {
            let fields: Vec<FieldError> = spec
                .fields
                .iter()
                .filter(|f| f.unique && message.contains(f.name))
                .map(|f| FieldError::new(f.name, "unique", format!("another {} has this `{}`", spec.name, f.name)))
                .collect();
            return ApiError::conflict(format!("a {} with the same unique value already exists", spec.name))
                .with_errors(fields);
        }
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            return ApiError::conflict(format!(
                "the {} refers to, or is referred to by, another row",
                spec.name
            ));
        }
        _ => {}
    }
    if is_unavailable(&err) {
        tracing::warn!(error = %err, "database unavailable");
        return ApiError::unavailable("the database is unavailable, retry later");
    }
    match err {
        DbErr::RecordNotFound(_) | DbErr::RecordNotUpdated => {
            ApiError::not_found(format!("no {} with this id", spec.name))
        }
        other => {
            tracing::error!(error = %other, resource = spec.name, "database error");
            ApiError::internal()
        }
    }
}

/// Pool exhaustion, refused or dropped connections.
fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => matches!(
            **e,
            sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed
                | sqlx::Error::Tls(_)
        ),
        _ => false,
    }
}
