//! A shared access-token store: processes with the same client id, token URL and key keep one
//! access token between them, so a fleet makes one token request per refresh window instead of
//! one per process. Opt in ([`ClientConfig::token_store`](super::ClientConfig::token_store)).
//!
//! The decisions live here, the I/O behind [`TokenStore`]: read the shared token; if it is
//! missing or due for refresh, take a lock with an expiry (one owner refreshes, the others
//! poll the store briefly, then fetch by themselves), store the new token for its lifetime,
//! release the lock. A store that fails or is slow never stops the client: it fetches by
//! itself and one warning says so. The Redis store (`RedisTokenStore`, feature `redis`) lives
//! with taap's other Redis stores, in `crate::redis`.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use super::stats::ClientStats;
use super::token::{self, AccessToken};
use crate::error::{Error, Result};

/// Prefix of the stored token's key.
const TOKEN_PREFIX: &str = "taap:token:";
/// Prefix of the refresh lock's key.
const LOCK_PREFIX: &str = "taap:token-lock:";
/// How often a process that lost the lock looks for the winner's token.
const POLL_INTERVAL: Duration = Duration::from_millis(25);
/// How long it looks before fetching by itself (the winner may have died holding the lock).
const LOCK_WAIT: Duration = Duration::from_secs(5);
/// Longest a lock outlives a refresh whose owner died.
const MAX_LOCK_TTL: Duration = Duration::from_secs(120);

/// Why a store operation failed; the text never holds the store's URL or credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where processes sharing credentials keep one access token. Every call must answer within
/// a short deadline (a failure only makes the client fetch by itself).
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// A short name for warnings, e.g. `redis`.
    fn name(&self) -> &'static str;
    /// The value stored under `key`, if any.
    fn get(&self, key: &str) -> std::result::Result<Option<Zeroizing<String>>, StoreError>;
    /// Stores `value` under `key`, forgotten after `ttl`.
    fn put(&self, key: &str, value: &str, ttl: Duration) -> std::result::Result<(), StoreError>;
    /// Takes the lock `key` for `owner` if nobody holds it (it expires after `ttl`).
    fn try_lock(&self, key: &str, owner: &str, ttl: Duration) -> std::result::Result<bool, StoreError>;
    /// Releases the lock `key` if `owner` still holds it.
    fn unlock(&self, key: &str, owner: &str) -> std::result::Result<(), StoreError>;
}

/// Where the client's warnings go (default: standard error, one line each).
#[derive(Clone)]
pub struct OnWarning(Arc<dyn Fn(&str) + Send + Sync>);

impl OnWarning {
    /// Calls `sink` with each warning's text (no secrets in it).
    pub fn new(sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        OnWarning(Arc::new(sink))
    }

    pub(crate) fn warn(&self, message: &str) {
        (self.0)(message)
    }
}

impl Default for OnWarning {
    fn default() -> Self {
        OnWarning::new(|message| eprintln!("taap: warning: {message}"))
    }
}

impl fmt::Debug for OnWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnWarning(..)")
    }
}

/// The shared token of one set of credentials, and how the client uses the store.
pub(crate) struct SharedTokens {
    store: Arc<dyn TokenStore>,
    key: String,
    lock_key: String,
    lock_ttl: Duration,
    margin: Duration,
    on_warning: OnWarning,
    /// Set while the store is failing, so an outage is reported once, not on every refresh.
    warned: AtomicBool,
    /// The client's counters: each flight is a hit or a miss, and may have waited.
    stats: ClientStats,
}

impl SharedTokens {
    /// `identity` is what makes tokens interchangeable: client id, token URL, key thumbprint.
    pub(crate) fn new(
        store: Arc<dyn TokenStore>,
        identity: [&str; 3],
        margin: Duration,
        request_timeout: Duration,
        on_warning: OnWarning,
        stats: ClientStats,
    ) -> Self {
        let name = store_key(identity);
        SharedTokens {
            store,
            key: format!("{TOKEN_PREFIX}{name}"),
            lock_key: format!("{LOCK_PREFIX}{name}"),
            lock_ttl: (request_timeout + Duration::from_secs(5)).min(MAX_LOCK_TTL),
            margin,
            on_warning,
            warned: AtomicBool::new(false),
            stats,
        }
    }

