//! The variants integrations meet, as configuration: extra PoP claims and header members
//! (checked byte for byte against an independent JWS assembly signed by the `rsa` crate), the
//! token request body, the `X-Authorization` prefix, default headers, the `uri` form and
//! prepared (dry-run) requests, against a scripted HTTP server on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{json, Map, Value};
use sha2::Sha256;
use taap::{
    client::ClientConfig, client::OAuthServer, client::RetryPolicy, client::TokenBody,
    request::ReceivedRequest, request::UriForm, token::BuildOptions, token::Ehts, token::PopExtras, PopToken,
    PopTokenValidator, PrivateKey, SignPolicy, TaapClient,
};

const KEY_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/tmobile/readme-private-pkcs8.pem");
const TOKEN_OK: &str = r#"{"access_token":"at-123","expires_in":"3599"}"#;
const JTI: &str = "0b1b1a5c-7a62-4d5c-9d42-3b2e4d5f6a7b";

fn key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::from_file(KEY_PATH, None).unwrap())
}

fn ehts() -> Ehts {
    Ehts::from_pairs([("uri", "/a"), ("http-method", "GET"), ("body", "")]).unwrap()
}

fn extras() -> PopExtras {
    PopExtras {
        header: vec![("kid".into(), json!("key-1"))],
        claims: vec![("iss".into(), json!("my-client-id")), ("aud".into(), json!(["a", "b"]))],
    }
}

/// The JWS assembled by hand and signed with the `rsa` crate, independent of taap's code.
fn independent_token(header: &str, payload: &str) -> String {
    let pem = std::fs::read_to_string(KEY_PATH).unwrap();
    let signer = SigningKey::<Sha256>::new(rsa::PrivateKey::from_pkcs8_pem(&pem).unwrap());
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
    let signature = signer.sign(input.as_bytes()).to_vec();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[test]
fn extras_follow_the_standard_members_byte_for_byte() {
    let options = BuildOptions::default().issued_at(1_700_000_000).jti(JTI);
    let token = PopToken::sign_with_extras(&key(), &ehts(), &options, &extras()).unwrap();
    let edts = ehts().edts();
    let payload = format!(
        r#"{{"edts":"{edts}","v":"1","exp":1700000120,"ehts":"uri;http-method;body","iat":1700000000,"jti":"{JTI}","iss":"my-client-id","aud":["a","b"]}}"#
    );
    let expected = independent_token(r#"{"alg":"RS256","typ":"JWT","kid":"key-1"}"#, &payload);
    assert_eq!(token, expected);
    let values = [("uri", &b"/a"[..]), ("http-method", b"GET"), ("body", b"")];
    let validator = PopTokenValidator::default();
    let decoded = validator.validate_at(&token, key().public_key(), &values, 1_700_000_001).unwrap();
    assert_eq!(decoded.claims().jti, JTI);
}

#[test]
fn without_extras_the_token_is_the_standard_one() {
    let options = BuildOptions::default().issued_at(1_700_000_000).jti(JTI);
    let plain = PopToken::sign(&key(), &ehts(), &options).unwrap();
    let with_none = PopToken::sign_with_extras(&key(), &ehts(), &options, &PopExtras::default()).unwrap();
    assert_eq!(plain, with_none);
    assert!(plain.starts_with("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."));
}

#[test]
fn standard_blank_or_repeated_extra_names_are_config_errors() {
    let cases = [
        (
            PopExtras { claims: vec![("jti".into(), json!("x"))], ..PopExtras::default() },
            r#"pop_claims cannot set "jti": the PoP token sets it itself"#,
        ),
        (
            PopExtras { header: vec![("alg".into(), json!("none"))], ..PopExtras::default() },
            r#"pop_header cannot set "alg": the PoP token sets it itself"#,
        ),
        (
            PopExtras { header: vec![("crit".into(), json!([]))], ..PopExtras::default() },
            r#"pop_header cannot set "crit": the PoP token sets it itself"#,
        ),
        (
            PopExtras { claims: vec![(" ".into(), json!(1))], ..PopExtras::default() },
            "pop_claims has a blank name",
        ),
        (
            PopExtras {
                claims: vec![("iss".into(), json!(1)), ("iss".into(), json!(2))],
                ..PopExtras::default()
            },
            r#"pop_claims names "iss" twice"#,
        ),
    ];
    let options = BuildOptions::default();
    for (extras, message) in cases {
        let error = PopToken::sign_with_extras(&key(), &ehts(), &options, &extras).unwrap_err();
        assert_eq!(error.to_string(), format!("invalid configuration: {message}"));
    }
}

/// One request as the scripted server received it: head lines and body.
struct Received {
    head: Vec<String>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let line = self.head.iter().find(|line| line.to_ascii_lowercase().starts_with(&prefix)).unwrap();
        line[prefix.len()..].trim()
    }

    fn target(&self) -> &str {
        self.head[0].split(' ').nth(1).unwrap()
    }
}

fn scripted(responses: usize) -> (String, JoinHandle<Vec<Received>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        (0..responses)
            .map(|_| {
                let (mut stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(&mut stream);
                let mut head = Vec::new();
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim_end().is_empty() {
                        break;
                    }
                    head.push(line.trim_end().to_owned());
                }
                let length = head
                    .iter()
                    .find_map(|line| {
                        line.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|n| n.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{TOKEN_OK}",
                    TOKEN_OK.len()
                );
                stream.write_all(answer.as_bytes()).unwrap();
                Received { head, body }
            })
            .collect()
    });
    (base, thread)
}

