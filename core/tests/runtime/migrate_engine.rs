//! The migration engine on every backend: each step applies and reverts, a migration
//! makes the schema sync makes, rows survive column changes, two runs at once apply
//! each migration once, and a failing migration leaves a known state and says where
//! it failed.

use ferrest::migrate::{
    Action, Column, ColumnType, ForeignKey, Index, MigrateError, Migration, Migrations, Step,
    StringLen, Table, Value,
};
use ferrest::sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend};
use ferrest::testing::{Backend, TestDb};

mod alter;
mod partly_applied;
mod rebuild;
mod snapshot;
use snapshot::{Schema, snapshot, strings};

/// Resources declared the way an app declares them: what sync makes of these is what
/// `declared_tables()` must make as a migration.
mod declared {
    use ferrest::prelude::*;

    #[derive(Resource)]
    #[rest(table = "writers", path = "/writers")]
    pub struct Writer {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(max = 100)), unique)]
        pub name: String,
    }

    #[derive(Resource)]
    #[rest(table = "novels", path = "/novels")]
    pub struct Novel {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(min = 1, max = 200)), sort)]
        pub title: String,
        #[rest(filter(lt, gte))]
        pub price_cents: i64,
        #[rest(default = false)]
        pub published: bool,
        #[rest(default = "draft")]
        pub state: String,
        #[rest(belongs_to = Writer, filter(eq))]
        pub writer_id: i64,
        pub summary: Option<String>,
        pub rating: f64,
        pub pages: i32,
        pub amount: Decimal,
        pub day: NaiveDate,
        pub time: NaiveTime,
        pub token: Uuid,
        pub extra: Option<JsonValue>,
        #[rest(created_at)]
        pub created_at: DateTimeUtc,
    }
}

/// The tables of `declared`, as migration steps.
fn declared_tables() -> Vec<Step> {
    let id = || {
        Column::new("id", ColumnType::BigInteger)
            .primary_key()
            .auto_increment()
    };
    vec![
        Step::CreateTable(
            Table::new("writers")
                .column(id())
                .column(Column::new("name", ColumnType::String(StringLen::N(100))).unique()),
        ),
        Step::CreateTable(
            Table::new("novels")
                .column(id())
                .column(Column::new("title", ColumnType::String(StringLen::N(200))))
                .column(Column::new("price_cents", ColumnType::BigInteger))
                .column(Column::new("published", ColumnType::Boolean).default(Value::Bool(false)))
                .column(Column::new("state", ColumnType::Text).default(Value::Text("draft".into())))
                .column(Column::new("writer_id", ColumnType::BigInteger))
                .column(Column::new("summary", ColumnType::Text).nullable())
                .column(Column::new("rating", ColumnType::Double))
                .column(Column::new("pages", ColumnType::Integer))
                .column(Column::new("amount", ColumnType::Decimal(Some((30, 10)))))
                .column(Column::new("day", ColumnType::Date))
                .column(Column::new("time", ColumnType::Time))
                .column(Column::new("token", ColumnType::Uuid))
                .column(Column::new("extra", ColumnType::Json).nullable())
                .column(Column::new("created_at", ColumnType::TimestampWithTimeZone))
                .foreign_key(ForeignKey::new(
                    "fk-novels-writer_id",
                    ["writer_id"],
                    "writers",
                    ["id"],
                ))
                .index(Index::new("idx-novels-title", ["title"]))
                .index(Index::new("idx-novels-price_cents", ["price_cents"]))
                .index(Index::new("idx-novels-writer_id", ["writer_id"])),
        ),
    ]
}

fn migrations(list: Vec<Migration>) -> Migrations {
    Migrations::new("src/migrations", list)
}

async fn connect(db: &TestDb) -> DatabaseConnection {
    Database::connect(db.url()).await.expect("connects")
}

ferrest::on_every_backend!(backend;
    a_migration_makes_the_schema_sync_makes,
    each_step_applies_and_down_reverts_it,
    a_not_null_column_keeps_every_row,
    concurrent_runs_apply_each_migration_once,
    a_failing_migration_says_where_and_what_is_applied,
    a_dangling_reference_fails_the_migration,
    fresh_drops_everything_and_status_follows,
);

