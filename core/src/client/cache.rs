//! The cached access token and the rule that only one thread refreshes it at a time.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

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
}

/// Holds the access token; `refresh` serialises fetches (one request however many callers).
pub(crate) struct TokenCache {
    margin: Duration,
    state: Mutex<State>,
    refresh: Mutex<()>,
}

impl TokenCache {
    pub(crate) fn new(margin: Duration) -> Self {
        TokenCache { margin, state: Mutex::default(), refresh: Mutex::new(()) }
    }

    /// The cached token while it is fresh, else one fetched by `fetch` (by this caller or by
    /// the one already fetching).
    pub(crate) fn get_or_refresh(&self, fetch: impl FnOnce() -> Result<AccessToken>) -> Result<Cached> {
        let seen_generation = {
            let state = lock(&self.state);
            if let Some(cached) = state.current.as_ref().filter(|cached| self.is_fresh(&cached.token)) {
                return Ok(cached.clone());
            }
            state.generation
        };
        let _refreshing = lock(&self.refresh);
        {
            let state = lock(&self.state);
            if state.generation != seen_generation {
                if let Some((generation, error)) = &state.last_failure {
                    if *generation == state.generation {
                        return Err(error.clone());
                    }
                }
                if let Some(cached) = state.current.as_ref().filter(|cached| self.is_fresh(&cached.token)) {
                    return Ok(cached.clone());
                }
            }
        }
        let outcome = fetch();
        let mut state = lock(&self.state);
        state.generation += 1;
        let generation = state.generation;
        match outcome {
            Ok(token) => {
                let cached = Cached { token, generation };
                state.current = Some(cached.clone());
                state.last_failure = None;
                Ok(cached)
            }
            Err(error) => {
                state.last_failure = Some((generation, error.clone()));
                Err(error)
            }
        }
    }

    /// Forgets the token of `generation` after the server refused it (a newer one is kept).
    pub(crate) fn invalidate(&self, generation: u64) {
        let mut state = lock(&self.state);
        if state.current.as_ref().is_some_and(|cached| cached.generation == generation) {
            state.current = None;
        }
    }

    /// The generation of the cached token, if there is one.
    pub(crate) fn current_generation(&self) -> Option<u64> {
        lock(&self.state).current.as_ref().map(|cached| cached.generation)
    }

    /// Fresh means: not within the refresh margin of expiry. Short-lived tokens use half
    /// their life as the margin, so a margin longer than the lifetime cannot mean "always stale".
    fn is_fresh(&self, token: &AccessToken) -> bool {
        let lifetime = Duration::from_secs(token.expires_in());
        let margin = self.margin.min(lifetime / 2);
        token.expires_at().checked_sub(margin).is_some_and(|refresh_at| Instant::now() < refresh_at)
    }
}

/// A poisoned lock only means another caller panicked; the cached data is still consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