fn members(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn config(base: &str, flavor: &str) -> ClientConfig {
    let server = OAuthServer::Url(format!("{base}/oauth2/{flavor}/tokens"));
    let mut config = ClientConfig::new("my-client-id", "my-client-secret", key(), server);
    config.retry = RetryPolicy::none();
    config
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[test]
fn the_token_body_merges_into_the_v6_body_with_placeholders_expanded() {
    let (base, server) = scripted(1);
    let mut config = config(&base, "v6");
    config.token_body = Some(TokenBody::Merge(members(
        json!({"scope": "custom", "cnf": "{public_key_pem}", "who": "{client_id}"}),
    )));
    TaapClient::new(config).unwrap().access_token().unwrap();
    let received = server.join().unwrap();
    let pem = key().public_key().to_pem();
    let expected = json!({
        "client_id": "my-client-id", "client_secret": "my-client-secret", "scope": "custom",
        "grant-type": "client_credentials", "cnf": pem, "who": "my-client-id",
    });
    assert_eq!(received[0].body, serde_json::to_vec(&expected).unwrap());
}

#[test]
fn a_replaced_body_is_sent_on_v2_and_signed() {
    let (base, server) = scripted(1);
    let mut config = config(&base, "v2");
    config.token_body = Some(TokenBody::Replace(members(json!({"grant_type": "client_credentials"}))));
    TaapClient::new(config).unwrap().access_token().unwrap();
    let received = server.join().unwrap();
    assert_eq!(received[0].body, br#"{"grant_type":"client_credentials"}"#);
    let token = received[0].header("X-Authorization");
    let values = [
        ("Content-Type", received[0].header("Content-Type").as_bytes()),
        ("Authorization", received[0].header("Authorization").as_bytes()),
        ("uri", b"/oauth2/v2/tokens"),
        ("http-method", b"POST"),
        ("body", &received[0].body),
    ];
    PopTokenValidator::default().validate(token, key().public_key(), &values).unwrap();
}

#[test]
fn extras_prefix_default_headers_and_the_encoded_uri_reach_the_wire() {
    let (base, server) = scripted(2);
    let mut config = config(&base, "v2");
    config.pop_extras = PopExtras {
        header: vec![("kid".into(), json!("k1"))],
        claims: vec![("iss".into(), json!("{client_id}"))],
    };
    config.x_authorization_prefix = "PoP ".into();
    config.headers = vec![("X-Partner-Id".into(), "P-1".into()), ("X-Unsigned".into(), "u".into())];
    config.sign_policy =
        SignPolicy::new().with_header("X-Partner-Id").unwrap().with_uri_form(UriForm::Encoded);
    let client = TaapClient::new(config).unwrap();
    client.send("GET", &format!("{base}/api?q=a%20b"), [("Accept", "text/plain")], b"").unwrap();
    let received = server.join().unwrap();
    let call = &received[1];
    assert_eq!((call.header("X-Partner-Id"), call.header("X-Unsigned")), ("P-1", "u"));
    let pop = call.header("X-Authorization").strip_prefix("PoP ").unwrap();
    let claims = claims_of(pop);
    assert_eq!(claims["iss"], "my-client-id");
    assert_eq!(claims["ehts"], "Content-Type;Authorization;X-Partner-Id;uri;http-method;body");
    let headers = call.head[1..].iter().map(|line| {
        let (name, value) = line.split_once(':').unwrap();
        (name, value.trim().as_bytes())
    });
    let request =
        ReceivedRequest::with_uri_form("GET", call.target(), headers, b"", UriForm::Encoded).unwrap();
    assert_eq!(request.uri(), b"/api?q=a%20b");
    let token = received[0].header("X-Authorization").strip_prefix("PoP ").unwrap();
    assert_eq!(claims_of(token)["iss"], "my-client-id");
    PopTokenValidator::default().validate(pop, key().public_key(), &request).unwrap();
}

#[test]
fn prepared_requests_show_everything_but_the_secrets() {
    let mut config = config("http://127.0.0.1:9", "v6");
    config.headers = vec![("X-Partner-Id".into(), "P-1".into())];
    let client = TaapClient::new(config).unwrap();
    let token_request = client.prepare_token_request().unwrap();
    assert_eq!(
        token_request.to_string(),
        "POST http://127.0.0.1:9/oauth2/v6/tokens\nContent-Type: application/json\nAuthorization: Basic ****\n\
         X-Authorization: ****\n\n{\"client_id\":\"my-client-id\",\"client_secret\":\"****\",\"scope\":\"response_mode\",\
         \"grant-type\":\"client_credentials\"}\n"
    );
    assert_eq!(
        format!("{token_request:?}"),
        format!("PreparedRequest {{ masked: {:?} }}", token_request.masked())
    );
    let token = token_request.headers.iter().find(|(name, _)| name == "X-Authorization").unwrap();
    assert_eq!(claims_of(&token.1)["ehts"], "Content-Type;Authorization;uri;http-method;body");
    let call = client.prepare_send("post", "https://api.example/x?a=1", [("Accept", "*/*")], b"{}").unwrap();
    assert_eq!(
        call.to_string(),
        "POST https://api.example/x?a=1\nContent-Type: application/json\nAccept: */*\nX-Partner-Id: P-1\n\
         Authorization: Bearer ****\nX-Authorization: ****\n\n{}\n"
    );
}

#[test]
fn bad_variant_settings_are_config_errors() {
    let expect = |config: ClientConfig, message: &str| {
        assert_eq!(
            TaapClient::new(config).unwrap_err().to_string(),
            format!("invalid configuration: {message}")
        );
    };
    let mut bad = config("http://127.0.0.1:9", "v2");
    bad.x_authorization_prefix = "a\nb".into();
    expect(bad, "x_authorization_prefix must be at most 64 characters, without control characters");
    let mut bad = config("http://127.0.0.1:9", "v2");
    bad.headers = vec![("X-Authorization".into(), "x".into())];
    expect(bad, "headers: X-Authorization is set by the client itself");
    let mut bad = config("http://127.0.0.1:9", "v2");
    bad.pop_extras.claims = vec![("exp".into(), json!(1))];
    expect(bad, r#"pop_claims cannot set "exp": the PoP token sets it itself"#);
}
