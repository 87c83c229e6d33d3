//! The table `ferrest_idempotency_keys`: one row per (caller, key), holding the
//! request's fingerprint, whether its write committed, and, once answered, the answer.
//! Plain SQL with bound values, the same three statements on SQLite, PostgreSQL and
//! MySQL/MariaDB but for placeholders and column types.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, SqlErr, Statement, Value,
};

/// The table's name: ferrest's own tables start with `ferrest_`.
pub(crate) const TABLE: &str = "ferrest_idempotency_keys";

/// An answer kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What a reservation found.
#[derive(Debug)]
pub(crate) enum Reserved {
    /// The key is this request's now: run it.
    Ours,
    /// A request with this key and another fingerprint came first.
    Mismatch,
    /// The first request with this key still runs.
    InFlight,
    /// The first request's write committed, but its answer was not recorded (it was
    /// cut off, or the server stopped, between the commit and the answer).
    AppliedUnanswered,
    /// The first request's answer.
    Answered(Stored),
}

/// Creates the table and its index on expiry, unless they exist.
pub(crate) async fn create_table(db: &DatabaseConnection) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let (body, extra) = match backend {
        DbBackend::Postgres => ("BYTEA", ""),
        // A key's answer may exceed a `BLOB`'s 64 KiB; InnoDB has no
        // `CREATE INDEX IF NOT EXISTS`, so the index is declared with the table.
        DbBackend::MySql => (
            "LONGBLOB",
            ", INDEX ferrest_idempotency_keys_expires_at (expires_at)",
        ),
        _ => ("BLOB", ""),
    };
    db.execute_unprepared(&format!(
        "CREATE TABLE IF NOT EXISTS {TABLE} (\
         id VARCHAR(64) NOT NULL PRIMARY KEY, \
         fingerprint VARCHAR(64) NOT NULL, \
         applied BIGINT NOT NULL DEFAULT 0, \
         locked_until BIGINT NOT NULL, \
         expires_at BIGINT NOT NULL, \
         status BIGINT NULL, \
         headers TEXT NULL, \
         body {body} NULL{extra})"
    ))
    .await?;
    if backend != DbBackend::MySql {
        db.execute_unprepared(&format!(
            "CREATE INDEX IF NOT EXISTS ferrest_idempotency_keys_expires_at ON {TABLE} (expires_at)"
        ))
        .await?;
    }
    Ok(())
}

/// `sql` with `?` placeholders, as `backend` numbers them.
pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut numbered = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                numbered.push_str(&format!("${n}"));
            } else {
                numbered.push(c);
            }
        }
        numbered
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

fn text(value: &str) -> Value {
    Value::String(Some(value.to_owned()))
}

fn int(value: i64) -> Value {
    Value::BigInt(Some(value))
}

