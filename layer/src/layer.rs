//! [`PopLayer`]: TAAP PoP validation in front of any axum or hyper service.
//!
//! The layer reads the whole body (bounded), optionally checks the Bearer access token, finds
//! the public key (or the client's key source) the PoP token must verify with, and validates
//! the token with the core against the request as received. A request that fails any check is
//! answered here (401; 413/400 for a body too large or unreadable; 503 when the replay store or
//! the key source cannot answer) and never reaches the inner service; one that passes reaches
//! it with its body intact and the decoded [`PopToken`] in its extensions.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::request::Parts;
use axum::http::{header, Extensions, HeaderMap, Request};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use taap::request::{ReceivedRequest, UriForm};
use taap::validate::{request_kid, KeySet, KeySource, ValidatorOptions};
use taap::{PopToken, PopTokenValidator, PublicKey};
use tower::{Layer, Service};

use crate::metrics::{
    PopMetrics, KIND_ACCESS_TOKEN, KIND_BAD_REQUEST, KIND_BODY_TOO_LARGE, KIND_KEY_LOOKUP,
    KIND_REPLAY_STORE_UNAVAILABLE,
};
use crate::pop;
use crate::replay::ReplayStore;
use crate::reply::Refusal;

/// Largest body [`PopLayer`] reads unless told otherwise (1 MiB, as `taap serve`).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The error type of request bodies the layer accepts.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type KeyLookup = dyn Fn(&Parts) -> Result<PublicKey, Refusal> + Send + Sync;
type SourceLookup = dyn Fn(&Parts) -> Result<KeySource, Refusal> + Send + Sync;
type BearerCheck = dyn Fn(&str, &mut Extensions) -> Result<(), Refusal> + Send + Sync;
type Clock = dyn Fn() -> i64 + Send + Sync;

/// A tower [`Layer`] that lets through only requests carrying a valid TAAP PoP token.
///
/// Checks run in this order: the Bearer access token (when [`PopLayer::bearer`] set a check),
/// the key lookup (and the key source's keys for the token's `kid`), then the PoP token.
/// Clones share one replay cache.
#[derive(Clone)]
pub struct PopLayer {
    settings: Arc<Settings>,
}

#[derive(Clone)]
struct Settings {
    validator: PopTokenValidator,
    keys: Lookup,
    bearer: Option<Arc<BearerCheck>>,
    clock: Arc<Clock>,
    max_body_bytes: usize,
    challenge: &'static str,
    replay: Option<Arc<dyn ReplayStore>>,
    uri_form: UriForm,
    metrics: Option<PopMetrics>,
}

/// How the layer finds what a request's PoP token must verify with.
#[derive(Clone)]
enum Lookup {
    /// One key per request.
    Key(Arc<KeyLookup>),
    /// A client's key source per request: each key in its window, or the one its `kid` names.
    Source(Arc<SourceLookup>),
}

/// What the lookup found for a request.
enum Found {
    Key(PublicKey),
    Source(KeySource),
}

/// What a request's PoP token must verify with, once the source (if any) answered.
enum Keys {
    One(PublicKey),
    Set(Arc<KeySet>),
}

