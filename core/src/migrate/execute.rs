//! Running one [`Step`] on the connected backend: backend-neutral sea-query statements,
//! and the backend's own way where it has no neutral one (SQLite's table rebuild,
//! PostgreSQL's `USING` casts, each backend's name for a column's unique constraint).

use sea_orm::sea_query::{
    Alias, ForeignKey as ForeignKeyStatement, Index as IndexStatement, Query,
    Table as TableStatement,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, StatementBuilder};

use super::ddl::{self, Inline};
use super::describe::describe;
use super::model::Column;
use super::sqlite_table::{Change, rebuild};
use super::step::Step;

/// Why a step failed: the statement the database refused (when one was sent) and its
/// error.
#[derive(Debug)]
pub(crate) struct StepError {
    /// What the step does, as a phrase: ``add column `books`.`subtitle` ``.
    pub(crate) step: String,
    /// The SQL statement that failed, if the failure is a statement's.
    pub(crate) statement: Option<String>,
    /// The database's error, or why no statement could be written.
    pub(crate) source: DbErr,
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.step)?;
        if let Some(statement) = &self.statement {
            write!(f, ": statement `{statement}`")?;
        }
        write!(f, " failed: {}", self.source)
    }
}

impl std::error::Error for StepError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// What failed inside a step, before the step is named.
pub(crate) struct Failure {
    pub(crate) statement: Option<String>,
    pub(crate) source: DbErr,
}

impl From<DbErr> for Failure {
    fn from(source: DbErr) -> Self {
        Failure {
            statement: None,
            source,
        }
    }
}

/// Sends statements, keeping the SQL of the one that fails.
pub(crate) struct Exec<'c, C> {
    pub(crate) db: &'c C,
    pub(crate) backend: DbBackend,
}

impl<C: ConnectionTrait> Exec<'_, C> {
    /// Writes a sea-query statement for the backend. sea-query panics on what a backend
    /// cannot do (SQLite altering a foreign key, an array column on MySQL): that becomes
    /// this step's error, not a crash of the run.
    pub(crate) fn build(&self, statement: &impl StatementBuilder) -> Result<String, Failure> {
        let backend = self.backend;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            backend.build(statement).to_string()
        }))
        .map_err(|panic| {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Failure::from(DbErr::Migration(format!(
                "sea-query cannot write this statement for {backend:?}: {why}"
            )))
        })
    }

    /// Runs SQL as written.
    pub(crate) async fn sql(&self, sql: String) -> Result<(), Failure> {
        tracing::debug!(%sql, "migration statement");
        match self.db.execute_unprepared(&sql).await {
            Ok(_) => Ok(()),
            Err(source) => Err(Failure {
                statement: Some(sql),
                source,
            }),
        }
    }

    /// Runs a sea-query statement.
    pub(crate) async fn run(&self, statement: &impl StatementBuilder) -> Result<(), Failure> {
        let sql = self.build(statement)?;
        self.sql(sql).await
    }

    /// The first column of each row of a query with values.
    pub(crate) async fn strings(
        &self,
        sql: &str,
        values: Vec<sea_orm::Value>,
    ) -> Result<Vec<String>, Failure> {
        let statement = Statement::from_sql_and_values(self.backend, sql, values);
        let rows = self
            .db
            .query_all_raw(statement)
            .await
            .map_err(|source| Failure {
                statement: Some(sql.to_owned()),
                source,
            })?;
        rows.iter()
            .map(|row| row.try_get_by_index::<String>(0).map_err(Failure::from))
            .collect()
    }

    /// An expression as the backend writes it inline (a default, a literal).
    fn inline(&self, expr: sea_orm::sea_query::Expr) -> String {
        let select = Query::select().expr(expr).to_owned();
        let sql = match self.backend {
            DbBackend::MySql => select.to_string(sea_orm::sea_query::MysqlQueryBuilder),
            DbBackend::Postgres => select.to_string(sea_orm::sea_query::PostgresQueryBuilder),
            _ => select.to_string(sea_orm::sea_query::SqliteQueryBuilder),
        };
        sql.trim_start_matches("SELECT ").to_owned()
    }

    /// An identifier, quoted for the backend.
    pub(crate) fn quote(&self, identifier: &str) -> String {
        match self.backend {
            DbBackend::MySql => format!("`{}`", identifier.replace('`', "``")),
            _ => format!("\"{}\"", identifier.replace('"', "\"\"")),
        }
    }
}

