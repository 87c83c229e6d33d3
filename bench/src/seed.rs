//! A fresh database per backend, with the bookstore's schema (created by the ferrest
//! app's own start-up, which applies its migrations, so both services use its exact
//! tables, types, constraints and indexes) and deterministic rows.

use std::path::PathBuf;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, TransactionTrait};

use crate::baseline::entity::{author, book, now};
use crate::workload::Rng;

/// Rows written per statement.
const BATCH: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database made for this run, removed by [`Prepared::remove`].
pub struct Prepared {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database { admin_url: String, name: String },
}

/// What to put in the database.
#[derive(Debug, Clone, Copy)]
pub struct Rows {
    pub authors: u64,
    pub books: u64,
}

/// Creates the database, its schema and its rows.
pub async fn prepare(
    backend: Backend,
    postgres_admin_url: &str,
    rows: Rows,
) -> Result<Prepared, String> {
    let prepared = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("ferrest-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let file = dir.join("bench.db");
            let _ = std::fs::remove_file(&file);
            Prepared {
                url: format!("sqlite://{}?mode=rwc", file.display()),
                cleanup: Cleanup::File(dir),
            }
        }
        Backend::Postgres => {
            let name = "ferrest_bench".to_owned();
            let admin = Database::connect(postgres_admin_url)
                .await
                .map_err(|e| format!("PostgreSQL at {postgres_admin_url}: {e}"))?;
            for sql in [
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                format!("CREATE DATABASE {name}"),
            ] {
                admin
                    .execute_unprepared(&sql)
                    .await
                    .map_err(|e| format!("{sql}: {e}"))?;
            }
            admin.close().await.map_err(|e| e.to_string())?;
            Prepared {
                url: with_database(postgres_admin_url, &name),
                cleanup: Cleanup::Database {
                    admin_url: postgres_admin_url.to_owned(),
                    name,
                },
            }
        }
    };
    let db = ferrest::connect(&prepared.url)
        .await
        .map_err(|e| format!("{}: {e}", prepared.url))?;
    // The ferrest app applies its migrations when it builds its router.
    let _router = bookstore::app()
        .router_on(db.clone())
        .await
        .map_err(|e| format!("creating the bookstore's schema: {e}"))?;
    insert(&db, rows)
        .await
        .map_err(|e| format!("seeding: {e}"))?;
    db.execute_unprepared("ANALYZE")
        .await
        .map_err(|e| format!("ANALYZE: {e}"))?;
    db.close().await.map_err(|e| e.to_string())?;
    Ok(prepared)
}

impl Prepared {
    pub async fn remove(self) {
        match self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = admin.execute_unprepared(&sql).await;
                    let _ = admin.close().await;
                }
            }
        }
    }
}

/// `postgres://u@h:5432/test?x=y` with the database `name` instead of `test`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// Authors `1..=authors` and books `1..=books`: prices uniform in 0..10 000 cents,
/// every other book published, the three formats in turn.
async fn insert(db: &DatabaseConnection, rows: Rows) -> Result<(), sea_orm::DbErr> {
    let now = now();
    let tx = db.begin().await?;
    let authors: Vec<author::ActiveModel> = (1..=rows.authors)
        .map(|i| author::ActiveModel {
            id: NotSet,
            name: Set(format!("Author {i}")),
            email: Set(format!("author{i}@example.com")),
            bio: Set((i % 3 == 0).then(|| format!("Author {i} writes books."))),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for chunk in authors.chunks(BATCH) {
        author::Entity::insert_many(chunk.to_vec())
            .exec(&tx)
            .await?;
    }
    let mut rng = Rng::new(20_240_601);
    let formats = ["paperback", "hardcover", "ebook"];
    let mut batch = Vec::with_capacity(BATCH);
    for i in 1..=rows.books {
        batch.push(book::ActiveModel {
            id: NotSet,
            title: Set(format!("Book {i}")),
            subtitle: Set(None),
            isbn: Set(format!("{:013}", 9_780_000_000_000 + i)),
            price_cents: Set(rng.below(10_000) as i64),
            published: Set(i % 2 == 0),
            format: Set(formats[(i % 3) as usize].to_owned()),
            author_id: Set((1 + (i - 1) % rows.authors.max(1)) as i64),
            summary: Set((i % 2 == 1).then(|| format!("The story of book {i}."))),
            added_by: Set("seed".to_owned()),
            created_at: Set(now - chrono::Duration::seconds(i as i64)),
            updated_at: Set(now),
        });
        if batch.len() == BATCH || i == rows.books {
            book::Entity::insert_many(std::mem::take(&mut batch))
                .exec(&tx)
                .await?;
        }
    }
    tx.commit().await
}
