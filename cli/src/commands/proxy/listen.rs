//! The accept loop, as `taap serve`'s: HTTP/1.1 with a deadline on request headers, and on
//! SIGTERM or Ctrl-C a stop that lets requests in flight finish (their answers streamed out).

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;

use super::forward::{self, Proxy};

/// Seconds a client gets to send its request headers (bounds slow clients).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed accept (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves until `stop` completes, then waits up to `drain` for requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    proxy: Arc<Proxy>,
    stop: impl std::future::Future<Output = ()>,
    drain: Duration,
) {
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let proxy = Arc::clone(&proxy);
                    let service = service_fn(move |request| forward::handle(Arc::clone(&proxy), request));
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
    eprintln!("taap proxy: stopping; waiting for requests in flight");
    if tokio::time::timeout(drain, graceful.shutdown()).await.is_err() {
        eprintln!("taap proxy: requests still in flight after {} s were cut off", drain.as_secs());
    }
}

/// Completes on Ctrl-C, or SIGTERM on Unix. The handlers are installed now, before the
/// readiness line, so a signal sent as soon as that line is read is not lost.
pub fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
