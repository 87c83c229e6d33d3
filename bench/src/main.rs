//! ferrest's benchmark harness: the bookstore against the same operations written by
//! hand with axum and sea-orm. See `BENCHMARKS.md` at the repository root.
//!
//! ```text
//! cargo run -p bench --release -- all            # runtime and compile time
//! cargo run -p bench --release -- runtime --quick
//! cargo run -p bench --release -- compile
//! cargo run -p bench --release -- migrations
//! ```

mod baseline;
mod compile;
mod instructions;
mod load;
mod machine;
mod migrations;
mod report;
mod runtime;
mod seed;
mod server;
mod verify;
mod workload;

use std::process::Command;
use std::time::Duration;

use seed::{Backend, Rows};
use server::Server;
use workload::Kind;

const USAGE: &str = "\
usage: bench <all|runtime|instructions|compile|seed|migrations> [options]

  all                  the runtime benchmark, the instruction counts, then the
                       compile-time benchmark
  runtime              seeds SQLite and PostgreSQL, serves the ferrest bookstore and the
                       hand-written baseline, drives both in alternation, prints the table
  instructions         both servers under valgrind's callgrind: instructions executed per
                       request of each operation (--seconds, at least 6 s, at 4
                       connections), a count that does not move with the machine's load
  compile              builds a crate of 20 generated resources and its hand-written
                       equivalent, clean and after touching one resource
  migrations [RUNS]    the bookstore's `migrate up` on fresh SQLite, PostgreSQL and
                       MySQL/MariaDB databases ($FERREST_TEST_POSTGRES_URL,
                       $FERREST_TEST_MYSQL_URL), and the start-up time the `verify`
                       schema mode adds; medians of RUNS (default 5)
  seed                 only seeds the databases, prints their URLs and keeps them, for
                       profiling by hand with `bench serve <ferrest|baseline> <url> ferrest`
  load ADDR OP         drives a server at ADDR (127.0.0.1:PORT) with OP (get, list, patch,
                       create) for --seconds with --concurrency connections; --books and
                       --authors say how many rows exist

