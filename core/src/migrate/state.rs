//! What the migrations make, without a database: every migration's `up` steps folded
//! over an empty [`Schema`], as Django's `makemigrations` does. Generation compares
//! this with the declarations, so `migrate generate` needs no connection and gives the
//! same file on every machine.

use super::Migration;
use super::describe::describe;
use super::model::{Schema, Table};
use super::step::Step;

/// The schema `migrations` make, applied in order to an empty database.
///
/// `Step::Sql` leaves the schema as it is: generation cannot see inside SQL. A step
/// that does not fit the schema so far (dropping a column that is not there, say) is
/// an error naming the migration and the step.
///
/// ```
/// use ferrest::migrate::*;
/// let initial = Migration::new("m0001_initial").up([Step::CreateTable(
///     Table::new("books").column(Column::new("id", ColumnType::BigInteger).primary_key()),
/// )]);
/// let schema = state(&[initial])?;
/// assert!(schema.tables["books"].find_column("id").is_some());
/// # Ok::<(), String>(())
/// ```
pub fn state(migrations: &[Migration]) -> Result<Schema, String> {
    let mut schema = Schema::default();
    for migration in migrations {
        for (number, step) in migration.up.iter().enumerate() {
            apply(&mut schema, step).map_err(|problem| {
                format!(
                    "migration `{}`, step {} ({}): {problem}",
                    migration.name,
                    number + 1,
                    describe(step)
                )
            })?;
        }
    }
    Ok(schema)
}

