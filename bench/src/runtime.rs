//! The runtime benchmark: per backend, a fresh seeded database, both servers started,
//! their answers compared, then each operation driven on each server in alternation.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use crate::load;
use crate::report::{Cell, Memory, Sample};
use crate::seed::{self, Backend, Rows};
use crate::server::{Running, Server, Variant};
use crate::workload::{Kind, Operation};

/// How the runtime benchmark runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rows: Rows,
    pub backends: Vec<Backend>,
    pub kinds: Vec<Kind>,
    pub rounds: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub concurrency: usize,
    pub postgres_url: String,
    pub ferrest_logs: bool,
    pub bare_baseline: bool,
    /// Serve ferrest with `axum::serve` rather than `App::serve_with`.
    pub ferrest_axum_serve: bool,
    /// An A/A run: a second baseline process in ferrest's place.
    pub baseline_twice: bool,
    /// Fresh pairs of server processes per operation, each running its share of the
    /// rounds.
    pub restarts: usize,
    pub verify: bool,
}

pub async fn run(settings: &Settings) -> Result<(Vec<Cell>, Vec<Memory>), String> {
    let token = crate::workload::editor_token()?;
    // Created ISBNs count up from here for the whole run: unique on every backend.
    let isbns = Arc::new(AtomicU64::new(0));
    let mut cells = Vec::new();
    let mut memory = Vec::new();
    for &backend in &settings.backends {
        eprintln!(
            "== {}: seeding {} authors and {} books",
            backend.name(),
            settings.rows.authors,
            settings.rows.books
        );
        let started = std::time::Instant::now();
        let prepared = seed::prepare(backend, &settings.postgres_url, settings.rows).await?;
        eprintln!("   seeded in {:.1} s", started.elapsed().as_secs_f64());
        let outcome = measure(settings, backend, &prepared.url, &token, &isbns).await;
        prepared.remove().await;
        let (backend_cells, backend_memory) = outcome?;
        cells.extend(backend_cells);
        memory.push(backend_memory);
    }
    Ok((cells, memory))
}

async fn measure(
    settings: &Settings,
    backend: Backend,
    url: &str,
    token: &Arc<str>,
    isbns: &Arc<AtomicU64>,
) -> Result<(Vec<Cell>, Memory), String> {
    let mut memory = Memory {
        backend,
        ferrest_mib: None,
        baseline_mib: None,
    };
    if settings.verify {
        let pair = Pair::start(settings, url, 0)?;
        crate::verify::same_answers(
            pair.ferrest.addr,
            pair.baseline.addr,
            token,
            settings.rows.books,
            isbns,
        )
        .await
        .map_err(|e| format!("{}: {e}", backend.name()))?;
        eprintln!("   both servers give the same answers");
        pair.stop(&mut memory);
    }
    let mut cells = Vec::new();
    for &kind in &settings.kinds {
        let operation = Operation::new(kind, settings.rows, token.clone(), isbns.clone());
        let mut cell = Cell {
            backend,
            kind,
            ferrest: Vec::new(),
            baseline: Vec::new(),
        };
        // The rounds of an operation are split over `restarts` fresh pairs of
        // processes: how a process happens to be laid out in memory, and which
        // database connections it got, is luck that stays with it while it runs, so
        // a run with one pair compares two draws of it.
        let restarts = settings.restarts.clamp(1, settings.rounds);
        for block in 0..restarts {
            let rounds =
                (block * settings.rounds / restarts)..((block + 1) * settings.rounds / restarts);
            let pair = Pair::start(settings, url, block)?;
            let outcome = operation_rounds(settings, &operation, &pair, rounds, &mut cell).await;
            pair.stop(&mut memory);
            outcome?;
        }
        cells.push(cell);
    }
    Ok((cells, memory))
}

/// The two server processes of a block of rounds.
struct Pair {
    ferrest: Running,
    baseline: Running,
}

