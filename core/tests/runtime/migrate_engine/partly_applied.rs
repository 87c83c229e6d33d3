//! What a failed migration's message says is left of it: nothing where it ran in a
//! transaction (PostgreSQL, SQLite); on MySQL, where each schema change commits
//! itself, never "rolled back", even when the first step or the record failed.

use ferrest::migrate::{Column, ColumnType, MigrateError, Migration, Step, StringLen, Table};
use ferrest::sea_orm::DbBackend;
use ferrest::testing::{Backend, TestDb};

use super::snapshot::{snapshot, strings};
use super::{connect, migrations};

ferrest::on_every_backend!(backend;
    a_failed_first_step_may_be_partly_applied,
    a_failed_record_leaves_the_steps,
);

fn kept() -> Migration {
    Migration::new("m1_kept").up([
        Step::CreateTable(
            Table::new("kept").column(Column::new("id", ColumnType::Integer).primary_key()),
        ),
        Step::Sql("INSERT INTO kept (id) VALUES (1)".into()),
    ])
}

/// An added `NOT NULL` column whose backfill fails: on MySQL the `ADD COLUMN` is
/// committed before the `UPDATE` fails, in the migration's first step.
async fn a_failed_first_step_may_be_partly_applied(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let list = migrations(vec![
        kept(),
        Migration::new("m2_note").up([Step::AddColumn {
            table: "kept".into(),
            column: Column::new("note", ColumnType::String(StringLen::N(20))),
            backfill: Some("no_such_column".into()),
        }]),
    ]);
    let error = ferrest::migrate::up(test_db.url(), &list, None)
        .await
        .unwrap_err();
    let message = error.to_string();
    let MigrateError::Failed(failure) = &error else {
        panic!("{message}");
    };
    assert_eq!(failure.step.as_ref().map(|(i, _)| *i), Some(1), "{message}");
    assert!(
        failure
            .statement
            .as_deref()
            .is_some_and(|s| s.starts_with("UPDATE")),
        "{message}"
    );
    assert_eq!(failure.steps_kept, 0, "{message}");
    let added = snapshot(&db).await["kept"]
        .iter()
        .any(|fact| fact.starts_with("column note "));
    if db.get_database_backend() == DbBackend::MySql {
        assert!(added, "the column stays, as the message says");
        assert!(!failure.rolled_back, "{message}");
        assert!(!message.contains("rolled back"), "{message}");
        assert!(
            message.contains("Step 1 may be partly applied"),
            "{message}"
        );
    } else {
        assert!(!added);
        assert!(failure.rolled_back, "{message}");
        assert!(
            message.contains("The migration is rolled back"),
            "{message}"
        );
    }
    test_db.drop().await;
}

/// The steps run, then recording the migration fails (a step dropped the record):
/// on MySQL every step stays, and the migration is not recorded.
async fn a_failed_record_leaves_the_steps(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let list = migrations(vec![
        kept(),
        Migration::new("m2_unrecorded").up([
            Step::Sql("INSERT INTO kept (id) VALUES (2)".into()),
            Step::Sql("DROP TABLE seaql_migrations".into()),
        ]),
    ]);
    let error = ferrest::migrate::up(test_db.url(), &list, None)
        .await
        .unwrap_err();
    let message = error.to_string();
    let MigrateError::Failed(failure) = &error else {
        panic!("{message}");
    };
    assert_eq!(failure.migration, "m2_unrecorded", "{message}");
    assert_eq!(failure.step, None, "{message}");
    let ids = strings(&db, "SELECT CAST(id AS CHAR) FROM kept ORDER BY id").await;
    if db.get_database_backend() == DbBackend::MySql {
        assert_eq!(ids, ["1", "2"]);
        assert!(!failure.rolled_back, "{message}");
        assert_eq!(failure.steps_kept, 2, "{message}");
        assert!(!message.contains("rolled back"), "{message}");
        assert!(
            message.contains("Its 2 step(s) stay applied")
                && message.contains("not recorded as applied"),
            "{message}"
        );
    } else {
        assert_eq!(ids, ["1"]);
        assert!(failure.rolled_back, "{message}");
        assert!(
            message.contains("The migration is rolled back"),
            "{message}"
        );
    }
    test_db.drop().await;
}
