//! `taap serve --metrics`: a mixed workload (tokens issued and refused, accepted calls, each
//! refusal kind a client can cause, a replay store that is down) gives exact values on the
//! metrics listener, read with `prometheus-parse`, a Prometheus text parser independent of the
//! crate that writes them; no access token, PoP token, `jti`, client id or secret is in them.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use prometheus_parse::{Scrape, Value};
use taap::{token::BuildOptions, PopToken, PrivateKey};

const CLIENT_ID: &str = "metrics-client-4d1";
const SECRET: &str = "metrics-secret-8c0e";
const SECRET_VAR: &str = "TAAP_TEST_METRICS_SECRET";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";
const OTHER_DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000027";
const ORDERS: &str = "/commerce/v1/orders";
const ORDER: &[u8] = br#"{"product": "Mobile Phone", "quantity": 2}"#;

fn keys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap())
}

/// `taap serve --metrics 0` as a child process; killed when dropped.
struct Served {
    child: Child,
    url: String,
    metrics: String,
}

impl Served {
    fn start(extra: &[&str]) -> Served {
        let public_key = keys_dir().join("readme-public.pem");
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .arg("--public-key")
            .arg(&public_key)
            .args(["--metrics", "0"])
            .args(extra)
            .env(SECRET_VAR, SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("stdout: {first:?}"));
        let mut line = String::new();
        BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
        let metrics = line.trim().strip_prefix("metrics on ").unwrap_or_else(|| panic!("stderr: {line:?}"));
        assert!(metrics.starts_with("http://127.0.0.1:") && metrics.ends_with("/metrics"), "{metrics}");
        assert_ne!(metrics, format!("{url}/metrics"), "the metrics have a listener of their own");
        Served { child, url: url.to_owned(), metrics: metrics.to_owned() }
    }

    /// An access token from the v2 endpoint, or the status it was refused with.
    fn access_token(&self, secret: &str) -> Result<String, u16> {
        let url = format!("{}/oauth2/v2/tokens", self.url);
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{secret}"));
        let headers =
            [("Content-Type", "application/json".to_owned()), ("Authorization", format!("Basic {basic}"))];
        let pop =
            PopToken::for_request(key(), "POST", &url, headers.iter().map(|(n, v)| (*n, v.as_str())), b"")
                .unwrap();
        let mut request = agent().post(&url).header("X-Authorization", &pop);
        for (name, value) in &headers {
            request = request.header(*name, value);
        }
        let mut response = request.send(&[][..]).unwrap();
        if response.status() != 200 {
            return Err(response.status().as_u16());
        }
        let answer: serde_json::Value =
            serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        Ok(answer["access_token"].as_str().unwrap().to_owned())
    }

    /// Sends `GET` or `POST` `path` with `headers` and `body`, `pop` in `X-Authorization`; the
    /// status.
    fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        pop: Option<&str>,
        body: &[u8],
    ) -> u16 {
        let url = format!("{}{path}", self.url);
        let mut all = headers.to_vec();
        all.extend(pop.map(|pop| ("X-Authorization", pop)));
        let response = if method == "GET" {
            all.iter().fold(agent().get(&url), |request, (name, value)| request.header(*name, *value)).call()
        } else {
            all.iter()
                .fold(agent().post(&url), |request, (name, value)| request.header(*name, *value))
                .send(body)
        };
        response.unwrap().status().as_u16()
    }

    /// The status line answering an order declared one byte over the gateway's 1 MiB, sent
    /// raw: the gateway answers at once, and an HTTP client still writing the body would see
    /// the connection closed under it.
    fn oversized_order(&self, bearer: &str) -> String {
        let address = self.url.strip_prefix("http://").unwrap();
        let mut stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let length = 1024 * 1024 + 1;
        let head = format!(
            "POST {ORDERS} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Authorization: {bearer}\r\nX-Authorization: a.b.c\r\nContent-Length: {length}\r\n\
             Connection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let mut status = String::new();
        BufReader::new(stream).read_line(&mut status).unwrap();
        status.trim_end().to_owned()
    }

    /// The metrics text and its parse.
    fn scrape(&self) -> (Scrape, String) {
        let mut response = agent().get(&self.metrics).call().unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
        let text = response.body_mut().read_to_string().unwrap();
        let scrape = Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).unwrap();
        (scrape, text)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().new_agent()
}

