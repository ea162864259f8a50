//! [`JwksUrl`]: a client's keys as a JWK set (RFC 7517) served over HTTP(S), e.g. by an identity
//! provider. The set is cached for as long as its `Cache-Control: max-age` says (within a floor
//! and a ceiling); a token naming a `kid` the cached set lacks makes it fetched again at once,
//! at most once per [`JwksOptions::refetch_interval`], and a `kid` a fresh set still lacked is
//! remembered for a while (a negative cache), so unknown `kid`s cannot make every request a
//! fetch. When the set cannot be fetched and no usable copy is cached, lookups fail with
//! [`Error::KeySourceUnavailable`], which validators answer with 503, not 401: the token may
//! be good, the validator just cannot tell.
//!
//! One fetch at a time: a request that needs a fetch's answer (an unknown `kid`, nothing
//! cached) waits for the one under way; the others are served the cached set meanwhile.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use url::Url;
use zeroize::Zeroizing;

use crate::client::http::{self, Outgoing};
use crate::client::Timeouts;
use crate::error::{shorten, Error, Result};
use crate::key_set::KeySet;

/// Longest freshness, staleness or negative-cache time an option may set (30 days).
const MAX_OPTION_DURATION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Longest `kid` remembered as unknown; a longer one is not cached (it is still refused).
const MAX_REMEMBERED_KID_CHARS: usize = 256;

/// How a [`JwksUrl`] caches and fetches; [`JwksOptions::default`] suits most identity providers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksOptions {
    /// Freshness of a set served without `Cache-Control: max-age` (default 300 s).
    pub default_max_age: Duration,
    /// Shortest freshness honoured whatever the server says (default 5 s), so `max-age=0` or
    /// `no-store` cannot make every request a fetch.
    pub min_max_age: Duration,
    /// Longest freshness honoured (default 24 h), so a removed key is dropped within a day.
    pub max_max_age: Duration,
    /// How long past its freshness a set stays in use while the URL cannot be fetched
    /// (default 1 h); after that, lookups fail with [`Error::KeySourceUnavailable`].
    pub max_stale: Duration,
    /// Fetches start at most once per this (default 5 s): the bound on refetches for unknown
    /// `kid`s and on retries of a failed fetch.
    pub refetch_interval: Duration,
    /// How long a `kid` that a freshly fetched set lacked is refused without fetching again
    /// (default 60 s).
    pub negative_ttl: Duration,
    /// Most `kid`s remembered as unknown at once (default 1024).
    pub negative_capacity: usize,
    /// Longest one fetch may take, connecting included (default 5 s).
    pub fetch_timeout: Duration,
    /// Largest set read, in bytes (default 1 MiB).
    pub max_response_bytes: u64,
}

impl Default for JwksOptions {
    fn default() -> Self {
        JwksOptions {
            default_max_age: Duration::from_secs(300),
            min_max_age: Duration::from_secs(5),
            max_max_age: Duration::from_secs(24 * 3600),
            max_stale: Duration::from_secs(3600),
            refetch_interval: Duration::from_secs(5),
            negative_ttl: Duration::from_secs(60),
            negative_capacity: 1024,
            fetch_timeout: Duration::from_secs(5),
            max_response_bytes: 1024 * 1024,
        }
    }
}

impl JwksOptions {
    /// Refuses inconsistent or out-of-range options, naming the option.
    pub fn check(&self) -> Result<()> {
        let config = |message: &str| Err(Error::Config(format!("JWKS options: {message}")));
        if self.min_max_age > self.max_max_age {
            return config("min_max_age is above max_max_age");
        }
        if !(self.min_max_age..=self.max_max_age).contains(&self.default_max_age) {
            return config("default_max_age is outside min_max_age to max_max_age");
        }
        let long = [self.max_max_age, self.max_stale, self.negative_ttl, self.refetch_interval];
        if long.iter().any(|duration| *duration > MAX_OPTION_DURATION) {
            return config("a duration is above 30 days");
        }
        if self.fetch_timeout.is_zero() || self.fetch_timeout > Duration::from_secs(60) {
            return config("fetch_timeout is outside 1 ms to 60 s");
        }
        if self.max_response_bytes == 0 || self.negative_capacity > 1_000_000 {
            return config("max_response_bytes must be above 0 and negative_capacity at most 1000000");
        }
        Ok(())
    }

