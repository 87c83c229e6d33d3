//! Database connection, schema synchronisation, and the mapping of database errors to
//! problems: a client's mistake is a 4xx, an unreachable database a 503.

use std::time::Duration;

use sea_orm::sqlx;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr, SqlErr};

use crate::problem::{ApiError, FieldError};
use crate::spec::ResourceSpec;

/// State shared by every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// What the database keeps exactly, for validation.
    pub storage: crate::validate::Storage,
    /// The resources' lifecycle hooks.
    pub(crate) hooks: std::sync::Arc<crate::hooks::HookRegistry>,
}

/// The database when `DATABASE_URL` is unset: a SQLite file in the working directory,
/// created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ferrest.db?mode=rwc";

/// Opens a pool with defaults that suit a web service: a bounded wait for a connection
/// (the request then fails with 503 instead of hanging) and SQL logged at `debug`.
/// Each connection caches 100 prepared statements (sqlx's default), so a request
/// reuses its query's plan on PostgreSQL and MySQL. SQLite files run in WAL mode with
/// `synchronous=NORMAL`: readers do not block the writer, and a commit waits for the
/// log, not for the database file (a power cut may lose the last commits, never
/// corrupt the file); a writer waits up to 5 s for another. A pooled connection is
/// pinged before use only when it sat idle for 30 s (one the server, a proxy or a
/// firewall may have dropped meanwhile), not at every checkout: a round trip less per
/// request. A SQLite file's write-ahead log is kept near [`crate::SQLITE_LOG_LIMIT`]
/// (see [`crate::sqlite_log_bytes`]), and start-up first waits, as long as it takes,
/// for a log left by a crash to be recovered (but not for the readers of a file another
/// process serves).
///
/// A URL of a backend this build leaves out (see the crate's features) fails here, with
/// a message naming the feature to enable:
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let error = ferrest::connect("oracle://db/shop").await.unwrap_err();
/// assert!(error.to_string().contains("`oracle`"), "{error}");
/// # });
/// ```
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    check_backend(url)?;
    #[cfg(feature = "sqlite")]
    crate::sqlite_log::open_first(url)
        .await
        .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(std::sync::Arc::new(e))))?;
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(5))
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging_level(tracing::log::LevelFilter::Debug);
    #[cfg(feature = "sqlite")]
    {
        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
        options.map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(crate::sqlite_log::WRITER_WAIT)
                // A log SQLite has reset is cut back to this size, not left as large
                // as it once grew.
                .pragma(
                    "journal_size_limit",
                    crate::sqlite_log::SQLITE_LOG_LIMIT.to_string(),
                )
        });
    }
    #[cfg(feature = "sqlite")]
    if let Some(file) = crate::sqlite_log::database_file(url) {
        let bound = crate::sqlite_log::LogBound::new(&file, crate::sqlite_log::SQLITE_LOG_LIMIT);
        options.map_sqlx_sqlite_pool_opts(move |pool| {
            let bound = bound.clone();
            pool.after_release(move |connection, _| {
                let bound = bound.clone();
                Box::pin(async move {
                    bound.after_release(connection).await;
                    Ok(true)
                })
            })
        });
    }
    match Database::connect(options).await {
        Ok(db) => Ok(db),
        Err(error) => Err(DbErr::Conn(RuntimeErr::Internal(format!(
            "cannot connect to `{}`: {}",
            crate::redact::redact(url),
            crate::redact::redact(&why_not_connected(url, error).await)
        )))),
    }
}

/// `Err` naming the feature to enable when `url` names a backend this build leaves out,
/// as [`connect`] reports it.
pub(crate) fn check_backend(url: &str) -> Result<(), DbErr> {
    backend_compiled_in(url, &BACKENDS)
        .map_err(|message| DbErr::Conn(RuntimeErr::Internal(message)))
}

