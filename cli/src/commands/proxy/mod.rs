//! `taap proxy`: a local HTTP proxy that makes any client (curl, Postman, Go, a legacy app) a
//! TAAP client. Each request gets the access token from the core's client and a fresh PoP
//! token, exactly as `taap call` would send it, and goes on to the upstream API.

mod answer;
mod client;
mod forward;
mod inbound;
mod listen;
mod log;
mod metrics;
mod postman;
mod upstream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use taap::client::AsyncTaapClient;

use crate::output::config;

/// Default limit on a request body (the PoP token hashes the body, so it is held in memory).
const DEFAULT_MAX_BODY: usize = 1024 * 1024;
/// Largest `--max-body` accepted.
const MAX_MAX_BODY: usize = 64 * 1024 * 1024;

/// Flags of `taap proxy`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The API's base URL, e.g. https://api.t-mobile.com (default: the token server's origin).
    #[arg(long, value_name = "URL")]
    upstream: Option<String>,
    #[command(flatten)]
    inbound: inbound::InboundFlags,
    /// PEM file of CA certificates trusted for the upstream, besides the system's.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// Largest request body in bytes; a larger one gets 413.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY)]
    max_body: usize,
    /// Log each request on stderr: method, path, status, time and a masked token id.
    #[arg(short, long)]
    verbose: bool,
    /// Write a Postman environment whose `baseUrl` is the proxy to FILE (no secrets in it).
    #[arg(long, value_name = "FILE")]
    postman_env: Option<PathBuf>,
    /// Serve Prometheus metrics at `/metrics` on a listener of its own: `127.0.0.1:PORT`, or
    /// just `PORT` for loopback (0 picks a free port); another address only when given.
    #[arg(long, value_name = "ADDRESS", value_parser = crate::commands::serve::metrics_address)]
    metrics: Option<SocketAddr>,
    #[command(flatten)]
    client: client::ClientFlags,
}

/// Starts the proxy, prints `taap proxy: listening on http://IP:PORT` on stderr, serves until
/// SIGTERM or Ctrl-C, then lets requests in flight finish.
pub fn run(args: Args) -> taap::Result<()> {
    if !(1..=MAX_MAX_BODY).contains(&args.max_body) {
        return Err(config(format!("--max-body is 1 to {MAX_MAX_BODY} bytes")));
    }
    let inbound = args.inbound.secret()?;
    let (client_config, routes) = args.client.config()?;
    let routed = forward::routed_clients(&client_config, &routes)?;
    let client = AsyncTaapClient::new(client_config)?;
    let base = match &args.upstream {
        Some(text) => upstream::base(text)?,
        None => upstream::origin_of(client.token_url())?,
    };
    // The core's own check of an API URL (https, or http to this machine only; no credentials).
    client.prepare_send("GET", base.as_str(), [("Accept", "*/*")], b"")?;
    let timeout = args.client.timeout();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| config(format!("cannot start the runtime: {error}")))?;
    runtime.block_on(async move {
        let upstream = upstream::client(args.ca_file.as_deref(), timeout)?;
        let address = args.inbound.address();
        let listener = tokio::net::TcpListener::bind(address).await.map_err(|error| {
            taap::Error::Transport(format!("cannot listen on {}:{}: {error}", address.0, address.1))
        })?;
        let local = listener
            .local_addr()
            .map_err(|error| taap::Error::Transport(format!("the listener has no address: {error}")))?;
        let stop = listen::stop_signal()
            .map_err(|error| config(format!("cannot watch for SIGTERM and Ctrl-C: {error}")))?;
        let metrics_listener = match args.metrics {
            Some(address) => Some(tokio::net::TcpListener::bind(address).await.map_err(|error| {
                taap::Error::Transport(format!("cannot listen on {address} for the metrics: {error}"))
            })?),
            None => None,
        };
        let url = format!("http://{local}");
        if let Some(path) = &args.postman_env {
            postman::write(path, &url)?;
        }
        // Scripts and tests wait for this exact first line to learn the port.
        eprintln!("taap proxy: listening on {url}");
        let metrics = match metrics_listener {
            Some(listener) => {
                let address = listener.local_addr().map_err(|error| {
                    taap::Error::Transport(format!("the metrics listener has no address: {error}"))
                })?;
                let stats = std::iter::once(&client).chain(routed.iter().map(|(_, routed)| routed));
                let metrics =
                    Arc::new(metrics::ProxyMetrics::new(stats.map(|c| c.stats().clone()).collect()));
                tokio::spawn(metrics::serve(listener, Arc::clone(&metrics)));
                eprintln!("taap proxy: metrics on http://{address}/metrics");
                Some(metrics)
            }
            None => None,
        };
        eprintln!(
            "taap proxy: forwarding to {} with tokens from {}",
            base.as_str().trim_end_matches('/'),
            client.token_url()
        );
        let proxy = forward::Proxy {
            client,
            routes,
            routed,
            upstream,
            base,
            max_body: args.max_body,
            timeout,
            inbound,
            verbose: args.verbose,
            metrics,
        };
        listen::serve(listener, Arc::new(proxy), stop, timeout).await;
        Ok(())
    })
}
