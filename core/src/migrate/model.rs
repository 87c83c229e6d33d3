//! The schema as migrations see it: tables of columns, indexes and foreign keys, as
//! plain data. Generation compares two of these (what the migrations make, what the
//! declarations want); a [`Step`](super::Step) changes one.

use std::collections::BTreeMap;

pub use sea_orm::sea_query::{ColumnType, StringLen};

/// Every table, by name (sorted, so that whatever is derived from it is deterministic).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    /// The tables by name.
    pub tables: BTreeMap<String, Table>,
}

/// A table: its columns in order, its indexes and its foreign keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's name.
    pub name: String,
    /// The columns, in the order of the declaration.
    pub columns: Vec<Column>,
    /// Indexes other than the primary key and a column's own `unique`.
    pub indexes: Vec<Index>,
    /// Foreign keys.
    pub foreign_keys: Vec<ForeignKey>,
}

/// A column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its type, as sea-query writes it for each backend.
    pub ty: ColumnType,
    /// Whether it admits `NULL`.
    pub nullable: bool,
    /// What an insert that omits it stores.
    pub default: Option<Value>,
    /// Part of the primary key.
    pub primary_key: bool,
    /// Numbered by the database.
    pub auto_increment: bool,
    /// A unique constraint on this column alone.
    pub unique: bool,
    /// `#[rest(renamed_from = "old")]`: the name the column had before. Only
    /// declarations carry it; a migration's schema never does.
    pub renamed_from: Option<String>,
}

/// A column default: a literal, as `#[rest(default = ...)]` gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Text(String),
}

/// An index on one or more columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// Its name, unique in the database.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<String>,
    /// Whether the columns' values are unique together.
    pub unique: bool,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    /// Its name.
    pub name: String,
    /// The referring columns.
    pub columns: Vec<String>,
    /// The table referred to.
    pub ref_table: String,
    /// The columns referred to.
    pub ref_columns: Vec<String>,
    /// What deleting the referred row does.
    pub on_delete: Option<Action>,
    /// What changing the referred key does.
    pub on_update: Option<Action>,
}

/// What a foreign key does when the row it refers to is deleted or its key changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Refuses the change.
    Restrict,
    /// Deletes or updates the referring rows too.
    Cascade,
    /// Sets the referring columns to `NULL`.
    SetNull,
    /// Sets the referring columns to their default.
    SetDefault,
    /// Refuses the change at the end of the statement.
    NoAction,
}

impl Table {
    /// An empty table.
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            columns: Vec::new(),
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
        }
    }

    /// Adds a column.
    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// Adds an index.
    pub fn index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }

    /// Adds a foreign key.
    pub fn foreign_key(mut self, key: ForeignKey) -> Self {
        self.foreign_keys.push(key);
        self
    }

    /// The column of this name.
    pub fn find_column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

impl Column {
    /// A `NOT NULL` column without a default.
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        Column {
            name: name.into(),
            ty,
            nullable: false,
            default: None,
            primary_key: false,
            auto_increment: false,
            unique: false,
            renamed_from: None,
        }
    }

    /// Admits `NULL`.
    pub fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// Stores `value` when an insert omits the column.
    pub fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }

    /// Part of the primary key.
    pub fn primary_key(mut self) -> Self {
        self.primary_key = true;
        self
    }

    /// Numbered by the database.
    pub fn auto_increment(mut self) -> Self {
        self.auto_increment = true;
        self
    }

    /// Unique on its own.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
}

impl Index {
    /// A non-unique index.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
    ) -> Self {
        Index {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            unique: false,
        }
    }

    /// Makes it unique.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
}

impl ForeignKey {
    /// A foreign key from `columns` to `ref_columns` of `ref_table`.
    pub fn new<S: Into<String>, T: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
        ref_table: impl Into<String>,
        ref_columns: impl IntoIterator<Item = T>,
    ) -> Self {
        ForeignKey {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            ref_table: ref_table.into(),
            ref_columns: ref_columns.into_iter().map(Into::into).collect(),
            on_delete: None,
            on_update: None,
        }
    }

    /// What deleting the referred row does.
    pub fn on_delete(mut self, action: Action) -> Self {
        self.on_delete = Some(action);
        self
    }

    /// What changing the referred key does.
    pub fn on_update(mut self, action: Action) -> Self {
        self.on_update = Some(action);
        self
    }
}