    /// How long a set answered with `Cache-Control` (and `Age`) values stays fresh.
    fn freshness(&self, cache_control: Option<&str>, age: Option<&str>) -> Duration {
        let max_age = cache_control.and_then(max_age).unwrap_or(self.default_max_age);
        let age =
            age.and_then(|age| age.trim().parse::<u64>().ok()).map_or(Duration::ZERO, Duration::from_secs);
        max_age.saturating_sub(age).clamp(self.min_max_age, self.max_max_age)
    }
}

/// The `max-age` a `Cache-Control` value gives (`no-store` and `no-cache` give 0).
fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|directive| {
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "no-store" | "no-cache" => Some(Duration::ZERO),
            "max-age" => value.trim().trim_matches('"').parse::<u64>().ok().map(Duration::from_secs),
            _ => None,
        }
    })
}

/// A JWK set URL and its cache; share it (`Arc`) between the threads that validate.
pub struct JwksUrl {
    url: Url,
    shown: String,
    options: JwksOptions,
    agent: ureq::Agent,
    state: Mutex<State>,
    settled: Condvar,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    fetching: bool,
    last_attempt: Option<Instant>,
    /// Why the latest fetch failed; `None` once one succeeds.
    failure: Option<String>,
    /// `kid`s a freshly fetched set lacked, until when they are refused without a fetch.
    unknown: HashMap<String, Instant>,
}

struct Cached {
    keys: Arc<KeySet>,
    fresh_until: Instant,
    usable_until: Instant,
}

/// What a lookup does next.
enum Step {
    Serve(Arc<KeySet>),
    Fail(Error),
    /// Fetch (this caller), then answer from what the fetch left.
    Fetch,
    /// Wait for the fetch under way, then answer from what it left.
    Wait,
}

impl fmt::Debug for JwksUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query is not shown: some providers put an API key there.
        formatter.debug_struct("JwksUrl").field("url", &self.shown).finish_non_exhaustive()
    }
}

impl JwksUrl {
    /// The set at `url` (`http` or `https`), fetched when first needed.
    pub fn new(url: &str, options: JwksOptions) -> Result<JwksUrl> {
        options.check()?;
        let url = Url::parse(url).map_err(|error| {
            Error::Config(format!("the JWKS URL {:?} is not a URL: {error}", shorten(url, 80)))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::Config("the JWKS URL must be http:// or https:// with a host".into()));
        }
        let timeouts = Timeouts { connect: options.fetch_timeout, request: options.fetch_timeout };
        Ok(JwksUrl {
            shown: http::shown_url(&url),
            agent: http::agent(&timeouts),
            url,
            options,
            state: Mutex::new(State::default()),
            settled: Condvar::new(),
        })
    }

    /// The URL without its query (which may hold a credential), as errors show it.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// Why the latest fetch failed, if it did (the cached set, if any, stays in use).
    pub fn last_error(&self) -> Option<String> {
        self.lock().failure.clone()
    }

