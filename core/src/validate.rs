//! The gateway side: validating a received request's PoP token, the clients' key sources, the replay caches and the shared replay stores.

pub use crate::gate::{Answer, Keys, PopGate};
#[cfg(feature = "client")]
pub use crate::jwks::{JwksOptions, JwksUrl};
pub use crate::key_set::{request_kid, token_kid, ClientKey, KeyFile, KeySet, KEY_FILE_CHECK_INTERVAL};
pub use crate::key_source::KeySource;
#[cfg(feature = "redis-async")]
pub use crate::redis::AsyncRedisReplayStore;
#[cfg(feature = "redis")]
pub use crate::redis::{RedisReplayStore, SharedRefusal};
pub use crate::shared_replay::{
    redis_memory_since, replay_store_unavailable, shared_replay_error, ReplayEntry,
    DEFAULT_REPLAY_STORE_DEADLINE, REPLAY_KEY_PREFIX, RESTARTED_REASON,
};
pub use crate::validator::{
    PopTokenValidator, ReplayCache, ValidatorOptions, DEFAULT_LEEWAY_SECS, DEFAULT_MAX_AGE_SECS,
    DEFAULT_REPLAY_CAPACITY,
};
