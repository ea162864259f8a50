//! What a client did with access tokens, counted where the engine decides it: token requests
//! by outcome, refreshes by reason, and how the shared token store answered. Plain atomic
//! counters (no metrics library in the core): a service exports them in its own format, e.g.
//! `taap proxy --metrics` as Prometheus counters. Nothing here holds a token, key or secret.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

use super::token::AccessToken;

/// Why the client fetched a token while it had had one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshReason {
    /// The cached token was within the refresh margin of its expiry (or past it).
    Expiry,
    /// An API call was answered 401 with the cached token.
    Unauthorized,
    /// The caller asked for a new token (`refresh_access_token`).
    Requested,
}

#[derive(Default)]
struct Counters {
    issued: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
    refresh_expiry: AtomicU64,
    refresh_unauthorized: AtomicU64,
    refresh_requested: AtomicU64,
    store_hits: AtomicU64,
    store_misses: AtomicU64,
    store_lock_waits: AtomicU64,
}

/// The token counters of one client (`TaapClient::stats`, `AsyncTaapClient::stats`). Clones
/// share the counters, so a metrics exporter can keep one and read it on each scrape.
#[derive(Clone, Default)]
pub struct ClientStats(Arc<Counters>);

/// The counters at one moment; every field only grows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStatsSnapshot {
    /// Token requests the token server answered with an access token.
    pub tokens_issued: u64,
    /// Token requests the token server refused (an HTTP 4xx or 5xx answer, after retries).
    pub tokens_refused: u64,
    /// Token requests that got no usable answer: the server unreachable, no answer in time, an
    /// answer too large or not a token.
    pub tokens_failed: u64,
    /// Refreshes begun because the cached token was due (within the refresh margin of expiry).
    pub refreshes_expiry: u64,
    /// Refreshes begun because an API call was answered 401 with the cached token.
    pub refreshes_unauthorized: u64,
    /// Refreshes the caller asked for (`refresh_access_token`).
    pub refreshes_requested: u64,
    /// Token fetches the shared token store answered with another process's token.
    pub store_hits: u64,
    /// Token fetches through the shared token store that ended in a token request of this
    /// client (nothing usable stored, or the store failing).
    pub store_misses: u64,
    /// Token fetches that waited for another process holding the store's refresh lock (each
    /// also counts as a hit or a miss).
    pub store_lock_waits: u64,
}

impl ClientStats {
    /// The counters now.
    pub fn snapshot(&self) -> ClientStatsSnapshot {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let counters = &*self.0;
        ClientStatsSnapshot {
            tokens_issued: read(&counters.issued),
            tokens_refused: read(&counters.refused),
            tokens_failed: read(&counters.failed),
            refreshes_expiry: read(&counters.refresh_expiry),
            refreshes_unauthorized: read(&counters.refresh_unauthorized),
            refreshes_requested: read(&counters.refresh_requested),
            store_hits: read(&counters.store_hits),
            store_misses: read(&counters.store_misses),
            store_lock_waits: read(&counters.store_lock_waits),
        }
    }

    /// Counts one token request (its retries included) by its outcome.
    pub(crate) fn token_request(&self, outcome: &Result<AccessToken>) {
        let counters = &*self.0;
        let counter = match outcome {
            Ok(_) => &counters.issued,
            Err(Error::OAuth { status, .. }) if *status >= 400 => &counters.refused,
            Err(_) => &counters.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn refresh(&self, reason: RefreshReason) {
        let counters = &*self.0;
        let counter = match reason {
            RefreshReason::Expiry => &counters.refresh_expiry,
            RefreshReason::Unauthorized => &counters.refresh_unauthorized,
            RefreshReason::Requested => &counters.refresh_requested,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn store_hit(&self) {
        self.0.store_hits.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn store_miss(&self) {
        self.0.store_misses.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn store_lock_wait(&self) {
        self.0.store_lock_waits.fetch_add(1, Ordering::Relaxed);
    }
}

impl fmt::Debug for ClientStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.snapshot(), f)
    }
}
