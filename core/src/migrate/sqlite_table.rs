//! SQLite's table rebuild, for the changes its `ALTER TABLE` cannot make (a column's
//! type, nullability, default or uniqueness; adding or dropping a foreign key; dropping
//! a column that is unique, indexed or a key): the procedure of
//! <https://www.sqlite.org/lang_altertable.html#otheralter> — set the views and
//! triggers aside, create the new table, copy the rows, drop the old one, rename the
//! new one, create the indexes, views and triggers again. A table whose definition has
//! what the rebuild does not write (`CHECK`, `COLLATE`, generated columns, `STRICT`,
//! `WITHOUT ROWID`) is refused, not rebuilt without it.
//!
//! It runs inside the migration's transaction, on a connection whose foreign-key
//! enforcement is off (`PRAGMA foreign_keys` cannot change inside a transaction, and
//! with it on, dropping the old table would delete or refuse the rows referring to
//! it); the runner checks the keys with `PRAGMA foreign_key_check` before committing.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::SqliteQueryBuilder;
use sea_orm::sea_query::backend::TableBuilder;

use super::ddl::{self, Inline};
use super::execute::{Exec, Failure};
use super::model::{Column, ForeignKey};

/// What a rebuild changes.
pub(crate) enum Change<'a> {
    /// Leaves the column out, with the indexes and foreign keys that use it.
    DropColumn(&'a str),
    /// Writes the column as it becomes (type, nullability, default, uniqueness).
    AlterColumn(&'a Column),
    /// Adds a foreign key.
    AddForeignKey(&'a ForeignKey),
    /// Leaves out the foreign key of this name: SQLite keeps no names of foreign keys,
    /// so it is the one sea-orm would name so, `fk-{table}-{columns}`.
    DropForeignKey(&'a str),
}

/// A table as SQLite keeps it: what is needed to write it again.
struct SqliteTable {
    columns: Vec<SqliteColumn>,
    /// The primary key's columns, in key order.
    primary_key: Vec<String>,
    autoincrement: bool,
    /// `UNIQUE` constraints of the table (not `CREATE UNIQUE INDEX`), by columns.
    unique: Vec<Vec<String>>,
    foreign_keys: Vec<SqliteForeignKey>,
    /// Indexes made by `CREATE INDEX`.
    indexes: Vec<SqliteIndex>,
    /// What the table's definition has that the rebuild would not write again, as
    /// phrases: ``a `CHECK` constraint``, ``generated column `total` ``.
    unwritten: Vec<String>,
}

struct SqliteIndex {
    columns: Vec<String>,
    unique: bool,
    /// The statement that made it, run again after the rebuild.
    sql: String,
}

struct SqliteColumn {
    name: String,
    /// The definition without key and unique constraints: `"title" TEXT NOT NULL`.
    definition: String,
}

struct SqliteForeignKey {
    columns: Vec<String>,
    ref_table: String,
    /// Empty when the key refers to the parent's primary key implicitly.
    ref_columns: Vec<String>,
    on_update: String,
    on_delete: String,
}

/// Rebuilds `table` with `change`.
pub(crate) async fn rebuild<C: ConnectionTrait>(
    exec: &Exec<'_, C>,
    table: &str,
    change: &Change<'_>,
) -> Result<(), Failure> {
    let mut current = read(exec, table).await?;
    if !current.unwritten.is_empty() {
        return Err(missing(format!(
            "cannot rebuild table `{table}` on SQLite: its definition has {}, which the \
             rebuild does not write again (it writes columns, keys, unique constraints, \
             foreign keys and indexes); make this change with `Step::Sql`, following \
             https://www.sqlite.org/lang_altertable.html#otheralter",
            current.unwritten.join(", ")
        )));
    }
    let kept: Vec<String> = current
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|name| !matches!(change, Change::DropColumn(dropped) if dropped == name))
        .collect();
    let mut unique_index = None;
    match change {
        Change::DropColumn(column) => {
            if !current.columns.iter().any(|c| c.name == *column) {
                return Err(missing(format!("table `{table}` has no column `{column}`")));
            }
            let uses = |columns: &Vec<String>| columns.iter().any(|c| c == column);
            current.columns.retain(|c| c.name != *column);
            current.primary_key.retain(|c| c != column);
            current.unique.retain(|u| !uses(u));
            current.foreign_keys.retain(|k| !uses(&k.columns));
            current.indexes.retain(|index| !uses(&index.columns));
        }
        Change::AlterColumn(column) => {
            let Some(slot) = current.columns.iter_mut().find(|c| c.name == column.name) else {
                return Err(missing(format!(
                    "table `{table}` has no column `{}`",
                    column.name
                )));
            };
            slot.definition = definition(column);
            let alone = |columns: &Vec<String>| columns.len() == 1 && columns[0] == column.name;
            let already = current.unique.iter().any(alone)
                || current
                    .indexes
                    .iter()
                    .any(|index| index.unique && alone(&index.columns));
            if column.unique && !already {
                unique_index = Some(ddl::unique_index(table, &column.name));
            } else if !column.unique {
                current.unique.retain(|u| !alone(u));
                current
                    .indexes
                    .retain(|index| !(index.unique && alone(&index.columns)));
            }
        }
        Change::AddForeignKey(key) => current.foreign_keys.push(SqliteForeignKey {
            columns: key.columns.clone(),
            ref_table: key.ref_table.clone(),
            ref_columns: key.ref_columns.clone(),
            on_update: key.on_update.map_or_else(String::new, action_sql),
            on_delete: key.on_delete.map_or_else(String::new, action_sql),
        }),
        Change::DropForeignKey(name) => {
            let before = current.foreign_keys.len();
            current
                .foreign_keys
                .retain(|k| ddl::default_foreign_key_name(table, &k.columns) != *name);
            if current.foreign_keys.len() == before {
                let names: Vec<String> = current
                    .foreign_keys
                    .iter()
                    .map(|k| format!("`{}`", ddl::default_foreign_key_name(table, &k.columns)))
                    .collect();
                return Err(missing(format!(
                    "table `{table}` has no foreign key `{name}` (SQLite keeps no names: a key \
                     is known by `fk-{{table}}-{{columns}}`; this table has {})",
                    if names.is_empty() {
                        "none".to_owned()
                    } else {
                        names.join(", ")
                    }
                )));
            }
        }
    }
    let staging = format!("__ferrest_rebuild_{table}");
    // SQLite makes `sqlite_sequence` with the first AUTOINCREMENT table, so it is
    // there whenever the table numbers its rows that way.
    let sequence = if current.autoincrement {
        exec.strings(
            "SELECT CAST(seq AS TEXT) FROM sqlite_sequence WHERE name = ?",
            vec![table.into()],
        )
        .await?
    } else {
        Vec::new()
    };
    // The rename below checks every view and trigger of the schema against the tables
    // there, and one that reads the table (directly, through a view, or from another
    // table's trigger) fails it, the table being dropped; the table's own triggers go
    // with it. Which ones read it cannot be known without parsing their SQL, so all are
    // set aside and made again after, in the order they were made.
    let dependents = dependents(exec).await?;
    for dependent in dependents.iter().rev() {
        exec.sql(format!(
            "DROP {} IF EXISTS {}",
            dependent.kind,
            exec.quote(&dependent.name)
        ))
        .await?;
    }
    exec.sql(create_sql(exec, &current, &staging)).await?;
    let columns = kept
        .iter()
        .map(|c| exec.quote(c))
        .collect::<Vec<_>>()
        .join(", ");
    exec.sql(format!(
        "INSERT INTO {} ({columns}) SELECT {columns} FROM {}",
        exec.quote(&staging),
        exec.quote(table)
    ))
    .await?;
    exec.sql(format!("DROP TABLE {}", exec.quote(table)))
        .await?;
    exec.sql(format!(
        "ALTER TABLE {} RENAME TO {}",
        exec.quote(&staging),
        exec.quote(table)
    ))
    .await?;
    // The copy numbers the new table from its largest id; the old counter may be
    // higher (rows deleted at the end), and ids must not come back. SQLite (3.51)
    // writes a counter row for the copy even when it copies no rows, but promises no
    // such row: it is updated, or added when there is none (`sqlite_sequence` has no
    // key, so `INSERT OR REPLACE` would add a second one).
    if let Some(seq) = sequence.first() {
        let seq = seq.parse::<i64>().map_err(|_| {
            missing(format!(
                "`sqlite_sequence` holds `{seq}` for table `{table}`"
            ))
        })?;
        let name = format!("'{}'", table.replace('\'', "''"));
        exec.sql(format!(
            "UPDATE sqlite_sequence SET seq = max(seq, {seq}) WHERE name = {name}"
        ))
        .await?;
        exec.sql(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {name}, {seq} \
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {name})"
        ))
        .await?;
    }
    for index in &current.indexes {
        exec.sql(index.sql.clone()).await?;
    }
    if let Some(index) = unique_index {
        exec.run(&index).await?;
    }
    for dependent in &dependents {
        exec.sql(dependent.sql.clone()).await?;
    }
    // SQLite makes a view without resolving its columns: one that reads a column the
    // change dropped fails here, as SQLite's own `DROP COLUMN` would, not at its first
    // use.
    for view in dependents.iter().filter(|d| d.kind == "VIEW") {
        exec.sql(format!("SELECT * FROM {} LIMIT 0", exec.quote(&view.name)))
            .await?;
    }
    Ok(())
}

