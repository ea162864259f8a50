//! The shared replay store against a real `redis-server`: a token accepted by one node is
//! refused as a replay by another node sharing the Redis; with Redis down every request is
//! refused with 503 naming the store (never let through); once Redis is back, requests are
//! accepted again without a restart, but a token accepted before Redis lost its memory is not.

mod support;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use taap::{PopToken, PopTokenValidator, PrivateKey, PublicKey, ValidatorOptions};
use taap_gateway::{PopLayer, RedisStore, DEFAULT_STORE_DEADLINE};
use tower::ServiceExt;

use support::redis::RedisServer;

const TARGET: &str = "/devices/8901260000000000019";

fn private_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile");
    KEY.get_or_init(|| PrivateKey::from_file(dir.join("readme-private-pkcs8.pem"), None).unwrap())
}

/// One node: a router behind a `PopLayer` with its own connection to the shared Redis. No
/// clock leeway, so tokens are accepted a second or two after Redis (re)starts, not ten.
fn node(redis: &RedisServer) -> Router {
    let public_key: PublicKey = private_key().public_key().clone();
    let store = Arc::new(RedisStore::open(&redis.url(), DEFAULT_STORE_DEADLINE).unwrap());
    let validator = PopTokenValidator::new(ValidatorOptions {
        leeway_secs: 0,
        required: vec![taap::URI.into(), taap::HTTP_METHOD.into()],
        ..ValidatorOptions::default()
    })
    .unwrap();
    Router::new()
        .route("/devices/{iccid}", get(|| async { "device" }))
        .layer(PopLayer::new(public_key).validator(validator).replay_store(store))
}

/// Sends fresh tokens until one is accepted; every refusal meanwhile is the store's 503.
async fn until_accepted(node: &Router) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = send(node, &fresh_token()).await;
        if status == StatusCode::OK {
            return started.elapsed();
        }
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::SERVICE_UNAVAILABLE, &json!("replay_store_unavailable")),
            "{body}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "not accepting 5 s after Redis (re)started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn fresh_token() -> String {
    PopToken::for_request(
        private_key(),
        "GET",
        &format!("http://127.0.0.1{TARGET}"),
        Vec::<(&str, &str)>::new(),
        b"",
    )
    .unwrap()
}

async fn send(node: &Router, pop: &str) -> (StatusCode, Value) {
    let request = Request::get(TARGET).header(taap::POP_HEADER, pop).body(Body::empty()).unwrap();
    let response = node.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes))))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_accepted_on_one_node_is_a_replay_on_another() {
    let Some(redis) = RedisServer::start() else { return };
    let (first, second) = (node(&redis), node(&redis));
    until_accepted(&first).await;
    let token = fresh_token();
    assert_eq!(send(&first, &token).await, (StatusCode::OK, json!("device")));
    let (status, body) = send(&second, &token).await;
    assert_eq!(
        (status, &body["error"], &body["kind"]),
        (StatusCode::UNAUTHORIZED, &json!("invalid_pop_token"), &json!("Replay"))
    );
    assert!(body["error_description"].as_str().unwrap().starts_with("Replay: "), "{body}");
    let (status, body) = send(&first, &token).await;
    assert_eq!((status, &body["kind"]), (StatusCode::UNAUTHORIZED, &json!("Replay")));
    assert_eq!(send(&second, &fresh_token()).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_fails_closed_with_503_and_recovers_when_it_returns() {
    let Some(mut redis) = RedisServer::start() else { return };
    let node = node(&redis);
    until_accepted(&node).await;
    let accepted_before = fresh_token();
    assert_eq!(send(&node, &accepted_before).await.0, StatusCode::OK);

    redis.stop();
    for _ in 0..5 {
        let (status, body) = send(&node, &fresh_token()).await;
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::SERVICE_UNAVAILABLE, &json!("replay_store_unavailable"))
        );
        let description = body["error_description"].as_str().unwrap();
        assert!(description.starts_with("the replay store (redis) is unavailable: "), "{description}");
        assert!(!description.contains("127.0.0.1"), "the store's address is not echoed: {description}");
    }

    redis.resume();
    until_accepted(&node).await;
    // The restarted Redis forgot it, but the node must not accept it again.
    let (status, body) = send(&node, &accepted_before).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::SERVICE_UNAVAILABLE, &json!("replay_store_unavailable"))
    );
    let token = fresh_token();
    assert_eq!(send(&node, &token).await.0, StatusCode::OK);
    assert_eq!(send(&node, &token).await.1["kind"], json!("Replay"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_was_never_reachable_refuses_with_503() {
    let Some(mut redis) = RedisServer::start() else { return };
    redis.stop();
    let node = node(&redis);
    let (status, body) = send(&node, &fresh_token()).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::SERVICE_UNAVAILABLE, &json!("replay_store_unavailable"))
    );
}