/// Runs `step` on `db`. On MySQL a table is created with the binary `collation` of the
/// server (see `crate::mysql`).
pub(crate) async fn execute<C: ConnectionTrait>(
    db: &C,
    step: &Step,
    collation: Option<&str>,
) -> Result<(), StepError> {
    let exec = Exec {
        db,
        backend: db.get_database_backend(),
    };
    run_step(&exec, step, collation)
        .await
        .map_err(|failure| StepError {
            step: describe(step),
            statement: failure.statement,
            source: failure.source,
        })
}

async fn run_step<C: ConnectionTrait>(
    exec: &Exec<'_, C>,
    step: &Step,
    collation: Option<&str>,
) -> Result<(), Failure> {
    let sqlite = exec.backend == DbBackend::Sqlite;
    match step {
        Step::CreateTable(table) => {
            let (create, indexes) = ddl::create_table(table, exec.backend);
            exec.run(&create).await?;
            // What `mysql::align` does to a synced table; a table option instead would
            // leave MariaDB's JSON columns their own collation.
            #[cfg(feature = "mysql")]
            if let Some(collation) = collation {
                exec.sql(crate::mysql::convert_collation(&table.name, collation))
                    .await?;
            }
            #[cfg(not(feature = "mysql"))]
            let _ = collation;
            for index in &indexes {
                exec.run(index).await?;
            }
            Ok(())
        }
        Step::DropTable(table) => {
            exec.run(&TableStatement::drop().table(Alias::new(table)).to_owned())
                .await
        }
        Step::RenameTable { from, to } => {
            exec.run(
                &TableStatement::rename()
                    .table(Alias::new(from), Alias::new(to))
                    .to_owned(),
            )
            .await
        }
        Step::AddColumn {
            table,
            column,
            backfill,
        } => add_column(exec, table, column, backfill.as_deref()).await,
        Step::DropColumn { table, column } if sqlite => {
            rebuild(exec, table, &Change::DropColumn(column)).await
        }
        Step::DropColumn { table, column } => {
            #[cfg(feature = "mysql")]
            if exec.backend == DbBackend::MySql {
                // MySQL refuses to drop a column a foreign key uses; PostgreSQL drops
                // the key with it, and so does the SQLite rebuild.
                for key in mysql_foreign_keys_on(exec, table, column).await? {
                    exec.run(
                        &ForeignKeyStatement::drop()
                            .table(Alias::new(table))
                            .name(key)
                            .to_owned(),
                    )
                    .await?;
                }
            }
            exec.run(
                &TableStatement::alter()
                    .table(Alias::new(table))
                    .drop_column(Alias::new(column))
                    .to_owned(),
            )
            .await
        }
        Step::AlterColumn { table, column } if sqlite => {
            rebuild(exec, table, &Change::AlterColumn(column)).await
        }
        Step::AlterColumn { table, column } => {
            alter_column(exec, table, column).await?;
            set_unique(exec, table, &column.name, column.unique).await
        }
        Step::Backfill { table, column, sql } => {
            let column = exec.quote(column);
            exec.sql(format!(
                "UPDATE {} SET {column} = ({sql}) WHERE {column} IS NULL",
                exec.quote(table)
            ))
            .await
        }
        Step::RenameColumn { table, from, to } => {
            exec.run(
                &TableStatement::alter()
                    .table(Alias::new(table))
                    .rename_column(Alias::new(from), Alias::new(to))
                    .to_owned(),
            )
            .await
        }
        Step::AddIndex { table, index } => exec.run(&ddl::create_index(table, index)).await,
        Step::DropIndex { table, name } => {
            exec.run(
                &IndexStatement::drop()
                    .name(name)
                    .table(Alias::new(table))
                    .to_owned(),
            )
            .await
        }
        Step::AddForeignKey { table, key } if sqlite => {
            rebuild(exec, table, &Change::AddForeignKey(key)).await
        }
        Step::AddForeignKey { table, key } => exec.run(&ddl::foreign_key(table, key)).await,
        Step::DropForeignKey { table, name } if sqlite => {
            rebuild(exec, table, &Change::DropForeignKey(name)).await
        }
        Step::DropForeignKey { table, name } => {
            exec.run(
                &ForeignKeyStatement::drop()
                    .table(Alias::new(table))
                    .name(name)
                    .to_owned(),
            )
            .await
        }
        Step::Sql(sql) => exec.sql(sql.clone()).await,
    }
}

