//! `TaapClient`: OAuth access tokens and signed API calls. The core client blocks; the Kotlin
//! layer runs the async variant on an executor.

use std::sync::Arc;
use std::time::Duration;

use crate::error::{config, FfiResult};
use crate::keys::FfiPrivateKey;
use crate::token::{pairs, FfiEntry};

/// Client settings; absent ones keep the core's defaults. Durations in milliseconds.
#[derive(uniffi::Record)]
pub struct FfiClientOptions {
    /// The OAuth client id.
    pub client_id: String,
    /// The OAuth client secret (the core zeroises it on drop).
    pub client_secret: String,
    /// `v2`, `v6`, a T-Mobile API name or a token endpoint URL.
    pub server: String,
    /// `storeId` for the v6 body.
    pub store_id: Option<String>,
    /// `dealerCode` for the v6 body.
    pub dealer_code: Option<String>,
    /// Connection set-up timeout.
    pub connect_timeout_ms: Option<i64>,
    /// Timeout of one whole HTTP exchange.
    pub request_timeout_ms: Option<i64>,
    /// Retries after the first attempt.
    pub max_retries: Option<i64>,
    /// First backoff delay.
    pub retry_base_delay_ms: Option<i64>,
    /// Longest single wait between tries.
    pub retry_max_delay_ms: Option<i64>,
    /// How long before expiry a cached access token is replaced, in seconds.
    pub refresh_margin_secs: Option<i64>,
    /// Validity of each PoP token, in seconds.
    pub pop_ttl_secs: Option<i64>,
    /// Largest response body read into memory.
    pub max_response_bytes: Option<i64>,
    /// Whether PoP `iat` follows the servers' clock.
    pub correct_clock_skew: Option<bool>,
}

fn duration(name: &str, value: i64, unit: fn(u64) -> Duration) -> FfiResult<Duration> {
    u64::try_from(value).map(unit).map_err(|_| config(format!("{name} is {value}; it cannot be negative")))
}

fn count<T: TryFrom<i64>>(name: &str, value: i64) -> FfiResult<T> {
    T::try_from(value).map_err(|_| config(format!("{name} is {value}; that is out of range")))
}

fn client_config(options: FfiClientOptions, key: &FfiPrivateKey) -> FfiResult<taap::ClientConfig> {
    let server = taap::OAuthServer::parse(&options.server)?;
    let mut config =
        taap::ClientConfig::new(options.client_id, options.client_secret, Arc::clone(&key.inner), server);
    config.store_id = options.store_id;
    config.dealer_code = options.dealer_code;
    if let Some(ms) = options.connect_timeout_ms {
        config.timeouts.connect = duration("connectTimeout", ms, Duration::from_millis)?;
    }
    if let Some(ms) = options.request_timeout_ms {
        config.timeouts.request = duration("requestTimeout", ms, Duration::from_millis)?;
    }
    if let Some(retries) = options.max_retries {
        config.retry.max_retries = count("maxRetries", retries)?;
    }
    if let Some(ms) = options.retry_base_delay_ms {
        config.retry.base_delay = duration("retryBaseDelay", ms, Duration::from_millis)?;
    }
    if let Some(ms) = options.retry_max_delay_ms {
        config.retry.max_delay = duration("retryMaxDelay", ms, Duration::from_millis)?;
    }
    if let Some(secs) = options.refresh_margin_secs {
        config.refresh_margin = duration("refreshMarginSecs", secs, Duration::from_secs)?;
    }
    if let Some(secs) = options.pop_ttl_secs {
        config.pop_ttl_secs = secs;
    }
    if let Some(bytes) = options.max_response_bytes {
        config.max_response_bytes = count("maxResponseBytes", bytes)?;
    }
    if let Some(correct) = options.correct_clock_skew {
        config.correct_clock_skew = correct;
    }
    Ok(config)
}

/// An access token and what the server said about it.
#[derive(uniffi::Record)]
pub struct FfiAccessToken {
    /// The bearer token (a secret; the Kotlin class keeps it out of `toString`).
    pub token: String,
    /// The OpenID Connect id token, when sent.
    pub id_token: Option<String>,
    /// Lifetime in seconds as the server gave it.
    pub expires_in: u64,
    /// Milliseconds of validity left when the call returned.
    pub remaining_ms: u64,
    /// The granted scope, when sent.
    pub scope: Option<String>,
    /// The answer's `status` member, when sent.
    pub status: Option<String>,
}

impl From<taap::AccessToken> for FfiAccessToken {
    fn from(token: taap::AccessToken) -> Self {
        FfiAccessToken {
            token: token.secret().to_owned(),
            id_token: token.id_token().map(str::to_owned),
            expires_in: token.expires_in(),
            remaining_ms: u64::try_from(token.remaining().as_millis()).unwrap_or(u64::MAX),
            scope: token.scope().map(str::to_owned),
            status: token.status().map(str::to_owned),
        }
    }
}

/// An HTTP answer: status, headers in arrival order (names lower-case) and the body.
#[derive(uniffi::Record)]
pub struct FfiResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The headers.
    pub headers: Vec<FfiEntry>,
    /// The whole body.
    pub body: Vec<u8>,
}

/// A `taap::TaapClient`; its token cache is shared by every JVM thread using it.
#[derive(uniffi::Object)]
pub struct FfiClient {
    inner: taap::TaapClient,
}

#[uniffi::export]
impl FfiClient {
    /// Checks the configuration; no network traffic yet.
    #[uniffi::constructor]
    pub fn new(options: FfiClientOptions, key: &FfiPrivateKey) -> FfiResult<Self> {
        Ok(FfiClient { inner: taap::TaapClient::new(client_config(options, key)?)? })
    }

    /// The client id.
    pub fn client_id(&self) -> String {
        self.inner.client_id().to_owned()
    }

    /// The token endpoint URL.
    pub fn token_url(&self) -> String {
        self.inner.token_url().to_owned()
    }

    /// `v2` or `v6`.
    pub fn flavor(&self) -> String {
        self.inner.flavor().name().to_owned()
    }

    /// The cached access token, or a new one.
    pub fn access_token(&self) -> FfiResult<FfiAccessToken> {
        Ok(self.inner.access_token()?.into())
    }

    /// A new access token, replacing the cached one.
    pub fn refresh_access_token(&self) -> FfiResult<FfiAccessToken> {
        Ok(self.inner.refresh_access_token()?.into())
    }

    /// A signed API call (blocking).
    pub fn send(
        &self,
        method: String,
        url: String,
        headers: Vec<FfiEntry>,
        body: Vec<u8>,
    ) -> FfiResult<FfiResponse> {
        let response = self.inner.send(&method, &url, pairs(&headers), &body)?;
        Ok(FfiResponse {
            status: response.status,
            headers: response.headers.into_iter().map(|(name, value)| FfiEntry { name, value }).collect(),
            body: response.body,
        })
    }
}
