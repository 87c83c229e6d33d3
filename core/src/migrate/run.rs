//! The runner: [`up`], [`down`], [`status`] and [`fresh`] on sea-orm-migration. Each
//! [`Migration`] is a `MigrationTrait` that executes its steps; the record of applied
//! migrations is sea-orm-migration's `seaql_migrations`; on PostgreSQL each migration
//! runs in a transaction of its own (sea-orm-migration's convention), on SQLite in the
//! `IMMEDIATE` transaction that is the run's lock, and on MySQL/MariaDB, where every
//! schema change commits itself, without one.

use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use sea_orm_migration::{
    IntoSchemaManagerConnection, MigrationName, MigrationStatus, MigrationTrait, MigratorTraitSelf,
    SchemaManager,
};

use super::error::{MigrateError, MigrationFailure};
use super::execute::{StepError, execute};
use super::lock;
use super::{Migration, Migrations, Step};

/// Applies the pending migrations, oldest first, all of them or the first `count`;
/// gives the names of those applied. Two runs at once (two processes, two servers
/// starting) apply each migration once: the second waits for the first's lock, then
/// finds them applied.
///
/// ```no_run
/// # async fn demo(migrations: ferrest::migrate::Migrations) -> Result<(), ferrest::migrate::MigrateError> {
/// let applied = ferrest::migrate::up("postgres://app@db/shop", &migrations, None).await?;
/// println!("applied {applied:?}");
/// # Ok(()) }
/// ```
pub async fn up(
    url: &str,
    migrations: &Migrations,
    count: Option<u32>,
) -> Result<Vec<String>, MigrateError> {
    let runner = Runner::open(url, migrations).await?;
    runner.run(Direction::Up, count, Start::AsItIs).await
}

/// Reverts the last `count` applied migrations, newest first; gives their names.
///
/// ```no_run
/// # async fn demo(migrations: ferrest::migrate::Migrations) -> Result<(), ferrest::migrate::MigrateError> {
/// let reverted = ferrest::migrate::down("sqlite://shop.db", &migrations, 1).await?;
/// # Ok(()) }
/// ```
pub async fn down(
    url: &str,
    migrations: &Migrations,
    count: u32,
) -> Result<Vec<String>, MigrateError> {
    let runner = Runner::open(url, migrations).await?;
    runner
        .run(Direction::Down, Some(count), Start::AsItIs)
        .await
}

/// Each migration's name and whether it is applied, in order. Reads only: it creates
/// no table, and takes no lock.
///
/// ```no_run
/// # async fn demo(migrations: ferrest::migrate::Migrations) -> Result<(), ferrest::migrate::MigrateError> {
/// for (name, applied) in ferrest::migrate::status("sqlite://shop.db", &migrations).await? {
///     println!("{name}: {}", if applied { "applied" } else { "pending" });
/// }
/// # Ok(()) }
/// ```
pub async fn status(
    url: &str,
    migrations: &Migrations,
) -> Result<Vec<(String, bool)>, MigrateError> {
    let runner = Runner::open(url, migrations).await?;
    let outcome = runner.status().await;
    runner.close().await;
    outcome
}

/// [`up`] on the database a pool is connected to (with a connection of its own, which
/// holds the lock): what start-up runs, given a pool.
pub async fn up_on(
    db: &DatabaseConnection,
    migrations: &Migrations,
) -> Result<Vec<String>, MigrateError> {
    let runner = Runner::open_beside(db, migrations).await?;
    runner.run(Direction::Up, None, Start::AsItIs).await
}

/// [`status`] on the database a pool is connected to, through the pool itself: it
/// reads only and takes no lock, so it needs no connection of its own (a new
/// connection costs a TLS handshake, the most of what `verify` adds to a start on
/// PostgreSQL).
pub async fn status_on(
    db: &DatabaseConnection,
    migrations: &Migrations,
) -> Result<Vec<(String, bool)>, MigrateError> {
    let migrator = Migrator(Arc::new(Shared {
        list: migrations.list.clone(),
        collation: None,
        failure: Mutex::new(None),
    }));
    statuses(&migrator, db).await
}

