//! The TAAP client: OAuth 2.0 access tokens (cached, refreshed once for all threads) and
//! signed API calls with a fresh PoP token each.

mod cache;
mod clock;
mod config;
mod http;
mod oauth;
mod profile;
mod retry;
mod token;
mod variants;

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use url::Url;
use zeroize::Zeroizing;

pub use clock::SKEW_THRESHOLD_SECS;
pub use config::{
    ClientConfig, ClientSecret, OAuthServer, RetryPolicy, Timeouts, TokenFlavor, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_REFRESH_MARGIN, TMOBILE_APIS, TMOBILE_V2_TOKEN_URL, TMOBILE_V6_TOKEN_URL,
};
pub use http::Response;
pub use profile::{config_path, Profile, Profiles, PROFILE_KEYS};
pub use token::AccessToken;
pub use variants::{
    mask_request, PreparedRequest, TokenBody, CLIENT_ID_PLACEHOLDER, PUBLIC_KEY_PEM_PLACEHOLDER,
};

use self::cache::{Cached, TokenCache};
use self::clock::ClockSkew;
use self::http::{FailurePhase, Outgoing};
use self::oauth::JSON;
use self::variants::Placeholders;
use crate::error::{Error, Result};
use crate::keys::PrivateKey;
use crate::request::{request_method, SignPolicy};
use crate::token::{BuildOptions, PopExtras, PopToken};

/// Headers the client sets itself; a caller passing one would break the TAAP binding.
pub(crate) const RESERVED_HEADERS: [&str; 2] = ["Authorization", "X-Authorization"];

/// A TAAP client: gets access tokens and makes signed API calls. `Send + Sync`; share one
/// per set of credentials (e.g. in an `Arc`), all methods take `&self`.
///
/// ```no_run
/// use std::sync::Arc;
/// use taap::{ClientConfig, OAuthServer, PrivateKey, TaapClient};
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
    client_id: String,
    client_secret: ClientSecret,
    key: Arc<PrivateKey>,
    token_url: Url,
    flavor: TokenFlavor,
    store_id: Option<String>,
    dealer_code: Option<String>,
    retry: RetryPolicy,
    pop_ttl_secs: i64,
    sign_policy: SignPolicy,
    token_body: Option<TokenBody>,
    pop_extras: PopExtras,
    x_authorization_prefix: String,
    default_headers: Vec<(String, String)>,
    public_key_pem: String,
    max_response_bytes: u64,
    agent: ureq::Agent,
    cache: TokenCache,
    clock: ClockSkew,
}

/// One request to send, possibly several times (retries), each with fresh PoP headers.
struct Attempt<'a> {
    method: &'a str,
    url: &'a Url,
    body: &'a [u8],
    /// Whether repeating the request is harmless (decides retries after it may have arrived).
    idempotent: bool,
}

impl TaapClient {
    /// Checks the configuration and builds the client; no network traffic yet.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let (token_url, flavor) = config.check()?;
        let public_key_pem = config.key.public_key().to_pem();
        let placeholders = Placeholders { client_id: &config.client_id, public_key_pem: &public_key_pem };
        let pop_extras = PopExtras {
            header: placeholders.expand_members(&config.pop_extras.header),
            claims: placeholders.expand_members(&config.pop_extras.claims),
        };
        Ok(TaapClient {
            pop_extras,
            token_body: config.token_body,
            x_authorization_prefix: config.x_authorization_prefix,
            default_headers: config.headers,
            public_key_pem,
            agent: http::agent(&config.timeouts),
            cache: TokenCache::new(config.refresh_margin),
            clock: ClockSkew::new(config.correct_clock_skew),
            client_id: config.client_id,
            client_secret: config.client_secret,
            key: config.key,
            token_url,
            flavor,
            store_id: config.store_id,
            dealer_code: config.dealer_code,
            retry: config.retry,
            pop_ttl_secs: config.pop_ttl_secs,
            sign_policy: config.sign_policy,
            max_response_bytes: config.max_response_bytes,
        })
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The token endpoint URL.
    pub fn token_url(&self) -> &str {
        self.token_url.as_str()
    }

    /// The token endpoint's flavour.
    pub fn flavor(&self) -> TokenFlavor {
        self.flavor
    }

