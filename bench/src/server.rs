//! The servers under test, each in its own process (this binary, re-run as
//! `bench serve ...`), so each one's peak RSS and CPU time are its own. The harness
//! talks to a server over loopback and stops it by closing its stdin.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Which implementation a process serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// `bookstore::app()`: the generated routes and ferrest's whole middleware stack.
    Ferrest,
    /// `crate::baseline`: the same operations hand-written.
    Baseline,
}

impl Server {
    pub fn name(self) -> &'static str {
        match self {
            Server::Ferrest => "ferrest",
            Server::Baseline => "baseline",
        }
    }

    pub fn parse(name: &str) -> Option<Server> {
        [Server::Ferrest, Server::Baseline]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// Experiments that change what a server process does.
#[derive(Debug, Clone, Copy, Default)]
pub struct Variant {
    /// Log each request at `info`, as `App::serve` does (ferrest only).
    pub logs: bool,
    /// Serve the baseline's routes without its production layers.
    pub bare: bool,
    /// Serve ferrest's router with `axum::serve` instead of `App::serve_with`'s own
    /// connection loop (hyper's raised header limits), to see what that loop costs.
    pub axum_serve: bool,
}

/// `bench serve <server> <database url> [logs] [bare] [axum]`: the child process.
pub async fn serve(server: Server, url: &str, variant: Variant) -> Result<(), String> {
    let logs = variant.logs;
    if logs {
        // What `App::serve` installs: a line per request at `info` (the harness sends
        // this process's stderr to /dev/null).
        let filter = tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn");
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .try_init();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Closed stdin (the harness is done, or gone) stops the server.
    let (closed, stop) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        let _ = closed.send(());
    });
    let stop = async {
        let _ = stop.await;
    };
    if server == Server::Ferrest && !variant.axum_serve {
        // As a ferrest service serves: `App::serve` is `serve_with` on its own
        // listener, plus signals and a log subscriber. Connections wait in the
        // listener's backlog until the schema is synced.
        println!("listening {addr}");
        return bookstore::app()
            .database_url(url)
            .serve_with(listener, stop)
            .await
            .map_err(|e| e.to_string());
    }
    let db = ferrest::connect(url)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let router = match server {
        Server::Ferrest => bookstore::app()
            .router_on(db)
            .await
            .map_err(|e| e.to_string())?,
        Server::Baseline => crate::baseline::router(db, !variant.bare),
    };
    println!("listening {addr}");
    // With the client address, as ferrest's rate limits need it.
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await
    .map_err(|e| e.to_string())
}

/// A server process the harness started.
pub struct Running {
    child: Child,
    pub addr: SocketAddr,
    pid: u32,
}

impl Running {
    /// Starts the server and waits until it listens (the first start on a database
    /// also creates its schema, so this may take a while).
    pub fn start(server: Server, url: &str, variant: Variant) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        Self::spawn(Command::new(exe), server, url, variant)
    }

    /// [`Running::start`] under valgrind's callgrind, which writes its counts to
    /// `out` (`out.N` for the N-th `callgrind_control --dump`).
    pub fn start_counted(
        server: Server,
        url: &str,
        variant: Variant,
        out: &std::path::Path,
    ) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut valgrind = Command::new("valgrind");
        valgrind
            .args(["-q", "--tool=callgrind"])
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(exe);
        Self::spawn(valgrind, server, url, variant)
    }

    fn spawn(
        mut command: Command,
        server: Server,
        url: &str,
        variant: Variant,
    ) -> Result<Self, String> {
        let logs = variant.logs;
        let mut child = command
            .args(["serve", server.name(), url])
            .args(logs.then_some("logs"))
            .args(variant.bare.then_some("bare"))
            .args(variant.axum_serve.then_some("axum"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if logs {
                Stdio::null()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .map_err(|e| format!("{command:?}: {e}"))?;
        let pid = child.id();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (found, ready) = std::sync::mpsc::channel();
        // Reads the address, then keeps draining so a chatty server never blocks.
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening ")
                    && let Some(found) = found.take()
                {
                    let _ = found.send(addr.parse::<SocketAddr>().map_err(|e| e.to_string()));
                }
            }
        });
        let addr = match ready.recv_timeout(Duration::from_secs(120)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("the {} server did not start", server.name()))
            }
        }?;
        Ok(Running { child, addr, pid })
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The process's peak resident set (`VmHWM`), in MiB.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        status_kib(self.pid, "VmHWM:").map(|kib| kib as f64 / 1024.0)
    }

    /// CPU time the process has used, user and system.
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
        // The fields after the command name, which is in parentheses.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: u64 =
            fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        // `getconf CLK_TCK` is 100 on Linux.
        Some(Duration::from_millis(ticks * 10))
    }

    /// Closes the server's stdin and waits for it to finish: up to a minute, because
    /// a SQLite server's last connection checkpoints the write-ahead log as it closes,
    /// and a server killed meanwhile leaves the next one to recover that log.
    pub fn stop(mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A harness that fails half-way leaves no server behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}
