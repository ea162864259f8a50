//! `taap serve`: the local TAAP gateway, for trying clients without a T-Mobile account.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use taap::validate::JwksOptions;
use taap_gateway::config::{secret_from_env, Faults, DEFAULT_SCOPE, DEFAULT_TOKEN_TTL_SECS};
use taap_gateway::{ClientKeys, Gateway, GatewayConfig, RegisteredClient};

use crate::output::config;

/// Flags of `taap serve`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("client_keys").args(["public_key", "jwks_url"])))]
pub struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// TOML file with several clients (`[[client]]` id, secret_env, public_key, scope) and
    /// optional `token_ttl_secs`, `replay_store`, `token_signing_key`, `[faults]` and
    /// per-route policy (`[[route]]` prefix, method, required, max_age, leeway, max_body).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["client_id", "client_secret_env", "public_key", "jwks_url", "scope", "token_ttl"])]
    config: Option<PathBuf>,
    /// The one client's id.
    #[arg(long, value_name = "ID", requires_all = ["client_secret_env", "client_keys"])]
    client_id: Option<String>,
    /// Environment variable holding the client's secret.
    #[arg(long, value_name = "VAR")]
    client_secret_env: Option<String>,
    /// The client's registered public keys: PEM (SPKI or PKCS#1), a JWK, or a JWK set (`kid`,
    /// `nbf`/`exp` windows); read again when the file changes, to rotate a key.
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,
    /// The client's registered public keys as a JWK set served at URL (http or https), instead
    /// of --public-key: cached as its Cache-Control max-age says (5 s to 24 h), fetched again
    /// for a token whose `kid` it lacks (at most every 5 s); 503 while it cannot be fetched
    /// and no usable copy is cached.
    #[arg(long, value_name = "URL")]
    jwks_url: Option<String>,
    /// Scopes granted to the client, space-separated.
    #[arg(long, value_name = "SCOPES")]
    scope: Option<String>,
    /// Lifetime of issued access tokens in seconds.
    #[arg(long, value_name = "SECS")]
    token_ttl: Option<u64>,
    /// Seconds a client gets to send its request headers (bounds slow clients).
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    header_timeout: u64,
    /// Where accepted PoP token ids are kept: `memory` (this process), or
    /// `redis://HOST:PORT[/DB]` shared by a fleet of gateways (overrides the config file's
    /// `replay_store`). If Redis does not answer within 50 ms the request gets 503.
    #[arg(long, value_name = "URL")]
    replay_store: Option<String>,
    /// PEM private key access tokens are signed with, shared by a fleet so any node honours
    /// any node's tokens (default: a fresh key per process).
    #[arg(long, value_name = "FILE")]
    token_signing_key: Option<PathBuf>,
    /// Serve Prometheus metrics at `/metrics` on a listener of its own: `127.0.0.1:PORT`, or
    /// just `PORT` for loopback (0 picks a free port); another address only when given.
    #[arg(long, value_name = "ADDRESS", value_parser = metrics_address)]
    metrics: Option<SocketAddr>,
    #[command(flatten)]
    faults: FaultArgs,
}

/// `HOST:PORT`, or a bare `PORT` on 127.0.0.1 (a metrics port open to the network must be
/// asked for by address).
pub(crate) fn metrics_address(value: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = value.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    value.parse().map_err(|_| format!("{value:?} is not PORT or IP:PORT (e.g. 127.0.0.1:9464)"))
}

/// Fault injection, for testing clients against a misbehaving server.
#[derive(Debug, Clone, clap::Args)]
pub struct FaultArgs {
    /// Delay every answer by this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    delay_ms: u64,
    /// Answer the first N requests with --fail-status.
    #[arg(long, value_name = "N", default_value_t = 0)]
    fail_first: u64,
    /// Status of injected failures, e.g. 503 or 429.
    #[arg(long, value_name = "CODE")]
    fail_status: Option<u16>,
    /// Send `Retry-After: SECS` with injected failures.
    #[arg(long, value_name = "SECS")]
    retry_after: Option<u64>,
    /// Run the gateway's clock this many seconds ahead (negative: behind).
    #[arg(long, value_name = "SECS", default_value_t = 0, allow_negative_numbers = true)]
    skew_secs: i64,
    /// Answer token requests with malformed JSON.
    #[arg(long)]
    garble_tokens: bool,
    /// Apply faults only to paths starting with this prefix.
    #[arg(long, value_name = "PREFIX")]
    fault_path: Option<String>,
}