/// Drops every table of the database (its data too) and applies every migration: for
/// development and tests, never for a database that holds data to keep.
///
/// ```no_run
/// # async fn demo(migrations: ferrest::migrate::Migrations) -> Result<(), ferrest::migrate::MigrateError> {
/// let applied = ferrest::migrate::fresh("sqlite://dev.db?mode=rwc", &migrations).await?;
/// # Ok(()) }
/// ```
pub async fn fresh(url: &str, migrations: &Migrations) -> Result<Vec<String>, MigrateError> {
    let runner = Runner::open(url, migrations).await?;
    runner.run(Direction::Up, None, Start::Empty).await
}

/// Runs `steps` in order on `db`; on failure, the failed step's number (from 1) and
/// why. `collation` is the binary collation of a MySQL server (see `crate::mysql`),
/// given to the tables created.
pub(crate) async fn run_steps<C: ConnectionTrait>(
    db: &C,
    steps: &[Step],
    collation: Option<&str>,
) -> Result<(), (usize, StepError)> {
    for (index, step) in steps.iter().enumerate() {
        execute(db, step, collation)
            .await
            .map_err(|error| (index + 1, error))?;
    }
    Ok(())
}

/// The collation tables are created with: MySQL's binary one, none elsewhere.
async fn collation_of(db: &impl ConnectionTrait) -> Result<Option<&'static str>, DbErr> {
    #[cfg(feature = "mysql")]
    if db.get_database_backend() == DbBackend::MySql {
        return crate::mysql::exact_collation(db).await.map(Some);
    }
    let _ = db;
    Ok(None)
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        &self.name
    }
}

/// A migration on its own, for sea-orm-migration's own `Migrator`s: its steps, with
/// the failed step and statement in the error's message.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        steps_for_sea_orm(manager, &self.up).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        steps_for_sea_orm(manager, &self.down).await
    }
}

