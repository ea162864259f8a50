//! Secret hygiene of the command line and the gateway: every error kind, triggered with a
//! private key, a password, a client secret and an access token of known values in play,
//! leaves none of them, nor any 12 characters of one (a base64 line of the key included), on
//! stdout or stderr; the gateway's answers to requests it rejects, and its own output, hold
//! none of them either.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const PASSWORD: &str = "hygiene-password-7f3a9c1e";
const CLIENT_SECRET: &str = "hygiene-client-secret-4b8d2e6f";
const ACCESS_TOKEN: &str = "hygiene-access-token-9c7e5a3b1d";
/// The secret the gateway registers (the one a client must present).
const GATEWAY_SECRET: &str = "hygiene-gateway-secret-2d4f6a8c";
const CLIENT_ID: &str = "acme-test-id";
const IAT: i64 = 1_767_225_600;

fn keys(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative)
}

fn key_pem() -> String {
    std::fs::read_to_string(keys("tmobile/readme-private-pkcs8.pem")).unwrap()
}

fn secrets() -> Vec<String> {
    let pem = key_pem();
    let lines: Vec<&str> = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    [lines[lines.len() / 2], PASSWORD, CLIENT_SECRET, ACCESS_TOKEN, GATEWAY_SECRET]
        .map(str::to_owned)
        .to_vec()
}

/// Not even part of a secret: no 12 consecutive characters of one may appear.
fn assert_no_secret(text: &str, what: &str) {
    for secret in secrets() {
        for window in secret.as_bytes().windows(12) {
            let window = std::str::from_utf8(window).unwrap();
            assert!(!text.contains(window), "{what} shows part of a secret ({window:?}): {text}");
        }
    }
}

fn taap(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taap")).args(args).envs(env.iter().copied()).output().unwrap()
}

/// Runs `taap`, expects exit 1 with `taap: <kind>: …` and no secret on either stream.
fn fails_cleanly(kind: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let output = taap(args, env);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.starts_with(&format!("taap: {kind}: ")), "{args:?}: {stderr}");
    assert_no_secret(&stderr, &format!("stderr of {args:?}"));
    assert_no_secret(&stdout, &format!("stdout of {args:?}"));
    kind.to_owned()
}

/// `taap serve` with the readme key registered; its output is collected; killed when dropped.
struct Served {
    child: Child,
    address: String,
    output: std::thread::JoinHandle<String>,
}

impl Served {
    fn start() -> Served {
        Served::start_with(&["--public-key", keys("tmobile/readme-public.pem").to_str().unwrap()])
    }

    /// `taap serve` with the client's keys given by `key_args`.
    fn start_with(key_args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args([
                "serve",
                "--port",
                "0",
                "--client-id",
                CLIENT_ID,
                "--client-secret-env",
                "HYGIENE_GATEWAY_SECRET",
            ])
            .args(key_args)
            .env("HYGIENE_GATEWAY_SECRET", GATEWAY_SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let address = first.trim().strip_prefix("listening on http://").unwrap().to_owned();
        let mut stderr = child.stderr.take().unwrap();
        let output = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stdout.read_to_string(&mut rest);
            let _ = stderr.read_to_string(&mut rest);
            first + &rest
        });
        Served { child, address, output }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Sends a raw request; returns the whole answer.
    fn send(&self, request: &str) -> String {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }

    /// Everything the gateway printed, once it is stopped.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.output.join().unwrap()
    }
}

