use super::*;
use crate::migrate::{Action, ColumnType, Index, Migration, StringLen, Value, state};

fn id() -> Column {
    Column::new("id", ColumnType::BigInteger)
        .primary_key()
        .auto_increment()
}

fn authors() -> Table {
    Table::new("authors")
        .column(id())
        .column(Column::new("name", ColumnType::String(StringLen::N(80))).unique())
}

fn books() -> Table {
    Table::new("books")
        .column(id())
        .column(Column::new("title", ColumnType::Text))
        .column(Column::new("author_id", ColumnType::BigInteger))
        .index(Index::new("idx-books-author_id", ["author_id"]))
        .foreign_key(
            ForeignKey::new("fk-books-author_id", ["author_id"], "authors", ["id"])
                .on_delete(Action::Cascade),
        )
}

fn schema(tables: impl IntoIterator<Item = Table>) -> Schema {
    Schema {
        tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
    }
}

fn with_column(table: Table, column: Column) -> Table {
    table.column(column)
}

/// Applying `up` to `from` gives `to`, and `down` after it gives `from` back.
fn round_trips(from: &Schema, to: &Schema, plan: &Plan) {
    let up = Migration::new("m0001").up(plan.up.clone());
    let mut after = from.clone();
    for step in &up.up {
        apply(&mut after, step).unwrap();
    }
    assert_eq!(&after, &strip(to), "up");
    for step in &plan.down {
        apply(&mut after, step).unwrap();
    }
    // A column added back goes last, as in a database.
    assert_eq!(sorted(&after), sorted(from), "down");
}

