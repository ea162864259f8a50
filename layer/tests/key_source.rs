//! `PopLayer` with a client's key source instead of one key: each current key of a set is
//! accepted (the one a `kid` names, else each), a shared replay store admits a token once
//! whichever key signed it, and a JWK set URL (served by this test) is fetched off the runtime's
//! workers; when it cannot be fetched the answer is 503 with kind `KeySourceUnavailable`,
//! counted under that kind.

#[path = "../../core/tests/support/jwks_server.rs"]
#[allow(dead_code)]
mod jwks_server;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use jwks_server::{Answer, JwksServer};
use prometheus_client::registry::Registry;
use prometheus_parse::{Scrape, Value as Sample};
use serde_json::{json, Value};
use taap::token::{BuildOptions, Ehts, PopExtras};
use taap::validate::{JwksOptions, KeySet, KeySource};
use taap::{PopToken, PrivateKey};
use taap_tower::{MemoryStore, PopLayer, PopMetrics};
use tower::ServiceExt;

fn key(relative: &str) -> PrivateKey {
    PrivateKey::from_file(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative), None)
        .unwrap()
}

/// Keys a and b are the client's; c is nobody's.
fn keys() -> [PrivateKey; 3] {
    [
        key("tmobile/readme-private-pkcs8.pem"),
        key("openssl/pkcs8-private.pem"),
        key("tmobile/dotnet-private-pkcs8.pem"),
    ]
}

fn jwk(key: &PrivateKey, kid: &str) -> Value {
    let mut jwk: Value = serde_json::from_str(&key.public_key().to_jwk()).unwrap();
    jwk["kid"] = json!(kid);
    jwk
}

fn app(layer: PopLayer) -> Router {
    Router::new().route("/devices", get(|| async { "ok" })).layer(layer)
}

/// `GET /devices` with a PoP token signed by `key`, its header naming `kid` when given.
fn get_devices(key: &PrivateKey, kid: Option<&str>) -> Request<Body> {
    let ehts = Ehts::from_pairs([("uri", "/devices"), ("http-method", "GET")]).unwrap();
    let header = kid.map(|kid| ("kid".to_owned(), json!(kid))).into_iter().collect();
    let extras = PopExtras { header, ..PopExtras::default() };
    let pop = PopToken::sign_with_extras(key, &ehts, &BuildOptions::default(), &extras).unwrap();
    Request::get("/devices").header(taap::request::POP_HEADER, pop).body(Body::empty()).unwrap()
}

/// Status, and the refusal's `error` and `kind` (empty when accepted).
async fn send(app: &Router, request: Request<Body>) -> (u16, String, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let field = |name: &str| body[name].as_str().unwrap_or("").to_owned();
    (status, field("error"), field("kind"))
}

fn accepted() -> (u16, String, String) {
    (200, String::new(), String::new())
}

fn refused(status: u16, error: &str, kind: &str) -> (u16, String, String) {
    (status, error.to_owned(), kind.to_owned())
}

#[tokio::test]
async fn a_key_set_accepts_each_current_key_and_only_the_key_a_kid_names() {
    let [a, b, c] = keys();
    let set = json!({ "keys": [jwk(&a, "a"), jwk(&b, "b")] }).to_string();
    let app = app(PopLayer::with_key_source(KeySource::from(KeySet::parse(set.as_bytes()).unwrap())));
    assert_eq!(send(&app, get_devices(&a, None)).await, accepted());
    assert_eq!(send(&app, get_devices(&b, None)).await, accepted());
    assert_eq!(send(&app, get_devices(&b, Some("b"))).await, accepted());
    let wrong_kid = send(&app, get_devices(&b, Some("a"))).await;
    assert_eq!(wrong_kid, refused(401, "invalid_pop_token", "SignatureInvalid"));
    let foreign = send(&app, get_devices(&c, None)).await;
    assert_eq!(foreign, refused(401, "invalid_pop_token", "SignatureInvalid"));
}

#[tokio::test]
async fn a_shared_replay_store_admits_a_token_once_whichever_key_signed_it() {
    let [a, b, _] = keys();
    let set = json!({ "keys": [jwk(&a, "a"), jwk(&b, "b")] }).to_string();
    let layer = PopLayer::with_key_source(KeySource::from(KeySet::parse(set.as_bytes()).unwrap()))
        .replay_store(Arc::new(MemoryStore::default()));
    let app = app(layer);
    let request = get_devices(&b, None);
    let pop = request.headers()[taap::request::POP_HEADER].clone();
    assert_eq!(send(&app, request).await, accepted());
    let replayed =
        Request::get("/devices").header(taap::request::POP_HEADER, pop).body(Body::empty()).unwrap();
    assert_eq!(send(&app, replayed).await, refused(401, "invalid_pop_token", "Replay"));
}

/// `taap_pop_decisions_total` by `outcome,kind`.
fn decisions(registry: &Registry) -> BTreeMap<String, f64> {
    let mut text = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut text, registry).unwrap();
    let scrape = Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).unwrap();
    scrape
        .samples
        .iter()
        .filter(|sample| sample.metric == "taap_pop_decisions_total")
        .map(|sample| {
            let labels = format!("{},{}", &sample.labels["outcome"], &sample.labels["kind"]);
            match sample.value {
                Sample::Counter(value) => (labels, value),
                ref other => panic!("a counter, not {other:?}"),
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jwks_url_that_cannot_be_fetched_is_a_503_counted_under_key_source_unavailable() {
    let [a, _, _] = keys();
    let up = JwksServer::start(Answer::keys(&[jwk(&a, "a")], "max-age=300"));
    let down = JwksServer::start(Answer::failing(503));
    let options = JwksOptions { refetch_interval: Duration::from_millis(200), ..JwksOptions::default() };
    let sources = [
        KeySource::from_jwks_url(&up.url(), options.clone()).unwrap(),
        KeySource::from_jwks_url(&down.url(), options).unwrap(),
    ];
    let mut registry = Registry::default();
    let metrics = PopMetrics::new(&mut registry);
    // The client is chosen by a header, as a service with several clients would.
    let layer = PopLayer::with_key_source_lookup(move |parts| {
        let client = parts.headers.get("x-client").map_or(0, |_| 1);
        Ok(sources[client].clone())
    })
    .metrics(metrics);
    let app = app(layer);

    assert_eq!(send(&app, get_devices(&a, Some("a"))).await, accepted());
    assert_eq!(send(&app, get_devices(&a, None)).await, accepted());
    assert_eq!(up.requests(), 1, "fetched once, then cached");

    let mut request = get_devices(&a, Some("a"));
    request.headers_mut().insert("x-client", "down".parse().unwrap());
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    let description = format!(
        "KeySourceUnavailable: key source unavailable: the JWK set at {} cannot be fetched (HTTP 503) and no usable copy is cached",
        down.url()
    );
    assert_eq!(
        body,
        json!({ "error": "key_source_unavailable", "error_description": description, "kind": "KeySourceUnavailable" })
    );
    let expected: BTreeMap<String, f64> =
        [("accepted,".to_owned(), 2.0), ("refused,KeySourceUnavailable".to_owned(), 1.0)].into();
    assert_eq!(decisions(&registry), expected);
}
