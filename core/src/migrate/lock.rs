//! The connection a migration run holds, and the lock that makes two runs at once
//! apply each migration once: a PostgreSQL advisory lock or a MySQL/MariaDB named lock,
//! held by the session for the whole run; on SQLite, the write lock of an `IMMEDIATE`
//! transaction around each migration. Either way the runner reads which migrations
//! are pending only once it holds the lock.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

/// How long a run waits for another run to finish before it gives up.
pub(crate) const LOCK_WAIT: Duration = Duration::from_secs(600);

/// A pool of one connection, kept for the whole run: a session lock belongs to a
/// connection, so the pool must never hand out, retire or replace another one.
/// SQLite connections have foreign-key enforcement off, which a table rebuild needs
/// (see `sqlite_table`), and wait for the write lock up to [`LOCK_WAIT`].
pub(crate) async fn open(url: &str) -> Result<DatabaseConnection, DbErr> {
    crate::db::check_backend(url)?;
    #[cfg(feature = "sqlite")]
    crate::sqlite_log::open_first(url)
        .await
        .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(e))))?;
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .acquire_timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(5))
        .sqlx_logging_level(tracing::log::LevelFilter::Debug);
    #[cfg(feature = "sqlite")]
    options.map_sqlx_sqlite_opts(|sqlite| {
        sqlite
            .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(LOCK_WAIT)
            .foreign_keys(false)
    });
    Database::connect(options).await.map_err(|error| {
        DbErr::Conn(sea_orm::RuntimeErr::Internal(format!(
            "cannot connect to `{}`: {}",
            crate::redact::redact(url),
            crate::redact::redact(&error.to_string())
        )))
    })
}

/// [`open`] for the database `db` is connected to, with `db`'s connect options: what
/// `App::router_on` migrates, given a pool rather than a URL.
pub(crate) async fn open_beside(db: &DatabaseConnection) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::pool::PoolOptions;
    fn one<D: sea_orm::sqlx::Database>() -> PoolOptions<D> {
        PoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(30))
    }
    let connected: Result<DatabaseConnection, sea_orm::sqlx::Error> =
        match db.get_database_backend() {
            #[cfg(feature = "postgres")]
            DbBackend::Postgres => {
                let options = (*db.get_postgres_connection_pool().connect_options()).clone();
                one()
                    .connect_with(options)
                    .await
                    .map(sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool)
            }
            #[cfg(feature = "mysql")]
            DbBackend::MySql => {
                let options = (*db.get_mysql_connection_pool().connect_options()).clone();
                one()
                    .connect_with(options)
                    .await
                    .map(sea_orm::SqlxMySqlConnector::from_sqlx_mysql_pool)
            }
            #[cfg(feature = "sqlite")]
            DbBackend::Sqlite => {
                let options = (*db.get_sqlite_connection_pool().connect_options())
                    .clone()
                    .busy_timeout(LOCK_WAIT)
                    .foreign_keys(false);
                one()
                    .connect_with(options)
                    .await
                    .map(sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool)
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(DbErr::BackendNotSupported {
                    db: other.as_str(),
                    ctx: "migrations",
                });
            }
        };
    connected.map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(e))))
}

/// Takes the run's lock on PostgreSQL or MySQL, waiting up to [`LOCK_WAIT`] for
/// another run to release it. Per database: runs on two databases of one server do not
/// wait for each other.
pub(crate) async fn lock(db: &DatabaseConnection) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(&format!("SET lock_timeout = '{}s'", LOCK_WAIT.as_secs()))
                .await?;
            let locked = db
                .execute_unprepared("SELECT pg_advisory_lock(hashtext('ferrest_migrations'))")
                .await;
            db.execute_unprepared("RESET lock_timeout").await?;
            locked.map(drop)
        }
        DbBackend::MySql => {
            let row = db
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::MySql,
                    format!("SELECT GET_LOCK({MYSQL_LOCK}, ?)"),
                    [LOCK_WAIT.as_secs().into()],
                ))
                .await?;
            let got: Option<i64> = row.and_then(|row| row.try_get_by_index(0).ok().flatten());
            match got {
                Some(1) => Ok(()),
                _ => Err(DbErr::Migration(format!(
                    "another migration run held the lock for {} s",
                    LOCK_WAIT.as_secs()
                ))),
            }
        }
        _ => Ok(()),
    }
}

/// Releases [`lock`]. Closing the connection would release it too.
pub(crate) async fn unlock(db: &DatabaseConnection) -> Result<(), DbErr> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => "SELECT pg_advisory_unlock(hashtext('ferrest_migrations'))",
        DbBackend::MySql => &format!("SELECT RELEASE_LOCK({MYSQL_LOCK})"),
        _ => return Ok(()),
    };
    db.execute_unprepared(sql).await.map(drop)
}

/// The lock's name on MySQL: the server's locks are shared by its databases, and a name
/// is at most 64 characters.
const MYSQL_LOCK: &str = "LEFT(CONCAT('ferrest_migrations:', DATABASE()), 64)";

/// On SQLite, a transaction that holds the write lock from its start (`BEGIN
/// IMMEDIATE`), waiting for another writer with the busy timeout.
pub(crate) async fn begin_immediate(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}