/// Changes `schema` as `step` changes a database; the error says why it cannot.
pub(crate) fn apply(schema: &mut Schema, step: &Step) -> Result<(), String> {
    match step {
        Step::CreateTable(table) => {
            if schema.tables.contains_key(&table.name) {
                return Err(format!("table `{}` already exists", table.name));
            }
            let mut table = table.clone();
            for column in &mut table.columns {
                column.renamed_from = None;
            }
            for key in &table.foreign_keys {
                let self_reference = key.ref_table == table.name;
                if !self_reference && !schema.tables.contains_key(&key.ref_table) {
                    return Err(format!(
                        "foreign key `{}` refers to table `{}`, which does not exist",
                        key.name, key.ref_table
                    ));
                }
            }
            check_columns(&table, table.indexes.iter().map(|i| (&i.name, &i.columns)))?;
            check_columns(
                &table,
                table.foreign_keys.iter().map(|k| (&k.name, &k.columns)),
            )?;
            super::declared::sort(&mut table);
            schema.tables.insert(table.name.clone(), table);
        }
        Step::DropTable(name) => {
            schema
                .tables
                .remove(name)
                .ok_or_else(|| format!("table `{name}` does not exist"))?;
            if let Some((table, key)) = schema.tables.values().find_map(|t| {
                let key = t.foreign_keys.iter().find(|k| &k.ref_table == name)?;
                Some((t, key))
            }) {
                return Err(format!(
                    "foreign key `{}` of `{}` still refers to it",
                    key.name, table.name
                ));
            }
        }
        Step::RenameTable { from, to } => {
            if schema.tables.contains_key(to) {
                return Err(format!("table `{to}` already exists"));
            }
            let mut table = schema
                .tables
                .remove(from)
                .ok_or_else(|| format!("table `{from}` does not exist"))?;
            table.name.clone_from(to);
            schema.tables.insert(to.clone(), table);
            for key in schema.tables.values_mut().flat_map(|t| &mut t.foreign_keys) {
                if &key.ref_table == from {
                    key.ref_table.clone_from(to);
                }
            }
        }
        Step::AddColumn { table, column, .. } => {
            let table = table_mut(schema, table)?;
            if table.find_column(&column.name).is_some() {
                return Err(format!(
                    "table `{}` already has a column `{}`",
                    table.name, column.name
                ));
            }
            let mut column = column.clone();
            column.renamed_from = None;
            table.columns.push(column);
        }
        Step::DropColumn { table, column } => {
            let table = table_mut(schema, table)?;
            let position = column_position(table, column)?;
            if let Some(index) = table.indexes.iter().find(|i| i.columns.contains(column)) {
                return Err(format!("index `{}` still uses the column", index.name));
            }
            if let Some(key) = table
                .foreign_keys
                .iter()
                .find(|k| k.columns.contains(column))
            {
                return Err(format!("foreign key `{}` still uses the column", key.name));
            }
            table.columns.remove(position);
        }
        Step::AlterColumn { table, column } => {
            let table = table_mut(schema, table)?;
            let position = column_position(table, &column.name)?;
            let mut column = column.clone();
            column.renamed_from = None;
            table.columns[position] = column;
        }
        Step::RenameColumn { table, from, to } => {
            let name = table;
            let table = table_mut(schema, name)?;
            let position = column_position(table, from)?;
            if table.find_column(to).is_some() {
                return Err(format!("table `{name}` already has a column `{to}`"));
            }
            table.columns[position].name.clone_from(to);
            let renamed = |columns: &mut Vec<String>| {
                for column in columns.iter_mut().filter(|c| *c == from) {
                    column.clone_from(to);
                }
            };
            table
                .indexes
                .iter_mut()
                .for_each(|i| renamed(&mut i.columns));
            table
                .foreign_keys
                .iter_mut()
                .for_each(|k| renamed(&mut k.columns));
            for key in schema.tables.values_mut().flat_map(|t| &mut t.foreign_keys) {
                if &key.ref_table == name {
                    renamed(&mut key.ref_columns);
                }
            }
        }
        Step::AddIndex { table, index } => {
            if let Some(owner) = schema
                .tables
                .values()
                .find(|t| t.indexes.iter().any(|i| i.name == index.name))
            {
                return Err(format!(
                    "index `{}` already exists, on `{}`",
                    index.name, owner.name
                ));
            }
            let table = table_mut(schema, table)?;
            check_columns(table, [(&index.name, &index.columns)])?;
            table.indexes.push(index.clone());
            super::declared::sort(table);
        }
        Step::DropIndex { table, name } => {
            let table = table_mut(schema, table)?;
            let position = table
                .indexes
                .iter()
                .position(|i| &i.name == name)
                .ok_or_else(|| format!("table `{}` has no index `{name}`", table.name))?;
            table.indexes.remove(position);
        }
        Step::AddForeignKey { table, key } => {
            if !schema.tables.contains_key(&key.ref_table) {
                return Err(format!("table `{}` does not exist", key.ref_table));
            }
            let table = table_mut(schema, table)?;
            if table.foreign_keys.iter().any(|k| k.name == key.name) {
                return Err(format!(
                    "table `{}` already has a foreign key `{}`",
                    table.name, key.name
                ));
            }
            check_columns(table, [(&key.name, &key.columns)])?;
            table.foreign_keys.push(key.clone());
            super::declared::sort(table);
        }
        Step::DropForeignKey { table, name } => {
            let table = table_mut(schema, table)?;
            let position = table
                .foreign_keys
                .iter()
                .position(|k| &k.name == name)
                .ok_or_else(|| format!("table `{}` has no foreign key `{name}`", table.name))?;
            table.foreign_keys.remove(position);
        }
        Step::Backfill { table, column, .. } => {
            column_position(table_mut(schema, table)?, column)?;
        }
        Step::Sql(_) => {}
    }
    Ok(())
}

fn table_mut<'a>(schema: &'a mut Schema, name: &str) -> Result<&'a mut Table, String> {
    schema
        .tables
        .get_mut(name)
        .ok_or_else(|| format!("table `{name}` does not exist"))
}

fn column_position(table: &Table, column: &str) -> Result<usize, String> {
    table
        .columns
        .iter()
        .position(|c| c.name == column)
        .ok_or_else(|| format!("table `{}` has no column `{column}`", table.name))
}

