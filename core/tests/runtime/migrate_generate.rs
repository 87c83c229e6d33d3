//! `migrate generate` on resources declared here: the first migration, then one with a
//! declared rename, an added table and columns, and a drop. The files it writes are
//! compared exactly with `migrate_snapshots/`, which are modules of this binary: so
//! they compile, `cargo fmt --check` holds them, and folding them gives the
//! declarations back. `FERREST_UPDATE_SNAPSHOTS=1` rewrites them; review the diff.

use ferrest::migrate::*;
use ferrest::sea_orm::DbBackend;

use super::migrate_snapshots;

/// `every_step()` rendered: compiled and formatted with this binary.
#[path = "migrate_snapshots/every_step.rs"]
mod every_step_snapshot;

mod v1 {
    use ferrest::prelude::*;

    #[derive(Resource)]
    #[rest(table = "gen_authors")]
    pub struct Author {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(max = 80)), unique)]
        pub name: String,
    }

    #[derive(Resource)]
    #[rest(table = "gen_books")]
    pub struct Book {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(min = 1, max = 200)), filter(eq), sort)]
        pub title: String,
        #[rest(validate(pattern = "^[0-9]{13}$"), unique)]
        pub isbn: String,
        pub summary: Option<String>,
        #[rest(default = false, filter(eq))]
        pub published: bool,
        pub price: Decimal,
        #[rest(belongs_to = Author, filter(eq))]
        pub author_id: i64,
        #[rest(created_at)]
        pub created_at: DateTimeUtc,
    }
}

mod v2 {
    use ferrest::prelude::*;

    /// `title` renamed, `summary` dropped, `subtitle` and `pages` added.
    #[derive(Resource)]
    #[rest(table = "gen_books")]
    pub struct Book {
        #[rest(id)]
        pub id: i64,
        #[rest(
            renamed_from = "title",
            validate(length(min = 1, max = 200)),
            filter(eq),
            sort
        )]
        pub name: String,
        #[rest(validate(pattern = "^[0-9]{13}$"), unique)]
        pub isbn: String,
        #[rest(default = false, filter(eq))]
        pub published: bool,
        pub price: Decimal,
        #[rest(belongs_to = super::v1::Author, filter(eq))]
        pub author_id: i64,
        #[rest(created_at)]
        pub created_at: DateTimeUtc,
        pub subtitle: Option<String>,
        #[rest(default = 0)]
        pub pages: i32,
    }

    #[derive(Resource)]
    #[rest(table = "gen_tags")]
    pub struct Tag {
        #[rest(id)]
        pub id: i64,
        #[rest(validate(length(max = 40)), unique)]
        pub label: String,
        #[rest(belongs_to = Book)]
        pub book_id: i64,
    }
}

fn v1_schema() -> Schema {
    ferrest::App::new()
        .resource::<v1::Author>()
        .resource::<v1::Book>()
        .declared_schema(DbBackend::Sqlite)
        .unwrap()
}

fn v2_schema() -> Schema {
    ferrest::App::new()
        .resource::<v1::Author>()
        .resource::<v2::Book>()
        .resource::<v2::Tag>()
        .declared_schema(DbBackend::Sqlite)
        .unwrap()
}

/// The written file is the committed one, or replaces it when updating.
fn matches_snapshot(written: &std::path::Path, committed: &str) {
    let text = std::fs::read_to_string(written).unwrap();
    let name = written.file_name().unwrap().to_str().unwrap();
    if std::env::var("FERREST_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/runtime/migrate_snapshots")
            .join(name);
        std::fs::write(target, &text).unwrap();
    } else {
        assert_eq!(
            text, committed,
            "{name} differs from migrate_snapshots/{name}"
        );
    }
}

