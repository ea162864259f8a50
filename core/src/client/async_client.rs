//! The TAAP client for tokio: the same engine as [`super::TaapClient`] (cache, single-flight
//! refresh, retries, `Retry-After`, skew correction), driven over hyper without blocking.

use std::fmt;
use std::time::Duration;

use super::async_http::{self, HyperClient};
use super::cache::Cached;
use super::engine::{self, Attempt, Engine, Headers, Step};
use super::store::{Flight, Next};
use super::{AccessToken, ClientConfig, ClientStats, PreparedRequest, Response, TokenFlavor};
use crate::error::Result;
use crate::trace::Span;

/// A TAAP client for async Rust (tokio): gets access tokens and makes signed API calls.
/// `Send + Sync`; share one per set of credentials (e.g. in an `Arc`). Needs a tokio runtime
/// with the time driver (`#[tokio::main]` has it).
///
/// ```no_run
/// use std::sync::Arc;
/// use taap::{client::AsyncTaapClient, client::ClientConfig, client::OAuthServer, PrivateKey};
///
/// # async fn run() -> taap::Result<()> {
/// let key = Arc::new(PrivateKey::from_file("private-key.pem", None)?);
/// let client = AsyncTaapClient::new(ClientConfig::new("my-id", "my-secret", key, OAuthServer::V2))?;
/// let response = client
///     .send("GET", "https://naas.t-mobile.com/iot-connectivity/v1/devices/8901260000000000000", [("Accept", "application/json")], b"")
///     .await?;
/// println!("{} {}", response.status, response.text());
/// # Ok(())
/// # }
/// ```
pub struct AsyncTaapClient {
    engine: Engine,
    http: HyperClient,
    request_timeout: Duration,
    /// Held by the one task fetching a token; the others wait for its outcome.
    refresh: tokio::sync::Mutex<()>,
}

impl AsyncTaapClient {
    /// Checks the configuration and builds the client; no network traffic yet.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let http = async_http::client(&config.timeouts)?;
        let request_timeout = config.timeouts.request;
        Ok(AsyncTaapClient {
            engine: Engine::new(config)?,
            http,
            request_timeout,
            refresh: Default::default(),
        })
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
    /// tasks share one refresh.
    pub async fn access_token(&self) -> Result<AccessToken> {
        self.cached_token().await.map(|cached| cached.token)
    }

    /// Fetches a new access token now, replacing the cached one.
    pub async fn refresh_access_token(&self) -> Result<AccessToken> {
        self.engine.cache.invalidate_current();
        self.cached_token().await.map(|cached| cached.token)
    }

    /// A new access token after an API answered 401 to `refused` (for a caller that sends its
    /// own requests, e.g. after [`AsyncTaapClient::sign_call`]): `refused` is dropped if it is
    /// still the cached token, so tasks refused together share one refresh.
    pub async fn refresh_refused_token(&self, refused: &AccessToken) -> Result<AccessToken> {
        self.engine.cache.invalidate_token(refused);
        self.cached_token().await.map(|cached| cached.token)
    }

    /// What the client did with access tokens so far, as [`super::TaapClient::stats`].
    pub fn stats(&self) -> &ClientStats {
        self.engine.stats()
    }

