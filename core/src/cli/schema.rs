//! `migrate ...` and `schema diff`: the migration runner and the drift check, on the
//! app's database.

use std::process::ExitCode;

use super::command::{Migrate, Schema};
use crate::migrate::{self, Migrations, PlanOptions};
use crate::redact::redact;
use crate::{App, Error};

pub(super) async fn migrate(app: App, command: Migrate) -> Result<ExitCode, Error> {
    let url = app.database_url.clone();
    if let Migrate::Generate {
        name,
        destructive,
        backfill,
    } = command
    {
        return generate(&app, &name, destructive, backfill);
    }
    let migrations = registered(&app)?;
    match command {
        Migrate::Up { count } => {
            let applied = migrate::up(&url, migrations, count).await?;
            report(&applied, "applied", "no migration is pending");
        }
        Migrate::Down { count } => {
            let reverted = migrate::down(&url, migrations, count).await?;
            report(&reverted, "reverted", "no migration is applied");
        }
        Migrate::Status => {
            for (name, applied) in migrate::status(&url, migrations).await? {
                println!("{}  {name}", if applied { "applied" } else { "pending" });
            }
        }
        Migrate::Fresh { yes } => {
            if !yes {
                return Err(Error::Config(format!(
                    "`migrate fresh` drops every table of `{}` and its rows; add `--yes` to confirm",
                    redact(&url)
                )));
            }
            let applied = migrate::fresh(&url, migrations).await?;
            report(&applied, "applied", "the app has no migrations");
        }
        Migrate::Generate { .. } => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn schema(app: App, command: Schema) -> Result<ExitCode, Error> {
    match command {
        Schema::Diff => {
            let db = crate::connect(&app.database_url).await?;
            let declared = app
                .declared_schema(db.get_database_backend())
                .map_err(Error::Config)?;
            let drift = migrate::drift(&db, &declared).await?;
            if drift.is_empty() {
                println!("the database matches the declarations");
                return Ok(ExitCode::SUCCESS);
            }
            for difference in &drift {
                println!("{difference}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Writes the next migration into the app's migrations folder: the registered one, or
/// `src/migrations` of the package `cargo run` runs, for an app's first.
fn generate(
    app: &App,
    name: &str,
    destructive: bool,
    backfill: Vec<String>,
) -> Result<ExitCode, Error> {
    let migrations = match &app.migrations {
        Some(migrations) => migrations.clone(),
        None => {
            let Ok(package) = std::env::var("CARGO_MANIFEST_DIR") else {
                return Err(Error::Config(
                    "the app registers no migrations, so there is no folder to write the first \
                     one to: run this through `cargo run`, or register an empty list \
                     (`App::migrations`)"
                        .to_owned(),
                ));
            };
            Migrations::new(
                std::path::Path::new(&package).join("src/migrations"),
                Vec::new(),
            )
        }
    };
    let mut options = PlanOptions::default().destructive(destructive);
    for entry in &backfill {
        options = options.backfill(entry).map_err(Error::Config)?;
    }
    let declared = app.declarations().map_err(Error::Config)?;
    let written = migrate::generate(&migrations, &declared, name, &options)
        .map_err(|e| Error::Config(e.to_string()))?;
    match written {
        Some(path) => {
            println!("wrote {}", path.display());
            if app.migrations.is_none() {
                println!(
                    "register the migrations: `mod migrations;` in the crate, and \
                     `.migrations(migrations::all())` on the app"
                );
            }
        }
        None => println!("the migrations already make what the resources declare"),
    }
    Ok(ExitCode::SUCCESS)
}

fn registered(app: &App) -> Result<&Migrations, Error> {
    app.migrations.as_ref().ok_or_else(|| {
        Error::Config(
            "the app registers no migrations: create the first with `migrate generate NAME`"
                .to_owned(),
        )
    })
}

fn report(names: &[String], done: &str, nothing: &str) {
    if names.is_empty() {
        println!("{nothing}");
    }
    for name in names {
        println!("{done} {name}");
    }
}
