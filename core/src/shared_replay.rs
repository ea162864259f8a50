//! What every shared (Redis) replay store agrees on, so the gateway's async store and the
//! blocking one the bindings use cannot drift apart: the key of a `jti`, how long it is
//! kept, the restart rule, and the refusal a replay gets.
//!
//! A key is `taap:replay:<namespace>:<base64url SHA-256 of the jti>`, the namespace being
//! the client's key thumbprint: nothing a token carried reaches the store. It is set with
//! `SET key 1 NX EX <seconds until the validator refuses the token on time anyway>`.
//! Redis keeps keys in memory and may lose them on a restart, so a token that may have been
//! made before the server started (by its `uptime_in_seconds`) is refused as unavailable.
//!
//! The stores themselves are in `crate::redis` (feature `redis`); the rules here need no
//! Redis client, so a store of another kind (`taap-tower`'s `ReplayStore`) can follow them.

use crate::error::Error;
use crate::token::PopToken;
use crate::validator::PopTokenValidator;

/// Longest a request waits for each Redis operation before it is refused as unavailable (the
/// gateway's default, and the middleware's).
pub const DEFAULT_REPLAY_STORE_DEADLINE: std::time::Duration = std::time::Duration::from_millis(50);

/// Prefix of every replay key, so the store can share a Redis database with other data.
pub const REPLAY_KEY_PREFIX: &str = "taap:replay:";

/// One `jti` to admit to a shared store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayEntry {
    /// The key: prefix, namespace, hash of the `jti`.
    pub key: String,
    /// Seconds to keep it (at least 1).
    pub ttl_secs: i64,
    /// The earliest the token can have been made (`iat` less the leeway).
    pub issued_after: i64,
}

impl ReplayEntry {
    /// The entry for `jti` in `namespace`, kept until `forget_after` (epoch seconds).
    pub fn new(namespace: &str, jti: &str, issued_after: i64, forget_after: i64, now: i64) -> Self {
        let hash = crate::base64url(&crate::crypto::sha256(jti.as_bytes()));
        ReplayEntry {
            key: format!("{REPLAY_KEY_PREFIX}{namespace}:{hash}"),
            ttl_secs: forget_after.saturating_sub(now).max(1),
            issued_after,
        }
    }

    /// The entry for a token `validator` accepted (all but replay), namespaced by `thumbprint`.
    pub fn for_token(validator: &PopTokenValidator, thumbprint: &str, token: &PopToken, now: i64) -> Self {
        let claims = token.claims();
        let issued_after = claims.iat.saturating_sub(validator.options().leeway_secs);
        ReplayEntry::new(thumbprint, &claims.jti, issued_after, validator.replay_expiry(token), now)
    }

    /// Whether a store that has remembered every key since `memory_since` can vouch for this
    /// token; if not, it may have been admitted before the store lost its memory.
    pub fn vouched_by(&self, memory_since: i64) -> bool {
        self.issued_after >= memory_since
    }
}

/// The epoch second from which a Redis server surely holds every key, from its `INFO server`
/// answer: its start, rounded up (`uptime_in_seconds` is truncated); `now` if absent.
pub fn redis_memory_since(info: &str, now: i64) -> i64 {
    let uptime = info
        .lines()
        .find_map(|line| line.strip_prefix("uptime_in_seconds:"))
        .and_then(|n| n.trim().parse::<i64>().ok())
        .unwrap_or(0);
    now.saturating_sub(uptime).saturating_add(1)
}

/// The refusal of a `jti` a shared store has seen before.
pub fn shared_replay_error() -> Error {
    Error::Replay(
        "this jti was already used (shared replay store); build a fresh token for every call".into(),
    )
}

/// The message of a 503 from a shared replay store that could not vouch for a token, the
/// same in every door: `store` is its name (e.g. `redis`), `reason` what went wrong.
pub fn replay_store_unavailable(store: &str, reason: &str) -> String {
    format!("the replay store ({store}) is unavailable: {reason}; retry shortly")
}

/// Why a store restart refuses a token for a while.
pub const RESTARTED_REASON: &str =
    "Redis restarted after this token may have been accepted, so build a fresh one";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hold_a_hash_not_the_jti() {
        let entry = ReplayEntry::new("thumb", "0b6a1c5e-4c1e-4f6a-9d7e-3f2a1b0c9d8e", 40, 100, 50);
        assert!(entry.key.starts_with("taap:replay:thumb:"));
        assert_eq!(entry.key.len(), "taap:replay:thumb:".len() + 43);
        assert!(!entry.key.contains("0b6a1c5e"));
        assert_eq!((entry.ttl_secs, ReplayEntry::new("t", "j", 0, 10, 50).ttl_secs), (50, 1));
    }

    #[test]
    fn uptime_is_read_from_info_and_restarts_refuse_older_tokens() {
        let info = "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:42\r\n";
        assert_eq!(redis_memory_since(info, 1000), 959);
        assert_eq!(redis_memory_since("# Server\r\n", 1000), 1001);
        let entry = ReplayEntry::new("t", "j", 958, 2000, 1000);
        assert!(!entry.vouched_by(959));
        assert!(ReplayEntry::new("t", "j", 959, 2000, 1000).vouched_by(959));
    }

    #[test]
    fn the_unavailable_message_names_the_store_and_the_reason() {
        assert_eq!(
            replay_store_unavailable("redis", "Redis is unreachable"),
            "the replay store (redis) is unavailable: Redis is unreachable; retry shortly"
        );
    }
}
