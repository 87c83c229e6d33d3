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
