//! The connections of a served app, through hyper. ferrest runs its own accept loop
//! rather than `axum::serve` to set hyper's limits of the request head: hyper answers
//! a head over its limits itself, with an empty body; under them, the request reaches
//! ferrest, which answers its own, lower, limits with a problem (see
//! `middleware::request_head`).

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower::{Service, ServiceExt};

/// The most header fields hyper parses in an HTTP/1 request head (its default is
/// 100, the limit ferrest itself answers with a problem): a head with more gets
/// hyper's bare `431`. hyper reserves room for this many fields for each head it
/// parses.
pub(crate) const HYPER_MAX_HEADERS: usize = 4096;

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting and
/// waits for the connections to finish the requests they have begun.
pub(super) async fn serve_connections(
    mut listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().max_headers(HYPER_MAX_HEADERS);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // `Listener::accept` retries what a busy server meets (aborted connections,
        // too many open files) instead of returning it.
        let (stream, remote) = tokio::select! {
            accepted = Listener::accept(&mut listener) => accepted,
            () = &mut shutdown => break,
        };
        let Ok(service) = make_service.call(remote).await;
        let service = service.map_request(|request: Request<Incoming>| request.map(Body::new));
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::trace!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
