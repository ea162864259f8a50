//! What a [`TaapClient`](super::TaapClient) needs to know: credentials, key, OAuth server, limits.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keys::{IntoSigner, Signer};
use crate::request::SignPolicy;
use crate::token::PopExtras;

use super::store::{OnWarning, TokenStore};
use super::variants::TokenBody;

/// T-Mobile's v2 token server (empty body): Connectivity, Location, SMS Notification.
pub const TMOBILE_V2_TOKEN_URL: &str = "https://naas.t-mobile.com/oauth2/v2/tokens";
/// T-Mobile's v6 token server (JSON body): Call Verification, Fraud Prevention.
pub const TMOBILE_V6_TOKEN_URL: &str = "https://api.t-mobile.com/oauth2/v6/tokens";
/// T-Mobile's APIs and the token server each uses, as the docs' table gives them.
pub const TMOBILE_APIS: [(&str, TokenFlavor); 5] = [
    ("connectivity", TokenFlavor::V2),
    ("location", TokenFlavor::V2),
    ("sms-notification", TokenFlavor::V2),
    ("call-verification", TokenFlavor::V6),
    ("fraud-prevention", TokenFlavor::V6),
];
/// Default time before expiry at which a cached access token is replaced.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Default cap on a response body the client reads into memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

/// A client secret: zeroised when dropped, never shown by `Debug`.
#[derive(Clone)]
pub struct ClientSecret(Zeroizing<String>);

impl ClientSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        ClientSecret(Zeroizing::new(secret.into()))
    }

    /// The secret itself, for building the request that must carry it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for ClientSecret {
    fn from(secret: String) -> Self {
        ClientSecret::new(secret)
    }
}

impl From<&str> for ClientSecret {
    fn from(secret: &str) -> Self {
        ClientSecret::new(secret)
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

/// Which request shape the token endpoint expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenFlavor {
    /// `/oauth2/v2/tokens`: an empty body.
    V2,
    /// `/oauth2/v6/tokens`: a JSON body with the credentials and grant type.
    V6,
}

impl TokenFlavor {
    /// The flavour a token endpoint path names (`…/v2/tokens` or `…/v6/tokens`).
    pub fn from_path(path: &str) -> Option<TokenFlavor> {
        let path = path.trim_end_matches('/');
        if path.ends_with("/v2/tokens") {
            Some(TokenFlavor::V2)
        } else if path.ends_with("/v6/tokens") {
            Some(TokenFlavor::V6)
        } else {
            None
        }
    }

    /// `"v2"` or `"v6"`.
    pub fn name(self) -> &'static str {
        match self {
            TokenFlavor::V2 => "v2",
            TokenFlavor::V6 => "v6",
        }
    }
}

/// The OAuth server to get access tokens from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthServer {
    /// T-Mobile's v2 endpoint ([`TMOBILE_V2_TOKEN_URL`]).
    V2,
    /// T-Mobile's v6 endpoint ([`TMOBILE_V6_TOKEN_URL`]).
    V6,
    /// Any full token endpoint URL, e.g. a local gateway's `http://127.0.0.1:8080/oauth2/v2/tokens`;
    /// its flavour is taken from its path.
    Url(String),
}

impl OAuthServer {
    /// Parses `v2`, `v6`, an API name of [`TMOBILE_APIS`] (`connectivity`, …) or a full token
    /// endpoint URL (how the CLI and bindings take it).
    pub fn parse(text: &str) -> Result<OAuthServer> {
        let server = match text.trim() {
            "v2" | "V2" => OAuthServer::V2,
            "v6" | "V6" => OAuthServer::V6,
            name if !name.contains(['/', ':']) => OAuthServer::for_api(name)?,
            url => OAuthServer::Url(url.to_owned()),
        };
        server.endpoint()?;
        Ok(server)
    }

