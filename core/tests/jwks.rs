//! `JwksUrl` against a JWK set server this test starts: the cache follows `Cache-Control:
//! max-age`; a `kid` the set lacks makes it fetched again at most once per refetch interval,
//! once for all the threads asking together; a `kid` a fresh set still lacked is not fetched
//! for again until the negative cache forgets it; a source that cannot be fetched with nothing
//! usable cached is `KeySourceUnavailable`, and the source recovering ends it.

#[path = "support/jwks_server.rs"]
mod jwks_server;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jwks_server::{Answer, JwksServer};
use serde_json::{json, Value};
use taap::validate::{JwksOptions, JwksUrl, KeySet, KeySource};
use taap::{ErrorKind, PopToken, PopTokenValidator, PrivateKey};

fn key(relative: &str) -> PrivateKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative);
    PrivateKey::from_file(path, None).unwrap()
}

/// Two keys: T-Mobile's README key and an OpenSSL one.
fn keys() -> (PrivateKey, PrivateKey) {
    (key("tmobile/readme-private-pkcs8.pem"), key("openssl/pkcs8-private.pem"))
}

fn jwk(key: &PrivateKey, kid: &str) -> Value {
    let mut jwk: Value = serde_json::from_str(&key.public_key().to_jwk()).unwrap();
    jwk["kid"] = json!(kid);
    jwk
}

/// Options with short times, so that the test waits in tenths of seconds.
fn quick(refetch_interval_ms: u64) -> JwksOptions {
    JwksOptions {
        min_max_age: Duration::ZERO,
        refetch_interval: Duration::from_millis(refetch_interval_ms),
        ..JwksOptions::default()
    }
}

fn kids(keys: &KeySet) -> Vec<String> {
    keys.keys().iter().map(|entry| entry.kid.clone().unwrap_or_default()).collect()
}

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

#[test]
fn the_cache_honours_max_age() {
    let (a, _) = keys();
    let server = JwksServer::start(Answer::keys(&[jwk(&a, "a")], "public, max-age=1"));
    let jwks = JwksUrl::new(&server.url(), quick(100)).unwrap();
    assert!(jwks.try_keys_for(None).is_none(), "nothing cached: only a fetch can answer");
    assert_eq!(kids(&jwks.keys_for(None).unwrap()), ["a"]);
    for _ in 0..10 {
        assert_eq!(kids(&jwks.try_keys_for(Some("a")).unwrap().unwrap()), ["a"]);
        jwks.keys_for(None).unwrap();
    }
    assert_eq!(server.requests(), 1, "fresh for 1 s: one fetch");

    // Past its max-age the set is fetched again; this one says 60 s, so it then stays.
    server.set(Answer::keys(&[jwk(&a, "a")], "max-age=60"));
    sleep_ms(1100);
    jwks.keys_for(None).unwrap();
    assert_eq!(server.requests(), 2);
    sleep_ms(1100);
    jwks.keys_for(None).unwrap();
    assert_eq!(server.requests(), 2, "fresh for 60 s now");
}

#[test]
fn an_unknown_kid_is_fetched_again_once_per_interval_for_all_the_threads_asking() {
    let (a, b) = keys();
    let server = JwksServer::start(Answer::keys(&[jwk(&a, "a")], "max-age=300"));
    let jwks = Arc::new(JwksUrl::new(&server.url(), quick(1000)).unwrap());
    assert_eq!(kids(&jwks.keys_for(Some("a")).unwrap()), ["a"]);

    // The new key is published; within the interval of the last fetch, the cached set answers.
    server.set(Answer::keys(&[jwk(&a, "a"), jwk(&b, "b")], "max-age=300"));
    assert_eq!(kids(&jwks.keys_for(Some("b")).unwrap()), ["a"]);
    assert_eq!(server.requests(), 1, "rate-limited");
    sleep_ms(1050);
    assert_eq!(kids(&jwks.keys_for(Some("b")).unwrap()), ["a", "b"]);
    assert_eq!(server.requests(), 2, "one refetch for the unknown kid");

    // 16 threads ask for a kid nobody published, together, while the server is slow: one fetch.
    sleep_ms(1050);
    server.set(Answer {
        delay: Duration::from_millis(300),
        ..Answer::keys(&[jwk(&a, "a"), jwk(&b, "b")], "max-age=300")
    });
    let answers: Vec<Vec<String>> = std::thread::scope(|scope| {
        let asking: Vec<_> =
            (0..16).map(|_| scope.spawn(|| kids(&jwks.keys_for(Some("c")).unwrap()))).collect();
        asking.into_iter().map(|thread| thread.join().unwrap()).collect()
    });
    assert_eq!(answers, vec![vec!["a".to_owned(), "b".to_owned()]; 16]);
    assert_eq!(server.requests(), 3, "one fetch for 16 threads");
}

