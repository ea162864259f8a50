//! The TAAP client: OAuth 2.0 access tokens (cached, refreshed once for all threads) and
//! signed API calls with a fresh PoP token each.

#[cfg(feature = "async-client")]
mod async_client;
#[cfg(feature = "async-client")]
mod async_http;
mod cache;
mod clock;
pub(crate) mod config;
mod engine;
pub(crate) mod http;
mod oauth;
mod profile;
pub(crate) mod retry;
mod routes;
mod settings;
mod stats;
mod store;
mod token;
mod variants;

use std::fmt;
use std::sync::Mutex;

use url::Url;
use zeroize::Zeroizing;

#[cfg(feature = "redis")]
pub use crate::redis::{RedisTokenStore, DEFAULT_TOKEN_STORE_DEADLINE};
#[cfg(feature = "async-client")]
pub use async_client::AsyncTaapClient;
pub use clock::SKEW_THRESHOLD_SECS;
pub use config::{
    ClientConfig, ClientSecret, OAuthServer, RetryPolicy, Timeouts, TokenFlavor, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_REFRESH_MARGIN, TMOBILE_APIS, TMOBILE_V2_TOKEN_URL, TMOBILE_V6_TOKEN_URL,
};
pub use http::Response;
pub use profile::{config_path, Profile, Profiles, PROFILE_KEYS};
pub use retry::is_idempotent;
pub use routes::Routes;
pub use settings::{effective_settings, ClientSettings};
pub use stats::{ClientStats, ClientStatsSnapshot};
pub use store::{token_store_from_url, OnWarning, StoreError, TokenStore};
pub use token::AccessToken;
pub use variants::{
    mask_request, PreparedRequest, TokenBody, CLIENT_ID_PLACEHOLDER, PUBLIC_KEY_PEM_PLACEHOLDER,
};

use self::cache::Cached;
use self::engine::{Attempt, Engine, Headers, Step};
use self::oauth::JSON;
use self::store::Next;
use crate::error::{Error, Result};
use crate::trace;

/// Headers the client sets itself; a caller passing one would break the TAAP binding.
pub(crate) const RESERVED_HEADERS: [&str; 2] = ["Authorization", "X-Authorization"];

/// A TAAP client: gets access tokens and makes signed API calls. `Send + Sync`; share one
/// per set of credentials (e.g. in an `Arc`), all methods take `&self`.
///
/// ```no_run
/// use std::sync::Arc;
/// use taap::{client::ClientConfig, client::OAuthServer, PrivateKey, TaapClient};
///
/// let key = Arc::new(PrivateKey::from_file("private-key.pem", None)?);
/// let client = TaapClient::new(ClientConfig::new("my-id", "my-secret", key, OAuthServer::V2))?;
/// let response = client.send(
///     "GET",
///     "https://naas.t-mobile.com/iot-connectivity/v1/devices/8901260000000000000",
///     [("Content-Type", "application/json")],
///     b"",
/// )?;
/// println!("{} {}", response.status, response.text());
/// # Ok::<(), taap::Error>(())
/// ```
pub struct TaapClient {
    engine: Engine,
    agent: ureq::Agent,
    /// Held by the one caller fetching a token; the others wait for its outcome.
    refresh: Mutex<()>,
    /// What it was configured with, under the schema's names ([`effective_settings`]).
    settings: serde_json::Map<String, serde_json::Value>,
}

