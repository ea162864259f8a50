//! The core's `TaapClient` against the real `taap serve` gateway on 127.0.0.1: both OAuth
//! flavours, caching and refresh, fresh PoP per call, retries, timeouts, skew, refusals.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use taap::{
    client::ClientConfig, client::OAuthServer, client::RetryPolicy, Error, PopToken, PrivateKey, TaapClient,
};

const CLIENT_ID: &str = "test-client";
const SECRET: &str = "test-secret-7f3a";
const SECRET_VAR: &str = "TAAP_TEST_GATEWAY_SECRET";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";

fn keys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("keys")
}

fn private_key_path() -> PathBuf {
    keys_dir().join("tmobile/readme-private-pkcs8.pem")
}

fn key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::from_file(private_key_path(), None).unwrap())
}

/// `taap serve` as a child process; killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(extra: &[&str]) -> Served {
        let public_key = keys_dir().join("tmobile/readme-public.pem");
        let mut args =
            vec!["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR];
        args.extend(["--public-key", public_key.to_str().unwrap()]);
        args.extend(extra);
        Served::spawn(&args)
    }

    fn spawn(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(args)
            .env(SECRET_VAR, SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {first:?}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Served { child, url }
    }

    fn token_url(&self, flavor: &str) -> String {
        format!("{}/oauth2/{flavor}/tokens", self.url)
    }

    fn config(&self, flavor: &str) -> ClientConfig {
        let mut config =
            ClientConfig::new(CLIENT_ID, SECRET, key(), OAuthServer::Url(self.token_url(flavor)));
        config.retry = RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(2),
        };
        config
    }

    fn client(&self, flavor: &str) -> TaapClient {
        TaapClient::new(self.config(flavor)).unwrap()
    }

    fn stats(&self) -> Value {
        let mut response = plain_agent().get(format!("{}/_taap/stats", self.url)).call().unwrap();
        serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
    }

    fn stat(&self, name: &str) -> u64 {
        self.stats()[name].as_u64().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn plain_agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().new_agent()
}

fn get_device(client: &TaapClient, served: &Served) -> taap::client::Response {
    client
        .send("GET", &format!("{}{DEVICE}", served.url), [("Content-Type", "application/json")], b"")
        .unwrap()
}

fn oauth_error(result: taap::Result<impl std::fmt::Debug>) -> (u16, String) {
    match result {
        Err(Error::OAuth { status, message, .. }) => (status, message),
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

#[test]
fn v2_flow_gets_a_token_and_calls_the_connectivity_api() {
    let served = Served::start(&[]);
    let client = served.client("v2");
    let token = client.access_token().unwrap();
    assert_eq!(
        (token.expires_in(), token.status(), token.token_type()),
        (3600, Some("success"), Some("Bearer"))
    );
    let response = get_device(&client, &served);
    assert_eq!(response.status, 200, "{}", response.text());
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(body["iccid"], "8901260000000000019");
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!((served.stat("token_requests"), served.stat("api_accepted")), (1, 1));
}

#[test]
fn v6_flow_sends_the_json_body_and_posts_an_order() {
    let served = Served::start(&[]);
    let mut config = served.config("v6");
    config.store_id = Some("store-1".into());
    config.dealer_code = Some("dealer-2".into());
    let client = TaapClient::new(config).unwrap();
    let order = br#"{"orderId": 100, "product": "Mobile Phone"}"#;
    let response = client
        .send(
            "post",
            &format!("{}/commerce/v1/orders", served.url),
            [("Content-Type", "application/json")],
            order,
        )
        .unwrap();
    assert_eq!(response.status, 201, "{}", response.text());
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!((body["status"].as_str(), body["order"]["orderId"].as_u64()), (Some("RECEIVED"), Some(100)));
    assert_eq!(served.stat("tokens_issued"), 1);
}

#[test]
fn the_token_is_cached_and_every_call_gets_a_fresh_pop_token() {
    let served = Served::start(&[]);
    let client = served.client("v2");
    for _ in 0..5 {
        // A reused PoP token would be refused by the gateway's replay check.
        assert_eq!(get_device(&client, &served).status, 200);
    }
    assert_eq!(client.access_token().unwrap().secret(), client.access_token().unwrap().secret());
    assert_eq!(
        (served.stat("token_requests"), served.stat("api_requests"), served.stat("api_accepted")),
        (1, 5, 5)
    );
}

#[test]
fn a_token_near_expiry_is_refreshed() {
    // A 1 s token is replaced at half its life (the 60 s margin exceeds it).
    let served = Served::start(&["--token-ttl", "1"]);
    let client = served.client("v2");
    let first = client.access_token().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    let second = client.access_token().unwrap();
    assert_ne!(first.secret(), second.secret());
    assert_eq!(served.stat("token_requests"), 2);
}

#[test]
fn concurrent_callers_share_one_refresh() {
    // The delay keeps the first fetch in flight while the other threads ask.
    let served = Served::start(&["--delay-ms", "300", "--fault-path", "/oauth2/"]);
    let client = Arc::new(served.client("v6"));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || client.access_token().unwrap().secret().to_owned())
        })
        .collect();
    let tokens: Vec<String> = threads.into_iter().map(|thread| thread.join().unwrap()).collect();
    assert!(tokens.iter().all(|token| token == &tokens[0]));
    assert_eq!(served.stat("token_requests"), 1);
}

