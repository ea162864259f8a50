//! The `tracing` feature's spans: a client's token fetch, PoP signing and sends (blocking and
//! async, against a scripted server on 127.0.0.1) and a `PopGate` decision, collected by a
//! subscriber that keeps every span's name, parent and fields. The exact names and fields are
//! checked, and that no field holds the client id or secret, the access token, the PoP token,
//! its jti, a key's thumbprint or the URL's query.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use taap::client::{AsyncTaapClient, ClientConfig, OAuthServer, RetryPolicy};
use taap::request::UriForm;
use taap::settings::NameStyle;
use taap::validate::PopGate;
use taap::{PopToken, PrivateKey, TaapClient};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

const CLIENT_ID: &str = "my-client-id-7f3a";
const CLIENT_SECRET: &str = "my-client-secret-e91c";
const ACCESS_TOKEN: &str = "at-access-token-5d20";
const QUERY: &str = "apikey=query-secret-44b1";

/// One span as the subscriber saw it: name, the parent's name, every field recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    name: String,
    parent: Option<String>,
    fields: BTreeMap<String, String>,
}

/// Keeps every span, in the order they were opened.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<Seen>>>,
    /// The index in `spans` of each open span id (ids are reused after a span closes).
    open: Arc<Mutex<BTreeMap<u64, usize>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let parent = ctx.span(id).and_then(|span| span.parent()).map(|parent| parent.name().to_owned());
        let mut spans = self.spans.lock().unwrap();
        spans.push(Seen { name: attrs.metadata().name().to_owned(), parent, fields });
        self.open.lock().unwrap().insert(id.into_u64(), spans.len() - 1);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let index = self.open.lock().unwrap()[&id.into_u64()];
        values.record(&mut Fields(&mut self.spans.lock().unwrap()[index].fields));
    }
}

impl Capture {
    fn seen(&self) -> Vec<Seen> {
        self.spans.lock().unwrap().clone()
    }

    /// Runs `work` with this subscriber as the thread's default.
    fn around<T>(&self, work: impl FnOnce() -> T) -> T {
        let subscriber = tracing_subscriber::registry().with(self.clone());
        tracing::subscriber::with_default(subscriber, work)
    }
}

fn span(name: &str, parent: Option<&str>, fields: &[(&str, &str)]) -> Seen {
    Seen {
        name: name.to_owned(),
        parent: parent.map(str::to_owned),
        fields: fields.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect(),
    }
}

/// One request as received: method, target, headers (names lower case), body.
type Received = (String, String, Vec<(String, String)>, Vec<u8>);

/// Answers each connection with the next scripted response; returns the requests (the PoP
/// tokens sent are read from them).
struct Scripted {
    base: String,
    thread: JoinHandle<Vec<Received>>,
}

impl Scripted {
    fn new(responses: Vec<String>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let thread = std::thread::spawn(move || {
            responses
                .into_iter()
                .map(|response| {
                    let (mut stream, _) = listener.accept().unwrap();
                    let received = read_request(&mut stream);
                    stream.write_all(response.as_bytes()).unwrap();
                    received
                })
                .collect()
        });
        Scripted { base, thread }
    }
}

fn read_request(stream: &mut TcpStream) -> Received {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap().to_owned(), parts.next().unwrap().to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length =
        headers.iter().find(|(name, _)| name == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (method, target, headers, body)
}

fn answer(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn key() -> Arc<PrivateKey> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/tmobile/readme-private-pkcs8.pem");
    Arc::new(PrivateKey::from_file(path, None).unwrap())
}

fn config(base: &str) -> ClientConfig {
    let server = OAuthServer::Url(format!("{base}/oauth2/v6/tokens"));
    let mut config = ClientConfig::new(CLIENT_ID, CLIENT_SECRET, key(), server);
    config.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_secs(1),
    };
    config
}