impl TaapClient {
    /// Checks the configuration and builds the client; no network traffic yet.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let agent = http::agent(&config.timeouts);
        let settings = effective_settings(&config);
        Ok(TaapClient { engine: Engine::new(config)?, agent, refresh: Mutex::new(()), settings })
    }

    /// The options in effect, under the schema's names and units: what a door shows as
    /// `client.settings` and the behaviour suite checks.
    pub fn settings(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.settings
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        self.engine.client_id()
    }

    /// The token endpoint URL.
    pub fn token_url(&self) -> &str {
        self.engine.token_url().as_str()
    }

    /// The signer every PoP token of this client comes from (its kind and label say which key).
    pub fn signer(&self) -> &dyn crate::keys::Signer {
        self.engine.signer()
    }

    /// The token endpoint's flavour.
    pub fn flavor(&self) -> TokenFlavor {
        self.engine.flavor()
    }

    /// Seconds added to the local clock for PoP `iat`, learned from the servers' `Date`.
    pub fn clock_offset_secs(&self) -> i64 {
        self.engine.clock_offset_secs()
    }

    /// The cached access token, or a new one when it is missing or near expiry. Concurrent
    /// callers share one refresh.
    pub fn access_token(&self) -> Result<AccessToken> {
        self.cached_token().map(|cached| cached.token)
    }

    /// Fetches a new access token now, replacing the cached one.
    pub fn refresh_access_token(&self) -> Result<AccessToken> {
        self.engine.cache.invalidate_current();
        self.cached_token().map(|cached| cached.token)
    }

    /// A new access token after an API answered 401 to `refused` (for a caller that sends its
    /// own requests, e.g. after [`TaapClient::sign_call`]): `refused` is dropped if it is still
    /// the cached token, so callers refused together share one refresh.
    pub fn refresh_refused_token(&self, refused: &AccessToken) -> Result<AccessToken> {
        self.engine.cache.invalidate_token(refused);
        self.cached_token().map(|cached| cached.token)
    }

    /// What the client did with access tokens so far: token requests by outcome, refreshes
    /// by reason, shared token store answers. Clones of it keep counting.
    pub fn stats(&self) -> &ClientStats {
        self.engine.stats()
    }

    /// Sends a TAAP-signed API call: `Authorization: Bearer <access token>` and a fresh PoP
    /// token in `X-Authorization` over the headers the client's [`SignPolicy`](crate::SignPolicy) picks, then
    /// `uri`, `http-method` and `body`.
    ///
    /// `headers` are sent in order (`Content-Type: application/json` is added first when
    /// absent). Any HTTP status is returned as a [`Response`]; a 401 gets one token
    /// refresh and one retry, 429/5xx and connection failures get bounded retries.
    pub fn send<I, N, V>(&self, method: &str, url: &str, headers: I, body: &[u8]) -> Result<Response>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let mut call = self.engine.api_call(method, url, headers, body)?;
        loop {
            let cached = self.cached_token()?;
            let response = self.execute(&call.attempt(), || call.headers(&self.engine, &cached.token))?;
            if let Some(response) = call.after(&self.engine, response, cached.generation) {
                return Ok(response);
            }
        }
    }

    fn cached_token(&self) -> Result<Cached> {
        self.engine.cache.get_or_refresh(&self.refresh, || self.fetch_shared())
    }

    /// A new token through the shared store when there is one: another process's fresh
    /// token, or one this client fetches and shares.
    fn fetch_shared(&self) -> Result<AccessToken> {
        let Some(shared) = self.engine.shared() else { return self.fetch_token() };
        let mut flight = shared.flight(self.engine.cache.refused());
        loop {
            match flight.next() {
                Next::Use(token) => return Ok(token),
                Next::Fetch => return flight.finish(self.fetch_token()),
                Next::Wait(wait) => std::thread::sleep(wait),
            }
        }
    }

    /// TAAP steps 1 and 2: a PoP token over the token request, then the token request.
    fn fetch_token(&self) -> Result<AccessToken> {
        let span = self.engine.token_span();
        let outcome = {
            let _entered = span.enter();
            self.request_token(&span)
        };
        self.engine.token_requested(&span, outcome)
    }

    fn request_token(&self, span: &trace::Span) -> Result<AccessToken> {
        let mut request = self.engine.token_request();
        loop {
            let response = self.execute(&request.attempt(&self.engine), || request.headers(&self.engine))?;
            if let Some(outcome) = request.after(&self.engine, response, span) {
                return outcome;
            }
        }
    }

    /// The token request exactly as [`TaapClient::access_token`] would send it (a fresh PoP
    /// token included), without sending it; show it with `Display` (secrets masked).
    pub fn prepare_token_request(&self) -> Result<PreparedRequest> {
        self.engine.prepare_token_request()
    }

    /// An API call as [`TaapClient::send`] would send it, without sending anything. The access
    /// token is not known before the token request, so `Authorization` carries
    /// `Bearer ****` and the PoP token signs that placeholder.
    pub fn prepare_send<I, N, V>(
        &self,
        method: &str,
        url: &str,
        headers: I,
        body: &[u8],
    ) -> Result<PreparedRequest>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<str>,
    {
        self.engine.prepare_send(method, url, headers, body)
    }

    /// An API call exactly as [`TaapClient::send`] would send it with `token` (a fresh PoP
    /// token, the default headers, `Content-Type`), not sent: for a caller that forwards the
    /// request itself (a signing proxy, another HTTP stack).
    pub fn sign_call<I, N, V>(
        &self,
        method: &str,
        url: &str,
        headers: I,
        body: &[u8],
        token: &AccessToken,
    ) -> Result<PreparedRequest>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<str>,
    {
        self.engine.sign_call(method, url, headers, body, token)
    }

    /// Sends `attempt` as the engine's retry decisions say; every try gets headers from
    /// `headers` (so a fresh PoP token).
    fn execute(&self, attempt: &Attempt<'_>, headers: impl Fn() -> Result<Headers>) -> Result<Response> {
        let mut retrier = self.engine.retrier(attempt);
        let mut tries = 0;
        loop {
            tries += 1;
            let headers = headers()?;
            let span = attempt.span(tries);
            let outcome = {
                let _entered = span.enter();
                http::exchange(&self.agent, &attempt.outgoing(&headers), self.engine.max_response_bytes())
            };
            engine::sent(&span, &outcome);
            drop((headers, span));
            match retrier.after(outcome) {
                Step::Retry(wait) => std::thread::sleep(wait),
                Step::Done(result) => return result,
            }
        }
    }
}

