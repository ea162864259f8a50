//! The gateway side: verify a PoP token against a public key and the request's values.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::{Arc, Mutex};

use subtle::ConstantTimeEq;

use crate::ehts::{describe, EhtsName, EhtsValues};
use crate::error::{shorten, Error, Result};
use crate::keys::PublicKey;
use crate::request::{ReceivedRequest, BODY};
use crate::token::PopToken;
use crate::{base64url, now_unix};

/// Seconds of clock difference tolerated on `exp`, `iat` and the age check (T-Mobile's Java
/// validator uses 10).
pub const DEFAULT_LEEWAY_SECS: i64 = 10;
/// Oldest a token may be, from its `iat` (the docs: a PoP token is good for 60 s).
pub const DEFAULT_MAX_AGE_SECS: i64 = 60;
/// Default bound on remembered `jti`s when the replay cache is on.
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;

/// How strict a [`PopTokenValidator`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorOptions {
    /// Clock-skew tolerance in seconds (0 to 300).
    pub leeway_secs: i64,
    /// Maximum age from `iat` in seconds (1 to 3600).
    pub max_age_secs: i64,
    /// Names every token must sign, e.g. `uri` and `http-method`: pseudo-names exactly as
    /// written, header names ignoring ASCII case ([`EhtsName::meets`]).
    pub required: Vec<String>,
    /// Remember this many `jti`s and reject repeats; `None` turns replay detection off.
    pub replay_cache: Option<usize>,
}

impl Default for ValidatorOptions {
    fn default() -> Self {
        ValidatorOptions {
            leeway_secs: DEFAULT_LEEWAY_SECS,
            max_age_secs: DEFAULT_MAX_AGE_SECS,
            required: Vec::new(),
            replay_cache: None,
        }
    }
}

/// Checks PoP tokens the way an API gateway must: signature, time, coverage, edts, replay.
///
/// Cheap to share: clones share one replay cache.
#[derive(Debug, Clone, Default)]
pub struct PopTokenValidator {
    options: ValidatorOptions,
    replay: Option<Arc<ReplayCache>>,
}

impl PopTokenValidator {
    /// A validator with the given options, checked for sane ranges.
    pub fn new(options: ValidatorOptions) -> Result<Self> {
        if !(0..=300).contains(&options.leeway_secs) {
            return Err(Error::Config(format!("leeway is {} s; choose 0 to 300", options.leeway_secs)));
        }
        if !(1..=3600).contains(&options.max_age_secs) {
            return Err(Error::Config(format!("max age is {} s; choose 1 to 3600", options.max_age_secs)));
        }
        for (index, name) in options.required.iter().enumerate() {
            crate::ehts::check_name(index, name)
                .map_err(|error| Error::Config(format!("required names: {error}")))?;
        }
        let replay = match options.replay_cache {
            Some(0) => return Err(Error::Config("the replay cache needs a capacity above 0".into())),
            Some(capacity) => Some(Arc::new(ReplayCache::new(capacity))),
            None => None,
        };
        Ok(PopTokenValidator { options, replay })
    }

    /// The options in force.
    pub fn options(&self) -> &ValidatorOptions {
        &self.options
    }

    /// Validates `token` against `key` and the request's `values`, on the system clock.
    pub fn validate(
        &self,
        token: &str,
        key: &PublicKey,
        values: &(impl EhtsValues + ?Sized),
    ) -> Result<PopToken> {
        self.validate_at(token, key, values, now_unix())
    }

    /// Validates as of `now` (epoch seconds); returns the decoded token when every check passes.
    ///
    /// Order: shape, signature, expiry, issue time, age, required names, values, edts, replay.
    /// A `jti` is remembered only once everything else passed.
    pub fn validate_at(
        &self,
        token: &str,
        key: &PublicKey,
        values: &(impl EhtsValues + ?Sized),
        now: i64,
    ) -> Result<PopToken> {
        let token = self.verify_at(token, key, values, now)?;
        self.admit_own(key, &token, now)?;
        Ok(token)
    }

    /// Every check of [`PopTokenValidator::validate_at`] but replay, for callers that keep
    /// `jti`s in a store of their own (shared, or async): they admit the `jti` afterwards,
    /// until [`PopTokenValidator::replay_expiry`].
    pub fn verify_at(
        &self,
        token: &str,
        key: &PublicKey,
        values: &(impl EhtsValues + ?Sized),
        now: i64,
    ) -> Result<PopToken> {
        let token = PopToken::decode(token)?;
        if !key.verify(token.signing_input(), token.signature()) {
            return Err(Error::SignatureInvalid(
                "the token was not signed by the private key matching this public key".into(),
            ));
        }
        self.check_times(&token, now)?;
        self.check_required(&token)?;
        check_edts(&token, values)?;
        Ok(token)
    }