/// Takes `id` for a request with `fingerprint`, or says what holds it. `now` and the
/// times are milliseconds since the epoch; the reservation is the request's until
/// `locked_until` (past it, a request that is still unanswered and did not commit was
/// abandoned, and another may take the key over) and is forgotten at `expires_at`.
pub(crate) async fn reserve(
    db: &DatabaseConnection,
    id: &str,
    fingerprint: &str,
    now: i64,
    locked_until: i64,
    expires_at: i64,
) -> Result<Reserved, DbErr> {
    let backend = db.get_database_backend();
    // Twice at most: a row that expired, or was released, between the insert and the
    // read is gone by the second try.
    for _ in 0..2 {
        let insert = statement(
            backend,
            &format!(
                "INSERT INTO {TABLE} (id, fingerprint, applied, locked_until, expires_at) VALUES (?, ?, 0, ?, ?)"
            ),
            vec![
                text(id),
                text(fingerprint),
                int(locked_until),
                int(expires_at),
            ],
        );
        match db.execute_raw(insert).await {
            Ok(_) => return Ok(Reserved::Ours),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
            Err(e) => return Err(e),
        }
        let select = statement(
            backend,
            &format!(
                "SELECT fingerprint, applied, locked_until, expires_at, status, headers, body FROM {TABLE} WHERE id = ?"
            ),
            vec![text(id)],
        );
        let Some(row) = db.query_one_raw(select).await? else {
            continue;
        };
        if row.try_get::<i64>("", "expires_at")? <= now {
            db.execute_raw(statement(
                backend,
                &format!("DELETE FROM {TABLE} WHERE id = ? AND expires_at <= ?"),
                vec![text(id), int(now)],
            ))
            .await?;
            continue;
        }
        if row.try_get::<String>("", "fingerprint")? != fingerprint {
            return Ok(Reserved::Mismatch);
        }
        if let Some(stored) = answer(&row)? {
            return Ok(Reserved::Answered(stored));
        }
        if row.try_get::<i64>("", "applied")? != 0 {
            return Ok(Reserved::AppliedUnanswered);
        }
        if row.try_get::<i64>("", "locked_until")? > now {
            return Ok(Reserved::InFlight);
        }
        // Abandoned (its server stopped) and never committed: take it over, unless
        // another request just did.
        let takeover = statement(
            backend,
            &format!(
                "UPDATE {TABLE} SET locked_until = ?, expires_at = ? \
                 WHERE id = ? AND status IS NULL AND applied = 0 AND locked_until <= ?"
            ),
            vec![int(locked_until), int(expires_at), text(id), int(now)],
        );
        let taken = db.execute_raw(takeover).await?.rows_affected() == 1;
        return Ok(if taken {
            Reserved::Ours
        } else {
            Reserved::InFlight
        });
    }
    Ok(Reserved::InFlight)
}

fn answer(row: &QueryResult) -> Result<Option<Stored>, DbErr> {
    let Some(status) = row.try_get::<Option<i64>>("", "status")? else {
        return Ok(None);
    };
    let headers: Option<String> = row.try_get("", "headers")?;
    let headers = headers
        .and_then(|h| serde_json::from_str(&h).ok())
        .unwrap_or_default();
    let body: Option<Vec<u8>> = row.try_get("", "body")?;
    Ok(Some(Stored {
        status: u16::try_from(status).unwrap_or(500),
        headers,
        body: body.unwrap_or_default(),
    }))
}

/// Records the answer of the request that holds `id`, kept until `expires_at`.
pub(crate) async fn answered(
    db: &DatabaseConnection,
    id: &str,
    stored: &Stored,
    expires_at: i64,
) -> Result<(), DbErr> {
    let headers = serde_json::to_string(&stored.headers).unwrap_or_else(|_| "[]".to_owned());
    db.execute_raw(statement(
        db.get_database_backend(),
        &format!(
            "UPDATE {TABLE} SET status = ?, headers = ?, body = ?, expires_at = ? WHERE id = ?"
        ),
        vec![
            int(i64::from(stored.status)),
            text(&headers),
            Value::Bytes(Some(stored.body.clone())),
            int(expires_at),
            text(id),
        ],
    ))
    .await?;
    Ok(())
}

/// Gives `id` up, so that a retry runs the request again: only while nothing was
/// committed under it. Where the write's transaction still holds the row (it marked
/// it, and its commit is under way), the statement waits for the outcome and then
/// deletes nothing if it committed.
pub(crate) async fn release(db: &DatabaseConnection, id: &str) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db.get_database_backend(),
        &format!("DELETE FROM {TABLE} WHERE id = ? AND applied = 0 AND status IS NULL"),
        vec![text(id)],
    ))
    .await?;
    Ok(())
}

/// Forgets every key that expired.
pub(crate) async fn purge(db: &DatabaseConnection, now: i64) -> Result<u64, DbErr> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            &format!("DELETE FROM {TABLE} WHERE expires_at <= ?"),
            vec![int(now)],
        ))
        .await?;
    Ok(result.rows_affected())
}

/// The statement that marks `id` applied, run in the write's own transaction so that
/// the mark commits exactly when the write does.
pub(crate) fn mark_applied(backend: DbBackend, id: &str) -> Statement {
    statement(
        backend,
        &format!("UPDATE {TABLE} SET applied = 1 WHERE id = ?"),
        vec![text(id)],
    )
}