impl fmt::Debug for TaapClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("TaapClient");
        self.engine.debug_fields(&mut out);
        out.finish_non_exhaustive()
    }
}

/// An absolute http(s) URL for an API call.
fn api_url(url: &str) -> Result<Url> {
    let mut parsed = Url::parse(url)
        .map_err(|error| Error::Config(format!("the API URL is not an absolute URL ({error})")))?;
    config::check_scheme(&parsed, "the API URL")?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::Config("the API URL must not carry credentials".into()));
    }
    // A fragment never leaves the client (the signer ignores it too).
    parsed.set_fragment(None);
    Ok(parsed)
}

/// The caller's headers, then the default ones the caller did not give,
/// `Content-Type: application/json` first when absent (every TAAP API expects it);
/// `Authorization` and `X-Authorization` are the client's to set.
fn api_headers<I, N, V>(headers: I, defaults: &[(String, String)]) -> Result<Vec<(String, Zeroizing<String>)>>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: AsRef<str>,
{
    let mut all: Vec<(String, Zeroizing<String>)> = headers
        .into_iter()
        .map(|(name, value)| (name.as_ref().to_owned(), Zeroizing::new(value.as_ref().to_owned())))
        .collect();
    if let Some((name, _)) =
        all.iter().find(|(name, _)| RESERVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(name)))
    {
        return Err(Error::Config(format!(
            "do not pass {name}: the client sets it (access token and PoP token)"
        )));
    }
    for (name, value) in defaults {
        if !all.iter().any(|(given, _)| given.eq_ignore_ascii_case(name)) {
            all.push((name.clone(), Zeroizing::new(value.clone())));
        }
    }
    if !all.iter().any(|(name, _)| name.eq_ignore_ascii_case("Content-Type")) {
        all.insert(0, ("Content-Type".into(), Zeroizing::new(JSON.to_owned())));
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_client_is_shareable_across_threads() {
        assert_send_sync::<TaapClient>();
        assert_send_sync::<AccessToken>();
    }

    #[test]
    fn content_type_is_added_first_and_reserved_headers_refused() {
        let defaults = [("X-Partner-Id".to_owned(), "P-1".to_owned()), ("accept".to_owned(), "x".to_owned())];
        let headers = api_headers([("Accept", "text/plain")], &defaults).unwrap();
        let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["Content-Type", "Accept", "X-Partner-Id"]);
        assert_eq!(headers[1].1.as_str(), "text/plain");
        let kept = api_headers([("content-type", "text/csv")], &[]).unwrap();
        assert_eq!((kept.len(), kept[0].1.as_str()), (1, "text/csv"));
        for reserved in ["authorization", "X-Authorization"] {
            assert!(matches!(api_headers([(reserved, "x")], &[]), Err(Error::Config(_))), "{reserved}");
        }
    }

    #[test]
    fn api_urls_must_be_absolute_http() {
        for bad in ["/relative", "ftp://h/x", "https://user:pw@h/x", "nonsense", "http://api.t-mobile.com/x"]
        {
            assert!(matches!(api_url(bad), Err(Error::Config(_))), "{bad}");
        }
        assert_eq!(api_url("https://h/a?b=c").unwrap().as_str(), "https://h/a?b=c");
        assert_eq!(api_url("https://h/a?b=c#part").unwrap().as_str(), "https://h/a?b=c");
        for local in ["http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/x"] {
            assert!(api_url(local).is_ok(), "{local}");
        }
    }
}
