//! The sea-query statements the schema model becomes: a [`Column`] is the `ColumnDef`
//! sea-orm's `Schema::create_table_from_entity` makes for an entity column of the same
//! declaration, so that a migration's `CreateTable` gives the table schema sync gives.

use sea_orm::DbBackend;
use sea_orm::sea_query::{
    Alias, ColumnDef, ColumnType, Expr, ForeignKey as ForeignKeyStatement, ForeignKeyAction,
    ForeignKeyCreateStatement, Index as IndexStatement, IndexCreateStatement, TableCreateStatement,
};

use super::model::{Action, Column, ForeignKey, Index, Table, Value};

/// Whether a column definition carries the constraints a `CREATE TABLE` or an
/// `ADD COLUMN` states inline (`PRIMARY KEY`, `UNIQUE`), or only its type, nullability,
/// default and numbering, as an `ALTER`/`MODIFY` restating an existing column must.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inline {
    /// `PRIMARY KEY` and `UNIQUE` too.
    Constraints,
    /// The column alone.
    ColumnOnly,
}

/// The definition of `column` on `backend`. `single_key` says whether the column is the
/// table's only primary-key column (a composite key is a table constraint instead, as
/// sea-orm makes it).
pub(crate) fn column_def(
    column: &Column,
    backend: DbBackend,
    single_key: bool,
    inline: Inline,
) -> ColumnDef {
    let mut def = ColumnDef::new_with_type(Alias::new(&column.name), stored_type(column, backend));
    if !column.nullable {
        def.not_null();
    }
    if column.unique && inline == Inline::Constraints {
        def.unique_key();
    }
    if let Some(default) = &column.default {
        def.default(default_expr(default));
    }
    if column.auto_increment {
        def.auto_increment();
    }
    if column.primary_key && single_key && inline == Inline::Constraints {
        def.primary_key();
    }
    def
}

/// The column's type as the database keeps it. On MySQL, the types `mysql::align`
/// gives the columns schema sync creates (see `crate::mysql`), so that both paths give
/// one schema.
pub(crate) fn stored_type(column: &Column, backend: DbBackend) -> ColumnType {
    #[cfg(feature = "mysql")]
    if backend == DbBackend::MySql
        && let Some(aligned) = crate::mysql::aligned_type(&column.ty)
    {
        return ColumnType::custom(aligned);
    }
    let _ = backend;
    column.ty.clone()
}

/// A default as sea-query writes it: a literal, quoted for its type.
pub(crate) fn default_expr(value: &Value) -> Expr {
    match value {
        Value::Bool(b) => Expr::val(*b),
        Value::Int(i) => Expr::val(*i),
        Value::Float(f) => Expr::val(*f),
        Value::Text(s) => Expr::val(s.as_str()),
    }
}

/// `CREATE TABLE` with the columns, the primary key, each column's `unique` and the
/// foreign keys, then `CREATE INDEX` for each index: the order and form of sea-orm's
/// schema sync.
pub(crate) fn create_table(
    table: &Table,
    backend: DbBackend,
) -> (TableCreateStatement, Vec<IndexCreateStatement>) {
    let mut statement = TableCreateStatement::new();
    statement.table(Alias::new(&table.name));
    let keys: Vec<&Column> = table.columns.iter().filter(|c| c.primary_key).collect();
    for column in &table.columns {
        statement.col(column_def(
            column,
            backend,
            keys.len() == 1,
            Inline::Constraints,
        ));
    }
    if keys.len() > 1 {
        let mut key = IndexStatement::create();
        key.name(format!("pk-{}", table.name)).primary();
        for column in keys {
            key.col(Alias::new(&column.name));
        }
        statement.primary_key(&mut key);
    }
    for key in &table.foreign_keys {
        statement.foreign_key(&mut foreign_key(&table.name, key));
    }
    let indexes = table
        .indexes
        .iter()
        .map(|index| create_index(&table.name, index))
        .collect();
    (statement, indexes)
}

