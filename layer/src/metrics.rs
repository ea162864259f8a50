//! Prometheus metrics of [`PopLayer`](crate::PopLayer): what it decided and why, how long
//! deciding took, how many body bytes it read, and how the replay store answered. The user
//! registers a [`PopMetrics`] into their own [`Registry`] and mounts [`MetricsService`] (or
//! calls [`render`]) wherever their scraper looks, usually `/metrics` on a separate listener.
//!
//! Labels take only a fixed set of values (outcomes, error kind names, store names): never a
//! client id, token, `jti` or key, so the metrics can be shown to anyone who runs the service.

use std::convert::Infallible;
use std::fmt;
use std::future::{ready, Ready};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};
use tower::Service;

use crate::replay::{Admission, AdmitFuture, ReplayError, ReplayStore};

/// The `Content-Type` of what [`render`] and [`MetricsService`] answer: the Prometheus text
/// format 0.0.4, which every Prometheus-compatible scraper reads.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// `kind` of a refusal because the replay store did not answer in time (503).
pub const KIND_REPLAY_STORE_UNAVAILABLE: &str = "ReplayStoreUnavailable";
/// `kind` of a refusal because the body is larger than the layer reads (413).
pub const KIND_BODY_TOO_LARGE: &str = "BodyTooLarge";
/// `kind` of a refusal because the body could not be read or the target is not a path (400).
pub const KIND_BAD_REQUEST: &str = "BadRequest";
/// `kind` of a refusal by the [`PopLayer::bearer`](crate::PopLayer::bearer) check.
pub const KIND_ACCESS_TOKEN: &str = "AccessToken";
/// `kind` of a refusal by the key lookup of
/// [`PopLayer::with_key_lookup`](crate::PopLayer::with_key_lookup).
pub const KIND_KEY_LOOKUP: &str = "KeyLookup";

type Labels<const N: usize> = [(&'static str, &'static str); N];
type HistogramFamily = Family<Labels<1>, Histogram, fn() -> Histogram>;

/// The metrics of one or more [`PopLayer`](crate::PopLayer)s, registered in a [`Registry`];
/// clones count into the same series.
#[derive(Clone)]
pub struct PopMetrics {
    decisions: Family<Labels<2>, Counter>,
    validation: Histogram,
    body_bytes: Counter,
    store_seconds: HistogramFamily,
    store_errors: Family<Labels<1>, Counter>,
    store_up: Family<Labels<1>, Gauge>,
}

impl PopMetrics {
    /// Registers the layer's metrics in `registry` (see `docs/operations.md` for each).
    pub fn new(registry: &mut Registry) -> Self {
        let metrics = PopMetrics {
            decisions: Family::default(),
            validation: Histogram::new(validation_buckets()),
            body_bytes: Counter::default(),
            store_seconds: Family::new_with_constructor(store_histogram),
            store_errors: Family::default(),
            store_up: Family::default(),
        };
        registry.register(
            "taap_pop_decisions",
            "Requests PopLayer decided on, by outcome (accepted, refused) and refusal kind",
            metrics.decisions.clone(),
        );
        registry.register_with_unit(
            "taap_pop_validation",
            "Time PopLayer took to decide once the body was read: access token, key lookup, PoP token, replay store",
            Unit::Seconds,
            metrics.validation.clone(),
        );
        registry.register_with_unit(
            "taap_pop_body",
            "Request body bytes PopLayer read and checked against PoP tokens",
            Unit::Bytes,
            metrics.body_bytes.clone(),
        );
        registry.register_with_unit(
            "taap_replay_store",
            "Time the replay store took to admit a PoP token id, by store",
            Unit::Seconds,
            metrics.store_seconds.clone(),
        );
        registry.register(
            "taap_replay_store_errors",
            "Admissions the replay store did not answer in time, refused with 503, by store",
            metrics.store_errors.clone(),
        );
        registry.register(
            "taap_replay_store_up",
            "1 when the replay store's latest answer came in time, 0 when it did not, by store",
            metrics.store_up.clone(),
        );
        // A dashboard's `rate()` needs the series before the first request comes.
        let _ = metrics.decisions.get_or_create(&decision("accepted", ""));
        metrics
    }

