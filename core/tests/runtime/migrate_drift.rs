//! Drift: a database schema sync made from the declarations shows none on every
//! backend, whatever the field kinds; a declaration changed since (a new field, a
//! changed type, a changed nullability) shows as drift naming the table and column.

use ferrest::migrate::{Action, Drift, DriftKind, drift};
use ferrest::testing::{Backend, TestDb};

mod v1 {
    use ferrest::prelude::*;

    #[derive(Resource)]
    #[rest(table = "drift_authors")]
    pub struct Author {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(max = 80)), unique)]
        pub name: String,
    }

    /// Every kind of column, each index and key ferrest makes.
    #[derive(Resource)]
    #[rest(table = "drift_books")]
    pub struct Book {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(min = 1, max = 200)), filter(eq), sort)]
        pub title: String,
        #[rest(validate(pattern = "^[0-9]{13}$"), unique)]
        pub isbn: String,
        pub summary: Option<String>,
        #[rest(default = "draft")]
        pub status: String,
        /// PostgreSQL reads it back as `'a::b'::text`.
        #[rest(default = "a::b")]
        pub code: String,
        #[rest(default = false, filter(eq))]
        pub published: bool,
        #[rest(default = 3)]
        pub copies: i32,
        pub small: i16,
        #[rest(filter(lt, gte))]
        pub price_cents: i64,
        pub weight: f32,
        pub rating: Option<f64>,
        pub price: Decimal,
        pub released: NaiveDate,
        pub opens: NaiveTime,
        pub printed_at: NaiveDateTime,
        pub token: Uuid,
        pub extra: Option<JsonValue>,
        #[rest(belongs_to = Author, filter(eq))]
        pub author_id: i64,
        #[rest(created_at)]
        pub created_at: DateTimeUtc,
        #[rest(updated_at)]
        pub updated_at: DateTimeUtc,
    }
}

mod v2 {
    use ferrest::prelude::*;

    /// `drift_books` changed: a field added, one's type and one's nullability changed.
    #[derive(Resource)]
    #[rest(table = "drift_books")]
    pub struct Book {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(min = 1, max = 200)), filter(eq), sort)]
        pub title: String,
        #[rest(validate(pattern = "^[0-9]{13}$"), unique)]
        pub isbn: String,
        pub summary: String,
        #[rest(default = "draft")]
        pub status: String,
        /// PostgreSQL reads it back as `'a::b'::text`.
        #[rest(default = "a::b")]
        pub code: String,
        #[rest(default = false, filter(eq))]
        pub published: bool,
        #[rest(default = 3)]
        pub copies: i64,
        pub small: i16,
        #[rest(filter(lt, gte))]
        pub price_cents: i64,
        pub weight: f32,
        pub rating: Option<f64>,
        pub price: Decimal,
        pub released: NaiveDate,
        pub opens: NaiveTime,
        pub printed_at: NaiveDateTime,
        pub token: Uuid,
        pub extra: Option<JsonValue>,
        #[rest(belongs_to = super::v1::Author, filter(eq))]
        pub author_id: i64,
        #[rest(created_at)]
        pub created_at: DateTimeUtc,
        #[rest(updated_at)]
        pub updated_at: DateTimeUtc,
        pub subtitle: Option<String>,
    }
}

mod v3 {
    use ferrest::prelude::*;

    /// `drift_authors.name`, renamed.
    #[derive(Resource)]
    #[rest(table = "drift_authors")]
    pub struct Author {
        #[rest(id)]
        pub id: i64,
        #[rest(renamed_from = "name", validate(length(max = 80)), unique)]
        pub full_name: String,
    }
}

fn v1_app() -> ferrest::App {
    ferrest::App::new()
        .resource::<v1::Author>()
        .resource::<v1::Book>()
}

ferrest::on_every_backend!(backend; a_synced_database_has_no_drift, a_changed_declaration_drifts, a_declared_rename_is_synced_without_drift, check_in_sync_mode_fails_on_what_sync_leaves, a_foreign_key_doing_another_thing_drifts);

/// A database schema sync made, from the app's declarations.
async fn synced(backend: Backend) -> Option<(TestDb, ferrest::sea_orm::DatabaseConnection)> {
    let db = TestDb::create(backend).await?;
    let connection = ferrest::connect(db.url()).await.unwrap();
    let _router = v1_app().router_on(connection.clone()).await.unwrap();
    Some((db, connection))
}

async fn a_synced_database_has_no_drift(backend: Backend) {
    let Some((db, connection)) = synced(backend).await else {
        return;
    };
    let declared = v1_app()
        .declared_schema(connection.get_database_backend())
        .unwrap();
    let drifts = drift(&connection, &declared).await.unwrap();
    let lines: Vec<String> = drifts.iter().map(Drift::to_string).collect();
    assert!(lines.is_empty(), "{}", lines.join("\n"));
    db.drop().await;
}

