//! The write-ahead log of an embedded SQLite file stays bounded under a sustained
//! load of overlapping readers and writers, and a restart on the file, even one that
//! has to wait for another connection, succeeds.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use ferrest::sea_orm::{ConnectionTrait, DatabaseConnection};
use ferrest::testing::{Backend, TestDb};

/// Writers, readers, and the bytes each writer commits in all.
const WRITERS: usize = 4;
const READERS: usize = 4;
const ROW_BYTES: u64 = 64 * 1024;
const ROWS_PER_WRITER: u64 = 4 * ferrest::SQLITE_LOG_LIMIT / ROW_BYTES / WRITERS as u64;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sqlite_log_stays_bounded_under_load() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let pool = ferrest::connect(db.url()).await.expect("connects");
    pool.execute_unprepared("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        .await
        .expect("creates the table");

    let writing = Arc::new(AtomicBool::new(true));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (url, writing, peak) = (db.url().to_owned(), writing.clone(), peak.clone());
        tokio::spawn(async move {
            while writing.load(Ordering::Relaxed) {
                let size = ferrest::sqlite_log_bytes(&url).expect("a SQLite file");
                peak.fetch_max(size, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    // Readers that always overlap: one of them holds a snapshot at every moment,
    // which is what kept SQLite's own checkpoints from ever resetting the log.
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (pool, writing) = (pool.clone(), writing.clone());
            tokio::spawn(async move {
                let mut reads = 0_u64;
                while writing.load(Ordering::Relaxed) {
                    read(&pool).await;
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for _ in 0..ROWS_PER_WRITER {
                    pool.execute_unprepared(&format!(
                        "INSERT INTO blobs (data) VALUES (randomblob({ROW_BYTES}))"
                    ))
                    .await
                    .expect("writes");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    writing.store(false, Ordering::Relaxed);
    let mut reads = 0;
    for reader in readers {
        reads += reader.await.unwrap();
    }
    sampler.await.unwrap();
    let written = ROW_BYTES * ROWS_PER_WRITER * WRITERS as u64;
    let peak = peak.load(Ordering::Relaxed);
    eprintln!(
        "wrote {} MiB in {} rows beside {reads} reads; the log peaked at {} MiB",
        written >> 20,
        ROWS_PER_WRITER * WRITERS as u64,
        peak >> 20
    );
    // The load wrote four times the limit; the log stays within twice it (it grows
    // past the limit by the commits between two checks and while a checkpoint waits).
    assert!(written >= 4 * ferrest::SQLITE_LOG_LIMIT);
    assert!(
        peak < 2 * ferrest::SQLITE_LOG_LIMIT,
        "the log reached {peak} bytes"
    );

    // A restart on the file opens at once, every row there.
    pool.close().await.expect("closes");
    let reopened = ferrest::connect(db.url()).await.expect("reopens");
    assert_eq!(count(&reopened).await, ROWS_PER_WRITER * WRITERS as u64);
    reopened.close().await.expect("closes");
    db.drop().await;
}

/// Start-up waits for a connection that holds the file (as one recovering a large log
/// does) instead of failing when the pool's 5 s acquire timeout has passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_waits_for_the_file_to_be_free() {
    use ferrest::sea_orm::sqlx::{self, Connection, sqlite::SqliteConnection};
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let first = ferrest::connect(db.url()).await.expect("connects");
    first
        .execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)")
        .await
        .expect("creates");
    first.close().await.expect("closes");

    // In WAL mode only a connection in exclusive locking mode keeps others from
    // reading, as one recovering the log does.
    let mut holder = SqliteConnection::connect(db.url()).await.expect("opens");
    for statement in ["PRAGMA locking_mode = EXCLUSIVE", "BEGIN EXCLUSIVE"] {
        sqlx::query(statement)
            .execute(&mut holder)
            .await
            .expect("locks");
    }
    let (locked, release) = tokio::sync::oneshot::channel::<()>();
    let holding = tokio::spawn(async move {
        let _ = release.await;
        sqlx::query("COMMIT")
            .execute(&mut holder)
            .await
            .expect("unlocks");
        holder.close().await.expect("closes");
    });
    let url = db.url().to_owned();
    let starting = tokio::spawn(async move { ferrest::connect(&url).await });
    // Longer than the pool's acquire, connect and busy timeouts (5 s each).
    tokio::time::sleep(Duration::from_secs(7)).await;
    locked.send(()).unwrap();
    holding.await.unwrap();
    let started = starting
        .await
        .unwrap()
        .expect("start-up waited for the lock");
    assert_eq!(count_t(&started).await, 1);
    started.close().await.expect("closes");
    db.drop().await;
}

/// A start-up on a file another process serves, while a reader there holds a snapshot
/// (which keeps the log from being reset), opens without waiting for that reader: it
/// would otherwise hold the write lock, and the serving process's writers, meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_does_not_wait_for_the_readers_of_a_live_file() {
    use ferrest::sea_orm::sqlx::{self, Connection, sqlite::SqliteConnection};
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let live = ferrest::connect(db.url()).await.expect("connects");
    live.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)")
        .await
        .expect("creates");
    let mut reader = SqliteConnection::connect(db.url()).await.expect("opens");
    sqlx::query("BEGIN")
        .execute(&mut reader)
        .await
        .expect("begins");
    sqlx::query("SELECT count(*) FROM t")
        .fetch_one(&mut reader)
        .await
        .expect("reads");
    live.execute_unprepared("INSERT INTO t VALUES (2)")
        .await
        .expect("writes while the reader holds its snapshot");
    assert!(ferrest::sqlite_log_bytes(db.url()).unwrap() > 0);

    // The bound is the failure signal, far below start-up's own wait for the file.
    let second = tokio::time::timeout(Duration::from_secs(60), ferrest::connect(db.url()))
        .await
        .expect("start-up did not wait for the reader")
        .expect("connects");
    assert_eq!(count_t(&second).await, 2);
    live.execute_unprepared("INSERT INTO t VALUES (3)")
        .await
        .expect("the live file takes writes");
    sqlx::query("COMMIT")
        .execute(&mut reader)
        .await
        .expect("ends the read");
    reader.close().await.expect("closes");
    second.close().await.expect("closes");
    live.close().await.expect("closes");
    db.drop().await;
}

async fn read(pool: &DatabaseConnection) {
    pool.execute_unprepared("SELECT count(*), sum(length(data)) FROM blobs")
        .await
        .expect("reads");
}

async fn count(pool: &DatabaseConnection) -> u64 {
    scalar(pool, "SELECT count(*) AS n FROM blobs").await
}

async fn count_t(pool: &DatabaseConnection) -> u64 {
    scalar(pool, "SELECT count(*) AS n FROM t").await
}

async fn scalar(pool: &DatabaseConnection, sql: &str) -> u64 {
    let row = pool
        .query_one_raw(ferrest::sea_orm::Statement::from_string(
            pool.get_database_backend(),
            sql,
        ))
        .await
        .expect("queries")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count") as u64
}