impl FaultArgs {
    fn faults(&self) -> Faults {
        Faults {
            delay_ms: self.delay_ms,
            fail_first: self.fail_first,
            fail_status: self.fail_status,
            retry_after_secs: self.retry_after,
            skew_secs: self.skew_secs,
            garble_tokens: self.garble_tokens,
            path_prefix: self.fault_path.clone(),
        }
    }
}

/// Starts the gateway, prints `listening on http://127.0.0.1:PORT`, serves until Ctrl-C.
pub fn run(args: Args) -> taap::Result<()> {
    let mut gateway_config = gateway_config(&args)?;
    if !(1..=600).contains(&args.header_timeout) {
        return Err(config("--header-timeout is 1 to 600 seconds"));
    }
    gateway_config.header_read_timeout = std::time::Duration::from_secs(args.header_timeout);
    if let Some(store) = &args.replay_store {
        gateway_config.replay_store = Some(store.clone());
    }
    if let Some(key) = &args.token_signing_key {
        gateway_config.token_signing_key = Some(key.clone());
    }
    gateway_config.metrics = args.metrics;
    warm_key_sources(&gateway_config);
    let gateway = Gateway::start(gateway_config, args.port, true)?;
    let mut stdout = std::io::stdout();
    // Scripts wait for this exact first line to learn the port.
    let _ = writeln!(stdout, "listening on {}", gateway.url());
    let _ = stdout.flush();
    if let Some(url) = gateway.metrics_url() {
        // On stderr, so stdout's first line stays the one scripts read.
        eprintln!("metrics on {url}");
    }
    gateway.wait();
    Ok(())
}

fn gateway_config(args: &Args) -> taap::Result<GatewayConfig> {
    if let Some(path) = &args.config {
        let mut loaded = GatewayConfig::from_toml_file(path)?;
        if args.faults.faults() != Faults::default() {
            // Only the faults change: the file's replay store, signing key and routes stay.
            let checked = GatewayConfig::new(
                loaded.clients.values().cloned().collect(),
                loaded.token_ttl_secs,
                args.faults.faults(),
            )?;
            loaded.faults = checked.faults;
        }
        return Ok(loaded);
    }
    let (Some(id), Some(variable)) = (&args.client_id, &args.client_secret_env) else {
        return Err(config(GIVE_A_CLIENT));
    };
    let client = RegisteredClient {
        id: id.clone(),
        secret: secret_from_env(variable)?,
        public_key: client_keys(args)?,
        scope: args.scope.clone().unwrap_or_else(|| DEFAULT_SCOPE.to_owned()),
    };
    GatewayConfig::new(vec![client], args.token_ttl.unwrap_or(DEFAULT_TOKEN_TTL_SECS), args.faults.faults())
}

/// What to give when no client is configured.
const GIVE_A_CLIENT: &str = "give --client-id, --client-secret-env and --public-key, or --config FILE";

/// The one client's keys: `--public-key FILE` or `--jwks-url URL` (clap allows one at most).
fn client_keys(args: &Args) -> taap::Result<ClientKeys> {
    match (&args.public_key, &args.jwks_url) {
        (Some(path), _) => ClientKeys::from_file(path),
        (None, Some(url)) => ClientKeys::from_jwks_url(url, JwksOptions::default()),
        (None, None) => Err(config(GIVE_A_CLIENT)),
    }
}

/// Fetches each client's JWK set once before serving, saying on stderr which cannot be
/// fetched (the gateway starts anyway: those clients get 503 until their URL answers).
fn warm_key_sources(config: &GatewayConfig) {
    for client in config.clients.values() {
        if let ClientKeys::Jwks(jwks) = &client.public_key {
            if let Err(error) = jwks.keys_for(None) {
                eprintln!("taap: warning: client {:?}: {}: {error}", client.id, error.kind());
            }
        }
    }
}