options:
  --quick              a few seconds in all: few rows, one short round (CI); skips compile
  --books N            books to seed (default 100000)
  --authors N          authors to seed (default 1000)
  --rounds N           rounds per server and operation (default 8: many short rounds
                       alternate the servers often, so a drift such as a growing
                       table weighs on both alike)
  --seconds S          length of a round (default 3)
  --warmup S           warm-up per server and operation (default 1)
  --restarts N         fresh server processes per operation, each pair running its
                       share of the rounds after its own warm-up (default 4: each
                       process's luck, such as its memory layout and its database
                       connections, then weighs on a quarter of the rounds)
  --concurrency N      connections the load generator keeps busy (default 32)
  --backends LIST      sqlite,postgres (default both)
  --ops LIST           get,list,patch,create (default all)
  --postgres URL       a PostgreSQL database to create the benchmark's database from
                       (default $FERREST_TEST_POSTGRES_URL, else
                       postgres://postgres@127.0.0.1:5432/test)
  --ferrest-logs       log each ferrest request at info, as App::serve does
  --bare-baseline      serve the baseline's routes without its production layers
                       (request id, trace span, security headers, compression, panic
                       catcher, timeout, body limit), to see what those cost
  --ferrest-axum-serve serve ferrest's router with axum::serve rather than through
                       App::serve_with (its own connection loop with hyper's raised
                       header limits), to see what that loop costs
  --baseline-twice     an A/A run: the baseline in both slots (the `ferrest` columns
                       are a second baseline process), to see how far the ratios of two
                       identical servers move on this machine
  --no-verify          skip the check that both servers answer alike
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("seed") => parse(&args[1..]).and_then(|options| seed_only(&options)),
        Some("load") => load_only(&args[1..]),
        Some("migrations") => migrations_only(&args[1..]),
        Some(command @ ("all" | "runtime" | "instructions" | "compile")) => {
            parse(&args[1..]).and_then(|options| benchmark(command, &options))
        }
        Some("-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    };
    if let Err(e) = result {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

/// `bench migrations [RUNS]`.
fn migrations_only(args: &[String]) -> Result<(), String> {
    let runs = match args.first() {
        Some(runs) => runs
            .parse()
            .ok()
            .filter(|&n: &usize| n > 0)
            .ok_or_else(|| format!("`{runs}` is not a number of runs"))?,
        None => 5,
    };
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    print!("{}", runtime.block_on(migrations::run(runs))?);
    Ok(())
}

/// `bench serve <ferrest|baseline> <url> [logs] [bare] [axum]`, run by the harness.
fn serve(args: &[String]) -> Result<(), String> {
    let (Some(server), Some(url)) = (args.first().and_then(|s| Server::parse(s)), args.get(1))
    else {
        return Err(
            "usage: bench serve <ferrest|baseline> <database url> [logs] [bare] [axum]".into(),
        );
    };
    let variant = server::Variant {
        logs: args[2..].iter().any(|a| a == "logs"),
        bare: args[2..].iter().any(|a| a == "bare"),
        axum_serve: args[2..].iter().any(|a| a == "axum"),
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(server::serve(server, url, variant))
}

struct Options {
    runtime: runtime::Settings,
    quick: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut settings = runtime::Settings {
        rows: if quick {
            Rows {
                authors: 100,
                books: 2_000,
            }
        } else {
            Rows {
                authors: 1_000,
                books: 100_000,
            }
        },
        backends: vec![Backend::Sqlite, Backend::Postgres],
        kinds: workload::ALL.to_vec(),
        rounds: if quick { 1 } else { 8 },
        duration: Duration::from_secs_f64(if quick { 0.3 } else { 3.0 }),
        warmup: Duration::from_secs_f64(if quick { 0.1 } else { 1.0 }),
        concurrency: if quick { 8 } else { 32 },
        postgres_url: std::env::var("FERREST_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned()),
        ferrest_logs: false,
        bare_baseline: false,
        ferrest_axum_serve: false,
        baseline_twice: false,
        restarts: if quick { 1 } else { 4 },
        verify: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        let number = |name: &str, text: String| {
            text.parse::<f64>()
                .ok()
                .filter(|n| *n > 0.0)
                .ok_or_else(|| format!("{name}: `{text}` is not a positive number"))
        };
        match arg.as_str() {
            "--quick" => {}
            "--books" => settings.rows.books = number(arg, value(arg)?)? as u64,
            "--authors" => settings.rows.authors = number(arg, value(arg)?)? as u64,
            "--rounds" => settings.rounds = number(arg, value(arg)?)? as usize,
            "--seconds" => settings.duration = Duration::from_secs_f64(number(arg, value(arg)?)?),
            "--warmup" => settings.warmup = Duration::from_secs_f64(number(arg, value(arg)?)?),
            "--concurrency" => settings.concurrency = number(arg, value(arg)?)? as usize,
            "--postgres" => settings.postgres_url = value(arg)?,
            "--backends" => {
                settings.backends = list(&value(arg)?, |name| match name {
                    "sqlite" => Some(Backend::Sqlite),
                    "postgres" => Some(Backend::Postgres),
                    _ => None,
                })?;
            }
            "--ops" => settings.kinds = list(&value(arg)?, Kind::parse)?,
            "--ferrest-logs" => settings.ferrest_logs = true,
            "--bare-baseline" => settings.bare_baseline = true,
            "--ferrest-axum-serve" => settings.ferrest_axum_serve = true,
            "--baseline-twice" => settings.baseline_twice = true,
            "--restarts" => settings.restarts = number(arg, value(arg)?)? as usize,
            "--no-verify" => settings.verify = false,
            other => return Err(format!("unknown option `{other}`\n\n{USAGE}")),
        }
    }
    Ok(Options {
        runtime: settings,
        quick,
    })
}

fn list<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
    text.split(',')
        .map(|item| parse(item.trim()).ok_or_else(|| format!("unknown `{item}`")))
        .collect()
}

fn load_only(args: &[String]) -> Result<(), String> {
    let (Some(addr), Some(kind)) = (
        args.first()
            .and_then(|a| a.parse::<std::net::SocketAddr>().ok()),
        args.get(1).and_then(|k| Kind::parse(k)),
    ) else {
        return Err(format!(
            "usage: bench load 127.0.0.1:PORT <get|list|patch|create> [options]\n\n{USAGE}"
        ));
    };
    let s = parse(&args[2..])?.runtime;
    let token = workload::editor_token()?;
    // Far from the harness's ISBNs, and from earlier runs of this command.
    let first_isbn = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64 % 900_000_000_000);
    let operation = workload::Operation::new(
        kind,
        s.rows,
        token,
        std::sync::Arc::new(std::sync::atomic::AtomicU64::new(first_isbn)),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut round = runtime
        .block_on(load::run(addr, &operation, s.concurrency, s.duration, 7))
        .map_err(|e| e.to_string())?;
    println!(
        "{}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} ok, {} failed{}",
        kind.name(),
        round.requests_per_second(),
        round.quantile_ms(0.5),
        round.quantile_ms(0.99),
        round.ok,
        round.failed,
        round
            .first_failure
            .map(|f| format!(" (first: {f})"))
            .unwrap_or_default()
    );
    Ok(())
}

fn seed_only(options: &Options) -> Result<(), String> {
    let s = &options.runtime;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    for &backend in &s.backends {
        let prepared = runtime.block_on(seed::prepare(backend, &s.postgres_url, s.rows))?;
        println!("{}: {}", backend.name(), prepared.url);
    }
    Ok(())
}

fn benchmark(command: &str, options: &Options) -> Result<(), String> {
    // The load generator runs on one thread: the servers get the rest of the machine.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    println!("{}", machine());
    if command == "all" || command == "runtime" {
        let s = &options.runtime;
        println!(
            "runtime: {} authors, {} books; {} rounds x {:.1} s per server and operation, on {} fresh pairs of server processes, each after {:.1} s warm-up; {} connections; baseline {}{}{}",
            s.rows.authors,
            s.rows.books,
            s.rounds,
            s.duration.as_secs_f64(),
            s.restarts.clamp(1, s.rounds),
            s.warmup.as_secs_f64(),
            s.concurrency,
            if s.bare_baseline {
                "without its production layers"
            } else {
                "with its production layers"
            },
            if s.ferrest_logs {
                "; ferrest logs each request"
            } else {
                ""
            },
            if s.ferrest_axum_serve {
                "; ferrest served by axum::serve"
            } else {
                ""
            },
        );
        if s.baseline_twice {
            println!(
                "A/A run: the `ferrest` columns are a second baseline process, so every ratio is the harness's noise"
            );
        }
        let (cells, memory) = runtime.block_on(runtime::run(s))?;
        println!(
            "load average after the runtime benchmark: {}",
            load_average()
        );
        println!();
        print!("{}", report::rounds(&cells));
        println!();
        print!("{}", report::tables(&cells, &memory));
    }
    if command == "all" || command == "instructions" {
        println!();
        if options.quick {
            println!("instructions: skipped in --quick mode (valgrind is slow)");
        } else if Command::new("valgrind").arg("--version").output().is_err() {
            println!("instructions: skipped, valgrind is not installed");
        } else {
            let s = &options.runtime;
            let seconds = s.duration.max(Duration::from_secs(6));
            let counts = runtime.block_on(instructions::run(s, seconds))?;
            print!("{}", report::instructions(&counts));
        }
    }
    if command == "all" || command == "compile" {
        if options.quick {
            println!("\ncompile: skipped in --quick mode (it builds two crates from scratch)");
        } else {
            println!();
            print!("{}", compile::run()?);
        }
    }
    Ok(())
}

/// The machine, for the record.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|l| l.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or("?".to_owned(), |kib| {
            format!("{:.0} GiB", kib as f64 / 1048576.0)
        });
    format!(
        "machine: {cpu}, {cores} cores, {memory}; {} build; load average {}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        load_average()
    )
}

/// Other work on the machine skews the numbers: the load average says whether there was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}