    /// Epoch second after which this validator refuses `token` on time alone, so a replay
    /// store may forget its `jti` then.
    pub fn replay_expiry(&self, token: &PopToken) -> i64 {
        let claims = token.claims();
        claims
            .exp
            .min(claims.iat.saturating_add(self.options.max_age_secs))
            .saturating_add(self.options.leeway_secs)
    }

    /// Remembers the `jti` per client (the key's thumbprint, as the Redis store does), so one
    /// client's `jti` never makes another's token a replay.
    fn admit_own(&self, key: &PublicKey, token: &PopToken, now: i64) -> Result<()> {
        match &self.replay {
            Some(replay) => {
                replay.admit(key.thumbprint_ref(), &token.claims().jti, self.replay_expiry(token), now)
            }
            None => Ok(()),
        }
    }

    /// Validates the PoP token a received request carries in `X-Authorization`, on the
    /// system clock.
    pub fn validate_request(&self, key: &PublicKey, request: &ReceivedRequest<'_>) -> Result<PopToken> {
        self.validate_request_at(key, request, now_unix())
    }

    /// [`PopTokenValidator::validate_request`] as of `now` (epoch seconds).
    ///
    /// Beyond [`PopTokenValidator::validate_at`]: the token must be present, and a request
    /// with a body must have it signed, or the body could be swapped under a valid token.
    pub fn validate_request_at(
        &self,
        key: &PublicKey,
        request: &ReceivedRequest<'_>,
        now: i64,
    ) -> Result<PopToken> {
        let decoded = self.verify_request_at(key, request, now)?;
        self.admit_own(key, &decoded, now)?;
        Ok(decoded)
    }

    /// Every check of [`PopTokenValidator::validate_request_at`] but replay; see
    /// [`PopTokenValidator::verify_at`].
    pub fn verify_request_at(
        &self,
        key: &PublicKey,
        request: &ReceivedRequest<'_>,
        now: i64,
    ) -> Result<PopToken> {
        request.check_credentials()?;
        let token = request
            .pop_token()
            .ok_or_else(|| Error::InvalidToken("X-Authorization (the PoP token) is missing".into()))?;
        let token = std::str::from_utf8(token)
            .map_err(|_| Error::InvalidToken("X-Authorization is not text".into()))?;
        let decoded = self.verify_at(token, key, request, now)?;
        if !request.body().is_empty() && !decoded.claims().ehts.iter().any(|name| name == BODY) {
            return Err(Error::InvalidToken(
                "the request has a body but the PoP token does not sign it".into(),
            ));
        }
        Ok(decoded)
    }

    fn check_times(&self, token: &PopToken, now: i64) -> Result<()> {
        let claims = token.claims();
        let leeway = self.options.leeway_secs;
        if now > claims.exp.saturating_add(leeway) {
            return Err(Error::TokenExpired(format!(
                "it expired {} s ago (leeway {leeway} s); build a fresh token for every call",
                now - claims.exp
            )));
        }
        if claims.iat > now.saturating_add(leeway) {
            return Err(Error::InvalidToken(format!(
                "it was issued {} s in the future (leeway {leeway} s); check the client's clock",
                claims.iat - now
            )));
        }
        let age = now.saturating_sub(claims.iat);
        if age > self.options.max_age_secs.saturating_add(leeway) {
            return Err(Error::TokenTooOld(format!(
                "it was issued {age} s ago; tokens older than {} s (leeway {leeway} s) are refused",
                self.options.max_age_secs
            )));
        }
        Ok(())
    }

    fn check_required(&self, token: &PopToken) -> Result<()> {
        let signed = &token.claims().ehts;
        for required in &self.options.required {
            let wanted = EhtsName::of(required);
            if !signed.iter().any(|name| EhtsName::of(name).meets(wanted)) {
                return Err(Error::InvalidToken(format!(
                    "it does not sign {:?}, which this gateway requires",
                    shorten(required, 64)
                )));
            }
        }
        Ok(())
    }
}

