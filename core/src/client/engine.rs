//! Everything a TAAP client decides, apart from moving bytes: what to send (signed anew on
//! every try), how to read each answer, whether and when to try again, and what the answers
//! teach the clock and the token cache. The blocking [`super::TaapClient`] and the async
//! client drive these same steps over their own transports, so they cannot drift apart.

use std::fmt;
use std::time::{Duration, Instant};

use url::Url;
use zeroize::Zeroizing;

use super::cache::TokenCache;
use super::clock::ClockSkew;
use super::config::{ClientConfig, ClientSecret, RetryPolicy, TokenFlavor};
use super::http::{self, Failure, FailurePhase, Outgoing, Response};
use super::oauth::{self, JSON};
use super::stats::ClientStats;
use super::store::SharedTokens;
use super::token::{self, AccessToken};
use super::variants::{self, Placeholders, PreparedRequest, TokenBody};
use super::{api_headers, api_url, retry};
use crate::error::{Error, Result};
use crate::keys::Signer;
use crate::request::{request_method, SignPolicy};
use crate::token::{BuildOptions, PopExtras, PopToken};
use crate::trace::{self, Span};

/// Header pairs as sent; values may be credentials, so they are zeroised when dropped.
pub(crate) type Headers = Vec<(String, Zeroizing<String>)>;

/// A client's settings and shared state (token cache, clock offset); `Send + Sync`.
pub(crate) struct Engine {
    client_id: String,
    client_secret: ClientSecret,
    key: std::sync::Arc<dyn Signer>,
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
    pub(crate) cache: TokenCache,
    clock: ClockSkew,
    shared: Option<std::sync::Arc<SharedTokens>>,
    stats: ClientStats,
}

/// One request to send, possibly several times (retries), each with fresh PoP headers.
pub(crate) struct Attempt<'a> {
    method: &'a str,
    url: &'a Url,
    body: &'a [u8],
    /// Whether repeating the request is harmless (decides retries after it may have arrived).
    idempotent: bool,
}

impl<'a> Attempt<'a> {
    /// The request on the wire with this try's headers.
    pub(crate) fn outgoing<'h>(&self, headers: &'h [(String, Zeroizing<String>)]) -> Outgoing<'h>
    where
        'a: 'h,
    {
        Outgoing { method: self.method, url: self.url, headers, body: self.body }
    }

    /// The `taap.client.send` span of try number `attempt` (from 1): method, host and path.
    pub(crate) fn span(&self, attempt: u32) -> Span {
        trace::send(self.method, self.url, attempt)
    }
}

/// Records one try's answer on its `taap.client.send` span: the status, or the error's kind.
pub(crate) fn sent(span: &Span, outcome: &std::result::Result<Response, Failure>) {
    match outcome {
        Ok(response) => span.record("status", response.status),
        Err(failure) => span.record("error", failure.error.kind().name()),
    };
}

/// What a driver does after one exchange.
pub(crate) enum Step {
    /// Wait this long, then send the request again (with fresh headers).
    Retry(Duration),
    /// The exchange is over: this is its outcome.
    Done(Result<Response>),
}

/// The retry decisions for one request: connection failures and 429/5xx within the policy,
/// `Retry-After` honoured; every answer also updates the clock offset.
pub(crate) struct Retrier<'e> {
    engine: &'e Engine,
    idempotent: bool,
    retries: u32,
}

impl Retrier<'_> {
    /// Reads the outcome of one exchange.
    pub(crate) fn after(&mut self, outcome: std::result::Result<Response, Failure>) -> Step {
        let policy = &self.engine.retry;
        let (wait, result) = match outcome {
            Ok(response) => {
                self.engine.clock.observe(&response);
                let retryable = retry::is_retryable_status(response.status, self.idempotent);
                let wait = retryable.then(|| retry::delay(policy, self.retries, Some(&response))).flatten();
                (wait, Ok(response))
            }
            Err(failure) => {
                let retryable = match failure.phase {
                    FailurePhase::BeforeSending => true,
                    FailurePhase::AfterSending => self.idempotent,
                    FailurePhase::Permanent => false,
                };
                let wait = retryable.then(|| retry::delay(policy, self.retries, None)).flatten();
                (wait, Err(failure.error))
            }
        };
        match wait {
            Some(wait) if self.retries < policy.max_retries => {
                self.retries += 1;
                Step::Retry(wait)
            }
            _ => Step::Done(result),
        }
    }
}

/// TAAP steps 1 and 2: the token request, and what its answer means.
pub(crate) struct TokenRequest {
    headers: Headers,
    body: Zeroizing<Vec<u8>>,
    policy: SignPolicy,
    offset_before: i64,
    resent: bool,
}

impl TokenRequest {
    /// The request to send (again).
    pub(crate) fn attempt<'a>(&'a self, engine: &'a Engine) -> Attempt<'a> {
        Attempt { method: "POST", url: &engine.token_url, body: &self.body, idempotent: true }
    }