/// Adds a column. One that is `NOT NULL` without a default is added nullable, given
/// `backfill` in the rows already there, and then made `NOT NULL`: adding it `NOT NULL`
/// at once fails on a table with rows on PostgreSQL and SQLite (and on MySQL silently
/// writes `0` or `''`). On SQLite a unique column is added without its constraint
/// (SQLite cannot add one) and gets the unique index sync gives a column of an
/// existing table.
async fn add_column<C: ConnectionTrait>(
    exec: &Exec<'_, C>,
    table: &str,
    column: &Column,
    backfill: Option<&str>,
) -> Result<(), Failure> {
    let sqlite = exec.backend == DbBackend::Sqlite;
    let filled_later = !column.nullable && column.default.is_none() && !column.auto_increment;
    let mut added = column.clone();
    added.nullable |= filled_later;
    added.unique &= !sqlite;
    exec.run(
        &TableStatement::alter()
            .table(Alias::new(table))
            .add_column(ddl::column_def(
                &added,
                exec.backend,
                true,
                Inline::Constraints,
            ))
            .to_owned(),
    )
    .await?;
    if filled_later {
        if let Some(backfill) = backfill {
            exec.sql(format!(
                "UPDATE {} SET {} = ({backfill})",
                exec.quote(table),
                exec.quote(&column.name)
            ))
            .await?;
        }
        let mut filled = column.clone();
        filled.unique = added.unique;
        if sqlite {
            rebuild(exec, table, &Change::AlterColumn(&filled)).await?;
        } else {
            alter_column(exec, table, &filled).await?;
        }
    }
    if sqlite && column.unique {
        exec.run(&ddl::unique_index(table, &column.name)).await?;
    }
    Ok(())
}

/// Restates a column's type, nullability and default on PostgreSQL or MySQL (not its
/// uniqueness: see [`set_unique`]).
async fn alter_column<C: ConnectionTrait>(
    exec: &Exec<'_, C>,
    table: &str,
    column: &Column,
) -> Result<(), Failure> {
    if exec.backend == DbBackend::MySql {
        // MODIFY restates the whole column; the key and unique index stay.
        return exec
            .run(
                &TableStatement::alter()
                    .table(Alias::new(table))
                    .modify_column(ddl::column_def(
                        column,
                        exec.backend,
                        false,
                        Inline::ColumnOnly,
                    ))
                    .to_owned(),
            )
            .await;
    }
    // PostgreSQL: one ALTER TABLE of its actions, written here because sea-query
    // places `USING` after all of them. They run in PostgreSQL's order, not the
    // statement's: the old default is dropped before the type changes (a default
    // `'abc'` cannot be cast to integer, and the change would fail on it), the new
    // default set after.
    let name = exec.quote(&column.name);
    let ty = postgres_type(&column.ty);
    let mut actions = Vec::new();
    // A numbered column's default is its sequence, which must stay.
    if !column.auto_increment {
        actions.push(format!("ALTER COLUMN {name} DROP DEFAULT"));
    }
    // Without `USING`, PostgreSQL converts with the assignment cast, which refuses a
    // value that does not fit (`value too long for type character varying(13)`); an
    // explicit cast would cut it short. `USING` is kept for a change no assignment
    // cast makes (text to integer).
    actions.push(if assignable(exec, table, &column.name, &ty).await? {
        format!("ALTER COLUMN {name} TYPE {ty}")
    } else {
        format!("ALTER COLUMN {name} TYPE {ty} USING {name}::{ty}")
    });
    actions.push(format!(
        "ALTER COLUMN {name} {} NOT NULL",
        if column.nullable { "DROP" } else { "SET" }
    ));
    if let (false, Some(value)) = (column.auto_increment, &column.default) {
        actions.push(format!(
            "ALTER COLUMN {name} SET DEFAULT {}",
            exec.inline(ddl::default_expr(value))
        ));
    }
    exec.sql(format!(
        "ALTER TABLE {} {}",
        exec.quote(table),
        actions.join(", ")
    ))
    .await
}