/// A view or trigger, as made.
struct Dependent {
    /// `VIEW` or `TRIGGER`.
    kind: &'static str,
    name: String,
    sql: String,
}

/// The schema's views and triggers, in the order they were made.
async fn dependents<C: ConnectionTrait>(exec: &Exec<'_, C>) -> Result<Vec<Dependent>, Failure> {
    let sql = "SELECT type, name, sql FROM sqlite_master \
               WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid";
    let rows = exec
        .db
        .query_all_raw(sea_orm::Statement::from_string(exec.backend, sql))
        .await
        .map_err(|source| Failure {
            statement: Some(sql.to_owned()),
            source,
        })?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get_by_index(0)?;
            Ok(Dependent {
                kind: if kind == "view" { "VIEW" } else { "TRIGGER" },
                name: row.try_get_by_index(1)?,
                sql: row.try_get_by_index(2)?,
            })
        })
        .collect()
}

fn missing(message: String) -> Failure {
    Failure::from(sea_orm::DbErr::Migration(message))
}

/// A column's definition as sea-query writes it for SQLite, without the constraints
/// the table writes (key, numbering, unique).
fn definition(column: &Column) -> String {
    let mut bare = column.clone();
    bare.auto_increment = false;
    let def = ddl::column_def(&bare, sea_orm::DbBackend::Sqlite, false, Inline::ColumnOnly);
    let mut sql = String::new();
    SqliteQueryBuilder.prepare_column_def(&def, &mut sql);
    sql
}

