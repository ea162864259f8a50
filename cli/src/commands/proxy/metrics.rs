//! `taap proxy --metrics ADDRESS`: Prometheus metrics on a listener of their own (as `taap
//! serve --metrics`): the proxy's answers by outcome and status class, the upstream's time to
//! its answer head, and the token counters of the core's clients. Labels take only fixed
//! values: never a path, token, key or secret.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{prometheus_text, DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};
use taap::client::{ClientStats, ClientStatsSnapshot};

use super::answer::Failure;

/// `outcome` of a request answered by the upstream (whatever its status).
pub const FORWARDED: &str = "forwarded";

type Labels = [(&'static str, &'static str); 2];

/// What the proxy counts; shared by every connection.
pub struct ProxyMetrics {
    requests: Family<Labels, Counter>,
    upstream: Histogram,
    registry: Registry,
}

impl ProxyMetrics {
    /// The proxy's metrics, and the token counters of `clients` (the default client and one
    /// per routed token server), summed.
    pub fn new(clients: Vec<ClientStats>) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<Labels, Counter>::default();
        // 1 ms doubling to about 33 s, past the default 30 s timeout.
        let upstream = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        registry.register(
            "taap_proxy_requests",
            "Requests the proxy answered, by outcome (forwarded, or the proxy's own failure) and status class",
            requests.clone(),
        );
        registry.register_with_unit(
            "taap_proxy_upstream",
            "Time from sending a request upstream to the head of its answer",
            Unit::Seconds,
            upstream.clone(),
        );
        registry.register_collector(Box::new(ClientCounters(clients)));
        // A dashboard's `rate()` needs the series before the first request comes.
        let _ = requests.get_or_create(&[("outcome", FORWARDED), ("status_class", "2xx")]);
        ProxyMetrics { requests, upstream, registry }
    }

    /// Counts one answer: forwarded from the upstream, or the proxy's own `failure`.
    pub fn answered(&self, failure: Option<Failure>, status: StatusCode) {
        let outcome = failure.map_or(FORWARDED, Failure::name);
        self.requests.get_or_create(&[("outcome", outcome), ("status_class", status_class(status))]).inc();
    }

    /// Records the upstream's time to an answer head.
    pub fn upstream_answered(&self, took: Duration) {
        self.upstream.observe(took.as_secs_f64());
    }

    fn render(&self) -> Response<Full<Bytes>> {
        let mut text = String::new();
        if prometheus_text::encode(&mut text, &self.registry).is_err() {
            let mut response =
                Response::new(Full::new(Bytes::from_static(b"the metrics could not be encoded")));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return response;
        }
        let mut response = Response::new(Full::new(Bytes::from(text)));
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(prometheus_text::CONTENT_TYPE));
        response
    }

    fn answer(&self, request: &Request<Incoming>) -> Response<Full<Bytes>> {
        if request.uri().path() != "/metrics" {
            let mut response =
                Response::new(Full::new(Bytes::from_static(b"only /metrics is served here\n")));
            *response.status_mut() = StatusCode::NOT_FOUND;
            return response;
        }
        match *request.method() {
            Method::GET => self.render(),
            Method::HEAD => {
                let (parts, _) = self.render().into_parts();
                Response::from_parts(parts, Full::new(Bytes::new()))
            }
            _ => {
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
                response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
                response
            }
        }
    }
}

/// `2xx` for 200 to 299, and so on.
fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Serves `GET /metrics` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, metrics: Arc<ProxyMetrics>) {
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(10));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let metrics = Arc::clone(&metrics);
        let service = service_fn(move |request: Request<Incoming>| {
            let response = metrics.answer(&request);
            async move { Ok::<_, Infallible>(response) }
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
}

/// The core clients' token counters, read on each scrape.
#[derive(Debug)]
struct ClientCounters(Vec<ClientStats>);

impl ClientCounters {
    fn total(&self) -> ClientStatsSnapshot {
        let mut total = ClientStatsSnapshot::default();
        for stats in &self.0 {
            let one = stats.snapshot();
            total.tokens_issued += one.tokens_issued;
            total.tokens_refused += one.tokens_refused;
            total.tokens_failed += one.tokens_failed;
            total.refreshes_expiry += one.refreshes_expiry;
            total.refreshes_unauthorized += one.refreshes_unauthorized;
            total.refreshes_requested += one.refreshes_requested;
            total.store_hits += one.store_hits;
            total.store_misses += one.store_misses;
            total.store_lock_waits += one.store_lock_waits;
        }
        total
    }
}

impl Collector for ClientCounters {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let total = self.total();
        counters(
            &mut encoder,
            "taap_client_token_requests",
            "Token requests of the proxy's TAAP clients, by outcome (issued, refused, failed).",
            "outcome",
            &[
                ("issued", total.tokens_issued),
                ("refused", total.tokens_refused),
                ("failed", total.tokens_failed),
            ],
        )?;
        counters(
            &mut encoder,
            "taap_client_token_refreshes",
            "Access tokens replaced, by reason (expiry: due within the refresh margin; unauthorized: an API answered 401; requested).",
            "reason",
            &[
                ("expiry", total.refreshes_expiry),
                ("unauthorized", total.refreshes_unauthorized),
                ("requested", total.refreshes_requested),
            ],
        )?;
        counters(
            &mut encoder,
            "taap_client_token_store",
            "Token fetches through the shared token store, by result (hit, miss, lock_wait).",
            "result",
            &[("hit", total.store_hits), ("miss", total.store_misses), ("lock_wait", total.store_lock_waits)],
        )
    }
}

/// One counter family: `name_total{label="value"}` for each of `values`.
fn counters(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    label: &'static str,
    values: &[(&'static str, u64)],
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (value, count) in values {
        let labels = [(label, *value)];
        ConstCounter::new(*count).encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes_are_the_first_digit() {
        let classes: Vec<&str> = [101, 200, 204, 302, 401, 413, 502, 504]
            .map(|code| status_class(StatusCode::from_u16(code).unwrap()))
            .to_vec();
        assert_eq!(classes, ["1xx", "2xx", "2xx", "3xx", "4xx", "4xx", "5xx", "5xx"]);
    }
}
