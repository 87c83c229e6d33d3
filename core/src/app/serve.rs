//! Serving an [`App`]: logs, the socket, and a graceful shutdown.

use std::net::SocketAddr;

use super::{App, Error};
use crate::redact::redact;

impl App {
    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    pub async fn serve(self) -> Result<(), Error> {
        init_tracing();
        let addr = format!("{}:{}", self.bind, self.port);
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        self.serve_with(listener, shutdown_signal()).await
    }

    /// Serves on `listener` until `shutdown` completes; requests already received are
    /// answered before this returns, new connections are refused.
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
        let redacted = redact(&self.database_url).into_owned();
        let router = self.into_router().await?;
        let local: SocketAddr = listener.local_addr()?;
        tracing::info!(database = %redacted, "listening on http://{local}");
        if docs {
            println!("ferrest: Swagger UI at http://{local}/docs (database: {redacted})");
        } else {
            println!("ferrest: listening on http://{local} (database: {redacted})");
        }
        super::connections::serve_connections(listener, router, shutdown).await;
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
