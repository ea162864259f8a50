//! A local TAAP gateway on 127.0.0.1: OAuth token endpoints (v2 and v6) and protected sample
//! resources, checking credentials, PoP tokens and access tokens the way T-Mobile's does, with
//! fault injection for client tests. Its protected resources sit behind [`PopLayer`], from the
//! `taap-tower` crate (re-exported here with its replay stores and refusals).

pub mod config;
mod faults;
mod limits;
pub mod metrics;
mod oauth;
mod pop;
mod resources;
pub mod routes;
mod server;
mod state;
pub mod tokens;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use taap::client::TokenFlavor;
use tokio::sync::oneshot;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use config::{ClientKeys, GatewayConfig, RegisteredClient};
pub use metrics::GatewayMetrics;
pub use routes::{Route, Routes};
pub use state::{Event, GatewayState, StatsSnapshot};
pub use taap_tower::replay;
pub use taap_tower::{
    store_from_url, Admission, MemoryStore, RedisStore, ReplayError, ReplayStore, DEFAULT_STORE_DEADLINE,
};
pub use taap_tower::{
    BoxError, PopLayer, PopService, Refusal, DEFAULT_MAX_BODY_BYTES, MAX_DESCRIPTION_CHARS,
};

use config::config_error;

/// Largest request body the gateway reads, unless a `[[route]]` sets its own `max_body`.
const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Longest a request may take to handle (fault delays included).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// A running gateway; dropping it shuts the server down.
pub struct Gateway {
    port: u16,
    metrics: Option<SocketAddr>,
    state: Arc<GatewayState>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Gateway {
    /// Binds 127.0.0.1:`port` (0 picks a free port) and serves on a background thread, and
    /// `/metrics` on `config.metrics` when set. With `stop_on_signal`, Ctrl-C or SIGTERM also
    /// stops it.
    pub fn start(config: GatewayConfig, port: u16, stop_on_signal: bool) -> taap::Result<Gateway> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .map_err(|error| config_error(format!("cannot listen on 127.0.0.1:{port}: {error}")))?;
        let io_error = |error: std::io::Error| config_error(format!("cannot set up the listener: {error}"));
        listener.set_nonblocking(true).map_err(io_error)?;
        let port = listener.local_addr().map_err(io_error)?.port();
        let metrics_listener = config.metrics.map(metrics_listener).transpose()?;
        let metrics = metrics_listener.as_ref().map(TcpListener::local_addr).transpose().map_err(io_error)?;
        let header_read_timeout = config.header_read_timeout;
        let state = Arc::new(GatewayState::new(config)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(io_error)?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = router(Arc::clone(&state));
        let metrics_app = metrics_listener.zip(state.metrics.as_ref().map(GatewayMetrics::router));
        let thread = std::thread::Builder::new()
            .name("taap-gateway".into())
            .spawn(move || {
                runtime.block_on(async move {
                    // The metrics listener lives exactly as long as the API listener.
                    let (stop_metrics, metrics_stopped) = oneshot::channel::<()>();
                    let metrics_server = metrics_app.map(|(listener, app)| {
                        tokio::spawn(server::serve(
                            listener,
                            app,
                            header_read_timeout,
                            metrics_stopped,
                            false,
                        ))
                    });
                    server::serve(listener, app, header_read_timeout, stopped, stop_on_signal).await;
                    let _ = stop_metrics.send(());
                    if let Some(metrics_server) = metrics_server {
                        let _ = metrics_server.await;
                    }
                })
            })
            .map_err(io_error)?;
        Ok(Gateway { port, metrics, state, shutdown: Some(shutdown), thread: Some(thread) })
    }

    /// `http://ADDRESS/metrics` of the metrics listener, when the gateway has one.
    pub fn metrics_url(&self) -> Option<String> {
        self.metrics.map(|address| format!("http://{address}/metrics"))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests answered so far (the latest 64).
    pub fn events(&self) -> Vec<Event> {
        self.state.events()
    }

    /// The counters.
    pub fn stats(&self) -> StatsSnapshot {
        self.state.stats()
    }

    /// The gateway's state (signer, clock), e.g. to verify the tokens it issued.
    pub fn state(&self) -> &GatewayState {
        &self.state
    }

    /// Blocks until the server stops (on a signal, when started with `stop_on_signal`).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The metrics listener at `address`, non-blocking like the API's.
fn metrics_listener(address: SocketAddr) -> taap::Result<TcpListener> {
    let listener = TcpListener::bind(address)
        .map_err(|error| config_error(format!("cannot listen for metrics on {address}: {error}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|error| config_error(format!("cannot set up the metrics listener: {error}")))?;
    Ok(listener)
}

fn router(state: Arc<GatewayState>) -> Router {
    // The outer limits let the largest route limit through; each route's own is its PopLayer's.
    let body_limit = state
        .config
        .routes
        .largest_body_bytes()
        .map_or(MAX_BODY_BYTES, |largest| largest.max(MAX_BODY_BYTES));
    Router::new()
        .route(
            "/oauth2/v2/tokens",
            post(|state, parts, body| oauth::token(state, parts, body, TokenFlavor::V2)),
        )
        .route(
            "/oauth2/v6/tokens",
            post(|state, parts, body| oauth::token(state, parts, body, TokenFlavor::V6)),
        )
        .merge(resources::routes(&state, MAX_BODY_BYTES))
        .route("/_taap/stats", get(stats))
        .route("/_taap/revoke", post(revoke))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(limits::read_body_in_time))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&state), faults::inject))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .with_state(state)
}

async fn stats(State(state): State<Arc<GatewayState>>) -> Json<StatsSnapshot> {
    Json(state.stats())
}

/// The header `/_taap/revoke` requires. A web page cannot send a custom header to another
/// origin without a CORS preflight, which this gateway never approves, so no page a developer
/// visits can revoke the tokens of the gateway on their machine.
pub const REVOKE_HEADER: &str = "x-taap-admin";

/// Revokes every access token issued so far (what a real server does on a credential reset).
async fn revoke(State(state): State<Arc<GatewayState>>, headers: axum::http::HeaderMap) -> Response {
    if !headers.contains_key(REVOKE_HEADER) {
        return Refusal::forbidden(
            "send the header X-Taap-Admin: 1 to revoke (a web page cannot send it cross-origin)",
        )
        .into_response();
    }
    state.revoke_all();
    StatusCode::NO_CONTENT.into_response()
}

async fn not_found() -> impl IntoResponse {
    Refusal::not_found("no such resource on the local TAAP gateway")
}