    /// This try's headers: the fixed ones and a fresh PoP token.
    pub(crate) fn headers(&self, engine: &Engine) -> Result<Headers> {
        engine.signed_headers(&self.attempt(engine), &self.headers, &self.policy)
    }

    /// The access token or error the answer means, or `None` to send the request once more;
    /// `span` (the fetch's) learns the status.
    pub(crate) fn after(
        &mut self,
        engine: &Engine,
        response: Response,
        span: &Span,
    ) -> Option<Result<AccessToken>> {
        span.record("http_status", response.status);
        if response.status == 401 && !self.resent && engine.clock.offset() != self.offset_before {
            // The server's Date just revealed our clock is off: the PoP was judged stale or
            // early, and one more try with the corrected iat is what fixes it.
            self.resent = true;
            return None;
        }
        if !response.is_success() {
            return Some(Err(Error::OAuth {
                status: response.status,
                message: oauth::server_message(&response),
                answer: oauth::server_answer(response),
            }));
        }
        Some(token::parse_token_response(response.status, response.body, Instant::now()))
    }
}

/// TAAP steps 3 and 4: a signed API call, and the 401 that earns one token refresh.
pub(crate) struct ApiCall<'b> {
    method: String,
    url: Url,
    headers: Headers,
    body: &'b [u8],
    refreshed: bool,
}

impl ApiCall<'_> {
    /// The request to send (again).
    pub(crate) fn attempt(&self) -> Attempt<'_> {
        let idempotent = retry::is_idempotent(&self.method);
        Attempt { method: &self.method, url: &self.url, body: self.body, idempotent }
    }

    /// This try's headers: the caller's, `Authorization: Bearer` and a fresh PoP token.
    pub(crate) fn headers(&self, engine: &Engine, token: &AccessToken) -> Result<Headers> {
        let mut all = self.headers.clone();
        all.push(("Authorization".into(), Zeroizing::new(format!("Bearer {}", token.secret()))));
        engine.signed_headers(&self.attempt(), &all, &engine.sign_policy)
    }

    /// The response to return, or `None` after a first 401: the token of `generation` is
    /// dropped from the cache and the call goes again with a new one.
    pub(crate) fn after(&mut self, engine: &Engine, response: Response, generation: u64) -> Option<Response> {
        if response.status != 401 || self.refreshed {
            return Some(response);
        }
        self.refreshed = true;
        engine.cache.invalidate(generation);
        None
    }
}

impl Engine {
    /// Checks the configuration; `config.timeouts` is the driver's to apply.
    pub(crate) fn new(config: ClientConfig) -> Result<Self> {
        let (token_url, flavor) = config.check()?;
        let public_key_pem = config.key.public_key().to_pem();
        let placeholders = Placeholders { client_id: &config.client_id, public_key_pem: &public_key_pem };
        let stats = ClientStats::default();
        let shared = config.token_store.map(|store| {
            let thumbprint = config.key.public_key().thumbprint();
            let identity = [config.client_id.as_str(), token_url.as_str(), thumbprint.as_str()];
            let (margin, timeout) = (config.refresh_margin, config.timeouts.request);
            let stats = stats.clone();
            std::sync::Arc::new(SharedTokens::new(store, identity, margin, timeout, config.on_warning, stats))
        });
        let pop_extras = PopExtras {
            header: placeholders.expand_members(&config.pop_extras.header),
            claims: placeholders.expand_members(&config.pop_extras.claims),
        };
        Ok(Engine {
            pop_extras,
            token_body: config.token_body,
            x_authorization_prefix: config.x_authorization_prefix,
            default_headers: config.headers,
            public_key_pem,
            cache: TokenCache::new(config.refresh_margin, stats.clone()),
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
            shared,
            stats,
        })
    }

    pub(crate) fn client_id(&self) -> &str {
        &self.client_id
    }

    pub(crate) fn signer(&self) -> &dyn Signer {
        &*self.key
    }

    pub(crate) fn token_url(&self) -> &Url {
        &self.token_url
    }

    pub(crate) fn flavor(&self) -> TokenFlavor {
        self.flavor
    }

    /// The fields a client's `Debug` shows: no secret (the secret's own `Debug` masks it),
    /// no URL query.
    pub(crate) fn debug_fields(&self, out: &mut fmt::DebugStruct<'_, '_>) {
        out.field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("token_url", &http::shown_url(&self.token_url))
            .field("flavor", &self.flavor)
            .field("key", &self.key)
            .field("token_store", &self.shared.as_ref().map(|shared| shared.store_name()));
    }

    /// The shared token store's side of refreshing, when the client has one.
    pub(crate) fn shared(&self) -> Option<&std::sync::Arc<SharedTokens>> {
        self.shared.as_ref()
    }

    /// The client's token counters.
    pub(crate) fn stats(&self) -> &ClientStats {
        &self.stats
    }

    /// The `taap.client.token_fetch` span of one token request: the token URL's host and the
    /// flavour (no client id, no query).
    pub(crate) fn token_span(&self) -> Span {
        trace::token_fetch(&self.token_url, self.flavor.name())
    }

