//! `check`: what would stop the app or make it misbehave, found before it serves:
//! configuration, database reachability, pending migrations and schema drift. Every
//! problem is listed, not just the first; any makes the exit status 1.

use std::process::ExitCode;

use crate::migrate;
use crate::redact::redact;
use crate::{App, Error, SchemaMode};

pub(super) async fn run(app: App) -> Result<ExitCode, Error> {
    let mut problems: Vec<String> = Vec::new();
    let mut fine: Vec<String> = Vec::new();
    match app.check_registrations() {
        Ok(()) => fine.push(format!(
            "configuration: {} resources, {} operations",
            app.resource_count(),
            app.guarded_operations().len()
        )),
        Err(error) => problems.push(error.to_string()),
    }
    let mode = app.effective_schema_mode();
    match crate::connect(&app.database_url).await {
        Err(error) => problems.push(Error::from(error).to_string()),
        Ok(db) => {
            fine.push(format!("database: `{}` answers", redact(&app.database_url)));
            let mut pending = 0;
            if let Some(migrations) = &app.migrations {
                match migrate::status(&app.database_url, migrations).await {
                    Ok(status) => {
                        let waiting: Vec<&str> = status
                            .iter()
                            .filter(|(_, applied)| !applied)
                            .map(|(name, _)| name.as_str())
                            .collect();
                        pending = waiting.len();
                        if waiting.is_empty() {
                            fine.push(format!("migrations: all {} applied", status.len()));
                        } else if mode == SchemaMode::Migrate {
                            fine.push(format!(
                                "migrations: {} pending, applied at start: {}",
                                pending,
                                waiting.join(", ")
                            ));
                        } else {
                            problems.push(format!(
                                "migrations: {} pending ({}); run `migrate up`",
                                pending,
                                waiting.join(", ")
                            ));
                        }
                    }
                    Err(error) => problems.push(format!("migrations: {error}")),
                }
                match app.undeclared_changes() {
                    Ok(0) => fine.push("migrations: they make what the resources declare".into()),
                    Ok(steps) => problems.push(format!(
                        "migrations: the resources declare {steps} change(s) no migration makes; \
                         run `migrate generate NAME`"
                    )),
                    Err(error) => problems.push(format!("migrations: {error}")),
                }
            }
            match app.declared_schema(db.get_database_backend()) {
                Err(error) => problems.push(format!("declarations: {error}")),
                Ok(declared) => match migrate::drift(&db, &declared).await {
                    Err(error) => problems.push(format!("schema: {}", Error::from(error))),
                    Ok(drift) if drift.is_empty() => {
                        fine.push("schema: the database matches the declarations".into())
                    }
                    Ok(drift) => {
                        let listed: Vec<String> = drift.iter().map(ToString::to_string).collect();
                        match mode {
                            SchemaMode::Sync => fine.push(format!(
                                "schema: differs from the declarations; sync creates missing \
                                 tables, columns and indexes at start and changes nothing \
                                 else:\n    {}",
                                listed.join("\n    ")
                            )),
                            SchemaMode::Migrate if pending > 0 => fine.push(format!(
                                "schema: differs from the declarations until the pending \
                                 migrations run:\n    {}",
                                listed.join("\n    ")
                            )),
                            _ => problems.push(format!(
                                "schema: differs from the declarations:\n    {}",
                                listed.join("\n    ")
                            )),
                        }
                    }
                },
            }
        }
    }
    for line in &fine {
        println!("ok       {line}");
    }
    for problem in &problems {
        println!("problem  {problem}");
    }
    if problems.is_empty() {
        println!("no problems found (schema mode: {mode})");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} problem(s) found (schema mode: {mode})", problems.len());
        Ok(ExitCode::FAILURE)
    }
}