    pub(crate) fn store_name(&self) -> &'static str {
        self.store.name()
    }

    /// A refresh through the store; `refused` is a token the server just rejected, which
    /// must not be taken from the store again.
    pub(crate) fn flight(self: &Arc<Self>, refused: Option<[u8; 32]>) -> Flight {
        Flight { shared: Arc::clone(self), refused, state: State::Start, waited: false }
    }

    /// The stored token, if it is fresh and not the refused one.
    fn read(&self, refused: Option<[u8; 32]>) -> std::result::Result<Option<AccessToken>, StoreError> {
        let Some(value) = self.store.get(&self.key)? else { return Ok(None) };
        let Some(token) = decode(&value) else { return Ok(None) };
        let usable = is_fresh(&token, self.margin) && refused != Some(secret_hash(&token));
        Ok(usable.then_some(token))
    }

    fn publish(&self, token: &AccessToken) -> std::result::Result<(), StoreError> {
        let ttl = token.remaining();
        if ttl < Duration::from_millis(1) {
            return Ok(());
        }
        self.store.put(&self.key, &encode(token), ttl)
    }

    /// Reports the first failure of an outage; the client carries on by itself.
    fn failed(&self, error: &StoreError) {
        if !self.warned.swap(true, Ordering::SeqCst) {
            self.on_warning.warn(&format!(
                "the shared token store ({}) failed: {error}; fetching access tokens without it until it answers again",
                self.store.name()
            ));
        }
    }

    fn answered(&self) {
        self.warned.store(false, Ordering::SeqCst);
    }
}

/// What the driver does next in a refresh through the store.
pub(crate) enum Next {
    /// Use this token (another process fetched it).
    Use(AccessToken),
    /// Fetch a token now, then hand the outcome to [`Flight::finish`].
    Fetch,
    /// Wait this long, then ask [`Flight::next`] again.
    Wait(Duration),
}

enum State {
    Start,
    Waiting {
        until: Instant,
    },
    Locked {
        owner: String,
    },
    /// Fetching without the lock; `publish` says whether to store the token after.
    Alone {
        publish: bool,
    },
}

/// One refresh through the store. Owned, so an async driver can run its blocking steps on
/// another thread.
pub(crate) struct Flight {
    shared: Arc<SharedTokens>,
    refused: Option<[u8; 32]>,
    state: State,
    /// Whether this flight has waited for another process's lock (counted once).
    waited: bool,
}

impl Flight {
    /// The next step; each call does at most four store operations (read, lock, read, unlock).
    /// A flight ends in `Use` (a store hit) or `Fetch` (a miss); its first `Wait` is a lock wait.
    pub(crate) fn next(&mut self) -> Next {
        let next = self.step();
        let stats = &self.shared.stats;
        match next {
            Next::Use(_) => stats.store_hit(),
            Next::Fetch => stats.store_miss(),
            Next::Wait(_) if !self.waited => {
                self.waited = true;
                stats.store_lock_wait();
            }
            Next::Wait(_) => {}
        }
        next
    }

    fn step(&mut self) -> Next {
        let read = match self.state {
            State::Start | State::Waiting { .. } => self.shared.read(self.refused),
            State::Locked { .. } | State::Alone { .. } => return Next::Fetch,
        };
        match read {
            Ok(Some(token)) => {
                self.shared.answered();
                Next::Use(token)
            }
            Ok(None) => match self.state {
                State::Start => self.lock(),
                State::Waiting { until } if Instant::now() < until => Next::Wait(POLL_INTERVAL),
                _ => self.last_try(),
            },
            Err(error) => self.fall_back(&error),
        }
    }

    /// Stores a fetched token for the others and releases the lock; returns `outcome`.
    pub(crate) fn finish(self, outcome: Result<AccessToken>) -> Result<AccessToken> {
        let publish = matches!(self.state, State::Locked { .. } | State::Alone { publish: true });
        if let (true, Ok(token)) = (publish, &outcome) {
            if let Err(error) = self.shared.publish(token) {
                self.shared.failed(&error);
            }
        }
        if let State::Locked { owner } = &self.state {
            if let Err(error) = self.shared.store.unlock(&self.shared.lock_key, owner) {
                self.shared.failed(&error);
            }
        }
        outcome
    }

    fn lock(&mut self) -> Next {
        let owner = uuid::Uuid::new_v4().simple().to_string();
        match self.shared.store.try_lock(&self.shared.lock_key, &owner, self.shared.lock_ttl) {
            Ok(true) => {
                self.shared.answered();
                self.locked(owner)
            }
            Ok(false) => {
                self.shared.answered();
                self.state = State::Waiting { until: Instant::now() + LOCK_WAIT };
                Next::Wait(POLL_INTERVAL)
            }
            Err(error) => self.fall_back(&error),
        }
    }

