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

    /// Brings the schema to the declarations as the mode says, before serving.
    pub(super) async fn prepare_schema(
        &self,
        db: &sea_orm::DatabaseConnection,
    ) -> Result<(), super::Error> {
        match self.effective_schema_mode() {
            SchemaMode::Sync => self.sync_schema(db).await,
            SchemaMode::Off => Ok(()),
            #[cfg(feature = "migrate")]
            SchemaMode::Migrate => self.migrate_at_start(db).await,
            #[cfg(feature = "migrate")]
            SchemaMode::Verify => self.verify_at_start(db).await,
            #[cfg(not(feature = "migrate"))]
            mode => Err(super::Error::Config(format!(
                "the schema mode `{mode}` needs ferrest's `migrate` feature"
            ))),
        }
    }

    /// sea-orm's schema sync: creates missing tables, columns and indexes, then aligns
    /// MySQL's types and collations.
    async fn sync_schema(&self, db: &sea_orm::DatabaseConnection) -> Result<(), super::Error> {
        let mut schema = db.get_schema_builder();
        for resource in &self.resources {
            schema = (resource.register)(schema);
        }
        schema.sync(db).await?;
        #[cfg(feature = "mysql")]
        {
            let specs: Vec<_> = self.resources.iter().map(|r| r.spec).collect();
            crate::mysql::align(db, &specs).await?;
        }
        Ok(())
    }
}

#[cfg(feature = "migrate")]
impl super::App {
    /// How many resources the app registers.
    pub(crate) fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// Applies the pending migrations (each once, under the database's migration lock,
    /// whatever other instance starts at the same time), then warns of what the
    /// declarations have that the migrations do not make: a `migrate generate` forgotten.
    async fn migrate_at_start(&self, db: &sea_orm::DatabaseConnection) -> Result<(), super::Error> {
        let Some(migrations) = &self.migrations else {
            return Err(super::Error::Config(
                "the schema mode is `migrate`, but the app registers no migrations \
                 (`App::migrations`)"
                    .to_owned(),
            ));
        };
        let applied = crate::migrate::up(&self.database_url, migrations, None).await?;
        for name in &applied {
            tracing::info!(migration = %name, "migration applied");
        }
        let declared = self.declared_schema(db.get_database_backend())?;
        for difference in crate::migrate::drift(db, &declared).await? {
            tracing::warn!(%difference, "the database differs from the declarations; run `migrate generate`");
        }
        Ok(())
    }

    /// Refuses to start when a migration is pending or the database differs from the
    /// declarations, naming every difference.
    async fn verify_at_start(&self, db: &sea_orm::DatabaseConnection) -> Result<(), super::Error> {
        let mut problems = Vec::new();
        if let Some(migrations) = &self.migrations {
            for (name, applied) in crate::migrate::status(&self.database_url, migrations).await? {
                if !applied {
                    problems.push(format!("migration `{name}` is pending"));
                }
            }
        }
        let declared = self.declared_schema(db.get_database_backend())?;
        for difference in crate::migrate::drift(db, &declared).await? {
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

    /// How many steps the declarations are ahead of what the migrations make.
    pub(crate) fn undeclared_changes(&self) -> Result<usize, String> {
        let Some(migrations) = &self.migrations else {
            return Ok(0);
        };
        let state = crate::migrate::state(&migrations.list)?;
        let declared = self
            .declared_schema(crate::migrate::GENERATION_BACKEND)
            .map_err(|e| e.to_string())?;
        let plan = crate::migrate::plan(&state, &declared, &crate::migrate::PlanOptions::everything())
            .map_err(|e| e.to_string())?;
        Ok(plan.up.len())
    }
}
