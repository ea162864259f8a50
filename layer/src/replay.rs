//! Replay stores: where accepted PoP `jti`s are remembered until their tokens would be refused
//! on time anyway. One process can use [`MemoryStore`]; a fleet of services must share one
//! store (`RedisStore`, feature `redis`), or a token replayed on a neighbour is accepted there.
//!
//! A store that cannot answer in time fails closed: the request is refused with 503
//! ([`ReplayError::Unavailable`]), never accepted.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use taap::validate::ReplayCache;

/// The Redis store every node of a fleet shares: the core's [`taap::validate::AsyncRedisReplayStore`]
/// (one multiplexed connection, fail closed, restart-aware), a [`ReplayStore`] here.
#[cfg(feature = "redis")]
pub use taap::validate::AsyncRedisReplayStore as RedisStore;

/// Longest a request waits for a shared store before it is refused with 503 (the core's, which
/// the Python and Node middleware use too).
pub const DEFAULT_STORE_DEADLINE: Duration = taap::validate::DEFAULT_REPLAY_STORE_DEADLINE;

/// The future a [`ReplayStore`] returns.
pub type AdmitFuture<'a> = Pin<Box<dyn Future<Output = Result<(), ReplayError>> + Send + 'a>>;

/// Why a `jti` was not admitted.
#[derive(Debug)]
pub enum ReplayError {
    /// The `jti` was seen before (or the store refuses more): a 401 with kind `Replay`.
    Replayed(taap::Error),
    /// The store did not answer in time or at all: a 503 naming the store.
    Unavailable {
        /// The store's name, e.g. `redis`.
        store: &'static str,
        /// What went wrong, without credentials.
        reason: String,
    },
}

/// One token to admit; times in epoch seconds.
#[derive(Debug, Clone, Copy)]
pub struct Admission<'a> {
    /// The client's namespace, e.g. its key thumbprint.
    pub namespace: &'a str,
    /// The token's `jti`.
    pub jti: &'a str,
    /// The earliest the token can have been made (`iat` less the leeway): a store that lost
    /// its memory after this may have admitted it already.
    pub issued_after: i64,
    /// When the `jti` may be forgotten (the validator refuses the token on time from then).
    pub forget_after: i64,
    /// Now.
    pub now: i64,
}

/// Remembers the `jti`s of accepted PoP tokens, per client, until they expire.
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// A short name for errors, e.g. `memory` or `redis`.
    fn name(&self) -> &'static str;

    /// Admits the token's `jti`; [`ReplayError::Replayed`] when it was admitted before.
    fn admit<'a>(&'a self, admission: Admission<'a>) -> AdmitFuture<'a>;
}

/// The in-process store: a bounded [`ReplayCache`], shared by clones of its `Arc`.
#[derive(Debug)]
pub struct MemoryStore {
    cache: ReplayCache,
}

impl MemoryStore {
    /// A store remembering at most `capacity` live `jti`s (refusing beyond, failing closed).
    pub fn new(capacity: usize) -> Self {
        MemoryStore { cache: ReplayCache::new(capacity) }
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(taap::validate::DEFAULT_REPLAY_CAPACITY)
    }
}

impl ReplayStore for MemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn admit<'a>(&'a self, admission: Admission<'a>) -> AdmitFuture<'a> {
        let result = self
            .cache
            .admit(admission.namespace, admission.jti, admission.forget_after, admission.now)
            .map_err(ReplayError::Replayed);
        Box::pin(std::future::ready(result))
    }
}

#[cfg(feature = "redis")]
impl ReplayStore for RedisStore {
    fn name(&self) -> &'static str {
        RedisStore::name(self)
    }

    fn admit<'a>(&'a self, admission: Admission<'a>) -> AdmitFuture<'a> {
        let entry = taap::validate::ReplayEntry::new(
            admission.namespace,
            admission.jti,
            admission.issued_after,
            admission.forget_after,
            admission.now,
        );
        Box::pin(async move {
            RedisStore::admit(self, &entry).await.map_err(|refusal| match refusal {
                taap::validate::SharedRefusal::Invalid(error) => ReplayError::Replayed(error),
                taap::validate::SharedRefusal::Unavailable(reason) => {
                    ReplayError::Unavailable { store: "redis", reason }
                }
            })
        })
    }
}

/// The store a `--replay-store` value names: `memory`, or (feature `redis`)
/// `redis://host:port[/db]`, answering within [`DEFAULT_STORE_DEADLINE`].
pub fn store_from_url(url: &str) -> taap::Result<Arc<dyn ReplayStore>> {
    if url == "memory" {
        return Ok(Arc::new(MemoryStore::default()));
    }
    #[cfg(feature = "redis")]
    if url.starts_with("redis://") {
        return Ok(Arc::new(RedisStore::open(url, DEFAULT_STORE_DEADLINE)?));
    }
    let message = if cfg!(feature = "redis") {
        "the replay store must be `memory` or a redis://host:port[/db] URL"
    } else {
        "the replay store must be `memory` (this build of taap-tower has no `redis` feature)"
    };
    Err(taap::Error::Config(message.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission<'a>(namespace: &'a str, now: i64) -> Admission<'a> {
        Admission { namespace, jti: "jti", issued_after: 40, forget_after: 100, now }
    }

    #[tokio::test]
    async fn memory_store_namespaces_per_client() {
        let store = MemoryStore::new(10);
        store.admit(admission("client-a", 50)).await.unwrap();
        store.admit(admission("client-b", 50)).await.unwrap();
        match store.admit(admission("client-a", 51)).await {
            Err(ReplayError::Replayed(error)) => assert_eq!(error.kind(), taap::ErrorKind::Replay),
            other => panic!("expected a replay, got {other:?}"),
        }
    }

    #[test]
    fn unknown_store_urls_are_config_errors() {
        for url in ["", "redis", "http://127.0.0.1:6379", "memcached://x"] {
            assert!(matches!(store_from_url(url), Err(taap::Error::Config(_))), "{url}");
        }
    }

    #[cfg(feature = "redis")]
    #[tokio::test]
    async fn an_unreachable_redis_fails_closed_naming_the_store() {
        let store = RedisStore::open("redis://127.0.0.1:1", DEFAULT_STORE_DEADLINE).unwrap();
        assert_eq!(ReplayStore::name(&store), "redis");
        match ReplayStore::admit(&store, admission("client", 50)).await {
            Err(ReplayError::Unavailable { store, reason }) => {
                assert_eq!((store, reason.as_str()), ("redis", "Redis is unreachable"))
            }
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }
}