async fn a_migration_makes_the_schema_sync_makes(backend: Backend) {
    let (Some(synced), Some(migrated)) =
        (TestDb::create(backend).await, TestDb::create(backend).await)
    else {
        return;
    };
    let _router = ferrest::App::new()
        .database_url(synced.url())
        .resource::<declared::Writer>()
        .resource::<declared::Novel>()
        .into_router()
        .await
        .expect("the app starts and syncs");
    let list = migrations(vec![Migration::new("m0001_initial").up(declared_tables())]);
    let applied = ferrest::migrate::up(migrated.url(), &list, None)
        .await
        .unwrap();
    assert_eq!(applied, ["m0001_initial"]);

    let mut from_sync = snapshot(&connect(&synced).await).await;
    // The app's own table, not a resource's.
    from_sync.remove("ferrest_idempotency_keys");
    let from_migration = snapshot(&connect(&migrated).await).await;
    assert_eq!(from_sync.len(), 2, "{from_sync:#?}");
    assert_eq!(from_migration, from_sync);
    synced.drop().await;
    migrated.drop().await;
}

/// Migrations of one step kind each (plus the rows they work on), in the backend's
/// SQL where a step carries SQL; each is applied, reverted, and applied again, and the
/// schema checked at each point.
fn step_migrations(backend: DbBackend) -> Vec<Migration> {
    let concat = if backend == DbBackend::MySql {
        "CONCAT('book-', title)"
    } else {
        "'book-' || title"
    };
    let id = || {
        Column::new("id", ColumnType::BigInteger)
            .primary_key()
            .auto_increment()
    };
    let writers_key = || {
        ForeignKey::new("fk-books-writer_id", ["writer_id"], "writers", ["id"])
            .on_delete(Action::Cascade)
    };
    let tagline = || Column::new("tagline", ColumnType::String(StringLen::N(100))).nullable();
    let books = || "books".to_owned();
    let archive = || {
        Step::CreateTable(
            Table::new("writers_archive")
                .column(id())
                .column(Column::new("name", ColumnType::Text)),
        )
    };
    vec![
        Migration::new("m01_create")
            .up([
                Step::CreateTable(
                    Table::new("writers")
                        .column(id())
                        .column(Column::new("name", ColumnType::String(StringLen::N(100)))),
                ),
                Step::CreateTable(
                    Table::new("books")
                        .column(id())
                        .column(Column::new("title", ColumnType::Text))
                        .column(Column::new("isbn", ColumnType::String(StringLen::N(13))).unique())
                        .column(Column::new("writer_id", ColumnType::BigInteger))
                        .foreign_key(writers_key())
                        .index(Index::new("idx-books-writer_id", ["writer_id"])),
                ),
                Step::Sql("INSERT INTO writers (name) VALUES ('Ada'), ('Grace')".to_owned()),
                Step::Sql(
                    "INSERT INTO books (title, isbn, writer_id) VALUES \
                     ('First', '1', 1), ('Second', '2', 2), ('Third', '3', 1)"
                        .to_owned(),
                ),
            ])
            .down([Step::DropTable(books()), Step::DropTable("writers".into())]),
        Migration::new("m02_add_nullable")
            .up([Step::AddColumn {
                table: books(),
                column: Column::new("subtitle", ColumnType::String(StringLen::N(100))).nullable(),
                backfill: None,
            }])
            .down([Step::DropColumn {
                table: books(),
                column: "subtitle".into(),
            }]),
        Migration::new("m03_add_with_default")
            .up([Step::AddColumn {
                table: books(),
                column: Column::new("pages", ColumnType::Integer).default(Value::Int(100)),
                backfill: None,
            }])
            .down([Step::DropColumn {
                table: books(),
                column: "pages".into(),
            }]),
        Migration::new("m04_add_with_backfill")
            .up([Step::AddColumn {
                table: books(),
                column: Column::new("slug", ColumnType::String(StringLen::N(100))),
                backfill: Some(concat.to_owned()),
            }])
            .down([Step::DropColumn {
                table: books(),
                column: "slug".into(),
            }]),
        Migration::new("m05_alter_type")
            .up([Step::AlterColumn {
                table: books(),
                column: Column::new("title", ColumnType::String(StringLen::N(200))),
            }])
            .down([Step::AlterColumn {
                table: books(),
                column: Column::new("title", ColumnType::Text),
            }]),
        Migration::new("m06_alter_default_and_null")
            .up([Step::AlterColumn {
                table: books(),
                column: Column::new("pages", ColumnType::Integer)
                    .nullable()
                    .default(Value::Int(5)),
            }])
            .down([Step::AlterColumn {
                table: books(),
                column: Column::new("pages", ColumnType::Integer).default(Value::Int(100)),
            }]),
        Migration::new("m07_drop_unique")
            .up([Step::AlterColumn {
                table: books(),
                column: Column::new("isbn", ColumnType::String(StringLen::N(13))),
            }])
            .down([Step::AlterColumn {
                table: books(),
                column: Column::new("isbn", ColumnType::String(StringLen::N(13))).unique(),
            }]),
        Migration::new("m08_rename_column")
            .up([Step::RenameColumn {
                table: books(),
                from: "subtitle".into(),
                to: "tagline".into(),
            }])
            .down([Step::RenameColumn {
                table: books(),
                from: "tagline".into(),
                to: "subtitle".into(),
            }]),
        Migration::new("m09_add_index")
            .up([Step::AddIndex {
                table: books(),
                index: Index::new("idx-books-title-pages", ["title", "pages"]).unique(),
            }])
            .down([Step::DropIndex {
                table: books(),
                name: "idx-books-title-pages".into(),
            }]),
        Migration::new("m10_drop_foreign_key")
            .up([Step::DropForeignKey {
                table: books(),
                name: "fk-books-writer_id".into(),
            }])
            .down([Step::AddForeignKey {
                table: books(),
                key: writers_key(),
            }]),
        Migration::new("m11_add_unique")
            .up([Step::AlterColumn {
                table: books(),
                column: tagline().unique(),
            }])
            .down([Step::AlterColumn {
                table: books(),
                column: tagline(),
            }]),
        Migration::new("m12_drop_unique_column")
            .up([Step::DropColumn {
                table: books(),
                column: "tagline".into(),
            }])
            .down([
                Step::AddColumn {
                    table: books(),
                    column: tagline(),
                    backfill: None,
                },
                Step::AlterColumn {
                    table: books(),
                    column: tagline().unique(),
                },
            ]),
        Migration::new("m13_rename_table")
            .up([Step::RenameTable {
                from: books(),
                to: "volumes".into(),
            }])
            .down([Step::RenameTable {
                from: "volumes".into(),
                to: books(),
            }]),
        Migration::new("m14_create_archive")
            .up([archive()])
            .down([Step::DropTable("writers_archive".into())]),
        Migration::new("m15_drop_table")
            .up([Step::DropTable("writers_archive".into())])
            .down([archive()]),
    ]
}