    /// Counts one decision; `refused` is the refusal's kind, `None` when accepted.
    pub(crate) fn decided(&self, refused: Option<&'static str>) {
        let labels = match refused {
            None => decision("accepted", ""),
            Some(kind) => decision("refused", kind),
        };
        self.decisions.get_or_create(&labels).inc();
    }

    /// Records the time a decision took once the body was read.
    pub(crate) fn validated(&self, took: Duration) {
        self.validation.observe(took.as_secs_f64());
    }

    /// Counts the bytes of a body read whole.
    pub(crate) fn body_read(&self, bytes: usize) {
        self.body_bytes.inc_by(u64::try_from(bytes).unwrap_or(u64::MAX));
    }

    /// `store` admitting through these metrics: timed, its failures counted.
    pub(crate) fn observe<'a>(&'a self, store: &'a dyn ReplayStore) -> ObservedStore<'a> {
        ObservedStore { store, metrics: self }
    }

    fn store_answered(&self, store: &'static str, took: Duration, in_time: bool) {
        let labels = [("store", store)];
        self.store_seconds.get_or_create(&labels).observe(took.as_secs_f64());
        self.store_up.get_or_create(&labels).set(i64::from(in_time));
        if !in_time {
            self.store_errors.get_or_create(&labels).inc();
        }
    }
}

impl fmt::Debug for PopMetrics {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("PopMetrics").finish_non_exhaustive()
    }
}

fn decision(outcome: &'static str, kind: &'static str) -> Labels<2> {
    [("outcome", outcome), ("kind", kind)]
}

/// 25 µs (a fast RSA verification) doubling to about 0.4 s.
fn validation_buckets() -> impl Iterator<Item = f64> {
    exponential_buckets(0.000_025, 2.0, 15)
}

/// 50 µs (an in-process store) doubling to about 0.1 s, past the 50 ms store deadline.
fn store_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 12))
}

/// A replay store whose admissions are timed and counted into [`PopMetrics`].
#[derive(Debug)]
pub(crate) struct ObservedStore<'a> {
    store: &'a dyn ReplayStore,
    metrics: &'a PopMetrics,
}

impl ReplayStore for ObservedStore<'_> {
    fn name(&self) -> &'static str {
        self.store.name()
    }

    fn admit<'a>(&'a self, admission: Admission<'a>) -> AdmitFuture<'a> {
        Box::pin(async move {
            let started = Instant::now();
            let result = self.store.admit(admission).await;
            let in_time = !matches!(result, Err(ReplayError::Unavailable { .. }));
            self.metrics.store_answered(self.store.name(), started.elapsed(), in_time);
            result
        })
    }
}

/// `registry` in the Prometheus text format ([`CONTENT_TYPE`]), as a 200 response.
pub fn render(registry: &Registry) -> Response {
    let mut text = String::new();
    if prometheus_text::encode(&mut text, registry).is_err() {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the metrics could not be encoded").into_response();
    }
    let mut response = text.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// A tower service answering `GET` (and `HEAD`) with [`render`] of its registry, e.g.
/// `Router::new().route_service("/metrics", MetricsService::new(registry))`.
#[derive(Clone)]
pub struct MetricsService {
    registry: Arc<Registry>,
}

impl MetricsService {
    /// Serves `registry`, which is complete: nothing can be registered in it any more.
    pub fn new(registry: Registry) -> Self {
        MetricsService::shared(Arc::new(registry))
    }

    /// Serves a registry shared with other code.
    pub fn shared(registry: Arc<Registry>) -> Self {
        MetricsService { registry }
    }
}

impl fmt::Debug for MetricsService {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("MetricsService").finish_non_exhaustive()
    }
}

impl<B> Service<Request<B>> for MetricsService {
    type Response = Response;
    type Error = Infallible;
    type Future = Ready<Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let response = match *request.method() {
            Method::GET => render(&self.registry),
            Method::HEAD => {
                let (parts, _) = render(&self.registry).into_parts();
                Response::from_parts(parts, Body::empty())
            }
            _ => {
                let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
                response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
                response
            }
        };
        ready(Ok(response))
    }
}