/// Every series of `metric`: its labels (`name=value`, sorted) and value; a histogram's value
/// is its `+Inf` bucket, i.e. its count.
fn series(scrape: &Scrape, metric: &str) -> BTreeMap<String, f64> {
    scrape
        .samples
        .iter()
        .filter(|sample| sample.metric == metric)
        .map(|sample| {
            let labels: BTreeMap<_, _> = sample.labels.iter().collect();
            let labels = labels.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>();
            let value = match &sample.value {
                Value::Counter(value) | Value::Gauge(value) | Value::Untyped(value) => *value,
                Value::Histogram(buckets) => {
                    buckets.iter().find(|b| b.less_than.is_infinite()).unwrap().count
                }
                Value::Summary(_) => panic!("{metric} is not a summary"),
            };
            (labels.join(","), value)
        })
        .collect()
}

fn expected(entries: &[(&str, f64)]) -> BTreeMap<String, f64> {
    entries.iter().map(|(labels, value)| ((*labels).to_owned(), *value)).collect()
}

/// A signed call's headers and PoP token: `Authorization` and `extra` headers, uri, method, body.
fn signed<'a>(
    bearer: &'a str,
    method: &str,
    path: &str,
    extra: &[(&'a str, &'a str)],
    body: &[u8],
    options: &BuildOptions,
) -> (Vec<(&'a str, &'a str)>, String) {
    let mut headers = vec![("Authorization", bearer)];
    headers.extend_from_slice(extra);
    let url = format!("http://127.0.0.1{path}");
    let pop =
        PopToken::for_request_with(key(), method, &url, headers.iter().copied(), body, options).unwrap();
    (headers, pop)
}

#[test]
fn a_mixed_workload_gives_exact_counts_on_the_metrics_listener() {
    let served = Served::start(&["--replay-store", "memory"]);
    assert_eq!(served.access_token("not-the-secret"), Err(401));
    let access = served.access_token(SECRET).unwrap();
    let bearer = format!("Bearer {access}");
    let now = BuildOptions::default();
    let mut pops = Vec::new();

    // Accepted: three reads and an order.
    for _ in 0..3 {
        let (headers, pop) = signed(&bearer, "GET", DEVICE, &[], b"", &now);
        assert_eq!(served.call("GET", DEVICE, &headers, Some(&pop), b""), 200);
        pops.push(pop);
    }
    let json = [("Content-Type", "application/json")];
    let (headers, pop) = signed(&bearer, "POST", ORDERS, &json, ORDER, &now);
    assert_eq!(served.call("POST", ORDERS, &headers, Some(&pop), ORDER), 201);
    pops.push(pop);

    // Refused: a replay, no token, a malformed one, a stranger's, another device's, an old one.
    let (headers, _) = signed(&bearer, "GET", DEVICE, &[], b"", &now);
    assert_eq!(served.call("GET", DEVICE, &headers, Some(&pops[0]), b""), 401);
    assert_eq!(served.call("GET", DEVICE, &headers, None, b""), 401);
    assert_eq!(served.call("GET", DEVICE, &headers, Some("not.a.token"), b""), 401);
    let stranger = PrivateKey::generate(2048).unwrap();
    let url = format!("http://127.0.0.1{DEVICE}");
    let foreign = PopToken::for_request(&stranger, "GET", &url, headers.iter().copied(), b"").unwrap();
    assert_eq!(served.call("GET", DEVICE, &headers, Some(&foreign), b""), 401);
    let (_, elsewhere) = signed(&bearer, "GET", OTHER_DEVICE, &[], b"", &now);
    assert_eq!(served.call("GET", DEVICE, &headers, Some(&elsewhere), b""), 401);
    let hour_ago = BuildOptions::default().issued_at(taap::now_unix() - 3600);
    let (_, stale) = signed(&bearer, "GET", DEVICE, &[], b"", &hour_ago);
    assert_eq!(served.call("GET", DEVICE, &headers, Some(&stale), b""), 401);
    // No access token: the layer's Bearer check refuses before the PoP token is looked at.
    let url = format!("http://127.0.0.1{DEVICE}");
    let unbound = PopToken::for_request(key(), "GET", &url, [("Accept", "*/*")], b"").unwrap();
    assert_eq!(served.call("GET", DEVICE, &[("Accept", "*/*")], Some(&unbound), b""), 401);
    // Over the gateway's 1 MiB limit: refused by the gateway in front of the layer, which
    // never sees the request, so it is not among the layer's decisions.
    assert_eq!(served.oversized_order(&bearer), "HTTP/1.1 413 Payload Too Large");

    let (scrape, text) = served.scrape();
    assert_eq!(
        series(&scrape, "taap_pop_decisions_total"),
        expected(&[
            ("kind=,outcome=accepted", 4.0),
            ("kind=AccessToken,outcome=refused", 1.0),
            ("kind=EdtsMismatch,outcome=refused", 1.0),
            ("kind=InvalidToken,outcome=refused", 2.0),
            ("kind=Replay,outcome=refused", 1.0),
            ("kind=SignatureInvalid,outcome=refused", 1.0),
            ("kind=TokenExpired,outcome=refused", 1.0),
        ])
    );
    assert_eq!(series(&scrape, "taap_pop_validation_seconds"), expected(&[("", 11.0)]));
    assert_eq!(series(&scrape, "taap_pop_validation_seconds_count"), expected(&[("", 11.0)]));
    assert_eq!(series(&scrape, "taap_pop_body_bytes_total"), expected(&[("", ORDER.len() as f64)]));
    // Four tokens admitted and one replay refused by the memory store, all in time.
    assert_eq!(series(&scrape, "taap_replay_store_seconds"), expected(&[("store=memory", 5.0)]));
    assert_eq!(series(&scrape, "taap_replay_store_up"), expected(&[("store=memory", 1.0)]));
    assert_eq!(series(&scrape, "taap_replay_store_errors_total"), BTreeMap::new());
    assert_eq!(
        series(&scrape, "taap_token_requests_total"),
        expected(&[("outcome=issued", 1.0), ("outcome=refused", 1.0)])
    );

    for secret in [access.as_str(), CLIENT_ID, SECRET, "not-the-secret"]
        .into_iter()
        .chain(pops.iter().map(String::as_str))
    {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }
    for pop in &pops {
        let jti = PopToken::decode(pop).unwrap().claims().jti.clone();
        assert!(!text.contains(&jti), "a jti in the metrics");
    }
}

