//! What the local gateway serves: registered clients, token lifetime, injected faults.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use taap::client::ClientSecret;
use taap::validate::{JwksOptions, KeySource};
use zeroize::Zeroizing;

use super::routes::Routes;

/// Access-token lifetime when none is configured (what T-Mobile's server grants).
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 3600;
/// Time a client gets to send its request headers, unless configured otherwise.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Scope granted when a client's configuration names none: every sample resource.
pub const DEFAULT_SCOPE: &str = "iot-connectivity commerce";

/// A client the gateway knows: credentials and the public key its PoP tokens must verify with.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    /// The OAuth client id.
    pub id: String,
    /// The OAuth client secret.
    pub secret: ClientSecret,
    /// The client's registered public keys: one, a key file re-read when it changes, or a JWK
    /// set URL.
    pub public_key: ClientKeys,
    /// Space-separated scopes its access tokens carry.
    pub scope: String,
}

/// A client's public keys, the core's [`KeySource`]: fixed at start-up, a key file (PEM, JWK
/// or a JWK set with `kid`s and validity windows) read again when operators replace it, or a
/// JWK set URL cached as its `Cache-Control` says and fetched again for an unknown `kid`; so a
/// key is rotated without a restart.
pub type ClientKeys = KeySource;

/// Misbehaviour on demand, for testing clients against a flaky or skewed server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// Delay every answer by this many milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    /// Answer the first N requests with `fail_status`.
    #[serde(default)]
    pub fail_first: u64,
    /// Status of injected failures (default 503).
    pub fail_status: Option<u16>,
    /// `Retry-After` seconds on injected failures.
    pub retry_after_secs: Option<u64>,
    /// The gateway's clock runs this many seconds ahead (negative: behind) of the system's;
    /// it shows in `Date` and in every time check.
    #[serde(default)]
    pub skew_secs: i64,
    /// Answer token requests with malformed JSON.
    #[serde(default)]
    pub garble_tokens: bool,
    /// Apply the faults only to paths starting with this prefix (default: every path).
    pub path_prefix: Option<String>,
}

impl Faults {
    /// Status of injected failures.
    pub fn fail_status(&self) -> u16 {
        self.fail_status.unwrap_or(503)
    }

    /// The delay before every answer.
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }

    fn check(&self) -> taap::Result<()> {
        if !(400..=599).contains(&self.fail_status()) {
            return Err(config_error(format!(
                "fail_status {} is not an HTTP error status (400-599)",
                self.fail_status()
            )));
        }
        if self.delay_ms > 60_000 {
            return Err(config_error("delay_ms is above 60000 (one minute)"));
        }
        if self.skew_secs.abs() > 10 * 365 * 24 * 3600 {
            return Err(config_error("skew_secs is more than ten years"));
        }
        Ok(())
    }
}

/// The whole gateway configuration.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Registered clients by id.
    pub clients: HashMap<String, RegisteredClient>,
    /// Lifetime of issued access tokens, in seconds.
    pub token_ttl_secs: u64,
    /// Injected faults.
    pub faults: Faults,
    /// Longest a client may take to send request headers (bounds slow-loris clients).
    pub header_read_timeout: Duration,
    /// Where accepted PoP `jti`s are kept: `None` or `memory` for this process only, or a
    /// `redis://host:port[/db]` URL a fleet shares.
    pub replay_store: Option<String>,
    /// PEM file of the key access tokens are signed with; `None` generates one per process
    /// (a fleet behind one load balancer needs a shared one).
    pub token_signing_key: Option<PathBuf>,
    /// Where `/metrics` is served, on a listener of its own (port 0 picks one); `None`: the
    /// gateway keeps no metrics.
    pub metrics: Option<SocketAddr>,
    /// Per-route policy (`[[route]]`): stricter or looser checks for some paths; empty, every
    /// protected request gets the gateway's defaults.
    pub routes: Routes,
}