async fn a_changed_declaration_drifts(backend: Backend) {
    let Some((db, connection)) = synced(backend).await else {
        return;
    };
    let declared = ferrest::App::new()
        .resource::<v1::Author>()
        .resource::<v2::Book>()
        .declared_schema(connection.get_database_backend())
        .unwrap();
    let drifts = drift(&connection, &declared).await.unwrap();
    let lines: Vec<String> = drifts.iter().map(Drift::to_string).collect();
    let integer = match backend {
        Backend::MySql => "int",
        _ => "integer",
    };
    let bigint = match backend {
        // SQLite stores both as `integer`: no drift to see there.
        Backend::Sqlite => None,
        _ => Some("bigint"),
    };
    let mut expected =
        vec!["table `drift_books`: column `summary` admits NULL, declared NOT NULL".to_owned()];
    if let Some(bigint) = bigint {
        expected.push(format!(
            "table `drift_books`: column `copies` has type `{integer}`, declared `{bigint}`"
        ));
    }
    expected.push("table `drift_books`: column `subtitle` is missing".to_owned());
    assert_eq!(lines, expected);
    assert!(drifts.iter().all(|d| d.table == "drift_books"));
    assert!(drifts.contains(&Drift {
        table: "drift_books".into(),
        kind: DriftKind::MissingColumn("subtitle".into()),
    }));

    // A table nothing made yet is named; tables nothing declares are not.
    let mut more = declared.clone();
    more.tables.insert(
        "drift_tags".into(),
        ferrest::migrate::Table::new("drift_tags"),
    );
    more.tables.remove("drift_authors");
    let lines: Vec<String> = drift(&connection, &more)
        .await
        .unwrap()
        .iter()
        .map(Drift::to_string)
        .collect();
    assert!(
        lines.contains(&"table `drift_tags` is missing".to_owned()),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("drift_authors")),
        "{lines:?}"
    );
    db.drop().await;
}

async fn a_declared_rename_is_synced_without_drift(backend: Backend) {
    let Some((db, connection)) = synced(backend).await else {
        return;
    };
    let renamed = || ferrest::App::new().resource::<v3::Author>();
    let declared = renamed()
        .declared_schema(connection.get_database_backend())
        .unwrap();
    let before: Vec<String> = drift(&connection, &declared)
        .await
        .unwrap()
        .iter()
        .map(Drift::to_string)
        .collect();
    assert_eq!(
        before,
        [
            "table `drift_authors`: column `full_name` is missing",
            "table `drift_authors`: column `name` is not declared",
        ]
    );
    // Schema sync reads the same attribute and renames the column. On PostgreSQL and
    // MySQL, sea-orm 2.0.4's sync then drops the unique index of the column's old name
    // in the same pass, and restores it only on the next start; drift sees the gap.
    let _router = renamed().router_on(connection.clone()).await.unwrap();
    let after: Vec<String> = drift(&connection, &declared)
        .await
        .unwrap()
        .iter()
        .map(Drift::to_string)
        .collect();
    let gap = ["table `drift_authors`: column `full_name` is not unique, declared unique"];
    match backend {
        Backend::Sqlite => assert!(after.is_empty(), "{after:?}"),
        _ => assert_eq!(after, gap),
    }
    let _router = renamed().router_on(connection.clone()).await.unwrap();
    let lines: Vec<String> = drift(&connection, &declared)
        .await
        .unwrap()
        .iter()
        .map(Drift::to_string)
        .collect();
    assert!(lines.is_empty(), "{}", lines.join("\n"));
    db.drop().await;
}

/// `check` in `sync` mode: what start-up's sync adds (a column, a rename) is fine; a
/// nullability or type that differs, which sync never changes, is a problem.
async fn check_in_sync_mode_fails_on_what_sync_leaves(backend: Backend) {
    let Some((db, _connection)) = synced(backend).await else {
        return;
    };
    let url = db.url().to_owned();
    let check = |app: ferrest::App| {
        app.database_url(&url)
            .schema_mode(ferrest::SchemaMode::Sync)
            .run_from(
                ["app", "check"],
                |_app, command: ferrest::cli::NoCommands| async move { match command {} },
            )
    };
    // `full_name` missing, `name` not declared: the rename sync makes at start.
    let renamed = check(ferrest::App::new().resource::<v3::Author>()).await;
    assert_eq!(renamed, std::process::ExitCode::SUCCESS);
    // `summary` refuses NULL now: sync leaves the column as it is.
    let changed = check(
        ferrest::App::new()
            .resource::<v1::Author>()
            .resource::<v2::Book>(),
    )
    .await;
    assert_eq!(changed, std::process::ExitCode::FAILURE);
    db.drop().await;
}

/// A foreign key that is there but does another thing on delete or update than
/// declared drifts, each rule named with what the database does and what is declared.
async fn a_foreign_key_doing_another_thing_drifts(backend: Backend) {
    let Some((db, connection)) = synced(backend).await else {
        return;
    };
    let mut declared = v1_app()
        .declared_schema(connection.get_database_backend())
        .unwrap();
    let books = declared.tables.get_mut("drift_books").unwrap();
    let key = &mut books.foreign_keys[0];
    // What sync made from the declaration: nothing said, so `NO ACTION` both ways.
    assert_eq!((key.on_delete, key.on_update), (None, None));
    key.on_delete = Some(Action::Cascade);
    key.on_update = Some(Action::SetNull);
    let lines: Vec<String> = drift(&connection, &declared)
        .await
        .unwrap()
        .iter()
        .map(Drift::to_string)
        .collect();
    assert_eq!(
        lines,
        [
            "table `drift_books`: the foreign key from (author_id) to `drift_authors` has \
             ON DELETE NO ACTION, declared CASCADE",
            "table `drift_books`: the foreign key from (author_id) to `drift_authors` has \
             ON UPDATE NO ACTION, declared SET NULL",
        ]
    );
    // `RESTRICT` is what MySQL does when nothing is said; elsewhere it is not.
    let key = &mut declared.tables.get_mut("drift_books").unwrap().foreign_keys[0];
    key.on_delete = None;
    key.on_update = Some(Action::Restrict);
    let drifts = drift(&connection, &declared).await.unwrap();
    match backend {
        Backend::MySql => assert!(drifts.is_empty(), "{drifts:?}"),
        _ => assert!(
            matches!(
                &drifts[..],
                [Drift {
                    kind: DriftKind::ForeignKeyAction {
                        rule: "ON UPDATE",
                        ..
                    },
                    ..
                }]
            ),
            "{drifts:?}"
        ),
    }
    db.drop().await;
}
