//! `taap proxy --metrics 0`: a known mix of requests (forwarded 200s, a 401 the proxy retries
//! once with a new token, a body over the limit, token refusals, an upstream that is down)
//! gives exact values on the metrics listener, read with `prometheus-parse`; nothing in the
//! text grants access (no secret, access token or client id).

mod proxy_support;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use prometheus_parse::{Scrape, Value};
use proxy_support::{curl, Gateway, Proxy, CLIENT_ID, SECRET};
use serde_json::json;

const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";
const OTHER_DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000027";
const OTHER_SECRET: &str = "not-the-proxy-secret-41c7";

/// `taap serve` knowing the proxy's client id under another secret: it refuses the proxy's
/// token requests (401 `invalid_client`). Killed when dropped.
struct Refusing {
    child: Child,
    url: String,
}

impl Refusing {
    fn start() -> Refusing {
        let variable = "TAAP_PROXY_METRICS_OTHER_SECRET";
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", variable])
            .arg("--public-key")
            .arg(proxy_support::keys().join("readme-public.pem"))
            .env(variable, OTHER_SECRET)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first)
            .unwrap();
        let url =
            first.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{first:?}")).to_owned();
        Refusing { child, url }
    }
}

impl Drop for Refusing {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The metrics URL the proxy announced on stderr after its listening line.
fn metrics_url(proxy: &Proxy) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = proxy.log();
        if let Some(line) = log.lines().find_map(|line| line.strip_prefix("taap proxy: metrics on ")) {
            return line.to_owned();
        }
        assert!(Instant::now() < deadline, "no metrics line: {log}");
        std::thread::sleep(Duration::from_millis(20));
    }
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