impl GatewayConfig {
    /// A configuration for the given clients; ids must be unique.
    pub fn new(clients: Vec<RegisteredClient>, token_ttl_secs: u64, faults: Faults) -> taap::Result<Self> {
        if clients.is_empty() {
            return Err(config_error("the gateway needs at least one client"));
        }
        if !(1..=86_400).contains(&token_ttl_secs) {
            return Err(config_error(format!("token TTL {token_ttl_secs} s is outside 1 to 86400")));
        }
        faults.check()?;
        let mut by_id = HashMap::new();
        for client in clients {
            if client.id.is_empty() || client.id.contains(':') {
                return Err(config_error("a client id must be non-empty and free of ':'"));
            }
            if client.secret.expose().is_empty() {
                return Err(config_error(format!("client {:?} has an empty secret", client.id)));
            }
            if let Some(previous) = by_id.insert(client.id.clone(), client) {
                return Err(config_error(format!("client {:?} is configured twice", previous.id)));
            }
        }
        Ok(GatewayConfig {
            clients: by_id,
            token_ttl_secs,
            faults,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            replay_store: None,
            token_signing_key: None,
            metrics: None,
            routes: Routes::default(),
        })
    }

    /// Reads a TOML file: `token_ttl_secs`, `replay_store`, `[[client]]` entries, optional
    /// `[faults]` and `[[route]]` entries.
    pub fn from_toml_file(path: &Path) -> taap::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| config_error(format!("cannot read {}: {error}", path.display())))?;
        let file: ConfigFile = toml::from_str(&text)
            .map_err(|error| config_error(format!("{}: {}", path.display(), error.message())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let clients =
            file.client.into_iter().map(|entry| entry.resolve(base)).collect::<taap::Result<Vec<_>>>()?;
        let mut config = GatewayConfig::new(
            clients,
            file.token_ttl_secs.unwrap_or(DEFAULT_TOKEN_TTL_SECS),
            file.faults.unwrap_or_default(),
        )?;
        config.replay_store = file.replay_store;
        config.token_signing_key = file.token_signing_key.map(|key| base.join(key));
        config.routes = Routes::from_toml(path, &file.route)?;
        Ok(config)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    token_ttl_secs: Option<u64>,
    replay_store: Option<String>,
    token_signing_key: Option<PathBuf>,
    #[serde(default)]
    client: Vec<ClientEntry>,
    faults: Option<Faults>,
    #[serde(default)]
    route: Vec<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientEntry {
    id: String,
    secret: Option<String>,
    secret_env: Option<String>,
    public_key: Option<PathBuf>,
    jwks_url: Option<String>,
    scope: Option<String>,
}

impl ClientEntry {
    fn resolve(self, base: &Path) -> taap::Result<RegisteredClient> {
        let secret = match (self.secret, self.secret_env) {
            (Some(secret), None) => ClientSecret::new(secret),
            (None, Some(variable)) => secret_from_env(&variable)?,
            _ => {
                return Err(config_error(format!(
                    "client {:?}: give exactly one of secret or secret_env",
                    self.id
                )))
            }
        };
        let public_key = match (self.public_key, self.jwks_url) {
            (Some(path), None) => ClientKeys::from_file(base.join(path))?,
            (None, Some(url)) => ClientKeys::from_jwks_url(&url, JwksOptions::default())?,
            _ => {
                return Err(config_error(format!(
                    "client {:?}: give exactly one of public_key or jwks_url",
                    self.id
                )))
            }
        };
        Ok(RegisteredClient {
            public_key,
            secret,
            scope: self.scope.unwrap_or_else(|| DEFAULT_SCOPE.to_owned()),
            id: self.id,
        })
    }
}

/// A client secret from the environment variable the user named (never from argv, which
/// other users can see in `ps`).
pub fn secret_from_env(variable: &str) -> taap::Result<ClientSecret> {
    let secret = std::env::var(variable)
        .map(Zeroizing::new)
        .map_err(|_| config_error(format!("environment variable {variable} is not set (or not UTF-8)")))?;
    Ok(ClientSecret::new(secret.as_str()))
}

/// A configuration problem: the kind every gateway set-up error has.
pub fn config_error(message: impl Into<String>) -> taap::Error {
    taap::Error::Config(message.into())
}
