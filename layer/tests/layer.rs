//! `PopLayer` in front of an axum router, driven with `oneshot`: a valid PoP token reaches the
//! handler with its claims and the body intact; every refusal is answered by the layer with
//! the exact error kind and never reaches the handler.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use taap::{request::UriForm, token::BuildOptions, token::Ehts, PopToken, PrivateKey, PublicKey, SignPolicy};
use taap_tower::{PopLayer, Refusal};
use tower::ServiceExt;

const ORDER: &[u8] = br#"{"orderId": 100, "product": "Mobile Phone"}"#;

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn private_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap())
}

fn public_key() -> PublicKey {
    PublicKey::from_file(keys_dir().join("readme-public.pem")).unwrap()
}

/// A router whose handlers answer with the PoP claims and body they saw, and count their calls.
fn app(layer: PopLayer, calls: &Arc<AtomicUsize>) -> Router {
    let seen = |calls: Arc<AtomicUsize>| {
        move |Extension(token): Extension<PopToken>, body: Bytes| async move {
            calls.fetch_add(1, Ordering::SeqCst);
            let claims = token.claims();
            Json(json!({ "jti": claims.jti, "ehts": claims.ehts, "body": String::from_utf8_lossy(&body) }))
        }
    };
    Router::new()
        .route("/devices", get(seen(Arc::clone(calls))))
        .route("/orders", post(seen(Arc::clone(calls))))
        .layer(layer)
}

/// A request to `target` with `headers`, carrying `pop` in `X-Authorization` when given.
fn request(
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    pop: Option<&str>,
    body: &[u8],
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(target);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    if let Some(pop) = pop {
        builder = builder.header(taap::request::POP_HEADER, pop);
    }
    builder.body(Body::from(body.to_vec())).unwrap()
}

