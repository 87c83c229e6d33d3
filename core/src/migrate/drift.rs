//! How a live database differs from the declarations: `schema diff`, and what
//! `FERREST_SCHEMA=verify` refuses to start on. The database is read back with
//! sea-schema, as sea-orm's schema sync reads it.

use std::collections::BTreeMap;

use sea_orm::sea_query::{self, ColumnType, TableCreateStatement};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, RuntimeErr};

use super::declared::{action, table_name};
use super::model::{Action, Column, ForeignKey, Schema, Table, Value};

/// One difference between the database and the declarations.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// The table it is in.
    pub table: String,
    /// What differs.
    pub kind: DriftKind,
}

/// What differs in a table.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DriftKind {
    /// The declared table is not in the database.
    MissingTable,
    /// The declared column is not in the table.
    MissingColumn(String),
    /// The table has a column nothing declares.
    UndeclaredColumn(String),
    /// The column's type differs, each as the backend writes it.
    Type {
        /// The column.
        column: String,
        /// In the database.
        actual: String,
        /// Declared.
        declared: String,
    },
    /// The column admits `NULL` where the declaration does not, or the reverse.
    Nullable {
        /// The column.
        column: String,
        /// Whether the database's column admits `NULL`.
        actual: bool,
    },
    /// The column's default differs, each as SQL (`none` for none).
    Default {
        /// The column.
        column: String,
        /// In the database.
        actual: String,
        /// Declared.
        declared: String,
    },
    /// The column is unique where the declaration says not, or the reverse.
    Unique {
        /// The column.
        column: String,
        /// Whether the database keeps its values unique.
        actual: bool,
    },
    /// No index on the declared index's columns (or it is not unique as declared).
    MissingIndex {
        /// The declared index's name.
        name: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// No foreign key from the declared key's columns to its table.
    MissingForeignKey {
        /// The referring columns.
        columns: Vec<String>,
        /// The table referred to.
        ref_table: String,
    },
    /// The foreign key is there, but does another thing when the row it refers to is
    /// deleted (`ON DELETE`) or its key changes (`ON UPDATE`).
    ForeignKeyAction {
        /// The referring columns.
        columns: Vec<String>,
        /// The table referred to.
        ref_table: String,
        /// `ON DELETE` or `ON UPDATE`.
        rule: &'static str,
        /// In the database, as SQL: `NO ACTION`, `CASCADE`...
        actual: String,
        /// Declared, as SQL.
        declared: String,
    },
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let table = &self.table;
        match &self.kind {
            DriftKind::MissingTable => write!(f, "table `{table}` is missing"),
            DriftKind::MissingColumn(column) => {
                write!(f, "table `{table}`: column `{column}` is missing")
            }
            DriftKind::UndeclaredColumn(column) => {
                write!(f, "table `{table}`: column `{column}` is not declared")
            }
            DriftKind::Type {
                column,
                actual,
                declared,
            } => write!(
                f,
                "table `{table}`: column `{column}` has type `{actual}`, declared `{declared}`"
            ),
            DriftKind::Nullable { column, actual } => {
                let (is, declared) = if *actual {
                    ("admits", "NOT NULL")
                } else {
                    ("refuses", "nullable")
                };
                write!(
                    f,
                    "table `{table}`: column `{column}` {is} NULL, declared {declared}"
                )
            }
            DriftKind::Default {
                column,
                actual,
                declared,
            } => write!(
                f,
                "table `{table}`: column `{column}` has default `{actual}`, declared `{declared}`"
            ),
            DriftKind::Unique { column, actual } => {
                let (is, declared) = if *actual {
                    ("is unique", "not unique")
                } else {
                    ("is not unique", "unique")
                };
                write!(
                    f,
                    "table `{table}`: column `{column}` {is}, declared {declared}"
                )
            }
            DriftKind::MissingIndex { name, columns } => write!(
                f,
                "table `{table}`: index `{name}` on ({}) is missing",
                columns.join(", ")
            ),
            DriftKind::MissingForeignKey { columns, ref_table } => write!(
                f,
                "table `{table}`: the foreign key from ({}) to `{ref_table}` is missing",
                columns.join(", ")
            ),
            DriftKind::ForeignKeyAction {
                columns,
                ref_table,
                rule,
                actual,
                declared,
            } => write!(
                f,
                "table `{table}`: the foreign key from ({}) to `{ref_table}` has {rule} \
                 {actual}, declared {declared}",
                columns.join(", ")
            ),
        }
    }
}

