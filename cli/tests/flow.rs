//! `taap token`, `taap call`, `taap serve` and `taap demo`, driven as users drive them.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const CLIENT_ID: &str = "cli-client";
const SECRET: &str = "cli-secret-0b1d";
const SECRET_VAR: &str = "TAAP_TEST_FLOW_SECRET";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";

fn key(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative).display().to_string()
}

fn taap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taap")).args(args).env(SECRET_VAR, SECRET).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// `taap serve` with the readme key's public half registered; killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start() -> Served {
        let public_key = key("tmobile/readme-public.pem");
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .args(["--public-key", &public_key])
            .env(SECRET_VAR, SECRET)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url =
            first.trim().strip_prefix("listening on ").expect("the first line names the URL").to_owned();
        Served { child, url }
    }

    /// The auth flags of `taap token` and `taap call` for this gateway.
    fn auth(&self, flavor: &str) -> Vec<String> {
        [
            "--client-id",
            CLIENT_ID,
            "--client-secret-env",
            SECRET_VAR,
            "--key",
            &key("tmobile/readme-private-pkcs8.pem"),
            "--server",
            &format!("{}/oauth2/{flavor}/tokens", self.url),
        ]
        .map(str::to_owned)
        .to_vec()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn with(args: &[&str], auth: &[String]) -> Vec<String> {
    args.iter().map(|arg| (*arg).to_owned()).chain(auth.iter().cloned()).collect()
}

fn run(args: &[String]) -> Output {
    taap(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn token_prints_the_token_response_with_expires_in_as_a_string() {
    let served = Served::start();
    for flavor in ["v2", "v6"] {
        let output = run(&with(&["token"], &served.auth(flavor)));
        assert!(output.status.success(), "{}", stderr(&output));
        let answer: Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(answer["expires_in"], "3600");
        assert_eq!(answer["status"], "success");
        assert_eq!(answer["access_token"].as_str().unwrap().split('.').count(), 3, "a JWT");
    }
}

#[test]
fn call_prints_the_body_and_with_i_the_status_and_headers() {
    let served = Served::start();
    let url = format!("{}{DEVICE}", served.url);
    let output = run(&with(&["call", "GET", &url], &served.auth("v2")));
    assert!(output.status.success(), "{}", stderr(&output));
    let body: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(body["status"], "ACTIVATED");

    let output = run(&with(&["call", "GET", &url, "-i"], &served.auth("v2")));
    let text = stdout(&output);
    assert!(text.starts_with("HTTP/1.1 200\n"), "{text}");
    assert!(text.contains("\ncontent-type: application/json\n"), "{text}");
    assert!(text.contains("\n\n{\"iccid\":\"8901260000000000019\""), "{text}");
}

#[test]
fn call_posts_a_body_from_an_argument_or_a_file() {
    let served = Served::start();
    let url = format!("{}/commerce/v1/orders", served.url);
    let output = run(&with(
        &["call", "POST", &url, "-H", "Content-Type: application/json", "-d", r#"{"orderId": 7}"#],
        &served.auth("v6"),
    ));
    assert!(output.status.success(), "{}", stderr(&output));
    let answer: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!((answer["status"].as_str(), answer["order"]["orderId"].as_u64()), (Some("RECEIVED"), Some(7)));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("order.json");
    std::fs::write(&file, r#"{"orderId": 8}"#).unwrap();
    let output =
        run(&with(&["call", "POST", &url, "--data-file", file.to_str().unwrap()], &served.auth("v2")));
    let answer: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(answer["order"]["orderId"].as_u64(), Some(8));
}

#[test]
fn a_wrong_secret_fails_with_the_oauth_kind_and_no_secret_in_the_message() {
    let served = Served::start();
    let output = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(with(&["token"], &served.auth("v2")))
        .env(SECRET_VAR, "not-the-secret")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "taap: OAuth: OAuth server answered HTTP 401: invalid_client: unknown client or wrong secret\n"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn usage_problems_are_config_errors() {
    let no_client = taap(&["serve", "--port", "0"]);
    assert_eq!(stderr(&no_client), "taap: Config: invalid configuration: give --client-id, --client-secret-env and --public-key, or --config FILE\n");
    let bad_server = taap(&[
        "token",
        "--client-id",
        "a",
        "--client-secret-env",
        SECRET_VAR,
        "--key",
        &key("tmobile/readme-private-pkcs8.pem"),
        "--server",
        "http://127.0.0.1:9/oauth/tokens",
    ]);
    assert_eq!(bad_server.status.code(), Some(1));
    assert!(
        stderr(&bad_server)
            .starts_with("taap: Config: invalid configuration: cannot tell the token flavour from the path"),
        "{}",
        stderr(&bad_server)
    );
    let unset = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["token", "--client-id", "a", "--client-secret-env", "TAAP_TEST_UNSET_VARIABLE"])
        .args(["--key", &key("tmobile/readme-private-pkcs8.pem"), "--server", "v2"])
        .output()
        .unwrap();
    assert_eq!(stderr(&unset), "taap: Config: invalid configuration: environment variable TAAP_TEST_UNSET_VARIABLE is not set (or not UTF-8)\n");
}

#[test]
fn a_refused_connection_is_a_transport_error() {
    // Bind then drop: the port is free and nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = format!("http://127.0.0.1:{port}/oauth2/v2/tokens");
    let output = taap(&[
        "token",
        "--client-id",
        "a",
        "--client-secret-env",
        SECRET_VAR,
        "--key",
        &key("tmobile/readme-private-pkcs8.pem"),
        "--server",
        &server,
        "--retries",
        "0",
    ]);
    assert_eq!(stderr(&output), format!("taap: Transport: transport error: POST http://127.0.0.1:{port}/oauth2/v2/tokens: connection refused\n"));
}

#[test]
fn demo_walks_the_four_steps_and_exits_zero() {
    let output = taap(&["demo"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let steps: Vec<&str> = text.lines().filter(|line| !line.starts_with(' ')).collect();
    let prefixes = ["setup: generated", "setup: local TAAP gateway on http://127.0.0.1:", "step 1: OAuth PoP token signs Content-Type;Authorization;uri;http-method;body of POST /oauth2/v2/tokens",
        "step 2: access token from /oauth2/v2/tokens: expires_in 3600 s", "step 3: API PoP token signs Content-Type;Authorization;uri;http-method;body of GET /iot-connectivity/v1/devices/",
        "step 4: Connectivity call GET /iot-connectivity/v1/devices/8901260000000000019: HTTP 200", "again: a second call signed a fresh PoP token"];
    assert_eq!(steps.len(), prefixes.len(), "{text}");
    for (line, prefix) in steps.iter().zip(prefixes) {
        assert!(line.starts_with(prefix), "{line:?} should start with {prefix:?}");
    }
    assert!(text.ends_with("(1 token request in all)\n"), "{text}");
}
