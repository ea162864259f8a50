//! Rotating a client's key through a JWK set URL: `taap serve --jwks-url URL` against a JWKS
//! server this test starts, which switches from {old} to {old, new} to {new} under load. No
//! request signed with either key fails while both are published, the new key is accepted once
//! the gateway fetches the set again (for its unknown `kid`, or when the cached copy's max-age
//! ends), and the old one is refused once the set without it is fetched. When the set cannot
//! be fetched, the cached copy stays in use, but a `kid` it lacks and a gateway with nothing
//! cached are answered 503 with kind `KeySourceUnavailable`, not 401.

#[path = "../../core/tests/support/jwks_server.rs"]
#[allow(dead_code)]
mod jwks_server;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jwks_server::{Answer, JwksServer};
use serde_json::{json, Value};
use taap::client::{ClientConfig, OAuthServer, RetryPolicy, TaapClient};
use taap::{Error, PrivateKey};

const CLIENT_ID: &str = "jwks-rotating-client";
const SECRET: &str = "jwks-rotating-secret-6a0e";
const SECRET_VAR: &str = "TAAP_TEST_JWKS_ROTATION_SECRET";
const OLD: &str = "tmobile/readme-private-pkcs8.pem";
const NEW: &str = "openssl/pkcs8-private.pem";

fn key(relative: &str) -> PrivateKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative);
    PrivateKey::from_file(path, None).unwrap()
}

fn jwk(key: &PrivateKey, kid: &str) -> Value {
    let mut jwk: Value = serde_json::from_str(&key.public_key().to_jwk()).unwrap();
    jwk["kid"] = json!(kid);
    jwk
}

/// The set as the JWKS server publishes it; max-age 1 s (the gateway's floor makes it 5 s).
fn published(keys: &[Value]) -> Answer {
    Answer::keys(keys, "public, max-age=1")
}

struct Served {
    child: Child,
    token_url: String,
    stderr: BufReader<ChildStderr>,
}

impl Served {
    fn start(jwks_url: &str) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .args(["--jwks-url", jwks_url])
            .env(SECRET_VAR, SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first.trim().strip_prefix("listening on ").expect("the first line names the URL");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        Served { token_url: format!("{url}/oauth2/v2/tokens"), child, stderr }
    }