#[test]
fn a_401_on_an_api_call_refreshes_the_token_and_retries_once() {
    let served = Served::start(&[]);
    let client = served.client("v2");
    assert_eq!(get_device(&client, &served).status, 200);
    let revoke = format!("{}/_taap/revoke", served.url);
    let cross_origin_page =
        plain_agent().post(&revoke).header("Content-Type", "text/plain").send("x").unwrap();
    assert_eq!(cross_origin_page.status(), 403, "a page's simple POST must not revoke");
    let revoked = plain_agent().post(&revoke).header("X-Taap-Admin", "1").send_empty().unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(get_device(&client, &served).status, 200);
    assert_eq!(
        (served.stat("token_requests"), served.stat("api_requests"), served.stat("api_accepted")),
        (2, 3, 2)
    );
}

#[test]
fn insufficient_scope_is_a_403_answer_and_not_retried() {
    // The token only covers commerce: the gateway answers 403, which is not retried.
    let served = Served::start(&["--scope", "commerce"]);
    let client = served.client("v2");
    let response = get_device(&client, &served);
    assert_eq!(response.status, 403);
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(body["error"], "insufficient_scope");
    assert_eq!(served.stat("api_requests"), 1);
}

#[test]
fn token_5xx_is_retried_honouring_retry_after() {
    let served = Served::start(&["--fail-first", "2", "--fail-status", "503", "--retry-after", "0"]);
    let client = served.client("v2");
    client.access_token().unwrap();
    assert_eq!((served.stat("injected_faults"), served.stat("tokens_issued")), (2, 1));
}

#[test]
fn token_429_beyond_the_retry_budget_is_an_oauth_error() {
    let served = Served::start(&["--fail-first", "10", "--fail-status", "429", "--retry-after", "0"]);
    let (status, message) = oauth_error(served.client("v2").access_token());
    assert_eq!((status, message.as_str()), (429, "rate_limited: injected fault: HTTP 429"));
    assert_eq!(served.stat("injected_faults"), 3, "one try and two retries");
}

#[test]
fn a_retry_after_longer_than_the_policy_allows_is_not_waited_for() {
    let served = Served::start(&["--fail-first", "1", "--fail-status", "503", "--retry-after", "3600"]);
    let (status, _) = oauth_error(served.client("v2").access_token());
    assert_eq!(status, 503);
    assert_eq!(served.stat("injected_faults"), 1);
}

#[test]
fn api_5xx_is_retried_with_a_fresh_pop_token() {
    let served =
        Served::start(&["--fail-first", "2", "--fail-status", "502", "--fault-path", "/iot-connectivity/"]);
    let client = served.client("v2");
    assert_eq!(get_device(&client, &served).status, 200);
    assert_eq!((served.stat("injected_faults"), served.stat("api_accepted")), (2, 1));
}

#[test]
fn a_plain_500_on_a_post_is_not_repeated() {
    let served = Served::start(&["--fail-first", "1", "--fail-status", "500", "--fault-path", "/commerce/"]);
    let client = served.client("v2");
    let response = client
        .send(
            "POST",
            &format!("{}/commerce/v1/orders", served.url),
            [("Content-Type", "application/json")],
            b"{}",
        )
        .unwrap();
    assert_eq!(response.status, 500);
    assert_eq!((served.stat("injected_faults"), served.stat("api_requests")), (1, 0));
}

