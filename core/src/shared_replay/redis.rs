//! [`RedisReplayStore`]: the shared replay store for callers that block (the Python and Node
//! middleware, WSGI servers, threads); `taap_gateway::RedisStore` is the async one. Both use
//! the key scheme, lifetime and restart rule of [`super`].
//!
//! One connection, used by one request at a time, every operation bounded by the deadline.
//! When it fails, requests are refused (fail closed) until a reconnect, tried after a backoff
//! that doubles from 50 ms up to 1 s, succeeds.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[cfg(test)]
use super::DEFAULT_REPLAY_STORE_DEADLINE;
use super::{redis_memory_since, shared_replay_error, ReplayEntry, RESTARTED_REASON};
use crate::error::{Error, Result};
use crate::keys::PublicKey;
use crate::request::ReceivedRequest;
use crate::token::PopToken;
use crate::validator::PopTokenValidator;

const MIN_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Why a request was not let through.
#[derive(Debug, Clone)]
pub enum SharedRefusal {
    /// The token is invalid, or its `jti` was seen before (kind `Replay`): a 401.
    Invalid(Error),
    /// The store did not answer in time or at all: a 503 naming the store (fail closed).
    Unavailable(String),
}

/// A replay store in Redis shared with every gateway, `PopLayer` and middleware that opens the
/// same database.
pub struct RedisReplayStore {
    client: redis::Client,
    deadline: Duration,
    link: Mutex<Link>,
}

struct Link {
    /// The connection and since when (epoch seconds) the server has held every key.
    connection: Option<(redis::Connection, i64)>,
    retry_at: Option<Instant>,
    backoff: Duration,
}

impl RedisReplayStore {
    /// A store on `url` (`redis://[user:password@]host:port[/db]`) whose operations must each
    /// finish within `deadline` (above 0, at most 1 s). Connects on the first request.
    pub fn open(url: &str, deadline: Duration) -> Result<Self> {
        if deadline.is_zero() || deadline > Duration::from_secs(1) {
            return Err(Error::Config("the replay store deadline must be above 0 and at most 1 s".into()));
        }
        // The parser's message may quote the URL, and the URL may hold a password.
        let client = redis::Client::open(url).map_err(|_| {
            Error::Config("the replay store URL is not a valid redis://host:port[/db] URL".into())
        })?;
        let link = Link { connection: None, retry_at: None, backoff: MIN_BACKOFF };
        Ok(RedisReplayStore { client, deadline, link: Mutex::new(link) })
    }

    /// The store's name for refusals.
    pub fn name(&self) -> &'static str {
        "redis"
    }

    /// Every check of [`PopTokenValidator::validate_request_at`], the `jti` admitted here
    /// (namespaced by the key's thumbprint) instead of in the validator's own cache.
    pub fn validate_request_at(
        &self,
        validator: &PopTokenValidator,
        key: &PublicKey,
        request: &ReceivedRequest<'_>,
        now: i64,
    ) -> std::result::Result<PopToken, SharedRefusal> {
        let token = validator.verify_request_at(key, request, now).map_err(SharedRefusal::Invalid)?;
        self.admit(&ReplayEntry::for_token(validator, &key.thumbprint(), &token, now))?;
        Ok(token)
    }

    /// Admits one entry: `SET key 1 NX EX ttl`; a key already there is a replay.
    pub fn admit(&self, entry: &ReplayEntry) -> std::result::Result<(), SharedRefusal> {
        let mut link = self.link();
        let memory_since = self.connected(&mut link)?;
        if !entry.vouched_by(memory_since) {
            return Err(SharedRefusal::Unavailable(RESTARTED_REASON.into()));
        }
        let (connection, _) = link.connection.as_mut().expect("connected above");
        let set: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(&entry.key)
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(entry.ttl_secs)
            .query(connection);
        match set {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(SharedRefusal::Invalid(shared_replay_error())),
            Err(error) if error.is_timeout() => Err(self.failed(&mut link, "Redis did not answer in time")),
            Err(error) if error.is_io_error() || error.is_connection_dropped() => {
                Err(self.failed(&mut link, "the connection to Redis was lost"))
            }
            Err(_) => Err(SharedRefusal::Unavailable("Redis refused the command".into())),
        }
    }

    fn link(&self) -> MutexGuard<'_, Link> {
        self.link.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Connects when there is no connection and the backoff allows; the server's memory start.
    fn connected(&self, link: &mut Link) -> std::result::Result<i64, SharedRefusal> {
        if let Some((_, memory_since)) = &link.connection {
            return Ok(*memory_since);
        }
        if link.retry_at.is_some_and(|at| Instant::now() < at) {
            return Err(SharedRefusal::Unavailable(
                "Redis is unreachable; waiting before reconnecting".into(),
            ));
        }
        match self.connect() {
            Ok((connection, memory_since)) => {
                *link = Link {
                    connection: Some((connection, memory_since)),
                    retry_at: None,
                    backoff: MIN_BACKOFF,
                };
                Ok(memory_since)
            }
            Err(_) => Err(self.failed(link, "Redis is unreachable")),
        }
    }

    fn connect(&self) -> redis::RedisResult<(redis::Connection, i64)> {
        let mut connection = self.client.get_connection_with_timeout(self.deadline)?;
        connection.set_read_timeout(Some(self.deadline))?;
        connection.set_write_timeout(Some(self.deadline))?;
        let info: String = redis::cmd("INFO").arg("server").query(&mut connection)?;
        Ok((connection, redis_memory_since(&info, crate::now_unix())))
    }

    /// Drops the connection, schedules the next attempt, and says why.
    fn failed(&self, link: &mut Link, reason: &str) -> SharedRefusal {
        link.connection = None;
        link.retry_at = Some(Instant::now() + link.backoff);
        link.backoff = (link.backoff * 2).min(MAX_BACKOFF);
        SharedRefusal::Unavailable(reason.into())
    }
}

impl fmt::Debug for RedisReplayStore {
    // The URL may carry a password, so it is not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayStore").field("deadline", &self.deadline).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_and_deadlines_are_config_errors_without_the_password() {
        for url in ["redis://", "http://127.0.0.1:6379", "redis://:hunter2@[::1"] {
            match RedisReplayStore::open(url, DEFAULT_REPLAY_STORE_DEADLINE) {
                Err(Error::Config(message)) => assert!(!message.contains("hunter2"), "{message}"),
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(RedisReplayStore::open("redis://127.0.0.1:1", Duration::from_secs(2)).is_err());
    }

    #[test]
    fn an_unreachable_redis_fails_closed_then_waits_before_reconnecting() {
        let store =
            RedisReplayStore::open("redis://:hunter2@127.0.0.1:1/0", DEFAULT_REPLAY_STORE_DEADLINE).unwrap();
        let entry = ReplayEntry::new("t", "j", 0, 100, 50);
        match store.admit(&entry) {
            Err(SharedRefusal::Unavailable(reason)) => assert_eq!(reason, "Redis is unreachable"),
            other => panic!("{other:?}"),
        }
        match store.admit(&entry) {
            Err(SharedRefusal::Unavailable(reason)) => {
                assert_eq!(reason, "Redis is unreachable; waiting before reconnecting")
            }
            other => panic!("{other:?}"),
        }
        assert!(!format!("{store:?}").contains("hunter2"));
    }
}