fn check_edts(token: &PopToken, values: &(impl EhtsValues + ?Sized)) -> Result<()> {
    let mut digest = crate::crypto::Sha256::new();
    for (index, name) in token.claims().ehts.iter().enumerate() {
        values.check_single(name)?;
        let value = values.value(name).ok_or_else(|| {
            Error::MissingEhtsValue(format!(
                "the token signs {} but the request has no value for it",
                describe(index, name)
            ))
        })?;
        digest.update(value);
    }
    let expected = base64url(&digest.finish());
    let claimed = token.claims().edts.as_bytes();
    if expected.len() != claimed.len() || !bool::from(expected.as_bytes().ct_eq(claimed)) {
        return Err(Error::EdtsMismatch(
            "the request's values differ from the ones the token signed (check headers, uri, \
             method and body byte for byte)"
                .into(),
        ));
    }
    Ok(())
}

/// Bounded memory of recently seen `jti`s; entries are forgotten once their token would be
/// rejected on time anyway. The validator's own cache, and a building block for callers that
/// admit `jti`s themselves after [`PopTokenValidator::verify_at`].
#[derive(Debug)]
pub struct ReplayCache {
    capacity: usize,
    state: Mutex<ReplayState>,
}

#[derive(Debug, Default)]
struct ReplayState {
    seen: HashSet<Arc<str>>,
    expiry: BinaryHeap<Reverse<(i64, Arc<str>)>>,
}

impl ReplayCache {
    /// An empty cache that remembers at most `capacity` live `jti`s (and refuses beyond).
    pub fn new(capacity: usize) -> Self {
        ReplayCache { capacity, state: Mutex::new(ReplayState::default()) }
    }

    /// Remembers `jti` of client `namespace` (e.g. its key thumbprint) until `forget_after`
    /// (epoch seconds); `Replay` when that client used it already, or when the cache is full
    /// (failing closed).
    pub fn admit(&self, namespace: &str, jti: &str, forget_after: i64, now: i64) -> Result<()> {
        // Length-prefixed, so no namespace/jti pair can spell another's key.
        let key = format!("{}:{namespace}{jti}", namespace.len());
        let jti = key.as_str();
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while let Some(Reverse((when, _))) = state.expiry.peek() {
            if *when >= now {
                break;
            }
            if let Some(Reverse((_, old))) = state.expiry.pop() {
                state.seen.remove(&old);
            }
        }
        if state.seen.contains(jti) {
            return Err(Error::Replay(
                "this jti was already used; build a fresh token for every call".into(),
            ));
        }
        if state.seen.len() >= self.capacity {
            // Failing closed: forgetting a live jti would let its token be replayed.
            return Err(Error::Replay(format!(
                "the replay cache is full ({} live tokens); retry shortly",
                self.capacity
            )));
        }
        let jti: Arc<str> = Arc::from(jti);
        state.seen.insert(Arc::clone(&jti));
        state.expiry.push(Reverse((forget_after, jti)));
        Ok(())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.state.lock().unwrap().seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_cache_rejects_repeats_and_forgets_expired() {
        let cache = ReplayCache::new(2);
        cache.admit("k", "a", 100, 50).unwrap();
        assert!(matches!(cache.admit("k", "a", 100, 60), Err(Error::Replay(_))));
        cache.admit("k", "b", 100, 60).unwrap();
        assert!(matches!(cache.admit("k", "c", 100, 60), Err(Error::Replay(_))), "full: fail closed");
        cache.admit("k", "c", 200, 101).unwrap();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn replay_cache_keeps_one_namespace_per_client() {
        let cache = ReplayCache::new(10);
        cache.admit("client-d", "jti-1", 100, 50).unwrap();
        cache.admit("client-c", "jti-1", 100, 50).unwrap();
        assert!(matches!(cache.admit("client-c", "jti-1", 100, 51), Err(Error::Replay(_))));
        cache.admit("ab", "c", 100, 50).unwrap();
        cache.admit("a", "bc", 100, 50).unwrap();
    }

    #[test]
    fn options_out_of_range_are_config_errors() {
        let bad = [
            ValidatorOptions { leeway_secs: -1, ..Default::default() },
            ValidatorOptions { max_age_secs: 0, ..Default::default() },
            ValidatorOptions { replay_cache: Some(0), ..Default::default() },
            ValidatorOptions { required: vec!["a;b".into()], ..Default::default() },
        ];
        for options in bad {
            assert!(matches!(PopTokenValidator::new(options.clone()), Err(Error::Config(_))), "{options:?}");
        }
    }
}
