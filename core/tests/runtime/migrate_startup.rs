//! Start-up schema modes: an app with migrations applies them (each once, however many
//! instances start together), `verify` refuses to start on a pending migration or on
//! drift and names the table and column, `off` leaves the schema alone, and an app
//! without migrations syncs.

use ferrest::SchemaMode;
use ferrest::migrate::{Migration, Migrations, PlanOptions, Schema, plan};
use ferrest::sea_orm::{ConnectionTrait, DbBackend, Statement};
use ferrest::testing::{Backend, TestDb};

mod v1 {
    use ferrest::prelude::*;

    #[derive(Resource)]
    #[rest(table = "startup_notes", path = "/notes")]
    pub struct Note {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(max = 80)))]
        pub title: String,
    }
}

mod v2 {
    use ferrest::prelude::*;

    /// The same table, one field later.
    #[derive(Resource)]
    #[rest(table = "startup_notes", path = "/notes")]
    pub struct Note {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(max = 80)))]
        pub title: String,
        pub body: Option<String>,
    }
}

/// The migration `generate` writes for `v1::Note` on an empty schema.
fn initial() -> Migration {
    let declared = ferrest::App::new()
        .resource::<v1::Note>()
        .declared_schema(DbBackend::Sqlite)
        .unwrap();
    let steps = plan(&Schema::default(), &declared, &PlanOptions::default()).unwrap();
    Migration::new("m0001_notes").up(steps.up).down(steps.down)
}

fn migrations() -> Migrations {
    Migrations::new(std::env::temp_dir(), vec![initial()])
}

fn v1_app(db: &TestDb) -> ferrest::App {
    ferrest::App::new()
        .database_url(db.url())
        .resource::<v1::Note>()
        .migrations(migrations())
}

async fn recorded(db: &TestDb, backend: Backend) -> i64 {
    let connection = ferrest::connect(db.url()).await.unwrap();
    let row = connection
        .query_one_raw(Statement::from_string(
            connection.get_database_backend(),
            "SELECT COUNT(*) FROM seaql_migrations WHERE version = 'm0001_notes'",
        ))
        .await
        .unwrap()
        .unwrap();
    let count: i64 = match backend {
        Backend::MySql => row.try_get_by_index::<i64>(0).unwrap(),
        _ => row.try_get_by_index(0).unwrap(),
    };
    let _ = connection.close().await;
    count
}

/// Three instances start at once on a fresh database: one applies the migration, the
/// others wait for its lock and find it applied; every one serves.
async fn instances_starting_together_apply_each_migration_once(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let starts = (0..3).map(|_| v1_app(&db).into_router());
    for router in futures_util::future::join_all(starts).await {
        let client = ferrest::testing::TestClient::new(router.unwrap());
        let created = client
            .post("/notes", serde_json::json!({"title": "once"}))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
    }
    assert_eq!(recorded(&db, backend).await, 1);
    db.drop().await;
}

/// `verify` refuses a database whose migrations are pending, then one that differs
/// from the declarations, naming the table and the column; it starts once they match.
async fn verify_refuses_to_start_on_drift_naming_table_and_column(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let pending = v1_app(&db)
        .schema_mode(SchemaMode::Verify)
        .into_router()
        .await
        .expect_err("verify refuses pending migrations")
        .to_string();
    assert!(
        pending.contains("migration `m0001_notes` is pending"),
        "{pending}"
    );

    let _migrated = v1_app(&db).into_router().await.unwrap();
    let _verified = v1_app(&db)
        .schema_mode(SchemaMode::Verify)
        .into_router()
        .await
        .expect("verify starts on a migrated database");

    let drifted = ferrest::App::new()
        .database_url(db.url())
        .resource::<v2::Note>()
        .migrations(migrations())
        .schema_mode(SchemaMode::Verify)
        .into_router()
        .await
        .expect_err("verify refuses drift")
        .to_string();
    assert!(drifted.contains("startup_notes"), "{drifted}");
    assert!(drifted.contains("`body`"), "{drifted}");
    assert!(drifted.contains("schema diff"), "{drifted}");
    db.drop().await;
}

/// `off` creates nothing; an app without migrations syncs its tables.
async fn off_leaves_the_schema_alone_and_sync_is_the_default_without_migrations(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let app = || {
        ferrest::App::new()
            .database_url(db.url())
            .resource::<v1::Note>()
    };
    let off = ferrest::testing::TestClient::new(
        app()
            .schema_mode(SchemaMode::Off)
            .into_router()
            .await
            .unwrap(),
    );
    let missing = off.get("/notes").await;
    assert_eq!(
        missing.status, 500,
        "no table under `off`: {}",
        missing.text
    );
    let synced = ferrest::testing::TestClient::new(app().into_router().await.unwrap());
    let listed = synced.get("/notes").await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    db.drop().await;
}

ferrest::on_every_backend!(backend;
    instances_starting_together_apply_each_migration_once,
    verify_refuses_to_start_on_drift_naming_table_and_column,
    off_leaves_the_schema_alone_and_sync_is_the_default_without_migrations,
);

#[test]
fn a_schema_mode_is_one_of_four_words() {
    assert_eq!("verify".parse::<SchemaMode>(), Ok(SchemaMode::Verify));
    let error = "migrat".parse::<SchemaMode>().unwrap_err();
    assert!(error.contains("`migrat` is not a schema mode"), "{error}");
}
