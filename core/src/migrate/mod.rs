//! Versioned migrations (feature `migrate`), run by sea-orm-migration.
//!
//! An app keeps its migrations as Rust files in `src/migrations/`, one per change, each
//! a [`Migration`] of [`Step`]s up and down, registered in `src/migrations/mod.rs` with
//! [`migrations!`](crate::migrations) and given to [`App::migrations`](crate::App::migrations).
//! `migrate generate NAME` writes the next file from the difference between the
//! declared resources and what the migrations before it make.
//!
//! [`up`], [`down`], [`status`] and [`fresh`] run them on sea-orm-migration, recording
//! applied migrations in its `seaql_migrations` table. Two runs at once apply each
//! migration once (a PostgreSQL advisory lock, a MySQL named lock, SQLite's write
//! lock); a migration that fails is rolled back on PostgreSQL and SQLite, and on MySQL,
//! where schema changes commit themselves, the error says which steps stay applied.

mod ddl;
pub(crate) mod declared;
mod describe;
mod drift;
mod error;
mod execute;
mod layout;
mod lock;
mod model;
mod plan;
mod render;
mod run;
mod sqlite_table;
mod state;
mod step;

pub use drift::{Drift, DriftKind, drift};
pub use error::{MigrateError, MigrationFailure};
pub use model::{Action, Column, ColumnType, ForeignKey, Index, Schema, StringLen, Table, Value};
pub use plan::{Plan, PlanError, PlanOptions, plan};
pub use render::{GenerateError, generate, render};
pub use run::{down, fresh, status, status_on, up, up_on};
pub use state::state;
pub use step::Step;

/// One migration: its name (`m0002_add_subtitle`, which orders it and is recorded once
/// applied) and the steps that apply and revert it.
#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    /// The name, recorded in `seaql_migrations` once applied.
    pub name: String,
    /// What `migrate up` runs, in order.
    pub up: Vec<Step>,
    /// What `migrate down` runs, in order.
    pub down: Vec<Step>,
}

impl Migration {
    /// A migration of no steps.
    pub fn new(name: impl Into<String>) -> Self {
        Migration {
            name: name.into(),
            up: Vec::new(),
            down: Vec::new(),
        }
    }

    /// The steps `migrate up` runs.
    pub fn up(mut self, steps: impl IntoIterator<Item = Step>) -> Self {
        self.up.extend(steps);
        self
    }

    /// The steps `migrate down` runs.
    pub fn down(mut self, steps: impl IntoIterator<Item = Step>) -> Self {
        self.down.extend(steps);
        self
    }
}

/// An app's migrations, in order, and the folder their files live in (where
/// `migrate generate` writes the next one).
#[derive(Debug, Clone, PartialEq)]
pub struct Migrations {
    /// The folder of the migration files and their `mod.rs`.
    pub dir: std::path::PathBuf,
    /// The migrations, oldest first.
    pub list: Vec<Migration>,
}

impl Migrations {
    /// The migrations in `dir`.
    pub fn new(dir: impl Into<std::path::PathBuf>, list: Vec<Migration>) -> Self {
        Migrations {
            dir: dir.into(),
            list,
        }
    }
}

/// The migrations of the calling crate's `src/migrations/`, each module's
/// `migration()` in order:
///
/// ```ignore
/// // src/migrations/mod.rs, kept by `migrate generate`
/// mod m0001_initial;
/// mod m0002_add_subtitle;
///
/// pub fn all() -> ferrest::migrate::Migrations {
///     ferrest::migrations![m0001_initial, m0002_add_subtitle]
/// }
/// ```
#[macro_export]
macro_rules! migrations {
    ($($migration:ident),* $(,)?) => {
        $crate::migrate::Migrations::new(
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/migrations"),
            vec![$($migration::migration()),*],
        )
    };
}
