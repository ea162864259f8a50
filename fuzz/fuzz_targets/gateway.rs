//! The local gateway's request handling (`taap serve`), in-process on 127.0.0.1 through the
//! `taap-gateway` crate: every input becomes one HTTP request.
//!
//! Oracles: every request gets an answer within the read deadline; no answer is a 5xx; a 2xx
//! needs a PoP token this harness signed over exactly the request it sent (tampering with a
//! signed value after signing must be refused).
//!
//! Input: `s␞METHOD␞TARGET␞BODY␞TAMPER␞name␟value…` (structured; header values may use the
//! placeholders `$BASIC`, `$BEARER` and `$POP`, filled in with real credentials and a fresh
//! PoP token over the headers, uri, method and body), or `r␞raw bytes` sent as they are.
#![no_main]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use taap::{client::ClientSecret, token::Ehts, PopToken};
use taap_fuzz::{fields, keys_dir, pair, signing_key, text};
use taap_gateway::config::{Faults, DEFAULT_SCOPE};
use taap_gateway::{Gateway, GatewayConfig, RegisteredClient};

const CLIENT_ID: &str = "fuzz-client";
const SECRET: &str = "fuzz-secret-2b7e";
/// Headers the harness writes itself, so that it knows how the request is framed.
const HARNESS_HEADERS: [&str; 4] = ["host", "connection", "content-length", "transfer-encoding"];
/// Far above any answer time of a healthy gateway on loopback.
const READ_DEADLINE: Duration = Duration::from_secs(10);

struct Harness {
    gateway: Gateway,
    bearer: String,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let client = RegisteredClient {
            id: CLIENT_ID.into(),
            secret: ClientSecret::new(SECRET),
            public_key: taap::PublicKey::from_file(keys_dir().join("tmobile/readme-public.pem")).unwrap().into(),
            scope: DEFAULT_SCOPE.into(),
        };
        let config = GatewayConfig::new(vec![client], 3600, Faults::default()).unwrap();
        let gateway = Gateway::start(config, 0, false).unwrap();
        let mut harness = Harness { gateway, bearer: String::new() };
        let request = Request {
            method: "POST".into(),
            target: "/oauth2/v2/tokens".into(),
            body: Vec::new(),
            headers: vec![
                ("Content-Type".into(), b"application/json".to_vec()),
                ("Authorization".into(), b"$BASIC".to_vec()),
                ("X-Authorization".into(), b"$POP".to_vec()),
            ],
            tamper: 0,
        };
        let (status, body) = exchange(&harness, &request.to_bytes(&harness), false);
        assert_eq!(
            status,
            200,
            "the harness could not get an access token: {}",
            String::from_utf8_lossy(&body)
        );
        let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
        harness.bearer = answer["access_token"].as_str().unwrap().to_owned();
        harness
    })
}

/// One structured request, before placeholders are filled in.
struct Request {
    method: String,
    target: String,
    body: Vec<u8>,
    headers: Vec<(String, Vec<u8>)>,
    /// 1: change the body after signing; 2: change the first signed header; else nothing.
    tamper: i64,
}

impl Request {
    fn parse(fields: &[&[u8]]) -> Option<Request> {
        let [method, target, body, tamper, headers @ ..] = fields else { return None };
        Some(Request {
            method: text(method),
            target: text(target),
            body: body.to_vec(),
            headers: headers
                .iter()
                .map(|field| pair(field))
                .map(|(name, value)| (text(name), value.to_vec()))
                .filter(|(name, _)| !HARNESS_HEADERS.iter().any(|own| own.eq_ignore_ascii_case(name.trim())))
                .collect(),
            tamper: taap_fuzz::integer(Some(tamper), 0),
        })
    }