/// How the database `db` differs from `declared`, table by table in name order;
/// empty when it is what schema sync (and, on MySQL, ferrest's alignment of it) makes
/// from the same declarations. Tables nothing declares (`seaql_migrations`, ferrest's
/// own) are not compared.
///
/// ```no_run
/// # async fn demo(app: ferrest::App, db: ferrest::sea_orm::DatabaseConnection) {
/// let declared = app.declared_schema(db.get_database_backend()).unwrap();
/// for difference in ferrest::migrate::drift(&db, &declared).await.unwrap() {
///     println!("{difference}"); // table `books`: column `subtitle` is missing
/// }
/// # }
/// ```
pub async fn drift(db: &DatabaseConnection, declared: &Schema) -> Result<Vec<Drift>, DbErr> {
    let backend = db.get_database_backend();
    let live = discover(db).await?;
    let mut drifts = Vec::new();
    for table in declared.tables.values() {
        match live.get(&table.name) {
            None => drifts.push(Drift {
                table: table.name.clone(),
                kind: DriftKind::MissingTable,
            }),
            Some(live) => {
                drifts.extend(compare(backend, table, live).into_iter().map(|kind| Drift {
                    table: table.name.clone(),
                    kind,
                }))
            }
        }
    }
    Ok(drifts)
}

/// A table as the database has it, types and defaults as SQL.
#[derive(Debug, Default)]
struct LiveTable {
    columns: Vec<LiveColumn>,
    /// Each index's columns and whether it is unique, the primary key's too.
    indexes: Vec<(Vec<String>, bool)>,
    /// Each foreign key, as the model states one.
    foreign_keys: Vec<ForeignKey>,
}

#[derive(Debug)]
struct LiveColumn {
    name: String,
    ty: String,
    nullable: bool,
    primary_key: bool,
    /// The default as a literal without quotes or casts; `None` for none or `NULL`.
    default: Option<String>,
    unique: bool,
}

impl LiveTable {
    fn of(backend: DbBackend, create: &TableCreateStatement) -> LiveTable {
        let mut indexes: Vec<(Vec<String>, bool)> = create
            .get_indexes()
            .iter()
            .map(|i| {
                let unique = i.is_unique_key() || i.is_primary_key();
                (i.get_index_spec().get_column_names(), unique)
            })
            .collect();
        let columns = create
            .get_columns()
            .iter()
            .map(|def| {
                let spec = def.get_column_spec();
                let name = def.get_column_name();
                if spec.unique {
                    indexes.push((vec![name.clone()], true));
                }
                LiveColumn {
                    ty: def
                        .get_column_type()
                        .map_or_else(|| "unknown".to_owned(), |ty| sql_type(backend, ty)),
                    nullable: spec.nullable != Some(false) && !spec.primary_key,
                    primary_key: spec.primary_key,
                    default: spec.default.as_ref().and_then(literal),
                    unique: spec.unique,
                    name,
                }
            })
            .collect();
        let foreign_keys = create
            .get_foreign_key_create_stmts()
            .iter()
            .map(|k| {
                let k = k.get_foreign_key();
                ForeignKey {
                    name: k.get_name().unwrap_or_default().to_owned(),
                    columns: k.get_columns(),
                    ref_table: table_name(k.get_ref_table()).unwrap_or_default(),
                    ref_columns: k.get_ref_columns(),
                    on_delete: k.get_on_delete().map(action),
                    on_update: k.get_on_update().map(action),
                }
            })
            .collect();
        LiveTable {
            columns,
            indexes,
            foreign_keys,
        }
    }
}