#[test]
fn the_proxy_counts_its_answers_the_upstream_time_and_the_clients_tokens() {
    // `gateway`: the default token server and the upstream. `foreign`: a token server whose
    // access tokens the upstream does not accept (401). `refusing`: refuses the credentials.
    let (gateway, foreign, refusing) = (Gateway::start(), Gateway::start(), Refusing::start());
    let foreign_route = format!("{OTHER_DEVICE}={}", foreign.token_url());
    let refused_route = format!("/refused/={}/oauth2/v2/tokens", refusing.url);
    let args = ["--metrics", "0", "--max-body", "100", "--route", &foreign_route, "--route", &refused_route];
    let proxy = Proxy::start(&gateway, &args);
    let metrics = metrics_url(&proxy);
    assert!(metrics.starts_with("http://127.0.0.1:") && metrics.ends_with("/metrics"), "{metrics}");
    assert_ne!(metrics, format!("{}/metrics", proxy.url), "the metrics have a listener of their own");

    // Before any request: the forwarded 2xx series and the client counters, all 0.
    let before = curl(&[&metrics]);
    assert_eq!(before.status, 200, "{before:?}");
    assert_eq!(before.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    let scrape = Scrape::parse(before.body.lines().map(|line| Ok(line.to_owned()))).unwrap();
    assert_eq!(
        series(&scrape, "taap_proxy_requests_total"),
        expected(&[("outcome=forwarded,status_class=2xx", 0.0)])
    );
    assert_eq!(
        series(&scrape, "taap_client_token_requests_total"),
        expected(&[("outcome=failed", 0.0), ("outcome=issued", 0.0), ("outcome=refused", 0.0)])
    );

    let device = format!("{}{DEVICE}", proxy.url);
    for _ in 0..3 {
        let got = curl(&[&device]);
        assert_eq!((got.status, got.json()["iccid"].clone()), (200, json!("8901260000000000019")), "{got:?}");
    }
    let over = curl(&["-X", "POST", &format!("{}/echo", proxy.url), "-d", &"x".repeat(101)]);
    assert_eq!((over.status, over.header("x-taap-proxy-error")), (413, Some("body_too_large")), "{over:?}");
    for _ in 0..2 {
        let refused = curl(&[&format!("{}/refused/x", proxy.url)]);
        assert_eq!(
            (refused.status, refused.header("x-taap-proxy-error")),
            (401, Some("token_refused")),
            "{refused:?}"
        );
    }
    // The upstream refuses the foreign token; the proxy gets a new one and tries once more.
    let foreign_answer = curl(&[&format!("{}{OTHER_DEVICE}", proxy.url)]);
    assert_eq!((foreign_answer.status, foreign_answer.header("x-taap-proxy-error")), (401, None));
    // The upstream goes down; the default client's token is still cached.
    let token_requests = curl(&[&format!("{}/_taap/stats", gateway.url)]).json()["token_requests"].clone();
    assert_eq!(token_requests, json!(1), "the default client asked for one token");
    drop(gateway);
    let down = curl(&[&device]);
    assert_eq!((down.status, down.header("x-taap-proxy-error")), (502, Some("upstream_unreachable")));

    let answer = curl(&[&metrics]);
    assert_eq!(answer.status, 200);
    let text = answer.body;
    let scrape = Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).unwrap();
    assert_eq!(
        series(&scrape, "taap_proxy_requests_total"),
        expected(&[
            ("outcome=body_too_large,status_class=4xx", 1.0),
            ("outcome=forwarded,status_class=2xx", 3.0),
            ("outcome=forwarded,status_class=4xx", 1.0),
            ("outcome=token_refused,status_class=4xx", 2.0),
            ("outcome=upstream_unreachable,status_class=5xx", 1.0),
        ])
    );
    // Three 200s and the two 401s of the retried call got an answer head; the refused
    // connection did not.
    assert_eq!(series(&scrape, "taap_proxy_upstream_seconds"), expected(&[("", 5.0)]));
    assert_eq!(series(&scrape, "taap_proxy_upstream_seconds_count"), expected(&[("", 5.0)]));
    let sum = series(&scrape, "taap_proxy_upstream_seconds_sum")[""];
    assert!(sum > 0.0 && sum < 60.0, "{sum}");
    // One token for the default client, two for the foreign route (before and after the 401),
    // two refusals (a refusal is not cached).
    assert_eq!(
        series(&scrape, "taap_client_token_requests_total"),
        expected(&[("outcome=failed", 0.0), ("outcome=issued", 3.0), ("outcome=refused", 2.0)])
    );
    assert_eq!(
        series(&scrape, "taap_client_token_refreshes_total"),
        expected(&[("reason=expiry", 0.0), ("reason=requested", 0.0), ("reason=unauthorized", 1.0)])
    );
    assert_eq!(
        series(&scrape, "taap_client_token_store_total"),
        expected(&[("result=hit", 0.0), ("result=lock_wait", 0.0), ("result=miss", 0.0)])
    );
    let names: std::collections::BTreeSet<&str> = scrape.samples.iter().map(|s| s.metric.as_str()).collect();
    for name in names {
        assert!(name.starts_with("taap_proxy_") || name.starts_with("taap_client_token_"), "{name}");
    }

    // Nothing that grants access, nor the client id, nor a path.
    for secret in [SECRET, OTHER_SECRET, CLIENT_ID, "eyJ", "Bearer", "8901260000000000019", "/refused"] {
        assert!(!text.contains(secret), "the metrics hold {secret:?}:\n{text}");
    }

    // Only /metrics, only GET and HEAD.
    assert_eq!(curl(&[&metrics.replace("/metrics", "/other")]).status, 404);
    let posted = curl(&["-X", "POST", &metrics]);
    assert_eq!((posted.status, posted.header("allow")), (405, Some("GET, HEAD")));
}

#[test]
fn without_metrics_there_is_no_metrics_line_and_a_bad_address_is_refused() {
    let gateway = Gateway::start();
    let mut proxy = Proxy::start(&gateway, &[]);
    assert_eq!(proxy.terminate().code(), Some(0));
    assert!(!proxy.log().contains("metrics on"), "{}", proxy.log());
    let bad =
        Proxy::command(&gateway, &["--metrics", "nowhere"], &[]).stderr(Stdio::piped()).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not PORT or IP:PORT"), "{bad:?}");
}