/// A refusal and the `kind` label it is counted under.
type Refused = (Refusal, &'static str);

impl PopLayer {
    /// Every PoP token must be signed by `key`.
    pub fn new(key: PublicKey) -> Self {
        PopLayer::with_key_lookup(move |_| Ok(key.clone()))
    }

    /// The key each request's PoP token must be signed by, found from the request (e.g. by a
    /// client id header, or by what [`PopLayer::bearer`] put in the extensions); an `Err`
    /// is the answer.
    pub fn with_key_lookup<F>(lookup: F) -> Self
    where
        F: Fn(&Parts) -> Result<PublicKey, Refusal> + Send + Sync + 'static,
    {
        PopLayer::with_lookup(Lookup::Key(Arc::new(lookup)))
    }

    /// Every PoP token must be signed by a current key of `source` (a key set, a key file
    /// read again when it changes, or a JWK set URL): the one its `kid` names, else each.
    pub fn with_key_source(source: KeySource) -> Self {
        PopLayer::with_key_source_lookup(move |_| Ok(source.clone()))
    }

    /// The key source of each request's client, found from the request (e.g. by a client id
    /// header, or by what [`PopLayer::bearer`] put in the extensions); an `Err` is the answer.
    /// A source that must fetch is asked on tokio's blocking pool; one that cannot answer gets
    /// 503 with kind `KeySourceUnavailable` (failing closed, like a replay store down).
    pub fn with_key_source_lookup<F>(lookup: F) -> Self
    where
        F: Fn(&Parts) -> Result<KeySource, Refusal> + Send + Sync + 'static,
    {
        PopLayer::with_lookup(Lookup::Source(Arc::new(lookup)))
    }

    fn with_lookup(keys: Lookup) -> Self {
        PopLayer {
            settings: Arc::new(Settings {
                validator: default_validator(),
                keys,
                bearer: None,
                clock: Arc::new(taap::now_unix),
                max_body_bytes: DEFAULT_MAX_BODY_BYTES,
                challenge: "Bearer",
                replay: None,
                uri_form: UriForm::Decoded,
                metrics: None,
            }),
        }
    }

    /// Validates with `validator` instead of the default one (`uri` and `http-method` required,
    /// replay detection on); pass a clone to share its replay cache with other code.
    pub fn validator(mut self, validator: PopTokenValidator) -> Self {
        Arc::make_mut(&mut self.settings).validator = validator;
        self
    }

    /// Compares `uri` in `form`: [`UriForm::Encoded`] accepts signers that sign the query as
    /// sent (some T-Mobile SDKs) instead of percent-decoded (the docs, the default).
    pub fn uri_form(mut self, form: UriForm) -> Self {
        Arc::make_mut(&mut self.settings).uri_form = form;
        self
    }

    /// Admits `jti`s in `store` (e.g. a `RedisStore` every node shares, feature `redis`)
    /// instead of the validator's own cache; when the store cannot answer in time the request
    /// is refused with 503, never let through.
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        Arc::make_mut(&mut self.settings).replay = Some(store);
        self
    }

    /// Requires `Authorization: Bearer <token>` and accepts it only if `check` does; what
    /// `check` returns is put in the request's extensions (for the key lookup and the handler).
    pub fn bearer<T, F>(mut self, check: F) -> Self
    where
        T: Clone + Send + Sync + 'static,
        F: Fn(&str) -> Result<T, Refusal> + Send + Sync + 'static,
    {
        let check = move |token: &str, extensions: &mut Extensions| {
            extensions.insert(check(token)?);
            Ok(())
        };
        Arc::make_mut(&mut self.settings).bearer = Some(Arc::new(check));
        self
    }

    /// Judges token times by `clock` (epoch seconds) instead of the system clock.
    pub fn clock<F>(mut self, clock: F) -> Self
    where
        F: Fn() -> i64 + Send + Sync + 'static,
    {
        Arc::make_mut(&mut self.settings).clock = Arc::new(clock);
        self
    }

    /// Refuses bodies larger than `bytes` with 413.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        Arc::make_mut(&mut self.settings).max_body_bytes = bytes;
        self
    }

    /// Counts every decision, its time, the body bytes read and the replay store's answers
    /// into `metrics` (registered in the user's `prometheus_client` registry).
    pub fn metrics(mut self, metrics: PopMetrics) -> Self {
        Arc::make_mut(&mut self.settings).metrics = Some(metrics);
        self
    }

    /// The `WWW-Authenticate` scheme of PoP refusals (default `Bearer`).
    pub fn challenge(mut self, scheme: &'static str) -> Self {
        Arc::make_mut(&mut self.settings).challenge = scheme;
        self
    }
}