/// Whether PostgreSQL converts the values of `column` to `ty` without being told how:
/// the type is the same (a length changes), an implicit or assignment cast exists
/// (text to varchar, integer to bigint, bigint to integer), or `ty` is a string type,
/// which takes any value by its text. False too when the column or the type is not
/// found: the statement with `USING` then fails saying which.
async fn assignable<C: ConnectionTrait>(
    exec: &Exec<'_, C>,
    table: &str,
    column: &str,
    ty: &str,
) -> Result<bool, Failure> {
    let answer = exec
        .strings(
            "SELECT coalesce(a.atttypid = to_regtype($3) \
             OR EXISTS (SELECT 1 FROM pg_cast c WHERE c.castsource = a.atttypid \
                 AND c.casttarget = to_regtype($3) AND c.castcontext IN ('a', 'i')) \
             OR (SELECT t.typcategory = 'S' FROM pg_type t WHERE t.oid = to_regtype($3)), \
             false)::text \
             FROM pg_attribute a WHERE a.attrelid = to_regclass(quote_ident($1)) \
             AND a.attname = $2 AND NOT a.attisdropped",
            vec![table.into(), column.into(), ty.into()],
        )
        .await?;
    Ok(answer.first().is_some_and(|a| a == "true"))
}

fn postgres_type(ty: &sea_orm::sea_query::ColumnType) -> String {
    use sea_orm::sea_query::backend::TableBuilder;
    let mut sql = String::new();
    TableBuilder::prepare_column_type(&sea_orm::sea_query::PostgresQueryBuilder, ty, &mut sql);
    sql
}

/// Gives a column of PostgreSQL or MySQL a unique index of its own, or takes away the
/// one it has, whatever its name: PostgreSQL names the constraint of an inline `UNIQUE`
/// `{table}_{column}_key`, MySQL the index after the column, sync `idx-{table}-{column}`.
async fn set_unique<C: ConnectionTrait>(
    exec: &Exec<'_, C>,
    table: &str,
    column: &str,
    unique: bool,
) -> Result<(), Failure> {
    let existing = unique_constraints(exec, table, column).await?;
    if unique {
        if existing.is_empty() {
            exec.run(&ddl::unique_index(table, column)).await?;
        }
        return Ok(());
    }
    for (name, is_constraint) in existing {
        let sql = match (exec.backend, is_constraint) {
            (DbBackend::Postgres, true) => format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                exec.quote(table),
                exec.quote(&name)
            ),
            (DbBackend::Postgres, false) => format!("DROP INDEX {}", exec.quote(&name)),
            _ => format!("DROP INDEX {} ON {}", exec.quote(&name), exec.quote(table)),
        };
        exec.sql(sql).await?;
    }
    Ok(())
}

/// The unique constraints and indexes on `column` alone (not the primary key), with
/// whether each is a PostgreSQL constraint (dropped as one) rather than an index.
async fn unique_constraints<C: ConnectionTrait>(
    exec: &Exec<'_, C>,
    table: &str,
    column: &str,
) -> Result<Vec<(String, bool)>, Failure> {
    if exec.backend == DbBackend::MySql {
        let names = exec
            .strings(
                "SELECT INDEX_NAME FROM information_schema.STATISTICS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 \
                 AND INDEX_NAME <> 'PRIMARY' GROUP BY INDEX_NAME \
                 HAVING COUNT(*) = 1 AND MAX(COLUMN_NAME) = ?",
                vec![table.into(), column.into()],
            )
            .await?;
        return Ok(names.into_iter().map(|name| (name, false)).collect());
    }
    let constraints = exec
        .strings(
            "SELECT c.conname::text FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.conrelid = to_regclass(quote_ident($1)) AND c.contype = 'u' \
             AND cardinality(c.conkey) = 1 AND a.attname = $2",
            vec![table.into(), column.into()],
        )
        .await?;
    let indexes = exec
        .strings(
            "SELECT i.relname::text FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] \
             WHERE x.indrelid = to_regclass(quote_ident($1)) AND x.indisunique \
             AND NOT x.indisprimary AND x.indnatts = 1 AND x.indpred IS NULL \
             AND a.attname = $2 \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            vec![table.into(), column.into()],
        )
        .await?;
    Ok(constraints
        .into_iter()
        .map(|name| (name, true))
        .chain(indexes.into_iter().map(|name| (name, false)))
        .collect())
}

/// The foreign keys of a MySQL table that use `column`.
#[cfg(feature = "mysql")]
async fn mysql_foreign_keys_on<C: ConnectionTrait>(
    exec: &Exec<'_, C>,
    table: &str,
    column: &str,
) -> Result<Vec<String>, Failure> {
    exec.strings(
        "SELECT DISTINCT CONSTRAINT_NAME FROM information_schema.KEY_COLUMN_USAGE \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ? \
         AND REFERENCED_TABLE_NAME IS NOT NULL",
        vec![table.into(), column.into()],
    )
    .await
}
