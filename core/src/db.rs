//! Database connection, schema synchronisation, and the mapping of database errors to
//! problems: a client's mistake is a 4xx, an unreachable database a 503.

use std::time::Duration;

use sea_orm::sqlx;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr, SqlErr};

use crate::problem::{ApiError, FieldError};
use crate::spec::{Kind, ResourceSpec};

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
                .map(|f| {
                    FieldError::new(
                        f.name,
                        "unique",
                        format!("another {} has this `{}`", spec.name, f.name),
                    )
                })
                .collect();
            return ApiError::conflict(format!(
                "{} with the same unique value already exists",
                spec.a_name()
            ))
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
    if is_data_exception(&err) {
        // The validation rules admit values the column cannot hold (a date before the
        // year 1000 on MySQL, say): the client's input, so a 422, never a 500.
        tracing::info!(error = %err, "value refused by the database");
        return ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "value_out_of_range",
            format!(
                "a value does not fit its column in the database: {}",
                database_message(&err)
            ),
        );
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

/// SQLSTATE class 22, "data exception": out of range, too long, invalid date-time.
fn is_data_exception(err: &DbErr) -> bool {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(&**e, sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("22")))
        }
        _ => false,
    }
}

/// The server's own message, without the driver's wrapping.
fn database_message(err: &DbErr) -> String {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match &**e {
                sqlx::Error::Database(db) => db.message().to_owned(),
                other => other.to_string(),
            }
        }
        other => other.to_string(),
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

/// MySQL creates date-time columns without fractional seconds, and makes `DateTime<Utc>`
/// a `timestamp` (1970 to 2038 only, auto-updated on MariaDB). This widens ferrest's
/// own date-time columns to `datetime(6)` / `time(6)`, which keep every value the API
/// accepts; lossless, and a no-op once done.
pub(crate) async fn widen_mysql_time_columns(
    db: &DatabaseConnection,
    specs: &[&'static ResourceSpec],
) -> Result<(), DbErr> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    if db.get_database_backend() != DbBackend::MySql {
        return Ok(());
    }
    for spec in specs {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::MySql,
                "SELECT COLUMN_NAME, DATA_TYPE, DATETIME_PRECISION FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
                [spec.table.into()],
            ))
            .await?;
        let mut changes = Vec::new();
        for row in rows {
            let column: String = row.try_get_by_index(0)?;
            let data_type: String = row.try_get_by_index(1)?;
            let precision: Option<u32> = row.try_get_by_index(2).ok();
            let Some(field) = spec.field(&column) else {
                continue;
            };
            let wanted = match field.kind {
                Kind::DateTime | Kind::NaiveDateTime => "DATETIME(6)",
                Kind::Time => "TIME(6)",
                _ => continue,
            };
            let is_wanted = precision == Some(6)
                && wanted.to_lowercase().starts_with(&data_type.to_lowercase());
            if !is_wanted {
                let null = if field.nullable { "NULL" } else { "NOT NULL" };
                changes.push(format!("MODIFY {} {wanted} {null}", quote_mysql(&column)));
            }
        }
        if !changes.is_empty() {
            let sql = format!(
                "ALTER TABLE {} {}",
                quote_mysql(spec.table),
                changes.join(", ")
            );
            tracing::info!(%sql, "widening date-time columns");
            db.execute_unprepared(&sql).await?;
        }
    }
    Ok(())
}

fn quote_mysql(identifier: &str) -> String {
    format!("`{}`", identifier.replace('`', "``"))
}
