//! `TaapClient` on the wire, against a scripted HTTP server on 127.0.0.1: exact request shape
//! of both token flavours and of API calls, retries, timeouts, limits and configuration errors.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use taap::{
    client::ClientConfig, client::OAuthServer, client::RetryPolicy, Error, PopTokenValidator, PrivateKey,
    SignPolicy, TaapClient,
};

const TOKEN_OK: &str =
    r#"{"access_token":"at-123","id_token":"id-456","expires_in":"3599","scope":"s","status":"success"}"#;

/// One request as the server received it.
#[derive(Debug)]
struct Received {
    method: String,
    target: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// Answers each connection with the next scripted response, then stops; returns what it got.
struct Scripted {
    base: String,
    thread: JoinHandle<Vec<Received>>,
}

impl Scripted {
    fn new(responses: Vec<String>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let thread = std::thread::spawn(move || {
            responses
                .into_iter()
                .map(|response| {
                    let (mut stream, _) = listener.accept().unwrap();
                    let received = read_request(&mut stream);
                    stream.write_all(response.as_bytes()).unwrap();
                    received
                })
                .collect()
        });
        Scripted { base, thread }
    }

    fn received(self) -> Vec<Received> {
        self.thread.join().unwrap()
    }
}

fn read_request(stream: &mut TcpStream) -> Received {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap().to_owned(), parts.next().unwrap().to_owned());
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.insert(name.to_ascii_lowercase(), value.trim().to_owned());
    }
    let length = headers.get("content-length").map_or(0, |length| length.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    Received { method, target, headers, body }
}

fn answer(status: &str, extra_headers: &[&str], body: &str) -> String {
    let mut response =
        format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for header in extra_headers {
        response.push_str(header);
        response.push_str("\r\n");
    }
    response.push_str("\r\n");
    response.push_str(body);
    response
}

fn json(status: &str, body: &str) -> String {
    answer(status, &["Content-Type: application/json"], body)
}

fn key() -> Arc<PrivateKey> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/tmobile/readme-private-pkcs8.pem");
    Arc::new(PrivateKey::from_file(path, None).unwrap())
}

fn config(base: &str, flavor: &str) -> ClientConfig {
    let server = OAuthServer::Url(format!("{base}/oauth2/{flavor}/tokens"));
    let mut config = ClientConfig::new("my-client-id", "my-client-secret", key(), server);
    config.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_secs(1),
    };
    config
}

/// Validates the received PoP token as a gateway would; returns its ehts names.
fn check_pop(received: &Received, signed_headers: &[&str]) -> Vec<String> {
    let mut values: Vec<(String, Vec<u8>)> = signed_headers
        .iter()
        .map(|name| ((*name).to_owned(), received.headers[&name.to_ascii_lowercase()].as_bytes().to_vec()))
        .collect();
    values.push(("uri".into(), taap::request::request_uri(&received.target).unwrap()));
    values.push(("http-method".into(), received.method.as_bytes().to_vec()));
    values.push(("body".into(), received.body.clone()));
    let token = &received.headers["x-authorization"];
    let decoded = PopTokenValidator::default().validate(token, key().public_key(), &values).unwrap();
    decoded.claims().ehts.clone()
}

#[test]
fn the_v2_token_request_is_exactly_what_the_docs_describe() {
    let server = Scripted::new(vec![json("200 OK", TOKEN_OK)]);
    let client = TaapClient::new(config(&server.base, "v2")).unwrap();
    let token = client.access_token().unwrap();
    assert_eq!((token.secret(), token.id_token(), token.expires_in()), ("at-123", Some("id-456"), 3599));
    let received = server.received();
    let request = &received[0];
    assert_eq!((request.method.as_str(), request.target.as_str()), ("POST", "/oauth2/v2/tokens"));
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["authorization"], "Basic bXktY2xpZW50LWlkOm15LWNsaWVudC1zZWNyZXQ=");
    assert!(request.body.is_empty());
    assert_eq!(
        check_pop(request, &["Content-Type", "Authorization"]),
        ["Content-Type", "Authorization", "uri", "http-method", "body"]
    );
}