#[test]
fn every_error_kind_keeps_the_secrets_off_stdout_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let pem = key_pem();
    let middle = &secrets()[0];
    let cut_key = dir.path().join("cut.pem");
    let end = pem.find(middle.as_str()).unwrap() + middle.len() + 1;
    std::fs::write(&cut_key, format!("{}-----END PRIVATE KEY-----\n", &pem[..end])).unwrap();
    let key = keys("tmobile/readme-private-pkcs8.pem").display().to_string();
    let public_key = keys("tmobile/readme-public.pem").display().to_string();
    let other_public_key = keys("openssl/spki-public.pem").display().to_string();
    let encrypted = keys("openssl/pbes2-aes256-private.pem").display().to_string();
    let bearer = format!("Authorization=Bearer {ACCESS_TOKEN}");
    let header = format!("Authorization: Bearer {ACCESS_TOKEN}");
    let env = [("HYGIENE_PASSWORD", PASSWORD), ("HYGIENE_SECRET", CLIENT_SECRET)];
    let mut seen = Vec::new();

    let cut = cut_key.display().to_string();
    seen.push(fails_cleanly("InvalidKey", &["pop", "--key", &cut, "--ehts", &bearer], &env));
    let decrypt = ["pop", "--key", &encrypted, "--password-env", "HYGIENE_PASSWORD", "--ehts", &bearer];
    seen.push(fails_cleanly("KeyDecrypt", &decrypt, &env));
    let blank = format!("={ACCESS_TOKEN}");
    seen.push(fails_cleanly(
        "InvalidEhts",
        &["pop", "--key", &key, "--ehts", &bearer, "--ehts", &blank],
        &env,
    ));
    let url = format!("https://exa mple.com/x?access_token={ACCESS_TOKEN}");
    fails_cleanly("InvalidEhts", &["pop", "--key", &key, "-H", &header, "--url", &url], &env);
    seen.push(fails_cleanly(
        "Config",
        &["pop", "--key", &key, "--ttl=-5", "-H", &header, "--url", "/x"],
        &env,
    ));
    let no_equals = format!("{ACCESS_TOKEN}{ACCESS_TOKEN}");
    fails_cleanly("Config", &["pop", "--key", &key, "--ehts", &no_equals], &env);

    let iat = IAT.to_string();
    let build = |ttl: &str| {
        let args =
            ["pop", "--key", &key, "--iat", &iat, "--ttl", ttl, "--ehts", &bearer, "--ehts", "uri=/orders"];
        String::from_utf8(taap(&args, &env).stdout).unwrap().trim().to_owned()
    };
    let token = build("120");
    let verify = |token: &str, public_key: &str, now: i64, extra: &[&str]| {
        let now = now.to_string();
        let mut args = vec!["verify", token, "--public-key", public_key, "--now", &now];
        args.extend_from_slice(extra);
        fails_cleanly_owned(args)
    };
    let values = ["--ehts", &bearer, "--ehts", "uri=/orders"];
    seen.push(verify(&token, &public_key, IAT + 5, &[&values[..], &["--require", "X-Never"]].concat()));
    seen.push(verify(&token, &public_key, IAT + 1000, &values));
    seen.push(verify(&build("3600"), &public_key, IAT + 600, &values));
    seen.push(verify(&token, &other_public_key, IAT + 5, &values));
    let changed = format!("{bearer}X");
    seen.push(verify(&token, &public_key, IAT + 5, &["--ehts", &changed, "--ehts", "uri=/orders"]));
    seen.push(verify(&token, &public_key, IAT + 5, &["--ehts", "uri=/orders"]));

    let served = Served::start();
    let token_args = |server: &str| {
        [
            "token",
            "--client-id",
            CLIENT_ID,
            "--client-secret-env",
            "HYGIENE_SECRET",
            "--key",
            &key,
            "--server",
            server,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let refused = token_args(&served.url("/oauth2/v2/tokens"));
    let refused: Vec<&str> = refused.iter().map(String::as_str).collect();
    seen.push(fails_cleanly("OAuth", &refused, &env));
    let closed = token_args("http://127.0.0.1:9/oauth2/v2/tokens");
    let closed: Vec<&str> = closed.iter().map(String::as_str).chain(["--retries", "0"]).collect();
    seen.push(fails_cleanly("Transport", &closed, &env));
    seen.push(replay_is_refused_cleanly(&served, &key));
    let gateway_output = served.stop();
    assert_no_secret(&gateway_output, "the gateway's output");
    seen.push(key_source_down_is_refused_cleanly(&key));

    seen.sort();
    let mut all: Vec<String> = taap::ErrorKind::ALL.iter().map(|kind| kind.name().to_owned()).collect();
    all.sort();
    assert_eq!(seen, all, "every kind was triggered");
}

fn fails_cleanly_owned(args: Vec<&str>) -> String {
    let output = taap(&args, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
    assert_no_secret(&stderr, &format!("stderr of {args:?}"));
    assert_no_secret(&String::from_utf8_lossy(&output.stdout), &format!("stdout of {args:?}"));
    let kind = stderr.strip_prefix("taap: ").and_then(|rest| rest.split_once(':')).map(|(kind, _)| kind);
    kind.unwrap_or_else(|| panic!("no kind in {stderr}")).to_owned()
}

/// A gateway whose client keys come from a JWK set URL that cannot be fetched (nothing listens
/// on port 9), with a secret in the URL's query: the token request is refused 503
/// `KeySourceUnavailable`, and neither the client's nor the gateway's output shows the secret.
fn key_source_down_is_refused_cleanly(key: &str) -> String {
    let jwks = format!("http://127.0.0.1:9/jwks.json?access_token={ACCESS_TOKEN}");
    let served = Served::start_with(&["--jwks-url", &jwks]);
    let env = [("HYGIENE_GATEWAY_SECRET", GATEWAY_SECRET)];
    let server = served.url("/oauth2/v2/tokens");
    let args =
        ["token", "--client-id", CLIENT_ID, "--client-secret-env", "HYGIENE_GATEWAY_SECRET", "--key", key];
    let output = taap(&[&args[..], &["--server", &server, "--retries", "0"]].concat(), &env);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("503") && stderr.contains("KeySourceUnavailable"), "{stderr}");
    assert_no_secret(&stderr, "stderr of a token request to a gateway whose key source is down");
    assert_no_secret(&served.stop(), "the output of a gateway whose key source is down");
    "KeySourceUnavailable".to_owned()
}

/// A PoP token sent twice to the gateway with a real access token: the second is a replay,
/// and neither the answer nor the gateway's output shows the access token or the secret.
fn replay_is_refused_cleanly(served: &Served, key: &str) -> String {
    let env = [("HYGIENE_GATEWAY_SECRET", GATEWAY_SECRET)];
    let server = served.url("/oauth2/v2/tokens");
    let args =
        ["token", "--client-id", CLIENT_ID, "--client-secret-env", "HYGIENE_GATEWAY_SECRET", "--key", key];
    let output = taap(&[&args[..], &["--server", &server]].concat(), &env);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let access_token = answer["access_token"].as_str().unwrap().to_owned();
    let path = "/iot-connectivity/v1/devices/8901260000000000019";
    let bearer = format!("Bearer {access_token}");
    let header = format!("Authorization: {bearer}");
    let pop = taap(&["pop", "--key", key, "--method", "GET", "--url", &served.url(path), "-H", &header], &[]);
    let pop = String::from_utf8(pop.stdout).unwrap().trim().to_owned();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {bearer}\r\nX-Authorization: {pop}\r\nConnection: close\r\n\r\n",
        served.address
    );
    let first = served.send(&request);
    assert!(first.starts_with("HTTP/1.1 200 "), "{first}");
    let second = served.send(&request);
    assert!(second.starts_with("HTTP/1.1 401 "), "{second}");
    assert!(second.contains("Replay") || second.to_ascii_lowercase().contains("replay"), "{second}");
    assert!(!second.contains(&access_token), "the refusal echoes the access token: {second}");
    assert_no_secret(&second, "the gateway's refusal");

    let forged = request.replace(&access_token, ACCESS_TOKEN);
    let unknown = served.send(&forged);
    assert!(unknown.starts_with("HTTP/1.1 401 "), "{unknown}");
    assert_no_secret(&unknown, "the gateway's refusal of an unknown access token");
    "Replay".to_owned()
}