/// A request signed over its headers, uri, method and body.
fn signed(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Request<Body> {
    let url = format!("http://127.0.0.1{target}");
    let pop = PopToken::for_request(private_key(), method, &url, headers.iter().copied(), body).unwrap();
    request(method, target, headers, Some(&pop), body)
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Status, `error`, `kind`, and whether the description starts with `kind: `.
fn refusal(answer: &(StatusCode, Value)) -> (u16, &str, &str) {
    let (status, body) = answer;
    let kind = body["kind"].as_str().unwrap_or("");
    let description = body["error_description"].as_str().unwrap_or("");
    assert!(description.starts_with(&format!("{kind}: ")), "{body}");
    (status.as_u16(), body["error"].as_str().unwrap_or(""), kind)
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_its_claims_and_the_body() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = app(PopLayer::new(public_key()), &calls);
    let request = signed("POST", "/orders?x=1", &[("Content-Type", "application/json")], ORDER);
    let pop = request.headers()[taap::request::POP_HEADER].to_str().unwrap().to_owned();
    let (status, body) = send(&app, request).await;
    assert_eq!(status, StatusCode::OK);
    let claims = PopToken::decode(&pop).unwrap().claims().clone();
    assert_eq!(
        body,
        json!({
            "jti": claims.jti,
            "ehts": ["Content-Type", "uri", "http-method", "body"],
            "body": String::from_utf8_lossy(ORDER),
        })
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_request_without_a_pop_token_is_refused() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = app(PopLayer::new(public_key()), &calls);
    let response = app.clone().oneshot(request("GET", "/devices", &[], None, b"")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Bearer realm=\"taap\", error=\"invalid_pop_token\""
    );
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        body,
        json!({
            "error": "invalid_pop_token",
            "error_description": "InvalidToken: invalid PoP token: X-Authorization (the PoP token) is missing",
            "kind": "InvalidToken",
        })
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn malformed_tampered_and_foreign_tokens_are_refused_with_their_kind() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = app(PopLayer::new(public_key()), &calls);
    let garbage = send(&app, request("GET", "/devices", &[], Some("not.a.token"), b"")).await;
    assert_eq!(refusal(&garbage), (401, "invalid_pop_token", "InvalidToken"));

    let mut tampered = signed("POST", "/orders", &[("Content-Type", "application/json")], ORDER);
    *tampered.body_mut() = Body::from(&b"{\"orderId\": 101}"[..]);
    assert_eq!(refusal(&send(&app, tampered).await), (401, "invalid_pop_token", "EdtsMismatch"));

    let other_path = signed("GET", "/devices", &[], b"");
    let (parts, body) = other_path.into_parts();
    let mut moved = Request::from_parts(parts, body);
    *moved.uri_mut() = "/devices?all=1".parse().unwrap();
    assert_eq!(refusal(&send(&app, moved).await), (401, "invalid_pop_token", "EdtsMismatch"));

    let stranger = PrivateKey::generate(2048).unwrap();
    let pop = PopToken::for_request(&stranger, "GET", "http://h/devices", [("Accept", "*/*")], b"").unwrap();
    let foreign = send(&app, request("GET", "/devices", &[], Some(&pop), b"")).await;
    assert_eq!(refusal(&foreign), (401, "invalid_pop_token", "SignatureInvalid"));

    let stale = BuildOptions::default().issued_at(taap::now_unix() - 3600);
    let mut ehts = Ehts::for_request("GET", "/devices", [("Accept", "*/*")]).unwrap();
    ehts.push(taap::request::BODY, b"").unwrap();
    let pop = PopToken::sign(private_key(), &ehts, &stale).unwrap();
    let expired = send(&app, request("GET", "/devices", &[("Accept", "*/*")], Some(&pop), b"")).await;
    assert_eq!(refusal(&expired), (401, "invalid_pop_token", "TokenExpired"));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_replayed_token_is_refused() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = app(PopLayer::new(public_key()), &calls);
    let first = signed("GET", "/devices", &[], b"");
    let pop = first.headers()[taap::request::POP_HEADER].to_str().unwrap().to_owned();
    assert_eq!(send(&app, first).await.0, StatusCode::OK);
    let again = send(&app, request("GET", "/devices", &[], Some(&pop), b"")).await;
    assert_eq!(refusal(&again), (401, "invalid_pop_token", "Replay"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_body_the_token_does_not_sign_is_refused() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = app(PopLayer::new(public_key()), &calls);
    let ehts = Ehts::for_request("POST", "/orders", [("Content-Type", "application/json")]).unwrap();
    let pop = PopToken::sign(private_key(), &ehts, &BuildOptions::default()).unwrap();
    let answer =
        send(&app, request("POST", "/orders", &[("Content-Type", "application/json")], Some(&pop), ORDER))
            .await;
    assert_eq!(refusal(&answer), (401, "invalid_pop_token", "InvalidToken"));
    assert_eq!(
        answer.1["error_description"],
        "InvalidToken: invalid PoP token: the request has a body but the PoP token does not sign it"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_declared_or_not() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = app(PopLayer::new(public_key()).max_body_bytes(16), &calls);
    let expected = json!({
        "error": "request_too_large",
        "error_description": "the body is larger than 16 bytes",
    });
    let undeclared = signed("POST", "/orders", &[], ORDER);
    assert_eq!(send(&app, undeclared).await, (StatusCode::PAYLOAD_TOO_LARGE, expected.clone()));
    let length = ORDER.len().to_string();
    let declared = signed("POST", "/orders", &[("Content-Length", &length)], ORDER);
    assert_eq!(send(&app, declared).await, (StatusCode::PAYLOAD_TOO_LARGE, expected));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// What the Bearer check hands the key lookup and the handler.
#[derive(Clone)]
struct Caller(&'static str);

#[tokio::test]
async fn a_bearer_check_runs_first_and_feeds_the_key_lookup() {
    let lookups = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&lookups);
    let layer = PopLayer::with_key_lookup(move |parts| {
        counted.fetch_add(1, Ordering::SeqCst);
        match parts.extensions.get::<Caller>() {
            Some(Caller("alice")) => Ok(public_key()),
            _ => Err(Refusal::invalid_token("no key for this caller")),
        }
    })
    .bearer(|token| match token {
        "alice-token" => Ok(Caller("alice")),
        "bob-token" => Ok(Caller("bob")),
        _ => Err(Refusal::invalid_token("unknown access token")),
    });
    let app = Router::new()
        .route("/whoami", get(|Extension(Caller(name)): Extension<Caller>| async move { Json(json!(name)) }))
        .layer(layer);

    let alice = signed("GET", "/whoami", &[("Authorization", "Bearer alice-token")], b"");
    assert_eq!(send(&app, alice).await, (StatusCode::OK, json!("alice")));
    let missing = send(&app, signed("GET", "/whoami", &[], b"")).await;
    assert_eq!(
        missing,
        (
            StatusCode::UNAUTHORIZED,
            json!({ "error": "invalid_token", "error_description": "Authorization: Bearer <access token> is missing" })
        )
    );
    let unknown = send(&app, signed("GET", "/whoami", &[("Authorization", "Bearer eve-token")], b"")).await;
    assert_eq!(unknown.1["error_description"], "unknown access token");
    assert_eq!(lookups.load(Ordering::SeqCst), 1);
    let bob = send(&app, signed("GET", "/whoami", &[("Authorization", "Bearer bob-token")], b"")).await;
    assert_eq!(bob.1["error_description"], "no key for this caller");
    assert_eq!(lookups.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_uri_form_decides_which_signers_the_layer_accepts() {
    let headers = [("Content-Type", "application/json")];
    let url = "http://127.0.0.1/devices?q=a%20b";
    let policy = SignPolicy::all_headers().with_uri_form(UriForm::Encoded);
    let pop = policy.sign(private_key(), "GET", url, &headers, b"", &BuildOptions::default()).unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let encoded = app(PopLayer::new(public_key()).uri_form(UriForm::Encoded), &calls);
    let (status, _) = send(&encoded, request("GET", "/devices?q=a%20b", &headers, Some(&pop), b"")).await;
    assert_eq!(status, StatusCode::OK);
    let decoded = app(PopLayer::new(public_key()), &calls);
    let answer = send(&decoded, request("GET", "/devices?q=a%20b", &headers, Some(&pop), b"")).await;
    assert_eq!(refusal(&answer), (401, "invalid_pop_token", "EdtsMismatch"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
