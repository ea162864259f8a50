//! `taap proxy` end to end: `taap serve` as token server and TAAP API, an independent Python
//! upstream over TLS (its own CA) that checks every PoP token with PyJWT, and the proxy driven
//! by curl, Python `requests` and Node `fetch`.

mod proxy_support;

use std::io::Read;
use std::net::TcpListener;
use std::process::Stdio;

use proxy_support::{
    curl, download_pattern, node_fetch, python_requests, require, Gateway, Proxy, Upstream, NODE_FETCH,
    PY_REQUEST, SECRET,
};
use serde_json::{json, Value};

const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";
const ORDER: &str = r#"{"orderId": 100, "product": "Mobile Phone"}"#;
const QUERY: &str = "hello wörld ✓ a+b";

/// A proxy in front of the Python upstream, trusting its CA.
fn proxy_to(upstream: &Upstream, gateway: &Gateway, extra: &[&str]) -> Proxy {
    let ca = upstream.ca.to_str().unwrap();
    let mut args = vec!["--upstream", upstream.url.as_str(), "--ca-file", ca];
    args.extend(extra);
    Proxy::start(gateway, &args)
}

#[test]
fn get_and_post_json_reach_taap_serve_from_curl_requests_and_fetch() {
    let gateway = Gateway::start();
    let proxy = Proxy::start(&gateway, &[]);
    let device = format!("{}{DEVICE}", proxy.url);
    let orders = format!("{}/commerce/v1/orders", proxy.url);

    let got = curl(&[&device]);
    assert_eq!((got.status, got.json()["iccid"].clone()), (200, json!("8901260000000000019")), "{got:?}");
    let posted = curl(&["-X", "POST", &orders, "-H", "Content-Type: application/json", "-d", ORDER]);
    assert_eq!(posted.status, 201, "{posted:?}");
    assert_eq!(posted.json()["order"], serde_json::from_str::<Value>(ORDER).unwrap());

    let got = python_requests(PY_REQUEST, &["GET", &device]);
    assert_eq!((got.status, got.json()["status"].clone()), (200, json!("ACTIVATED")), "{got:?}");
    let posted = python_requests(PY_REQUEST, &["POST", &orders, ORDER]);
    assert_eq!((posted.status, posted.json()["order"]["orderId"].clone()), (201, json!(100)), "{posted:?}");

    let got = node_fetch(NODE_FETCH, &["GET", &device]);
    assert_eq!((got.status, got.json()["msisdn"].clone()), (200, json!("15550000019")), "{got:?}");
    let posted = node_fetch(NODE_FETCH, &["POST", &orders, ORDER]);
    assert_eq!(
        (posted.status, posted.json()["order"]["product"].clone()),
        (201, json!("Mobile Phone")),
        "{posted:?}"
    );
}

#[test]
fn the_independent_upstream_accepts_every_pop_over_tls_with_a_query_of_spaces_and_unicode() {
    let (gateway, upstream) = (Gateway::start(), Upstream::start());
    let proxy = proxy_to(&upstream, &gateway, &[]);
    let echo = format!("{}/echo/items", proxy.url);

    let by_curl = curl(&["-G", &echo, "--data-urlencode", &format!("q={QUERY}")]);
    let by_requests = python_requests(PY_REQUEST, &["GET", &echo, "", &json!({"q": QUERY}).to_string()]);
    let encoded = "q=hello%20w%C3%B6rld%20%E2%9C%93%20a%2Bb";
    let by_fetch = node_fetch(NODE_FETCH, &["GET", &format!("{echo}?{encoded}")]);
    for answer in [by_curl, by_requests, by_fetch] {
        assert_eq!(answer.status, 200, "{answer:?}");
        let echoed = answer.json();
        assert_eq!(echoed["query"]["q"], json!(QUERY), "{echoed}");
        assert_eq!(echoed["ehts"], json!("Content-Type;Authorization;uri;http-method;body"));
    }

    for answer in [
        curl(&["-X", "POST", &echo, "-H", "Content-Type: application/json", "-d", ORDER]),
        python_requests(PY_REQUEST, &["POST", &echo, ORDER]),
        node_fetch(NODE_FETCH, &["POST", &echo, ORDER]),
    ] {
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(
            (answer.json()["method"].clone(), answer.json()["body"].clone()),
            (json!("POST"), json!(ORDER))
        );
    }
}

