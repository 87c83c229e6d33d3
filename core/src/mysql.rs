//! MySQL/MariaDB schema alignment, run after schema sync: the column types sea-orm
//! creates there by default behave differently from PostgreSQL and SQLite, and ferrest
//! promises the same behaviour on every backend.

use sea_orm::sea_query::ColumnType;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

use crate::spec::{Kind, ResourceSpec};

/// Aligns each resource's table; lossless, and a no-op once done:
/// - `timestamp`/`datetime`/`time` columns become `datetime(6)`/`time(6)`: MySQL drops
///   fractional seconds by default, and `timestamp` holds only 1970 to 2038;
/// - unbounded strings become `mediumtext`: `text` holds only 64 KiB, less than a body;
/// - the table's collation becomes binary without padding (`utf8mb4_nopad_bin` on
///   MariaDB, `utf8mb4_0900_bin` on MySQL), so `unique` and equality compare exactly, as
///   on the other backends: the default collation ignores case, and `utf8mb4_bin`
///   trailing spaces.
pub(crate) async fn align(
    db: &DatabaseConnection,
    specs: &[&'static ResourceSpec],
) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::MySql {
        return Ok(());
    }
    let exact = exact_collation(db).await?;
    for spec in specs {
        let table = quote(spec.table);
        let collation = db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::MySql,
                "SELECT TABLE_COLLATION FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
                [spec.table.into()],
            ))
            .await?
            .and_then(|row| row.try_get_by_index::<String>(0).ok());
        if collation.as_deref() != Some(exact) {
            let sql = convert_collation(spec.table, exact);
            tracing::info!(%sql, "aligning MySQL collation");
            db.execute_unprepared(&sql).await?;
        }
        let changes = column_changes(db, spec).await?;
        if !changes.is_empty() {
            let sql = format!("ALTER TABLE {table} {}", changes.join(", "));
            tracing::info!(%sql, "aligning MySQL column types");
            db.execute_unprepared(&sql).await?;
        }
    }
    Ok(())
}

/// Date-times, kept to the microsecond as on the other backends.
const DATETIME: &str = "DATETIME(6)";
/// Times of day, kept to the microsecond.
const TIME: &str = "TIME(6)";
/// Unbounded strings: up to 16 MiB.
const MEDIUMTEXT: &str = "MEDIUMTEXT";

/// The type ferrest gives a column of sea-query type `ty` on MySQL where it differs
/// from the one sea-query writes: what [`align`] makes of a synced column, and what a
/// migration creates.
#[cfg_attr(not(feature = "migrate"), allow(dead_code))]
pub(crate) fn aligned_type(ty: &ColumnType) -> Option<&'static str> {
    match ty {
        ColumnType::DateTime | ColumnType::Timestamp | ColumnType::TimestampWithTimeZone => {
            Some(DATETIME)
        }
        ColumnType::Time => Some(TIME),
        ColumnType::Text => Some(MEDIUMTEXT),
        _ => None,
    }
}

/// The statement that gives a table and each of its text columns `collation`.
pub(crate) fn convert_collation(table: &str, collation: &str) -> String {
    format!(
        "ALTER TABLE {} CONVERT TO CHARACTER SET utf8mb4 COLLATE {collation}",
        quote(table)
    )
}

/// The binary, no-pad collation of the server.
pub(crate) async fn exact_collation(db: &impl ConnectionTrait) -> Result<&'static str, DbErr> {
    let version: String = db
        .query_one_raw(Statement::from_string(DbBackend::MySql, "SELECT VERSION()"))
        .await?
        .map(|row| row.try_get_by_index(0))
        .transpose()?
        .unwrap_or_default();
    Ok(if version.contains("MariaDB") {
        "utf8mb4_nopad_bin"
    } else {
        "utf8mb4_0900_bin"
    })
}

async fn column_changes(
    db: &DatabaseConnection,
    spec: &ResourceSpec,
) -> Result<Vec<String>, DbErr> {
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
        let data_type = row.try_get_by_index::<String>(1)?.to_lowercase();
        let precision: Option<u32> = row.try_get_by_index(2).ok().flatten();
        let Some(field) = spec.field(&column) else {
            continue;
        };
        let wanted = match field.kind {
            Kind::DateTime | Kind::NaiveDateTime
                if data_type != "datetime" || precision != Some(6) =>
            {
                DATETIME
            }
            Kind::Time if data_type != "time" || precision != Some(6) => TIME,
            Kind::String if data_type == "text" || data_type == "tinytext" => MEDIUMTEXT,
            _ => continue,
        };
        let null = if field.nullable { "NULL" } else { "NOT NULL" };
        // MODIFY restates the whole column, so the default the schema sync gave it too.
        let default = match field.default {
            Some(crate::spec::Literal::Str(text)) => {
                format!(
                    " DEFAULT '{}'",
                    text.replace('\\', "\\\\").replace('\'', "''")
                )
            }
            _ => String::new(),
        };
        changes.push(format!(
            "MODIFY {} {wanted} {null}{default}",
            quote(&column)
        ));
    }
    Ok(changes)
}

fn quote(identifier: &str) -> String {
    format!("`{}`", identifier.replace('`', "``"))
}