async fn each_step_applies_and_down_reverts_it(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let list = migrations(step_migrations(db.get_database_backend()));
    let url = test_db.url();
    let mut before = snapshot(&db).await;
    for migration in &list.list {
        let name = migration.name.as_str();
        assert_eq!(
            ferrest::migrate::up(url, &list, Some(1)).await.unwrap(),
            [name]
        );
        let after = snapshot(&db).await;
        assert_ne!(after, before, "`{name}` changes the schema");
        check_applied(&db, name, &after).await;
        assert_eq!(ferrest::migrate::down(url, &list, 1).await.unwrap(), [name]);
        assert_eq!(snapshot(&db).await, before, "`{name}` reverted");
        assert_eq!(
            ferrest::migrate::up(url, &list, Some(1)).await.unwrap(),
            [name]
        );
        assert_eq!(snapshot(&db).await, after, "`{name}` applied again");
        before = after;
    }
    assert!(
        ferrest::migrate::up(url, &list, None)
            .await
            .unwrap()
            .is_empty()
    );
    let status = ferrest::migrate::status(url, &list).await.unwrap();
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
    // Every migration reverts, newest first, back to an empty database.
    let reverted = ferrest::migrate::down(url, &list, 100).await.unwrap();
    assert_eq!(reverted.len(), list.list.len());
    assert_eq!(reverted[0], "m15_drop_table");
    assert_eq!(snapshot(&db).await.len(), 0);
    test_db.drop().await;
}