    /// Counts a token request (TAAP steps 1 and 2, retries included) by its outcome, and
    /// records it on the request's span.
    pub(crate) fn token_requested(&self, span: &Span, outcome: Result<AccessToken>) -> Result<AccessToken> {
        trace::outcome(span, &outcome);
        self.stats.token_request(&outcome);
        outcome
    }

    pub(crate) fn clock_offset_secs(&self) -> i64 {
        self.clock.offset()
    }

    pub(crate) fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// The retry decisions for sending `attempt`.
    pub(crate) fn retrier(&self, attempt: &Attempt<'_>) -> Retrier<'_> {
        Retrier { engine: self, idempotent: attempt.idempotent, retries: 0 }
    }

    /// A token request, built once and signed anew on every try.
    pub(crate) fn token_request(&self) -> TokenRequest {
        let (headers, body) = self.token_request_parts();
        TokenRequest {
            headers,
            body,
            policy: self.token_policy(),
            offset_before: self.clock.offset(),
            resent: false,
        }
    }

    /// An API call from the caller's arguments, checked.
    pub(crate) fn api_call<'b, I, N, V>(
        &self,
        method: &str,
        url: &str,
        headers: I,
        body: &'b [u8],
    ) -> Result<ApiCall<'b>>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<str>,
    {
        Ok(ApiCall {
            method: request_method(method)?,
            url: api_url(url)?,
            headers: api_headers(headers, &self.default_headers)?,
            body,
            refreshed: false,
        })
    }

    /// The token request's headers (before the PoP token) and body.
    fn token_request_parts(&self) -> (Headers, Zeroizing<Vec<u8>>) {
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

    /// The token request as it would be sent now, not sent.
    pub(crate) fn prepare_token_request(&self) -> Result<PreparedRequest> {
        let request = self.token_request();
        let headers = request.headers(self)?;
        Ok(self.prepared(&request.attempt(self), headers))
    }

    /// An API call as it would be sent, not sent; the unknown access token is `Bearer ****`.
    pub(crate) fn prepare_send<I, N, V>(
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
        let mut call = self.api_call(method, url, headers, body)?;
        call.headers.push(("Authorization".into(), Zeroizing::new(variants::masked_bearer())));
        let headers = self.signed_headers(&call.attempt(), &call.headers, &self.sign_policy)?;
        Ok(self.prepared(&call.attempt(), headers))
    }

    /// An API call as `send` sends it with `token`, not sent: what a proxy forwards itself.
    pub(crate) fn sign_call<I, N, V>(
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
        let call = self.api_call(method, url, headers, body)?;
        let headers = call.headers(self, token)?;
        Ok(self.prepared(&call.attempt(), headers))
    }

    fn prepared(&self, attempt: &Attempt<'_>, headers: Headers) -> PreparedRequest {
        PreparedRequest {
            method: attempt.method.to_owned(),
            url: attempt.url.as_str().to_owned(),
            headers,
            body: Zeroizing::new(attempt.body.to_vec()),
            secrets: vec![Zeroizing::new(self.client_secret.expose().to_owned())],
        }
    }

    /// `headers` plus `X-Authorization`: a fresh PoP token (new `jti`, skew-corrected `iat`)
    /// over the headers `policy` picks.
    fn signed_headers(
        &self,
        attempt: &Attempt<'_>,
        headers: &[(String, Zeroizing<String>)],
        policy: &SignPolicy,
    ) -> Result<Headers> {
        let options = BuildOptions::default().ttl_secs(self.pop_ttl_secs).issued_at(self.clock.now());
        let sent: Vec<(&str, &str)> =
            headers.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        let ehts = policy.ehts(attempt.method, attempt.url.as_str(), &sent, attempt.body)?;
        let span = trace::sign(self.key.kind().name());
        let signed = {
            let _entered = span.enter();
            let sign = || PopToken::sign_with_extras(&self.key, &ehts, &options, &self.pop_extras);
            off_worker(self.key.as_ref(), sign)
        };
        trace::outcome(&span, &signed);
        let pop = signed?;
        let mut all = headers.to_vec();
        all.push(("X-Authorization".into(), Zeroizing::new(format!("{}{pop}", self.x_authorization_prefix))));
        Ok(all)
    }
}

/// Runs `sign` where a signer that waits (an HSM, a KMS, a callback) holds no tokio worker:
/// on a multi-threaded runtime the worker's other tasks move to another thread meanwhile.
/// taap's own in-memory key signs in microseconds and runs as it is.
fn off_worker<R>(signer: &dyn Signer, sign: impl FnOnce() -> R) -> R {
    #[cfg(feature = "async-client")]
    {
        use tokio::runtime::{Handle, RuntimeFlavor};
        let waits = !crate::keys::signs_in_process(signer);
        let multi_threaded =
            Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
        if waits && multi_threaded {
            return tokio::task::block_in_place(sign);
        }
    }
    #[cfg(not(feature = "async-client"))]
    let _ = signer;
    sign()
}