#[test]
fn a_kid_the_fresh_set_lacked_is_not_fetched_for_until_the_negative_cache_forgets_it() {
    let (a, b) = keys();
    let server = JwksServer::start(Answer::keys(&[jwk(&a, "a")], "max-age=300"));
    let options = JwksOptions { negative_ttl: Duration::from_millis(1500), ..quick(200) };
    let jwks = JwksUrl::new(&server.url(), options).unwrap();
    jwks.keys_for(Some("a")).unwrap();
    sleep_ms(250);
    assert_eq!(kids(&jwks.keys_for(Some("x")).unwrap()), ["a"]);
    assert_eq!(server.requests(), 2, "the unknown kid was fetched for once");
    let remembered = Instant::now();

    // Published meanwhile, but remembered as unknown: answered from the cache, past the interval.
    server.set(Answer::keys(&[jwk(&a, "a"), jwk(&b, "x")], "max-age=300"));
    for _ in 0..5 {
        sleep_ms(250);
        assert_eq!(kids(&jwks.try_keys_for(Some("x")).unwrap().unwrap()), ["a"]);
        assert_eq!(kids(&jwks.keys_for(Some("x")).unwrap()), ["a"]);
    }
    assert_eq!(server.requests(), 2, "no fetch while the kid is remembered");
    let forgotten = Duration::from_millis(1550).saturating_sub(remembered.elapsed());
    std::thread::sleep(forgotten);
    assert_eq!(kids(&jwks.keys_for(Some("x")).unwrap()), ["a", "x"]);
    assert_eq!(server.requests(), 3);
}

#[test]
fn a_source_down_with_nothing_usable_cached_is_key_source_unavailable_until_it_recovers() {
    let (a, _) = keys();
    let server = JwksServer::start(Answer::failing(503));
    let jwks = JwksUrl::new(&server.url(), quick(300)).unwrap();
    let unavailable = format!(
        "key source unavailable: the JWK set at {} cannot be fetched (HTTP 503) and no usable copy is cached",
        server.url()
    );
    let error = jwks.keys_for(None).unwrap_err();
    assert_eq!((error.kind(), error.to_string()), (ErrorKind::KeySourceUnavailable, unavailable.clone()));
    assert_eq!(error.code(), "TAAP_KEY_SOURCE_UNAVAILABLE");
    // Within the interval: the same answer from memory, without asking the server again.
    assert_eq!(jwks.try_keys_for(None).unwrap().unwrap_err().to_string(), unavailable);
    assert_eq!(server.requests(), 1);

    server.set(Answer::keys(&[jwk(&a, "a")], "max-age=300"));
    sleep_ms(350);
    assert_eq!(kids(&jwks.keys_for(None).unwrap()), ["a"]);
    assert_eq!((server.requests(), jwks.last_error()), (2, None));
}

#[test]
fn a_stale_set_serves_while_the_source_is_down_until_its_hard_expiry() {
    let (a, _) = keys();
    let server = JwksServer::start(Answer::keys(&[jwk(&a, "a")], "max-age=1"));
    let options = JwksOptions { max_stale: Duration::from_secs(1), ..quick(300) };
    let jwks = JwksUrl::new(&server.url(), options).unwrap();
    jwks.keys_for(None).unwrap();
    server.set(Answer::failing(500));

    // Stale but within max_stale: the refresh fails and the cached set answers.
    sleep_ms(1200);
    assert_eq!(kids(&jwks.keys_for(None).unwrap()), ["a"]);
    assert_eq!((server.requests(), jwks.last_error()), (2, Some("HTTP 500".to_owned())));
    // A kid the cached set lacks cannot be told apart from a bad one while the source is down.
    sleep_ms(350);
    let error = jwks.keys_for(Some("new")).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "key source unavailable: the JWK set at {} cannot be fetched (HTTP 500) and the cached set has no kid new",
            server.url()
        )
    );

    // Past max-age + max_stale: nothing usable.
    sleep_ms(700);
    assert_eq!(jwks.keys_for(None).unwrap_err().kind(), ErrorKind::KeySourceUnavailable);
    server.set(Answer::keys(&[jwk(&a, "a")], "max-age=60"));
    sleep_ms(350);
    assert_eq!(kids(&jwks.keys_for(None).unwrap()), ["a"]);
}

#[test]
fn an_unreachable_url_is_key_source_unavailable_naming_it_without_its_query() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let jwks = JwksUrl::new(&format!("http://127.0.0.1:{port}/jwks?key=s3cret"), quick(300)).unwrap();
    let error = jwks.keys_for(None).unwrap_err();
    let message = error.to_string();
    assert_eq!(error.kind(), ErrorKind::KeySourceUnavailable);
    assert!(
        message.starts_with(&format!(
            "key source unavailable: the JWK set at http://127.0.0.1:{port}/jwks cannot be fetched ("
        )),
        "{message}"
    );
    assert!(message.ends_with(") and no usable copy is cached") && !message.contains("s3cret"), "{message}");
}

#[test]
fn a_validator_asks_the_source_for_the_tokens_kid() {
    let (a, b) = keys();
    let server = JwksServer::start(Answer::keys(&[jwk(&a, "a"), jwk(&b, "b")], "max-age=300"));
    let source = KeySource::from_jwks_url(&server.url(), quick(300)).unwrap();
    let validator = PopTokenValidator::default();
    let values = [("uri", &b"/orders"[..]), ("http-method", b"GET")];
    let ehts = taap::token::Ehts::from_pairs(values).unwrap();
    let extras = taap::token::PopExtras { header: vec![("kid".into(), json!("b"))], ..Default::default() };
    let token = PopToken::sign_with_extras(&b, &ehts, &Default::default(), &extras).unwrap();
    let headers = [("X-Authorization", token.as_bytes())];
    let request = taap::request::ReceivedRequest::new("GET", "/orders", headers, b"").unwrap();
    let (_, key) = validator.validate_request_with_source(&source, &request, taap::now_unix()).unwrap();
    assert_eq!(key.thumbprint(), b.public_key().thumbprint());
    assert_eq!(server.requests(), 1);
}