/// What each migration of `step_migrations` must have done, beyond changing the schema.
async fn check_applied(db: &DatabaseConnection, name: &str, schema: &Schema) {
    let books = schema
        .get("books")
        .or(schema.get("volumes"))
        .expect("books");
    let has = |fact: &str| books.iter().any(|f| f.starts_with(fact));
    let column = |name: &str| {
        books
            .iter()
            .find(|f| f.starts_with(&format!("column {name} ")))
            .cloned()
            .unwrap_or_default()
    };
    match name {
        "m01_create" => {
            assert!(has("unique (isbn)"), "{books:#?}");
            assert!(
                has("foreign key (writer_id) -> writers (id) on delete cascade"),
                "{books:#?}"
            );
        }
        "m02_add_nullable" => assert!(column("subtitle").contains(" null"), "{books:#?}"),
        "m03_add_with_default" => {
            assert!(
                column("pages").contains("not null default 100"),
                "{books:#?}"
            );
            assert_eq!(
                strings(db, "SELECT CAST(pages AS CHAR) FROM books").await,
                ["100"; 3]
            );
        }
        "m04_add_with_backfill" => {
            assert!(column("slug").contains("not null"), "{books:#?}");
            assert_eq!(
                strings(db, "SELECT slug FROM books ORDER BY id").await,
                ["book-First", "book-Second", "book-Third"]
            );
        }
        "m05_alter_type" => {
            assert!(
                column("title").starts_with("column title varchar(200)"),
                "{books:#?}"
            );
            assert_eq!(
                strings(db, "SELECT title FROM books ORDER BY id").await,
                ["First", "Second", "Third"]
            );
        }
        "m06_alter_default_and_null" => {
            let pages = column("pages");
            assert!(
                !pages.contains("not null") && pages.contains("default 5"),
                "{books:#?}"
            );
        }
        "m07_drop_unique" => {
            assert!(!has("unique (isbn)"), "{books:#?}");
            // A duplicate is accepted now.
            db.execute_unprepared(
                "INSERT INTO books (title, isbn, writer_id, slug) VALUES ('Dup', '1', 1, 'dup')",
            )
            .await
            .unwrap();
            db.execute_unprepared("DELETE FROM books WHERE title = 'Dup'")
                .await
                .unwrap();
        }
        "m08_rename_column" => assert!(has("column tagline"), "{books:#?}"),
        "m09_add_index" => assert!(has("unique (title, pages)"), "{books:#?}"),
        "m10_drop_foreign_key" => assert!(!has("foreign key"), "{books:#?}"),
        "m11_add_unique" => assert!(has("unique (tagline)"), "{books:#?}"),
        "m12_drop_unique_column" => assert!(!has("column tagline"), "{books:#?}"),
        "m13_rename_table" => {
            assert!(schema.contains_key("volumes") && !schema.contains_key("books"));
            assert_eq!(
                strings(db, "SELECT title FROM volumes ORDER BY id")
                    .await
                    .len(),
                3
            );
        }
        "m14_create_archive" => assert!(schema.contains_key("writers_archive")),
        "m15_drop_table" => assert!(!schema.contains_key("writers_archive")),
        other => panic!("no check for `{other}`"),
    }
}

async fn a_not_null_column_keeps_every_row(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let table = Table::new("events")
        .column(
            Column::new("id", ColumnType::BigInteger)
                .primary_key()
                .auto_increment(),
        )
        .column(Column::new("name", ColumnType::String(StringLen::N(50))).unique());
    let mut steps = vec![Step::CreateTable(table)];
    for batch in 0..20 {
        let values: Vec<String> = (0..500)
            .map(|i| format!("('event {}')", batch * 500 + i))
            .collect();
        steps.push(Step::Sql(format!(
            "INSERT INTO events (name) VALUES {}",
            values.join(", ")
        )));
    }
    let list = migrations(vec![
        Migration::new("m1_events").up(steps),
        Migration::new("m2_priority").up([Step::AddColumn {
            table: "events".into(),
            column: Column::new("priority", ColumnType::Integer).default(Value::Int(7)),
            backfill: None,
        }]),
        Migration::new("m3_kind").up([Step::AddColumn {
            table: "events".into(),
            column: Column::new("kind", ColumnType::String(StringLen::N(20))),
            backfill: Some("'legacy'".into()),
        }]),
        // A rebuild on SQLite: every row is copied.
        Migration::new("m4_name_not_unique").up([Step::AlterColumn {
            table: "events".into(),
            column: Column::new("name", ColumnType::String(StringLen::N(80))),
        }]),
    ]);
    let applied = ferrest::migrate::up(test_db.url(), &list, None)
        .await
        .unwrap();
    assert_eq!(applied.len(), 4);
    let counts = strings(
        &db,
        "SELECT CAST(COUNT(*) AS CHAR) FROM events \
         WHERE priority = 7 AND kind = 'legacy' AND name LIKE 'event %'",
    )
    .await;
    assert_eq!(counts, ["10000"]);
    let distinct = strings(&db, "SELECT CAST(COUNT(DISTINCT name) AS CHAR) FROM events").await;
    assert_eq!(distinct, ["10000"]);
    // New rows get the default, and the numbering goes on after the last row.
    db.execute_unprepared("INSERT INTO events (name, kind) VALUES ('new', 'k')")
        .await
        .unwrap();
    assert_eq!(
        strings(
            &db,
            "SELECT CAST(id AS CHAR) FROM events WHERE name = 'new'"
        )
        .await,
        ["10001"]
    );
    test_db.drop().await;
}

