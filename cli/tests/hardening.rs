//! Regression tests for what hardening found in the gateway: a client that sends its headers
//! and then trickles its body is answered 408 and cut off (it used to hold its connection for
//! the 90 s whole-request timeout) while other clients are served; a chunked body over the
//! limit is refused with 413 like a declared one; a refusal does not echo a hostile token.

#[path = "support/raw_gateway.rs"]
mod raw_gateway;

use std::io::Write;

use raw_gateway::{answer_of, Served};

#[test]
fn a_client_trickling_its_body_gets_408_and_others_are_served_meanwhile() {
    let served = Served::start();
    let mut slow = served.connect();
    let head = "POST /commerce/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{";
    slow.write_all(head.as_bytes()).unwrap();

    let mut other = served.connect();
    other.write_all(b"GET /_taap/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let stats = answer_of(&mut other);
    assert!(stats.starts_with("HTTP/1.1 200 "), "{stats}");
    assert!(stats.contains("\"api_requests\":0"), "{stats}");

    let answer = answer_of(&mut slow);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("\"error\":\"request_timeout\""), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
}

#[test]
fn a_chunked_body_over_the_limit_is_refused_with_413() {
    let served = Served::start();
    let mut stream = served.connect();
    let head = "POST /commerce/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
    // 17 chunks of 64 KiB: just over the 1 MiB limit. The server may stop reading once refused.
    for _ in 0..17 {
        if stream.write_all(chunk.as_bytes()).is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let answer = answer_of(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
}

#[test]
fn a_refusal_does_not_echo_a_huge_claim_back() {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine;
    let served = Served::start();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let hostile = "x".repeat(20_000);
    let claims = format!(r#"{{"edts":"e","v":"1","exp":"{hostile}","ehts":"uri","iat":1,"jti":"j"}}"#);
    let token = format!("{header}.{}.c2ln", URL_SAFE_NO_PAD.encode(claims));
    let basic = STANDARD.encode(format!("{}:{}", raw_gateway::CLIENT_ID, raw_gateway::CLIENT_SECRET));
    let request = format!(
        "POST /oauth2/v2/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Authorization: Basic {basic}\r\nX-Authorization: {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let mut stream = served.connect();
    stream.write_all(request.as_bytes()).unwrap();
    let answer = answer_of(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 401 "), "{}", &answer[..answer.len().min(300)]);
    let body: serde_json::Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let description = body["error_description"].as_str().unwrap();
    assert!(description.starts_with("InvalidToken: invalid PoP token: the payload lacks"), "{description}");
    assert!(description.chars().count() <= 257, "{description}");
    assert!(!description.contains(&"x".repeat(257)), "{description}");
}