#[test]
fn incoming_authorization_and_x_authorization_are_replaced() {
    let (gateway, upstream) = (Gateway::start(), Upstream::start());
    let proxy = proxy_to(&upstream, &gateway, &[]);
    let answer = curl(&[
        &format!("{}/echo", proxy.url),
        "-H",
        "Authorization: Bearer client-supplied",
        "-H",
        "X-Authorization: forged-pop",
    ]);
    assert_eq!(answer.status, 200, "{answer:?}");
    let headers = answer.json()["headers"].as_array().unwrap().clone();
    let named = |name: &str| -> Vec<String> {
        headers
            .iter()
            .filter(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
            .map(|h| h[1].as_str().unwrap().to_owned())
            .collect()
    };
    let (authorization, pop) = (named("Authorization"), named("X-Authorization"));
    assert_eq!((authorization.len(), pop.len()), (1, 1), "{headers:?}");
    assert!(authorization[0].starts_with("Bearer ey"), "{authorization:?}");
    assert!(pop[0].starts_with("eyJ"), "{pop:?}");
    let all = serde_json::to_string(&headers).unwrap();
    assert!(!all.contains("client-supplied") && !all.contains("forged-pop"), "{all}");
}

#[test]
fn what_the_proxy_sends_is_what_taap_call_would_send() {
    let (gateway, upstream) = (Gateway::start(), Upstream::start());
    let proxy = proxy_to(&upstream, &gateway, &[]);
    let path = "/echo/orders?account-number=0000000000";
    let headers = ["Accept: application/json", "X-Partner-Id: P-1"];
    // No User-Agent, Content-Type or Accept from curl: only what `taap call` is given.
    let mut args = vec!["-X", "POST", "-H", "User-Agent:", "-H", "Content-Type:"];
    for header in headers {
        args.extend(["-H", header]);
    }
    let url = format!("{}{path}", proxy.url);
    args.extend(["-d", ORDER, url.as_str()]);
    let answer = curl(&args);
    assert_eq!(answer.status, 200, "{answer:?}");
    let received: Vec<(String, String)> = answer.json()["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h[0].as_str().unwrap().to_owned(), h[1].as_str().unwrap().to_owned()))
        // Framing, which the dry run does not show.
        .filter(|(name, _)| name != "Host" && name != "Content-Length")
        .map(|(name, value)| {
            let masked = match name.as_str() {
                "Authorization" => "Bearer ****".to_owned(),
                "X-Authorization" => "****".to_owned(),
                _ => value,
            };
            (name, masked)
        })
        .collect();

    let mut call = std::process::Command::new(env!("CARGO_BIN_EXE_taap"));
    call.args(["call", "--dry-run", "POST", &format!("{}{path}", upstream.url)]);
    for header in headers {
        call.args(["-H", header]);
    }
    let output = call
        .args([
            "-d",
            ORDER,
            "--client-id",
            proxy_support::CLIENT_ID,
            "--client-secret-env",
            proxy_support::SECRET_VAR,
        ])
        .arg("--key")
        .arg(proxy_support::keys().join("readme-private-pkcs8.pem"))
        .args(["--server", &gateway.token_url()])
        .env(proxy_support::SECRET_VAR, SECRET)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8(output.stdout).unwrap();
    // The dry run prints the token request, then the API call: its request line, headers, body.
    let call_part = printed.split(&format!("POST {}{path}\n", upstream.url)).nth(1).unwrap();
    let (head, body) = call_part.split_once("\n\n").unwrap();
    let would_send: Vec<(String, String)> = head
        .lines()
        .map(|line| line.split_once(": ").unwrap())
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    assert_eq!(received, would_send);
    assert_eq!(body.trim_end(), answer.json()["body"].as_str().unwrap());
}

#[test]
fn a_2_mib_download_is_streamed_to_every_client_unchanged() {
    let (gateway, upstream) = (Gateway::start(), Upstream::start());
    let proxy = proxy_to(&upstream, &gateway, &[]);
    let size = 2 * 1024 * 1024;
    let url = format!("{}/download?bytes={size}", proxy.url);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("download.bin");
    let head = curl(&["-I", "-X", "GET", &url]);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("transfer-encoding"), Some("chunked"), "{head:?}");
    assert_eq!(head.header("content-length"), None);
    assert_eq!(proxy_support::curl_to_file(&[&url], &file), "200");
    assert!(std::fs::read(&file).unwrap() == download_pattern(size), "curl's download differs");

    let by_requests = python_requests(
        r#"
import hashlib, json, sys, requests
r = requests.get(sys.argv[1], stream=True, timeout=60)
digest, n = hashlib.sha256(), 0
for chunk in r.iter_content(65536):
    digest.update(chunk); n += len(chunk)
ok = digest.hexdigest() == r.headers["X-Content-Sha256"]
print(json.dumps({"status": r.status_code, "body": json.dumps({"bytes": n, "sha256_matches": ok})}))
"#,
        &[&url],
    );
    let by_fetch = node_fetch(
        r#"
const crypto = require('node:crypto');
fetch(process.argv[1]).then(async (r) => {
  const digest = crypto.createHash('sha256'); let n = 0;
  for await (const chunk of r.body) { digest.update(chunk); n += chunk.length; }
  const ok = digest.digest('hex') === r.headers.get('x-content-sha256');
  console.log(JSON.stringify({ status: r.status, body: JSON.stringify({ bytes: n, sha256_matches: ok }) }));
});
"#,
        &[&url],
    );
    for answer in [by_requests, by_fetch] {
        assert_eq!((answer.status, answer.json()), (200, json!({"bytes": size, "sha256_matches": true})));
    }
}

#[test]
fn the_answer_starts_before_the_upstream_has_finished_it() {
    let (gateway, upstream) = (Gateway::start(), Upstream::start());
    let proxy = proxy_to(&upstream, &gateway, &[]);
    let size = 256 * 1024;
    // /gated holds all but its first 64 KiB until released: a proxy that buffered the answer
    // would send nothing before the release.
    let response = ureq::get(&format!("{}/gated?bytes={size}", proxy.url)).call().unwrap();
    let mut reader = response.into_body().into_reader();
    let mut first = vec![0; 64 * 1024];
    reader.read_exact(&mut first).unwrap();
    upstream.release();
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    first.extend(rest);
    assert!(first == download_pattern(size), "the gated download differs");
}

#[test]
fn a_body_over_the_limit_is_413_and_never_reaches_the_upstream() {
    let (gateway, upstream) = (Gateway::start(), Upstream::start());
    let small = proxy_to(&upstream, &gateway, &["--max-body", "100"]);
    let echo = format!("{}/echo", small.url);
    let exactly = "x".repeat(100);
    assert_eq!(curl(&["-X", "POST", &echo, "-d", &exactly]).status, 200);
    assert_eq!(upstream.next_request()["method"], json!("POST"));
    let over = curl(&["-X", "POST", &echo, "-d", &"x".repeat(101)]);
    assert_eq!((over.status, over.json()["error"].clone()), (413, json!("body_too_large")), "{over:?}");
    assert_eq!(over.header("x-taap-proxy-error"), Some("body_too_large"));
    // Without a Content-Length the limit holds as the body arrives.
    let chunked = curl(&["-X", "POST", &echo, "-H", "Transfer-Encoding: chunked", "-d", &"x".repeat(101)]);
    assert_eq!(chunked.status, 413, "{chunked:?}");

    let default = proxy_to(&upstream, &gateway, &[]);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(&big, vec![b'1'; 2 * 1024 * 1024]).unwrap();
    let answer = curl(&[
        "-X",
        "POST",
        &format!("{}/echo", default.url),
        "--data-binary",
        &format!("@{}", big.display()),
    ]);
    assert_eq!((answer.status, answer.json()["error"].clone()), (413, json!("body_too_large")));
    let at_big = format!("@{}", big.display());
    let by_requests = python_requests(PY_REQUEST, &["POST", &format!("{}/echo", default.url), &at_big]);
    assert_eq!((by_requests.status, by_requests.json()["error"].clone()), (413, json!("body_too_large")));
    assert_eq!(upstream.pending_requests(), 0, "an over-limit body reached the upstream");
}

#[test]
fn an_unreachable_upstream_is_502() {
    let gateway = Gateway::start();
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let proxy = Proxy::start(&gateway, &["--upstream", &format!("http://127.0.0.1:{closed}")]);
    for answer in [
        curl(&[&format!("{}{DEVICE}", proxy.url)]),
        node_fetch(NODE_FETCH, &["GET", &format!("{}{DEVICE}", proxy.url)]),
    ] {
        assert_eq!(
            (answer.status, answer.json()["error"].clone()),
            (502, json!("upstream_unreachable")),
            "{answer:?}"
        );
    }
}

#[test]
fn a_token_server_refusal_passes_through_with_its_status_and_body() {
    let gateway = Gateway::start();
    let proxy = Proxy::start_with(&gateway, &[], &[(proxy_support::SECRET_VAR, "not-the-secret")]);
    // What the token server itself answers a wrong secret, asked directly.
    let credentials = format!("{}:not-the-secret", proxy_support::CLIENT_ID);
    let token_url = gateway.token_url();
    let json_body = ["-H", "Content-Type: application/json", "-d", r#"{"grant_type":"client_credentials"}"#];
    let direct = curl(&[&["-X", "POST", &token_url, "-u", &credentials][..], &json_body].concat());
    assert_eq!(direct.json()["error"], json!("invalid_client"), "{direct:?}");
    let url = format!("{}{DEVICE}", proxy.url);
    let through_curl = curl(&[&url]);
    assert_eq!(
        (through_curl.header("content-type"), through_curl.header("x-taap-proxy-error")),
        (direct.header("content-type"), Some("token_refused"))
    );
    for answer in [through_curl, python_requests(PY_REQUEST, &["GET", &url])] {
        assert_eq!((answer.status, answer.body.as_str()), (401, direct.body.as_str()), "{answer:?}");
    }
}

#[test]
fn a_route_sends_its_paths_to_their_own_token_server_and_the_rest_to_the_default() {
    // Two token servers with different signing keys: `api` (also the upstream) accepts only its
    // own access tokens, so a call answered 200 got its token from the routed server.
    let (api, other) = (Gateway::start(), Gateway::start());
    let route = format!("/iot-connectivity/={}", api.token_url());
    let proxy = Proxy::start(&other, &["--upstream", &api.url, "--route", &route]);
    let device = curl(&[&format!("{}{DEVICE}", proxy.url)]);
    assert_eq!(
        (device.status, device.json()["iccid"].clone()),
        (200, json!("8901260000000000019")),
        "{device:?}"
    );
    let orders = format!("{}/commerce/v1/orders", proxy.url);
    let refused = curl(&["-X", "POST", &orders, "-H", "Content-Type: application/json", "-d", ORDER]);
    assert_eq!(refused.status, 401, "the default server's token is not the API's: {refused:?}");
    let stats =
        |gateway: &Gateway| curl(&[&format!("{}/_taap/stats", gateway.url)]).json()["token_requests"].clone();
    assert_eq!((stats(&api), stats(&other)), (json!(1), json!(1)));

    let bad = Proxy::command(&other, &["--route", "iot-connectivity=v2"], &[]).output().unwrap();
    assert!(!bad.status.success());
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(said.contains("route \"iot-connectivity\" must be a path starting with /"), "{said}");
}

#[test]
fn a_401_is_retried_once_with_a_fresh_token_and_pop_for_get_but_not_for_post() {
    let (gateway, upstream) = (Gateway::start(), Upstream::start());
    let proxy = proxy_to(&upstream, &gateway, &[]);

    let got = curl(&[&format!("{}/unauthorized-once/get", proxy.url)]);
    assert_eq!(got.status, 200, "{got:?}");
    let hits = got.json()["hits"].as_array().unwrap().clone();
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_ne!(hits[0]["jti"], hits[1]["jti"], "the retry reused the PoP token");
    assert_ne!(hits[0]["bearer"], hits[1]["bearer"], "the retry reused the access token");

    let posted = curl(&["-X", "POST", &format!("{}/unauthorized-once/post", proxy.url), "-d", "{}"]);
    assert_eq!((posted.status, posted.json()["error"].clone()), (401, json!("invalid_token")), "{posted:?}");
    let seen = curl(&[&format!("{}/hits/post", proxy.url)]);
    assert_eq!(seen.json()["hits"].as_array().unwrap().len(), 1, "a POST was resent: {seen:?}");
}

#[test]
fn verbose_logs_show_method_path_status_and_a_masked_token_but_no_secret() {
    let (gateway, upstream) = (Gateway::start(), Upstream::start());
    let inbound = "inbound-secret-0123456789";
    let ca = upstream.ca.to_str().unwrap();
    let args =
        ["-v", "--upstream", &upstream.url, "--ca-file", ca, "--inbound-secret-env", "TAAP_PROXY_INBOUND"];
    let mut proxy = Proxy::start_with(&gateway, &args, &[("TAAP_PROXY_INBOUND", inbound)]);
    let auth = format!("Proxy-Authorization: Bearer {inbound}");
    let echoed = curl(&["-H", &auth, &format!("{}/echo/v?msisdn=15550000019", proxy.url)]);
    assert_eq!(echoed.status, 200, "{echoed:?}");
    let retried = curl(&["-H", &auth, &format!("{}/unauthorized-once/log", proxy.url)]);
    assert_eq!(retried.status, 200);
    assert_eq!(proxy.terminate().code(), Some(0));

    let log = proxy.log();
    assert!(log.contains("taap proxy: GET /echo/v -> 200 in "), "{log}");
    assert!(log.contains("taap proxy: GET /unauthorized-once/log -> 200 in "), "{log}");
    assert!(log.contains(" (token #"), "{log}");
    let mut secrets = vec![SECRET.to_owned(), inbound.to_owned(), "15550000019".to_owned()];
    for (name, value) in
        echoed.json()["headers"].as_array().unwrap().iter().map(|h| (h[0].clone(), h[1].clone()))
    {
        if name == "Authorization" || name == "X-Authorization" {
            let value = value.as_str().unwrap();
            secrets.push(value.trim_start_matches("Bearer ").to_owned());
        }
    }
    for hit in retried.json()["hits"].as_array().unwrap() {
        secrets.push(hit["bearer"].as_str().unwrap().trim_start_matches("Bearer ").to_owned());
    }
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "the log holds a secret or query: {log}");
    }
}

