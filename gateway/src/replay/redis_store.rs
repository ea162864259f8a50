//! [`RedisStore`]: the replay store a fleet of gateways shares. Each `jti` is admitted with
//! one atomic `SET key 1 NX EX <remaining lifetime>`, so two nodes racing on the same token
//! cannot both win; the key holds only a hash of the `jti`, under the client's namespace.
//! The key scheme, lifetime and restart rule are the core's ([`taap::ReplayEntry`]), shared
//! with the blocking [`taap::RedisReplayStore`] the Python and Node middleware use.
//!
//! Redis keeps the keys in memory: a restart may lose them (always, without persistence), and
//! a token accepted before could then be replayed. So each (re)connection reads how long the
//! server has been up, and tokens that may have been made before it started are refused with
//! 503 (for at most the validator's leeway after a restart).
//!
//! One multiplexed connection serves every request (pipelined, so no pool to size). When it
//! breaks or Redis is slow, requests fail closed until a reconnect, tried by one request at a
//! time after a backoff that doubles up to [`MAX_BACKOFF`], succeeds.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::AsyncConnectionConfig;
use taap::ReplayEntry;

use super::{check_deadline, Admission, AdmitFuture, ReplayError, ReplayStore};
use crate::config::config_error;

/// Longest a request waits for Redis before it is refused with 503 (the core's, which the
/// Python and Node middleware use too).
pub const DEFAULT_STORE_DEADLINE: Duration = taap::DEFAULT_REPLAY_STORE_DEADLINE;
/// First pause before reconnecting after a failure.
const MIN_BACKOFF: Duration = Duration::from_millis(50);
/// Longest pause between reconnect attempts (bounds the time to recover once Redis is back).
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// A replay store in Redis, shared by every gateway and [`PopLayer`](crate::PopLayer) that
/// opens the same database.
pub struct RedisStore {
    client: redis::Client,
    deadline: Duration,
    link: Mutex<Link>,
    /// Held by the one request that reconnects; the others wait for it within their deadline.
    connecting: tokio::sync::Mutex<()>,
}

struct Link {
    connection: Option<Connected>,
    retry_at: Option<Instant>,
    backoff: Duration,
}

/// A live connection, and since when (epoch seconds) the server has remembered every key.
#[derive(Clone)]
struct Connected {
    connection: MultiplexedConnection,
    memory_since: i64,
}

impl RedisStore {
    /// A store on `url` (`redis://[user:password@]host:port[/db]`) whose answers must come
    /// within `deadline` (above 0, at most 1 s). Connects lazily, on the first request.
    pub fn open(url: &str, deadline: Duration) -> taap::Result<Self> {
        let deadline = check_deadline(deadline)?;
        let client = redis::Client::open(url)
            .map_err(|_| config_error("the replay store URL is not a valid redis://host:port[/db] URL"))?;
        Ok(RedisStore {
            client,
            deadline,
            link: Mutex::new(Link { connection: None, retry_at: None, backoff: MIN_BACKOFF }),
            connecting: tokio::sync::Mutex::new(()),
        })
    }

    /// The deadline each request gets.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    fn link(&self) -> MutexGuard<'_, Link> {
        self.link.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn admit_now(&self, entry: ReplayEntry) -> Result<(), ReplayError> {
        let Connected { mut connection, memory_since } = self.connection().await?;
        if !entry.vouched_by(memory_since) {
            return Err(unavailable(taap::RESTARTED_REASON));
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
            Ok(None) => Err(ReplayError::Replayed(taap::shared_replay_error())),
            Err(error) => {
                if error.is_io_error() || error.is_connection_dropped() || error.is_timeout() {
                    self.failed();
                    return Err(unavailable("the connection to Redis was lost"));
                }
                Err(unavailable("Redis refused the command"))
            }
        }
    }

    /// The live connection, or a fresh one when the backoff allows; else a refusal.
    async fn connection(&self) -> Result<Connected, ReplayError> {
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
            if link.retry_at.is_some_and(|at| Instant::now() < at) {
                return Err(unavailable("Redis is unreachable; waiting before reconnecting"));
            }
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.deadline))
            .set_response_timeout(Some(self.deadline));
        match connect(&self.client, &config).await {
            Ok(connected) => {
                let mut link = self.link();
                link.connection = Some(connected.clone());
                link.retry_at = None;
                link.backoff = MIN_BACKOFF;
                Ok(connected)
            }
            Err(_) => {
                self.failed();
                Err(unavailable("Redis is unreachable"))
            }
        }
    }

    /// Drops the connection and schedules the next attempt.
    fn failed(&self) {
        let mut link = self.link();
        link.connection = None;
        link.retry_at = Some(Instant::now() + link.backoff);
        link.backoff = (link.backoff * 2).min(MAX_BACKOFF);
    }
}

impl ReplayStore for RedisStore {
    fn name(&self) -> &'static str {
        "redis"
    }

    fn admit<'a>(&'a self, admission: Admission<'a>) -> AdmitFuture<'a> {
        let entry = ReplayEntry::new(
            admission.namespace,
            admission.jti,
            admission.issued_after,
            admission.forget_after,
            admission.now,
        );
        Box::pin(async move {
            match tokio::time::timeout(self.deadline, self.admit_now(entry)).await {
                Ok(result) => result,
                Err(_) => {
                    // A hung connection would hold every later request to the deadline too.
                    self.failed();
                    Err(unavailable(format!("Redis did not answer within {} ms", self.deadline.as_millis())))
                }
            }
        })
    }
}

impl fmt::Debug for RedisStore {
    // The URL may carry a password, so it is not shown.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("RedisStore")
            .field("deadline", &self.deadline)
            .field("connected", &self.link().connection.is_some())
            .finish_non_exhaustive()
    }
}

/// A connection, and the epoch second from which the server has surely held every key (its
/// start, rounded up: `uptime_in_seconds` is truncated).
async fn connect(client: &redis::Client, config: &AsyncConnectionConfig) -> redis::RedisResult<Connected> {
    let mut connection = client.get_multiplexed_async_connection_with_config(config).await?;
    let info: String = redis::cmd("INFO").arg("server").query_async(&mut connection).await?;
    Ok(Connected { connection, memory_since: taap::redis_memory_since(&info, taap::now_unix()) })
}

fn unavailable(reason: impl Into<String>) -> ReplayError {
    ReplayError::Unavailable { store: "redis", reason: reason.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_and_deadlines_are_config_errors() {
        assert!(matches!(RedisStore::open("redis://", DEFAULT_STORE_DEADLINE), Err(taap::Error::Config(_))));
        assert!(matches!(
            RedisStore::open("redis://127.0.0.1:1", Duration::ZERO),
            Err(taap::Error::Config(_))
        ));
    }

    #[tokio::test]
    async fn an_unreachable_redis_fails_closed() {
        let store = RedisStore::open("redis://127.0.0.1:1", DEFAULT_STORE_DEADLINE).unwrap();
        match store.admit(crate::replay::admission("client", 50)).await {
            Err(ReplayError::Unavailable { store, .. }) => assert_eq!(store, "redis"),
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }
}