    /// After waiting in vain: the owner may have died and its lock expired, so take the lock
    /// if it is free; if not, fetch without storing, so that a token is only ever stored under
    /// the lock and never overwrites the one its owner is about to store.
    fn last_try(&mut self) -> Next {
        let owner = uuid::Uuid::new_v4().simple().to_string();
        match self.shared.store.try_lock(&self.shared.lock_key, &owner, self.shared.lock_ttl) {
            Ok(true) => {
                self.shared.answered();
                self.locked(owner)
            }
            Ok(false) => {
                self.shared.answered();
                self.state = State::Alone { publish: false };
                Next::Fetch
            }
            Err(error) => self.fall_back(&error),
        }
    }

    /// Holding the lock: another process may have stored a token and released the lock between
    /// this flight's read and its lock, so read once more before fetching (one token request per
    /// refresh window, however the processes interleave).
    fn locked(&mut self, owner: String) -> Next {
        match self.shared.read(self.refused) {
            Ok(Some(token)) => {
                if let Err(error) = self.shared.store.unlock(&self.shared.lock_key, &owner) {
                    self.shared.failed(&error);
                }
                Next::Use(token)
            }
            Ok(None) => {
                self.state = State::Locked { owner };
                Next::Fetch
            }
            Err(error) => {
                self.state = State::Locked { owner };
                self.fall_back(&error)
            }
        }
    }

    fn fall_back(&mut self, error: &StoreError) -> Next {
        self.shared.failed(error);
        if let State::Locked { owner } = &self.state {
            let _ = self.shared.store.unlock(&self.shared.lock_key, owner);
        }
        self.state = State::Alone { publish: false };
        Next::Fetch
    }
}

/// base64url SHA-256 of the identity: the key names no client id, URL or key in clear.
fn store_key(identity: [&str; 3]) -> String {
    crate::base64url(&crate::crypto::sha256(identity.join("\n").as_bytes()))
}

/// SHA-256 of a token's value, to recognise a refused token without keeping it.
pub(crate) fn secret_hash(token: &AccessToken) -> [u8; 32] {
    crate::crypto::sha256(token.secret().as_bytes())
}

/// Fresh means: not within the refresh margin of expiry (half the life for short-lived tokens).
pub(crate) fn is_fresh(token: &AccessToken, margin: Duration) -> bool {
    let lifetime = Duration::from_secs(token.expires_in());
    let margin = margin.min(lifetime / 2);
    token.expires_at().checked_sub(margin).is_some_and(|refresh_at| Instant::now() < refresh_at)
}

/// `<received at, epoch ms> <the server's JSON answer>`.
fn encode(token: &AccessToken) -> Zeroizing<String> {
    let age = token.received_at().elapsed();
    let received = epoch_now().saturating_sub(age);
    Zeroizing::new(format!("{} {}", received.as_millis(), token.response_json()))
}

/// The token a stored value holds, aged by the time since it was received; `None` if the value
/// is not one this client wrote.
fn decode(value: &str) -> Option<AccessToken> {
    let (received, response) = value.split_once(' ')?;
    let received = Duration::from_millis(received.parse().ok()?);
    let age = epoch_now().saturating_sub(received);
    let received_at = Instant::now().checked_sub(age).unwrap_or_else(Instant::now);
    token::parse_token_response(200, response.as_bytes().to_vec(), received_at).ok()
}

