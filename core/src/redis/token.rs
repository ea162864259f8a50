//! [`RedisTokenStore`]: the shared token store in Redis. The token is one key with an expiry
//! (`SET … PX`), the refresh lock another (`SET … NX PX` with a random owner), released by a
//! compare-and-delete script so only its owner can release it.
//!
//! Its keys (`taap:token:…`, `taap:token-lock:…`) and the decisions around them are the
//! client's (`client/store.rs`); this is only the I/O behind [`TokenStore`].
//!
//! One blocking connection per client, every command bounded by the deadline; a failed one is
//! dropped and the next operation connects again (the client meanwhile fetches by itself).

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use zeroize::Zeroizing;

use super::NAME;
use crate::client::{StoreError, TokenStore};
use crate::error::Result;

/// Longest a store operation may take before the client fetches by itself.
pub const DEFAULT_TOKEN_STORE_DEADLINE: Duration = Duration::from_millis(200);

/// Deletes the lock only if it still holds the caller's owner value.
const UNLOCK: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/// A token store in Redis (`redis://[user:password@]host:port[/db]`), shared by every client
/// that opens the same database.
pub struct RedisTokenStore {
    client: redis::Client,
    deadline: Duration,
    connection: Mutex<Option<redis::Connection>>,
}

impl RedisTokenStore {
    /// A store on `url` whose operations must finish within `deadline` (above 0, at most 5 s).
    /// Connects lazily, on the first refresh.
    pub fn open(url: &str, deadline: Duration) -> Result<Self> {
        let deadline = super::check_deadline(deadline, 5, "token store")?;
        let client = super::open(url, "token store")?;
        Ok(RedisTokenStore { client, deadline, connection: Mutex::new(None) })
    }

    fn connection(&self) -> MutexGuard<'_, Option<redis::Connection>> {
        self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `command` on the connection (connecting first if needed); a failure drops it.
    fn run<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> std::result::Result<T, StoreError> {
        let mut slot = self.connection();
        if slot.is_none() {
            *slot = Some(self.connect()?);
        }
        let connection = slot.as_mut().expect("connected above");
        command.query(connection).map_err(|error| {
            *slot = None;
            failure(&error)
        })
    }

    fn connect(&self) -> std::result::Result<redis::Connection, StoreError> {
        let connection =
            self.client.get_connection_with_timeout(self.deadline).map_err(|error| failure(&error))?;
        connection.set_read_timeout(Some(self.deadline)).map_err(|error| failure(&error))?;
        connection.set_write_timeout(Some(self.deadline)).map_err(|error| failure(&error))?;
        Ok(connection)
    }
}

impl TokenStore for RedisTokenStore {
    fn name(&self) -> &'static str {
        NAME
    }

    fn get(&self, key: &str) -> std::result::Result<Option<Zeroizing<String>>, StoreError> {
        let value: Option<String> = self.run(redis::cmd("GET").arg(key))?;
        Ok(value.map(Zeroizing::new))
    }

    fn put(&self, key: &str, value: &str, ttl: Duration) -> std::result::Result<(), StoreError> {
        self.run::<()>(redis::cmd("SET").arg(key).arg(value).arg("PX").arg(millis(ttl)))
    }

    fn try_lock(&self, key: &str, owner: &str, ttl: Duration) -> std::result::Result<bool, StoreError> {
        let set: Option<String> =
            self.run(redis::cmd("SET").arg(key).arg(owner).arg("NX").arg("PX").arg(millis(ttl)))?;
        Ok(set.is_some())
    }

    fn unlock(&self, key: &str, owner: &str) -> std::result::Result<(), StoreError> {
        self.run::<i64>(redis::cmd("EVAL").arg(UNLOCK).arg(1).arg(key).arg(owner)).map(drop)
    }
}

impl fmt::Debug for RedisTokenStore {
    // The URL may carry a password, so it is not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore").field("deadline", &self.deadline).finish_non_exhaustive()
    }
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// What went wrong, in words that cannot carry the URL or a password.
fn failure(error: &redis::RedisError) -> StoreError {
    let what = if error.is_timeout() {
        "it did not answer in time"
    } else if error.is_connection_refusal() {
        "it refused the connection"
    } else if error.is_io_error() || error.is_connection_dropped() {
        "the connection failed"
    } else {
        "it refused the command"
    };
    StoreError(what.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn bad_urls_and_deadlines_are_config_errors_without_the_password() {
        for url in ["redis://", "http://127.0.0.1:6379", "redis://:hunter2@[::1"] {
            match RedisTokenStore::open(url, DEFAULT_TOKEN_STORE_DEADLINE) {
                Err(Error::Config(message)) => assert!(!message.contains("hunter2"), "{message}"),
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(matches!(
            RedisTokenStore::open("redis://127.0.0.1:1", Duration::ZERO),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn an_unreachable_redis_is_a_store_error_naming_no_password() {
        let store =
            RedisTokenStore::open("redis://:hunter2@127.0.0.1:1/0", DEFAULT_TOKEN_STORE_DEADLINE).unwrap();
        let error = store.get("taap:token:x").unwrap_err();
        assert_eq!(error.0, "it refused the connection");
        assert!(!format!("{store:?}").contains("hunter2"));
    }
}
