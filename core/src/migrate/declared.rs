//! The schema the app's resources declare, read from the statements sea-orm's schema
//! sync would run for them, so that migrations and sync make the same tables.

use sea_orm::sea_query::{
    self, ForeignKeyAction, IndexCreateStatement, TableCreateStatement, TableRef,
};

use super::model::{Action, Column, ColumnType, ForeignKey, Index, Schema, Table, Value};

/// The [`Table`] sea-orm's `CREATE TABLE` and `CREATE INDEX` statements for one entity
/// make. A column type or default that a migration cannot state is an error naming it.
pub(crate) fn table_of(
    create: &TableCreateStatement,
    indexes: &[IndexCreateStatement],
) -> Result<Table, String> {
    let name =
        table_name(create.get_table_name()).ok_or("a declared table has no name".to_owned())?;
    let mut table = Table::new(&name);
    // A composite key is declared as a table-level index rather than on the columns.
    let composite_key: Vec<String> = create
        .get_indexes()
        .iter()
        .filter(|i| i.is_primary_key())
        .flat_map(|i| i.get_index_spec().get_column_names())
        .collect();
    for def in create.get_columns() {
        let column_name = def.get_column_name();
        let ty = def.get_column_type().cloned().ok_or_else(|| {
            format!("table `{name}`: column `{column_name}` has no declared type")
        })?;
        supported(&ty)
            .map_err(|what| format!("table `{name}`: column `{column_name}` is {what}"))?;
        let spec = def.get_column_spec();
        let default = match &spec.default {
            None => None,
            Some(expr) => Some(value_of(expr).ok_or_else(|| {
                format!(
                    "table `{name}`: column `{column_name}` has a default that is not a \
                     literal, which migrations cannot state"
                )
            })?),
        };
        table.columns.push(Column {
            ty,
            nullable: spec.nullable != Some(false),
            default,
            primary_key: spec.primary_key || composite_key.contains(&column_name),
            auto_increment: spec.auto_increment,
            unique: spec.unique,
            renamed_from: spec.comment.as_deref().and_then(renamed_from),
            name: column_name,
        });
    }
    for index in indexes {
        let spec = index.get_index_spec();
        let index_name = spec
            .get_name()
            .ok_or_else(|| format!("table `{name}`: an index has no name"))?;
        table.indexes.push(Index {
            name: index_name.to_owned(),
            columns: spec.get_column_names(),
            unique: index.is_unique_key(),
        });
    }
    for statement in create.get_foreign_key_create_stmts() {
        let key = statement.get_foreign_key();
        let ref_table = table_name(key.get_ref_table())
            .ok_or_else(|| format!("table `{name}`: a foreign key refers to no table"))?;
        table.foreign_keys.push(ForeignKey {
            name: key.get_name().map_or_else(
                || format!("fk-{name}-{}", key.get_columns().join("-")),
                str::to_owned,
            ),
            columns: key.get_columns(),
            ref_table,
            ref_columns: key.get_ref_columns(),
            on_delete: key.get_on_delete().map(action),
            on_update: key.get_on_update().map(action),
        });
    }
    sort(&mut table);
    Ok(table)
}

/// Indexes and keys by name: their order means nothing to a database, and a fixed one
/// lets schemas compare equal whatever order the steps made them in.
pub(crate) fn sort(table: &mut Table) {
    table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
}