/// Migrations that each add a row to `runs`: applied twice, a migration adds two.
fn counted_migrations() -> Migrations {
    let mut list =
        vec![
            Migration::new("m1_runs").up([Step::CreateTable(Table::new("runs").column(
                Column::new("migration", ColumnType::String(StringLen::N(20))),
            ))]),
        ];
    for i in 2..=6 {
        let name = format!("m{i}_count");
        list.push(Migration::new(&name).up([
            Step::Sql(format!("INSERT INTO runs (migration) VALUES ('{name}')")),
            Step::AddColumn {
                table: "runs".into(),
                column: Column::new(format!("c{i}"), ColumnType::Integer).nullable(),
                backfill: None,
            },
        ]));
    }
    migrations(list)
}

async fn concurrent_runs_apply_each_migration_once(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let list = counted_migrations();
    let url = test_db.url().to_owned();
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let (url, list) = (url.clone(), list.clone());
            tokio::spawn(async move { ferrest::migrate::up(&url, &list, None).await })
        })
        .collect();
    // And a process of its own: the test binary, running `child_process_runs_up`.
    let child_url = url.clone();
    let child = tokio::task::spawn_blocking(move || {
        std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "migrate_engine::child_process_runs_up",
                "--quiet",
            ])
            .env("FERREST_MIGRATE_CHILD_URL", child_url)
            .output()
            .expect("runs the test binary")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    // `1 passed`, not just success: a filter that matches no test succeeds too.
    assert!(
        child.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&child.stderr)
    );
    let mut applied = Vec::new();
    for run in runs {
        applied.extend(run.await.unwrap().unwrap());
    }
    // Whatever the child applied is not in `applied`; the rows say what ran, and how often.
    let db = connect(&test_db).await;
    let rows = strings(&db, "SELECT migration FROM runs ORDER BY migration").await;
    assert_eq!(
        rows,
        ["m2_count", "m3_count", "m4_count", "m5_count", "m6_count"]
    );
    let recorded = strings(&db, "SELECT version FROM seaql_migrations ORDER BY version").await;
    assert_eq!(recorded.len(), 6, "{recorded:?}");
    let mut unique = applied.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), applied.len(), "applied twice: {applied:?}");
    test_db.drop().await;
}

/// Run by `concurrent_runs_apply_each_migration_once` as a process of its own.
#[tokio::test]
#[ignore = "a child process of concurrent_runs_apply_each_migration_once"]
async fn child_process_runs_up() {
    // Run with `--include-ignored` but not by the parent test: nothing to migrate.
    let Ok(url) = std::env::var("FERREST_MIGRATE_CHILD_URL") else {
        return;
    };
    ferrest::migrate::up(&url, &counted_migrations(), None)
        .await
        .unwrap();
}

