//! The cached access token and the rule that only one thread refreshes it at a time.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::stats::{ClientStats, RefreshReason};
use super::token::AccessToken;
use crate::error::Result;

/// A cached token, numbered so a caller can say which one the server rejected.
#[derive(Clone)]
pub(crate) struct Cached {
    pub(crate) token: AccessToken,
    pub(crate) generation: u64,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    generation: u64,
    /// The outcome of the latest refresh, so callers queued behind a failing refresh get its
    /// error instead of each hitting the server again.
    last_failure: Option<(u64, crate::Error)>,
    /// The hash of the token last dropped as refused, so a shared store cannot hand it back.
    refused: Option<[u8; 32]>,
    /// Why the cached token was dropped, until a new one is in (the next fetch's reason).
    dropped: Option<RefreshReason>,
}

impl State {
    /// Why a fetch now would replace a token: the cached one is due, or was dropped; `None`
    /// for the client's first token.
    fn refresh_reason(&self) -> Option<RefreshReason> {
        match self.current {
            Some(_) => Some(RefreshReason::Expiry),
            None => self.dropped,
        }
    }
}

/// Which token generation a caller saw stale; after waiting its turn to refresh, a newer
/// generation means someone else already refreshed.
#[derive(Clone, Copy)]
pub(crate) struct Ticket(u64);

/// Holds the access token. The decisions live here; the lock that lets one caller refresh
/// at a time belongs to the driver (a thread mutex or an async one), see [`TokenCache::get_or_refresh`].
pub(crate) struct TokenCache {
    margin: Duration,
    state: Mutex<State>,
    stats: ClientStats,
}

impl TokenCache {
    pub(crate) fn new(margin: Duration, stats: ClientStats) -> Self {
        TokenCache { margin, state: Mutex::default(), stats }
    }

    /// The blocking driver: the cached token while it is fresh, else one fetched by `fetch`
    /// (by this caller or by the one already fetching while holding `refresh`).
    pub(crate) fn get_or_refresh(
        &self,
        refresh: &Mutex<()>,
        fetch: impl FnOnce() -> Result<AccessToken>,
    ) -> Result<Cached> {
        let ticket = match self.lookup() {
            Ok(cached) => return Ok(cached),
            Err(ticket) => ticket,
        };
        let _refreshing = lock(refresh);
        if let Some(outcome) = self.joined(ticket) {
            return outcome;
        }
        self.settle(fetch())
    }

    /// The fresh cached token, or the ticket to queue for a refresh with.
    pub(crate) fn lookup(&self) -> std::result::Result<Cached, Ticket> {
        let state = lock(&self.state);
        match state.current.as_ref().filter(|cached| self.is_fresh(&cached.token)) {
            Some(cached) => Ok(cached.clone()),
            None => Err(Ticket(state.generation)),
        }
    }

    /// Once it is this caller's turn to refresh: the outcome of a refresh made while it
    /// waited (a fresh token, or that refresh's error), or `None` when it must fetch itself
    /// (counted as a refresh when it replaces a token).
    pub(crate) fn joined(&self, ticket: Ticket) -> Option<Result<Cached>> {
        let state = lock(&self.state);
        if state.generation != ticket.0 {
            if let Some((generation, error)) = &state.last_failure {
                if *generation == state.generation {
                    return Some(Err(error.clone()));
                }
            }
            if let Some(cached) = state.current.as_ref().filter(|cached| self.is_fresh(&cached.token)) {
                return Some(Ok(cached.clone()));
            }
        }
        if let Some(reason) = state.refresh_reason() {
            self.stats.refresh(reason);
        }
        None
    }

    /// Records a fetch's outcome as the new generation.
    pub(crate) fn settle(&self, outcome: Result<AccessToken>) -> Result<Cached> {
        let mut state = lock(&self.state);
        state.generation += 1;
        let generation = state.generation;
        match outcome {
            Ok(token) => {
                let cached = Cached { token, generation };
                state.current = Some(cached.clone());
                state.last_failure = None;
                state.refused = None;
                state.dropped = None;
                Ok(cached)
            }
            Err(error) => {
                state.last_failure = Some((generation, error.clone()));
                Err(error)
            }
        }
    }

    /// Forgets the cached token, whichever it is (an explicit refresh).
    pub(crate) fn invalidate_current(&self) {
        if let Some(generation) = self.current_generation() {
            self.drop_token(generation, RefreshReason::Requested);
        }
    }

    /// Forgets the token of `generation` after the server refused it (a newer one is kept).
    pub(crate) fn invalidate(&self, generation: u64) {
        self.drop_token(generation, RefreshReason::Unauthorized);
    }

    /// Forgets `token` after an API answered 401 to it, if it is still the cached one (a
    /// token fetched since is kept, so callers refused together refresh once).
    pub(crate) fn invalidate_token(&self, token: &AccessToken) {
        let hash = super::store::secret_hash(token);
        let generation = lock(&self.state)
            .current
            .as_ref()
            .filter(|cached| super::store::secret_hash(&cached.token) == hash)
            .map(|cached| cached.generation);
        if let Some(generation) = generation {
            self.invalidate(generation);
        }
    }

    fn drop_token(&self, generation: u64, reason: RefreshReason) {
        let mut state = lock(&self.state);
        if let Some(cached) = state.current.take_if(|cached| cached.generation == generation) {
            state.refused = Some(super::store::secret_hash(&cached.token));
            state.dropped = Some(reason);
        }
    }

    /// The token last dropped as refused (by its hash), if any since the last refresh.
    pub(crate) fn refused(&self) -> Option<[u8; 32]> {
        lock(&self.state).refused
    }

    /// The generation of the cached token, if there is one.
    fn current_generation(&self) -> Option<u64> {
        lock(&self.state).current.as_ref().map(|cached| cached.generation)
    }

    /// Fresh means: not within the refresh margin of expiry. Short-lived tokens use half
    /// their life as the margin, so a margin longer than the lifetime cannot mean "always stale".
    fn is_fresh(&self, token: &AccessToken) -> bool {
        super::store::is_fresh(token, self.margin)
    }
}

/// A poisoned lock only means another caller panicked; the cached data is still consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
