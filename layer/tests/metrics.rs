//! `PopMetrics` behind a tiny axum app: a mixed workload (accepted, each refusal kind the layer
//! can make, a replay store that does not answer) gives exact counter values, read back with
//! `prometheus-parse`, a Prometheus text parser independent of the crate that writes them; and
//! no token, `jti`, client id or key ever shows in the text.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::routing::post;
use axum::Router;
use prometheus_parse::{Scrape, Value};
use taap::{token::BuildOptions, token::Ehts, PopToken, PrivateKey, PublicKey};
use taap_tower::prometheus_client::registry::Registry;
use taap_tower::replay::AdmitFuture;
use taap_tower::{
    metrics, Admission, MemoryStore, MetricsService, PopLayer, PopMetrics, Refusal, ReplayError, ReplayStore,
};
use tower::ServiceExt;

const CLIENT: &str = "client-7Q2";

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn private_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap())
}

fn public_key() -> PublicKey {
    PublicKey::from_file(keys_dir().join("readme-public.pem")).unwrap()
}

/// `/orders` behind `layer`; the handler answers 204.
fn app(layer: PopLayer) -> Router {
    Router::new().route("/orders", post(|| async { StatusCode::NO_CONTENT })).layer(layer)
}

fn request(target: &str, headers: &[(&str, &str)], pop: Option<&str>, body: &[u8]) -> Request<Body> {
    let mut builder = Request::post(target);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    if let Some(pop) = pop {
        builder = builder.header(taap::request::POP_HEADER, pop);
    }
    builder.body(Body::from(body.to_vec())).unwrap()
}

fn pop_for(key: &PrivateKey, target: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    let url = format!("http://127.0.0.1{target}");
    PopToken::for_request(key, "POST", &url, headers.iter().copied(), body).unwrap()
}

async fn status(app: &Router, request: Request<Body>) -> u16 {
    app.clone().oneshot(request).await.unwrap().status().as_u16()
}

/// The registry as `/metrics` serves it, and its text.
async fn scrape(registry: Registry) -> (Scrape, String) {
    let response =
        MetricsService::new(registry).oneshot(Request::get("/metrics").body(Body::empty()).unwrap());
    let response = response.await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain; version=0.0.4; charset=utf-8");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let parsed = Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).unwrap();
    (parsed, text)
}

/// Every series of `metric`: its labels (`name=value`, sorted) and value; a histogram's
/// value is its `+Inf` bucket, i.e. its count.
fn series(scrape: &Scrape, metric: &str) -> BTreeMap<String, f64> {
    scrape
        .samples
        .iter()
        .filter(|sample| sample.metric == metric)
        .map(|sample| {
            let labels: BTreeMap<_, _> = sample.labels.iter().collect();
            let labels = labels.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>();
            let value = match &sample.value {
                Value::Counter(value) | Value::Gauge(value) | Value::Untyped(value) => *value,
                Value::Histogram(buckets) => {
                    buckets.iter().find(|b| b.less_than.is_infinite()).unwrap().count
                }
                Value::Summary(_) => panic!("{metric} is not a summary"),
            };
            (labels.join(","), value)
        })
        .collect()
}

fn expected(entries: &[(&str, f64)]) -> BTreeMap<String, f64> {
    entries.iter().map(|(labels, value)| ((*labels).to_owned(), *value)).collect()
}

