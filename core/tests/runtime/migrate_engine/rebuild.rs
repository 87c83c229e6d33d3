//! What a table keeps through a change SQLite makes by rebuilding it (and the other
//! backends in place): its triggers, the views that read it, its numbering; and what
//! the rebuild refuses rather than lose (a `CHECK` constraint).

use ferrest::migrate::{Column, ColumnType, MigrateError, Migration, Step, StringLen, Table};
use ferrest::sea_orm::{ConnectionTrait, DbBackend};
use ferrest::testing::{Backend, TestDb};

use super::snapshot::strings;
use super::{connect, migrations};

ferrest::on_every_backend!(backend;
    a_trigger_survives_a_column_change,
    a_view_survives_a_column_change,
    numbering_goes_on_after_an_emptied_table_changes,
    a_check_constraint_is_kept_or_the_change_refused,
);

/// `books (id, title, pages)`, numbered by AUTOINCREMENT on SQLite, and `m2` making
/// `pages` a nullable `bigint` (a rebuild on SQLite).
fn books(more: Vec<Step>) -> Vec<Migration> {
    let mut create = vec![Step::CreateTable(
        Table::new("books")
            .column(
                Column::new("id", ColumnType::BigInteger)
                    .primary_key()
                    .auto_increment(),
            )
            .column(Column::new("title", ColumnType::String(StringLen::N(100))))
            .column(Column::new("pages", ColumnType::Integer)),
    )];
    create.extend(more);
    vec![
        Migration::new("m1_books").up(create),
        Migration::new("m2_pages").up([Step::AlterColumn {
            table: "books".into(),
            column: Column::new("pages", ColumnType::BigInteger).nullable(),
        }]),
    ]
}

/// The SQL of a trigger that logs each book inserted, in the backend's dialect.
fn log_trigger(backend: DbBackend) -> String {
    match backend {
        DbBackend::Sqlite => "CREATE TRIGGER books_log AFTER INSERT ON books \
             BEGIN INSERT INTO book_log (title) VALUES (new.title); END"
            .into(),
        DbBackend::MySql => "CREATE TRIGGER books_log AFTER INSERT ON books \
             FOR EACH ROW INSERT INTO book_log (title) VALUES (NEW.title)"
            .into(),
        _ => "CREATE FUNCTION books_log() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN INSERT INTO book_log (title) VALUES (NEW.title); RETURN NEW; END $$; \
             CREATE TRIGGER books_log AFTER INSERT ON books \
             FOR EACH ROW EXECUTE FUNCTION books_log()"
            .into(),
    }
}

async fn a_trigger_survives_a_column_change(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let list = migrations(books(vec![
        Step::CreateTable(
            Table::new("book_log")
                .column(Column::new("title", ColumnType::String(StringLen::N(100)))),
        ),
        Step::Sql(log_trigger(db.get_database_backend())),
        Step::Sql("INSERT INTO books (title, pages) VALUES ('Before', 1)".into()),
    ]));
    let applied = ferrest::migrate::up(test_db.url(), &list, None).await;
    assert_eq!(applied.unwrap(), ["m1_books", "m2_pages"]);
    db.execute_unprepared("INSERT INTO books (title, pages) VALUES ('After', NULL)")
        .await
        .unwrap();
    assert_eq!(
        strings(&db, "SELECT title FROM book_log ORDER BY title").await,
        ["After", "Before"]
    );
    test_db.drop().await;
}

async fn a_view_survives_a_column_change(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let mut list = books(vec![
        Step::Sql("CREATE VIEW titles AS SELECT id, title FROM books".into()),
        // A view of the view: it reads the table too.
        Step::Sql("CREATE VIEW first_titles AS SELECT title FROM titles WHERE id < 10".into()),
        Step::Sql("INSERT INTO books (title, pages) VALUES ('Kept', 1)".into()),
    ]);
    list.push(Migration::new("m3_drop_title").up([Step::DropColumn {
        table: "books".into(),
        column: "title".into(),
    }]));
    let list = migrations(list);
    let applied = ferrest::migrate::up(test_db.url(), &list, Some(2)).await;
    assert_eq!(applied.unwrap(), ["m1_books", "m2_pages"]);
    db.execute_unprepared("INSERT INTO books (title, pages) VALUES ('New', NULL)")
        .await
        .unwrap();
    assert_eq!(
        strings(&db, "SELECT title FROM first_titles ORDER BY title").await,
        ["Kept", "New"]
    );
    // Dropping the column the views read is refused (MySQL drops it and leaves the
    // views broken, its own way).
    if db.get_database_backend() != DbBackend::MySql {
        let error = ferrest::migrate::up(test_db.url(), &list, None)
            .await
            .unwrap_err();
        let MigrateError::Failed(failure) = &error else {
            panic!("{error}");
        };
        assert_eq!(failure.migration, "m3_drop_title", "{error}");
        assert_eq!(
            strings(&db, "SELECT title FROM first_titles ORDER BY title").await,
            ["Kept", "New"]
        );
    }
    test_db.drop().await;
}

/// Every row deleted, then the table changed: the next row's id is the one after
/// the last given, never one given before.
async fn numbering_goes_on_after_an_emptied_table_changes(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let list = migrations(books(vec![
        Step::Sql(
            "INSERT INTO books (title, pages) VALUES ('One', 1), ('Two', 2), ('Three', 3)".into(),
        ),
        Step::Sql("DELETE FROM books".into()),
    ]));
    let applied = ferrest::migrate::up(test_db.url(), &list, None).await;
    assert_eq!(applied.unwrap(), ["m1_books", "m2_pages"]);
    db.execute_unprepared("INSERT INTO books (title) VALUES ('Four')")
        .await
        .unwrap();
    assert_eq!(
        strings(&db, "SELECT CAST(id AS CHAR) FROM books").await,
        ["4"]
    );
    test_db.drop().await;
}

/// SQLite's rebuild does not write a `CHECK` constraint again: it refuses the change,
/// naming it, and the table stays as it was. The other backends change the column in
/// place, and the constraint stays.
async fn a_check_constraint_is_kept_or_the_change_refused(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let list = migrations(vec![
        Migration::new("m1_gauges").up([
            Step::Sql(
                "CREATE TABLE gauges (id INTEGER PRIMARY KEY, \
                 level INTEGER NOT NULL CHECK (level >= 0), note VARCHAR(20))"
                    .into(),
            ),
            Step::Sql("INSERT INTO gauges (id, level, note) VALUES (1, 5, 'ok')".into()),
        ]),
        Migration::new("m2_note").up([Step::AlterColumn {
            table: "gauges".into(),
            column: Column::new("note", ColumnType::String(StringLen::N(40))).nullable(),
        }]),
    ]);
    let outcome = ferrest::migrate::up(test_db.url(), &list, None).await;
    if db.get_database_backend() == DbBackend::Sqlite {
        let error = outcome.unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("cannot rebuild table `gauges`") && message.contains("`CHECK`"),
            "{message}"
        );
        let MigrateError::Failed(failure) = &error else {
            panic!("{error}");
        };
        assert_eq!(failure.applied, ["m1_gauges"], "{message}");
    } else {
        assert_eq!(outcome.unwrap(), ["m1_gauges", "m2_note"]);
    }
    assert_eq!(strings(&db, "SELECT note FROM gauges").await, ["ok"]);
    let refused = db
        .execute_unprepared("INSERT INTO gauges (id, level) VALUES (2, -1)")
        .await;
    assert!(refused.is_err(), "the check stays");
    test_db.drop().await;
}