async fn steps_for_sea_orm(manager: &SchemaManager<'_>, steps: &[Step]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let collation = collation_of(db).await?;
    run_steps(db, steps, collation)
        .await
        .map_err(|(index, error)| DbErr::Migration(format!("step {index}: {error}")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

/// What the migrations of one run share: the list, the collation, and the failed step
/// of the last migration run, which the `DbErr` that sea-orm-migration passes on
/// cannot carry.
struct Shared {
    list: Vec<Migration>,
    collation: Option<&'static str>,
    failure: Mutex<Option<(usize, StepError)>>,
}

/// One migration of the run, as sea-orm-migration runs it.
struct Tracked {
    shared: Arc<Shared>,
    index: usize,
}

impl Tracked {
    async fn run(&self, manager: &SchemaManager<'_>, steps: &[Step]) -> Result<(), DbErr> {
        let outcome = run_steps(manager.get_connection(), steps, self.shared.collation).await;
        outcome.map_err(|(index, error)| {
            let message = format!("step {index}: {error}");
            *self
                .shared
                .failure
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some((index, error));
            DbErr::Migration(message)
        })
    }
}

impl MigrationName for Tracked {
    fn name(&self) -> &str {
        &self.shared.list[self.index].name
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Tracked {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.run(manager, &self.shared.list[self.index].up).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.run(manager, &self.shared.list[self.index].down).await
    }
}

struct Migrator(Arc<Shared>);

impl MigratorTraitSelf for Migrator {
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        (0..self.0.list.len())
            .map(|index| {
                Box::new(Tracked {
                    shared: self.0.clone(),
                    index,
                }) as Box<dyn MigrationTrait>
            })
            .collect()
    }
}

/// A run: its connection (see [`lock::open`]) and migrator.
/// Each of `migrator`'s migrations and whether `db` records it applied.
async fn statuses(
    migrator: &Migrator,
    db: &DatabaseConnection,
) -> Result<Vec<(String, bool)>, MigrateError> {
    migrator
        .get_migration_with_status_read_only(db)
        .await
        .map(|list| {
            list.iter()
                .map(|m| (m.name().to_owned(), m.status() == MigrationStatus::Applied))
                .collect()
        })
        .map_err(MigrateError::Record)
}

/// What a run does with the database before it applies migrations.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Start {
    /// Nothing.
    AsItIs,
    /// Drops every table first (`fresh`).
    Empty,
}

struct Runner {
    db: DatabaseConnection,
    shared: Arc<Shared>,
    migrator: Migrator,
}

impl Runner {
    async fn open(url: &str, migrations: &Migrations) -> Result<Runner, MigrateError> {
        let db = lock::open(url).await.map_err(MigrateError::Connect)?;
        Runner::on(db, migrations).await
    }

    async fn open_beside(
        db: &DatabaseConnection,
        migrations: &Migrations,
    ) -> Result<Runner, MigrateError> {
        let db = lock::open_beside(db).await.map_err(MigrateError::Connect)?;
        Runner::on(db, migrations).await
    }

    async fn on(db: DatabaseConnection, migrations: &Migrations) -> Result<Runner, MigrateError> {
        let collation = match collation_of(&db).await {
            Ok(collation) => collation,
            Err(error) => {
                let _ = db.close().await;
                return Err(MigrateError::Connect(error));
            }
        };
        let shared = Arc::new(Shared {
            list: migrations.list.clone(),
            collation,
            failure: Mutex::new(None),
        });
        Ok(Runner {
            db,
            migrator: Migrator(shared.clone()),
            shared,
        })
    }

    /// Each migration and whether it is applied; reads only.
    async fn status(&self) -> Result<Vec<(String, bool)>, MigrateError> {
        statuses(&self.migrator, &self.db).await
    }

    fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// The session lock, on PostgreSQL and MySQL; SQLite locks per migration.
    async fn lock(&self) -> Result<(), MigrateError> {
        lock::lock(&self.db).await.map_err(MigrateError::Lock)
    }

    /// A whole run: takes the lock, empties the database for `Start::Empty`, applies
    /// or reverts up to `count` migrations, then releases the lock and closes the
    /// connection, whatever failed.
    async fn run(
        self,
        direction: Direction,
        count: Option<u32>,
        start: Start,
    ) -> Result<Vec<String>, MigrateError> {
        let outcome = async {
            self.lock().await?;
            if start == Start::Empty {
                self.drop_everything().await?;
            }
            self.repeat(direction, count).await
        }
        .await;
        self.close().await;
        outcome
    }

    /// Releases the lock and closes the connection.
    async fn close(self) {
        if let Err(error) = lock::unlock(&self.db).await {
            tracing::warn!(%error, "cannot release the migration lock; closing the connection releases it");
        }
        let _ = self.db.close().await;
    }

    /// Applies or reverts migrations one at a time until `count` are done or none is
    /// left.
    async fn repeat(
        &self,
        direction: Direction,
        count: Option<u32>,
    ) -> Result<Vec<String>, MigrateError> {
        let mut done = Vec::new();
        while count.is_none_or(|count| done.len() < count as usize) {
            match self.one(direction).await {
                Ok(Some(name)) => {
                    tracing::info!(migration = %name, ?direction, "migration done");
                    done.push(name);
                }
                Ok(None) => break,
                Err(MigrateError::Failed(mut failure)) => {
                    failure.applied = self.applied().await;
                    return Err(MigrateError::Failed(failure));
                }
                Err(error) => return Err(error),
            }
        }
        Ok(done)
    }

    /// Applies the first pending migration, or reverts the last applied one; `None`
    /// when there is none. On SQLite in a transaction that holds the write lock, and
    /// commits only when every foreign key still finds its row.
    async fn one(&self, direction: Direction) -> Result<Option<String>, MigrateError> {
        if self.backend() != DbBackend::Sqlite {
            return self.one_on(&self.db, direction).await;
        }
        let transaction = lock::begin_immediate(&self.db)
            .await
            .map_err(MigrateError::Lock)?;
        let done = self.one_on(&transaction, direction).await?;
        if let Some(name) = &done {
            let violations = foreign_key_violations(&transaction)
                .await
                .map_err(MigrateError::Record)?;
            if !violations.is_empty() {
                return Err(MigrateError::Failed(Box::new(MigrationFailure {
                    migration: name.clone(),
                    reverting: direction == Direction::Down,
                    step: None,
                    statement: Some("PRAGMA foreign_key_check".to_owned()),
                    steps_kept: 0,
                    rolled_back: true,
                    applied: Vec::new(),
                    source: DbErr::Migration(format!(
                        "rows refer to rows that do not exist: {}",
                        violations.join("; ")
                    )),
                })));
            }
        }
        transaction.commit().await.map_err(MigrateError::Record)?;
        Ok(done)
    }

    async fn one_on<'c, C>(
        &self,
        db: &'c C,
        direction: Direction,
    ) -> Result<Option<String>, MigrateError>
    where
        C: ConnectionTrait,
        &'c C: IntoSchemaManagerConnection<'c>,
    {
        // Read with the lock held: a run that waited finds done what the other did.
        let candidates = match direction {
            Direction::Up => self.migrator.get_pending_migrations(db).await,
            Direction::Down => self.migrator.get_applied_migrations(db).await,
        }
        .map_err(MigrateError::Record)?;
        let next = match direction {
            Direction::Up => candidates.first(),
            Direction::Down => candidates.last(),
        };
        let Some(next) = next else {
            return Ok(None);
        };
        let name = next.name().to_owned();
        self.shared
            .failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let outcome = match direction {
            Direction::Up => self.migrator.up(db, Some(1)).await,
            Direction::Down => self.migrator.down(db, Some(1)).await,
        };
        match outcome {
            Ok(()) => Ok(Some(name)),
            Err(source) => Err(self.failure(name, direction, source)),
        }
    }

    fn failure(&self, migration: String, direction: Direction, source: DbErr) -> MigrateError {
        let failed = self
            .shared
            .failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let (step, statement, source) = match failed {
            Some((index, error)) => (Some((index, error.step)), error.statement, error.source),
            None => (None, None, source),
        };
        // Only MySQL runs a migration outside a transaction: what ran stays, every
        // step when recording the migration failed after them.
        let rolled_back = self.backend() != DbBackend::MySql;
        let steps_kept = match &step {
            _ if rolled_back => 0,
            Some((index, _)) => index - 1,
            None => self
                .shared
                .list
                .iter()
                .find(|m| m.name == migration)
                .map_or(0, |m| match direction {
                    Direction::Up => m.up.len(),
                    Direction::Down => m.down.len(),
                }),
        };
        MigrateError::Failed(Box::new(MigrationFailure {
            migration,
            reverting: direction == Direction::Down,
            step,
            statement,
            steps_kept,
            rolled_back,
            applied: Vec::new(),
            source,
        }))
    }

    /// The migrations recorded as applied, for an error's message (empty if even that
    /// cannot be read).
    async fn applied(&self) -> Vec<String> {
        self.migrator
            .get_migration_with_status_read_only(&self.db)
            .await
            .map(|list| {
                list.iter()
                    .filter(|m| m.status() == MigrationStatus::Applied)
                    .map(|m| m.name().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Drops every table (and PostgreSQL type): sea-orm-migration's `fresh` with no
    /// migrations to apply after.
    async fn drop_everything(&self) -> Result<(), MigrateError> {
        let nothing = Migrator(Arc::new(Shared {
            list: Vec::new(),
            collation: None,
            failure: Mutex::new(None),
        }));
        let dropped = if self.backend() == DbBackend::Sqlite {
            let transaction = lock::begin_immediate(&self.db)
                .await
                .map_err(MigrateError::Lock)?;
            match nothing.fresh(&transaction).await {
                Ok(()) => transaction.commit().await,
                Err(error) => Err(error),
            }
        } else {
            nothing.fresh(&self.db).await
        };
        dropped.map_err(MigrateError::Fresh)
    }
}

/// `PRAGMA foreign_key_check`: each row whose foreign key finds no row, as a phrase.
async fn foreign_key_violations(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA foreign_key_check",
        ))
        .await?;
    rows.iter()
        .map(|row| {
            let table: String = row.try_get_by_index(0)?;
            let rowid: Option<i64> = row.try_get_by_index(1)?;
            let parent: String = row.try_get_by_index(2)?;
            Ok(format!(
                "row {} of `{table}` refers to `{parent}`",
                rowid.map_or_else(|| "?".to_owned(), |id| id.to_string())
            ))
        })
        .collect()
}
