//! `PopGate`, the check every door's middleware binds: its options, client id rule and the
//! exact answers (status, headers, JSON body) it sends instead of the application's.

use std::path::PathBuf;

use serde_json::{json, Map, Value};
use taap::request::UriForm;
use taap::settings::NameStyle;
use taap::validate::{Answer, ClientKey, KeySet, KeySource, PopGate};
use taap::{PopToken, PrivateKey};

fn readme_key() -> PrivateKey {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile/readme-private-pkcs8.pem");
    PrivateKey::from_file(path, None).unwrap()
}

fn options(given: Value) -> Map<String, Value> {
    given.as_object().unwrap().clone()
}

fn gate(given: Value) -> PopGate {
    PopGate::new(&options(given), NameStyle::Camel).unwrap()
}

fn token(key: &PrivateKey, method: &str, uri: &str) -> String {
    PopToken::build(key, [("uri", uri), ("http-method", method)]).unwrap().as_str().to_owned()
}

fn check(gate: &PopGate, key: &PrivateKey, headers: &[(&str, &str)], body: &[u8]) -> Option<Answer> {
    let headers = headers.iter().map(|(name, value)| (*name, value.as_bytes()));
    gate.check(key.public_key(), "GET", "/items/42?a=1", headers, body, UriForm::Decoded)
}

fn refusal(kind: &str, message: &str) -> Answer {
    Answer {
        status: 401,
        headers: vec![
            ("content-type", "application/json".into()),
            ("www-authenticate", "PoP realm=\"taap\"".into()),
        ],
        body: json!({ "error": kind, "message": message }).to_string(),
    }
}

#[test]
fn a_signed_request_passes_once_and_its_replay_is_refused() {
    let key = readme_key();
    let gate = gate(json!({}));
    let pop = token(&key, "GET", "/items/42?a=1");
    assert_eq!(check(&gate, &key, &[("X-Authorization", &pop)], b""), None);
    let replay = check(&gate, &key, &[("X-Authorization", &pop)], b"").unwrap();
    assert_eq!(
        replay,
        refusal(
            "Replay",
            "replayed PoP token: this jti was already used; build a fresh token for every call"
        )
    );
}

#[test]
fn the_request_line_is_required_by_default() {
    let key = readme_key();
    let only_body = PopToken::build(&key, [("body", "")]).unwrap();
    let answer = check(&gate(json!({})), &key, &[("x-authorization", only_body.as_str())], b"").unwrap();
    let message = "invalid PoP token: it does not sign \"uri\", which this gateway requires";
    assert_eq!(answer, refusal("InvalidToken", message));
    let lenient = gate(json!({ "required": [] }));
    assert_eq!(check(&lenient, &key, &[("x-authorization", only_body.as_str())], b""), None);
}

#[test]
fn a_missing_token_and_a_tampered_target_are_refused_with_their_kinds() {
    let key = readme_key();
    let gate = gate(json!({ "replayStore": false }));
    let answer = check(&gate, &key, &[], b"").unwrap();
    assert_eq!(
        answer,
        refusal("InvalidToken", "invalid PoP token: X-Authorization (the PoP token) is missing")
    );
    let other = token(&key, "GET", "/items/43?a=1");
    let answer = check(&gate, &key, &[("x-authorization", &other)], b"").unwrap();
    assert!(answer.body.starts_with("{\"error\":\"EdtsMismatch\""), "{}", answer.body);
}

#[test]
fn a_body_over_the_limit_is_413_before_any_check() {
    let key = readme_key();
    let gate = gate(json!({ "maxBody": 4 }));
    assert_eq!(gate.max_body(), 4);
    let answer = check(&gate, &key, &[], b"12345").unwrap();
    let body = json!({ "error": "RequestTooLarge", "message": "the body is larger than 4 bytes" });
    assert_eq!(
        answer,
        Answer {
            status: 413,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string()
        }
    );
}

#[test]
fn the_client_id_is_one_utf8_value_of_the_configured_header() {
    let gate = gate(json!({ "clientIdHeader": "X-Partner" }));
    assert_eq!(gate.client_id_header(), "x-partner");
    let id = |headers: &[(&str, &[u8])]| gate.client_id(headers.iter().copied());
    assert_eq!(id(&[("X-PARTNER", b"acme")]), Ok("acme".to_owned()));
    let twice = id(&[("x-partner", b"acme"), ("x-partner", b"evil")]).unwrap_err();
    assert_eq!(
        twice,
        refusal("InvalidToken", "invalid PoP token: the x-partner header appears 2 times; send it once")
    );
    let missing = id(&[("x-client-id", b"acme")]).unwrap_err();
    assert_eq!(
        missing,
        refusal("InvalidToken", "invalid PoP token: the x-partner header (the client id) is missing")
    );
    let bad = id(&[("x-partner", b"\xff")]).unwrap_err();
    assert_eq!(bad, refusal("InvalidToken", "invalid PoP token: the x-partner header is not valid UTF-8"));
    assert_eq!(
        gate.unknown_client(),
        refusal("InvalidToken", "invalid PoP token: no public key is registered for this client id")
    );
}