    /// A client signing with `key` and naming `kid` in its PoP tokens' header; no retries, so
    /// each refusal counts once.
    fn client(&self, key: PrivateKey, kid: &str) -> Arc<TaapClient> {
        let server = OAuthServer::Url(self.token_url.clone());
        let mut config = ClientConfig::new(CLIENT_ID, SECRET, Arc::new(key), server);
        config.pop_extras.header = vec![("kid".into(), json!(kid))];
        config.retry = RetryPolicy { max_retries: 0, ..RetryPolicy::default() };
        Arc::new(TaapClient::new(config).unwrap())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One token request (a fresh PoP token each time); the error when refused.
fn token_request(client: &TaapClient) -> Result<(), Error> {
    client.refresh_access_token().map(drop)
}

/// The HTTP status and the answer's `kind` of a refused token request.
fn refusal(client: &TaapClient) -> (Option<u16>, String) {
    match token_request(client) {
        Ok(()) => (Some(200), String::new()),
        Err(Error::OAuth { status, answer, .. }) => {
            let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
            (Some(status), body["kind"].as_str().unwrap_or("").to_owned())
        }
        Err(other) => (other.http_status(), other.kind().to_string()),
    }
}

/// Token requests from `threads` threads with `client` until `stop`; (accepted, refused).
fn load(
    client: Arc<TaapClient>,
    threads: usize,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(u64, u64)> {
    std::thread::spawn(move || {
        let (accepted, refused) = (AtomicU64::new(0), AtomicU64::new(0));
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

/// Runs a load of `client` for `how_long`; (accepted, refused).
fn load_for(client: &Arc<TaapClient>, threads: usize, how_long: Duration) -> (u64, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let running = load(Arc::clone(client), threads, Arc::clone(&stop));
    std::thread::sleep(how_long);
    stop.store(true, Ordering::Relaxed);
    running.join().unwrap()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(20), "{what} within 20 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_jwks_server_rotating_under_load_gives_no_failed_request_then_refuses_the_old_key() {
    let (old, new) = (key(OLD), key(NEW));
    let jwks = JwksServer::start(published(&[jwk(&old, "2026-old")]));
    let served = Served::start(&jwks.url());
    let (old_client, new_client) = (served.client(key(OLD), "2026-old"), served.client(key(NEW), "2026-new"));
    assert_eq!(token_request(&old_client).map_err(|error| error.kind()), Ok(()));
    assert_eq!(
        refusal(&new_client),
        (Some(401), "SignatureInvalid".into()),
        "the new key before it is published"
    );

    // Under load with the old key, the new key is published beside it.
    let stop = Arc::new(AtomicBool::new(false));
    let old_load = load(Arc::clone(&old_client), 4, Arc::clone(&stop));
    std::thread::sleep(Duration::from_millis(300));
    jwks.set(published(&[jwk(&old, "2026-old"), jwk(&new, "2026-new")]));
    let publishing = Instant::now();
    wait_until("the new key accepted", || token_request(&new_client).is_ok());
    let new_seen = publishing.elapsed();
    let new_load = load(Arc::clone(&new_client), 4, Arc::clone(&stop));
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::Relaxed);
    let (old_ok, old_refused) = old_load.join().unwrap();
    let (new_ok, new_refused) = new_load.join().unwrap();
    println!(
        "during the overlap: old key {old_ok} accepted, new key {new_ok} accepted, {} refused \
         (new key accepted {} ms after it was published)",
        old_refused + new_refused,
        new_seen.as_millis()
    );
    assert_eq!((old_refused, new_refused), (0, 0), "old key {old_ok} accepted, new key {new_ok} accepted");
    assert!(old_ok >= 100 && new_ok >= 100, "requests in flight: old {old_ok}, new {new_ok}");

    // The old key is withdrawn: refused once the gateway fetches the set again.
    jwks.set(published(&[jwk(&new, "2026-new")]));
    wait_until("the old key refused", || token_request(&old_client).is_err());
    assert_eq!(refusal(&old_client), (Some(401), "SignatureInvalid".into()));
    let (after_ok, after_refused) = load_for(&old_client, 4, Duration::from_millis(500));
    let (new_after, new_after_refused) = load_for(&new_client, 4, Duration::from_millis(500));
    println!(
        "after the withdrawal: old key {after_ok} accepted, {after_refused} refused; new key {new_after} accepted, {new_after_refused} refused"
    );
    assert_eq!((after_ok, new_after_refused), (0, 0));
    assert!(after_refused >= 20 && new_after >= 20, "old refused {after_refused}, new accepted {new_after}");

    // The JWKS server fails: the cached set stays in use, but a kid it lacks cannot be checked.
    jwks.set(Answer::failing(503));
    // A fresh kid each time: one remembered as unknown by a fetch under way would stay 401.
    let mut attempts = 0;
    let mut next_client = || {
        attempts += 1;
        served.client(key(NEW), &format!("2026-next-{attempts}"))
    };
    wait_until("a kid the cached set lacks answered 503", || refusal(&next_client()).0 == Some(503));
    assert_eq!(refusal(&next_client()), (Some(503), "KeySourceUnavailable".into()));
    assert_eq!(token_request(&new_client).map_err(|error| error.kind()), Ok(()), "the cached set serves");
}

#[test]
fn a_gateway_whose_jwks_url_cannot_be_fetched_answers_503_key_source_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/jwks");
    let mut served = Served::start(&url);
    let mut warning = String::new();
    served.stderr.read_line(&mut warning).unwrap();
    let expected = format!(
        "taap: warning: client \"{CLIENT_ID}\": KeySourceUnavailable: key source unavailable: the JWK set at {url} cannot be fetched ("
    );
    assert!(
        warning.starts_with(&expected) && warning.ends_with(") and no usable copy is cached\n"),
        "{warning}"
    );
    let client = served.client(key(OLD), "2026-old");
    assert_eq!(refusal(&client), (Some(503), "KeySourceUnavailable".into()));
}