fn sorted(schema: &Schema) -> Schema {
    let mut schema = schema.clone();
    for table in schema.tables.values_mut() {
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    schema
}

fn strip(schema: &Schema) -> Schema {
    let mut schema = schema.clone();
    for table in schema.tables.values_mut() {
        *table = clean(table);
    }
    schema
}

#[test]
fn nothing_changed_is_an_empty_plan() {
    let both = schema([authors(), books()]);
    let plan = plan(&both, &both, &PlanOptions::default()).unwrap();
    assert!(plan.is_empty());
    assert!(plan.down.is_empty());
}

#[test]
fn tables_are_created_after_the_tables_they_refer_to() {
    let to = schema([authors(), books()]);
    let plan = plan(&Schema::default(), &to, &PlanOptions::default()).unwrap();
    assert_eq!(
        plan.up,
        [Step::CreateTable(authors()), Step::CreateTable(books())]
    );
    assert_eq!(
        plan.down,
        [
            Step::DropTable("books".into()),
            Step::DropTable("authors".into())
        ]
    );
    // The first migration of an app folds to the declarations.
    assert_eq!(state(&[Migration::new("m0001").up(plan.up)]).unwrap(), to);
}

#[test]
fn a_cycle_of_keys_is_closed_once_both_tables_exist() {
    let a = Table::new("a")
        .column(id())
        .column(Column::new("b_id", ColumnType::BigInteger).nullable())
        .foreign_key(ForeignKey::new("fk-a-b_id", ["b_id"], "b", ["id"]));
    let b = Table::new("b")
        .column(id())
        .column(Column::new("a_id", ColumnType::BigInteger).nullable())
        .foreign_key(ForeignKey::new("fk-b-a_id", ["a_id"], "a", ["id"]));
    let to = schema([a.clone(), b.clone()]);
    let plan = plan(&Schema::default(), &to, &PlanOptions::default()).unwrap();
    let mut a_alone = a.clone();
    a_alone.foreign_keys.clear();
    assert_eq!(
        plan.up,
        [
            Step::CreateTable(a_alone),
            Step::CreateTable(b),
            Step::AddForeignKey {
                table: "a".into(),
                key: a.foreign_keys[0].clone()
            },
        ]
    );
    round_trips(&Schema::default(), &to, &plan);
}

#[test]
fn a_nullable_column_is_added_and_dropped_back() {
    let from = schema([authors(), books()]);
    let subtitle = Column::new("subtitle", ColumnType::Text).nullable();
    let to = schema([authors(), with_column(books(), subtitle.clone())]);
    let plan = plan(&from, &to, &PlanOptions::default()).unwrap();
    assert_eq!(
        plan.up,
        [Step::AddColumn {
            table: "books".into(),
            column: subtitle,
            backfill: None
        }]
    );
    assert_eq!(
        plan.down,
        [Step::DropColumn {
            table: "books".into(),
            column: "subtitle".into()
        }]
    );
    round_trips(&from, &to, &plan);
}

#[test]
fn a_not_null_column_without_default_stops_and_names_the_ways_out() {
    let from = schema([books()]);
    let isbn = Column::new("isbn", ColumnType::String(StringLen::N(13)));
    let to = schema([with_column(books(), isbn.clone())]);
    let error = plan(&from, &to, &PlanOptions::default()).unwrap_err();
    assert_eq!(error.problems.len(), 1);
    let message = error.to_string();
    for part in [
        "table `books`",
        "`isbn`",
        "#[rest(default = ...)]",
        "Option<T>",
        "--backfill books.isbn=SQL",
    ] {
        assert!(message.contains(part), "{message}");
    }

    // A default fills the rows; so does a backfill.
    let with_default = schema([with_column(
        books(),
        isbn.clone().default(Value::Text(String::new())),
    )]);
    assert!(plan(&from, &with_default, &PlanOptions::default()).is_ok());
    let options = PlanOptions::default()
        .backfill("books.isbn = '0000000000000'")
        .unwrap();
    let plan = plan(&from, &to, &options).unwrap();
    assert_eq!(
        plan.up,
        [Step::AddColumn {
            table: "books".into(),
            column: isbn,
            backfill: Some("'0000000000000'".into())
        }]
    );
    round_trips(&from, &to, &plan);
}

#[test]
fn a_backfill_for_no_new_column_is_refused() {
    let both = schema([books()]);
    let options = PlanOptions::default().backfill("books.titel=''").unwrap();
    let error = super::plan(&both, &both, &options).unwrap_err();
    assert_eq!(
        error.problems,
        [
            "the backfill of `books.titel` is for no column that needs one: a new or dropped \
          NOT NULL column without a default, or one that becomes NOT NULL"
        ]
    );
    assert!(PlanOptions::default().backfill("books.title").is_err());
    assert!(PlanOptions::default().backfill("title=''").is_err());
}

/// Rows may hold NULL where the column becomes NOT NULL: generation stops unless told
/// what they get, and then fills them before the column changes. A default is no way
/// out: it does not change rows already there.
#[test]
fn a_column_made_not_null_needs_a_backfill_of_its_nulls() {
    let summary = Column::new("summary", ColumnType::Text);
    let from = schema([with_column(books(), summary.clone().nullable())]);
    for declared in [
        summary.clone(),
        summary.clone().default(Value::Text(String::new())),
    ] {
        let to = schema([with_column(books(), declared)]);
        let error = plan(&from, &to, &PlanOptions::default()).unwrap_err();
        assert_eq!(error.problems.len(), 1, "{error}");
        for part in [
            "table `books`",
            "`summary` becomes NOT NULL",
            "--backfill books.summary=SQL",
            "Option<T>",
        ] {
            assert!(error.problems[0].contains(part), "{error}");
        }
    }
    let to = schema([with_column(books(), summary.clone())]);
    let options = PlanOptions::default()
        .backfill("books.summary='none yet'")
        .unwrap();
    let plan = plan(&from, &to, &options).unwrap();
    assert_eq!(
        plan.up,
        [
            Step::Backfill {
                table: "books".into(),
                column: "summary".into(),
                sql: "'none yet'".into(),
            },
            Step::AlterColumn {
                table: "books".into(),
                column: summary.clone(),
            },
        ]
    );
    assert_eq!(
        plan.down,
        [Step::AlterColumn {
            table: "books".into(),
            column: summary.nullable(),
        }]
    );
    round_trips(&from, &to, &plan);
}

/// Dropping a NOT NULL column without a default: `down` adds it back with the backfill
/// given for it, else with none (and the file marks the step, see `render_tests`).
#[test]
fn a_dropped_not_null_column_comes_back_with_its_backfill() {
    let from = schema([books()]);
    let mut fewer = books();
    fewer.columns.retain(|c| c.name != "title");
    let to = schema([fewer]);
    let destructive = PlanOptions::default().destructive(true);
    let title = books().columns[1].clone();
    let without = plan(&from, &to, &destructive).unwrap();
    assert_eq!(
        without.down,
        [Step::AddColumn {
            table: "books".into(),
            column: title.clone(),
            backfill: None,
        }]
    );
    let with = plan(
        &from,
        &to,
        &destructive
            .clone()
            .backfill("books.title='untitled'")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        with.down,
        [Step::AddColumn {
            table: "books".into(),
            column: title,
            backfill: Some("'untitled'".into()),
        }]
    );
    round_trips(&from, &to, &with);
}

#[test]
fn drops_need_the_destructive_flag() {
    let from = schema([authors(), books()]);
    // Drop `title`, and the `authors` table with the key to it.
    let mut fewer = books();
    fewer.columns.retain(|c| c.name != "title");
    fewer.foreign_keys.clear();
    let to = schema([fewer]);
    let error = plan(&from, &to, &PlanOptions::default()).unwrap_err();
    assert_eq!(
        error.problems,
        [
            "the change loses data (drop column `books`.`title`, drop table `authors`): allow it \
          with `--destructive` (`PlanOptions::destructive`), or keep what is dropped declared"
        ]
    );
    let plan = plan(&from, &to, &PlanOptions::default().destructive(true)).unwrap();
    assert_eq!(
        plan.up,
        [
            Step::DropForeignKey {
                table: "books".into(),
                name: "fk-books-author_id".into()
            },
            Step::DropColumn {
                table: "books".into(),
                column: "title".into()
            },
            Step::DropTable("authors".into()),
        ]
    );
    round_trips(&from, &to, &plan);
}

#[test]
fn type_nullability_default_and_unique_changes_alter_the_column() {
    let from = schema([authors()]);
    let name = Column::new("name", ColumnType::Text)
        .nullable()
        .default(Value::Text("anonymous".into()));
    let to = schema([Table::new("authors").column(id()).column(name.clone())]);
    let plan = plan(&from, &to, &PlanOptions::default()).unwrap();
    assert_eq!(
        plan.up,
        [Step::AlterColumn {
            table: "authors".into(),
            column: name
        }]
    );
    assert_eq!(
        plan.down,
        [Step::AlterColumn {
            table: "authors".into(),
            column: authors().columns[1].clone()
        }]
    );
    round_trips(&from, &to, &plan);
}

#[test]
fn a_declared_rename_renames_and_keeps_indexes_on_the_column() {
    let from = schema([authors(), books()]);
    let mut writer_id = Column::new("writer_id", ColumnType::BigInteger);
    writer_id.renamed_from = Some("author_id".into());
    let mut renamed = Table::new("books")
        .column(id())
        .column(Column::new("title", ColumnType::Text))
        .column(writer_id)
        .index(Index::new("idx-books-author_id", ["writer_id"]))
        .foreign_key(
            ForeignKey::new("fk-books-author_id", ["writer_id"], "authors", ["id"])
                .on_delete(Action::Cascade),
        );
    let to = schema([authors(), renamed.clone()]);
    let plan = plan(&from, &to, &PlanOptions::default()).unwrap();
    assert_eq!(
        plan.up,
        [Step::RenameColumn {
            table: "books".into(),
            from: "author_id".into(),
            to: "writer_id".into()
        }]
    );
    round_trips(&from, &to, &plan);

    // Once renamed, the attribute changes nothing; a changed index is replaced.
    let after = strip(&to);
    renamed.indexes[0] = Index::new("idx-books-writer_id", ["writer_id"]);
    let to = schema([authors(), renamed]);
    let plan = super::plan(&after, &to, &PlanOptions::default()).unwrap();
    assert_eq!(
        plan.up,
        [
            Step::DropIndex {
                table: "books".into(),
                name: "idx-books-author_id".into()
            },
            Step::AddIndex {
                table: "books".into(),
                index: Index::new("idx-books-writer_id", ["writer_id"])
            },
        ]
    );
    round_trips(&after, &to, &plan);
}

#[test]
fn a_disappearing_column_is_never_guessed_a_rename() {
    let from = schema([books()]);
    let mut changed = books();
    changed.columns[1] = Column::new("name", ColumnType::Text).nullable();
    let to = schema([changed]);
    let plan = plan(&from, &to, &PlanOptions::default().destructive(true)).unwrap();
    assert!(matches!(plan.up[0], Step::AddColumn { .. }));
    assert!(matches!(plan.up[1], Step::DropColumn { .. }));
}

#[test]
fn foreign_keys_and_indexes_are_added_and_dropped() {
    let from = schema([authors(), books()]);
    let mut changed = books();
    changed.foreign_keys[0].on_delete = Some(Action::Restrict);
    changed
        .indexes
        .push(Index::new("idx-books-title", ["title"]).unique());
    let to = schema([authors(), changed.clone()]);
    let plan = plan(&from, &to, &PlanOptions::default()).unwrap();
    assert_eq!(
        plan.up,
        [
            Step::DropForeignKey {
                table: "books".into(),
                name: "fk-books-author_id".into()
            },
            Step::AddIndex {
                table: "books".into(),
                index: changed.indexes[1].clone()
            },
            Step::AddForeignKey {
                table: "books".into(),
                key: changed.foreign_keys[0].clone()
            },
        ]
    );
    round_trips(&from, &to, &plan);
}

#[test]
fn the_same_inputs_give_the_same_plan() {
    let from = schema([authors(), books()]);
    let mut changed = books();
    changed
        .columns
        .push(Column::new("pages", ColumnType::Integer).default(Value::Int(0)));
    changed
        .columns
        .push(Column::new("isbn", ColumnType::Text).nullable().unique());
    let tags = Table::new("tags").column(id());
    let to = schema([authors(), changed, tags]);
    let first = plan(&from, &to, &PlanOptions::default()).unwrap();
    for _ in 0..10 {
        assert_eq!(plan(&from, &to, &PlanOptions::default()).unwrap(), first);
    }
}

#[test]
fn a_primary_key_change_is_left_to_hand_written_steps() {
    let from = schema([authors()]);
    let mut changed = authors();
    changed.columns[0].auto_increment = false;
    let error = plan(&from, &schema([changed]), &PlanOptions::default()).unwrap_err();
    assert!(
        error.problems[0].contains("column `id` changes its primary key"),
        "{error}"
    );
}