#[tokio::test]
async fn every_decision_is_counted_under_its_outcome_and_kind() {
    let mut registry = Registry::default();
    let metrics = PopMetrics::new(&mut registry);
    let layer = PopLayer::new(public_key())
        .replay_store(Arc::new(MemoryStore::default()))
        .max_body_bytes(64)
        .metrics(metrics.clone());
    let plain = app(layer);
    let order = br#"{"orderId": 100}"#;
    let json = [("Content-Type", "application/json")];

    // Accepted twice; the first token again is a replay.
    let first = pop_for(private_key(), "/orders", &json, order);
    assert_eq!(status(&plain, request("/orders", &json, Some(&first), order)).await, 204);
    let second = pop_for(private_key(), "/orders", &json, order);
    assert_eq!(status(&plain, request("/orders", &json, Some(&second), order)).await, 204);
    assert_eq!(status(&plain, request("/orders", &json, Some(&first), order)).await, 401);
    // No token; a tampered body; a stranger's key; a token an hour old.
    assert_eq!(status(&plain, request("/orders", &json, None, order)).await, 401);
    let tampered = pop_for(private_key(), "/orders", &json, order);
    assert_eq!(status(&plain, request("/orders", &json, Some(&tampered), b"{}")).await, 401);
    let stranger = PrivateKey::generate(2048).unwrap();
    let foreign = pop_for(&stranger, "/orders", &json, order);
    assert_eq!(status(&plain, request("/orders", &json, Some(&foreign), order)).await, 401);
    let mut ehts = Ehts::for_request("POST", "/orders", json).unwrap();
    ehts.push(taap::request::BODY, order).unwrap();
    let stale = BuildOptions::default().issued_at(taap::now_unix() - 3600);
    let expired = PopToken::sign(private_key(), &ehts, &stale).unwrap();
    assert_eq!(status(&plain, request("/orders", &json, Some(&expired), order)).await, 401);
    // 65 bytes, over the 64 the layer reads: refused before any check, so not timed.
    let large = vec![b'x'; 65];
    let oversized = pop_for(private_key(), "/orders", &[], &large);
    assert_eq!(status(&plain, request("/orders", &[], Some(&oversized), &large)).await, 413);

    // The same metrics behind a Bearer check and a key lookup by client.
    let checked = app(PopLayer::with_key_lookup(|parts| match parts.extensions.get::<&str>() {
        Some(&CLIENT) => Ok(public_key()),
        _ => Err(Refusal::invalid_token("no key for this client")),
    })
    .bearer(|token| match token {
        "at-known-5f1c" => Ok(CLIENT),
        "at-orphan-9b2e" => Ok("nobody"),
        _ => Err(Refusal::invalid_token("unknown access token")),
    })
    .metrics(metrics.clone()));
    let bearer = |token: &'static str| [("Authorization", token)];
    let known = bearer("Bearer at-known-5f1c");
    let good = pop_for(private_key(), "/orders", &known, b"");
    assert_eq!(status(&checked, request("/orders", &known, Some(&good), b"")).await, 204);
    let unknown = bearer("Bearer unknown");
    let refused = pop_for(private_key(), "/orders", &unknown, b"");
    assert_eq!(status(&checked, request("/orders", &unknown, Some(&refused), b"")).await, 401);
    let orphan = bearer("Bearer at-orphan-9b2e");
    let keyless = pop_for(private_key(), "/orders", &orphan, b"");
    assert_eq!(status(&checked, request("/orders", &orphan, Some(&keyless), b"")).await, 401);

    let (scrape, text) = scrape(registry).await;
    assert_eq!(
        series(&scrape, "taap_pop_decisions_total"),
        expected(&[
            ("kind=,outcome=accepted", 3.0),
            ("kind=AccessToken,outcome=refused", 1.0),
            ("kind=BodyTooLarge,outcome=refused", 1.0),
            ("kind=EdtsMismatch,outcome=refused", 1.0),
            ("kind=InvalidToken,outcome=refused", 1.0),
            ("kind=KeyLookup,outcome=refused", 1.0),
            ("kind=Replay,outcome=refused", 1.0),
            ("kind=SignatureInvalid,outcome=refused", 1.0),
            ("kind=TokenExpired,outcome=refused", 1.0),
        ])
    );
    // Every request but the oversized one was read whole and decided on.
    assert_eq!(series(&scrape, "taap_pop_validation_seconds"), expected(&[("", 10.0)]));
    assert_eq!(series(&scrape, "taap_pop_validation_seconds_count"), expected(&[("", 10.0)]));
    let bodies = 6 * order.len() + 2; // six signed orders, one `{}`, three empty bodies
    assert_eq!(series(&scrape, "taap_pop_body_bytes_total"), expected(&[("", bodies as f64)]));
    // The memory store admitted three tokens and refused one replay, all in time; the
    // second app keeps its jtis in the validator's own cache, which is not a store.
    assert_eq!(series(&scrape, "taap_replay_store_seconds"), expected(&[("store=memory", 3.0)]));
    assert_eq!(series(&scrape, "taap_replay_store_up"), expected(&[("store=memory", 1.0)]));
    assert_eq!(series(&scrape, "taap_replay_store_errors_total"), BTreeMap::new());
    assert_eq!(
        scrape.docs["taap_pop_decisions_total"],
        "Requests PopLayer decided on, by outcome (accepted, refused) and refusal kind."
    );

    // Nothing that identifies a caller or proves anything is in the text.
    let tokens = [&first, &second, &good, &refused, &keyless].map(String::as_str);
    for secret in tokens.into_iter().chain([CLIENT, "at-known-5f1c", "at-orphan-9b2e"]) {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }
    for token in [&first, &second, &good] {
        let jti = PopToken::decode(token).unwrap().claims().jti.clone();
        assert!(!text.contains(jti.as_str()), "a jti in the metrics");
    }
    assert!(!text.contains(&public_key().thumbprint()), "a key thumbprint in the metrics");
}

