//! What a database holds, read back for comparison: each table's columns, keys,
//! indexes and foreign keys as sorted lines of text, from the backend's catalogue.

use std::collections::BTreeMap;

use ferrest::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// The first column of each row, as text.
pub async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    // MySQL casts to CHAR, the others to TEXT; PostgreSQL has no CHAR without length.
    let sql = if backend == DbBackend::MySql {
        sql.to_owned()
    } else {
        sql.replace("AS CHAR)", "AS TEXT)")
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// Each table's facts: columns (type, nullability, default), primary key, unique
/// columns and indexes, foreign keys, and on MySQL collations. Names of indexes and
/// constraints are left out: an inline `UNIQUE` and a separate index differ there only.
pub type Schema = BTreeMap<String, Vec<String>>;

pub async fn snapshot(db: &DatabaseConnection) -> Schema {
    let backend = db.get_database_backend();
    let query = |sql: &str| db.query_all_raw(Statement::from_string(backend, sql.to_owned()));
    let mut schema = Schema::new();
    let text = |row: &ferrest::sea_orm::QueryResult, i: usize| {
        row.try_get_by_index::<Option<String>>(i)
            .unwrap()
            .unwrap_or_else(|| "-".to_owned())
    };
    match backend {
        DbBackend::Sqlite => {
            let tables = query(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT IN ('sqlite_sequence', 'seaql_migrations')",
            )
            .await
            .unwrap();
            for row in tables {
                let table = text(&row, 0);
                let mut facts = Vec::new();
                for c in query(&format!(
                    "SELECT name, lower(type), CASE \"notnull\" WHEN 1 THEN 'not null' ELSE 'null' END, \
                     dflt_value, CAST(pk AS TEXT) FROM pragma_table_info('{table}')"
                ))
                .await
                .unwrap()
                {
                    facts.push(format!(
                        "column {} {} {} default {} pk {}",
                        text(&c, 0),
                        text(&c, 1),
                        text(&c, 2),
                        text(&c, 3),
                        text(&c, 4)
                    ));
                }
                for i in query(&format!(
                    "SELECT l.name, l.\"unique\", l.origin, \
                     (SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_index_info(l.name) ORDER BY seqno)) \
                     FROM pragma_index_list('{table}') l WHERE l.origin <> 'pk'"
                ))
                .await
                .unwrap()
                {
                    let unique: i64 = i.try_get_by_index(1).unwrap();
                    let kind = if unique == 1 { "unique" } else { "index" };
                    facts.push(format!("{kind} ({})", text(&i, 3)));
                }
                for k in query(&format!(
                    "SELECT \"from\", \"table\", \"to\", on_delete, on_update FROM pragma_foreign_key_list('{table}')"
                ))
                .await
                .unwrap()
                {
                    facts.push(format!(
                        "foreign key ({}) -> {} ({}) on delete {} on update {}",
                        text(&k, 0),
                        text(&k, 1),
                        text(&k, 2),
                        text(&k, 3),
                        text(&k, 4)
                    ));
                }
                facts.sort();
                schema.insert(table, facts);
            }
        }
        DbBackend::Postgres => {
            for c in query(
                "SELECT table_name::text, column_name::text, \
                 CASE WHEN character_maximum_length IS NULL THEN data_type::text \
                 ELSE data_type::text || '(' || character_maximum_length || ')' END, \
                 CASE is_nullable WHEN 'YES' THEN 'null' ELSE 'not null' END, column_default::text, \
                 coalesce(numeric_precision || ',' || numeric_scale, '') \
                 FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name <> 'seaql_migrations'",
            )
            .await
            .unwrap()
            {
                let ty = text(&c, 2).replace("character varying", "varchar");
                schema.entry(text(&c, 0)).or_default().push(format!(
                    "column {} {ty} {} default {} numeric {}",
                    text(&c, 1),
                    text(&c, 3),
                    text(&c, 4),
                    text(&c, 5)
                ));
            }
            for i in query(
                "SELECT t.relname::text, CASE WHEN x.indisprimary THEN 'primary' \
                 WHEN x.indisunique THEN 'unique' ELSE 'index' END, \
                 (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) \
                  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) \
                 FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid \
                 JOIN pg_namespace s ON s.oid = t.relnamespace \
                 WHERE s.nspname = 'public' AND t.relname <> 'seaql_migrations'",
            )
            .await
            .unwrap()
            {
                schema
                    .entry(text(&i, 0))
                    .or_default()
                    .push(format!("{} ({})", text(&i, 1), text(&i, 2)));
            }
            for k in query(
                "SELECT t.relname::text, \
                 (SELECT string_agg(a.attname, ', ') FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)), \
                 r.relname::text, \
                 (SELECT string_agg(a.attname, ', ') FROM pg_attribute a WHERE a.attrelid = c.confrelid AND a.attnum = ANY(c.confkey)), \
                 CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END, \
                 CASE c.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END, \
                 c.conname::text \
                 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid \
                 JOIN pg_namespace s ON s.oid = t.relnamespace \
                 WHERE c.contype = 'f' AND s.nspname = 'public'",
            )
            .await
            .unwrap()
            {
                schema.entry(text(&k, 0)).or_default().push(format!(
                    "foreign key ({}) -> {} ({}) on delete {} on update {} named {}",
                    text(&k, 1),
                    text(&k, 2),
                    text(&k, 3),
                    text(&k, 4),
                    text(&k, 5),
                    text(&k, 6)
                ));
            }
        }
        _ => {
            for t in query(
                "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'seaql_migrations'",
            )
            .await
            .unwrap()
            {
                schema
                    .entry(text(&t, 0))
                    .or_default()
                    .push(format!("collation {}", text(&t, 1)));
            }
            for c in query(
                "SELECT TABLE_NAME, COLUMN_NAME, LOWER(COLUMN_TYPE), \
                 CASE IS_NULLABLE WHEN 'YES' THEN 'null' ELSE 'not null' END, COLUMN_DEFAULT, \
                 COLLATION_NAME, EXTRA FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'seaql_migrations'",
            )
            .await
            .unwrap()
            {
                schema.entry(text(&c, 0)).or_default().push(format!(
                    "column {} {} {} default {} collation {} {}",
                    text(&c, 1),
                    text(&c, 2),
                    text(&c, 3),
                    text(&c, 4),
                    text(&c, 5),
                    text(&c, 6)
                ));
            }
            for i in query(
                "SELECT TABLE_NAME, CASE WHEN INDEX_NAME = 'PRIMARY' THEN 'primary' \
                 WHEN NON_UNIQUE = 0 THEN 'unique' ELSE 'index' END, \
                 GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ', ') \
                 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
                 AND TABLE_NAME <> 'seaql_migrations' GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE",
            )
            .await
            .unwrap()
            {
                schema.entry(text(&i, 0)).or_default().push(format!(
                    "{} ({})",
                    text(&i, 1),
                    text(&i, 2)
                ));
            }
            for k in query(
                "SELECT k.TABLE_NAME, GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), \
                 k.REFERENCED_TABLE_NAME, \
                 GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), \
                 r.DELETE_RULE, r.UPDATE_RULE, k.CONSTRAINT_NAME \
                 FROM information_schema.KEY_COLUMN_USAGE k \
                 JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
                 ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
                 AND r.TABLE_NAME = k.TABLE_NAME \
                 WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
                 GROUP BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.REFERENCED_TABLE_NAME, r.DELETE_RULE, r.UPDATE_RULE",
            )
            .await
            .unwrap()
            {
                schema.entry(text(&k, 0)).or_default().push(format!(
                    "foreign key ({}) -> {} ({}) on delete {} on update {} named {}",
                    text(&k, 1),
                    text(&k, 2),
                    text(&k, 3),
                    text(&k, 4),
                    text(&k, 5),
                    text(&k, 6)
                ));
            }
        }
    }
    for facts in schema.values_mut() {
        for fact in facts.iter_mut() {
            *fact = fact.to_lowercase();
        }
        facts.sort();
    }
    schema
}
