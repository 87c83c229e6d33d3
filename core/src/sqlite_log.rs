//! The write-ahead log of a SQLite database file, kept bounded.
//!
//! In WAL mode SQLite appends every commit to `<file>-wal` and copies the pages back
//! into the database file at checkpoints; the log restarts from its beginning only
//! when a checkpoint has copied every page *and* no reader still reads an older
//! snapshot. Under a steady load of overlapping readers that moment never comes, so
//! SQLite's automatic (passive) checkpoints never reset the log and it grows without
//! bound: gigabytes beside a database of megabytes, lists slowed by the log's index,
//! and a restart that spends longer recovering the log than the pool waits for a
//! connection.
//!
//! ferrest therefore checks the log's size as connections return to the pool, and
//! past [`SQLITE_LOG_LIMIT`] runs `PRAGMA wal_checkpoint(TRUNCATE)`, which waits for
//! the readers to move to the newest snapshot, copies the log back and truncates it to
//! zero bytes; `journal_size_limit` makes SQLite itself shrink a log it has reset.
//! While it waits, the checkpoint holds the write lock, so it waits [`CHECKPOINT_WAIT`]
//! at most, not the 5 s a writer waits for another: writers queued behind a longer
//! checkpoint would run out of their own wait and fail (`503`). A checkpoint that
//! readers kept from finishing is tried again at a later release.
//!
//! At start-up, one connection opens the file first, without the pool's time limits,
//! and reads from it, so that a log left by a crash is recovered before the pool's
//! 5 s acquire timeout applies; it then checkpoints the log with the same short wait,
//! and leaves it be if readers are busy: the file may be live, served by another
//! process while a command or a second instance starts on it.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sea_orm::sqlx::{self, ConnectOptions, Connection};

/// The size past which ferrest checkpoints a SQLite file's write-ahead log and
/// truncates it (64 MiB). Between two checks the log may grow past it by the writes
/// of the moment, and while a checkpoint waits for readers; it does not grow without
/// bound.
///
/// ```
/// assert_eq!(ferrest::SQLITE_LOG_LIMIT, 64 * 1024 * 1024);
/// ```
pub const SQLITE_LOG_LIMIT: u64 = 64 * 1024 * 1024;

/// How long start-up waits for another connection (one recovering a large log, say)
/// before it gives up on the file.
const STARTUP_WAIT: Duration = Duration::from_secs(600);

/// How long a writer waits for another to finish (SQLite's busy timeout on the
/// pool's connections).
pub(crate) const WRITER_WAIT: Duration = Duration::from_secs(5);

/// How long a checkpoint waits for readers, holding the write lock meanwhile: a small
/// part of [`WRITER_WAIT`], so that the writers queued behind it still get their turn.
const CHECKPOINT_WAIT: Duration = Duration::from_millis(100);

/// The size in bytes of the write-ahead log of the SQLite file that `database_url`
/// names: `Some(0)` when there is none, `None` for another database or an in-memory
/// one. For a health page or a metric; ferrest keeps it near [`SQLITE_LOG_LIMIT`] at
/// most.
///
/// ```
/// let size = ferrest::sqlite_log_bytes("sqlite://does-not-exist.db?mode=rwc");
/// assert_eq!(size, Some(0));
/// assert_eq!(ferrest::sqlite_log_bytes("postgres://localhost/shop"), None);
/// ```
pub fn sqlite_log_bytes(database_url: &str) -> Option<u64> {
    database_file(database_url).map(|file| log_bytes(&log_path(&file)))
}

/// The database file of a SQLite URL, or `None` for another kind or an in-memory one.
pub(crate) fn database_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_path_buf())
}

/// Connects with `options`, which switch the file to WAL. Switching answers "database is
/// locked" at once, without the busy wait, while another process switches the same new
/// file (instances started together on a fresh file: one in 30 runs here), so that
/// answer is retried, every 20 ms, within the start-up wait.
async fn connect_switching_to_wal(
    options: &SqliteConnectOptions,
) -> Result<SqliteConnection, sqlx::Error> {
    let started = Instant::now();
    loop {
        match options.connect().await {
            Err(sqlx::Error::Database(error))
                if error.code().as_deref() == Some("5") && started.elapsed() < STARTUP_WAIT =>
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            connected => return connected,
        }
    }
}

fn log_path(file: &Path) -> PathBuf {
    let mut path = file.as_os_str().to_owned();
    path.push("-wal");
    PathBuf::from(path)
}

fn log_bytes(log: &Path) -> u64 {
    std::fs::metadata(log).map_or(0, |m| m.len())
}

