//! The shared replay store against a real `redis-server`: a token accepted by one node is
//! refused as a replay by another node sharing the Redis; with Redis down every request is
//! refused with 503 naming the store (never let through); once Redis is back, requests are
//! accepted again without a restart.

mod support;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use taap::{PopToken, PrivateKey, PublicKey};
use taap_gateway::{PopLayer, RedisStore, DEFAULT_STORE_DEADLINE};
use tower::ServiceExt;

use support::redis::RedisServer;

const TARGET: &str = "/devices/8901260000000000019";

fn private_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile");
    KEY.get_or_init(|| PrivateKey::from_file(dir.join("readme-private-pkcs8.pem"), None).unwrap())
}

/// One node: a router behind a `PopLayer` with its own connection to the shared Redis.
fn node(redis: &RedisServer) -> Router {
    let public_key: PublicKey = private_key().public_key().clone();
    let store = Arc::new(RedisStore::open(&redis.url(), DEFAULT_STORE_DEADLINE).unwrap());
    Router::new()
        .route("/devices/{iccid}", get(|| async { "device" }))
        .layer(PopLayer::new(public_key).replay_store(store))
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
    assert_eq!(send(&node, &fresh_token()).await.0, StatusCode::OK);

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
    let resumed = Instant::now();
    loop {
        let (status, body) = send(&node, &fresh_token()).await;
        if status == StatusCode::OK {
            break;
        }
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::SERVICE_UNAVAILABLE, &json!("replay_store_unavailable"))
        );
        assert!(resumed.elapsed() < Duration::from_secs(5), "not recovered 5 s after Redis returned");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
