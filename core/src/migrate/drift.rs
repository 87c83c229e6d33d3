//! How a live database differs from the declarations: `schema diff`, and what
//! `FERREST_SCHEMA=verify` refuses to start on. The database is read back with
//! sea-schema, as sea-orm's schema sync reads it.

use std::collections::BTreeMap;

use sea_orm::sea_query::{self, ColumnType, TableCreateStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, RuntimeErr};

use super::declared::table_name;
use super::model::{Column, Schema, Table, Value};

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
                write!(f, "table `{table}`: column `{column}` {is}, declared {declared}")
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
            Some(live) => drifts.extend(compare(backend, table, live).into_iter().map(|kind| {
                Drift {
                    table: table.name.clone(),
                    kind,
                }
            })),
        }
    }
    Ok(drifts)
}

/// Every table of the connection's current schema, by name.
async fn discover(db: &DatabaseConnection) -> Result<BTreeMap<String, TableCreateStatement>, DbErr> {
    let failed = |e: String| DbErr::Query(RuntimeErr::Internal(format!("reading the schema: {e}")));
    let tables: Vec<TableCreateStatement> = match db.get_database_backend() {
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
    Ok(tables
        .into_iter()
        .filter_map(|t| Some((table_name(t.get_table_name())?, t)))
        .collect())
}

#[cfg(any(feature = "mysql", feature = "postgres"))]
async fn current_schema(db: &DatabaseConnection, sql: &str) -> Result<String, DbErr> {
    db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the current schema".to_owned()))?
        .try_get_by_index(0)
}

/// The differences of one table.
fn compare(backend: DbBackend, declared: &Table, live: &TableCreateStatement) -> Vec<DriftKind> {
    let mut drifts = Vec::new();
    let live_unique: Vec<Vec<String>> = live
        .get_indexes()
        .iter()
        .filter(|i| i.is_unique_key() || i.is_primary_key())
        .map(|i| i.get_index_spec().get_column_names())
        .collect();
    for column in &declared.columns {
        let Some(actual) = live
            .get_columns()
            .iter()
            .find(|c| c.get_column_name() == column.name)
        else {
            drifts.push(DriftKind::MissingColumn(column.name.clone()));
            continue;
        };
        let spec = actual.get_column_spec();
        let actual_type = actual
            .get_column_type()
            .map_or_else(|| "unknown".to_owned(), |ty| sql_type(backend, ty));
        let declared_type = declared_sql_type(backend, column);
        if !same_type(backend, &actual_type, &declared_type) {
            drifts.push(DriftKind::Type {
                column: column.name.clone(),
                actual: actual_type,
                declared: declared_type,
            });
        }
        // A primary key refuses NULL whatever its column says.
        let actual_nullable = spec.nullable != Some(false) && !spec.primary_key && !column.primary_key;
        if !column.primary_key && actual_nullable != column.nullable {
            drifts.push(DriftKind::Nullable {
                column: column.name.clone(),
                actual: actual_nullable,
            });
        }
        let actual_default = spec.default.as_ref().map(|e| default_sql(backend, e));
        let declared_default = column.default.as_ref().map(value_sql);
        if !same_default(actual_default.as_deref(), declared_default.as_deref()) {
            drifts.push(DriftKind::Default {
                column: column.name.clone(),
                actual: actual_default.unwrap_or_else(|| "none".to_owned()),
                declared: declared_default.unwrap_or_else(|| "none".to_owned()),
            });
        }
        let actual_unique = spec.unique
            || live_unique
                .iter()
                .any(|cols| cols.len() == 1 && cols[0] == column.name);
        if !column.primary_key && actual_unique != column.unique {
            drifts.push(DriftKind::Unique {
                column: column.name.clone(),
                actual: actual_unique,
            });
        }
    }
    for actual in live.get_columns() {
        let name = actual.get_column_name();
        if declared.find_column(&name).is_none() {
            drifts.push(DriftKind::UndeclaredColumn(name));
        }
    }
    for index in &declared.indexes {
        let found = live.get_indexes().iter().any(|i| {
            i.get_index_spec().get_column_names() == index.columns
                && (i.is_unique_key() == index.unique)
        });
        if !found {
            drifts.push(DriftKind::MissingIndex {
                name: index.name.clone(),
                columns: index.columns.clone(),
            });
        }
    }
    for key in &declared.foreign_keys {
        let found = live.get_foreign_key_create_stmts().iter().any(|k| {
            let k = k.get_foreign_key();
            k.get_columns() == key.columns
                && table_name(k.get_ref_table()).as_deref() == Some(key.ref_table.as_str())
                && k.get_ref_columns() == key.ref_columns
        });
        if !found {
            drifts.push(DriftKind::MissingForeignKey {
                columns: key.columns.clone(),
                ref_table: key.ref_table.clone(),
            });
        }
    }
    drifts
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

fn same_type(_backend: DbBackend, actual: &str, declared: &str) -> bool {
    actual == declared
}

fn default_sql(backend: DbBackend, expr: &sea_query::Expr) -> String {
    let _ = backend;
    format!("{expr:?}")
}

fn value_sql(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
    }
}

fn same_default(actual: Option<&str>, declared: Option<&str>) -> bool {
    actual == declared
}