impl fmt::Debug for PopLayer {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PopLayer")
            .field("validator", self.settings.validator.options())
            .field("bearer", &self.settings.bearer.is_some())
            .field("max_body_bytes", &self.settings.max_body_bytes)
            .field("challenge", &self.settings.challenge)
            .field("replay_store", &self.settings.replay.as_ref().map(|store| store.name()))
            .field("metrics", &self.settings.metrics.is_some())
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for PopLayer {
    type Service = PopService<S>;

    fn layer(&self, inner: S) -> PopService<S> {
        PopService { inner, settings: Arc::clone(&self.settings) }
    }
}

/// The service [`PopLayer`] wraps around an inner service.
#[derive(Clone)]
pub struct PopService<S> {
    inner: S,
    settings: Arc<Settings>,
}

impl<S: fmt::Debug> fmt::Debug for PopService<S> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("PopService").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl<S, B> Service<Request<B>> for PopService<S>
where
    S: Service<Request<Body>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let settings = Arc::clone(&self.settings);
        // The clone polled ready serves this request; the fresh one waits for its own poll.
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            #[cfg(feature = "tracing")]
            let decision = traced(settings.admit(&mut parts, body)).await;
            #[cfg(not(feature = "tracing"))]
            let decision = settings.admit(&mut parts, body).await;
            if let Some(metrics) = &settings.metrics {
                metrics.decided(decision.as_ref().err().map(|(_, kind)| *kind));
            }
            match decision {
                Ok((body, token)) => {
                    parts.extensions.insert(token);
                    inner.call(Request::from_parts(parts, Body::from(body))).await
                }
                Err((refusal, _)) => Ok(refusal.into_response()),
            }
        })
    }
}

impl Settings {
    /// The body and the accepted token, or the answer to give instead with its `kind` label.
    async fn admit<B>(&self, parts: &mut Parts, body: B) -> Result<(Bytes, PopToken), Refused>
    where
        B: HttpBody<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        let body = read_body(&parts.headers, body, self.max_body_bytes).await?;
        let Some(metrics) = &self.metrics else {
            return self.decide(parts, &body, None).await.map(|token| (body, token));
        };
        metrics.body_read(body.len());
        let started = Instant::now();
        let decision = self.decide(parts, &body, Some(metrics)).await;
        metrics.validated(started.elapsed());
        decision.map(|token| (body, token))
    }

    /// The checks after the body is read: access token, key, PoP token, replay.
    async fn decide(
        &self,
        parts: &mut Parts,
        body: &[u8],
        metrics: Option<&PopMetrics>,
    ) -> Result<PopToken, Refused> {
        if let Some(check) = &self.bearer {
            bearer_token(&parts.headers)
                .and_then(|token| check(token, &mut parts.extensions))
                .map_err(|refusal| (refusal, KIND_ACCESS_TOKEN))?;
        }
        let found = match &self.keys {
            Lookup::Key(lookup) => lookup(parts).map(Found::Key),
            Lookup::Source(lookup) => lookup(parts).map(Found::Source),
        };
        let found = found.map_err(lookup_refusal)?;
        let now = (self.clock)();
        let request =
            pop::received(parts, body, self.uri_form).map_err(|refusal| (refusal, KIND_BAD_REQUEST))?;
        let keys = match found {
            Found::Key(key) => Keys::One(key),
            Found::Source(source) => Keys::Set(
                pop::source_keys(&source, request_kid(&request).as_deref()).await.map_err(lookup_refusal)?,
            ),
        };
        let Some(store) = &self.replay else {
            return self.check(&keys, &request, now).map_err(core_refusal);
        };
        let observed;
        let store: &dyn ReplayStore = match metrics {
            Some(metrics) => {
                observed = metrics.observe(store.as_ref());
                &observed
            }
            None => store.as_ref(),
        };
        let checked = match &keys {
            Keys::One(key) => {
                pop::check_with_store(&self.validator, store, key, &request, now, self.challenge).await
            }
            Keys::Set(keys) => {
                pop::check_any_with_store(&self.validator, store, keys, &request, now, self.challenge)
                    .await
                    .map(|(token, _)| token)
            }
        };
        // The one refusal of `check_with_store` the core did not make is the store's 503.
        checked.map_err(|refusal| match refusal.kind {
            Some(kind) => (refusal, kind.name()),
            None => (refusal, KIND_REPLAY_STORE_UNAVAILABLE),
        })
    }

    /// The PoP check with the validator's own replay cache.
    fn check(&self, keys: &Keys, request: &ReceivedRequest<'_>, now: i64) -> Result<PopToken, Refusal> {
        match keys {
            Keys::One(key) => pop::check(&self.validator, key, request, now, self.challenge),
            Keys::Set(keys) => {
                pop::check_any(&self.validator, keys, request, now, self.challenge).map(|(token, _)| token)
            }
        }
    }
}