#[test]
fn generates_the_committed_files_and_they_fold_to_the_declarations() {
    let dir = std::env::temp_dir().join(format!("ferrest-generate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let none = Migrations::new(&dir, vec![]);

    let first = generate(&none, &v1_schema(), "initial", &PlanOptions::default())
        .unwrap()
        .expect("a first migration");
    assert_eq!(first, dir.join("m0001_initial.rs"));
    matches_snapshot(&first, include_str!("migrate_snapshots/m0001_initial.rs"));

    let committed = migrate_snapshots::all();
    let one = Migrations::new(&dir, committed.list[..1].to_vec());
    assert_eq!(state(&one.list).unwrap(), v1_schema());
    // Nothing changed, nothing written.
    assert!(matches!(
        generate(&one, &v1_schema(), "again", &PlanOptions::default()),
        Ok(None)
    ));

    // Dropping `summary` loses data: refused without the flag, naming it.
    let refused = generate(&one, &v2_schema(), "books_v2", &PlanOptions::default());
    let Err(GenerateError::Plan(error)) = refused else {
        panic!("{refused:?}")
    };
    assert!(
        error
            .to_string()
            .contains("drop column `gen_books`.`summary`"),
        "{error}"
    );
    assert!(!dir.join("m0002_books_v2.rs").exists());

    let options = PlanOptions::default().destructive(true);
    let second = generate(&one, &v2_schema(), "books_v2", &options)
        .unwrap()
        .expect("a second migration");
    assert_eq!(second, dir.join("m0002_books_v2.rs"));
    matches_snapshot(&second, include_str!("migrate_snapshots/m0002_books_v2.rs"));
    matches_snapshot(
        &dir.join("mod.rs"),
        include_str!("migrate_snapshots/mod.rs"),
    );

    // The committed migrations make what v2 declares, `renamed_from` aside.
    let mut declared = v2_schema();
    for column in declared.tables.values_mut().flat_map(|t| &mut t.columns) {
        column.renamed_from = None;
    }
    assert_eq!(state(&committed.list).unwrap(), declared);
    let both = Migrations::new(&dir, committed.list.clone());
    assert!(matches!(
        generate(&both, &v2_schema(), "again", &options),
        Ok(None)
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Generation overwrites nothing it did not write: a migration file already there, or
/// a `mod.rs` that lists a migration this build lacks or holds edits, stops it with
/// the file named, and every file stays as it was.
#[test]
fn generation_overwrites_no_file_it_did_not_write() {
    let dir = std::env::temp_dir().join(format!("ferrest-generate-keep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let none = Migrations::new(&dir, vec![]);
    let options = PlanOptions::default();
    let first = generate(&none, &v1_schema(), "initial", &options)
        .unwrap()
        .unwrap();
    let mod_rs = dir.join("mod.rs");
    let listed = std::fs::read_to_string(&mod_rs).unwrap();

    // The build has not compiled `m0001_initial` in: `mod.rs` lists more than it knows.
    let error = generate(&none, &v1_schema(), "initial", &options).unwrap_err();
    assert!(matches!(&error, GenerateError::ModChanged(path) if *path == mod_rs));
    assert!(error.to_string().contains("mod.rs"), "{error}");
    assert_eq!(std::fs::read_to_string(&mod_rs).unwrap(), listed);

    // Without `mod.rs`, the file of the same name is still not overwritten.
    std::fs::remove_file(&mod_rs).unwrap();
    std::fs::write(&first, "// edited by hand\n").unwrap();
    let error = generate(&none, &v1_schema(), "initial", &options).unwrap_err();
    assert!(matches!(&error, GenerateError::Exists(path) if *path == first));
    assert!(error.to_string().contains("m0001_initial.rs"), "{error}");
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        "// edited by hand\n"
    );
    assert!(!mod_rs.exists());

    // A `mod.rs` edited by hand is kept, even where the build knows every migration.
    let one = Migrations::new(&dir, migrate_snapshots::all().list[..1].to_vec());
    let edited = format!("{listed}\npub mod seeds;\n");
    std::fs::write(&mod_rs, &edited).unwrap();
    let destructive = PlanOptions::default().destructive(true);
    let error = generate(&one, &v2_schema(), "books_v2", &destructive).unwrap_err();
    assert!(matches!(&error, GenerateError::ModChanged(_)), "{error}");
    assert_eq!(std::fs::read_to_string(&mod_rs).unwrap(), edited);
    assert!(!dir.join("m0002_books_v2.rs").exists());
    // As generation wrote it, it is rewritten with the new migration.
    std::fs::write(&mod_rs, &listed).unwrap();
    generate(&one, &v2_schema(), "books_v2", &destructive)
        .unwrap()
        .unwrap();
    assert!(
        std::fs::read_to_string(&mod_rs)
            .unwrap()
            .contains("mod m0002_books_v2;")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_name_must_be_a_snake_case_identifier() {
    let dir = std::env::temp_dir().join("ferrest-generate-never-written");
    let none = Migrations::new(&dir, vec![]);
    for bad in ["Add-Subtitle", "", "2fast", "add__x", "add_", "ünïcode"] {
        let result = generate(&none, &v1_schema(), bad, &PlanOptions::default());
        let Err(GenerateError::Name(message)) = result else {
            panic!("{bad}: {result:?}")
        };
        assert!(message.contains("is not a migration name"), "{message}");
    }
    assert!(!dir.exists());
}

fn books_column(name: &str) -> Column {
    Column::new(name, ColumnType::String(StringLen::N(255)))
}

/// One of each step, with short and long names, as a reviewer may meet them.
pub fn every_step() -> Plan {
    let long = "a_table_name_long_enough_to_push_every_expression_past_the_line";
    let table = Table::new(long)
        .column(Column::new("id", ColumnType::Uuid).primary_key())
        .column(Column::new("at", ColumnType::TimestampWithTimeZone).nullable())
        .column(Column::new("ratio", ColumnType::Double).default(Value::Float(0.5)))
        .column(Column::new("count", ColumnType::Integer).default(Value::Int(-1)))
        .column(Column::new("bits", ColumnType::VarBinary(StringLen::None)).nullable())
        .index(Index::new("idx-long-at-count", ["at", "count"]).unique())
        .foreign_key(
            ForeignKey::new("fk-long-id", ["id"], "books", ["id"])
                .on_delete(Action::SetNull)
                .on_update(Action::Cascade),
        );
    Plan {
        up: vec![
            Step::CreateTable(Table::new("t").column(Column::new("id", ColumnType::Integer))),
            Step::CreateTable(table),
            Step::RenameTable {
                from: "a".into(),
                to: "b".into(),
            },
            Step::AddColumn {
                table: "books".into(),
                column: books_column("isbn"),
                backfill: Some("'0000000000000'".into()),
            },
            Step::AddColumn {
                table: long.into(),
                column: Column::new("a_column_name_that_is_rather_long", ColumnType::Text)
                    .default(Value::Text("it's \"quoted\"".into())),
                backfill: None,
            },
            Step::Backfill {
                table: "books".into(),
                column: "title".into(),
                sql: "'untitled'".into(),
            },
            Step::AlterColumn {
                table: "books".into(),
                column: books_column("title").nullable().unique(),
            },
            Step::RenameColumn {
                table: "books".into(),
                from: "title".into(),
                to: "name".into(),
            },
            Step::AddIndex {
                table: "books".into(),
                index: Index::new("idx-books-name", ["name"]),
            },
            Step::DropIndex {
                table: "books".into(),
                name: "idx-books-name".into(),
            },
            Step::AddForeignKey {
                table: "books".into(),
                key: ForeignKey::new("fk-books-author_id", ["author_id"], "authors", ["id"]),
            },
            Step::DropForeignKey {
                table: "books".into(),
                name: "fk-books-author_id".into(),
            },
            Step::Sql("UPDATE books SET name = upper(name)".into()),
            Step::DropColumn {
                table: "books".into(),
                column: "isbn".into(),
            },
            Step::DropTable(long.into()),
        ],
        down: vec![
            Step::AddColumn {
                table: "books".into(),
                column: books_column("isbn"),
                backfill: None,
            },
            Step::DropTable("t".into()),
        ],
    }
}

#[test]
fn every_step_renders_to_the_committed_file_which_compiles_back_to_it() {
    let plan = every_step();
    let text = render("m0003_every_step", &plan);
    if std::env::var("FERREST_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/runtime/migrate_snapshots/every_step.rs");
        std::fs::write(target, &text).unwrap();
        return;
    }
    assert_eq!(text, include_str!("migrate_snapshots/every_step.rs"));
    assert_eq!(
        every_step_snapshot::migration(),
        Migration::new("m0003_every_step")
            .up(plan.up)
            .down(plan.down)
    );
    // The same plan, the same file; each destructive step marked, in both directions.
    assert_eq!(render("m0003_every_step", &every_step()), text);
    assert_eq!(text.matches("// DESTRUCTIVE: ").count(), 3, "{text}");
    assert_eq!(text.matches("// IRREVERSIBLE ").count(), 1, "{text}");
    assert!(text.contains(
        "            // DESTRUCTIVE: drops column `books`.`isbn` and its values\n            \
         Step::DropColumn {"
    ));
}

ferrest::on_every_backend!(backend; a_column_made_not_null_is_backfilled_before_it_changes);

/// A nullable column made NOT NULL, generated and run on rows holding NULL: refused
/// without a backfill; with one, the NULLs get it and the others keep their values,
/// where MySQL outside strict mode would write `''` and the others would fail. The
/// column is named `order`, a reserved word, which the runner quotes for each backend.
async fn a_column_made_not_null_is_backfilled_before_it_changes(
    backend: ferrest::testing::Backend,
) {
    use ferrest::sea_orm::{ConnectionTrait, Database, Statement};
    let Some(test_db) = ferrest::testing::TestDb::create(backend).await else {
        return;
    };
    let order = |column: Column| {
        Table::new("fill_books")
            .column(
                Column::new("id", ColumnType::BigInteger)
                    .primary_key()
                    .auto_increment(),
            )
            .column(column)
    };
    let quoted = match backend {
        ferrest::testing::Backend::MySql => "`order`",
        _ => "\"order\"",
    };
    let first = Migration::new("m0001_books").up([
        Step::CreateTable(order(
            Column::new("order", ColumnType::String(StringLen::N(40))).nullable(),
        )),
        Step::Sql(format!(
            "INSERT INTO fill_books ({quoted}) VALUES ('kept'), (NULL), (NULL)"
        )),
    ]);
    let from = state(std::slice::from_ref(&first)).unwrap();
    let mut to = Schema::default();
    to.tables.insert(
        "fill_books".into(),
        order(Column::new("order", ColumnType::String(StringLen::N(40)))),
    );
    let refused = plan(&from, &to, &PlanOptions::default()).unwrap_err();
    assert!(
        refused.to_string().contains("`order` becomes NOT NULL"),
        "{refused}"
    );
    let options = PlanOptions::default()
        .backfill("fill_books.order='unknown'")
        .unwrap();
    let changed = plan(&from, &to, &options).unwrap();
    let list = Migrations::new(
        "src/migrations",
        vec![
            first,
            Migration::new("m0002_order_required")
                .up(changed.up)
                .down(changed.down),
        ],
    );
    ferrest::migrate::up(test_db.url(), &list, None)
        .await
        .unwrap();

    let db = Database::connect(test_db.url()).await.unwrap();
    let values: Vec<String> = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT {quoted} FROM fill_books ORDER BY id"),
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect();
    assert_eq!(values, ["kept", "unknown", "unknown"]);
    let insert_null = format!("INSERT INTO fill_books ({quoted}) VALUES (NULL)");
    assert!(db.execute_unprepared(&insert_null).await.is_err());
    // `down` makes it nullable again; the values written stay.
    ferrest::migrate::down(test_db.url(), &list, 1)
        .await
        .unwrap();
    db.execute_unprepared(&insert_null).await.unwrap();
    db.close().await.unwrap();
    test_db.drop().await;
}
