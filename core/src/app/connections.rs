//! The connections of a served app, through hyper. ferrest runs its own accept loop
//! rather than `axum::serve` to set hyper's limits of the request head: hyper answers
//! a head over its limits itself, with an empty body; under them, the request reaches
//! ferrest, which answers its own, lower, limits with a problem (see
//! `middleware::request_head`). It also bounds how long a client may take to send a
//! head, and how long a shutdown waits for the connections still open.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tower::{Service, ServiceExt};

use crate::http::middleware::{MAX_HEADER_BYTES, MAX_HEADERS};

/// The most header fields hyper parses in an HTTP/1 request head: a head with more
/// gets hyper's bare `431`; one with more than [`MAX_HEADERS`] up to this many reaches
/// ferrest, which answers a problem. hyper sets aside 64 bytes per field for every
/// head it parses (16 KiB at 256; it was 256 KiB at 4,096, for each request).
pub(crate) const HYPER_MAX_HEADERS: usize = 256;

/// The largest HTTP/2 header list hyper accepts, counted as HTTP/2 does (name, value
/// and 32 bytes per field): twice [`MAX_HEADER_BYTES`], so that a head over ferrest's
/// limits by less than that reaches ferrest and gets a problem, as over HTTP/1
/// (hyper's default, 16 KiB, would refuse heads ferrest accepts).
pub(crate) const HYPER_MAX_HEADER_LIST_BYTES: u32 = 2 * MAX_HEADER_BYTES as u32;
const _: () = assert!(MAX_HEADERS < HYPER_MAX_HEADERS);

/// How long a client has to send a request head, from the moment the server starts
/// reading it, before its connection is closed (`App::header_read_timeout`). A client
/// that sends a head slowly, or half of one, would otherwise hold its connection, and
/// a shutdown, for ever.
///
/// ```
/// assert_eq!(ferrest::HEADER_READ_TIMEOUT, std::time::Duration::from_secs(30));
/// ```
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// What a shutdown waits beyond the request time limit for the requests in flight to
/// be answered, before it closes the connections still open.
pub(crate) const SHUTDOWN_MARGIN: Duration = Duration::from_secs(5);

/// The time limits of a server's connections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    pub header_read_timeout: Duration,
    /// `None`: the request time limit plus [`SHUTDOWN_MARGIN`].
    pub shutdown_deadline: Option<Duration>,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: HEADER_READ_TIMEOUT,
            shutdown_deadline: None,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting and
/// waits, until `shutdown_deadline` at most, for the connections to finish the
/// requests they have begun; those still open then are closed.
pub(super) async fn serve_connections(
    mut listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    header_read_timeout: Duration,
    shutdown_deadline: Duration,
) {
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .max_headers(HYPER_MAX_HEADERS)
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    builder
        .http2()
        .max_header_list_size(HYPER_MAX_HEADER_LIST_BYTES);
    let graceful = GracefulShutdown::new();
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // `Listener::accept` retries what a busy server meets (aborted connections,
        // too many open files) instead of returning it.
        let (stream, remote) = tokio::select! {
            accepted = Listener::accept(&mut listener) => accepted,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            () = &mut shutdown => break,
        };
        let Ok(service) = make_service.call(remote).await;
        let service = service.map_request(|request: Request<Incoming>| request.map(Body::new));
        let stream = VersionDeadline::new(stream, header_read_timeout);
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(error) = connection.await {
                tracing::trace!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(shutdown_deadline, graceful.shutdown())
        .await
        .is_err()
    {
        while connections.try_join_next().is_some() {}
        tracing::warn!(
            connections = connections.len(),
            deadline_secs = shutdown_deadline.as_secs_f32(),
            "connections still open at the shutdown deadline are closed"
        );
    }
    connections.shutdown().await;
}

/// The bytes a client sends first on an HTTP/2 connection.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// A connection whose first bytes must arrive within a time limit. hyper reads them to
/// tell HTTP/2 (its preface) from HTTP/1 before its own header read timeout applies,
/// and would wait for ever on a client that sends nothing, or part of the preface; the
/// limit ends as soon as the version is known.
struct VersionDeadline {
    stream: TcpStream,
    /// Until the version is known.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The bytes of the HTTP/2 preface read so far.
    read: usize,
}

impl VersionDeadline {
    fn new(stream: TcpStream, limit: Duration) -> Self {
        VersionDeadline {
            stream,
            deadline: Some(Box::pin(tokio::time::sleep(limit))),
            read: 0,
        }
    }
}

impl AsyncRead for VersionDeadline {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Some(deadline) = &mut this.deadline
            && deadline.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no request head within the header read timeout",
            )));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.stream).poll_read(cx, buf))?;
        if this.deadline.is_some() {
            let new = &buf.filled()[before..];
            let end = (this.read + new.len()).min(H2_PREFACE.len());
            let preface_so_far = new[..end - this.read] == H2_PREFACE[this.read..end];
            if new.is_empty() || end == H2_PREFACE.len() || !preface_so_far {
                this.deadline = None;
            } else {
                this.read = end;
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for VersionDeadline {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