/// A refusal of the key lookup: counted under its core kind when it has one (a key source
/// down is `KeySourceUnavailable`), else as `KeyLookup`.
fn lookup_refusal(refusal: Refusal) -> Refused {
    let kind = refusal.kind.map_or(KIND_KEY_LOOKUP, |kind| kind.name());
    (refusal, kind)
}

/// The decision `admit` makes, inside a `taap.validate` span that records its outcome
/// (`accepted` or `refused`), the refusal's kind (its metrics label) and status: never a
/// header, a token, a `jti` or the query.
#[cfg(feature = "tracing")]
async fn traced<T>(admit: impl Future<Output = Result<T, Refused>>) -> Result<T, Refused> {
    use tracing::{field::Empty, Instrument};
    let span = tracing::info_span!(
        target: "taap::validate",
        "taap.validate",
        outcome = Empty,
        error_kind = Empty,
        status = Empty,
    );
    let decision = admit.instrument(span.clone()).await;
    match &decision {
        Ok(_) => {
            span.record("outcome", "accepted");
        }
        Err((refusal, kind)) => {
            span.record("outcome", "refused")
                .record("error_kind", *kind)
                .record("status", refusal.status.as_u16());
        }
    }
    decision
}

/// A refusal of the core's validator, counted under its error kind's name.
fn core_refusal(refusal: Refusal) -> Refused {
    let kind = refusal.kind.map_or(KIND_BAD_REQUEST, |kind| kind.name());
    (refusal, kind)
}

/// The validator of a layer that was given none: the request line must be signed, and a
/// token is accepted once.
fn default_validator() -> PopTokenValidator {
    PopTokenValidator::new(ValidatorOptions {
        required: vec![taap::request::URI.to_owned(), taap::request::HTTP_METHOD.to_owned()],
        replay_cache: Some(taap::validate::DEFAULT_REPLAY_CAPACITY),
        ..ValidatorOptions::default()
    })
    .expect("the default validator options are in range")
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, Refusal> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| taap::request::authorization_credentials(value, "Bearer"))
        .ok_or_else(|| Refusal::invalid_token("Authorization: Bearer <access token> is missing"))
}

/// The whole body, refused with 413 beyond `limit` bytes (at once when `Content-Length` says
/// so, else as soon as the limit is crossed).
async fn read_body<B>(headers: &HeaderMap, body: B, limit: usize) -> Result<Bytes, Refused>
where
    B: HttpBody<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    let too_large =
        || (Refusal::too_large(format!("the body is larger than {limit} bytes")), KIND_BODY_TOO_LARGE);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if exceeds_limit(error.as_ref()) => Err(too_large()),
        Err(_) => Err((Refusal::bad_request("the request body could not be read"), KIND_BAD_REQUEST)),
    }
}

/// Whether `error` or one of its causes is a body limit (ours, or one in front of us).
fn exceeds_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}
