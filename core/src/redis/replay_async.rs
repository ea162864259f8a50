//! [`AsyncRedisReplayStore`]: the replay store a fleet of tokio gateways shares. Each `jti` is
//! admitted with one atomic `SET key 1 NX EX <remaining lifetime>`, so two nodes racing on the
//! same token cannot both win; the key holds only a hash of the `jti`, under the client's
//! namespace. The key scheme, lifetime and restart rule are [`crate::shared_replay`]'s, shared
//! with the blocking [`RedisReplayStore`](super::RedisReplayStore).
//!
//! Redis keeps the keys in memory: a restart may lose them (always, without persistence), and
//! a token accepted before could then be replayed. So each (re)connection reads how long the
//! server has been up, and tokens that may have been made before it started are refused as
//! unavailable (for at most the validator's leeway after a restart).
//!
//! One multiplexed connection serves every request (pipelined, so no pool to size). When it
//! breaks or Redis is slow, requests fail closed until a reconnect, tried by one request at a
//! time after the [`Backoff`], succeeds.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::AsyncConnectionConfig;

use super::{Backoff, SharedRefusal, LOST, NAME, REFUSED, UNREACHABLE, WAITING};
use crate::error::Result;
use crate::shared_replay::{redis_memory_since, shared_replay_error, ReplayEntry, RESTARTED_REASON};

/// A replay store in Redis for async (tokio) callers, shared by every gateway, `PopLayer` and
/// middleware that opens the same database.
pub struct AsyncRedisReplayStore {
    client: redis::Client,
    deadline: Duration,
    link: Mutex<Link>,
    /// Held by the one request that reconnects; the others wait for it within their deadline.
    connecting: tokio::sync::Mutex<()>,
}

struct Link {
    connection: Option<Connected>,
    backoff: Backoff,
}

/// A live connection, and since when (epoch seconds) the server has remembered every key.
#[derive(Clone)]
struct Connected {
    connection: MultiplexedConnection,
    memory_since: i64,
}

impl AsyncRedisReplayStore {
    /// A store on `url` (`redis://[user:password@]host:port[/db]`) whose answers must come
    /// within `deadline` (above 0, at most 1 s). Connects lazily, on the first request.
    pub fn open(url: &str, deadline: Duration) -> Result<Self> {
        let deadline = super::check_deadline(deadline, 1, "replay store")?;
        let client = super::open(url, "replay store")?;
        Ok(AsyncRedisReplayStore {
            client,
            deadline,
            link: Mutex::new(Link { connection: None, backoff: Backoff::new() }),
            connecting: tokio::sync::Mutex::new(()),
        })
    }

    /// The store's name for refusals.
    pub fn name(&self) -> &'static str {
        NAME
    }

    /// The deadline each request gets.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Admits one entry within the deadline: `SET key 1 NX EX ttl`; a key already there is a
    /// replay. Needs a tokio runtime with its timer.
    pub async fn admit(&self, entry: &ReplayEntry) -> std::result::Result<(), SharedRefusal> {
        match tokio::time::timeout(self.deadline, self.admit_now(entry)).await {
            Ok(result) => result,
            Err(_) => {
                // A hung connection would hold every later request to the deadline too.
                self.failed();
                Err(SharedRefusal::Unavailable(super::late(self.deadline)))
            }
        }
    }

    fn link(&self) -> MutexGuard<'_, Link> {
        self.link.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn admit_now(&self, entry: &ReplayEntry) -> std::result::Result<(), SharedRefusal> {
        let Connected { mut connection, memory_since } = self.connection().await?;
        if !entry.vouched_by(memory_since) {
            return Err(SharedRefusal::Unavailable(RESTARTED_REASON.into()));
        }
        let set: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(&entry.key)
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(entry.ttl_secs)
            .query_async(&mut connection)
            .await;
        match set {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(SharedRefusal::Invalid(shared_replay_error())),
            Err(error) if error.is_io_error() || error.is_connection_dropped() || error.is_timeout() => {
                self.failed();
                Err(SharedRefusal::Unavailable(LOST.into()))
            }
            Err(_) => Err(SharedRefusal::Unavailable(REFUSED.into())),
        }
    }

    /// The live connection, or a fresh one when the backoff allows; else a refusal.
    async fn connection(&self) -> std::result::Result<Connected, SharedRefusal> {
        if let Some(connection) = self.link().connection.clone() {
            return Ok(connection);
        }
        // Requests queue behind the one connecting (each within its own deadline), so a burst
        // at start-up shares one connection instead of failing.
        let _connecting = self.connecting.lock().await;
        {
            let link = self.link();
            if let Some(connection) = link.connection.clone() {
                return Ok(connection);
            }
            if link.backoff.waiting() {
                return Err(SharedRefusal::Unavailable(WAITING.into()));
            }
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.deadline))
            .set_response_timeout(Some(self.deadline));
        match connect(&self.client, &config).await {
            Ok(connected) => {
                let mut link = self.link();
                link.connection = Some(connected.clone());
                link.backoff.connected();
                Ok(connected)
            }
            Err(_) => {
                self.failed();
                Err(SharedRefusal::Unavailable(UNREACHABLE.into()))
            }
        }
    }

    /// Drops the connection and schedules the next attempt.
    fn failed(&self) {
        let mut link = self.link();
        link.connection = None;
        link.backoff.failed();
    }
}

impl fmt::Debug for AsyncRedisReplayStore {
    // The URL may carry a password, so it is not shown.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("AsyncRedisReplayStore")
            .field("deadline", &self.deadline)
            .field("connected", &self.link().connection.is_some())
            .finish_non_exhaustive()
    }
}

/// A connection, and the epoch second from which the server has surely held every key.
async fn connect(client: &redis::Client, config: &AsyncConnectionConfig) -> redis::RedisResult<Connected> {
    let mut connection = client.get_multiplexed_async_connection_with_config(config).await?;
    let info: String = redis::cmd("INFO").arg("server").query_async(&mut connection).await?;
    Ok(Connected { connection, memory_since: redis_memory_since(&info, crate::now_unix()) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::shared_replay::DEFAULT_REPLAY_STORE_DEADLINE;

    #[test]
    fn bad_urls_and_deadlines_are_config_errors() {
        let open = AsyncRedisReplayStore::open;
        assert!(matches!(open("redis://", DEFAULT_REPLAY_STORE_DEADLINE), Err(Error::Config(_))));
        assert!(matches!(open("redis://127.0.0.1:1", Duration::ZERO), Err(Error::Config(_))));
    }

    #[test]
    fn an_unreachable_redis_fails_closed_then_waits_before_reconnecting() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let store =
            AsyncRedisReplayStore::open("redis://:hunter2@127.0.0.1:1/0", DEFAULT_REPLAY_STORE_DEADLINE)
                .unwrap();
        let entry = ReplayEntry::new("t", "j", 0, 100, 50);
        for expected in [UNREACHABLE, WAITING] {
            match runtime.block_on(store.admit(&entry)) {
                Err(SharedRefusal::Unavailable(reason)) => assert_eq!(reason, expected),
                other => panic!("{other:?}"),
            }
        }
        assert!(!format!("{store:?}").contains("hunter2"));
    }
}