/// `CREATE [UNIQUE] INDEX name ON table (columns)`.
pub(crate) fn create_index(table: &str, index: &Index) -> IndexCreateStatement {
    let mut statement = IndexStatement::create();
    statement.name(&index.name).table(Alias::new(table));
    for column in &index.columns {
        statement.col(Alias::new(column));
    }
    if index.unique {
        statement.unique();
    }
    statement
}

/// The unique index sync creates when a column of an existing table becomes unique:
/// `idx-{table}-{column}`.
pub(crate) fn unique_index(table: &str, column: &str) -> IndexCreateStatement {
    create_index(
        table,
        &Index::new(unique_index_name(table, column), [column]).unique(),
    )
}

/// The name of [`unique_index`].
pub(crate) fn unique_index_name(table: &str, column: &str) -> String {
    format!("idx-{table}-{column}")
}

/// `FOREIGN KEY (columns) REFERENCES ref_table (ref_columns)`, named, with its actions.
pub(crate) fn foreign_key(table: &str, key: &ForeignKey) -> ForeignKeyCreateStatement {
    let mut statement = ForeignKeyStatement::create();
    statement
        .name(&key.name)
        .from_tbl(Alias::new(table))
        .to_tbl(Alias::new(&key.ref_table));
    for column in &key.columns {
        statement.from_col(Alias::new(column));
    }
    for column in &key.ref_columns {
        statement.to_col(Alias::new(column));
    }
    if let Some(action) = key.on_delete {
        statement.on_delete(action_of(action));
    }
    if let Some(action) = key.on_update {
        statement.on_update(action_of(action));
    }
    statement
}

fn action_of(action: Action) -> ForeignKeyAction {
    match action {
        Action::Restrict => ForeignKeyAction::Restrict,
        Action::Cascade => ForeignKeyAction::Cascade,
        Action::SetNull => ForeignKeyAction::SetNull,
        Action::SetDefault => ForeignKeyAction::SetDefault,
        Action::NoAction => ForeignKeyAction::NoAction,
    }
}

/// The name sea-orm gives a foreign key it is not told a name for: `fk-{table}-{columns}`.
/// SQLite keeps no names of foreign keys, so there a key is found by this name.
pub(crate) fn default_foreign_key_name(table: &str, columns: &[String]) -> String {
    format!("fk-{table}-{}", columns.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{ColumnType, StringLen};

    fn books() -> Table {
        Table::new("books")
            .column(
                Column::new("id", ColumnType::BigInteger)
                    .primary_key()
                    .auto_increment(),
            )
            .column(Column::new("isbn", ColumnType::String(StringLen::N(13))).unique())
            .column(Column::new("published", ColumnType::Boolean).default(Value::Bool(false)))
            .column(Column::new("author_id", ColumnType::BigInteger))
            .column(Column::new("summary", ColumnType::Text).nullable())
            .foreign_key(ForeignKey::new(
                "fk-books-author_id",
                ["author_id"],
                "authors",
                ["id"],
            ))
            .index(Index::new("idx-books-author_id", ["author_id"]))
    }

    #[test]
    fn a_table_is_written_as_sea_orm_writes_an_entity() {
        let (table, indexes) = create_table(&books(), DbBackend::Postgres);
        assert_eq!(
            DbBackend::Postgres.build(&table).to_string(),
            r#"CREATE TABLE "books" ( "id" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL PRIMARY KEY, "isbn" varchar(13) NOT NULL UNIQUE, "published" bool NOT NULL DEFAULT FALSE, "author_id" bigint NOT NULL, "summary" text, CONSTRAINT "fk-books-author_id" FOREIGN KEY ("author_id") REFERENCES "authors" ("id") )"#
        );
        assert_eq!(
            DbBackend::Postgres.build(&indexes[0]).to_string(),
            r#"CREATE INDEX "idx-books-author_id" ON "books" ("author_id")"#
        );
    }

    #[test]
    fn mysql_tables_get_the_aligned_types() {
        let (table, _) = create_table(&books(), DbBackend::MySql);
        let sql = DbBackend::MySql.build(&table).to_string();
        assert!(sql.contains("`summary` MEDIUMTEXT,"), "{sql}");
    }
}
