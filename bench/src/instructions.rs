//! `bench instructions`: instructions executed per request in each server process,
//! counted by valgrind's callgrind. Unlike requests/s on a shared 2-core machine,
//! which move by ±10% from run to run, the count is the same for the same binary and
//! requests whatever else the machine does, so it can tell differences of 1%.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use crate::load;
use crate::runtime::Settings;
use crate::seed::{self, Backend};
use crate::server::{Running, Server, Variant};
use crate::workload::{Kind, Operation};

/// Instructions per request of both servers for one operation on one backend.
pub struct Count {
    pub backend: Backend,
    pub kind: Kind,
    pub ferrest: f64,
    pub baseline: f64,
}

/// Counts each operation of `settings` on each backend: both servers under callgrind
/// on one freshly seeded database, warmed up, then the counters zeroed, the operation
/// driven for `seconds` at 4 connections, and the counters dumped.
pub async fn run(settings: &Settings, seconds: Duration) -> Result<Vec<Count>, String> {
    let token = crate::workload::editor_token()?;
    let isbns = Arc::new(AtomicU64::new(0));
    let dir = std::env::temp_dir().join(format!("ferrest-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut counts = Vec::new();
    for &backend in &settings.backends {
        eprintln!(
            "== {}: seeding, then both servers start under valgrind (slow)",
            backend.name()
        );
        let prepared = seed::prepare(backend, &settings.postgres_url, settings.rows).await?;
        let outcome = async {
            let mut servers = Vec::new();
            for server in [Server::Ferrest, Server::Baseline] {
                let out = dir.join(format!("{}-{}.out", backend.name(), server.name()));
                let variant = Variant {
                    axum_serve: settings.ferrest_axum_serve,
                    ..Variant::default()
                };
                let running = Running::start_counted(server, &prepared.url, variant, &out)?;
                servers.push(Counted {
                    running,
                    out,
                    dumps: 0,
                });
            }
            let mut backend_counts = Vec::new();
            for &kind in &settings.kinds {
                let operation = Operation::new(kind, settings.rows, token.clone(), isbns.clone());
                let mut per_request = [0.0; 2];
                for (i, server) in servers.iter_mut().enumerate() {
                    per_request[i] = server.count(&operation, seconds).await?;
                }
                eprintln!(
                    "   {:<8} {:<6} ferrest {:>8.0} baseline {:>8.0} instructions per request",
                    backend.name(),
                    operation.name,
                    per_request[0],
                    per_request[1]
                );
                backend_counts.push(Count {
                    backend,
                    kind,
                    ferrest: per_request[0],
                    baseline: per_request[1],
                });
            }
            for server in servers {
                server.running.stop();
            }
            Ok::<_, String>(backend_counts)
        }
        .await;
        prepared.remove().await;
        counts.extend(outcome?);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(counts)
}

struct Counted {
    running: Running,
    out: PathBuf,
    dumps: u32,
}

impl Counted {
    /// Instructions per request of `operation` over `seconds`.
    async fn count(&mut self, operation: &Operation, seconds: Duration) -> Result<f64, String> {
        let addr = self.running.addr;
        load::run(addr, operation, 4, Duration::from_secs(2), 1)
            .await
            .map_err(|e| e.to_string())?;
        control(self.running.pid(), "--zero")?;
        let round = load::run(addr, operation, 4, seconds, 2)
            .await
            .map_err(|e| e.to_string())?;
        control(self.running.pid(), "--dump")?;
        self.dumps += 1;
        let dump = PathBuf::from(format!("{}.{}", self.out.display(), self.dumps));
        let total = totals(&dump)?;
        Ok(total as f64 / (round.ok + round.failed).max(1) as f64)
    }
}

fn control(pid: u32, what: &str) -> Result<(), String> {
    let status = Command::new("callgrind_control")
        .args([what, &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("callgrind_control: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("callgrind_control {what} {pid} failed"))
    }
}

/// The instruction total of a callgrind dump (its `totals:` line). callgrind writes
/// the file after it answered the dump request, so this waits for it.
fn totals(dump: &Path) -> Result<u64, String> {
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(dump)
            && let Some(total) = text
                .lines()
                .find_map(|line| line.strip_prefix("totals:"))
                .and_then(|n| n.split_whitespace().next()?.parse().ok())
        {
            return Ok(total);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("{}: no callgrind totals", dump.display()))
}
