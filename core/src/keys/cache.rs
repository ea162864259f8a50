//! A bounded cache of parsed private keys, keyed by a digest of their PEM and password.
//!
//! T-Mobile's libraries are called with a PEM string per token; parsing (and for encrypted
//! keys, running the KDF) on every call would cost more than the signature. Callers that
//! cannot keep a `PrivateKey` around get the parsed key back from here instead.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use super::PrivateKey;
use crate::crypto::Sha256;
use crate::error::Result;

/// Parsed keys kept at most; the oldest is dropped (and zeroised) first.
pub const KEY_CACHE_CAPACITY: usize = 64;

type CacheKey = [u8; 32];

#[derive(Default)]
struct KeyCache {
    keys: HashMap<CacheKey, Arc<PrivateKey>>,
    order: VecDeque<CacheKey>,
}

fn cache() -> &'static Mutex<KeyCache> {
    static CACHE: OnceLock<Mutex<KeyCache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn cache_key(pem: &[u8], password: Option<&[u8]>) -> CacheKey {
    let mut digest = Sha256::new();
    // Length-prefixed so that (pem, password) pairs cannot collide by shifting bytes.
    digest.update(&(pem.len() as u64).to_be_bytes());
    digest.update(pem);
    if let Some(password) = password {
        digest.update(&[1]);
        digest.update(password);
    }
    digest.finish()
}

impl PrivateKey {
    /// Like [`PrivateKey::from_bytes`], but returns the already-parsed key when the same PEM/DER
    /// and password were loaded before (up to [`KEY_CACHE_CAPACITY`] keys are kept).
    pub fn from_bytes_cached(bytes: &[u8], password: Option<&[u8]>) -> Result<Arc<PrivateKey>> {
        let key = cache_key(bytes, password);
        if let Some(found) = lock().keys.get(&key) {
            return Ok(Arc::clone(found));
        }
        let parsed = Arc::new(PrivateKey::from_bytes(bytes, password)?);
        let mut cache = lock();
        if cache.keys.insert(key, Arc::clone(&parsed)).is_none() {
            cache.order.push_back(key);
        }
        while cache.order.len() > KEY_CACHE_CAPACITY {
            if let Some(oldest) = cache.order.pop_front() {
                cache.keys.remove(&oldest);
            }
        }
        Ok(parsed)
    }

    /// Drops every cached key.
    pub fn clear_cache() {
        let mut cache = lock();
        cache.keys.clear();
        cache.order.clear();
    }
}

fn lock() -> std::sync::MutexGuard<'static, KeyCache> {
    cache().lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_and_password_hit_the_cache() {
        let pem = PrivateKey::generate(2048).unwrap().to_pem();
        let first = PrivateKey::from_bytes_cached(pem.as_bytes(), None).unwrap();
        let second = PrivateKey::from_bytes_cached(pem.as_bytes(), None).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        let other = PrivateKey::from_bytes_cached(pem.as_bytes(), Some(b"unused")).unwrap();
        assert!(!Arc::ptr_eq(&first, &other));
        assert_ne!(cache_key(b"ab", Some(b"c")), cache_key(b"a", Some(b"bc")));
    }

    #[test]
    fn failures_are_not_cached() {
        assert!(PrivateKey::from_bytes_cached(b"not a key", None).is_err());
        assert!(!lock().keys.contains_key(&cache_key(b"not a key", None)));
    }
}
