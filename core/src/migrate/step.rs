//! One change a migration makes to the schema. Steps are data: the runner turns each
//! into statements for the connected backend, and generation folds them over an empty
//! [`Schema`](super::Schema) to know what the migrations make, without a database.

use super::model::{Column, ForeignKey, Index, Table};

/// A change to the schema.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Step {
    /// Creates a table with its columns, indexes and foreign keys.
    CreateTable(Table),
    /// Drops a table and its rows.
    DropTable(String),
    /// Renames a table.
    RenameTable {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Adds a column. A `NOT NULL` column without a default is added with `backfill`
    /// (an SQL expression) written into the rows already there.
    AddColumn {
        /// The table.
        table: String,
        /// The new column.
        column: Column,
        /// What rows already there get, for a `NOT NULL` column without a default.
        backfill: Option<String>,
    },
    /// Drops a column and its values.
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// Changes a column's type, nullability, default or uniqueness to `column`.
    AlterColumn {
        /// The table.
        table: String,
        /// The column as it becomes.
        column: Column,
    },
    /// Writes `sql` (an SQL expression) into the column's rows that hold `NULL`: what
    /// comes before an `AlterColumn` that makes it `NOT NULL`, which fails on those rows
    /// (and which MySQL outside strict mode fills with `0` or `''`). The runner quotes
    /// the names for the backend it runs on, which SQL written in a file cannot do for
    /// all three.
    Backfill {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// What the rows holding `NULL` get, as SQL: `''`, `0`, `title`.
        sql: String,
    },
    /// Renames a column, keeping its values.
    RenameColumn {
        /// The table.
        table: String,
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Adds an index.
    AddIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
    },
    /// Drops an index by name.
    DropIndex {
        /// The table.
        table: String,
        /// The index's name.
        name: String,
    },
    /// Adds a foreign key.
    AddForeignKey {
        /// The referring table.
        table: String,
        /// The key.
        key: ForeignKey,
    },
    /// Drops a foreign key by name.
    DropForeignKey {
        /// The referring table.
        table: String,
        /// The key's name.
        name: String,
    },
    /// Runs SQL as written, on every backend: data changes, say. Generation does not
    /// see what it does to the schema.
    Sql(String),
}