    /// Placeholders other than `$POP` filled in.
    fn credentials_filled(&self, harness: &Harness) -> Vec<(String, Vec<u8>)> {
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{SECRET}"))
        );
        let bearer = format!("Bearer {}", harness.bearer);
        self.headers
            .iter()
            .map(|(name, value)| {
                let value = match value.as_slice() {
                    b"$BASIC" => basic.clone().into_bytes(),
                    b"$BEARER" => bearer.clone().into_bytes(),
                    _ => value.clone(),
                };
                (name.clone(), value)
            })
            .collect()
    }

    /// A fresh PoP token over every header but `X-Authorization` (first of each name), the
    /// uri, the method and the body; `None` when the signer refuses the request.
    fn pop(&self, headers: &[(String, Vec<u8>)]) -> Option<String> {
        let mut signed: Vec<(&str, &[u8])> = Vec::new();
        for (name, value) in headers {
            if !name.eq_ignore_ascii_case("x-authorization") && !signed.iter().any(|(seen, _)| seen == name) {
                signed.push((name, value));
            }
        }
        let mut ehts = Ehts::for_request(&self.method, &self.target, signed).ok()?;
        ehts.push(taap::request::BODY, &self.body).ok()?;
        PopToken::sign(signing_key(), &ehts, &taap::token::BuildOptions::default()).ok()
    }

    /// The request on the wire, and whether it carries an untampered PoP token from the harness.
    fn to_bytes(&self, harness: &Harness) -> Vec<u8> {
        self.wire(harness).0
    }

    fn wire(&self, harness: &Harness) -> (Vec<u8>, bool) {
        let mut headers = self.credentials_filled(harness);
        let pop = headers.iter().any(|(_, value)| value == b"$POP").then(|| self.pop(&headers)).flatten();
        for (_, value) in headers.iter_mut().filter(|(_, value)| value == b"$POP") {
            *value = pop.clone().unwrap_or_default().into_bytes();
        }
        let mut body = self.body.clone();
        let tampered = match self.tamper {
            1 => {
                body.push(b'!');
                true
            }
            2 => match headers.iter_mut().find(|(name, _)| !name.eq_ignore_ascii_case("x-authorization")) {
                Some((_, value)) => {
                    value.push(b'!');
                    true
                }
                None => false,
            },
            _ => false,
        };
        let mut wire =
            format!("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", self.method, self.target)
                .into_bytes();
        for (name, value) in &headers {
            wire.extend_from_slice(name.as_bytes());
            wire.extend_from_slice(b": ");
            wire.extend_from_slice(value);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        wire.extend_from_slice(&body);
        (wire, pop.is_some() && !tampered)
    }
}

/// Sends `wire` and reads the answer: `(status, body)`, status 0 when the server closed
/// without answering. With `half_close` the client then shuts its sending side, so that an
/// incomplete request ends at once instead of at the header deadline (the server drops it).
fn exchange(harness: &Harness, wire: &[u8], half_close: bool) -> (u16, Vec<u8>) {
    let address = harness.gateway.url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).expect("the gateway accepts connections");
    stream.set_read_timeout(Some(READ_DEADLINE)).unwrap();
    // A server that answers early (413, 400) may close before it reads everything.
    let _ = stream.write_all(wire);
    if half_close {
        let _ = stream.shutdown(Shutdown::Write);
    }
    let mut answer = Vec::new();
    if let Err(error) = stream.read_to_end(&mut answer) {
        assert!(
            !matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
            "no answer within {READ_DEADLINE:?}"
        );
    }
    let status = answer
        .strip_prefix(b"HTTP/1.1 ")
        .and_then(|rest| std::str::from_utf8(rest.get(..3)?).ok())
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map_or(Vec::new(), |at| answer[at + 4..].to_vec());
    (status, body)
}

fuzz_target!(|data: &[u8]| {
    let harness = harness();
    let fields = fields(data);
    match fields.first().copied() {
        Some(b"r") => {
            let raw = &data[2.min(data.len())..];
            // Revoking every access token would end the run's reach into the protected routes.
            if raw.windows(6).any(|window| window == b"/_taap") {
                return;
            }
            let (status, _) = exchange(harness, raw, true);
            assert!(status < 500, "HTTP {status} for raw bytes");
        }
        Some(b"s") => {
            let Some(request) = Request::parse(&fields[1..]) else { return };
            if request.target.contains("/_taap") {
                return;
            }
            let (wire, signed_as_sent) = request.wire(harness);
            let (status, body) = exchange(harness, &wire, false);
            assert!(status < 500, "HTTP {status}: {}", String::from_utf8_lossy(&body));
            if (200..300).contains(&status) {
                assert!(
                    signed_as_sent,
                    "accepted without an untampered PoP token: {}",
                    String::from_utf8_lossy(&wire)
                );
            }
        }
        _ => {}
    }
});