/// The URL schemes of each backend, its feature, and whether this build has it.
type Backends = [(&'static [&'static str], &'static str, bool); 3];

const BACKENDS: Backends = [
    (&["sqlite"], "sqlite", cfg!(feature = "sqlite")),
    (
        &["postgres", "postgresql"],
        "postgres",
        cfg!(feature = "postgres"),
    ),
    (&["mysql", "mariadb"], "mysql", cfg!(feature = "mysql")),
];

/// `Err` with a message for the user when `url` names a backend this build of ferrest
/// leaves out, or none ferrest knows.
fn backend_compiled_in(url: &str, backends: &Backends) -> Result<(), String> {
    let shown = crate::redact::redact(url);
    let Some((scheme, _)) = url.split_once(':') else {
        return Err(format!(
            "`{shown}` is not a database URL: it has no scheme (`sqlite:`, `postgres:`, `mysql:`)"
        ));
    };
    match backends
        .iter()
        .find(|(schemes, _, _)| schemes.contains(&scheme))
    {
        Some((_, _, true)) => Ok(()),
        Some((_, feature, false)) => Err(format!(
            "`{shown}` is a `{scheme}` URL, but this build of ferrest leaves that backend out: \
             enable ferrest's `{feature}` feature (in Cargo.toml, `ferrest = {{ features = [\"{feature}\"] }}`)"
        )),
        None => Err(format!(
            "`{shown}`: ferrest knows no database of the scheme `{scheme}`; use `sqlite:`, `postgres:` or `mysql:`"
        )),
    }
}

/// Why a pool could not connect. The pool retries a server it cannot reach until its
/// wait runs out and then reports only that ("pool timed out while waiting for an open
/// connection"); one connection made directly gives the cause it swallowed (connection
/// refused, unknown host, TLS, a password refused).
// With SQLite alone there is no server to ask directly, and `url` goes unused.
#[cfg_attr(
    not(any(feature = "postgres", feature = "mysql")),
    allow(unused_variables)
)]
async fn why_not_connected(url: &str, error: DbErr) -> String {
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    use sqlx::ConnectOptions;
    let timed_out = matches!(&error, DbErr::ConnectionAcquire(_))
        || matches!(&error, DbErr::Conn(RuntimeErr::SqlxError(e)) if matches!(**e, sqlx::Error::PoolTimedOut));
    if !timed_out {
        return error.to_string();
    }
    let direct = async {
        #[cfg(feature = "postgres")]
        if url.starts_with("postgres") {
            let options: sqlx::postgres::PgConnectOptions = url.parse()?;
            return options.connect().await.map(drop);
        }
        #[cfg(feature = "mysql")]
        if url.starts_with("mysql") || url.starts_with("mariadb") {
            let options: sqlx::mysql::MySqlConnectOptions = url.parse()?;
            return options.connect().await.map(drop);
        }
        Ok::<(), sqlx::Error>(())
    };
    match tokio::time::timeout(Duration::from_secs(5), direct).await {
        Ok(Err(cause)) => cause.to_string(),
        Ok(Ok(())) => error.to_string(),
        Err(_) => format!("no answer within 5 s ({error})"),
    }
}

/// Translates a database error of an operation on `spec` into a problem.
pub(crate) fn db_error(spec: &ResourceSpec, err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => {
            let fields: Vec<FieldError> = spec
                .fields
                .iter()
                .filter(|f| f.unique && names_unique_field(&message, spec.table, f.name))
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

/// A database error in a custom endpoint, with `?`: an unreachable database is a `503`,
/// anything else a logged `500`.
impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            return ApiError::unavailable("the database is unavailable, retry later");
        }
        tracing::error!(error = %err, "database error");
        ApiError::internal()
    }
}