    /// The token server T-Mobile's docs name for an API, e.g. `connectivity` → v2.
    pub fn for_api(api: &str) -> Result<OAuthServer> {
        let flavor = TMOBILE_APIS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(api.trim()))
            .map(|(_, flavor)| *flavor)
            .ok_or_else(|| {
                let known: Vec<&str> = TMOBILE_APIS.iter().map(|(name, _)| *name).collect();
                Error::Config(format!(
                    "{:?} is not an API taap knows; choose one of {}, or give v2, v6 or a token URL",
                    crate::error::shorten(api, 40),
                    known.join(", ")
                ))
            })?;
        Ok(match flavor {
            TokenFlavor::V2 => OAuthServer::V2,
            TokenFlavor::V6 => OAuthServer::V6,
        })
    }

    /// The token endpoint URL and its flavour, checked.
    pub fn endpoint(&self) -> Result<(Url, TokenFlavor)> {
        let text = match self {
            OAuthServer::V2 => TMOBILE_V2_TOKEN_URL,
            OAuthServer::V6 => TMOBILE_V6_TOKEN_URL,
            OAuthServer::Url(url) => url,
        };
        let url = Url::parse(text).map_err(|error| {
            Error::Config(format!("the OAuth server is neither v2, v6 nor a URL ({error})"))
        })?;
        check_scheme(&url, "the OAuth server URL")?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::Config(
                "the OAuth server URL must not carry credentials; pass client_id and client_secret".into(),
            ));
        }
        let flavor = TokenFlavor::from_path(url.path()).ok_or_else(|| {
            Error::Config(format!(
                "cannot tell the token flavour from the path {:?}; it must end in /v2/tokens or /v6/tokens",
                url.path()
            ))
        })?;
        Ok((url, flavor))
    }
}

/// How long the client waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connection set-up, including DNS and TLS (default 10 s).
    pub connect: Duration,
    /// One whole HTTP exchange: sending, waiting, reading the body (default 30 s).
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), request: Duration::from_secs(30) }
    }
}

/// Bounded retries for connection failures, 429 and 5xx answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 turns retrying off; default 2, at most 10).
    pub max_retries: u32,
    /// First backoff delay; it doubles on each retry, with jitter (default 200 ms).
    pub base_delay: Duration,
    /// Longest single wait, backoff or `Retry-After`; a server asking for longer is not
    /// retried (default 10 s).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..RetryPolicy::default() }
    }
}

/// Everything a [`TaapClient`](super::TaapClient) is built from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The OAuth client id.
    pub client_id: String,
    /// The OAuth client secret.
    pub client_secret: ClientSecret,
    /// The key registered with the OAuth server: any [`Signer`] (an `Arc<PrivateKey>` as
    /// before, a callback, a hardware key); shared, never copied.
    pub key: Arc<dyn Signer>,
    /// Where access tokens come from.
    pub server: OAuthServer,
    /// `storeId` for the v6 body (ignored by v2).
    pub store_id: Option<String>,
    /// `dealerCode` for the v6 body (ignored by v2).
    pub dealer_code: Option<String>,
    /// Connection and request timeouts.
    pub timeouts: Timeouts,
    /// Retries for connection failures, 429 and 5xx.
    pub retry: RetryPolicy,
    /// Replace a cached access token this long before it expires (default 60 s; tokens
    /// living less than twice the margin are replaced at half their life).
    pub refresh_margin: Duration,
    /// Validity of each PoP token in seconds (default 120, as T-Mobile's builders).
    pub pop_ttl_secs: i64,
    /// Largest response body read into memory (default 10 MiB).
    pub max_response_bytes: u64,
    /// Correct PoP `iat` by the offset the server's `Date` header shows (default on).
    pub correct_clock_skew: bool,
    /// Which headers of an API call the PoP token signs (default: the docs' `Content-Type`
    /// and `Authorization`); the token request always signs the docs' set.
    pub sign_policy: SignPolicy,
    /// Members merged into (or replacing) the flavour's token request body; string values may
    /// hold `{client_id}` and `{public_key_pem}` (default: the flavour's body as the docs).
    pub token_body: Option<TokenBody>,
    /// Extra claims and JOSE header members on every PoP token the client builds (string
    /// values may hold the same placeholders); appended after the standard ones.
    pub pop_extras: PopExtras,
    /// Text put before the PoP token in `X-Authorization` (default none: the raw token).
    pub x_authorization_prefix: String,
    /// Headers sent on every API call, after the caller's (a caller's header of the same
    /// name wins); signed when `sign_policy` names them.
    pub headers: Vec<(String, String)>,
    /// A store shared with the other processes using the same client id, token URL and key,
    /// so they make one token request per refresh window between them (default none). It
    /// holds the access token: a secret. See [`token_store_from_url`](crate::client::token_store_from_url).
    pub token_store: Option<Arc<dyn TokenStore>>,
    /// Where the client's warnings go (a failing token store), default standard error.
    pub on_warning: OnWarning,
}