#[test]
fn a_non_loopback_address_needs_allow_remote_and_an_inbound_secret() {
    let gateway = Gateway::start();
    for args in [&["--listen", "0.0.0.0"][..], &["--listen", "0.0.0.0", "--allow-remote"][..]] {
        let output = Proxy::command(&gateway, args, &[]).stderr(Stdio::piped()).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.starts_with("taap: Config: "), "{stderr}");
        assert!(stderr.contains("--listen 0.0.0.0 is reachable from other machines"), "{stderr}");
    }
    let short = Proxy::command(&gateway, &["--inbound-secret-env", "SHORT"], &[("SHORT", "123")])
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 16 characters"));

    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("inbound");
    std::fs::write(&secret_file, "remote-secret-abcdefgh\n").unwrap();
    let file = secret_file.to_str().unwrap();
    let proxy =
        Proxy::start(&gateway, &["--listen", "0.0.0.0", "--allow-remote", "--inbound-secret-file", file]);
    let port = proxy.url.rsplit(':').next().unwrap();
    let url = format!("http://127.0.0.1:{port}{DEVICE}");
    let refused = curl(&[&url]);
    assert_eq!((refused.status, refused.json()["error"].clone()), (407, json!("proxy_auth_required")));
    let wrong = curl(&["-H", "Proxy-Authorization: Bearer remote-secret-abcdefgX", &url]);
    assert_eq!(wrong.status, 407);
    let admitted = curl(&["-H", "Proxy-Authorization: Bearer remote-secret-abcdefgh", &url]);
    assert_eq!(admitted.status, 200, "{admitted:?}");
}

