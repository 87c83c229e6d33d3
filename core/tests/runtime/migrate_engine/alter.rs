//! A column's type changed in place: a change that would cut values short is refused
//! and leaves them whole, and a column with a default changes type.

use ferrest::migrate::{
    Column, ColumnType, MigrateError, Migration, Step, StringLen, Table, Value,
};
use ferrest::sea_orm::{ConnectionTrait, DbBackend};
use ferrest::testing::{Backend, TestDb};

use super::snapshot::{snapshot, strings};
use super::{connect, migrations};

ferrest::on_every_backend!(backend;
    a_shrink_that_would_cut_values_fails,
    a_column_with_a_default_changes_type,
);

const LONG: &str = "a title of more than thirteen characters";

/// `varchar(200)` to `varchar(13)` with a longer value there: PostgreSQL (an explicit
/// cast would cut it) and MySQL in strict mode refuse; SQLite enforces no length, so
/// its rebuild copies every value whole and the change is made.
async fn a_shrink_that_would_cut_values_fails(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let title = |n| Column::new("title", ColumnType::String(StringLen::N(n)));
    let list = migrations(vec![
        Migration::new("m1_books").up([
            Step::CreateTable(
                Table::new("books")
                    .column(
                        Column::new("id", ColumnType::BigInteger)
                            .primary_key()
                            .auto_increment(),
                    )
                    .column(title(200)),
            ),
            Step::Sql(format!(
                "INSERT INTO books (title) VALUES ('{LONG}'), ('short')"
            )),
        ]),
        Migration::new("m2_shrink").up([Step::AlterColumn {
            table: "books".into(),
            column: title(13),
        }]),
    ]);
    let outcome = ferrest::migrate::up(test_db.url(), &list, None).await;
    let titles = strings(&db, "SELECT title FROM books ORDER BY id").await;
    assert_eq!(titles, [LONG, "short"], "{outcome:?}");
    if db.get_database_backend() == DbBackend::Sqlite {
        assert_eq!(outcome.unwrap(), ["m1_books", "m2_shrink"]);
        return test_db.drop().await;
    }
    let error = outcome.unwrap_err();
    let MigrateError::Failed(failure) = &error else {
        panic!("{error}");
    };
    assert_eq!(failure.migration, "m2_shrink", "{error}");
    let message = error.to_string().to_lowercase();
    assert!(
        message.contains("too long") || message.contains("truncated"),
        "{message}"
    );
    // The column is as it was: still 200 characters long.
    let after = snapshot(&db).await;
    assert!(
        after["books"]
            .iter()
            .any(|fact| fact.starts_with("column title varchar(200)")),
        "{after:#?}"
    );
    test_db.drop().await;
}

/// Text with default `'abc'` to integer with default `0`: PostgreSQL cannot cast the
/// old default, so it is dropped before the type changes.
async fn a_column_with_a_default_changes_type(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = connect(&test_db).await;
    let list = migrations(vec![
        Migration::new("m1_counters").up([
            Step::CreateTable(
                Table::new("counters")
                    .column(
                        Column::new("id", ColumnType::BigInteger)
                            .primary_key()
                            .auto_increment(),
                    )
                    .column(Column::new("d", ColumnType::Text).default(Value::Text("abc".into()))),
            ),
            Step::Sql("INSERT INTO counters (d) VALUES ('12')".into()),
        ]),
        Migration::new("m2_to_integer").up([Step::AlterColumn {
            table: "counters".into(),
            column: Column::new("d", ColumnType::Integer).default(Value::Int(0)),
        }]),
    ]);
    let applied = ferrest::migrate::up(test_db.url(), &list, None).await;
    assert_eq!(applied.unwrap(), ["m1_counters", "m2_to_integer"]);
    db.execute_unprepared("INSERT INTO counters (id) VALUES (2)")
        .await
        .unwrap();
    assert_eq!(
        strings(&db, "SELECT CAST(d + 1 AS CHAR) FROM counters ORDER BY id").await,
        ["13", "1"]
    );
    let schema = snapshot(&db).await;
    let column = schema["counters"]
        .iter()
        .find(|fact| fact.starts_with("column d "))
        .unwrap();
    assert!(
        column.contains("int") && column.contains("default 0"),
        "{column}"
    );
    test_db.drop().await;
}