impl ClientConfig {
    /// A configuration with the defaults for everything but credentials, key and server.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<ClientSecret>,
        key: impl IntoSigner,
        server: OAuthServer,
    ) -> Self {
        ClientConfig {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            key: key.into_signer(),
            server,
            store_id: None,
            dealer_code: None,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            pop_ttl_secs: crate::token::DEFAULT_TTL_SECS,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            correct_clock_skew: true,
            sign_policy: SignPolicy::new(),
            token_body: None,
            pop_extras: PopExtras::default(),
            x_authorization_prefix: String::new(),
            headers: Vec::new(),
            token_store: None,
            on_warning: OnWarning::default(),
        }
    }

    /// Checks every field; the message names the field and the accepted range.
    pub(crate) fn check(&self) -> Result<(Url, TokenFlavor)> {
        check_client_id(&self.client_id)?;
        if self.client_secret.expose().is_empty() {
            return Err(Error::Config("client_secret is empty".into()));
        }
        if self.client_secret.expose().chars().any(char::is_control) {
            return Err(Error::Config("client_secret contains control characters".into()));
        }
        for (name, value) in [("store_id", &self.store_id), ("dealer_code", &self.dealer_code)] {
            if value.as_deref().is_some_and(|value| value.is_empty() || value.len() > 256) {
                return Err(Error::Config(format!("{name} must be 1 to 256 characters")));
            }
        }
        check_duration("timeouts.connect", self.timeouts.connect, Duration::from_secs(600))?;
        check_duration("timeouts.request", self.timeouts.request, Duration::from_secs(3600))?;
        if self.retry.max_retries > 10 {
            return Err(Error::Config(format!(
                "retry.max_retries is {}; choose 0 to 10",
                self.retry.max_retries
            )));
        }
        check_duration("retry.max_delay", self.retry.max_delay, Duration::from_secs(600))?;
        if self.retry.base_delay > self.retry.max_delay {
            return Err(Error::Config("retry.base_delay exceeds retry.max_delay".into()));
        }
        if self.refresh_margin > Duration::from_secs(3600) {
            return Err(Error::Config("refresh_margin is over an hour; choose 0 to 3600 s".into()));
        }
        if !(1..=crate::token::MAX_TTL_SECS).contains(&self.pop_ttl_secs) {
            return Err(Error::Config(format!(
                "pop_ttl_secs is {}; a PoP token lives 1 to {} seconds",
                self.pop_ttl_secs,
                crate::token::MAX_TTL_SECS
            )));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::Config("max_response_bytes must be above 0".into()));
        }
        self.pop_extras.check()?;
        let prefix = &self.x_authorization_prefix;
        if prefix.len() > 64 || prefix.chars().any(char::is_control) {
            return Err(Error::Config(
                "x_authorization_prefix must be at most 64 characters, without control characters".into(),
            ));
        }
        super::variants::check_default_headers(&self.headers, &super::RESERVED_HEADERS)?;
        self.server.endpoint()
    }
}

/// https anywhere; plain http only to this machine (a local gateway), since the requests carry
/// the client secret and tokens.
pub(crate) fn check_scheme(url: &Url, what: &str) -> Result<()> {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => return Err(Error::Config(format!("{what} must be https://host/…"))),
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(Error::Config(format!(
            "{what} uses plain http to another machine; use https (credentials and tokens travel in it)"
        ))),
        _ => Err(Error::Config(format!("{what} must be https://host/…"))),
    }
}

fn check_client_id(client_id: &str) -> Result<()> {
    if client_id.is_empty() || client_id.len() > 1024 {
        return Err(Error::Config("client_id must be 1 to 1024 characters".into()));
    }
    if client_id.contains(':') || client_id.chars().any(char::is_control) {
        // Basic authentication joins id and secret with ':'; an id holding one is ambiguous.
        return Err(Error::Config("client_id must not contain ':' or control characters".into()));
    }
    Ok(())
}

fn check_duration(name: &str, value: Duration, max: Duration) -> Result<()> {
    if value.is_zero() || value > max {
        return Err(Error::Config(format!(
            "{name} is {value:?}; choose above 0 and at most {} s",
            max.as_secs()
        )));
    }
    Ok(())
}
