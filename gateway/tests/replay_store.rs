//! The shared replay store against a real `redis-server`: a token accepted by one node is
//! refused as a replay by another node sharing the Redis; with Redis down every request is
//! refused with 503 naming the store (never let through); once Redis is back, requests are
//! accepted again without a restart, but a token accepted before Redis lost its memory is not.

mod support;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use taap::{
    client::ClientConfig, client::ClientSecret, client::OAuthServer, validate::ValidatorOptions, PopToken,
    PopTokenValidator, PrivateKey, PublicKey, TaapClient,
};
use taap_gateway::config::{Faults, DEFAULT_SCOPE};
use taap_gateway::{Gateway, GatewayConfig, RegisteredClient};
use taap_gateway::{PopLayer, RedisStore, DEFAULT_STORE_DEADLINE};
use tower::ServiceExt;

use support::redis::RedisServer;

const TARGET: &str = "/devices/8901260000000000019";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";

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
        required: vec![taap::request::URI.into(), taap::request::HTTP_METHOD.into()],
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
    let request = Request::get(TARGET).header(taap::request::POP_HEADER, pop).body(Body::empty()).unwrap();
    let response = node.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes))))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_accepted_on_one_node_is_a_replay_on_another() {
    let redis = RedisServer::start();
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
    let mut redis = RedisServer::start();
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
    let mut redis = RedisServer::start();
    redis.stop();
    let node = node(&redis);
    let (status, body) = send(&node, &fresh_token()).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::SERVICE_UNAVAILABLE, &json!("replay_store_unavailable"))
    );
}

/// `GET DEVICE` on a gateway with a Bearer token and `pop`: `(status, body)`.
fn gateway_get(gateway: &Gateway, bearer: &str, pop: &str) -> (u16, Value) {
    let mut stream = std::net::TcpStream::connect(gateway.url().trim_start_matches("http://")).unwrap();
    let request = format!(
        "GET {DEVICE} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {bearer}\r\nX-Authorization: {pop}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn device_pop(bearer: &str) -> String {
    PopToken::for_request(private_key(), "GET", DEVICE, [("Authorization", bearer)], b"").unwrap()
}

#[test]
fn two_taap_gateways_sharing_redis_and_a_token_key_refuse_each_others_replays() {
    let redis = RedisServer::start();
    let keys = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile");
    let start = || {
        let client = RegisteredClient {
            id: "fleet".into(),
            secret: ClientSecret::new("fleet-secret-3b7d"),
            public_key: private_key().public_key().clone().into(),
            scope: DEFAULT_SCOPE.into(),
        };
        let mut config = GatewayConfig::new(vec![client], 3600, Faults::default()).unwrap();
        config.replay_store = Some(redis.url());
        config.token_signing_key = Some(keys.join("dotnet-private-pkcs8.pem"));
        Gateway::start(config, 0, false).unwrap()
    };
    let (first, second) = (start(), start());
    let token_url = format!("{}/oauth2/v2/tokens", first.url());
    let key = Arc::new(PrivateKey::from_file(keys.join("readme-private-pkcs8.pem"), None).unwrap());
    let client =
        TaapClient::new(ClientConfig::new("fleet", "fleet-secret-3b7d", key, OAuthServer::Url(token_url)))
            .unwrap();
    let bearer = format!("Bearer {}", client.access_token().unwrap().secret());

    // A Redis that just started refuses tokens that may predate it, for up to the leeway.
    let started = Instant::now();
    while gateway_get(&second, &bearer, &device_pop(&bearer)).0 != 200 {
        assert!(started.elapsed() < Duration::from_secs(15), "the second gateway never accepted");
        std::thread::sleep(Duration::from_millis(200));
    }
    let pop = device_pop(&bearer);
    assert_eq!(gateway_get(&first, &bearer, &pop).0, 200);
    let (status, body) = gateway_get(&second, &bearer, &pop);
    assert_eq!((status, body["kind"].as_str()), (401, Some("Replay")), "{body}");
}

#[test]
fn an_unknown_replay_store_is_a_config_error() {
    let client = RegisteredClient {
        id: "fleet".into(),
        secret: ClientSecret::new("fleet-secret-3b7d"),
        public_key: private_key().public_key().clone().into(),
        scope: DEFAULT_SCOPE.into(),
    };
    let mut config = GatewayConfig::new(vec![client], 3600, Faults::default()).unwrap();
    config.replay_store = Some("memcached://127.0.0.1:11211".into());
    let error = Gateway::start(config, 0, false).err().expect("refused");
    assert_eq!(error.kind(), taap::ErrorKind::Config);
    assert!(
        error.to_string().ends_with("the replay store must be `memory` or a redis://host:port[/db] URL"),
        "{error}"
    );
}
