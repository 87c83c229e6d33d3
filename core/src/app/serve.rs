//! Serving an [`App`]: logs, the socket, and a graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use super::{App, Error};
use crate::redact::redact;

impl App {
    /// How long a client has to send a request head once the server starts reading
    /// one (default [`HEADER_READ_TIMEOUT`](crate::HEADER_READ_TIMEOUT), 30 s); a
    /// client that has not sent a whole head by then has its connection closed
    /// without an answer. The wait for the next request on a kept-alive connection
    /// counts too, so this is also how long an idle connection stays open.
    ///
    /// ```
    /// let app = ferrest::App::new().header_read_timeout(std::time::Duration::from_secs(10));
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.connection_limits.header_read_timeout = timeout;
        self
    }

    /// How long a shutdown waits for the requests in flight to be answered before it
    /// closes the connections still open (logged) and returns. By default, the
    /// request time limit ([`App::timeout`], 30 s) plus 5 s, or 35 s without one.
    ///
    /// ```
    /// let app = ferrest::App::new().shutdown_deadline(std::time::Duration::from_secs(60));
    /// ```
    pub fn shutdown_deadline(mut self, deadline: Duration) -> Self {
        self.connection_limits.shutdown_deadline = Some(deadline);
        self
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    pub async fn serve(self) -> Result<(), Error> {
        init_tracing();
        let addr = format!("{}:{}", self.bind, self.port);
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        self.serve_with(listener, shutdown_signal()).await
    }

    /// Serves on `listener` until `shutdown` completes; requests already received are
    /// answered before this returns (within [`App::shutdown_deadline`]), new
    /// connections are refused.
    ///
    /// ```no_run
    /// # async fn demo(app: ferrest::App) -> Result<(), ferrest::Error> {
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// # drop(stop);
    /// app.serve_with(listener, async { let _ = stopped.await; }).await
    /// # }
    /// ```
    pub async fn serve_with(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let docs = self.docs;
        let limits = self.connection_limits;
        let shutdown_deadline = limits.shutdown_deadline.unwrap_or_else(|| {
            self.middleware.timeout.unwrap_or(crate::DEFAULT_TIMEOUT)
                + super::connections::SHUTDOWN_MARGIN
        });
        let redacted = redact(&self.database_url).into_owned();
        let router = self.into_router().await?;
        let local: SocketAddr = listener.local_addr()?;
        tracing::info!(database = %redacted, "listening on http://{local}");
        if docs {
            println!("ferrest: Swagger UI at http://{local}/docs (database: {redacted})");
        } else {
            println!("ferrest: listening on http://{local} (database: {redacted})");
        }
        super::connections::serve_connections(
            listener,
            router,
            shutdown,
            limits.header_read_timeout,
            shutdown_deadline,
        )
        .await;
        tracing::info!("shut down");
        Ok(())
    }
}

/// Structured logs to stderr, filtered by `RUST_LOG` (default: `info`): human-readable
/// key=value lines, or one JSON object per line with `FERREST_LOG_FORMAT=json` (for log
/// collectors). Colours only on a terminal.
fn init_tracing() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("FERREST_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing in-flight requests");
}
