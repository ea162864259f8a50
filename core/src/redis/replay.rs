//! [`RedisReplayStore`]: the shared replay store for callers that block (the Python and Node
//! middleware, WSGI servers, threads); [`AsyncRedisReplayStore`](super::AsyncRedisReplayStore)
//! is the one for tokio. Both use the key scheme, lifetime and restart rule of
//! [`crate::shared_replay`].
//!
//! One connection, used by one request at a time, every operation bounded by the deadline.
//! When it fails, requests are refused (fail closed) until a reconnect, tried after the
//! [`Backoff`], succeeds.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::{Backoff, SharedRefusal, LOST, NAME, REFUSED, UNREACHABLE, WAITING};
use crate::error::Result;
use crate::keys::PublicKey;
use crate::request::ReceivedRequest;
use crate::shared_replay::{redis_memory_since, shared_replay_error, ReplayEntry, RESTARTED_REASON};
use crate::token::PopToken;
use crate::validator::PopTokenValidator;

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
    backoff: Backoff,
}

impl RedisReplayStore {
    /// A store on `url` (`redis://[user:password@]host:port[/db]`) whose operations must each
    /// finish within `deadline` (above 0, at most 1 s). Connects on the first request.
    pub fn open(url: &str, deadline: Duration) -> Result<Self> {
        let deadline = super::check_deadline(deadline, 1, "replay store")?;
        let client = super::open(url, "replay store")?;
        let link = Link { connection: None, backoff: Backoff::new() };
        Ok(RedisReplayStore { client, deadline, link: Mutex::new(link) })
    }

    /// The store's name for refusals.
    pub fn name(&self) -> &'static str {
        NAME
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
            Err(error) if error.is_timeout() => Err(Self::failed(&mut link, super::late(self.deadline))),
            Err(error) if error.is_io_error() || error.is_connection_dropped() => {
                Err(Self::failed(&mut link, LOST.into()))
            }
            Err(_) => Err(SharedRefusal::Unavailable(REFUSED.into())),
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
        if link.backoff.waiting() {
            return Err(SharedRefusal::Unavailable(WAITING.into()));
        }
        match self.connect() {
            Ok((connection, memory_since)) => {
                link.connection = Some((connection, memory_since));
                link.backoff.connected();
                Ok(memory_since)
            }
            Err(_) => Err(Self::failed(link, UNREACHABLE.into())),
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
    fn failed(link: &mut Link, reason: String) -> SharedRefusal {
        link.connection = None;
        link.backoff.failed();
        SharedRefusal::Unavailable(reason)
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
    use crate::error::Error;
    use crate::shared_replay::DEFAULT_REPLAY_STORE_DEADLINE;

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
