//! `bench migrations`: what the bookstore's migrations cost on each backend, and what
//! the `verify` start-up mode adds to a start, measured on fresh databases.

use std::time::{Duration, Instant};

use ferrest::SchemaMode;
use sea_orm::{ConnectionTrait, Database};

/// One backend's numbers, medians of `runs`.
struct Row {
    backend: &'static str,
    up: Duration,
    nothing_pending: Duration,
    start_off: Duration,
    start_verify: Duration,
}

pub async fn run(runs: usize) -> Result<String, String> {
    let mut rows = Vec::new();
    for backend in ["sqlite", "postgres", "mysql"] {
        let mut up = Vec::new();
        let mut nothing_pending = Vec::new();
        let mut start_off = Vec::new();
        let mut start_verify = Vec::new();
        for run in 0..runs {
            let database = Scratch::create(backend, run).await?;
            let migrations = bookstore::migrations::all();
            let started = Instant::now();
            ferrest::migrate::up(&database.url, &migrations, None)
                .await
                .map_err(|e| e.to_string())?;
            up.push(started.elapsed());
            let started = Instant::now();
            ferrest::migrate::up(&database.url, &migrations, None)
                .await
                .map_err(|e| e.to_string())?;
            nothing_pending.push(started.elapsed());
            let db = ferrest::connect(&database.url)
                .await
                .map_err(|e| e.to_string())?;
            for (mode, times) in [
                (SchemaMode::Off, &mut start_off),
                (SchemaMode::Verify, &mut start_verify),
            ] {
                let app = bookstore::app().schema_mode(mode);
                let started = Instant::now();
                let _router = app
                    .router_on(db.clone())
                    .await
                    .map_err(|e| format!("{backend}, {mode}: {e}"))?;
                times.push(started.elapsed());
            }
            db.close().await.map_err(|e| e.to_string())?;
            database.drop().await?;
        }
        rows.push(Row {
            backend,
            up: median(up),
            nothing_pending: median(nothing_pending),
            start_off: median(start_off),
            start_verify: median(start_verify),
        });
    }
    let mut table = format!(
        "bookstore migrations (2 migrations: 2 tables, 19 columns, 6 indexes, 2 unique columns, 1 foreign key), \
         median of {runs} fresh databases\n\n\
         | backend | `migrate up` | `migrate up`, nothing pending | start, `off` | start, `verify` | `verify` adds |\n\
         |---|--:|--:|--:|--:|--:|\n"
    );
    for row in rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            row.backend,
            ms(row.up),
            ms(row.nothing_pending),
            ms(row.start_off),
            ms(row.start_verify),
            ms(row.start_verify.saturating_sub(row.start_off)),
        ));
    }
    Ok(table)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(time: Duration) -> String {
    format!("{:.1} ms", time.as_secs_f64() * 1000.0)
}

/// A database for one run, dropped after it.
struct Scratch {
    url: String,
    admin: Option<(String, String)>,
}

impl Scratch {
    async fn create(backend: &str, run: usize) -> Result<Scratch, String> {
        let name = format!("ferrest_bench_migrations_{}_{run}", std::process::id());
        let admin_url = match backend {
            "sqlite" => {
                let file = std::env::temp_dir().join(format!("{name}.db"));
                let _ = std::fs::remove_file(&file);
                return Ok(Scratch {
                    url: format!("sqlite://{}?mode=rwc", file.display()),
                    admin: None,
                });
            }
            "postgres" => std::env::var("FERREST_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned()),
            _ => std::env::var("FERREST_TEST_MYSQL_URL")
                .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned()),
        };
        let admin = Database::connect(admin_url.as_str())
            .await
            .map_err(|e| format!("{backend} at {admin_url}: {e}"))?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(|e| e.to_string())?;
        let _ = admin.close().await;
        let (base, _) = admin_url.rsplit_once('/').ok_or("a URL with a database")?;
        Ok(Scratch {
            url: format!("{base}/{name}"),
            admin: Some((admin_url, name)),
        })
    }

    async fn drop(self) -> Result<(), String> {
        match self.admin {
            None => {
                let file = self.url.trim_start_matches("sqlite://");
                let file = file.split('?').next().unwrap_or(file);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{file}{suffix}"));
                }
                Ok(())
            }
            Some((admin_url, name)) => {
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .map_err(|e| e.to_string())?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE {name}"))
                    .await
                    .map_err(|e| e.to_string())?;
                let _ = admin.close().await;
                Ok(())
            }
        }
    }
}
