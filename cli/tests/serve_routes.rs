//! `taap serve --config FILE` with a fault flag: the flag replaces the file's `[faults]` only,
//! and the file's `[[route]]` policy, `token_signing_key` and `replay_store` stay in force.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use serde_json::{json, Value};
use taap::client::{ClientConfig, OAuthServer, Response, RetryPolicy};
use taap::{PrivateKey, TaapClient};

const CLIENT_ID: &str = "routes-client";
const SECRET: &str = "routes-secret-4e1b";
const SECRET_VAR: &str = "TAAP_TEST_SERVE_ROUTES_SECRET";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";
const ORDERS: &str = "/commerce/v1/orders";

fn keys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

/// A config file in `dir`: `top` (top-level keys), one client, then `routes` (TOML text).
fn config_file(dir: &Path, top: &str, routes: &str) -> PathBuf {
    let text = format!(
        "{top}\n[[client]]\nid = \"{CLIENT_ID}\"\nsecret_env = \"{SECRET_VAR}\"\npublic_key = {:?}\n\n{routes}",
        keys_dir().join("readme-public.pem")
    );
    let path = dir.join("gateway.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `taap serve --port 0 --config FILE --delay-ms 1`; killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(config: &Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["serve", "--port", "0", "--delay-ms", "1", "--config"])
            .arg(config)
            .env(SECRET_VAR, SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url =
            first.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{first:?}")).to_owned();
        Served { child, url }
    }

    /// A client getting its token here, never retrying (each answer is the first one).
    fn client(&self) -> TaapClient {
        let key = Arc::new(PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap());
        let token_url = format!("{}/oauth2/v2/tokens", self.url);
        let mut config = ClientConfig::new(CLIENT_ID, SECRET, key, OAuthServer::Url(token_url));
        config.retry = RetryPolicy { max_retries: 0, ..RetryPolicy::default() };
        TaapClient::new(config).unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(status, error, error_description)` of an answer.
fn answer(response: Response) -> (u16, Value, Value) {
    let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status, body["error"].clone(), body["error_description"].clone())
}

fn post_order(client: &TaapClient, served: &Served, order: &str) -> (u16, Value, Value) {
    let url = format!("{}{ORDERS}", served.url);
    answer(client.send("POST", &url, [("Content-Type", "application/json")], order.as_bytes()).unwrap())
}

#[test]
fn a_fault_flag_keeps_the_files_routes_and_token_signing_key() {
    let dir = tempfile::tempdir().unwrap();
    let top = format!("token_signing_key = {:?}\n", keys_dir().join("dotnet-private-pkcs8.pem"));
    let routes = format!("[[route]]\nprefix = \"{ORDERS}\"\nmethod = \"POST\"\nmax_body = 16\n");
    let config = config_file(dir.path(), &top, &routes);
    let (first, second) = (Served::start(&config), Served::start(&config));
    // Tokens from the first gateway, calls to the second: both sign with the file's key.
    let client = first.client();
    assert_eq!(
        post_order(&client, &second, r#"{"sku":"A1","quantity":20}"#),
        (413, json!("request_too_large"), json!("the body is larger than 16 bytes"))
    );
    assert_eq!(post_order(&client, &second, r#"{"sku":"A1"}"#).0, 201);
    let device =
        client.send("GET", &format!("{}{DEVICE}", second.url), [("Accept", "application/json")], b"");
    assert_eq!(device.unwrap().status, 200);
}

#[test]
fn a_fault_flag_keeps_the_files_replay_store() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path(), "replay_store = \"redis://127.0.0.1:1\"\n", "");
    let served = Served::start(&config);
    let client = served.client();
    let response =
        client.send("GET", &format!("{}{DEVICE}", served.url), [("Accept", "application/json")], b"");
    let (status, error, description) = answer(response.unwrap());
    assert_eq!((status, error), (503, json!("replay_store_unavailable")));
    let description = description.as_str().unwrap();
    assert!(description.starts_with("the replay store (redis) is unavailable: "), "{description}");
}