#[test]
fn the_v6_token_request_carries_the_json_body() {
    let server = Scripted::new(vec![json("200 OK", r#"{"access_token":"at","expires_in":60}"#)]);
    let mut config = config(&server.base, "v6");
    config.store_id = Some("S1".into());
    TaapClient::new(config).unwrap().access_token().unwrap();
    let received = server.received();
    assert_eq!(
        String::from_utf8(received[0].body.clone()).unwrap(),
        r#"{"client_id":"my-client-id","client_secret":"my-client-secret","scope":"response_mode","grant-type":"client_credentials","storeId":"S1"}"#
    );
    check_pop(&received[0], &["Content-Type", "Authorization"]);
}

/// One API call through a client with `policy`; returns the ehts the gateway side saw.
fn api_call_ehts(policy: SignPolicy) -> Vec<String> {
    let server = Scripted::new(vec![
        json("200 OK", TOKEN_OK),
        answer("200 OK", &["Content-Type: text/plain", "X-Trace: t1"], "device data"),
    ]);
    let mut config = config(&server.base, "v2");
    config.sign_policy = policy;
    let client = TaapClient::new(config).unwrap();
    let url = format!("{}/iot-connectivity/v1/devices/89?fields=a%2Cb", server.base);
    let response = client.send("get", &url, [("Accept", "text/plain")], b"").unwrap();
    assert_eq!((response.status, response.text().as_str()), (200, "device data"));
    assert_eq!(
        (response.header("x-trace"), response.header("Content-Type")),
        (Some("t1"), Some("text/plain"))
    );
    let received = server.received();
    let call = &received[1];
    assert_eq!(
        (call.method.as_str(), call.target.as_str()),
        ("GET", "/iot-connectivity/v1/devices/89?fields=a%2Cb")
    );
    assert_eq!(call.headers["authorization"], "Bearer at-123");
    assert_eq!(call.headers["accept"], "text/plain");
    // Every sent header is offered; the token decides which of them it signed.
    check_pop(call, &["Content-Type", "Accept", "Authorization"])
}

#[test]
fn an_api_call_carries_the_bearer_token_and_a_pop_over_the_docs_headers() {
    let ehts = api_call_ehts(SignPolicy::new());
    assert_eq!(ehts, ["Content-Type", "Authorization", "uri", "http-method", "body"]);
}

#[test]
fn sign_call_gives_the_headers_send_sends_with_the_real_bearer_and_a_valid_pop() {
    let server = Scripted::new(vec![json("200 OK", TOKEN_OK)]);
    let client = TaapClient::new(config(&server.base, "v2")).unwrap();
    let token = client.access_token().unwrap();
    drop(server.received());
    let url = "http://127.0.0.1:9/iot-connectivity/v1/devices/89?fields=a%2Cb";
    let signed = client.sign_call("get", url, [("Accept", "text/plain")], b"", &token).unwrap();
    assert_eq!((signed.method.as_str(), signed.url.as_str()), ("GET", url));
    let names: Vec<&str> = signed.headers.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["Content-Type", "Accept", "Authorization", "X-Authorization"]);
    let received = Received {
        method: signed.method.clone(),
        target: "/iot-connectivity/v1/devices/89?fields=a%2Cb".into(),
        headers: signed
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
            .collect(),
        body: Vec::new(),
    };
    assert_eq!(received.headers["authorization"], "Bearer at-123");
    assert_eq!(received.headers["content-type"], "application/json");
    assert_eq!(
        check_pop(&received, &["Content-Type", "Accept", "Authorization"]),
        ["Content-Type", "Authorization", "uri", "http-method", "body"]
    );
    assert!(taap::client::is_idempotent("GET"));
    assert!(!taap::client::is_idempotent("POST"));
}

#[test]
fn the_sign_policy_widens_what_an_api_call_signs() {
    let ehts = api_call_ehts(SignPolicy::all_headers());
    assert_eq!(ehts, ["Content-Type", "Accept", "Authorization", "uri", "http-method", "body"]);
    let ehts = api_call_ehts(SignPolicy::new().with_header("Accept").unwrap());
    assert_eq!(ehts, ["Content-Type", "Authorization", "Accept", "uri", "http-method", "body"]);
}

#[test]
fn retries_honour_retry_after_and_sign_each_attempt_afresh() {
    let server = Scripted::new(vec![
        json("200 OK", TOKEN_OK),
        answer("503 Service Unavailable", &["Retry-After: 0"], ""),
        answer("429 Too Many Requests", &["Retry-After: 0"], ""),
        answer("200 OK", &[], "ok"),
    ]);
    let client = TaapClient::new(config(&server.base, "v2")).unwrap();
    let response = client
        .send("POST", &format!("{}/orders", server.base), [("Content-Type", "application/json")], b"{}")
        .unwrap();
    assert_eq!(response.status, 200);
    let received = server.received();
    let pops: Vec<&String> =
        received[1..].iter().map(|request| &request.headers["x-authorization"]).collect();
    assert!(pops[0] != pops[1] && pops[1] != pops[2], "a fresh PoP token per attempt");
}

#[test]
fn the_last_5xx_of_an_api_call_is_returned_once_retries_run_out() {
    let busy = || answer("503 Service Unavailable", &["Retry-After: 0"], "busy");
    let server = Scripted::new(vec![json("200 OK", TOKEN_OK), busy(), busy(), busy()]);
    let client = TaapClient::new(config(&server.base, "v2")).unwrap();
    let response = client
        .send("GET", &format!("{}/x", server.base), [("Content-Type", "application/json")], b"")
        .unwrap();
    assert_eq!((response.status, response.text().as_str()), (503, "busy"));
    assert_eq!(server.received().len(), 4);
}

#[test]
fn oauth_errors_carry_the_status_and_the_servers_message() {
    let server = Scripted::new(vec![json(
        "400 Bad Request",
        r#"{"error":"invalid_request","error_description":"no scope"}"#,
    )]);
    let error = TaapClient::new(config(&server.base, "v6")).unwrap().access_token().unwrap_err();
    let Error::OAuth { status, message, answer } = &error else { panic!("{error:?}") };
    assert_eq!((*status, message.as_str()), (400, "invalid_request: no scope"));
    // The answer as sent, for a proxy to pass on.
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    assert_eq!(answer.body, br#"{"error":"invalid_request","error_description":"no scope"}"#);
    assert_eq!(error.http_status(), Some(400));
}

#[test]
fn a_failed_refresh_is_not_cached_and_the_next_call_tries_again() {
    let server =
        Scripted::new(vec![json("401 Unauthorized", r#"{"message":"nope"}"#), json("200 OK", TOKEN_OK)]);
    let client = TaapClient::new(config(&server.base, "v2")).unwrap();
    let error = client.access_token().unwrap_err();
    assert_eq!(
        (error.http_status(), error.to_string()),
        (Some(401), "OAuth server answered HTTP 401: nope".into())
    );
    assert_eq!(client.access_token().unwrap().secret(), "at-123");
    assert_eq!(server.received().len(), 2);
}

#[test]
fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = config(&base, "v2");
    config.timeouts.request = Duration::from_millis(200);
    config.retry = RetryPolicy::none();
    match TaapClient::new(config).unwrap().access_token() {
        Err(Error::Transport(message)) => assert!(message.contains("timed out"), "{message}"),
        other => panic!("{other:?}"),
    }
    drop(listener);
}

#[test]
fn a_refused_connection_is_retried_then_a_transport_error() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let error = TaapClient::new(config(&format!("http://127.0.0.1:{port}"), "v2"))
        .unwrap()
        .access_token()
        .unwrap_err();
    assert_eq!(
        error,
        Error::Transport(format!("POST http://127.0.0.1:{port}/oauth2/v2/tokens: connection refused"))
    );
}

#[test]
fn a_host_that_does_not_resolve_is_named_as_such() {
    // .invalid never resolves (RFC 6761); without a resolver the lookup fails the same way.
    let error =
        TaapClient::new(config("https://no-such-host.invalid", "v2")).unwrap().access_token().unwrap_err();
    match error {
        Error::Transport(message) => assert!(
            message.starts_with(
                "POST https://no-such-host.invalid/oauth2/v2/tokens: the host name did not resolve (failed to lookup address information"
            ),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_oversized_response_is_a_transport_error() {
    let big = format!(r#"{{"access_token":"{}","expires_in":"1"}}"#, "a".repeat(4096));
    let server = Scripted::new(vec![json("200 OK", &big)]);
    let mut config = config(&server.base, "v2");
    config.max_response_bytes = 1024;
    match TaapClient::new(config).unwrap().access_token() {
        Err(Error::Transport(message)) => assert!(
            message.ends_with("the response body exceeds 1024 bytes (raise max_response_bytes)"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_configuration_is_a_config_error_naming_the_problem() {
    let base = ClientConfig::new("id", "secret", key(), OAuthServer::V2);
    let with = |change: fn(&mut ClientConfig)| {
        let mut config = base.clone();
        change(&mut config);
        config
    };
    let cases: Vec<(ClientConfig, &str)> = vec![
        (with(|c| c.client_id = "a:b".into()), "client_id must not contain ':'"),
        (with(|c| c.client_secret = "".into()), "client_secret is empty"),
        (
            with(|c| c.server = OAuthServer::Url("https://h/oauth2/tokens".into())),
            "cannot tell the token flavour",
        ),
        (with(|c| c.server = OAuthServer::Url("ftp://h/oauth2/v2/tokens".into())), "must be https://host/"),
        (
            with(|c| c.server = OAuthServer::Url("http://oauth.example.com/oauth2/v2/tokens".into())),
            "uses plain http to another machine; use https",
        ),
        (
            with(|c| c.server = OAuthServer::Url("https://u:p@h/oauth2/v2/tokens".into())),
            "must not carry credentials",
        ),
        (with(|c| c.pop_ttl_secs = 0), "pop_ttl_secs is 0"),
        (with(|c| c.retry.max_retries = 11), "retry.max_retries is 11"),
        (with(|c| c.timeouts.request = Duration::ZERO), "timeouts.request"),
    ];
    for (config, expected) in cases {
        match TaapClient::new(config) {
            Err(Error::Config(message)) => {
                assert!(message.contains(expected), "{message} / {expected}")
            }
            other => panic!("{expected}: {other:?}"),
        }
    }
    let client = TaapClient::new(base).unwrap();
    assert_eq!(client.token_url(), taap::client::TMOBILE_V2_TOKEN_URL);
    let bad_call = client.send("GET", "/relative", [("A", "b")], b"").unwrap_err();
    assert!(matches!(bad_call, Error::Config(_)), "{bad_call:?}");
}

#[test]
fn presets_and_urls_parse_with_their_flavour() {
    assert_eq!(OAuthServer::parse("v6").unwrap().endpoint().unwrap().1, taap::client::TokenFlavor::V6);
    let (url, flavor) =
        OAuthServer::parse("http://127.0.0.1:8080/oauth2/v2/tokens").unwrap().endpoint().unwrap();
    assert_eq!(
        (url.as_str(), flavor),
        ("http://127.0.0.1:8080/oauth2/v2/tokens", taap::client::TokenFlavor::V2)
    );
    assert!(matches!(OAuthServer::parse("v3"), Err(Error::Config(_))));
}

#[test]
fn the_docs_endpoints_and_apis() {
    let url = |server: OAuthServer| server.endpoint().unwrap().0.to_string();
    assert_eq!(url(OAuthServer::V2), "https://naas.t-mobile.com/oauth2/v2/tokens");
    assert_eq!(url(OAuthServer::V6), "https://api.t-mobile.com/oauth2/v6/tokens");
    for (api, expected) in [
        ("connectivity", OAuthServer::V2),
        ("location", OAuthServer::V2),
        ("SMS-Notification", OAuthServer::V2),
        ("call-verification", OAuthServer::V6),
        ("fraud-prevention", OAuthServer::V6),
    ] {
        assert_eq!(OAuthServer::for_api(api).unwrap(), expected, "{api}");
        assert_eq!(OAuthServer::parse(api).unwrap(), expected, "{api}");
    }
    let error = OAuthServer::for_api("billing").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid configuration: \"billing\" is not an API taap knows; choose one of connectivity, location, \
         sms-notification, call-verification, fraud-prevention, or give v2, v6 or a token URL"
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let server = Scripted::new(vec![json("200 OK", TOKEN_OK)]);
    let config = config(&server.base, "v2");
    let client = TaapClient::new(config.clone()).unwrap();
    let token = client.access_token().unwrap();
    for shown in [format!("{config:?}"), format!("{client:?}"), format!("{token:?}")] {
        for secret in ["my-client-secret", "at-123", "id-456", "PRIVATE"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
    server.received();
}

/// What `stats()` said after each step, against what it should say.
fn stats_of(client: &TaapClient) -> taap::client::ClientStatsSnapshot {
    client.stats().snapshot()
}

#[test]
fn stats_count_token_requests_by_outcome_and_refreshes_by_reason() {
    let token = |value: &str, expires_in: u64| {
        json("200 OK", &format!(r#"{{"access_token":"{value}","expires_in":{expires_in}}}"#))
    };
    let server = Scripted::new(vec![
        token("at-1", 3600),
        answer("401 Unauthorized", &[], ""),
        token("at-2", 3600),
        answer("200 OK", &[], "ok"),
        json("401 Unauthorized", r#"{"error":"invalid_client"}"#),
        json("200 OK", r#"{"not":"a token"}"#),
        token("at-3", 2),
        token("at-4", 3600),
    ]);
    let client = TaapClient::new(config(&server.base, "v2")).unwrap();
    let stats = client.stats().clone();
    let url = format!("{}/iot-connectivity/v1/devices/89", server.base);

    // The first call fetches, the second is the cache's.
    assert_eq!(client.access_token().unwrap().secret(), "at-1");
    assert_eq!(client.access_token().unwrap().secret(), "at-1");
    let mut expected = taap::client::ClientStatsSnapshot { tokens_issued: 1, ..Default::default() };
    assert_eq!(stats_of(&client), expected);

    // A 401 to an API call: one refresh, one more token request.
    assert_eq!(client.send("GET", &url, [("Accept", "text/plain")], b"").unwrap().status, 200);
    expected.tokens_issued = 2;
    expected.refreshes_unauthorized = 1;
    assert_eq!(stats_of(&client), expected);

    // An explicit refresh the server refuses, then an answer that is not a token.
    assert!(matches!(client.refresh_access_token(), Err(Error::OAuth { status: 401, .. })));
    expected.tokens_refused = 1;
    expected.refreshes_requested = 1;
    assert_eq!(stats_of(&client), expected);
    assert!(matches!(client.access_token(), Err(Error::OAuth { status: 200, .. })));
    expected.tokens_failed = 1;
    expected.refreshes_requested = 2;
    assert_eq!(stats_of(&client), expected);

    // The next fetch still replaces the dropped token; then a 2 s token is due after 1 s
    // (half its life) and is refreshed ahead of its expiry.
    assert_eq!(client.access_token().unwrap().secret(), "at-3");
    expected.tokens_issued = 3;
    expected.refreshes_requested = 3;
    assert_eq!(stats_of(&client), expected);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(client.access_token().unwrap().secret(), "at-4");
    expected.tokens_issued = 4;
    expected.refreshes_expiry = 1;
    assert_eq!(stats.snapshot(), expected, "a clone of the stats keeps counting");
    assert_eq!(server.received().len(), 8);
    let shown = format!("{:?}", client.stats());
    assert!(shown.contains("tokens_issued: 4") && !shown.contains("at-4"), "{shown}");
}

#[test]
fn a_refused_token_is_refreshed_once_for_all_its_callers() {
    let server = Scripted::new(vec![
        json("200 OK", TOKEN_OK),
        json("200 OK", r#"{"access_token":"at-2","expires_in":3600}"#),
    ]);
    let client = TaapClient::new(config(&server.base, "v2")).unwrap();
    let refused = client.access_token().unwrap();
    assert_eq!(client.refresh_refused_token(&refused).unwrap().secret(), "at-2");
    // A second caller that saw the same 401 gets the new token, not a third request.
    assert_eq!(client.refresh_refused_token(&refused).unwrap().secret(), "at-2");
    let stats = client.stats().snapshot();
    assert_eq!((stats.tokens_issued, stats.refreshes_unauthorized), (2, 1), "{stats:?}");
    assert_eq!(server.received().len(), 2);
}

/// A token store in memory that can hide the stored token from one read and report its lock
/// as held by another process.
#[derive(Debug, Default)]
struct MemoryStore {
    values: std::sync::Mutex<HashMap<String, String>>,
    hide_once: std::sync::atomic::AtomicBool,
    held_by_other: std::sync::atomic::AtomicBool,
}

impl taap::client::TokenStore for MemoryStore {
    fn name(&self) -> &'static str {
        "memory-test"
    }
    fn get(&self, key: &str) -> Result<Option<zeroize::Zeroizing<String>>, taap::client::StoreError> {
        if self.hide_once.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return Ok(None);
        }
        Ok(self.values.lock().unwrap().get(key).cloned().map(zeroize::Zeroizing::new))
    }
    fn put(&self, key: &str, value: &str, _: Duration) -> Result<(), taap::client::StoreError> {
        self.values.lock().unwrap().insert(key.into(), value.into());
        Ok(())
    }
    fn try_lock(&self, key: &str, owner: &str, _: Duration) -> Result<bool, taap::client::StoreError> {
        if self.held_by_other.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(false);
        }
        let mut values = self.values.lock().unwrap();
        Ok(!values.contains_key(key) && values.insert(key.into(), owner.into()).is_none())
    }
    fn unlock(&self, key: &str, owner: &str) -> Result<(), taap::client::StoreError> {
        let mut values = self.values.lock().unwrap();
        if values.get(key).is_some_and(|held| held == owner) {
            values.remove(key);
        }
        Ok(())
    }
}

#[test]
fn stats_count_shared_store_hits_misses_and_lock_waits() {
    let server = Scripted::new(vec![json("200 OK", TOKEN_OK)]);
    let store = Arc::new(MemoryStore::default());
    let client = |store: &Arc<MemoryStore>| {
        let mut config = config(&server.base, "v2");
        config.token_store = Some(Arc::clone(store) as Arc<dyn taap::client::TokenStore>);
        TaapClient::new(config).unwrap()
    };
    let (first, second, third) = (client(&store), client(&store), client(&store));
    // The first process finds nothing, takes the lock and fetches: a miss.
    assert_eq!(first.access_token().unwrap().secret(), "at-123");
    // The second finds it stored: a hit, no token request.
    assert_eq!(second.access_token().unwrap().secret(), "at-123");
    // The third reads before it is stored, finds the lock held, waits, then reads it.
    store.hide_once.store(true, std::sync::atomic::Ordering::SeqCst);
    store.held_by_other.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(third.access_token().unwrap().secret(), "at-123");
    let counts = |client: &TaapClient| {
        let stats = client.stats().snapshot();
        (stats.tokens_issued, stats.store_hits, stats.store_misses, stats.store_lock_waits)
    };
    assert_eq!([counts(&first), counts(&second), counts(&third)], [(1, 0, 1, 0), (0, 1, 0, 0), (0, 1, 0, 1)]);
    assert_eq!(server.received().len(), 1);
}
