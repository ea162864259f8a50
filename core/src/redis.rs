//! Every Redis store of taap, in one place (feature `redis`):
//!
//! - [`RedisReplayStore`]: the shared replay store for validators that block (the Python and
//!   Node middleware, WSGI servers, threads);
//! - [`AsyncRedisReplayStore`] (feature `redis-async`): the same store for tokio, one
//!   multiplexed connection for every request (`taap serve --replay-store`, and `taap-tower`'s
//!   `PopLayer` through its `RedisStore`);
//! - [`RedisTokenStore`] (with `client`): the access token a client fleet shares.
//!
//! The key scheme, lifetime and restart rule of the replay stores are
//! [`crate::shared_replay`]'s (`taap:replay:…`), the token store's keys are the client's
//! (`taap:token:…`, `taap:token-lock:…`). What the stores share is written here once: opening
//! a URL without echoing its password, the deadline bounds, the reconnect backoff and the
//! reasons a replay store gives when it cannot vouch for a token.

#[cfg(feature = "client")]
mod token;

mod replay;
#[cfg(feature = "redis-async")]
mod replay_async;

use std::time::{Duration, Instant};

pub use self::replay::RedisReplayStore;
#[cfg(feature = "redis-async")]
pub use self::replay_async::AsyncRedisReplayStore;
#[cfg(feature = "client")]
pub use self::token::{RedisTokenStore, DEFAULT_TOKEN_STORE_DEADLINE};

use crate::error::{Error, Result};

/// The store's name in refusals, warnings and `Debug` output.
pub(crate) const NAME: &str = "redis";

/// Why a replay store could not vouch for a token: nothing answers at the URL.
pub(crate) const UNREACHABLE: &str = "Redis is unreachable";
/// Why: the last attempt failed and the backoff has not run out.
pub(crate) const WAITING: &str = "Redis is unreachable; waiting before reconnecting";
/// Why: the connection broke during the command.
pub(crate) const LOST: &str = "the connection to Redis was lost";
/// Why: Redis answered the command with an error (e.g. a wrong password, a read-only replica).
pub(crate) const REFUSED: &str = "Redis refused the command";

/// Why: Redis took longer than the store's `deadline`.
pub(crate) fn late(deadline: Duration) -> String {
    format!("Redis did not answer within {} ms", deadline.as_millis())
}

/// Why a request was not let through by a shared replay store.
#[derive(Debug, Clone)]
pub enum SharedRefusal {
    /// The token is invalid, or its `jti` was seen before (kind `Replay`): a 401.
    Invalid(Error),
    /// The store did not answer in time or at all: a 503 naming the store (fail closed).
    Unavailable(String),
}

/// The client for `url` (`redis://[user:password@]host:port[/db]`), refused as a `Config`
/// error naming `store` (e.g. `replay store`) but never the URL: it may hold a password.
pub(crate) fn open(url: &str, store: &str) -> Result<redis::Client> {
    redis::Client::open(url)
        .map_err(|_| Error::Config(format!("the {store} URL is not a valid redis://host:port[/db] URL")))
}

/// `deadline` if it is above 0 and at most `max_secs` seconds: a store slower than that would
/// stall every request (or refresh) that waits for it.
pub(crate) fn check_deadline(deadline: Duration, max_secs: u64, store: &str) -> Result<Duration> {
    if deadline.is_zero() || deadline > Duration::from_secs(max_secs) {
        return Err(Error::Config(format!("the {store} deadline must be above 0 and at most {max_secs} s")));
    }
    Ok(deadline)
}

/// When a replay store may try to reconnect: after a failure it waits, the pause doubling
/// from 50 ms up to 1 s (which bounds the recovery once Redis is back); a success resets it.
#[derive(Debug)]
pub(crate) struct Backoff {
    retry_at: Option<Instant>,
    pause: Duration,
}

impl Backoff {
    const MIN: Duration = Duration::from_millis(50);
    const MAX: Duration = Duration::from_secs(1);

    /// No failure yet: connect at once.
    pub(crate) fn new() -> Self {
        Backoff { retry_at: None, pause: Backoff::MIN }
    }

    /// Whether the pause after the last failure is still running.
    pub(crate) fn waiting(&self) -> bool {
        self.retry_at.is_some_and(|at| Instant::now() < at)
    }

    /// A connection failed: schedules the next attempt, the pause after it twice as long.
    pub(crate) fn failed(&mut self) {
        self.retry_at = Some(Instant::now() + self.pause);
        self.pause = (self.pause * 2).min(Backoff::MAX);
    }

    /// A connection succeeded: the next failure waits the shortest pause again.
    pub(crate) fn connected(&mut self) {
        *self = Backoff::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_deadlines_are_refused_without_the_password() {
        for url in ["redis://", "http://127.0.0.1:6379", "redis://:hunter2@[::1"] {
            match open(url, "replay store") {
                Err(Error::Config(message)) => {
                    assert!(!message.contains("hunter2"), "{message}");
                    assert!(message.starts_with("the replay store URL is not"), "{message}");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(check_deadline(Duration::ZERO, 1, "replay store").is_err());
        let message = check_deadline(Duration::from_secs(2), 1, "replay store").unwrap_err().to_string();
        assert!(message.ends_with("the replay store deadline must be above 0 and at most 1 s"), "{message}");
        assert!(check_deadline(Duration::from_secs(5), 5, "token store").is_ok());
    }

    #[test]
    fn the_backoff_doubles_up_to_a_second_and_resets() {
        let mut backoff = Backoff::new();
        assert!(!backoff.waiting());
        for expected in [100, 200, 400, 800, 1000, 1000] {
            backoff.failed();
            assert!(backoff.waiting());
            assert_eq!(backoff.pause, Duration::from_millis(expected));
        }
        backoff.connected();
        assert!(!backoff.waiting());
        assert_eq!(backoff.pause, Backoff::MIN);
    }
}
