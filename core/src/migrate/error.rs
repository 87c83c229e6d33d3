//! [`MigrateError`]: why a migration run stopped, naming the migration, the step and
//! the statement that failed, and what is applied since.

use sea_orm::DbErr;

/// Why [`up`](super::up), [`down`](super::down), [`status`](super::status) or
/// [`fresh`](super::fresh) failed. Its `Display` is the whole message, with any
/// credential in the URL masked.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let migrations = ferrest::migrate::Migrations::new("src/migrations", vec![]);
/// let error = ferrest::migrate::up("oracle://db/shop", &migrations, None).await.unwrap_err();
/// assert!(error.to_string().starts_with("cannot connect"), "{error}");
/// # });
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum MigrateError {
    /// The database could not be reached.
    Connect(DbErr),
    /// The lock that keeps two runs apart could not be taken.
    Lock(DbErr),
    /// The record of applied migrations (`seaql_migrations`) could not be read or
    /// written, or it names a migration the list does not have.
    Record(DbErr),
    /// [`fresh`](super::fresh) could not drop the tables.
    Fresh(DbErr),
    /// A migration failed; see [`MigrationFailure`].
    Failed(Box<MigrationFailure>),
}

/// A migration that failed: which, at which step and statement, and what is applied.
///
/// ```no_run
/// # async fn demo(migrations: ferrest::migrate::Migrations) {
/// use ferrest::migrate::MigrateError;
/// if let Err(MigrateError::Failed(failure)) =
///     ferrest::migrate::up("mysql://root@db/shop", &migrations, None).await
/// {
///     eprintln!("`{}` failed at {:?}: {:?}", failure.migration, failure.step, failure.statement);
///     eprintln!("applied: {:?}; steps of it kept: {}", failure.applied, failure.steps_kept);
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct MigrationFailure {
    /// The migration's name.
    pub migration: String,
    /// Whether it failed being reverted (`down`) rather than applied.
    pub reverting: bool,
    /// The step that failed, from 1, with what it does; `None` when the steps ran
    /// and recording the migration or checking foreign keys failed.
    pub step: Option<(usize, String)>,
    /// The SQL statement that failed.
    pub statement: Option<String>,
    /// How many of the migration's steps stay applied: on MySQL/MariaDB, where each
    /// schema change commits itself, those before the failed one (every step when
    /// recording the migration failed); 0 elsewhere, where the migration's
    /// transaction is rolled back.
    pub steps_kept: usize,
    /// Whether the migration's transaction was rolled back, leaving none of it. False
    /// on MySQL/MariaDB, where the steps before the failed one stay applied and the
    /// failed one may be partly applied (an added column whose backfill failed).
    pub rolled_back: bool,
    /// The migrations recorded as applied once the run stopped, oldest first.
    pub applied: Vec<String>,
    /// The database's error.
    pub source: DbErr,
}

impl std::fmt::Display for MigrateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |e: &DbErr| crate::redact::redact(&e.to_string()).into_owned();
        match self {
            MigrateError::Connect(e) => write!(f, "cannot connect to the database: {}", redact(e)),
            MigrateError::Lock(e) => write!(f, "cannot take the migration lock: {}", redact(e)),
            MigrateError::Record(e) => write!(
                f,
                "cannot read or write the record of applied migrations (`seaql_migrations`): {}",
                redact(e)
            ),
            MigrateError::Fresh(e) => write!(f, "cannot drop the tables: {}", redact(e)),
            MigrateError::Failed(failure) => failure.fmt(f),
        }
    }
}

impl std::fmt::Display for MigrationFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.reverting {
            "reverting"
        } else {
            "applying"
        };
        write!(f, "{verb} migration `{}` failed", self.migration)?;
        match &self.step {
            Some((index, step)) => write!(f, " at step {index} ({step})")?,
            None => write!(f, " after its steps")?,
        }
        if let Some(statement) = &self.statement {
            write!(f, ", statement `{statement}`")?;
        }
        write!(f, ": {}. ", crate::redact::redact(&self.source.to_string()))?;
        match (self.rolled_back, &self.step) {
            (true, _) => write!(f, "The migration is rolled back")?,
            // MySQL commits each schema change, and a step can be more than one
            // statement: nothing says how much of the failed step is done.
            (false, Some((index, _))) => {
                match index.saturating_sub(1) {
                    0 => write!(f, "Step 1")?,
                    1 => write!(f, "Step 1 stays applied and step {index}")?,
                    kept => write!(f, "Steps 1..{kept} stay applied and step {index}")?,
                }
                write!(
                    f,
                    " may be partly applied (MySQL commits each schema change): undo what it did \
                     by hand, or fix the migration so that it can run again"
                )?
            }
            (false, None) => write!(
                f,
                "Its {} step(s) stay applied (MySQL commits each schema change) but it is \
                 not recorded as applied: undo them by hand before it runs again",
                self.steps_kept
            )?,
        }
        if self.applied.is_empty() {
            write!(f, "; no migration is applied")
        } else {
            let applied: Vec<String> = self.applied.iter().map(|m| format!("`{m}`")).collect();
            write!(f, "; applied: {}", applied.join(", "))
        }
    }
}

impl std::error::Error for MigrateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MigrateError::Connect(e)
            | MigrateError::Lock(e)
            | MigrateError::Record(e)
            | MigrateError::Fresh(e) => Some(e),
            MigrateError::Failed(failure) => Some(&failure.source),
        }
    }
}

/// The variant holds the error boxed: `Error` sits in the layer below migrations and
/// cannot name their type; `downcast_ref::<MigrateError>()` gives it back.
impl From<MigrateError> for crate::Error {
    fn from(e: MigrateError) -> Self {
        crate::Error::Migrate(Box::new(e))
    }
}
