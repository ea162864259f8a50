//! The request rules every door shares, against vectors from T-Mobile's official builder:
//! the signing policy (`tests/vectors/policy.json`) and the gateway-side adapter
//! (`tests/vectors/request.json`, received the way a gateway gets the request).

use std::path::PathBuf;

use serde_json::Value;
use taap::{
    request::ReceivedRequest, request::UriForm, token::BuildOptions, token::Ehts, ErrorKind,
    PopTokenValidator, PrivateKey, SignPolicy,
};

fn vectors(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn readme_key() -> PrivateKey {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile/readme-private-pkcs8.pem");
    PrivateKey::from_file(path, None).unwrap()
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_array().map_or(Vec::new(), |names| names.iter().map(|name| name.as_str().unwrap()).collect())
}

fn pairs(value: &Value) -> Vec<(String, String)> {
    let pair = |item: &Value| (item[0].as_str().unwrap().to_owned(), item[1].as_str().unwrap().to_owned());
    value.as_array().unwrap().iter().map(pair).collect()
}

/// The policy a vector describes: `headers` or `all` (else the default), then `with`, `without`.
fn policy(spec: &Value) -> SignPolicy {
    let mut policy = if spec["all"] == true {
        SignPolicy::all_headers()
    } else if spec["headers"].is_array() {
        SignPolicy::headers(strings(&spec["headers"])).unwrap()
    } else {
        SignPolicy::new()
    };
    for name in strings(&spec["with"]) {
        policy = policy.with_header(name).unwrap();
    }
    for name in strings(&spec["without"]) {
        policy = policy.without_header(name).unwrap();
    }
    policy
}

fn options(case: &Value) -> BuildOptions {
    BuildOptions::default()
        .ttl_secs(case["ttl_secs"].as_i64().unwrap())
        .issued_at(case["iat"].as_i64().unwrap())
        .jti(case["jti"].as_str().unwrap())
}

#[test]
fn the_signing_policy_matches_the_official_builder() {
    let key = readme_key();
    let cases = vectors("policy.json");
    let cases = cases["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 11);
    for case in cases {
        let str_of = |field: &str| case[field].as_str().unwrap();
        let token = policy(&case["policy"])
            .sign(
                &key,
                str_of("method"),
                str_of("url"),
                &pairs(&case["headers"]),
                str_of("body").as_bytes(),
                &options(case),
            )
            .unwrap();
        assert_eq!(token, str_of("token"), "case {}", case["name"]);
        let decoded = taap::PopToken::decode(&token).unwrap();
        assert_eq!(decoded.claims().ehts.join(";"), str_of("expected_ehts"), "case {}", case["name"]);
    }
}

/// The request as a gateway receives it: the signed headers plus the token, body as sent.
fn received_outcome(case: &Value, body: &str, drop_token: bool) -> Result<(), ErrorKind> {
    let key = readme_key();
    let mut headers = pairs(&case["headers"]);
    if !drop_token {
        headers.push(("x-authorization".into(), case["token"].as_str().unwrap().into()));
    }
    let sent = headers.iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
    // The target as an HTTP client sends it (dot segments resolved): a gateway never
    // normalises what it received.
    let (method, target) = (case["method"].as_str().unwrap(), case["target"].as_str().unwrap());
    let request =
        ReceivedRequest::new(method, target, sent, body.as_bytes()).map_err(|error| error.kind())?;
    let now = case["iat"].as_i64().unwrap() + 1;
    let validator = PopTokenValidator::default();
    validator.validate_request_at(key.public_key(), &request, now).map(drop).map_err(|error| error.kind())
}

#[test]
fn the_gateway_adapter_accepts_every_request_vector_as_sent() {
    for case in vectors("request.json")["cases"].as_array().unwrap() {
        let body = case["body"].as_str().unwrap();
        assert_eq!(received_outcome(case, body, false), Ok(()), "case {}", case["name"]);
        assert_eq!(
            received_outcome(case, "tampered", false),
            Err(ErrorKind::EdtsMismatch),
            "{}",
            case["name"]
        );
        assert_eq!(received_outcome(case, body, true), Err(ErrorKind::InvalidToken), "{}", case["name"]);
    }
}

#[test]
fn an_unsigned_body_is_refused() {
    let key = readme_key();
    let pairs = [("uri", "/a"), ("http-method", "POST")];
    let token = taap::PopToken::build_with(&key, pairs, &BuildOptions::default().issued_at(100)).unwrap();
    let headers = [("X-Authorization", token.as_bytes())];
    let request = ReceivedRequest::new("POST", "/a", headers, b"{}").unwrap();
    let error =
        PopTokenValidator::default().validate_request_at(key.public_key(), &request, 100).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid PoP token: the request has a body but the PoP token does not sign it"
    );
    let request = ReceivedRequest::new("POST", "/a", headers, b"").unwrap();
    assert!(PopTokenValidator::default().validate_request_at(key.public_key(), &request, 100).is_ok());
}

/// SECURITY.md: the docs' decoded form signs `?a=1%26b=2` and `?a=1&b=2` alike; the encoded
/// form tells them apart.
#[test]
fn only_the_encoded_uri_form_tells_an_escaped_ampersand_from_a_separator() {
    let key = readme_key();
    let outcome = |form: UriForm| {
        let mut ehts = Ehts::for_request_as("GET", "/search?a=1&b=2", [("Accept", "*/*")], form).unwrap();
        ehts.push(taap::request::BODY, b"").unwrap();
        let token = taap::PopToken::sign(&key, &ehts, &BuildOptions::default()).unwrap();
        let headers = [("Accept", &b"*/*"[..]), ("X-Authorization", token.as_bytes())];
        let request = ReceivedRequest::with_uri_form("GET", "/search?a=1%26b=2", headers, b"", form).unwrap();
        PopTokenValidator::default()
            .validate_request(key.public_key(), &request)
            .map(drop)
            .map_err(|e| e.kind())
    };
    assert_eq!(outcome(UriForm::Decoded), Ok(()));
    assert_eq!(outcome(UriForm::Encoded), Err(ErrorKind::EdtsMismatch));
}