fn action_sql(action: super::model::Action) -> String {
    use super::model::Action;
    match action {
        Action::Restrict => "RESTRICT",
        Action::Cascade => "CASCADE",
        Action::SetNull => "SET NULL",
        Action::SetDefault => "SET DEFAULT",
        Action::NoAction => "NO ACTION",
    }
    .to_owned()
}

/// `CREATE TABLE name (...)` of the table, in the form sea-query gives sync's tables:
/// a single key inline (`PRIMARY KEY AUTOINCREMENT`), a column's `UNIQUE` inline.
fn create_sql<C: ConnectionTrait>(exec: &Exec<'_, C>, table: &SqliteTable, name: &str) -> String {
    let single_key = (table.primary_key.len() == 1).then(|| table.primary_key[0].as_str());
    let mut parts = Vec::new();
    for column in &table.columns {
        let mut part = column.definition.clone();
        if single_key == Some(column.name.as_str()) {
            part.push_str(" PRIMARY KEY");
            if table.autoincrement {
                part.push_str(" AUTOINCREMENT");
            }
        }
        if table
            .unique
            .iter()
            .any(|u| u.len() == 1 && u[0] == column.name)
        {
            part.push_str(" UNIQUE");
        }
        parts.push(part);
    }
    let list = |columns: &[String]| {
        columns
            .iter()
            .map(|c| exec.quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if table.primary_key.len() > 1 {
        parts.push(format!("PRIMARY KEY ({})", list(&table.primary_key)));
    }
    for unique in table.unique.iter().filter(|u| u.len() > 1) {
        parts.push(format!("UNIQUE ({})", list(unique)));
    }
    for key in &table.foreign_keys {
        let mut part = format!(
            "FOREIGN KEY ({}) REFERENCES {}",
            list(&key.columns),
            exec.quote(&key.ref_table)
        );
        if !key.ref_columns.is_empty() {
            part.push_str(&format!(" ({})", list(&key.ref_columns)));
        }
        // `NO ACTION` is what a key without a clause does; sea-query writes none.
        if !key.on_delete.is_empty() && key.on_delete != "NO ACTION" {
            part.push_str(&format!(" ON DELETE {}", key.on_delete));
        }
        if !key.on_update.is_empty() && key.on_update != "NO ACTION" {
            part.push_str(&format!(" ON UPDATE {}", key.on_update));
        }
        parts.push(part);
    }
    format!("CREATE TABLE {} ( {} )", exec.quote(name), parts.join(", "))
}

/// Reads a table's definition from SQLite's catalogue.
async fn read<C: ConnectionTrait>(exec: &Exec<'_, C>, table: &str) -> Result<SqliteTable, Failure> {
    use sea_orm::{Statement, Value};
    let query = |sql: &str, values: Vec<Value>| {
        exec.db
            .query_all_raw(Statement::from_sql_and_values(exec.backend, sql, values))
    };
    let sql = exec
        .strings(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
            vec![table.into()],
        )
        .await?;
    let Some(sql) = sql.first() else {
        return Err(missing(format!("there is no table `{table}`")));
    };
    let mut columns = Vec::new();
    let mut keyed = Vec::new();
    for row in query(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid",
        vec![table.into()],
    )
    .await?
    {
        let name: String = row.try_get_by_index(0)?;
        let ty: String = row.try_get_by_index(1)?;
        let not_null: i64 = row.try_get_by_index(2)?;
        let default: Option<String> = row.try_get_by_index(3)?;
        let key: i64 = row.try_get_by_index(4)?;
        let mut definition = exec.quote(&name);
        if !ty.is_empty() {
            definition.push(' ');
            definition.push_str(&ty);
        }
        if not_null != 0 {
            definition.push_str(" NOT NULL");
        }
        if let Some(default) = default {
            definition.push_str(" DEFAULT ");
            definition.push_str(&default_sql(&default));
        }
        if key > 0 {
            keyed.push((key, name.clone()));
        }
        columns.push(SqliteColumn { name, definition });
    }
    keyed.sort();
    let mut unique = Vec::new();
    let mut indexes = Vec::new();
    for row in query(
        "SELECT name, origin, \"unique\" FROM pragma_index_list(?) ORDER BY seq",
        vec![table.into()],
    )
    .await?
    {
        let name: String = row.try_get_by_index(0)?;
        let origin: String = row.try_get_by_index(1)?;
        let is_unique: i64 = row.try_get_by_index(2)?;
        let indexed = exec
            .strings(
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno",
                vec![name.as_str().into()],
            )
            .await?;
        match origin.as_str() {
            "u" => unique.push(indexed),
            "c" => {
                let sql = exec
                    .strings(
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                        vec![name.as_str().into()],
                    )
                    .await?;
                if let Some(sql) = sql.into_iter().next() {
                    indexes.push(SqliteIndex {
                        columns: indexed,
                        unique: is_unique != 0,
                        sql,
                    });
                }
            }
            _ => {}
        }
    }
    let mut foreign_keys: Vec<SqliteForeignKey> = Vec::new();
    let mut last_id = None;
    for row in query(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete \
         FROM pragma_foreign_key_list(?) ORDER BY id, seq",
        vec![table.into()],
    )
    .await?
    {
        let id: i64 = row.try_get_by_index(0)?;
        let ref_table: String = row.try_get_by_index(1)?;
        let from: String = row.try_get_by_index(2)?;
        let to: Option<String> = row.try_get_by_index(3)?;
        let on_update: String = row.try_get_by_index(4)?;
        let on_delete: String = row.try_get_by_index(5)?;
        if last_id != Some(id) {
            foreign_keys.push(SqliteForeignKey {
                columns: Vec::new(),
                ref_table,
                ref_columns: Vec::new(),
                on_update,
                on_delete,
            });
            last_id = Some(id);
        }
        let key = foreign_keys.last_mut().expect("pushed above");
        key.columns.push(from);
        key.ref_columns.extend(to);
    }
    // pragma_foreign_key_list lists keys last first.
    foreign_keys.reverse();
    // pragma_table_info leaves generated columns out: the copy would lose them.
    let generated = exec
        .strings(
            "SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3) ORDER BY cid",
            vec![table.into()],
        )
        .await?;
    Ok(SqliteTable {
        columns,
        primary_key: keyed.into_iter().map(|(_, name)| name).collect(),
        autoincrement: without_quoted(sql)
            .to_ascii_uppercase()
            .contains("AUTOINCREMENT"),
        unique,
        foreign_keys,
        indexes,
        unwritten: unwritten(sql, &generated),
    })
}

/// What a table's `CREATE TABLE` has that [`create_sql`] does not write: `CHECK`
/// constraints, `COLLATE` clauses, generated columns, and the `STRICT` and
/// `WITHOUT ROWID` options. Words inside string literals, quoted names and comments
/// do not count.
fn unwritten(sql: &str, generated: &[String]) -> Vec<String> {
    let bare = without_quoted(sql).to_ascii_uppercase();
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let body = words(&bare);
    // The options follow the closing parenthesis of the column list.
    let options = words(bare.rsplit_once(')').map_or("", |(_, after)| after));
    let has = |words: &[String], word: &str| words.iter().any(|w| w == word);
    let mut found = Vec::new();
    if has(&body, "CHECK") {
        found.push("a `CHECK` constraint".to_owned());
    }
    if has(&body, "COLLATE") {
        found.push("a `COLLATE` clause".to_owned());
    }
    for column in generated {
        found.push(format!("generated column `{column}`"));
    }
    if has(&options, "STRICT") {
        found.push("the `STRICT` option".to_owned());
    }
    if has(&options, "ROWID") {
        found.push("the `WITHOUT ROWID` option".to_owned());
    }
    found
}

/// `sql` with its string literals, quoted names and comments blanked out.
fn without_quoted(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let close = match c {
            '\'' | '"' | '`' => Some(c),
            '[' => Some(']'),
            '-' if chars.peek() == Some(&'-') => Some('\n'),
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
                continue;
            }
            _ => None,
        };
        let Some(close) = close else {
            out.push(c);
            continue;
        };
        // A doubled quote inside a quoted text is the quote itself: the text goes on
        // after it, which skipping to each closing quote in turn gives too.
        for c in chars.by_ref() {
            if c == close {
                break;
            }
        }
        out.push(' ');
    }
    out
}