#[test]
fn a_replay_store_that_is_down_is_counted() {
    // A port nothing listens on: Redis is unreachable from the first request.
    let closed = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
    let redis = format!("redis://127.0.0.1:{closed}/0");
    let served = Served::start(&["--replay-store", &redis]);
    let access = served.access_token(SECRET).unwrap();
    let bearer = format!("Bearer {access}");
    for _ in 0..2 {
        let (headers, pop) = signed(&bearer, "GET", DEVICE, &[], b"", &BuildOptions::default());
        assert_eq!(served.call("GET", DEVICE, &headers, Some(&pop), b""), 503);
    }

    let (scrape, _) = served.scrape();
    assert_eq!(
        series(&scrape, "taap_pop_decisions_total"),
        expected(&[("kind=,outcome=accepted", 0.0), ("kind=ReplayStoreUnavailable,outcome=refused", 2.0)])
    );
    assert_eq!(series(&scrape, "taap_replay_store_errors_total"), expected(&[("store=redis", 2.0)]));
    assert_eq!(series(&scrape, "taap_replay_store_up"), expected(&[("store=redis", 0.0)]));
    assert_eq!(series(&scrape, "taap_replay_store_seconds_count"), expected(&[("store=redis", 2.0)]));
    assert_eq!(
        series(&scrape, "taap_token_requests_total"),
        expected(&[("outcome=issued", 1.0), ("outcome=refused", 0.0)])
    );
}

#[test]
fn the_metrics_listener_serves_only_metrics_and_the_api_port_none() {
    let served = Served::start(&[]);
    let base = served.metrics.trim_end_matches("/metrics");
    assert_eq!(agent().get(format!("{base}{DEVICE}")).call().unwrap().status(), 404);
    assert_eq!(agent().get(format!("{}/metrics", served.url)).call().unwrap().status(), 404);
    let (scrape, _) = served.scrape();
    assert_eq!(series(&scrape, "taap_pop_decisions_total"), expected(&[("kind=,outcome=accepted", 0.0)]));
}

#[test]
fn a_metrics_address_that_is_not_one_is_refused() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_taap")).args(["serve", "--metrics", "localhost"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("\"localhost\" is not PORT or IP:PORT (e.g. 127.0.0.1:9464)"), "{stderr}");
}