#[test]
fn sigterm_lets_an_in_flight_request_finish_then_stops() {
    let (gateway, upstream) = (Gateway::start(), Upstream::start());
    let mut proxy = proxy_to(&upstream, &gateway, &[]);
    let url = format!("{}/slow?ms=1500", proxy.url);
    let in_flight = std::thread::spawn(move || curl(&[&url]));
    assert_eq!(upstream.next_request()["path"], json!("/slow"));
    let status = proxy.terminate();
    let answer = in_flight.join().unwrap();
    assert_eq!((answer.status, answer.json()), (200, json!({"slow": "done"})));
    assert_eq!(status.code(), Some(0), "{}", proxy.log());
    assert!(proxy.log().contains("taap proxy: stopping; waiting for requests in flight"));
    require("curl");
    let after = std::process::Command::new("curl").args(["-sS", &proxy.url]).output().unwrap();
    assert_eq!(after.status.code(), Some(7), "curl's 'could not connect' after the stop");
}

#[test]
fn port_0_is_shown_in_the_readiness_line_and_the_postman_environment() {
    let gateway = Gateway::start();
    let dir = tempfile::tempdir().unwrap();
    let environment = dir.path().join("taap-proxy.postman_environment.json");
    let proxy = Proxy::start(&gateway, &["--postman-env", environment.to_str().unwrap()]);
    let port: u16 = proxy.url.strip_prefix("http://127.0.0.1:").unwrap().parse().unwrap();
    assert_ne!(port, 0);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&environment).unwrap()).unwrap();
    assert_eq!(written["values"][0]["key"], json!("baseUrl"));
    assert_eq!(written["values"][0]["value"], json!(proxy.url));
    assert!(!written.to_string().contains(SECRET));
}