/// Every table of the connection's current schema, by name.
async fn discover(db: &DatabaseConnection) -> Result<BTreeMap<String, LiveTable>, DbErr> {
    let backend = db.get_database_backend();
    let failed = |e: String| DbErr::Query(RuntimeErr::Internal(format!("reading the schema: {e}")));
    let tables: Vec<TableCreateStatement> = match backend {
        #[cfg(feature = "mysql")]
        DbBackend::MySql => {
            use sea_schema::mysql::discovery::SchemaDiscovery;
            let schema = current_schema(db, "SELECT DATABASE()").await?;
            SchemaDiscovery::new_no_exec(&schema)
                .discover_with(db)
                .await
                .map_err(|e| failed(e.to_string()))?
                .tables
                .iter()
                .map(|t| t.write())
                .collect()
        }
        #[cfg(feature = "postgres")]
        DbBackend::Postgres => {
            use sea_schema::postgres::discovery::SchemaDiscovery;
            let schema = current_schema(db, "SELECT CURRENT_SCHEMA()").await?;
            SchemaDiscovery::new_no_exec(&schema)
                .discover_with(db)
                .await
                .map_err(|e| failed(e.to_string()))?
                .tables
                .iter()
                .map(|t| t.write())
                .collect()
        }
        #[cfg(feature = "sqlite")]
        DbBackend::Sqlite => sea_schema::sqlite::discovery::SchemaDiscovery::discover_with(db)
            .await
            .map_err(|e| failed(format!("{e:?}")))?
            .merge_indexes_into_table()
            .tables
            .iter()
            .map(|t| t.write())
            .collect(),
        #[allow(unreachable_patterns)]
        other => {
            return Err(DbErr::BackendNotSupported {
                db: other.as_str(),
                ctx: "ferrest::migrate::drift",
            });
        }
    };
    // Completed below from the catalogs of the backends that need it.
    #[cfg_attr(not(any(feature = "mysql", feature = "postgres")), allow(unused_mut))]
    let mut live: BTreeMap<String, LiveTable> = tables
        .iter()
        .filter_map(|t| Some((table_name(t.get_table_name())?, LiveTable::of(backend, t))))
        .collect();
    match backend {
        #[cfg(feature = "mysql")]
        DbBackend::MySql => mysql_precision(db, &mut live).await?,
        #[cfg(feature = "postgres")]
        DbBackend::Postgres => postgres_indexes(db, &mut live).await?,
        _ => {}
    }
    Ok(live)
}

#[cfg(any(feature = "mysql", feature = "postgres"))]
async fn current_schema(db: &DatabaseConnection, sql: &str) -> Result<String, DbErr> {
    use sea_orm::ConnectionTrait;
    db.query_one_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql,
    ))
    .await?
    .ok_or_else(|| DbErr::RecordNotFound("the current schema".to_owned()))?
    .try_get_by_index(0)
}

/// sea-schema reads MySQL's `datetime(6)` and `time(6)` back without their fractional
/// digits, which ferrest's alignment sets: read them from the catalog.
#[cfg(feature = "mysql")]
async fn mysql_precision(
    db: &DatabaseConnection,
    live: &mut BTreeMap<String, LiveTable>,
) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::MySql,
            "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, DATETIME_PRECISION \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
             AND DATETIME_PRECISION > 0",
        ))
        .await?;
    for row in rows {
        let table: String = row.try_get_by_index(0)?;
        let column: String = row.try_get_by_index(1)?;
        let data_type: String = row.try_get_by_index(2)?;
        let precision: u32 = row.try_get_by_index(3)?;
        if let Some(live) = live
            .get_mut(&table)
            .and_then(|t| t.columns.iter_mut().find(|c| c.name == column))
        {
            live.ty = format!("{}({precision})", data_type.to_lowercase());
        }
    }
    Ok(())
}

/// sea-schema reads only PostgreSQL's unique indexes: read the others from the catalog.
#[cfg(feature = "postgres")]
async fn postgres_indexes(
    db: &DatabaseConnection,
    live: &mut BTreeMap<String, LiveTable>,
) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT t.relname::text, ix.indisunique, \
               ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                     ORDER BY k.n) \
             FROM pg_index ix \
             JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             WHERE ns.nspname = current_schema() AND NOT ix.indisunique",
        ))
        .await?;
    for row in rows {
        let table: String = row.try_get_by_index(0)?;
        let unique: bool = row.try_get_by_index(1)?;
        let columns: Vec<String> = row.try_get_by_index(2)?;
        if let Some(live) = live.get_mut(&table) {
            live.indexes.push((columns, unique));
        }
    }
    Ok(())
}