/// Whether a unique-violation message is about `field`, in each backend's wording:
/// SQLite `UNIQUE constraint failed: books.isbn`, PostgreSQL `... constraint
/// "books_isbn_key"`, MySQL `... for key 'isbn'` or `'books.isbn'` (a plain substring
/// test would blame `code` for `zip_code`, or any field named like the table).
fn names_unique_field(message: &str, table: &str, field: &str) -> bool {
    let sqlite = format!("{table}.{field}");
    let sqlite_matches = message.match_indices(&sqlite).any(|(i, _)| {
        !message[i + sqlite.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    });
    sqlite_matches
        || message.contains(&format!("\"{table}_{field}_key\""))
        || message.contains(&format!("for key '{field}'"))
        || message.contains(&format!("for key '{table}.{field}'"))
        || message.contains(&format!("idx-{table}-{field}'"))
}

/// SQLSTATE class 22, "data exception": out of range, too long, invalid date-time.
fn is_data_exception(err: &DbErr) -> bool {
    matches!(driver_error(err), Some(sqlx::Error::Database(db)) if db.code().is_some_and(|c| c.starts_with("22")))
}

/// The server's own message, without the driver's wrapping.
fn database_message(err: &DbErr) -> String {
    match driver_error(err) {
        Some(sqlx::Error::Database(db)) => db.message().to_owned(),
        Some(other) => other.to_string(),
        None => err.to_string(),
    }
}

/// The sqlx error under a failed statement, if that is what failed.
fn driver_error(err: &DbErr) -> Option<&sqlx::Error> {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => Some(e),
        _ => None,
    }
}

/// Pool exhaustion, refused or dropped connections.
fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        _ => matches!(
            driver_error(err),
            Some(
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Tls(_)
            )
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{BACKENDS, backend_compiled_in, names_unique_field};

    #[test]
    fn a_backend_left_out_is_named_with_its_feature() {
        let without_postgres =
            BACKENDS.map(|(schemes, feature, _)| (schemes, feature, feature != "postgres"));
        let error =
            backend_compiled_in("postgres://app:s3cret@db/shop", &without_postgres).unwrap_err();
        assert_eq!(
            error,
            "`postgres://app:***@db/shop` is a `postgres` URL, but this build of ferrest \
             leaves that backend out: enable ferrest's `postgres` feature (in Cargo.toml, \
             `ferrest = { features = [\"postgres\"] }`)"
        );
        let error = backend_compiled_in("postgresql://db/shop", &without_postgres).unwrap_err();
        assert!(error.contains("`postgres` feature"), "{error}");
        assert_eq!(
            backend_compiled_in("sqlite::memory:", &without_postgres),
            Ok(())
        );
        assert_eq!(
            backend_compiled_in("mariadb://db/shop", &without_postgres),
            Ok(())
        );
        let error = backend_compiled_in("oracle://db/shop", &without_postgres).unwrap_err();
        assert!(
            error.contains("no database of the scheme `oracle`"),
            "{error}"
        );
    }

    /// What a build without PostgreSQL answers at start-up (CI checks such builds).
    #[cfg(not(feature = "postgres"))]
    #[tokio::test]
    async fn connecting_to_a_backend_left_out_fails_naming_the_feature() {
        let error = crate::connect("postgres://127.0.0.1/shop")
            .await
            .unwrap_err();
        assert!(error.to_string().contains("`postgres` feature"), "{error}");
    }

    #[test]
    fn unique_violations_name_their_field_only() {
        let sqlite = "UNIQUE constraint failed: usernames.zip_code";
        assert!(names_unique_field(sqlite, "usernames", "zip_code"));
        assert!(!names_unique_field(sqlite, "usernames", "code"));
        assert!(!names_unique_field(
            "UNIQUE constraint failed: usernames.email",
            "usernames",
            "user"
        ));
        let postgres = "duplicate key value violates unique constraint \"usernames_email_key\"";
        assert!(names_unique_field(postgres, "usernames", "email"));
        assert!(!names_unique_field(postgres, "usernames", "user"));
        let mysql = "Duplicate entry 'zip' for key 'zip_code'";
        assert!(names_unique_field(mysql, "usernames", "zip_code"));
        assert!(!names_unique_field(mysql, "usernames", "code"));
        assert!(names_unique_field(
            "Duplicate entry 'a' for key 'usernames.email'",
            "usernames",
            "email"
        ));
    }
}
