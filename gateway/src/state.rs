//! What the gateway's routes share: clients, validator, token signer, clock, counters, log.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use taap::{PopToken, PopTokenValidator};
use taap_tower::ReplayStore;

use super::config::{GatewayConfig, RegisteredClient};
use super::metrics::GatewayMetrics;
use super::tokens::TokenSigner;

/// Events kept for `taap demo` and the stats endpoint; older ones are dropped.
const MAX_EVENTS: usize = 64;

/// One request the gateway answered.
#[derive(Debug, Clone)]
pub struct Event {
    /// `METHOD /path`.
    pub route: String,
    /// The status answered.
    pub status: u16,
    /// The PoP token that was accepted, decoded (single-use, so no longer a credential).
    pub pop: Option<PopToken>,
}

/// Counters, as `GET /_taap/stats` reports them.
#[derive(Debug, Default)]
pub struct Stats {
    token_requests: AtomicU64,
    tokens_issued: AtomicU64,
    api_requests: AtomicU64,
    api_accepted: AtomicU64,
    injected_faults: AtomicU64,
}

/// A point-in-time copy of the counters (`Stats`), as `GET /_taap/stats` serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// Requests that reached a token endpoint's handler.
    pub token_requests: u64,
    /// Access tokens issued.
    pub tokens_issued: u64,
    /// Requests that reached a protected resource's handler.
    pub api_requests: u64,
    /// API requests that passed every check.
    pub api_accepted: u64,
    /// Requests answered by fault injection.
    pub injected_faults: u64,
}

/// The gateway's shared state.
pub struct GatewayState {
    /// Configuration.
    pub config: GatewayConfig,
    /// PoP validator with the replay cache every route shares.
    pub validator: PopTokenValidator,
    /// Access-token signer.
    pub signer: TokenSigner,
    /// The shared replay store `config.replay_store` names (with `[[route]]`s and none named,
    /// an in-process one every route shares), used instead of the validator's own cache.
    pub replay_store: Option<Arc<dyn ReplayStore>>,
    /// The Prometheus metrics, when `config.metrics` asks for a listener.
    pub metrics: Option<GatewayMetrics>,
    /// Tokens of an older generation are revoked.
    generation: AtomicU64,
    /// Requests seen by fault injection (for `fail_first`).
    fault_counter: AtomicU64,
    stats: Stats,
    events: Mutex<VecDeque<Event>>,
}

impl GatewayState {
    /// Fresh state: a new signing key, empty replay cache and counters.
    pub fn new(config: GatewayConfig) -> taap::Result<Self> {
        let replay_store = super::routes::shared_store(config.replay_store.as_deref(), &config.routes)?;
        let signer = match &config.token_signing_key {
            Some(path) => TokenSigner::from_key(&taap::PrivateKey::from_file(path, None)?)?,
            None => TokenSigner::generate()?,
        };
        let metrics = config.metrics.map(|_| GatewayMetrics::new());
        Ok(GatewayState {
            metrics,
            config,
            replay_store,
            validator: super::pop::validator(),
            signer,
            generation: AtomicU64::new(0),
            fault_counter: AtomicU64::new(0),
            stats: Stats::default(),
            events: Mutex::new(VecDeque::new()),
        })
    }

    /// The gateway's clock in epoch seconds (the system's, shifted by the skew fault).
    pub fn now(&self) -> i64 {
        taap::now_unix().saturating_add(self.config.faults.skew_secs)
    }

    /// The gateway's clock for the `Date` header.
    pub fn system_time(&self) -> SystemTime {
        let skew = Duration::from_secs(self.config.faults.skew_secs.unsigned_abs());
        if self.config.faults.skew_secs < 0 {
            SystemTime::now() - skew
        } else {
            SystemTime::now() + skew
        }
    }

    /// A registered client.
    pub fn client(&self, id: &str) -> Option<&RegisteredClient> {
        self.config.clients.get(id)
    }

    /// The current revocation generation.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Revokes every access token issued so far.
    pub fn revoke_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a request for `fail_first`; returns its 0-based number.
    pub fn next_fault_number(&self) -> u64 {
        self.fault_counter.fetch_add(1, Ordering::SeqCst)
    }

    /// Counts one token request.
    pub fn count_token_request(&self) {
        self.stats.token_requests.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts one issued token.
    pub fn count_token_issued(&self) {
        self.stats.tokens_issued.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts one API request, and whether it was accepted.
    pub fn count_api_request(&self, accepted: bool) {
        self.stats.api_requests.fetch_add(1, Ordering::SeqCst);
        if accepted {
            self.stats.api_accepted.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Counts one injected fault.
    pub fn count_injected_fault(&self) {
        self.stats.injected_faults.fetch_add(1, Ordering::SeqCst);
    }

    /// The counters now.
    pub fn stats(&self) -> StatsSnapshot {
        let read = |counter: &AtomicU64| counter.load(Ordering::SeqCst);
        StatsSnapshot {
            token_requests: read(&self.stats.token_requests),
            tokens_issued: read(&self.stats.tokens_issued),
            api_requests: read(&self.stats.api_requests),
            api_accepted: read(&self.stats.api_accepted),
            injected_faults: read(&self.stats.injected_faults),
        }
    }

    /// Remembers an answered request.
    pub fn record(&self, event: Event) {
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if events.len() == MAX_EVENTS {
            events.pop_front();
        }
        events.push_back(event);
    }

    /// The remembered requests, oldest first.
    pub fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).iter().cloned().collect()
    }
}