    /// Sends a TAAP-signed API call, as [`super::TaapClient::send`] does: any HTTP status
    /// comes back as a [`Response`]; a 401 gets one token refresh and one retry, 429/5xx and
    /// connection failures get bounded retries.
    pub async fn send<I, N, V>(&self, method: &str, url: &str, headers: I, body: &[u8]) -> Result<Response>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let mut call = self.engine.api_call(method, url, headers, body)?;
        loop {
            let cached = self.cached_token().await?;
            let response =
                self.execute(&call.attempt(), || call.headers(&self.engine, &cached.token)).await?;
            if let Some(response) = call.after(&self.engine, response, cached.generation) {
                return Ok(response);
            }
        }
    }

    /// The token request as [`AsyncTaapClient::access_token`] would send it, not sent.
    pub fn prepare_token_request(&self) -> Result<PreparedRequest> {
        self.engine.prepare_token_request()
    }

    /// An API call as [`AsyncTaapClient::send`] would send it, not sent (`Bearer ****`).
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

    /// An API call exactly as [`AsyncTaapClient::send`] would send it with `token` (a fresh PoP
    /// token, the default headers, `Content-Type`), not sent: for a caller that forwards the
    /// request itself and streams the answer (a signing proxy).
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

    /// The engine's single-flight steps with an async lock: waiting tasks do not block threads,
    /// and a fetch abandoned mid-way (its future dropped) lets the next task fetch instead.
    async fn cached_token(&self) -> Result<Cached> {
        let cache = &self.engine.cache;
        let ticket = match cache.lookup() {
            Ok(cached) => return Ok(cached),
            Err(ticket) => ticket,
        };
        let _refreshing = self.refresh.lock().await;
        if let Some(outcome) = cache.joined(ticket) {
            return outcome;
        }
        cache.settle(self.fetch_shared().await)
    }

    /// As the blocking client's: through the shared store when there is one. The store's
    /// blocking steps run on tokio's blocking threads, so no task waits on Redis.
    async fn fetch_shared(&self) -> Result<AccessToken> {
        let Some(shared) = self.engine.shared() else { return self.fetch_token().await };
        let mut flight = shared.flight(self.engine.cache.refused());
        loop {
            let Some((returned, next)) = off_thread(flight, |flight| flight.next()).await else {
                return self.fetch_token().await;
            };
            flight = returned;
            match next {
                Next::Use(token) => return Ok(token),
                Next::Fetch => {
                    let outcome = self.fetch_token().await;
                    let shared = outcome.clone();
                    // Sharing is best effort: the caller gets its token even if this step is lost.
                    let _ = tokio::task::spawn_blocking(move || flight.finish(shared)).await;
                    return outcome;
                }
                Next::Wait(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    async fn fetch_token(&self) -> Result<AccessToken> {
        let span = self.engine.token_span();
        let outcome = in_span(&span, self.request_token(&span)).await;
        self.engine.token_requested(&span, outcome)
    }

    async fn request_token(&self, span: &Span) -> Result<AccessToken> {
        let mut request = self.engine.token_request();
        loop {
            let response =
                self.execute(&request.attempt(&self.engine), || request.headers(&self.engine)).await?;
            if let Some(outcome) = request.after(&self.engine, response, span) {
                return outcome;
            }
        }
    }

    async fn execute(
        &self,
        attempt: &Attempt<'_>,
        headers: impl Fn() -> Result<Headers>,
    ) -> Result<Response> {
        let mut retrier = self.engine.retrier(attempt);
        let mut tries = 0;
        loop {
            tries += 1;
            let outcome = {
                let headers = headers()?;
                let outgoing = attempt.outgoing(&headers);
                let span = attempt.span(tries);
                let exchange = async_http::exchange(
                    &self.http,
                    &outgoing,
                    self.engine.max_response_bytes(),
                    self.request_timeout,
                );
                let outcome = in_span(&span, exchange).await;
                engine::sent(&span, &outcome);
                outcome
            };
            match retrier.after(outcome) {
                Step::Retry(wait) => tokio::time::sleep(wait).await,
                Step::Done(result) => return result,
            }
        }
    }
}

/// `future` inside `span` (each poll enters it); without the `tracing` feature, just `future`.
async fn in_span<F: std::future::Future>(span: &Span, future: F) -> F::Output {
    #[cfg(feature = "tracing")]
    return tracing::Instrument::instrument(future, span.clone()).await;
    #[cfg(not(feature = "tracing"))]
    {
        let _ = span;
        future.await
    }
}

/// Runs one blocking step of `flight` on a blocking thread; `None` if the thread was lost.
async fn off_thread(mut flight: Flight, step: fn(&mut Flight) -> Next) -> Option<(Flight, Next)> {
    tokio::task::spawn_blocking(move || {
        let next = step(&mut flight);
        (flight, next)
    })
    .await
    .ok()
}

impl fmt::Debug for AsyncTaapClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("AsyncTaapClient");
        self.engine.debug_fields(&mut out);
        out.finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_client_is_shareable_across_tasks() {
        assert_send_sync::<AsyncTaapClient>();
    }
}