/// Every column an index or key names is one of the table's.
fn check_columns<'a>(
    table: &Table,
    uses: impl IntoIterator<Item = (&'a String, &'a Vec<String>)>,
) -> Result<(), String> {
    for (name, columns) in uses {
        if let Some(missing) = columns.iter().find(|c| table.find_column(c).is_none()) {
            return Err(format!(
                "`{name}` names column `{missing}`, which table `{}` does not have",
                table.name
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{Column, ColumnType, ForeignKey, Index};

    fn authors_and_books() -> Migration {
        Migration::new("m0001_initial").up([
            Step::CreateTable(
                Table::new("authors")
                    .column(Column::new("id", ColumnType::BigInteger).primary_key()),
            ),
            Step::CreateTable(
                Table::new("books")
                    .column(Column::new("id", ColumnType::BigInteger).primary_key())
                    .column(Column::new("author_id", ColumnType::BigInteger))
                    .column(Column::new("title", ColumnType::Text))
                    .index(Index::new("idx-books-author_id", ["author_id"]))
                    .foreign_key(ForeignKey::new(
                        "fk-books-author_id",
                        ["author_id"],
                        "authors",
                        ["id"],
                    )),
            ),
        ])
    }

    #[test]
    fn every_step_changes_the_state_as_the_database() {
        let changes = Migration::new("m0002_changes").up([
            Step::AddColumn {
                table: "books".into(),
                column: Column::new("subtitle", ColumnType::Text).nullable(),
                backfill: None,
            },
            Step::RenameColumn {
                table: "books".into(),
                from: "title".into(),
                to: "name".into(),
            },
            Step::AlterColumn {
                table: "books".into(),
                column: Column::new("name", ColumnType::String(crate::migrate::StringLen::N(80))),
            },
            Step::RenameColumn {
                table: "authors".into(),
                from: "id".into(),
                to: "key".into(),
            },
            Step::AddIndex {
                table: "books".into(),
                index: Index::new("idx-books-name", ["name"]).unique(),
            },
            Step::Sql("UPDATE books SET subtitle = ''".into()),
            Step::DropColumn {
                table: "books".into(),
                column: "subtitle".into(),
            },
            Step::RenameTable {
                from: "authors".into(),
                to: "writers".into(),
            },
        ]);
        let schema = state(&[authors_and_books(), changes]).unwrap();
        let books = &schema.tables["books"];
        let names: Vec<&str> = books.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "author_id", "name"]);
        assert_eq!(
            books.columns[2].ty,
            ColumnType::String(crate::migrate::StringLen::N(80))
        );
        assert_eq!(
            books.indexes[1],
            Index::new("idx-books-name", ["name"]).unique()
        );
        // The key follows both the renamed column and the renamed table.
        assert_eq!(books.foreign_keys[0].ref_table, "writers");
        assert_eq!(books.foreign_keys[0].ref_columns, ["key"]);
        assert_eq!(
            schema.tables.keys().collect::<Vec<_>>(),
            ["books", "writers"]
        );
    }

    #[test]
    fn a_step_that_does_not_fit_names_the_migration_and_step() {
        let wrong = Migration::new("m0002_wrong").up([
            Step::Sql("SELECT 1".into()),
            Step::DropColumn {
                table: "books".into(),
                column: "subtitle".into(),
            },
        ]);
        let error = state(&[authors_and_books(), wrong]).unwrap_err();
        assert_eq!(
            error,
            "migration `m0002_wrong`, step 2 (drop column `books`.`subtitle`): \
             table `books` has no column `subtitle`"
        );
    }

    #[test]
    fn dropping_what_others_still_use_is_refused() {
        let drop_authors = Migration::new("m0002").up([Step::DropTable("authors".into())]);
        assert!(
            state(&[authors_and_books(), drop_authors])
                .unwrap_err()
                .contains("foreign key `fk-books-author_id` of `books` still refers to it")
        );
        let drop_indexed = Migration::new("m0002").up([Step::DropColumn {
            table: "books".into(),
            column: "author_id".into(),
        }]);
        assert!(
            state(&[authors_and_books(), drop_indexed])
                .unwrap_err()
                .contains("index `idx-books-author_id` still uses the column")
        );
    }

    #[test]
    fn a_migration_never_carries_renamed_from_into_the_state() {
        let mut column = Column::new("name", ColumnType::Text);
        column.renamed_from = Some("title".into());
        let create =
            Migration::new("m0001").up([Step::CreateTable(Table::new("t").column(column))]);
        assert_eq!(
            state(&[create]).unwrap().tables["t"].columns[0].renamed_from,
            None
        );
    }
}