/// A token, a 503 and a 200: one fetch, then a call sent twice.
fn script() -> Scripted {
    let token = format!(r#"{{"access_token":"{ACCESS_TOKEN}","expires_in":"3599","status":"success"}}"#);
    Scripted::new(vec![
        answer("200 OK", &token),
        answer("503 Service Unavailable", r#"{"message":"busy"}"#),
        answer("200 OK", r#"{"ok":true}"#),
    ])
}

/// The spans of one fetch and one call retried once: the same for both clients.
fn expected_client_spans() -> Vec<Seen> {
    let sign = |parent| span("taap.client.sign", parent, &[("signer", "in-memory"), ("outcome", "ok")]);
    let send = |parent, method, path, attempt, status| {
        span(
            "taap.client.send",
            parent,
            &[
                ("method", method),
                ("host", "127.0.0.1"),
                ("path", path),
                ("attempt", attempt),
                ("status", status),
            ],
        )
    };
    let fetch = Some("taap.client.token_fetch");
    vec![
        span(
            "taap.client.token_fetch",
            None,
            &[("token_host", "127.0.0.1"), ("flavor", "v6"), ("outcome", "ok"), ("http_status", "200")],
        ),
        sign(fetch),
        send(fetch, "POST", "/oauth2/v6/tokens", "1", "200"),
        sign(None),
        send(None, "GET", "/things/1", "1", "503"),
        sign(None),
        send(None, "GET", "/things/1", "2", "200"),
    ]
}

/// No field anywhere holds a credential, the query, the PoP tokens sent or their jtis.
fn assert_no_secret(seen: &[Seen], pop_tokens: &[String]) {
    let mut forbidden: Vec<String> = [CLIENT_ID, CLIENT_SECRET, ACCESS_TOKEN, QUERY, "query-secret"]
        .iter()
        .map(|text| (*text).to_owned())
        .collect();
    forbidden.push(key().public_key().thumbprint());
    for token in pop_tokens {
        let decoded = PopToken::decode(token).unwrap();
        forbidden.push(decoded.claims().jti.clone());
        forbidden.push(token.clone());
        forbidden.extend(token.split('.').map(str::to_owned));
    }
    for seen in seen {
        for (name, value) in &seen.fields {
            for secret in &forbidden {
                assert!(
                    !value.contains(secret.as_str()),
                    "{}.{name} = {value:?} holds {secret:?}",
                    seen.name
                );
            }
        }
    }
}

fn pop_tokens(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .flat_map(|(_, _, headers, _)| headers.iter().filter(|(name, _)| name == "x-authorization"))
        .map(|(_, value)| value.clone())
        .collect()
}

#[test]
fn the_blocking_client_traces_fetch_sign_and_each_send_without_a_secret() {
    let server = script();
    let capture = Capture::default();
    let url = format!("{}/things/1?{QUERY}", server.base);
    let response = capture.around(|| {
        let client = TaapClient::new(config(&server.base)).unwrap();
        client.send("GET", &url, [("Accept", "application/json")], b"").unwrap()
    });
    assert_eq!(response.status, 200);
    let seen = capture.seen();
    assert_eq!(seen, expected_client_spans());
    let received = server.thread.join().unwrap();
    let tokens = pop_tokens(&received);
    assert_eq!(tokens.len(), 3);
    assert_no_secret(&seen, &tokens);
}

#[test]
fn the_async_client_traces_the_same_spans() {
    let server = script();
    let capture = Capture::default();
    let url = format!("{}/things/1?{QUERY}", server.base);
    let response = capture.around(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let client = AsyncTaapClient::new(config(&server.base)).unwrap();
            client.send("GET", &url, [("Accept", "application/json")], b"").await.unwrap()
        })
    });
    assert_eq!(response.status, 200);
    // hyper's own spans (none without its tracing feature) are not taap's: only ours are compared.
    let seen: Vec<Seen> = capture.seen().into_iter().filter(|seen| seen.name.starts_with("taap.")).collect();
    assert_eq!(seen, expected_client_spans());
    let received = server.thread.join().unwrap();
    assert_no_secret(&seen, &pop_tokens(&received));
}

#[test]
fn a_token_error_is_traced_by_its_kind_and_status_only() {
    let server = Scripted::new(vec![answer("401 Unauthorized", r#"{"error":"invalid_client"}"#)]);
    let capture = Capture::default();
    let error = capture.around(|| TaapClient::new(config(&server.base)).unwrap().access_token().unwrap_err());
    assert_eq!(error.kind(), taap::ErrorKind::OAuth);
    let seen = capture.seen();
    assert_eq!(seen[0].fields["outcome"], "OAuth");
    assert_eq!(seen[0].fields["http_status"], "401");
    assert_eq!(seen[2].fields["status"], "401");
    assert_no_secret(&seen, &pop_tokens(&server.thread.join().unwrap()));
}

#[test]
fn a_gate_decision_is_one_validate_span_with_its_outcome_and_kind() {
    let key = key();
    let target = format!("/items/42?{QUERY}");
    let pop = PopToken::build(&*key, [("uri", target.as_str()), ("http-method", "GET")]).unwrap();
    let token = pop.as_str().to_owned();
    let gate = PopGate::new(&serde_json::Map::new(), NameStyle::Snake).unwrap();
    let capture = Capture::default();
    let answers = capture.around(|| {
        let check = || {
            let headers = [("x-authorization", token.as_bytes())];
            gate.check(key.public_key(), "GET", &target, headers, b"", UriForm::Decoded)
        };
        let (accepted, replayed) = (check(), check());
        let big = vec![b'x'; gate.max_body() as usize + 1];
        [accepted, replayed, gate.check(key.public_key(), "GET", &target, [], &big, UriForm::Decoded)]
    });
    assert!(answers[0].is_none(), "{:?}", answers[0]);
    assert_eq!(answers[1].as_ref().map(|answer| answer.status), Some(401));
    assert_eq!(answers[2].as_ref().map(|answer| answer.status), Some(413));
    let seen = capture.seen();
    assert_eq!(
        seen,
        [
            span("taap.validate", None, &[("outcome", "accepted")]),
            span(
                "taap.validate",
                None,
                &[("outcome", "refused"), ("error_kind", "Replay"), ("status", "401")]
            ),
            span(
                "taap.validate",
                None,
                &[("outcome", "refused"), ("error_kind", "BodyTooLarge"), ("status", "413")]
            ),
        ]
    );
    assert_no_secret(&seen, &[token]);
}