/// A default as `pragma_table_info` gives it (the expression's text, without the
/// parentheses it was written in), as a `DEFAULT` clause takes it: literals as they
/// are, anything else in parentheses.
fn default_sql(default: &str) -> String {
    let literal = default.starts_with('\'')
        || default.parse::<f64>().is_ok()
        || [
            "NULL",
            "TRUE",
            "FALSE",
            "CURRENT_TIME",
            "CURRENT_DATE",
            "CURRENT_TIMESTAMP",
        ]
        .iter()
        .any(|k| default.eq_ignore_ascii_case(k));
    if literal {
        default.to_owned()
    } else {
        format!("({default})")
    }
}

#[cfg(test)]
mod tests {
    use super::{default_sql, unwritten};

    #[test]
    fn what_the_rebuild_cannot_write_is_found_outside_quotes() {
        let none: &[String] = &[];
        assert!(
            unwritten(
                "CREATE TABLE \"t\" ( \"check\" text DEFAULT 'COLLATE' /* CHECK */, -- STRICT\n \
                 [collate] integer )",
                none
            )
            .is_empty()
        );
        assert_eq!(
            unwritten(
                "CREATE TABLE t (a text CHECK (a <> ''), b text COLLATE NOCASE) STRICT",
                &["g".to_owned()]
            ),
            [
                "a `CHECK` constraint",
                "a `COLLATE` clause",
                "generated column `g`",
                "the `STRICT` option"
            ]
        );
        assert_eq!(
            unwritten("CREATE TABLE t (a PRIMARY KEY) WITHOUT ROWID", none),
            ["the `WITHOUT ROWID` option"]
        );
    }

    #[test]
    fn defaults_are_written_back_as_sqlite_reads_them() {
        assert_eq!(default_sql("'it''s'"), "'it''s'");
        assert_eq!(default_sql("-3"), "-3");
        assert_eq!(default_sql("FALSE"), "FALSE");
        assert_eq!(default_sql("1+2"), "(1+2)");
    }
}