    /// Seconds added to the local clock for PoP `iat`, learned from the servers' `Date`.
    pub fn clock_offset_secs(&self) -> i64 {
        self.clock.offset()
    }

    /// The cached access token, or a new one when it is missing or near expiry. Concurrent
    /// callers share one refresh.
    pub fn access_token(&self) -> Result<AccessToken> {
        self.cached_token().map(|cached| cached.token)
    }

    /// Fetches a new access token now, replacing the cached one.
    pub fn refresh_access_token(&self) -> Result<AccessToken> {
        if let Some(generation) = self.cache.current_generation() {
            self.cache.invalidate(generation);
        }
        self.cached_token().map(|cached| cached.token)
    }

    /// Sends a TAAP-signed API call: `Authorization: Bearer <access token>` and a fresh PoP
    /// token in `X-Authorization` over the headers the client's [`SignPolicy`] picks, then
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
        let method = request_method(method)?;
        let url = api_url(url)?;
        let headers = api_headers(headers, &self.default_headers)?;
        let attempt = Attempt { method: &method, url: &url, body, idempotent: retry::is_idempotent(&method) };
        let cached = self.cached_token()?;
        let response =
            self.execute(&attempt, || self.signed_api_headers(&attempt, &headers, &cached.token))?;
        if response.status != 401 {
            return Ok(response);
        }
        self.cache.invalidate(cached.generation);
        let cached = self.cached_token()?;
        self.execute(&attempt, || self.signed_api_headers(&attempt, &headers, &cached.token))
    }

    fn cached_token(&self) -> Result<Cached> {
        self.cache.get_or_refresh(|| self.fetch_token())
    }

    /// TAAP steps 1 and 2: a PoP token over the token request, then the token request.
    fn fetch_token(&self) -> Result<AccessToken> {
        let (headers, body) = self.token_request_parts();
        let attempt = Attempt { method: "POST", url: &self.token_url, body: &body, idempotent: true };
        let offset_before = self.clock.offset();
        let policy = self.token_policy();
        let mut response = self.execute(&attempt, || self.signed_headers(&attempt, &headers, &policy))?;
        if response.status == 401 && self.clock.offset() != offset_before {
            // The server's Date just revealed our clock is off: the PoP was judged stale or
            // early, and one more try with the corrected iat is what fixes it.
            response = self.execute(&attempt, || self.signed_headers(&attempt, &headers, &policy))?;
        }
        if !response.is_success() {
            return Err(Error::OAuth { status: response.status, message: oauth::server_message(&response) });
        }
        token::parse_token_response(response.status, response.body, Instant::now())
    }

    /// The token request's headers (before the PoP token) and body.
    fn token_request_parts(&self) -> (Vec<(String, Zeroizing<String>)>, Zeroizing<Vec<u8>>) {
        let authorization = oauth::basic_authorization(&self.client_id, &self.client_secret);
        let base = oauth::token_body(
            self.flavor,
            &self.client_id,
            &self.client_secret,
            self.store_id.as_deref(),
            self.dealer_code.as_deref(),
        );
        let placeholders = Placeholders { client_id: &self.client_id, public_key_pem: &self.public_key_pem };
        let body = variants::shaped_body(base, self.token_body.as_ref(), &placeholders);
        let headers = vec![
            ("Content-Type".to_owned(), Zeroizing::new(JSON.to_owned())),
            ("Authorization".to_owned(), authorization),
        ];
        (headers, body)
    }

    /// The token request signs the docs' headers, in the client's `uri` form.
    fn token_policy(&self) -> SignPolicy {
        SignPolicy::new().with_uri_form(self.sign_policy.uri_form())
    }

    /// The token request exactly as [`TaapClient::access_token`] would send it (a fresh PoP
    /// token included), without sending it; show it with `Display` (secrets masked).
    pub fn prepare_token_request(&self) -> Result<PreparedRequest> {
        let (headers, body) = self.token_request_parts();
        let attempt = Attempt { method: "POST", url: &self.token_url, body: &body, idempotent: true };
        let headers = self.signed_headers(&attempt, &headers, &self.token_policy())?;
        Ok(self.prepared(&attempt, headers))
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
        let method = request_method(method)?;
        let url = api_url(url)?;
        let mut headers = api_headers(headers, &self.default_headers)?;
        headers.push(("Authorization".into(), Zeroizing::new(variants::masked_bearer())));
        let attempt = Attempt { method: &method, url: &url, body, idempotent: retry::is_idempotent(&method) };
        let headers = self.signed_headers(&attempt, &headers, &self.sign_policy)?;
        Ok(self.prepared(&attempt, headers))
    }

    fn prepared(&self, attempt: &Attempt<'_>, headers: Vec<(String, Zeroizing<String>)>) -> PreparedRequest {
        PreparedRequest {
            method: attempt.method.to_owned(),
            url: attempt.url.as_str().to_owned(),
            headers,
            body: Zeroizing::new(attempt.body.to_vec()),
            secrets: vec![Zeroizing::new(self.client_secret.expose().to_owned())],
        }
    }

    /// The caller's headers plus `Authorization: Bearer`, signed.
    fn signed_api_headers(
        &self,
        attempt: &Attempt<'_>,
        headers: &[(String, Zeroizing<String>)],
        token: &AccessToken,
    ) -> Result<Vec<(String, Zeroizing<String>)>> {
        let mut all = headers.to_vec();
        all.push(("Authorization".into(), Zeroizing::new(format!("Bearer {}", token.secret()))));
        self.signed_headers(attempt, &all, &self.sign_policy)
    }

    /// `headers` plus `X-Authorization`: a fresh PoP token (new `jti`, skew-corrected `iat`)
    /// over the headers `policy` picks.
    fn signed_headers(
        &self,
        attempt: &Attempt<'_>,
        headers: &[(String, Zeroizing<String>)],
        policy: &SignPolicy,
    ) -> Result<Vec<(String, Zeroizing<String>)>> {
        let options = BuildOptions::default().ttl_secs(self.pop_ttl_secs).issued_at(self.clock.now());
        let sent: Vec<(&str, &str)> =
            headers.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        let ehts = policy.ehts(attempt.method, attempt.url.as_str(), &sent, attempt.body)?;
        let pop = PopToken::sign_with_extras(&self.key, &ehts, &options, &self.pop_extras)?;
        let mut all = headers.to_vec();
        all.push(("X-Authorization".into(), Zeroizing::new(format!("{}{pop}", self.x_authorization_prefix))));
        Ok(all)
    }

    /// Sends `attempt`, retrying connection failures and 429/5xx within the policy; every
    /// try gets headers from `headers` (so a fresh PoP token).
    fn execute(
        &self,
        attempt: &Attempt<'_>,
        headers: impl Fn() -> Result<Vec<(String, Zeroizing<String>)>>,
    ) -> Result<Response> {
        let mut retries = 0;
        loop {
            let headers = headers()?;
            let outgoing =
                Outgoing { method: attempt.method, url: attempt.url, headers: &headers, body: attempt.body };
            let outcome = http::exchange(&self.agent, &outgoing, self.max_response_bytes);
            drop(headers);
            let (wait, result) = match outcome {
                Ok(response) => {
                    self.clock.observe(&response);
                    let retryable = retry::is_retryable_status(response.status, attempt.idempotent);
                    let wait =
                        retryable.then(|| retry::delay(&self.retry, retries, Some(&response))).flatten();
                    (wait, Ok(response))
                }
                Err(failure) => {
                    let retryable = match failure.phase {
                        FailurePhase::BeforeSending => true,
                        FailurePhase::AfterSending => attempt.idempotent,
                        FailurePhase::Permanent => false,
                    };
                    let wait = retryable.then(|| retry::delay(&self.retry, retries, None)).flatten();
                    (wait, Err(failure.error))
                }
            };
            match wait {
                Some(wait) if retries < self.retry.max_retries => {
                    std::thread::sleep(wait);
                    retries += 1;
                }
                _ => return result,
            }
        }
    }
}

impl fmt::Debug for TaapClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaapClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("token_url", &http::shown_url(&self.token_url))
            .field("flavor", &self.flavor)
            .field("key", &self.key)
            .finish_non_exhaustive()
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
