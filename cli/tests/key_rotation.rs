//! Rotating a client's key without a restart: `taap serve --public-key FILE` with a JWK set
//! (`kid`, and `exp` closing the old key's window). The file is replaced under load: requests
//! signed with the old key never fail while both keys are in the set, the new key is accepted
//! once the file is read again, and the old one is refused once its window has closed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use taap::client::{ClientConfig, OAuthServer, TaapClient};
use taap::{ErrorKind, PrivateKey};

const CLIENT_ID: &str = "rotating-client";
const SECRET: &str = "rotating-secret-3b1f";
const SECRET_VAR: &str = "TAAP_TEST_ROTATION_SECRET";

fn key(relative: &str) -> PrivateKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative);
    PrivateKey::from_file(path, None).unwrap()
}

fn jwk(key: &PrivateKey, kid: &str, exp: Option<i64>) -> Value {
    let mut jwk: Value = serde_json::from_str(&key.public_key().to_jwk()).unwrap();
    jwk["kid"] = json!(kid);
    if let Some(exp) = exp {
        jwk["exp"] = json!(exp);
    }
    jwk
}

/// Replaces the key file the way an operator should: write beside it, then rename over it.
fn publish(file: &Path, keys: &[Value]) {
    let next = file.with_extension("next");
    std::fs::write(&next, json!({ "keys": keys }).to_string()).unwrap();
    std::fs::rename(&next, file).unwrap();
}

struct Served {
    child: Child,
    token_url: String,
}

impl Served {
    fn start(key_file: &Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .arg("--public-key")
            .arg(key_file)
            .env(SECRET_VAR, SECRET)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first.trim().strip_prefix("listening on ").expect("the first line names the URL");
        Served { token_url: format!("{url}/oauth2/v2/tokens"), child }
    }

    fn client(&self, key: PrivateKey) -> TaapClient {
        let config =
            ClientConfig::new(CLIENT_ID, SECRET, Arc::new(key), OAuthServer::Url(self.token_url.clone()));
        TaapClient::new(config).unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One token request (a fresh PoP token each time); the error kind when refused.
fn token_request(client: &TaapClient) -> Result<(), ErrorKind> {
    client.refresh_access_token().map(drop).map_err(|error| error.kind())
}

/// Token requests from `threads` threads with `client` until `stop`; (accepted, refused).
fn load(
    client: Arc<TaapClient>,
    threads: usize,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(u64, u64)> {
    std::thread::spawn(move || {
        let (accepted, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        let counter = if token_request(&client).is_ok() { &accepted } else { &refused };
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
        (accepted.load(Ordering::Relaxed), refused.load(Ordering::Relaxed))
    })
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(15), "{what} within 15 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_key_file_replaced_under_load_rotates_the_key_without_a_failed_request() {
    const OLD: &str = "tmobile/readme-private-pkcs8.pem";
    const NEW: &str = "openssl/pkcs8-private.pem";
    let (old, new) = (key(OLD), key(NEW));
    let folder = tempfile::tempdir().unwrap();
    let key_file: PathBuf = folder.path().join("client-keys.json");
    publish(&key_file, &[jwk(&old, "2026-old", None)]);
    let served = Served::start(&key_file);
    let (old_client, new_client) = (Arc::new(served.client(key(OLD))), Arc::new(served.client(key(NEW))));
    assert_eq!(token_request(&new_client), Err(ErrorKind::OAuth), "the new key before it is published");

    // Under load with the old key, the new key is added; the old one's window ends in 4 s.
    let stop = Arc::new(AtomicBool::new(false));
    let old_load = load(Arc::clone(&old_client), 4, Arc::clone(&stop));
    std::thread::sleep(Duration::from_millis(300));
    let old_until = taap::now_unix() + 4;
    publish(&key_file, &[jwk(&old, "2026-old", Some(old_until)), jwk(&new, "2026-new", None)]);
    wait_until("the new key accepted", || token_request(&new_client).is_ok());
    let new_load = load(Arc::clone(&new_client), 4, Arc::clone(&stop));
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::Relaxed);
    let (old_ok, old_refused) = old_load.join().unwrap();
    let (new_ok, new_refused) = new_load.join().unwrap();
    println!("during the overlap: old key {old_ok} accepted, new key {new_ok} accepted, 0 refused");
    assert_eq!((old_refused, new_refused), (0, 0), "old key {old_ok} accepted, new key {new_ok} accepted");
    assert!(old_ok >= 100 && new_ok >= 100, "requests in flight: old {old_ok}, new {new_ok}");

    // After its window the old key is refused, with no change to the file; the new one stays.
    wait_until("the old key's window closed", || taap::now_unix() > old_until + 1);
    assert_eq!(token_request(&old_client), Err(ErrorKind::OAuth));
    assert_eq!(token_request(&new_client), Ok(()));

    // A half-written file (here: not JSON) leaves the keys in force.
    std::fs::write(&key_file, "{\"keys\": [").unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(token_request(&new_client), Ok(()));
}