fn epoch_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// A store URL checked for its scheme: `redis://…` (with the `redis` feature).
pub fn token_store_from_url(url: &str) -> Result<Arc<dyn TokenStore>> {
    #[cfg(feature = "redis")]
    if url.starts_with("redis://") || url.starts_with("unix://") {
        let store = crate::redis::RedisTokenStore::open(url, crate::redis::DEFAULT_TOKEN_STORE_DEADLINE)?;
        return Ok(Arc::new(store));
    }
    let _ = url;
    Err(Error::Config(
        if cfg!(feature = "redis") {
            "the token store must be a redis://host:port[/db] URL"
        } else {
            "this build of taap has no token store (the core's `redis` feature is off)"
        }
        .into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// An in-memory store that can be told to fail, counting what it was asked.
    #[derive(Debug, Default)]
    struct FakeStore {
        values: Mutex<HashMap<String, String>>,
        failing: AtomicBool,
        /// A value another process stores (and whose lock it releases) just before a lock.
        stored_before_lock: Mutex<Option<(String, String)>>,
    }

    impl TokenStore for FakeStore {
        fn name(&self) -> &'static str {
            "fake"
        }
        fn get(&self, key: &str) -> std::result::Result<Option<Zeroizing<String>>, StoreError> {
            self.check()?;
            Ok(self.values.lock().unwrap().get(key).cloned().map(Zeroizing::new))
        }
        fn put(&self, key: &str, value: &str, _ttl: Duration) -> std::result::Result<(), StoreError> {
            self.check()?;
            self.values.lock().unwrap().insert(key.into(), value.into());
            Ok(())
        }
        fn try_lock(&self, key: &str, owner: &str, _: Duration) -> std::result::Result<bool, StoreError> {
            self.check()?;
            let mut values = self.values.lock().unwrap();
            if let Some((stored_key, value)) = self.stored_before_lock.lock().unwrap().take() {
                values.insert(stored_key, value);
            }
            Ok(!values.contains_key(key) && values.insert(key.into(), owner.into()).is_none())
        }
        fn unlock(&self, key: &str, owner: &str) -> std::result::Result<(), StoreError> {
            self.check()?;
            let mut values = self.values.lock().unwrap();
            if values.get(key).is_some_and(|held| held == owner) {
                values.remove(key);
            }
            Ok(())
        }
    }

    impl FakeStore {
        fn check(&self) -> std::result::Result<(), StoreError> {
            match self.failing.load(Ordering::SeqCst) {
                true => Err(StoreError("refused".into())),
                false => Ok(()),
            }
        }
    }

    fn token(value: &str, expires_in: u64) -> AccessToken {
        let body = format!(r#"{{"access_token":"{value}","expires_in":{expires_in}}}"#);
        token::parse_token_response(200, body.into_bytes(), Instant::now()).unwrap()
    }

    fn shared(store: Arc<FakeStore>, warnings: Arc<Mutex<Vec<String>>>) -> Arc<SharedTokens> {
        let sink = OnWarning::new(move |message| warnings.lock().unwrap().push(message.to_owned()));
        let identity = ["client", "http://127.0.0.1/oauth2/v2/tokens", "thumb"];
        let (margin, timeout) = (Duration::from_secs(60), Duration::from_secs(1));
        Arc::new(SharedTokens::new(store, identity, margin, timeout, sink, ClientStats::default()))
    }

    #[test]
    fn the_lock_winner_fetches_and_the_loser_uses_its_token() {
        let store = Arc::new(FakeStore::default());
        let shared = shared(Arc::clone(&store), Arc::default());
        let mut winner = shared.flight(None);
        assert!(matches!(winner.next(), Next::Fetch));
        let mut loser = shared.flight(None);
        assert!(matches!(loser.next(), Next::Wait(POLL_INTERVAL)));
        assert!(matches!(loser.next(), Next::Wait(_)));
        winner.finish(Ok(token("shared-1", 3600))).unwrap();
        match loser.next() {
            Next::Use(token) => assert_eq!(token.secret(), "shared-1"),
            _ => panic!("the loser should use the winner's token"),
        }
        // The lock was released: only the token is left.
        assert_eq!(store.values.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_token_stored_between_the_read_and_the_lock_is_used_not_fetched_again() {
        let store = Arc::new(FakeStore::default());
        let shared = shared(Arc::clone(&store), Arc::default());
        let other = encode(&token("other-process-1", 3600));
        *store.stored_before_lock.lock().unwrap() = Some((shared.key.clone(), other.to_string()));
        match shared.flight(None).next() {
            Next::Use(token) => assert_eq!(token.secret(), "other-process-1"),
            _ => panic!("a token stored before the lock must be used, not fetched again"),
        }
        // The lock taken was released: only the other process's token is left.
        assert_eq!(store.values.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_waiter_that_gives_up_stores_its_token_only_under_the_lock() {
        let store = Arc::new(FakeStore::default());
        let shared = shared(Arc::clone(&store), Arc::default());
        let mut owner = shared.flight(None);
        assert!(matches!(owner.next(), Next::Fetch));
        let mut waiter = shared.flight(None);
        assert!(matches!(waiter.next(), Next::Wait(_)));
        waiter.state = State::Waiting { until: Instant::now() };
        assert!(matches!(waiter.next(), Next::Fetch));
        waiter.finish(Ok(token("own", 3600))).unwrap();
        assert_eq!(store.values.lock().unwrap().get(&shared.key), None, "stored without the lock");
        owner.finish(Ok(token("owner", 3600))).unwrap();
        assert!(matches!(shared.flight(None).next(), Next::Use(token) if token.secret() == "owner"));
    }

    #[test]
    fn a_waiter_whose_owner_died_takes_the_expired_lock_and_stores() {
        let store = Arc::new(FakeStore::default());
        let shared = shared(Arc::clone(&store), Arc::default());
        let mut owner = shared.flight(None);
        assert!(matches!(owner.next(), Next::Fetch));
        let mut waiter = shared.flight(None);
        assert!(matches!(waiter.next(), Next::Wait(_)));
        store.values.lock().unwrap().remove(&shared.lock_key);
        waiter.state = State::Waiting { until: Instant::now() };
        assert!(matches!(waiter.next(), Next::Fetch));
        assert!(matches!(waiter.state, State::Locked { .. }));
        waiter.finish(Ok(token("waiter", 3600))).unwrap();
        assert!(matches!(shared.flight(None).next(), Next::Use(token) if token.secret() == "waiter"));
        assert_eq!(store.values.lock().unwrap().len(), 1, "the lock was released");
    }

    #[test]
    fn a_refused_or_stale_token_is_not_reused() {
        let store = Arc::new(FakeStore::default());
        let shared = shared(Arc::clone(&store), Arc::default());
        let mut first = shared.flight(None);
        assert!(matches!(first.next(), Next::Fetch));
        let refused = token("refused-1", 3600);
        first.finish(Ok(refused.clone())).unwrap();
        assert!(matches!(shared.flight(Some(secret_hash(&refused))).next(), Next::Fetch));
        store.values.lock().unwrap().clear();
        let mut writer = shared.flight(None);
        assert!(matches!(writer.next(), Next::Fetch));
        writer.finish(Ok(token("short", 60))).unwrap();
        // 60 s lifetime, refreshed at half its life: still fresh now, stale when aged 31 s.
        assert!(matches!(shared.flight(None).next(), Next::Use(_)));
        let value = store.values.lock().unwrap().get(&shared.key).cloned().unwrap();
        let (received, rest) = value.split_once(' ').unwrap();
        let aged = format!("{} {rest}", received.parse::<u64>().unwrap() - 31_000);
        store.values.lock().unwrap().insert(shared.key.clone(), aged);
        assert!(matches!(shared.flight(None).next(), Next::Fetch));
    }

    #[test]
    fn a_failing_store_means_fetching_alone_with_one_warning() {
        let store = Arc::new(FakeStore::default());
        let warnings: Arc<Mutex<Vec<String>>> = Arc::default();
        let shared = shared(Arc::clone(&store), Arc::clone(&warnings));
        store.failing.store(true, Ordering::SeqCst);
        for _ in 0..3 {
            let mut flight = shared.flight(None);
            assert!(matches!(flight.next(), Next::Fetch));
            assert_eq!(flight.finish(Ok(token("own", 3600))).unwrap().secret(), "own");
        }
        assert_eq!(warnings.lock().unwrap().len(), 1, "{:?}", warnings.lock().unwrap());
        assert!(warnings.lock().unwrap()[0].contains("shared token store (fake) failed: refused"));
        store.failing.store(false, Ordering::SeqCst);
        assert!(matches!(shared.flight(None).next(), Next::Fetch));
        store.failing.store(true, Ordering::SeqCst);
        assert!(matches!(shared.flight(None).next(), Next::Fetch));
        assert_eq!(warnings.lock().unwrap().len(), 2, "a new outage is reported again");
    }

    #[test]
    fn keys_name_no_client_id_in_clear() {
        let key = store_key(["my-client", "https://h/oauth2/v2/tokens", "thumb"]);
        assert_eq!(key.len(), 43);
        assert!(!key.contains("my-client"));
        assert_ne!(key, store_key(["my-client", "https://h/oauth2/v6/tokens", "thumb"]));
    }

    #[cfg(not(feature = "redis"))]
    #[test]
    fn without_the_feature_a_store_url_is_a_config_error() {
        assert!(matches!(token_store_from_url("redis://127.0.0.1:6379"), Err(Error::Config(_))));
    }
}
