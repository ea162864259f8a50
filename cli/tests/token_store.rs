//! `taap token --token-store`: separate processes with the same credentials make one token
//! request between them through a real `redis-server`; with Redis stopped each still prints
//! its token and one warning; a password in the store URL is never printed.

#[path = "../../gateway/tests/support/redis.rs"]
mod redis;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

use redis::RedisServer;

const CLIENT_ID: &str = "fleet-cli";
const SECRET: &str = "fleet-cli-secret-77e0";
const SECRET_VAR: &str = "TAAP_TEST_STORE_SECRET";

fn key(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative).display().to_string()
}

/// `taap serve` with a slow token endpoint (so the processes overlap); killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start() -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .args(["--public-key", &key("tmobile/readme-public.pem")])
            .args(["--delay-ms", "300", "--fault-path", "/oauth2/"])
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

    fn token_requests(&self) -> u64 {
        let mut response = ureq::get(format!("{}/_taap/stats", self.url)).call().unwrap();
        let stats: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        stats["token_requests"].as_u64().unwrap()
    }

    /// `taap token` for this gateway, through `store` (given in TAAP_TOKEN_STORE).
    fn token(&self, store: &str) -> Child {
        Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["token", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .args(["--key", &key("tmobile/readme-private-pkcs8.pem")])
            .args(["--server", &format!("{}/oauth2/v2/tokens", self.url)])
            .env(SECRET_VAR, SECRET)
            .env("TAAP_TOKEN_STORE", store)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `count` `taap token` processes at once; their outputs.
fn at_once(served: &Served, store: &str, count: usize) -> Vec<Output> {
    let children: Vec<Child> = (0..count).map(|_| served.token(store)).collect();
    children.into_iter().map(|child| child.wait_with_output().unwrap()).collect()
}

fn access_token(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

#[test]
fn six_processes_make_one_token_request() {
    let redis = RedisServer::start();
    let served = Served::start();
    let outputs = at_once(&served, &redis.url(), 6);
    let tokens: Vec<String> = outputs.iter().map(access_token).collect();
    assert!(tokens.iter().all(|token| token == &tokens[0]), "{tokens:?}");
    assert_eq!(served.token_requests(), 1);
    assert!(outputs.iter().all(|output| output.stderr.is_empty()));
    // A later process finds the shared token: still one request.
    assert_eq!(access_token(&at_once(&served, &redis.url(), 1)[0]), tokens[0]);
    assert_eq!(served.token_requests(), 1);
}

#[test]
fn with_redis_stopped_each_process_fetches_and_warns_once_without_the_password() {
    let mut redis = RedisServer::start();
    let store = redis.url().replace("redis://", "redis://:hunter2-pw@");
    redis.stop();
    let served = Served::start();
    let outputs = at_once(&served, &store, 3);
    for output in &outputs {
        access_token(output);
        let stderr = String::from_utf8(output.stderr.clone()).unwrap();
        assert_eq!(
            stderr,
            "taap: warning: the shared token store (redis) failed: it refused the connection; \
             fetching access tokens without it until it answers again\n"
        );
    }
    assert_eq!(served.token_requests(), 3);
}

#[test]
fn a_bad_store_url_is_a_config_error_naming_no_password() {
    let served = Served::start();
    let output = at_once(&served, "redis://:hunter2-pw@[::1", 1).remove(0);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr, "taap: Config: invalid configuration: the token store URL is not a valid redis://host:port[/db] URL\n");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert_eq!(served.token_requests(), 0);
}
