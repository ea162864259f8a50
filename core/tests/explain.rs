//! `explain`: a token signed over each known signer variant is diagnosed by its id, against the
//! request as it was sent, and nothing secret is ever shown.

use std::path::PathBuf;

use taap::{
    diagnose::explain, diagnose::Entry, diagnose::ExplainOptions, diagnose::ExplainRequest,
    diagnose::SignatureCheck, diagnose::Variant, token::BuildOptions, PopToken, PrivateKey, PublicKey,
};

const IAT: i64 = 1_700_000_000;
const URL: &str = "https://api.t-mobile.com/commerce/v1/my%20orders?q=a%20b&account=1";
const BEARER: &str = "Bearer SECRET-BEARER-TOKEN";
const BODY: &str = r#"{"orderId": 100, "client_secret": "SECRET-BODY"}"#;
const SECRETS: [&str; 2] = ["SECRET-BEARER-TOKEN", "SECRET-BODY"];

fn key_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile").join(name)
}

fn key() -> PrivateKey {
    PrivateKey::from_file(key_file("readme-private-pkcs8.pem"), None).unwrap()
}

/// Ehts entries in order, as a test signer edits them.
type Values = Vec<(&'static str, String)>;
/// One signer's divergence from the docs' values.
type Change = Box<dyn Fn(&mut Values)>;

/// The request as sent.
fn sent() -> ExplainRequest {
    ExplainRequest::new("POST", URL)
        .header("Content-Type", "application/json")
        .header("Authorization", BEARER)
        .body(BODY)
}

/// The values the docs' rules give the sent request, in ehts order.
fn docs_values() -> Vec<(&'static str, String)> {
    vec![
        ("Content-Type", "application/json".into()),
        ("Authorization", BEARER.into()),
        ("uri", "/commerce/v1/my%20orders?q=a b&account=1".into()),
        ("http-method", "POST".into()),
        ("body", BODY.into()),
    ]
}

/// A token over the docs' values with one value changed, as a divergent signer makes it.
fn signed_with(change: impl FnOnce(&mut Vec<(&'static str, String)>)) -> String {
    let mut values = docs_values();
    change(&mut values);
    PopToken::build_with(&key(), values, &BuildOptions::default().issued_at(IAT).jti("jti-1")).unwrap()
}

fn set(values: &mut [(&'static str, String)], name: &str, value: &str) {
    values.iter_mut().find(|(known, _)| *known == name).unwrap().1 = value.to_owned();
}

fn at(now: i64) -> ExplainOptions<'static> {
    ExplainOptions { public_key: None, now: Some(now) }
}

#[test]
fn each_variant_is_named_by_its_id() {
    let cases: [(Variant, &str, Change); 8] = [
        (
            Variant::UriEncoded,
            "uri-encoded",
            Box::new(|v| set(v, "uri", "/commerce/v1/my%20orders?q=a%20b&account=1")),
        ),
        (
            Variant::UriDecoded,
            "uri-decoded",
            Box::new(|v| set(v, "uri", "/commerce/v1/my orders?q=a b&account=1")),
        ),
        (Variant::QueryDropped, "query-dropped", Box::new(|v| set(v, "uri", "/commerce/v1/my%20orders"))),
        (
            Variant::TrailingSlash,
            "trailing-slash",
            Box::new(|v| set(v, "uri", "/commerce/v1/my%20orders/?q=a b&account=1")),
        ),
        (Variant::MethodCase, "method-case", Box::new(|v| set(v, "http-method", "post"))),
        (
            Variant::BodyTrailingNewline,
            "body-trailing-newline",
            Box::new(|v| set(v, "body", &format!("{BODY}\n"))),
        ),
        (
            Variant::HeaderWhitespace,
            "header-whitespace",
            Box::new(|v| set(v, "Content-Type", " application/json")),
        ),
        (
            Variant::HeaderOrder,
            "header-order",
            Box::new(|v| {
                let content_type = std::mem::take(&mut v[0].1);
                v[0].1 = std::mem::replace(&mut v[1].1, content_type);
            }),
        ),
    ];
    for (variant, id, change) in cases {
        let token = signed_with(|values| change(values));
        let explanation = explain(&token, &sent(), &at(IAT + 5)).unwrap();
        let found = explanation.variant.as_ref().unwrap_or_else(|| panic!("{id}: no variant"));
        assert_eq!((found.id, found.id.id(), found.description), (variant, id, variant.description()));
        assert!(!explanation.valid && !explanation.edts.matches, "{id}");
        assert_eq!(explanation.problems, [format!("edts mismatch: {} ({id})", variant.description())]);
        let json = serde_json::to_value(&explanation).unwrap();
        assert_eq!(json["variant"]["id"], id);
    }
}

#[test]
fn a_token_for_the_request_is_valid_with_every_field_shown_masked() {
    let token = signed_with(|_| {});
    let public = PublicKey::from_file(key_file("readme-public.pem")).unwrap();
    let options = ExplainOptions { public_key: Some(&public), now: Some(IAT + 5) };
    let explanation = explain(&token, &sent(), &options).unwrap();
    assert!(explanation.valid, "{:?}", explanation.problems);
    assert_eq!(explanation.signature, SignatureCheck::Valid);
    assert_eq!(explanation.variant, None);
    assert_eq!(explanation.claims.ehts, ["Content-Type", "Authorization", "uri", "http-method", "body"]);
    assert_eq!(
        (explanation.claims.iat, explanation.claims.exp, explanation.claims.jti.as_str()),
        (IAT, IAT + 120, "jti-1")
    );
    assert_eq!(explanation.edts.computed.as_deref(), Some(explanation.claims.edts.as_str()));
    let entry = |name: &str, value: &str, bytes: usize| Entry {
        name: name.into(),
        value: Some(value.into()),
        bytes: Some(bytes),
    };
    assert_eq!(
        explanation.entries,
        [
            entry("Content-Type", "application/json", 16),
            entry("Authorization", "Bearer ****", BEARER.len()),
            entry("uri", "/commerce/v1/my%20orders?q=a b&account=1", 40),
            entry("http-method", "POST", 4),
            entry("body", r#"{"orderId": 100, "client_secret": "****"}"#, BODY.len()),
        ]
    );
    let (time, expected) = (&explanation.time, (IAT + 5, 115, 5, true, None));
    assert_eq!((time.now, time.expires_in, time.age, time.ok, time.clock_offset), expected);
    let shown = format!("{} {explanation:?} {:?}", serde_json::to_string(&explanation).unwrap(), sent());
    for secret in SECRETS {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn time_problems_give_the_offset_that_would_make_the_token_valid() {
    let token = signed_with(|_| {});
    let expired = explain(&token, &sent(), &at(IAT + 200)).unwrap();
    assert_eq!((expired.time.expires_in, expired.time.clock_offset), (-80, Some(-130)));
    assert_eq!(expired.problems, ["the token expired 80 s ago"]);
    let old = explain(&token, &sent(), &at(IAT + 100)).unwrap();
    assert_eq!(old.time.clock_offset, Some(-30));
    assert_eq!(old.problems, ["the token is too old: issued 100 s ago (maximum 60 s)"]);
    let early = explain(&token, &sent(), &at(IAT - 100)).unwrap();
    assert_eq!(early.time.clock_offset, Some(90));
    assert_eq!(early.problems, ["the token is not valid yet: issued 100 s in the future"]);
    assert!(!expired.valid && !old.valid && !early.valid);
}

#[test]
fn wrong_key_missing_values_and_unknown_mismatches_are_problems() {
    let token = signed_with(|_| {});
    let other = PublicKey::from_file(key_file("dotnet-public.pem")).unwrap();
    let options = ExplainOptions { public_key: Some(&other), now: Some(IAT) };
    let explanation = explain(&token, &sent(), &options).unwrap();
    assert_eq!(explanation.signature, SignatureCheck::Invalid);
    assert_eq!(explanation.problems, ["the signature does not verify with this public key"]);

    let without_auth = ExplainRequest::new("POST", URL).header("Content-Type", "application/json").body(BODY);
    let missing = explain(&token, &without_auth, &at(IAT)).unwrap();
    assert_eq!(missing.entries[1], Entry { name: "Authorization".into(), value: None, bytes: None });
    assert_eq!((missing.edts.computed.as_deref(), missing.edts.matches), (None, false));
    assert_eq!(missing.problems, ["the token signs \"Authorization\" but the request has no value for it"]);

    let unknown = explain(&signed_with(|v| set(v, "body", "{}")), &sent(), &at(IAT)).unwrap();
    assert_eq!(unknown.variant, None);
    assert_eq!(unknown.problems, ["edts mismatch: no known variant reproduces the signed values"]);
}

#[test]
fn an_unsigned_body_is_a_problem() {
    let token = PopToken::build_with(
        &key(),
        [("uri", "/commerce/v1/my%20orders?q=a b&account=1"), ("http-method", "POST")],
        &BuildOptions::default().issued_at(IAT),
    )
    .unwrap();
    let explanation = explain(&token, &sent(), &at(IAT)).unwrap();
    assert!(explanation.edts.matches);
    assert_eq!(explanation.problems, ["the request has a body but the token does not sign it"]);
}

#[test]
fn bad_tokens_and_requests_are_typed_errors() {
    let error = explain("not-a-token", &sent(), &at(IAT)).unwrap_err();
    assert_eq!(error.kind(), taap::ErrorKind::InvalidToken);
    let token = signed_with(|_| {});
    let error = explain(&token, &ExplainRequest::new("GE T", URL), &at(IAT)).unwrap_err();
    assert_eq!(error.kind(), taap::ErrorKind::InvalidEhts);
    let error = explain(&token, &ExplainRequest::new("GET", "ftp://h/x"), &at(IAT)).unwrap_err();
    assert_eq!(error.kind(), taap::ErrorKind::InvalidEhts);
}
