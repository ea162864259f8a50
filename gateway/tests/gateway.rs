//! The gateway as a library, in-process: configuration errors, and the protected routes'
//! accounting through `PopLayer` (accepted calls logged with their PoP token, refusals with
//! their kind and counted).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use taap::{
    client::ClientConfig, client::ClientSecret, client::OAuthServer, ErrorKind, PrivateKey, PublicKey,
    TaapClient,
};
use taap_gateway::config::{secret_from_env, Faults, DEFAULT_SCOPE};
use taap_gateway::{Gateway, GatewayConfig, RegisteredClient, StatsSnapshot};

const CLIENT_ID: &str = "library-client";
const SECRET: &str = "library-secret-5c1e";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn registered() -> RegisteredClient {
    RegisteredClient {
        id: CLIENT_ID.into(),
        secret: ClientSecret::new(SECRET),
        public_key: PublicKey::from_file(keys_dir().join("readme-public.pem")).unwrap().into(),
        scope: DEFAULT_SCOPE.into(),
    }
}

#[test]
fn configuration_problems_are_config_errors() {
    let none = GatewayConfig::new(Vec::new(), 3600, Faults::default()).unwrap_err();
    assert_eq!(
        (none.kind(), none.to_string().ends_with("the gateway needs at least one client")),
        (ErrorKind::Config, true)
    );
    let twice = GatewayConfig::new(vec![registered(), registered()], 3600, Faults::default()).unwrap_err();
    assert!(twice.to_string().ends_with("client \"library-client\" is configured twice"), "{twice}");
    let unset = secret_from_env("TAAP_GATEWAY_TEST_UNSET_VARIABLE").unwrap_err();
    assert_eq!(unset.kind(), ErrorKind::Config);
    assert!(
        unset
            .to_string()
            .ends_with("environment variable TAAP_GATEWAY_TEST_UNSET_VARIABLE is not set (or not UTF-8)"),
        "{unset}"
    );
}

/// `GET target` with `Authorization: Bearer <bearer>` and no PoP token: `(status, body)`.
fn get_without_pop(gateway: &Gateway, target: &str, bearer: &str) -> (u16, Value) {
    let address = gateway.url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(address).unwrap();
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {bearer}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap();
    (status, serde_json::from_str(body).unwrap())
}

#[test]
fn protected_routes_log_accepted_tokens_and_count_refusals() {
    let config = GatewayConfig::new(vec![registered()], 3600, Faults::default()).unwrap();
    let gateway = Gateway::start(config, 0, false).unwrap();
    let key = Arc::new(PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap());
    let token_url = format!("{}/oauth2/v2/tokens", gateway.url());
    let client =
        TaapClient::new(ClientConfig::new(CLIENT_ID, SECRET, key, OAuthServer::Url(token_url))).unwrap();

    let response = client
        .send("GET", &format!("{}{DEVICE}", gateway.url()), [("Accept", "application/json")], b"")
        .unwrap();
    assert_eq!(response.status, 200);
    let bearer = client.access_token().unwrap().secret().to_owned();
    let (status, body) = get_without_pop(&gateway, DEVICE, &bearer);
    assert_eq!(
        (status, body["error"].as_str(), body["kind"].as_str()),
        (401, Some("invalid_pop_token"), Some("InvalidToken"))
    );

    let events: Vec<_> =
        gateway.events().into_iter().filter(|event| event.route == format!("GET {DEVICE}")).collect();
    assert_eq!(
        events.iter().map(|event| (event.status, event.pop.is_some())).collect::<Vec<_>>(),
        [(200, true), (401, false)]
    );
    let accepted = events[0].pop.as_ref().unwrap();
    // What the client signs beyond the gateway's required names is the signing policy's call.
    let signed = &accepted.claims().ehts;
    assert!(
        ["Authorization", "uri", "http-method"].iter().all(|name| signed.iter().any(|s| s == name)),
        "{signed:?}"
    );
    assert_eq!(
        gateway.stats(),
        StatsSnapshot {
            token_requests: 1,
            tokens_issued: 1,
            api_requests: 2,
            api_accepted: 1,
            injected_faults: 0
        }
    );
}