impl Pair {
    /// [`Pair::try_start`], three times at most: a SQLite database may still be
    /// locked while the previous pair's last connection folds its write-ahead log
    /// back into the file, and a server that cannot connect within its pool's 5 s
    /// exits.
    fn start(settings: &Settings, url: &str, block: usize) -> Result<Pair, String> {
        let mut attempt = 1;
        loop {
            match Pair::try_start(settings, url, block) {
                Err(e) if attempt < 3 => {
                    eprintln!("   starting the servers again ({e})");
                    std::thread::sleep(std::time::Duration::from_secs(2));
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// Starts both servers, ferrest first in even blocks and second in odd ones.
    fn try_start(settings: &Settings, url: &str, block: usize) -> Result<Pair, String> {
        let baseline = || {
            let bare = settings.bare_baseline;
            let variant = Variant {
                bare,
                ..Variant::default()
            };
            Running::start(Server::Baseline, url, variant)
        };
        // In an A/A run the first slot is a second baseline process.
        let ferrest = || {
            if settings.baseline_twice {
                return baseline();
            }
            let logs = settings.ferrest_logs;
            let variant = Variant {
                logs,
                axum_serve: settings.ferrest_axum_serve,
                ..Variant::default()
            };
            Running::start(Server::Ferrest, url, variant)
        };
        let (ferrest, baseline) = if block.is_multiple_of(2) {
            let ferrest = ferrest()?;
            (ferrest, baseline()?)
        } else {
            let baseline = baseline()?;
            (ferrest()?, baseline)
        };
        Ok(Pair { ferrest, baseline })
    }

    /// Stops both servers, keeping the largest peak RSS either kind of server had.
    fn stop(self, memory: &mut Memory) {
        let max = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        memory.ferrest_mib = max(memory.ferrest_mib, self.ferrest.peak_rss_mib());
        memory.baseline_mib = max(memory.baseline_mib, self.baseline.peak_rss_mib());
        self.ferrest.stop();
        self.baseline.stop();
    }
}

/// Warms both servers up, then runs `rounds`, alternating which server goes first
/// (ABBA), so a drift in the machine's state weighs on both alike.
async fn operation_rounds(
    settings: &Settings,
    operation: &Operation,
    pair: &Pair,
    rounds: std::ops::Range<usize>,
    cell: &mut Cell,
) -> Result<(), String> {
    let (ferrest, baseline) = (&pair.ferrest, &pair.baseline);
    for server in [ferrest, baseline] {
        load::run(
            server.addr,
            operation,
            settings.concurrency,
            settings.warmup,
            1,
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    for round in rounds {
        let order = if round % 2 == 0 {
            [(Server::Ferrest, ferrest), (Server::Baseline, baseline)]
        } else {
            [(Server::Baseline, baseline), (Server::Ferrest, ferrest)]
        };
        for (which, server) in order {
            let sample = one_round(settings, operation, server, round as u64 + 2).await?;
            match which {
                Server::Ferrest => cell.ferrest.push(sample),
                Server::Baseline => cell.baseline.push(sample),
            }
        }
        let (f, b) = (cell.ferrest.last(), cell.baseline.last());
        if let (Some(f), Some(b)) = (f, b) {
            eprintln!(
                "   {:<8} {:<6} round {}: ferrest {:>8.0} req/s p99 {:>6.2} ms | baseline {:>8.0} req/s p99 {:>6.2} ms | others {:.0}% {:.0}%",
                cell.backend.name(),
                operation.name,
                round + 1,
                f.requests_per_second,
                f.p99_ms,
                b.requests_per_second,
                b.p99_ms,
                f.others_pct,
                b.others_pct
            );
        }
    }
    Ok(())
}

async fn one_round(
    settings: &Settings,
    operation: &Operation,
    server: &Running,
    seed: u64,
) -> Result<Sample, String> {
    let cpu_before = server.cpu_time();
    let machine = crate::machine::Snapshot::take(server.pid());
    let mut round = load::run(
        server.addr,
        operation,
        settings.concurrency,
        settings.duration,
        seed,
    )
    .await
    .map_err(|e| e.to_string())?;
    let cpu = server
        .cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let others_pct = machine.others_since(server.pid());
    if let Some(failure) = &round.first_failure {
        eprintln!("   unexpected answer: {failure}");
    }
    Ok(Sample {
        requests_per_second: round.requests_per_second(),
        p50_ms: round.quantile_ms(0.50),
        p99_ms: round.quantile_ms(0.99),
        cpu_us: cpu.map_or(f64::NAN, |cpu| {
            cpu.as_secs_f64() * 1e6 / (round.ok + round.failed).max(1) as f64
        }),
        failed: round.failed,
        others_pct,
    })
}
