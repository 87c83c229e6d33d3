//! How the app brings the database's schema to its declarations at start-up.

/// What start-up does with the database's schema: `FERREST_SCHEMA` or
/// [`App::schema_mode`](crate::App::schema_mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaMode {
    /// Creates missing tables, columns and indexes from the declarations; never drops
    /// or alters. The default while an app has no migrations.
    Sync,
    /// Applies pending migrations. The default for an app with migrations.
    Migrate,
    /// Refuses to start when the database differs from the declarations, printing the
    /// difference.
    Verify,
    /// Leaves the schema alone.
    Off,
}

impl std::str::FromStr for SchemaMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sync" => Ok(SchemaMode::Sync),
            "migrate" => Ok(SchemaMode::Migrate),
            "verify" => Ok(SchemaMode::Verify),
            "off" => Ok(SchemaMode::Off),
            other => Err(format!(
                "`{other}` is not a schema mode: use `sync`, `migrate`, `verify` or `off`"
            )),
        }
    }
}

impl std::fmt::Display for SchemaMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SchemaMode::Sync => "sync",
            SchemaMode::Migrate => "migrate",
            SchemaMode::Verify => "verify",
            SchemaMode::Off => "off",
        })
    }
}

impl super::App {
    /// The mode start-up uses: the one set, else `Migrate` for an app with migrations
    /// and `Sync` for one without.
    pub(crate) fn effective_schema_mode(&self) -> SchemaMode {
        self.schema_mode.unwrap_or(if self.has_migrations() {
            SchemaMode::Migrate
        } else {
            SchemaMode::Sync
        })
    }

    fn has_migrations(&self) -> bool {
        #[cfg(feature = "migrate")]
        return self.migrations.as_ref().is_some_and(|m| !m.list.is_empty());
        #[cfg(not(feature = "migrate"))]
        false
    }

    /// What start-up needs to bring the schema in line, taken from the app so that the
    /// awaiting holds no borrow of it (the app is not `Sync`, and serving futures must
    /// be `Send`).
    pub(super) fn schema_start(
        &self,
        backend: sea_orm::DbBackend,
    ) -> Result<SchemaStart, super::Error> {
        let mode = self.effective_schema_mode();
        #[cfg(not(feature = "migrate"))]
        let _ = backend;
        Ok(SchemaStart {
            mode,
            register: self.resources.iter().map(|r| r.register).collect(),
            #[cfg(feature = "mysql")]
            specs: self.resources.iter().map(|r| r.spec).collect(),
            #[cfg(feature = "migrate")]
            migrations: self.migrations.clone(),
            #[cfg(feature = "migrate")]
            declared: match mode {
                SchemaMode::Migrate | SchemaMode::Verify => Some(
                    self.declared_schema(backend)
                        .map_err(super::Error::Config)?,
                ),
                SchemaMode::Sync | SchemaMode::Off => None,
            },
        })
    }
}

/// The schema work of a start, owned.
pub(super) struct SchemaStart {
    mode: SchemaMode,
    register: Vec<fn(sea_orm::schema::SchemaBuilder) -> sea_orm::schema::SchemaBuilder>,
    #[cfg(feature = "mysql")]
    specs: Vec<&'static crate::spec::ResourceSpec>,
    #[cfg(feature = "migrate")]
    migrations: Option<crate::migrate::Migrations>,
    /// The declarations, for the modes that compare the database with them.
    #[cfg(feature = "migrate")]
    declared: Option<crate::migrate::Schema>,
}

impl SchemaStart {
    /// Brings the schema to the declarations as the mode says, before serving.
    pub(super) async fn run(self, db: &sea_orm::DatabaseConnection) -> Result<(), super::Error> {
        match self.mode {
            SchemaMode::Sync => self.sync(db).await,
            SchemaMode::Off => Ok(()),
            #[cfg(feature = "migrate")]
            SchemaMode::Migrate => self.migrate(db).await,
            #[cfg(feature = "migrate")]
            SchemaMode::Verify => self.verify(db).await,
            #[cfg(not(feature = "migrate"))]
            mode => Err(super::Error::Config(format!(
                "the schema mode `{mode}` needs ferrest's `migrate` feature"
            ))),
        }
    }

    /// sea-orm's schema sync: creates missing tables, columns and indexes, then aligns
    /// MySQL's types and collations.
    async fn sync(&self, db: &sea_orm::DatabaseConnection) -> Result<(), super::Error> {
        let mut schema = db.get_schema_builder();
        for register in &self.register {
            schema = register(schema);
        }
        schema.sync(db).await?;
        #[cfg(feature = "mysql")]
        crate::mysql::align(db, &self.specs).await?;
        Ok(())
    }

    /// Applies the pending migrations (each once, under the database's migration lock,
    /// whatever other instance starts at the same time), then warns of what the
    /// declarations have that the migrations do not make: a `migrate generate` forgotten.
    #[cfg(feature = "migrate")]
    async fn migrate(&self, db: &sea_orm::DatabaseConnection) -> Result<(), super::Error> {
        let Some(migrations) = &self.migrations else {
            return Err(super::Error::Config(
                "the schema mode is `migrate`, but the app registers no migrations \
                 (`App::migrations`)"
                    .to_owned(),
            ));
        };
        // The runner logs each migration it applies.
        crate::migrate::up_on(db, migrations).await?;
        let declared = self.declared.as_ref().expect("computed for this mode");
        for difference in crate::migrate::drift(db, declared).await? {
            tracing::warn!(%difference, "the database differs from the declarations; run `migrate generate`");
        }
        Ok(())
    }

    /// Refuses to start when a migration is pending or the database differs from the
    /// declarations, naming every difference.
    #[cfg(feature = "migrate")]
    async fn verify(&self, db: &sea_orm::DatabaseConnection) -> Result<(), super::Error> {
        let mut problems = Vec::new();
        if let Some(migrations) = &self.migrations {
            for (name, applied) in crate::migrate::status_on(db, migrations).await? {
                if !applied {
                    problems.push(format!("migration `{name}` is pending"));
                }
            }
        }
        let declared = self.declared.as_ref().expect("computed for this mode");
        for difference in crate::migrate::drift(db, declared).await? {
            problems.push(difference.to_string());
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(super::Error::Config(format!(
            "the schema mode is `verify` and the database differs from the declarations \
             (run `migrate up`, or `schema diff` to see it again):\n  {}",
            problems.join("\n  ")
        )))
    }
}

// What the command line asks of the app.
#[cfg(feature = "cli")]
impl super::App {
    /// How many resources the app registers.
    pub(crate) fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// How many steps the declarations are ahead of what the migrations make.
    pub(crate) fn undeclared_changes(&self) -> Result<usize, String> {
        let Some(migrations) = &self.migrations else {
            return Ok(0);
        };
        let state = crate::migrate::state(&migrations.list)?;
        let options = crate::migrate::PlanOptions::default().destructive(true);
        match crate::migrate::plan(&state, &self.declarations()?, &options) {
            Ok(plan) => Ok(plan.up.len()),
            // A change generation would stop at (a `NOT NULL` column without a value
            // for the rows there) is a change all the same.
            Err(refused) => Ok(refused.problems.len()),
        }
    }

    /// The declared schema migrations are generated from: sea-orm's statements for
    /// SQLite, whose column types are the backend-neutral ones the entities declare
    /// (the other backends' statements differ only in types ferrest does not use).
    pub(crate) fn declarations(&self) -> Result<crate::migrate::Schema, String> {
        self.declared_schema(sea_orm::DbBackend::Sqlite)
    }
}