/// Opens `url` once, before the pool, and reads from it, waiting as long as it takes
/// for another connection's recovery (or recovering a log left by a crash itself), so
/// that the pool's first connections open at once; then checkpoints the log unless
/// readers are busy with it.
pub(crate) async fn open_first(url: &str) -> Result<(), sqlx::Error> {
    let Some(file) = database_file(url) else {
        return Ok(());
    };
    let log = log_path(&file);
    let before = log_bytes(&log);
    if before > 0 {
        tracing::info!(
            log_bytes = before,
            "checkpointing the SQLite log left by the last run"
        );
    }
    let started = Instant::now();
    let options = SqliteConnectOptions::from_str(url)?
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .busy_timeout(STARTUP_WAIT);
    let mut connection = connect_switching_to_wal(&options).await?;
    // The first read of a file whose log has no index (after a crash, or when no
    // connection had it open) recovers the log, under the long wait.
    let recovered = sqlx::query("SELECT count(*) FROM sqlite_schema")
        .execute(&mut connection)
        .await;
    let checkpoint = match &recovered {
        Ok(_) => Some(checkpoint(&mut connection).await),
        Err(_) => None,
    };
    connection.close().await?;
    recovered?;
    let Some(checkpoint) = checkpoint else {
        return Ok(());
    };
    match checkpoint {
        Ok(true) if before > 0 => tracing::info!(
            log_bytes = log_bytes(&log),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "SQLite log checkpointed"
        ),
        Ok(true) => {}
        Ok(false) => tracing::info!(
            log_bytes = log_bytes(&log),
            "the SQLite log is in use by readers; it is checkpointed later, as it grows"
        ),
        Err(error) => tracing::warn!(%error, "SQLite log checkpoint failed"),
    }
    Ok(())
}

/// Checkpoints and truncates the log, waiting [`CHECKPOINT_WAIT`] at most for readers,
/// then restores the connection's [`WRITER_WAIT`]; `Ok(false)` when readers kept the
/// checkpoint from finishing.
async fn checkpoint(connection: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    // A number ferrest formats, not input.
    let set_wait =
        |wait: Duration| sqlx::AssertSqlSafe(format!("PRAGMA busy_timeout = {}", wait.as_millis()));
    sqlx::query(set_wait(CHECKPOINT_WAIT))
        .execute(&mut *connection)
        .await?;
    // One row: whether it was blocked, the log's frames, the frames copied back.
    let outcome = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut *connection)
        .await;
    sqlx::query(set_wait(WRITER_WAIT))
        .execute(&mut *connection)
        .await?;
    match outcome {
        Ok((blocked, _, _)) => Ok(blocked == 0),
        // Another connection's checkpoint, or a writer's recovery, held the file.
        Err(sqlx::Error::Database(error)) if error.message().contains("locked") => Ok(false),
        Err(error) => Err(error),
    }
}

/// Checks the log as connections return to the pool: see the module.
#[derive(Debug)]
pub(crate) struct LogBound {
    log: PathBuf,
    limit: u64,
    releases: AtomicU64,
    checkpointing: AtomicBool,
}

/// A release in this many looks at the log's size (a `stat` of the file).
const CHECK_EVERY: u64 = 8;

impl LogBound {
    pub(crate) fn new(file: &Path, limit: u64) -> Arc<Self> {
        Arc::new(LogBound {
            log: log_path(file),
            limit,
            releases: AtomicU64::new(0),
            checkpointing: AtomicBool::new(false),
        })
    }

    /// Runs on a connection that was just released (in a task of its own, not in the
    /// request that used it); always keeps the connection.
    pub(crate) async fn after_release(&self, connection: &mut SqliteConnection) {
        if !self
            .releases
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(CHECK_EVERY)
        {
            return;
        }
        let before = log_bytes(&self.log);
        if before <= self.limit || self.checkpointing.swap(true, Ordering::AcqRel) {
            return;
        }
        let started = Instant::now();
        let outcome = checkpoint(connection).await;
        self.checkpointing.store(false, Ordering::Release);
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match outcome {
            Ok(true) => tracing::info!(
                log_bytes_before = before,
                log_bytes = log_bytes(&self.log),
                elapsed_ms,
                "SQLite log checkpointed and truncated"
            ),
            Ok(false) => tracing::warn!(
                log_bytes = before,
                elapsed_ms,
                "SQLite log over its limit, and readers kept the checkpoint from finishing; retrying later"
            ),
            Err(error) => {
                tracing::warn!(%error, log_bytes = before, "SQLite log checkpoint failed")
            }
        }
    }
}