#[test]
fn options_are_the_schemas_with_its_messages_in_the_doors_names() {
    let error = PopGate::new(&options(json!({ "maxAge": 0 })), NameStyle::Camel).unwrap_err();
    assert_eq!(error.to_string(), "invalid configuration: option maxAge is 0; choose 1 to 3600 seconds");
    let error = PopGate::new(&options(json!({ "max_age": 60 })), NameStyle::Camel).unwrap_err();
    assert!(error
        .to_string()
        .starts_with("invalid configuration: unknown option max_age; the middleware takes "));
    let snake = PopGate::new(&options(json!({ "max_body": 9 })), NameStyle::Snake).unwrap();
    assert_eq!(snake.max_body(), 9);
    assert!(!snake.blocking());
}

#[test]
fn an_unreachable_shared_store_fails_closed_with_503() {
    let key = readme_key();
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    let gate = gate(json!({ "replayStore": "redis://127.0.0.1:1" }));
    assert!(gate.blocking());
    let pop = token(&key, "GET", "/items/42?a=1");
    let answer = check(&gate, &key, &[("x-authorization", &pop)], b"").unwrap();
    assert_eq!(answer.status, 503);
    assert_eq!(answer.headers[1], ("retry-after", "1".to_owned()));
    let body: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!((&body["error"], &body["store"]), (&json!("replay_store_unavailable"), &json!("redis")));
    assert_eq!(answer.to_json()["status"], 503);
    // Through a key source: the key that verifies is found first, then the store is asked.
    let other = PrivateKey::generate(2048).unwrap();
    let source = KeySource::from(KeySet::new(vec![entry(&other), entry(&key)]).unwrap());
    // (Its message may now say the store is backing off: the status and body fields are the rule.)
    let through_source = check_with(&gate, &source, &pop).unwrap();
    let again: Value = serde_json::from_str(&through_source.body).unwrap();
    assert_eq!((through_source.status, &through_source.headers), (503, &answer.headers));
    assert_eq!((&again["error"], &again["store"]), (&body["error"], &body["store"]));
    let forged =
        check_with(&gate, &source, &token(&PrivateKey::generate(2048).unwrap(), "GET", "/items/42?a=1"));
    assert_eq!(forged.unwrap().status, 401);
}

fn check_with(gate: &PopGate, source: &KeySource, pop: &str) -> Option<Answer> {
    let headers = [("X-Authorization", pop.as_bytes())];
    gate.check(source, "GET", "/items/42?a=1", headers, b"", UriForm::Decoded)
}

#[test]
fn a_key_source_admits_each_of_its_keys_and_a_key_it_lacks_is_refused() {
    let (old, new, other) =
        (readme_key(), PrivateKey::generate(2048).unwrap(), PrivateKey::generate(2048).unwrap());
    let source = KeySource::from(KeySet::new(vec![entry(&old), entry(&new)]).unwrap());
    let gate = gate(json!({}));
    assert_eq!(check_with(&gate, &source, &token(&old, "GET", "/items/42?a=1")), None);
    assert_eq!(check_with(&gate, &source, &token(&new, "GET", "/items/42?a=1")), None);
    let refused = check_with(&gate, &source, &token(&other, "GET", "/items/42?a=1")).unwrap();
    assert_eq!(
        (refused.status, serde_json::from_str::<Value>(&refused.body).unwrap()["error"].clone()),
        (401, json!("SignatureInvalid"))
    );
    assert!(!gate.waits(&source, [("X-Authorization", &b""[..])]));
}

fn entry(key: &PrivateKey) -> ClientKey {
    ClientKey { key: key.public_key().clone(), kid: None, not_before: None, not_after: None }
}

#[cfg(feature = "client")]
#[test]
fn a_key_source_that_cannot_be_fetched_is_503_with_its_kind() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/jwks.json");
    let source = KeySource::from_jwks_url(&url, taap::validate::JwksOptions::default()).unwrap();
    let gate = gate(json!({}));
    assert!(gate.waits(&source, [("X-Authorization", &b""[..])]));
    let answer = check_with(&gate, &source, &token(&readme_key(), "GET", "/items/42?a=1")).unwrap();
    let body: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!((answer.status, &body["error"]), (503, &json!("KeySourceUnavailable")));
    assert!(body["message"].as_str().unwrap().starts_with("key source unavailable: "), "{body}");
    assert_eq!(
        answer.headers,
        [("content-type", "application/json".to_owned()), ("retry-after", "1".to_owned())]
    );
}