/// The differences of one table.
fn compare(backend: DbBackend, declared: &Table, live: &LiveTable) -> Vec<DriftKind> {
    let mut drifts = Vec::new();
    for column in &declared.columns {
        let Some(actual) = live.columns.iter().find(|c| c.name == column.name) else {
            drifts.push(DriftKind::MissingColumn(column.name.clone()));
            continue;
        };
        let declared_type = declared_sql_type(backend, column);
        if !same_type(backend, &actual.ty, &declared_type) {
            drifts.push(DriftKind::Type {
                column: column.name.clone(),
                actual: actual.ty.clone(),
                declared: declared_type,
            });
        }
        // A primary key refuses NULL whatever its column says.
        if !column.primary_key && !actual.primary_key && actual.nullable != column.nullable {
            drifts.push(DriftKind::Nullable {
                column: column.name.clone(),
                actual: actual.nullable,
            });
        }
        if !same_default(actual.default.as_deref(), column.default.as_ref()) {
            drifts.push(DriftKind::Default {
                column: column.name.clone(),
                actual: actual.default.clone().unwrap_or_else(|| "none".to_owned()),
                declared: column
                    .default
                    .as_ref()
                    .map_or_else(|| "none".to_owned(), value_sql),
            });
        }
        let actual_unique = actual.unique
            || live
                .indexes
                .iter()
                .any(|(cols, unique)| *unique && cols.len() == 1 && cols[0] == column.name);
        if !column.primary_key && actual_unique != column.unique {
            drifts.push(DriftKind::Unique {
                column: column.name.clone(),
                actual: actual_unique,
            });
        }
    }
    for actual in &live.columns {
        if declared.find_column(&actual.name).is_none() {
            drifts.push(DriftKind::UndeclaredColumn(actual.name.clone()));
        }
    }
    for index in &declared.indexes {
        let found = live
            .indexes
            .iter()
            .any(|(cols, unique)| *cols == index.columns && *unique == index.unique);
        if !found {
            drifts.push(DriftKind::MissingIndex {
                name: index.name.clone(),
                columns: index.columns.clone(),
            });
        }
    }
    for key in &declared.foreign_keys {
        let found = live.foreign_keys.iter().find(|k| {
            k.columns == key.columns
                && k.ref_table == key.ref_table
                && k.ref_columns == key.ref_columns
        });
        let Some(found) = found else {
            drifts.push(DriftKind::MissingForeignKey {
                columns: key.columns.clone(),
                ref_table: key.ref_table.clone(),
            });
            continue;
        };
        for (rule, actual, declared) in [
            ("ON DELETE", found.on_delete, key.on_delete),
            ("ON UPDATE", found.on_update, key.on_update),
        ] {
            let (actual, declared) = (effective(backend, actual), effective(backend, declared));
            if actual != declared {
                drifts.push(DriftKind::ForeignKeyAction {
                    columns: key.columns.clone(),
                    ref_table: key.ref_table.clone(),
                    rule,
                    actual: action_sql(actual).to_owned(),
                    declared: action_sql(declared).to_owned(),
                });
            }
        }
    }
    drifts
}

/// What a key's action does on the backend: none stated is `NO ACTION` (the SQL
/// default, as each catalog reports it), and MySQL's InnoDB treats `RESTRICT` and
/// `NO ACTION` alike (MariaDB reports the default as `RESTRICT`).
fn effective(backend: DbBackend, stated: Option<Action>) -> Action {
    match stated.unwrap_or(Action::NoAction) {
        Action::Restrict if backend == DbBackend::MySql => Action::NoAction,
        action => action,
    }
}

fn action_sql(action: Action) -> &'static str {
    match action {
        Action::Restrict => "RESTRICT",
        Action::Cascade => "CASCADE",
        Action::SetNull => "SET NULL",
        Action::SetDefault => "SET DEFAULT",
        Action::NoAction => "NO ACTION",
    }
}

/// The type as the backend writes it, lowercase.
fn sql_type(backend: DbBackend, ty: &ColumnType) -> String {
    use sea_query::backend::TableBuilder;
    let mut sql = String::new();
    match backend {
        DbBackend::MySql => sea_query::MysqlQueryBuilder.prepare_column_type(ty, &mut sql),
        DbBackend::Postgres => sea_query::PostgresQueryBuilder.prepare_column_type(ty, &mut sql),
        _ => sea_query::SqliteQueryBuilder.prepare_column_type(ty, &mut sql),
    }
    sql.to_lowercase()
}

