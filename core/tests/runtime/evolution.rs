//! Schema synchronisation at start: tables are created, a field added to a resource
//! adds its column on the next start, and existing rows are kept.

use ferrest::testing::{Backend, TestClient, TestDb};
use serde_json::json;

mod v1 {
    use ferrest::prelude::*;

    #[derive(Resource)]
    #[rest(table = "notes", path = "/notes")]
    pub struct Note {
        #[rest(id)]
        pub id: i64,
        pub title: String,
    }
}

mod v2 {
    use ferrest::prelude::*;

    /// The same table, two fields later.
    #[derive(Resource)]
    #[rest(table = "notes", path = "/notes")]
    pub struct Note {
        #[rest(id)]
        pub id: i64,
        pub title: String,
        pub body: Option<String>,
        #[rest(default = 3)]
        pub priority: i32,
    }
}

async fn added_fields_add_columns(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let first = ferrest::App::new()
        .database_url(db.url())
        .resource::<v1::Note>();
    let client = TestClient::new(first.into_router().await.unwrap());
    let created = client.post("/notes", json!({"title": "kept"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    drop(client);

    for _ in 0..2 {
        // Starting twice shows the sync is idempotent.
        let second = ferrest::App::new()
            .database_url(db.url())
            .resource::<v2::Note>();
        let client = TestClient::new(second.into_router().await.unwrap());
        let old = client.get("/notes/1").await;
        assert_eq!(old.status, 200, "{}", old.text);
        assert_eq!(
            old.body,
            json!({"id": 1, "title": "kept", "body": null, "priority": 3})
        );
    }
    let second = ferrest::App::new()
        .database_url(db.url())
        .resource::<v2::Note>();
    let client = TestClient::new(second.into_router().await.unwrap());
    let new = client
        .post(
            "/notes",
            json!({"title": "new", "body": "text", "priority": 1}),
        )
        .await;
    assert_eq!(new.status, 201, "{}", new.text);
    assert_eq!(client.get("/notes?count=true").await.body["total"], 2);

    // Going back to the old declaration drops nothing.
    let old_app = ferrest::App::new()
        .database_url(db.url())
        .resource::<v1::Note>();
    let client = TestClient::new(old_app.into_router().await.unwrap());
    assert_eq!(client.get("/notes?count=true").await.body["total"], 2);
    db.drop().await;
}

ferrest::on_every_backend!(backend; added_fields_add_columns);

/// `ferrest::connect` opens SQLite files in WAL mode with `synchronous=NORMAL`.
#[tokio::test]
async fn sqlite_files_run_in_wal_mode() {
    use ferrest::sea_orm::{ConnectionTrait, Statement};
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let connection = ferrest::connect(db.url()).await.expect("connects");
    let pragma = |name: &'static str| {
        let connection = connection.clone();
        async move {
            let row = connection
                .query_one_raw(Statement::from_string(
                    connection.get_database_backend(),
                    format!("PRAGMA {name}"),
                ))
                .await
                .expect("reads the pragma")
                .expect("a row");
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                .expect("a value")
        }
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    // NORMAL is 1.
    assert_eq!(pragma("synchronous").await, "1");
    db.drop().await;
}