#[test]
fn a_slow_server_times_out_as_a_transport_error() {
    let served = Served::start(&["--delay-ms", "3000"]);
    let mut config = served.config("v2");
    config.timeouts.request = Duration::from_millis(300);
    config.retry = RetryPolicy::none();
    match TaapClient::new(config).unwrap().access_token() {
        Err(Error::Transport(message)) => {
            assert!(message.starts_with("POST http://127.0.0.1:"), "{message}");
            assert!(message.contains("timed out"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_json_from_the_server_is_an_oauth_error() {
    let served = Served::start(&["--garble-tokens"]);
    let (status, message) = oauth_error(served.client("v2").access_token());
    assert_eq!(status, 200);
    assert!(message.starts_with("the token response is not usable: it is not a JSON object"), "{message}");
}

#[test]
fn wrong_credentials_are_refused_without_echoing_the_secret() {
    let served = Served::start(&[]);
    for (id, secret) in [(CLIENT_ID, "wrong-secret"), ("someone-else", SECRET)] {
        let config = ClientConfig::new(id, secret, key(), OAuthServer::Url(served.token_url("v6")));
        let (status, message) = oauth_error(TaapClient::new(config).unwrap().access_token());
        assert_eq!((status, message.as_str()), (401, "invalid_client: unknown client or wrong secret"));
    }
}

#[test]
fn a_pop_token_from_another_key_is_refused() {
    let served = Served::start(&[]);
    let other = Arc::new(PrivateKey::from_file(keys_dir().join("openssl/pkcs8-private.pem"), None).unwrap());
    let config = ClientConfig::new(CLIENT_ID, SECRET, other, OAuthServer::Url(served.token_url("v2")));
    let (status, message) = oauth_error(TaapClient::new(config).unwrap().access_token());
    assert_eq!(status, 401);
    assert!(message.starts_with("invalid_pop_token: SignatureInvalid: "), "{message}");
}

#[test]
fn clock_skew_is_learned_from_date_and_corrected() {
    for skew in ["300", "-300"] {
        let served = Served::start(&["--skew-secs", skew]);
        let client = served.client("v2");
        assert_eq!(get_device(&client, &served).status, 200, "skew {skew}");
        let expected: i64 = skew.parse().unwrap();
        assert!(
            (expected - 2..=expected + 2).contains(&client.clock_offset_secs()),
            "{}",
            client.clock_offset_secs()
        );
        assert_eq!(served.stat("token_requests"), 2, "one refusal, then the corrected request");
    }
}

#[test]
fn without_skew_correction_a_skewed_server_refuses_the_pop_token() {
    for (skew, kind) in [("300", "TokenExpired"), ("-300", "InvalidToken")] {
        let served = Served::start(&["--skew-secs", skew]);
        let mut config = served.config("v2");
        config.correct_clock_skew = false;
        let (status, message) = oauth_error(TaapClient::new(config).unwrap().access_token());
        assert_eq!(status, 401);
        assert!(message.starts_with(&format!("invalid_pop_token: {kind}: ")), "{message}");
    }
}

/// A correctly signed call made by hand, so its PoP token can be replayed.
fn signed_headers(key: &PrivateKey, bearer: &str, url: &str) -> Vec<(String, String)> {
    let mut headers = vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("Authorization".to_owned(), format!("Bearer {bearer}")),
    ];
    let pop =
        PopToken::for_request(key, "GET", url, headers.iter().map(|(n, v)| (n.as_str(), v.as_str())), b"")
            .unwrap();
    headers.push(("X-Authorization".into(), pop));
    headers
}

fn raw_get(url: &str, headers: &[(String, String)]) -> (u16, Value) {
    let mut request = plain_agent().get(url);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let mut response = request.call().unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap())
}

#[test]
fn a_pop_token_is_bound_to_one_url_and_one_use() {
    let served = Served::start(&[]);
    let key = key();
    let bearer = served.client("v2").access_token().unwrap().secret().to_owned();
    let url = format!("{}{DEVICE}", served.url);
    let headers = signed_headers(&key, &bearer, &url);

    let other_url = format!("{}/iot-connectivity/v1/devices/8901260000000000027", served.url);
    let (status, body) = raw_get(&other_url, &headers);
    assert_eq!(status, 401);
    assert!(body["error_description"].as_str().unwrap().starts_with("EdtsMismatch: "), "{body}");

    assert_eq!(raw_get(&url, &headers).0, 200);
    let (status, body) = raw_get(&url, &headers);
    assert_eq!(status, 401);
    assert!(body["error_description"].as_str().unwrap().starts_with("Replay: "), "{body}");
}

#[test]
fn api_calls_without_pop_or_bearer_are_refused_with_a_challenge() {
    let served = Served::start(&[]);
    let bearer = served.client("v2").access_token().unwrap().secret().to_owned();
    let url = format!("{}{DEVICE}", served.url);
    let no_pop = [("Authorization".to_owned(), format!("Bearer {bearer}"))];
    let (status, body) = raw_get(&url, &no_pop);
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_pop_token")));
    let (status, body) = raw_get(&url, &[]);
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_token")));
    let forged = signed_headers(&key(), "not-a-jwt", &url);
    let (status, body) = raw_get(&url, &forged);
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_token")));
}

#[test]
fn malformed_token_requests_get_400() {
    let served = Served::start(&[]);
    let key = key();
    let basic = "Basic dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQtN2YzYQ==";
    let post = |flavor: &str, content_type: &str, body: &str| {
        let url = served.token_url(flavor);
        let headers = [("Content-Type", content_type), ("Authorization", basic)];
        let pop = PopToken::for_request(&key, "POST", &url, headers, body.as_bytes()).unwrap();
        let mut response = plain_agent()
            .post(&url)
            .header("Content-Type", content_type)
            .header("Authorization", basic)
            .header("X-Authorization", pop)
            .send(body)
            .unwrap();
        let body: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        (response.status().as_u16(), body["error_description"].as_str().unwrap().to_owned())
    };
    assert_eq!(post("v2", "application/json", "{}"), (400, "/oauth2/v2/tokens takes an empty body".into()));
    assert_eq!(
        post("v6", "application/json", "{not json"),
        (400, "the v6 body must be a JSON object".into())
    );
    assert_eq!(post("v2", "text/plain", ""), (400, "Content-Type must be application/json".into()));
    let wrong_grant = r#"{"client_id":"test-client","client_secret":"test-secret-7f3a","scope":"response_mode","grant-type":"password"}"#;
    assert_eq!(
        post("v6", "application/json", wrong_grant),
        (400, "only grant-type client_credentials is supported".into())
    );
    assert_eq!(served.stat("tokens_issued"), 0);
}

#[test]
fn a_toml_config_registers_several_clients_with_pem_or_jwk_keys() {
    let dir = tempfile::tempdir().unwrap();
    let jwk_path = dir.path().join("second.jwk.json");
    let second_key =
        Arc::new(PrivateKey::from_file(keys_dir().join("openssl/pkcs8-private.pem"), None).unwrap());
    std::fs::write(&jwk_path, second_key.public_key().to_jwk()).unwrap();
    let config_path = dir.path().join("gateway.toml");
    let pem_path = keys_dir().join("tmobile/readme-public.pem");
    std::fs::write(
        &config_path,
        format!(
            "token_ttl_secs = 120\n\n[[client]]\nid = \"{CLIENT_ID}\"\nsecret_env = \"{SECRET_VAR}\"\npublic_key = {:?}\n\n\
             [[client]]\nid = \"second\"\nsecret = \"second-secret\"\npublic_key = \"second.jwk.json\"\nscope = \"commerce\"\n",
            pem_path.to_str().unwrap()
        ),
    )
    .unwrap();
    let served = Served::spawn(&["serve", "--port", "0", "--config", config_path.to_str().unwrap()]);
    assert_eq!(served.client("v2").access_token().unwrap().expires_in(), 120);
    let config =
        ClientConfig::new("second", "second-secret", second_key, OAuthServer::Url(served.token_url("v6")));
    let token = TaapClient::new(config).unwrap().access_token().unwrap();
    assert_eq!(token.scope(), Some("commerce"));
}

#[test]
fn a_client_trickling_headers_is_disconnected_and_others_are_served() {
    use std::io::{Read, Write};
    let served = Served::start(&["--header-timeout", "1"]);
    let address = served.url.strip_prefix("http://").unwrap();
    let mut slow = std::net::TcpStream::connect(address).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    slow.write_all(b"GET /_taap/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
    let mut answer = Vec::new();
    // The gateway ends the connection: end of stream (or a reset), not our 10 s read timeout.
    match slow.read_to_end(&mut answer) {
        Ok(_) => assert!(answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"), "{answer:?}"),
        Err(error) => assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}"),
    }
    assert_eq!(served.stat("token_requests"), 0, "the gateway still answers");
}

#[test]
fn an_oversized_body_is_refused_with_413_before_it_is_read() {
    use std::io::{Read, Write};
    let served = Served::start(&[]);
    let mut stream = std::net::TcpStream::connect(served.url.strip_prefix("http://").unwrap()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // Only the headers are sent: the declared length alone must get the refusal.
    let head = "POST /commerce/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2097152\r\nConnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert_eq!(served.stat("api_requests"), 0);
}
