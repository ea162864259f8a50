//! What an adversarial run found against `taap serve` (SECURITY.md, "Adversarial run"), one
//! test per finding. Requests go over a raw socket, so repeated headers and UTF-8 values reach
//! the gateway as an attacker sends them; the API calls' PoP tokens are signed by `openssl
//! dgst` over hand-written claims, independently of taap (taap itself refuses to build most of
//! them).

#[path = "support/raw_gateway.rs"]
mod raw_gateway;

use std::io::Write;
use std::process::{Command, Stdio};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use raw_gateway::{answer_of, Served, CLIENT_ID, CLIENT_SECRET};

const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";
const OTHER_DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000027";
const STANDARD_HEADER: &str = r#"{"alg":"RS256","typ":"JWT"}"#;

fn private_key_path() -> String {
    format!("{}/../tests/keys/tmobile/readme-private-pkcs8.pem", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `openssl` with `input` on stdin; its stdout.
fn openssl(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl is needed to sign the hostile tokens independently of taap");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "openssl {args:?} failed");
    output.stdout
}

/// An RS256 token over `values` (ehts order) with the given header and `jti`, signed by openssl.
fn openssl_token(header: &str, values: &[(&str, &[u8])], jti: &str) -> String {
    let concatenated: Vec<u8> = values.iter().flat_map(|(_, value)| value.iter().copied()).collect();
    let edts = URL_SAFE_NO_PAD.encode(openssl(&["dgst", "-sha256", "-binary"], &concatenated));
    let ehts: Vec<&str> = values.iter().map(|(name, _)| *name).collect();
    let iat = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let claims = serde_json::json!({
        "edts": edts, "v": "1", "exp": iat + 120, "ehts": ehts.join(";"), "iat": iat, "jti": jti,
    });
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = openssl(&["dgst", "-sha256", "-sign", &private_key_path()], input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Sends `head` (request line and headers, CRLF-separated, without the blank line) and `body`;
/// the status and the body of the answer.
fn send(served: &Served, head: &[u8], body: &[u8]) -> (u16, String) {
    let mut stream = served.connect();
    let mut request = head.to_vec();
    request.extend_from_slice(
        format!("\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
            .as_bytes(),
    );
    request.extend_from_slice(body);
    stream.write_all(&request).unwrap();
    let answer = answer_of(&mut stream);
    let status = answer[9..12].parse().unwrap_or_else(|_| panic!("no status line: {answer}"));
    (status, answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned())
}

/// An access token from the gateway's v2 endpoint (the OAuth call is not under test here).
fn access_token(served: &Served) -> String {
    let key = taap::PrivateKey::from_file(private_key_path(), None).unwrap();
    let basic = format!("Basic {}", STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")));
    let headers = [("Content-Type", "application/json"), ("Authorization", basic.as_str())];
    let pop = taap::PopToken::for_request(&key, "POST", "/oauth2/v2/tokens", headers, b"").unwrap();
    let head = format!(
        "POST /oauth2/v2/tokens HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: {basic}\r\nX-Authorization: {pop}"
    );
    let (status, body) = send(served, head.as_bytes(), b"");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["access_token"].as_str().unwrap().to_owned()
}

/// The error kind a refusal names (`error_description` starts with it).
fn refused_kind(answer: &(u16, String)) -> (u16, String) {
    let body: serde_json::Value = serde_json::from_str(&answer.1).unwrap_or_else(|_| panic!("{}", answer.1));
    let description = body["error_description"].as_str().unwrap_or_default();
    (answer.0, description.split(':').next().unwrap_or_default().to_owned())
}

fn refusal(kind: &str) -> (u16, String) {
    (401, kind.to_owned())
}

/// A GET of `path` that signs Authorization, uri and http-method, with its token.
fn signed_get(bearer: &str, path: &str, jti: &str) -> String {
    let values: [(&str, &[u8]); 3] =
        [("Authorization", bearer.as_bytes()), ("uri", path.as_bytes()), ("http-method", b"GET")];
    openssl_token(STANDARD_HEADER, &values, jti)
}

#[test]
fn the_baseline_openssl_signed_call_is_accepted() {
    let served = Served::start();
    let bearer = format!("Bearer {}", access_token(&served));
    let token = signed_get(&bearer, DEVICE, "baseline-1");
    let head = format!("GET {DEVICE} HTTP/1.1\r\nAuthorization: {bearer}\r\nX-Authorization: {token}");
    let answer = send(&served, head.as_bytes(), b"");
    assert_eq!(answer.0, 200, "{}", answer.1);
}

#[test]
fn pseudo_names_in_another_case_cannot_be_met_by_headers() {
    let served = Served::start();
    let bearer = format!("Bearer {}", access_token(&served));
    let values: [(&str, &[u8]); 3] =
        [("Authorization", bearer.as_bytes()), ("URI", DEVICE.as_bytes()), ("HTTP-METHOD", b"GET")];
    let token = openssl_token(STANDARD_HEADER, &values, "variant-1");
    let head = format!(
        "DELETE {OTHER_DEVICE} HTTP/1.1\r\nAuthorization: {bearer}\r\nURI: {DEVICE}\r\nHTTP-METHOD: GET\r\nX-Authorization: {token}"
    );
    assert_eq!(refused_kind(&send(&served, head.as_bytes(), b"")), refusal("InvalidToken"));
}

#[test]
fn repeated_credentials_are_refused() {
    let served = Served::start();
    let bearer = format!("Bearer {}", access_token(&served));
    let token = signed_get(&bearer, DEVICE, "repeat-1");
    let twice_pop = format!(
        "GET {DEVICE} HTTP/1.1\r\nAuthorization: {bearer}\r\nX-Authorization: {token}\r\nX-Authorization: {token}"
    );
    assert_eq!(refused_kind(&send(&served, twice_pop.as_bytes(), b"")), refusal("InvalidToken"));
    let token = signed_get(&bearer, DEVICE, "repeat-2");
    let twice_bearer = format!(
        "GET {DEVICE} HTTP/1.1\r\nAuthorization: {bearer}\r\nAuthorization: Bearer other\r\nX-Authorization: {token}"
    );
    assert_eq!(refused_kind(&send(&served, twice_bearer.as_bytes(), b"")), refusal("InvalidToken"));
}

#[test]
fn an_empty_or_oversized_jti_and_a_crit_member_are_refused() {
    let served = Served::start();
    let bearer = format!("Bearer {}", access_token(&served));
    let values: [(&str, &[u8]); 3] =
        [("Authorization", bearer.as_bytes()), ("uri", DEVICE.as_bytes()), ("http-method", b"GET")];
    let crit_null = r#"{"alg":"RS256","typ":"JWT","crit":null}"#;
    let long_jti = "j".repeat(300);
    for token in [
        openssl_token(STANDARD_HEADER, &values, ""),
        openssl_token(STANDARD_HEADER, &values, &long_jti),
        openssl_token(crit_null, &values, "crit-1"),
    ] {
        let head = format!("GET {DEVICE} HTTP/1.1\r\nAuthorization: {bearer}\r\nX-Authorization: {token}");
        assert_eq!(refused_kind(&send(&served, head.as_bytes(), b"")), refusal("InvalidToken"));
    }
}

#[test]
fn a_utf8_header_value_is_hashed_as_received() {
    let served = Served::start();
    let bearer = format!("Bearer {}", access_token(&served));
    let note = "café".as_bytes();
    let values: [(&str, &[u8]); 4] = [
        ("Authorization", bearer.as_bytes()),
        ("X-Note", note),
        ("uri", DEVICE.as_bytes()),
        ("http-method", b"GET"),
    ];
    let token = openssl_token(STANDARD_HEADER, &values, "utf8-1");
    let mut head =
        format!("GET {DEVICE} HTTP/1.1\r\nAuthorization: {bearer}\r\nX-Authorization: {token}\r\nX-Note: ")
            .into_bytes();
    head.extend_from_slice(note);
    let answer = send(&served, &head, b"");
    assert_eq!(answer.0, 200, "{}", answer.1);
}

#[test]
fn the_bearer_scheme_matches_ignoring_case() {
    let served = Served::start();
    let bearer = format!("bearer {}", access_token(&served));
    let token = signed_get(&bearer, DEVICE, "lower-case-1");
    let head = format!("GET {DEVICE} HTTP/1.1\r\nauthorization: {bearer}\r\nX-Authorization: {token}");
    let answer = send(&served, head.as_bytes(), b"");
    assert_eq!(answer.0, 200, "{}", answer.1);
}