/// A replay store that never answers in time.
#[derive(Debug)]
struct Down;

impl ReplayStore for Down {
    fn name(&self) -> &'static str {
        "down"
    }

    fn admit<'a>(&'a self, _: Admission<'a>) -> AdmitFuture<'a> {
        let unavailable = ReplayError::Unavailable { store: "down", reason: "no answer".into() };
        Box::pin(std::future::ready(Err(unavailable)))
    }
}

#[tokio::test]
async fn a_store_that_does_not_answer_is_counted_down() {
    let mut registry = Registry::default();
    let metrics = PopMetrics::new(&mut registry);
    let app = app(PopLayer::new(public_key()).replay_store(Arc::new(Down)).metrics(metrics));
    for _ in 0..2 {
        let pop = pop_for(private_key(), "/orders", &[], b"");
        assert_eq!(status(&app, request("/orders", &[], Some(&pop), b"")).await, 503);
    }
    // A token that fails the core's checks never reaches the store.
    assert_eq!(status(&app, request("/orders", &[], Some("not.a.token"), b"")).await, 401);

    let (scrape, _) = scrape(registry).await;
    assert_eq!(
        series(&scrape, "taap_pop_decisions_total"),
        expected(&[
            ("kind=,outcome=accepted", 0.0),
            ("kind=InvalidToken,outcome=refused", 1.0),
            (&format!("kind={},outcome=refused", metrics::KIND_REPLAY_STORE_UNAVAILABLE), 2.0),
        ])
    );
    assert_eq!(series(&scrape, "taap_replay_store_errors_total"), expected(&[("store=down", 2.0)]));
    assert_eq!(series(&scrape, "taap_replay_store_up"), expected(&[("store=down", 0.0)]));
    assert_eq!(series(&scrape, "taap_replay_store_seconds_count"), expected(&[("store=down", 2.0)]));
}

#[tokio::test]
async fn the_metrics_service_answers_get_and_head_only() {
    let mut registry = Registry::default();
    PopMetrics::new(&mut registry);
    let service = MetricsService::new(registry);
    let head = service.clone().oneshot(Request::head("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[header::CONTENT_TYPE], metrics::CONTENT_TYPE);
    assert!(axum::body::to_bytes(head.into_body(), usize::MAX).await.unwrap().is_empty());
    let post = service.oneshot(Request::post("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.headers()[header::ALLOW], "GET, HEAD");
}
