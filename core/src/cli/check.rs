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
    let registration = app.registration_problems();
    if registration.is_empty() {
        fine.push(format!(
            "configuration: {} resources, {} operations",
            app.resource_count(),
            app.guarded_operations().len()
        ));
    }
    problems.extend(
        registration
            .into_iter()
            .map(|p| format!("configuration: {p}")),
    );
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
                            SchemaMode::Sync => {
                                let backend = db.get_database_backend();
                                let (made, kept): (Vec<&migrate::Drift>, Vec<&migrate::Drift>) =
                                    drift.iter().partition(|d| sync_makes(backend, &d.kind));
                                let list = |drifts: &[&migrate::Drift]| {
                                    drifts
                                        .iter()
                                        .map(ToString::to_string)
                                        .collect::<Vec<_>>()
                                        .join("\n    ")
                                };
                                if !made.is_empty() {
                                    fine.push(format!(
                                        "schema: sync adds what is missing at start (and leaves columns \
                                         nothing declares):\n    {}",
                                        list(&made)
                                    ));
                                }
                                if !kept.is_empty() {
                                    problems.push(format!(
                                        "schema: differs from the declarations where sync changes \
                                         nothing; write a migration or change the database:\n    {}",
                                        list(&kept)
                                    ));
                                }
                            }
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

/// Whether schema sync makes this difference go away at start: it adds what is missing
/// (tables, columns, indexes; foreign keys, except on SQLite, which cannot add one to a
/// table) and leaves a column nothing declares in place, which costs nothing. A type,
/// nullability, default or uniqueness that differs stays as it is, and the app meets it
/// at the first write.
fn sync_makes(backend: sea_orm::DbBackend, kind: &migrate::DriftKind) -> bool {
    use migrate::DriftKind;
    match kind {
        DriftKind::MissingTable
        | DriftKind::MissingColumn(_)
        | DriftKind::MissingIndex { .. }
        | DriftKind::UndeclaredColumn(_) => true,
        DriftKind::MissingForeignKey { .. } => backend != sea_orm::DbBackend::Sqlite,
        _ => false,
    }
}
