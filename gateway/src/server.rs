//! The accept loop: HTTP/1.1 connections with a deadline on request headers (so a client
//! trickling bytes cannot hold a connection open), and a graceful stop.

use std::net::TcpListener;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::oneshot;

/// Longest a stop waits for requests in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause after a failed accept (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `app` on `listener`, giving clients `header_read_timeout` to send headers, until `stopped` fires (or a signal, with `stop_on_signal`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    stopped: oneshot::Receiver<()>,
    stop_on_signal: bool,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("taap: Transport: the gateway cannot use its listener: {error}");
            return;
        }
    };
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    let graceful = GracefulShutdown::new();
    let stop = stop_requested(stopped, stop_on_signal);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let service = TowerToHyperService::new(app.clone());
                    let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                    tokio::spawn(async move {
                        // A client that hangs up or times out ends only its own connection.
                        let _ = connection.await;
                    });
                }
                Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
            },
            _ = &mut stop => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
}

async fn stop_requested(stopped: oneshot::Receiver<()>, stop_on_signal: bool) {
    if stop_on_signal {
        tokio::select! {
            _ = stopped => {}
            _ = signal() => {}
        }
    } else {
        let _ = stopped.await;
    }
}

/// Ctrl-C, or SIGTERM on Unix.
async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