/// The schema of every table, or every problem at once.
pub(crate) fn schema_of(
    statements: impl IntoIterator<Item = (TableCreateStatement, Vec<IndexCreateStatement>)>,
) -> Result<Schema, String> {
    let mut schema = Schema::default();
    let mut problems = Vec::new();
    for (create, indexes) in statements {
        match table_of(&create, &indexes) {
            Ok(table) => {
                schema.tables.insert(table.name.clone(), table);
            }
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(schema)
    } else {
        Err(problems.join("\n"))
    }
}

pub(crate) fn table_name(table: Option<&TableRef>) -> Option<String> {
    match table? {
        TableRef::Table(name, _) => Some(name.1.to_string()),
        _ => None,
    }
}

/// sea-orm writes `#[sea_orm(renamed_from = "old")]` into the column's comment, where
/// its schema sync reads it back; so does this.
fn renamed_from(comment: &str) -> Option<String> {
    let (_, rest) = comment.rsplit_once("renamed_from \"")?;
    let (old, _) = rest.split_once('"')?;
    (!old.is_empty()).then(|| old.to_owned())
}

/// Types a migration file can spell and every backend can create: the ones ferrest's
/// field kinds map to, and their plain relatives.
fn supported(ty: &ColumnType) -> Result<(), String> {
    match ty {
        ColumnType::Custom(name) => Err(format!("of custom type `{name}`")),
        ColumnType::Enum { name, .. } => Err(format!("of enum type `{name}`")),
        ColumnType::Array(_) => Err("an array".to_owned()),
        ColumnType::Interval(..) => Err("an interval".to_owned()),
        ColumnType::Vector(_) => Err("a vector".to_owned()),
        ColumnType::Cidr | ColumnType::Inet | ColumnType::MacAddr | ColumnType::LTree => {
            Err(format!("of PostgreSQL-only type `{ty:?}`"))
        }
        _ => Ok(()),
    }
}

fn value_of(expr: &sea_query::Expr) -> Option<Value> {
    use sea_query::Value as V;
    let sea_query::Expr::Value(value) = expr else {
        return None;
    };
    Some(match value {
        V::Bool(Some(b)) => Value::Bool(*b),
        V::TinyInt(Some(i)) => Value::Int((*i).into()),
        V::SmallInt(Some(i)) => Value::Int((*i).into()),
        V::Int(Some(i)) => Value::Int((*i).into()),
        V::BigInt(Some(i)) => Value::Int(*i),
        V::TinyUnsigned(Some(i)) => Value::Int((*i).into()),
        V::SmallUnsigned(Some(i)) => Value::Int((*i).into()),
        V::Unsigned(Some(i)) => Value::Int((*i).into()),
        V::BigUnsigned(Some(i)) => Value::Int(i64::try_from(*i).ok()?),
        V::Float(Some(f)) => Value::Float((*f).into()),
        V::Double(Some(f)) => Value::Float(*f),
        V::String(Some(s)) => Value::Text(s.clone()),
        _ => return None,
    })
}

pub(super) fn action(action: ForeignKeyAction) -> Action {
    #[allow(unreachable_patterns)]
    match action {
        ForeignKeyAction::Restrict => Action::Restrict,
        ForeignKeyAction::Cascade => Action::Cascade,
        ForeignKeyAction::SetNull => Action::SetNull,
        ForeignKeyAction::NoAction => Action::NoAction,
        ForeignKeyAction::SetDefault => Action::SetDefault,
        _ => Action::NoAction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{ColumnDef, ForeignKey as Fk, Index as Ix, Table as Tb};

    #[test]
    fn reads_columns_indexes_keys_defaults_and_renames() {
        let create = Tb::create()
            .table("books")
            .col(
                ColumnDef::new("id")
                    .big_integer()
                    .not_null()
                    .primary_key()
                    .auto_increment(),
            )
            .col(
                ColumnDef::new("name")
                    .string_len(80)
                    .not_null()
                    .comment("renamed_from \"title\""),
            )
            .col(
                ColumnDef::new("published")
                    .boolean()
                    .not_null()
                    .default(false),
            )
            .col(ColumnDef::new("isbn").text().not_null().unique_key())
            .col(ColumnDef::new("summary").text())
            .col(ColumnDef::new("author_id").big_integer().not_null())
            .foreign_key(
                Fk::create()
                    .name("fk-books-author_id")
                    .from("books", "author_id")
                    .to("authors", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .take();
        let index = Ix::create()
            .name("idx-books-author_id")
            .table("books")
            .col("author_id")
            .take();
        let table = table_of(&create, &[index]).unwrap();
        let mut name = Column::new("name", ColumnType::String(super::super::StringLen::N(80)));
        name.renamed_from = Some("title".into());
        assert_eq!(
            table,
            Table::new("books")
                .column(
                    Column::new("id", ColumnType::BigInteger)
                        .primary_key()
                        .auto_increment()
                )
                .column(name)
                .column(Column::new("published", ColumnType::Boolean).default(Value::Bool(false)))
                .column(Column::new("isbn", ColumnType::Text).unique())
                .column(Column::new("summary", ColumnType::Text).nullable())
                .column(Column::new("author_id", ColumnType::BigInteger))
                .index(Index::new("idx-books-author_id", ["author_id"]))
                .foreign_key(
                    ForeignKey::new("fk-books-author_id", ["author_id"], "authors", ["id"])
                        .on_delete(Action::Cascade)
                )
        );
    }

    #[test]
    fn an_unsupported_type_is_named() {
        let create = Tb::create()
            .table("hosts")
            .col(ColumnDef::new("address").inet().not_null())
            .take();
        assert_eq!(
            table_of(&create, &[]).unwrap_err(),
            "table `hosts`: column `address` is of PostgreSQL-only type `Inet`"
        );
    }
}