    /// The keys for a token naming `kid` (or none), fetching first when the cache cannot
    /// answer: nothing usable cached, freshness over, or a `kid` the set lacks (bounded and
    /// rate-limited). Blocks while this caller fetches or waits for the fetch under way.
    pub fn keys_for(&self, kid: Option<&str>) -> Result<Arc<KeySet>> {
        let mut state = self.lock();
        match self.decide(&state, kid, Instant::now()) {
            Step::Serve(keys) => return Ok(keys),
            Step::Fail(error) => return Err(error),
            Step::Fetch => state = self.fetch(state),
            Step::Wait => {
                let longest = self.options.fetch_timeout + Duration::from_secs(1);
                state = self
                    .settled
                    .wait_timeout_while(state, longest, |state| state.fetching)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
        self.settle(&mut state, kid, Instant::now())
    }

    /// [`JwksUrl::keys_for`] when the cache can answer without a fetch; `None` when only a
    /// fetch (or the one under way) can.
    pub fn try_keys_for(&self, kid: Option<&str>) -> Option<Result<Arc<KeySet>>> {
        match self.decide(&self.lock(), kid, Instant::now()) {
            Step::Serve(keys) => Some(Ok(keys)),
            Step::Fail(error) => Some(Err(error)),
            Step::Fetch | Step::Wait => None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next step of a lookup for `kid` at `now`.
    fn decide(&self, state: &State, kid: Option<&str>, now: Instant) -> Step {
        let may_fetch = !state.fetching
            && state.last_attempt.is_none_or(|at| now.duration_since(at) >= self.options.refetch_interval);
        let Some(cached) = state.cached.as_ref().filter(|cached| now < cached.usable_until) else {
            return match (state.fetching, may_fetch) {
                (true, _) => Step::Wait,
                (false, true) => Step::Fetch,
                (false, false) => Step::Fail(self.unavailable(state, None)),
            };
        };
        let unknown = kid.filter(|kid| !cached.keys.names(kid) && !state.remembers_unknown(kid, now));
        match unknown {
            // Stale: this caller refreshes it; the others keep the cached set meanwhile.
            None if now >= cached.fresh_until && may_fetch => Step::Fetch,
            None => Step::Serve(Arc::clone(&cached.keys)),
            Some(_) if state.fetching => Step::Wait,
            Some(_) if may_fetch => Step::Fetch,
            Some(kid) if state.failure.is_some() => Step::Fail(self.unavailable(state, Some(kid))),
            // Rate-limited: the set fetched moments ago lacks it.
            Some(_) => Step::Serve(Arc::clone(&cached.keys)),
        }
    }

    /// The answer once a fetch has been made or waited for: the usable set (a `kid` it still
    /// lacks is then remembered as unknown), or the source's unavailability.
    fn settle(&self, state: &mut State, kid: Option<&str>, now: Instant) -> Result<Arc<KeySet>> {
        let Some(cached) = state.cached.as_ref().filter(|cached| now < cached.usable_until) else {
            return Err(self.unavailable(state, None));
        };
        let keys = Arc::clone(&cached.keys);
        match kid.filter(|kid| !keys.names(kid)) {
            Some(kid) if state.failure.is_some() => Err(self.unavailable(state, Some(kid))),
            Some(kid) => {
                state.remember_unknown(kid, now + self.options.negative_ttl, self.options.negative_capacity);
                Ok(keys)
            }
            None => Ok(keys),
        }
    }

    /// Fetches the set with the lock released (other lookups go on meanwhile), records what
    /// came back, wakes the waiters and returns the lock.
    fn fetch<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        let started = Instant::now();
        state.fetching = true;
        state.last_attempt = Some(started);
        drop(state);
        let mut guard = FetchGuard { jwks: self, done: false };
        let fetched = self.download();
        let mut state = self.lock();
        guard.done = true;
        state.fetching = false;
        match fetched {
            Ok((keys, fresh_for)) => {
                let fresh_until = started + fresh_for;
                let usable_until = fresh_until + self.options.max_stale;
                state.cached = Some(Cached { keys: Arc::new(keys), fresh_until, usable_until });
                state.failure = None;
                state.unknown.retain(|_, until| *until > started);
            }
            Err(reason) => state.failure = Some(reason),
        }
        self.settled.notify_all();
        state
    }

    /// One GET of the set: the keys and their freshness, or why not (never a credential).
    fn download(&self) -> std::result::Result<(KeySet, Duration), String> {
        let accept = Zeroizing::new("application/jwk-set+json, application/json".to_owned());
        let headers = [("accept".to_owned(), accept)];
        let outgoing = Outgoing { method: "GET", url: &self.url, headers: &headers, body: &[] };
        let response = http::exchange(&self.agent, &outgoing, self.options.max_response_bytes)
            .map_err(|failure| self.transport_reason(failure.error))?;
        if !response.is_success() {
            return Err(format!("HTTP {}", response.status));
        }
        let keys = KeySet::parse(&response.body).map_err(|error| {
            format!("the answer is not a usable JWK set: {}", shorten(&error.to_string(), 120))
        })?;
        let fresh_for = self.options.freshness(response.header("cache-control"), response.header("age"));
        Ok((keys, fresh_for))
    }

    /// A transport error's reason without the `GET <url>: ` the unavailability message shows.
    fn transport_reason(&self, error: Error) -> String {
        let message = match error {
            Error::Transport(message) => message,
            other => other.to_string(),
        };
        let prefix = format!("GET {}: ", self.shown);
        message.strip_prefix(&prefix).map_or(message.clone(), str::to_owned)
    }

    /// [`Error::KeySourceUnavailable`] naming the URL, what is missing and the latest failure.
    fn unavailable(&self, state: &State, kid: Option<&str>) -> Error {
        let reason = state.failure.as_deref().unwrap_or("no fetch has succeeded yet");
        let missing = match kid {
            Some(kid) => format!("the cached set has no kid {}", shorten(kid, 64)),
            None => "no usable copy is cached".to_owned(),
        };
        Error::KeySourceUnavailable(format!(
            "the JWK set at {} cannot be fetched ({reason}) and {missing}",
            self.shown
        ))
    }
}

impl State {
    fn remembers_unknown(&self, kid: &str, now: Instant) -> bool {
        self.unknown.get(kid).is_some_and(|until| now < *until)
    }

    /// Remembers `kid` as unknown until `until`; a full cache first drops the expired entries,
    /// and stays as it is if none had expired (the rate limit still bounds the fetches).
    fn remember_unknown(&mut self, kid: &str, until: Instant, capacity: usize) {
        if kid.chars().count() > MAX_REMEMBERED_KID_CHARS {
            return;
        }
        if self.unknown.len() >= capacity && !self.unknown.contains_key(kid) {
            let now = Instant::now();
            self.unknown.retain(|_, expiry| *expiry > now);
            if self.unknown.len() >= capacity {
                return;
            }
        }
        self.unknown.insert(kid.to_owned(), until);
    }
}

/// Clears `fetching` if a fetch ends without recording its result, so lookups never wait on a
/// fetch that is no longer under way.
struct FetchGuard<'a> {
    jwks: &'a JwksUrl,
    done: bool,
}

impl Drop for FetchGuard<'_> {
    fn drop(&mut self) {
        if !self.done {
            let mut state = self.jwks.lock();
            state.fetching = false;
            state.failure = Some("the fetch stopped unexpectedly".into());
            self.jwks.settled.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_gives_the_freshness_within_the_floor_and_ceiling() {
        let options = JwksOptions::default();
        let fresh = |cache_control, age| options.freshness(cache_control, age).as_secs();
        assert_eq!(fresh(None, None), 300);
        assert_eq!(fresh(Some("public, max-age=600"), None), 600);
        assert_eq!(fresh(Some("Max-Age=\"120\", must-revalidate"), Some("20")), 100);
        assert_eq!(fresh(Some("max-age=1"), None), 5);
        assert_eq!(fresh(Some("no-store"), None), 5);
        assert_eq!(fresh(Some("max-age=999999999"), None), 86_400);
        assert_eq!(fresh(Some("max-age=abc"), None), 300);
        assert_eq!(fresh(Some("max-age=60"), Some("600")), 5);
    }

    #[test]
    fn inconsistent_options_are_config_errors_naming_the_option() {
        let options = JwksOptions { min_max_age: Duration::from_secs(10), ..JwksOptions::default() };
        assert_eq!(options.check(), Ok(()));
        let error =
            JwksOptions { default_max_age: Duration::from_secs(1), ..options.clone() }.check().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid configuration: JWKS options: default_max_age is outside min_max_age to max_max_age"
        );
        let zero = JwksOptions { fetch_timeout: Duration::ZERO, ..options }.check().unwrap_err();
        assert_eq!(zero.kind(), crate::ErrorKind::Config);
    }

    #[test]
    fn only_http_urls_with_a_host_are_accepted() {
        for url in ["file:///etc/keys.json", "not a url", "ftp://keys.example/jwks"] {
            let error = JwksUrl::new(url, JwksOptions::default()).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Config, "{url}");
        }
        let jwks = JwksUrl::new("https://idp.example/jwks?api_key=secret", JwksOptions::default()).unwrap();
        assert_eq!(jwks.url(), "https://idp.example/jwks");
        assert!(!format!("{jwks:?}").contains("secret"));
    }

    #[test]
    fn the_negative_cache_is_bounded() {
        let mut state = State::default();
        let later = Instant::now() + Duration::from_secs(60);
        for kid in ["a", "b", "c"] {
            state.remember_unknown(kid, later, 2);
        }
        assert_eq!(
            (state.remembers_unknown("a", Instant::now()), state.remembers_unknown("c", Instant::now())),
            (true, false)
        );
        state.remember_unknown(&"k".repeat(MAX_REMEMBERED_KID_CHARS + 1), later, 10);
        assert_eq!(state.unknown.len(), 2);
    }
}
