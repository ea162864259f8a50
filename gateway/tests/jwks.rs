//! A client registered with a JWK set URL (`jwks_url`), served by this test: the config file
//! takes exactly one of `public_key` and `jwks_url`; tokens and API calls signed with a key of
//! the set are accepted; once the set cannot be fetched and the cached copy is past its hard
//! expiry, both the token endpoint and the protected routes answer 503 with kind
//! `KeySourceUnavailable` (counted in `/metrics`), and the source recovering ends it.

#[path = "../../core/tests/support/jwks_server.rs"]
#[allow(dead_code)]
mod jwks_server;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use jwks_server::{Answer, JwksServer};
use serde_json::{json, Value};
use taap::client::{ClientConfig, ClientSecret, OAuthServer, RetryPolicy};
use taap::validate::JwksOptions;
use taap::{ErrorKind, PrivateKey, TaapClient};
use taap_gateway::config::{Faults, DEFAULT_SCOPE};
use taap_gateway::{ClientKeys, Gateway, GatewayConfig, RegisteredClient};

const CLIENT_ID: &str = "jwks-client";
const SECRET: &str = "jwks-secret-8e2d";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";

fn key() -> PrivateKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile/readme-private-pkcs8.pem");
    PrivateKey::from_file(path, None).unwrap()
}

fn set_of(key: &PrivateKey, kid: &str) -> Vec<Value> {
    let mut jwk: Value = serde_json::from_str(&key.public_key().to_jwk()).unwrap();
    jwk["kid"] = json!(kid);
    vec![jwk]
}

/// A config file in a fresh folder with one `[[client]]` whose key lines are `keys`.
fn config_file(name: &str, keys: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("taap-gateway-jwks-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("gateway.toml");
    let text = format!("[[client]]\nid = \"c\"\nsecret = \"s\"\n{keys}\n");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_client_takes_exactly_one_of_public_key_and_jwks_url() {
    let both = config_file("both", "public_key = \"keys.json\"\njwks_url = \"https://idp.example/jwks\"");
    let neither = config_file("neither", "scope = \"commerce\"");
    for path in [both, neither] {
        let error = GatewayConfig::from_toml_file(&path).unwrap_err();
        assert_eq!(
            (error.kind(), error.to_string()),
            (
                ErrorKind::Config,
                "invalid configuration: client \"c\": give exactly one of public_key or jwks_url".to_owned()
            )
        );
    }
    let ftp = config_file("ftp", "jwks_url = \"ftp://idp.example/jwks\"");
    let error = GatewayConfig::from_toml_file(&ftp).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid configuration: the JWKS URL must be http:// or https:// with a host"
    );

    // Loading fetches nothing: the set is fetched when first needed.
    let server = JwksServer::start(Answer::keys(&set_of(&key(), "a"), "max-age=300"));
    let good = config_file("good", &format!("jwks_url = \"{}\"", server.url()));
    let config = GatewayConfig::from_toml_file(&good).unwrap();
    assert!(matches!(config.clients["c"].public_key, ClientKeys::Jwks(_)));
    assert_eq!(server.requests(), 0);
}

/// A client signing with `kid` in its PoP tokens' header, without retries.
fn client(gateway: &Gateway, kid: &str) -> TaapClient {
    let token_url = format!("{}/oauth2/v2/tokens", gateway.url());
    let mut config = ClientConfig::new(CLIENT_ID, SECRET, Arc::new(key()), OAuthServer::Url(token_url));
    config.pop_extras.header = vec![("kid".into(), json!(kid))];
    config.retry = RetryPolicy { max_retries: 0, ..RetryPolicy::default() };
    TaapClient::new(config).unwrap()
}

/// `(status, body)` of a GET of the device through `client`.
fn get_device(gateway: &Gateway, client: &TaapClient) -> (u16, Value) {
    let response =
        client.send("GET", &format!("{}{DEVICE}", gateway.url()), [("Accept", "application/json")], b"");
    let response = response.unwrap();
    (response.status, serde_json::from_slice(&response.body).unwrap_or(Value::Null))
}

/// The lines of `/metrics` that start with `prefix`, sorted.
fn metric_lines(gateway: &Gateway, prefix: &str) -> Vec<String> {
    let url = gateway.metrics_url().unwrap();
    let address: SocketAddr = url.trim_start_matches("http://").trim_end_matches("/metrics").parse().unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let mut lines: Vec<String> =
        answer.lines().filter(|line| line.starts_with(prefix)).map(str::to_owned).collect();
    // A family lists its series in no fixed order.
    lines.sort();
    lines
}

#[test]
fn a_jwks_source_down_past_its_hard_expiry_is_answered_503_and_counted() {
    let server = JwksServer::start(Answer::keys(&set_of(&key(), "a"), "max-age=1"));
    let options = JwksOptions {
        min_max_age: Duration::ZERO,
        max_stale: Duration::ZERO,
        refetch_interval: Duration::from_millis(200),
        ..JwksOptions::default()
    };
    let registered = RegisteredClient {
        id: CLIENT_ID.into(),
        secret: ClientSecret::new(SECRET),
        public_key: ClientKeys::from_jwks_url(&server.url(), options).unwrap(),
        scope: DEFAULT_SCOPE.into(),
    };
    let mut config = GatewayConfig::new(vec![registered], 3600, Faults::default()).unwrap();
    config.metrics = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
    let gateway = Gateway::start(config, 0, false).unwrap();
    let client = client(&gateway, "a");
    assert_eq!(get_device(&gateway, &client).0, 200);
    assert_eq!(server.requests(), 1, "one fetch for the token and the call");

    // The set cannot be fetched any more and the cached copy expires (max-age 1 s, no stale use).
    server.set(Answer::failing(503));
    std::thread::sleep(Duration::from_millis(1100));
    let (status, body) = get_device(&gateway, &client);
    let description = format!(
        "KeySourceUnavailable: key source unavailable: the JWK set at {} cannot be fetched (HTTP 503) and no usable copy is cached",
        server.url()
    );
    assert_eq!(status, 503);
    assert_eq!(
        body,
        json!({ "error": "key_source_unavailable", "error_description": description, "kind": "KeySourceUnavailable" })
    );
    let refused = client.refresh_access_token().unwrap_err();
    assert_eq!((refused.kind(), refused.http_status()), (ErrorKind::OAuth, Some(503)));
    assert_eq!(server.requests(), 2, "the token request within the refetch interval asked nobody");
    assert_eq!(
        metric_lines(&gateway, "taap_pop_decisions_total{"),
        [
            "taap_pop_decisions_total{outcome=\"accepted\",kind=\"\"} 1",
            "taap_pop_decisions_total{outcome=\"refused\",kind=\"KeySourceUnavailable\"} 1",
        ]
    );
    assert_eq!(
        metric_lines(&gateway, "taap_token_requests_total{"),
        [
            "taap_token_requests_total{outcome=\"issued\"} 1",
            "taap_token_requests_total{outcome=\"refused\"} 1"
        ]
    );

    // The source recovers: tokens and calls are accepted again.
    server.set(Answer::keys(&set_of(&key(), "a"), "max-age=300"));
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(get_device(&gateway, &client).0, 200);
}
