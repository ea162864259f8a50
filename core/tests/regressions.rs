//! Regression tests for what fuzzing found in the core (SECURITY.md, "Fuzzing findings").
//!
//! Each finding has two tests: the hostile input is a typed error (never a panic), and the
//! message that reports it stays short however long the input.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use taap::{validate::ValidatorOptions, ErrorKind, PopToken, PopTokenValidator, PrivateKey, PublicKey};

/// What a one-line error message may take, whatever the input.
const MAX_MESSAGE_CHARS: usize = 512;
const HOSTILE_LENGTH: usize = 20_000;

fn readme_public_key() -> PublicKey {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile/readme-public.pem");
    PublicKey::from_file(path).unwrap()
}

/// F2: a token whose `exp` claim is a 20 000-character string (the fuzzer's input had the ehts
/// list there).
fn token_with_a_huge_string_claim() -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = format!(
        r#"{{"edts":"e","v":"1","exp":"{}","ehts":"uri","iat":1,"jti":"j"}}"#,
        "X-Header;".repeat(HOSTILE_LENGTH / 9)
    );
    format!("{header}.{}.c2ln", URL_SAFE_NO_PAD.encode(claims))
}

/// F3: a traditional encrypted PEM whose `DEK-Info` names a 20 000-character cipher.
fn pem_with_a_huge_cipher_name() -> String {
    format!(
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256{},00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        ".".repeat(HOSTILE_LENGTH)
    )
}

/// F1: a validator that requires a 20 000-character name, and a token that does not sign it.
fn validator_requiring_a_huge_name() -> PopTokenValidator {
    PopTokenValidator::new(ValidatorOptions {
        required: vec!["R".repeat(HOSTILE_LENGTH)],
        ..Default::default()
    })
    .unwrap()
}

fn readme_demo_case() -> (String, Vec<(String, String)>, i64) {
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/validator.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let case = vectors["cases"].as_array().unwrap().iter().find(|case| case["name"] == "valid").unwrap();
    let values = case["ehts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| (pair[0].as_str().unwrap().to_owned(), pair[1].as_str().unwrap().to_owned()))
        .collect();
    (case["token"].as_str().unwrap().to_owned(), values, case["now"].as_i64().unwrap())
}

#[test]
fn f2_a_huge_string_claim_is_an_invalid_token() {
    let error = PopToken::decode(&token_with_a_huge_string_claim()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    assert!(error.to_string().starts_with("invalid PoP token: the payload lacks a PoP claim"), "{error}");
}

#[test]
fn f2_the_message_for_a_huge_string_claim_is_short() {
    let error = PopToken::decode(&token_with_a_huge_string_claim()).unwrap_err();
    assert!(error.to_string().chars().count() <= MAX_MESSAGE_CHARS, "{} characters", error.to_string().len());
}

#[test]
fn f3_a_huge_cipher_name_is_an_invalid_key() {
    let error = PrivateKey::from_pem(pem_with_a_huge_cipher_name(), Some(b"foobar")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidKey);
    assert!(error.to_string().starts_with("invalid key: unsupported PEM encryption AES-256"), "{error}");
}

#[test]
fn f3_the_message_for_a_huge_cipher_name_is_short() {
    let error = PrivateKey::from_pem(pem_with_a_huge_cipher_name(), Some(b"foobar")).unwrap_err();
    assert!(error.to_string().chars().count() <= MAX_MESSAGE_CHARS, "{} characters", error.to_string().len());
}

#[test]
fn f1_a_required_name_the_token_does_not_sign_is_an_invalid_token() {
    let (token, values, now) = readme_demo_case();
    let error = validator_requiring_a_huge_name()
        .validate_at(&token, &readme_public_key(), &values, now)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    assert!(error.to_string().starts_with("invalid PoP token: it does not sign \"RRRR"), "{error}");
}

#[test]
fn f1_the_message_for_a_huge_required_name_is_short() {
    let (token, values, now) = readme_demo_case();
    let error = validator_requiring_a_huge_name()
        .validate_at(&token, &readme_public_key(), &values, now)
        .unwrap_err();
    assert!(error.to_string().chars().count() <= MAX_MESSAGE_CHARS, "{} characters", error.to_string().len());
}

/// F6: a URL whose scheme is 20 000 characters (the fuzzer's had 500 of dots and host names).
fn url_with_a_huge_scheme() -> String {
    format!("h{}://api.t-mobile.com/a", "t-mobile.co".repeat(HOSTILE_LENGTH / 11))
}

#[test]
fn f6_a_huge_url_scheme_is_invalid_ehts() {
    let key = PrivateKey::generate(2048).unwrap();
    let error = PopToken::for_request(&key, "GET", &url_with_a_huge_scheme(), [("a", "b")], b"").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidEhts);
    assert!(
        error.to_string().starts_with("invalid ehts: only http and https URLs can be signed, not ht-"),
        "{error}"
    );
}

#[test]
fn f6_the_message_for_a_huge_url_scheme_is_short() {
    let error = taap::request::request_uri(&url_with_a_huge_scheme()).unwrap_err();
    assert!(error.to_string().chars().count() <= MAX_MESSAGE_CHARS, "{} characters", error.to_string().len());
}