async fn a_failing_migration_says_where_and_what_is_applied(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let list = migrations(vec![
        Migration::new("m1_ok").up([Step::CreateTable(
            Table::new("kept").column(Column::new("id", ColumnType::Integer).primary_key()),
        )]),
        Migration::new("m2_fails").up([
            Step::CreateTable(
                Table::new("half").column(Column::new("id", ColumnType::Integer).primary_key()),
            ),
            Step::AddColumn {
                table: "kept".into(),
                column: Column::new("note", ColumnType::Text).nullable(),
                backfill: None,
            },
            Step::Sql("INSERT INTO no_such_table VALUES (1)".into()),
        ]),
    ]);
    let error = ferrest::migrate::up(test_db.url(), &list, None)
        .await
        .unwrap_err();
    let message = error.to_string();
    let MigrateError::Failed(failure) = &error else {
        panic!("{message}");
    };
    assert_eq!(failure.migration, "m2_fails");
    assert_eq!(failure.step.as_ref().map(|(i, _)| *i), Some(3), "{message}");
    assert_eq!(
        failure.statement.as_deref(),
        Some("INSERT INTO no_such_table VALUES (1)")
    );
    assert_eq!(failure.applied, ["m1_ok"]);
    assert!(
        message.contains("`INSERT INTO no_such_table VALUES (1)`"),
        "{message}"
    );
    assert!(message.contains("applied: `m1_ok`"), "{message}");
    let schema = snapshot(&db).await;
    if db.get_database_backend() == DbBackend::MySql {
        // MySQL commits each schema change: the first two steps stay, and the message
        // says so.
        assert_eq!(failure.steps_kept, 2, "{message}");
        assert!(!failure.rolled_back, "{message}");
        assert!(
            message.contains("Steps 1..2 stay applied and step 3 may be partly applied"),
            "{message}"
        );
        assert!(schema.contains_key("half"));
    } else {
        // PostgreSQL and SQLite roll the whole migration back.
        assert_eq!(failure.steps_kept, 0, "{message}");
        assert!(message.contains("rolled back"), "{message}");
        assert!(!schema.contains_key("half"), "{schema:#?}");
        assert!(
            !schema["kept"].iter().any(|fact| fact.contains("note")),
            "{schema:#?}"
        );
    }
    let status = ferrest::migrate::status(test_db.url(), &list)
        .await
        .unwrap();
    assert_eq!(
        status,
        [("m1_ok".to_owned(), true), ("m2_fails".to_owned(), false)]
    );
    test_db.drop().await;
}

async fn a_dangling_reference_fails_the_migration(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    // MySQL keeps a UUID as 16 bytes.
    let token = if db.get_database_backend() == DbBackend::MySql {
        "X'67e5504410b1426f9247bb680e5fe0c8'"
    } else {
        "'67e55044-10b1-426f-9247-bb680e5fe0c8'"
    };
    let list = migrations(vec![
        Migration::new("m1").up(declared_tables()
            .into_iter()
            .chain([Step::Sql(
                "INSERT INTO writers (name) VALUES ('Ada')".into(),
            )])
            .chain([Step::Sql(format!(
                "INSERT INTO novels (title, price_cents, writer_id, rating, pages, amount, \
                     day, time, token, created_at) VALUES ('t', 1, 1, 1.0, 1, 1, '2024-01-01', \
                     '12:00:00', {token}, '2024-01-01 00:00:00')"
            ))])),
        // Drops the writers the novels refer to: refused on every backend (on SQLite by
        // the check before commit, foreign keys being off during the run).
        Migration::new("m2_drop_writers").up([Step::DropTable("writers".into())]),
    ]);
    let error = ferrest::migrate::up(test_db.url(), &list, None)
        .await
        .unwrap_err();
    let MigrateError::Failed(failure) = &error else {
        panic!("{error}");
    };
    assert_eq!(failure.migration, "m2_drop_writers", "{error}");
    assert_eq!(failure.applied, ["m1"], "{error}");
    let schema = snapshot(&db).await;
    assert!(schema.contains_key("writers"), "{error}");
    assert_eq!(strings(&db, "SELECT name FROM writers").await, ["Ada"]);
    test_db.drop().await;
}

async fn fresh_drops_everything_and_status_follows(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    db.execute_unprepared("CREATE TABLE stray (id INTEGER PRIMARY KEY)")
        .await
        .unwrap();
    let list = migrations(vec![Migration::new("m0001_initial").up(declared_tables())]);
    let status = ferrest::migrate::status(test_db.url(), &list)
        .await
        .unwrap();
    assert_eq!(status, [("m0001_initial".to_owned(), false)]);
    assert_eq!(
        ferrest::migrate::fresh(test_db.url(), &list).await.unwrap(),
        ["m0001_initial"]
    );
    let schema = snapshot(&db).await;
    assert!(!schema.contains_key("stray"), "{schema:#?}");
    assert!(schema.contains_key("novels"));
    let status = ferrest::migrate::status(test_db.url(), &list)
        .await
        .unwrap();
    assert_eq!(status, [("m0001_initial".to_owned(), true)]);
    // Twice: it drops what it made too.
    assert_eq!(
        ferrest::migrate::fresh(test_db.url(), &list).await.unwrap(),
        ["m0001_initial"]
    );
    // A record of a migration the list does not have is an error, not ignored.
    let error = ferrest::migrate::up(test_db.url(), &migrations(vec![]), None)
        .await
        .unwrap_err();
    assert!(matches!(error, MigrateError::Record(_)), "{error}");
    assert!(error.to_string().contains("m0001_initial"), "{error}");
    test_db.drop().await;
}