/// The declared type as the database has it once made: on MySQL, as ferrest aligns
/// it after schema sync (`crate::mysql::align`).
fn declared_sql_type(backend: DbBackend, column: &Column) -> String {
    if backend == DbBackend::MySql {
        match column.ty {
            ColumnType::DateTime | ColumnType::Timestamp | ColumnType::TimestampWithTimeZone => {
                return "datetime(6)".to_owned();
            }
            ColumnType::Time => return "time(6)".to_owned(),
            ColumnType::Text => return "mediumtext".to_owned(),
            _ => {}
        }
    }
    sql_type(backend, &column.ty)
}

/// Types the backend reports under another name than sea-query writes them.
fn same_type(backend: DbBackend, actual: &str, declared: &str) -> bool {
    actual == declared
        || backend == DbBackend::MySql
            && matches!(
                (actual, declared),
                // `bool` is `tinyint(1)`; MariaDB's `json` is `longtext` with a check.
                ("tinyint", "bool") | ("longtext", "json")
            )
}

/// A default as a bare literal: `draft` for `'draft'::text`, `3`, `false`; `None` for
/// none, `NULL` and expressions.
fn literal(expr: &sea_query::Expr) -> Option<String> {
    use sea_query::Value as V;
    match expr {
        sea_query::Expr::Value(value) => Some(match value {
            V::Bool(Some(b)) => b.to_string(),
            V::TinyInt(Some(i)) => i.to_string(),
            V::SmallInt(Some(i)) => i.to_string(),
            V::Int(Some(i)) => i.to_string(),
            V::BigInt(Some(i)) => i.to_string(),
            V::TinyUnsigned(Some(i)) => i.to_string(),
            V::SmallUnsigned(Some(i)) => i.to_string(),
            V::Unsigned(Some(i)) => i.to_string(),
            V::BigUnsigned(Some(i)) => i.to_string(),
            V::Float(Some(f)) => f.to_string(),
            V::Double(Some(f)) => f.to_string(),
            V::String(Some(s)) => s.clone(),
            _ => return None,
        }),
        sea_query::Expr::Custom(sql) => {
            // PostgreSQL: `'draft'::text`, `'2'::numeric`, `NULL::text`. The cast is
            // after the last `::`, outside the quotes: the literal may hold one
            // (`'a::b'::text`, or `'a::b'` without a cast).
            let bare = match sql.rsplit_once("::") {
                Some((value, cast)) if !cast.contains('\'') => value,
                _ => sql,
            };
            if bare.eq_ignore_ascii_case("null") {
                return None;
            }
            let unquoted = bare
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .map(|s| s.replace("''", "'"));
            Some(unquoted.unwrap_or_else(|| bare.to_owned()))
        }
        _ => None,
    }
}

/// A declared default as SQL, for messages.
fn value_sql(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
    }
}

/// Whether the database's default is the declared one, as each backend stores it:
/// a boolean is `false`, `FALSE` or `0`.
fn same_default(actual: Option<&str>, declared: Option<&Value>) -> bool {
    match (actual, declared) {
        (None, None) => true,
        (Some(actual), Some(Value::Bool(b))) => {
            actual.eq_ignore_ascii_case(&b.to_string()) || actual == if *b { "1" } else { "0" }
        }
        (Some(actual), Some(Value::Int(i))) => {
            actual == i.to_string() || actual.parse::<f64>().ok() == Some(*i as f64)
        }
        (Some(actual), Some(Value::Float(f))) => actual.parse::<f64>().ok() == Some(*f),
        (Some(actual), Some(Value::Text(s))) => actual == s,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_default_keeps_the_colons_of_its_literal() {
        let default = |sql: &str| literal(&sea_query::Expr::cust(sql.to_owned()));
        assert_eq!(default("'a::b'::text").as_deref(), Some("a::b"));
        assert_eq!(default("'draft'::text").as_deref(), Some("draft"));
        assert_eq!(
            default("'it''s'::character varying").as_deref(),
            Some("it's")
        );
        assert_eq!(default("'a::b'").as_deref(), Some("a::b"));
        assert_eq!(default("NULL::text"), None);
        assert_eq!(default("3").as_deref(), Some("3"));
    }
}
