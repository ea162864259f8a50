//! What cli/tests/proxy.rs runs: `taap serve` (token server and TAAP API), the independent
//! Python upstream (`upstream.py`: HTTPS with a CA of its own, PoP checked with PyJWT), the
//! proxy under test, and the three clients (curl, Python `requests`, Node `fetch`). A missing
//! tool fails the test that needs it, with the tool's name.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::Value;

pub const CLIENT_ID: &str = "proxy-client";
pub const SECRET: &str = "proxy-secret-5d1e9c";
pub const SECRET_VAR: &str = "TAAP_PROXY_TEST_SECRET";
/// How long a test waits for a line it expects (a readiness line, an upstream event).
const LINE_TIMEOUT: Duration = Duration::from_secs(60);

pub fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn support() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/proxy_support")
}

/// Fails the test with a clear message when `tool` cannot run.
pub fn require(tool: &str) {
    let runs = Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(
        runs.is_ok_and(|status| status.success()),
        "the proxy tests need `{tool}` on PATH (install it; scripts/setup.sh lists the suites' tools)"
    );
}

/// The virtualenv's python with PyJWT, cryptography and requests, set up once per run.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        require("python3");
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("proxy-test-venv");
        let output = Command::new("bash")
            .arg(support().join("setup-python.sh"))
            .arg(&venv)
            .stderr(Stdio::inherit())
            .output()
            .expect("bash runs setup-python.sh");
        assert!(
            output.status.success(),
            "setup-python.sh failed: the proxy tests need PyJWT, cryptography, requests"
        );
        PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
    })
}

/// Lines of a child's stream, as they come.
fn lines_of(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

fn next_line(lines: &Receiver<String>, what: &str) -> String {
    lines.recv_timeout(LINE_TIMEOUT).unwrap_or_else(|_| panic!("no line from {what} within {LINE_TIMEOUT:?}"))
}

/// `taap serve`: the token server and a TAAP API checking every PoP token; killed when dropped.
pub struct Gateway {
    child: Child,
    pub url: String,
}

impl Gateway {
    pub fn start() -> Gateway {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .arg("--public-key")
            .arg(keys().join("readme-public.pem"))
            .env(SECRET_VAR, SECRET)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = lines_of(child.stdout.take().unwrap());
        let first = next_line(&lines, "taap serve");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("taap serve said {first:?}"))
            .to_owned();
        Gateway { child, url }
    }

    pub fn token_url(&self) -> String {
        format!("{}/oauth2/v2/tokens", self.url)
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python upstream; killed when dropped.
pub struct Upstream {
    child: Child,
    pub url: String,
    pub ca: PathBuf,
    events: Receiver<String>,
    _dir: tempfile::TempDir,
}

impl Upstream {
    pub fn start() -> Upstream {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let mut child = Command::new(python())
            .arg(support().join("upstream.py"))
            .arg(keys().join("readme-public.pem"))
            .arg(&ca)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let events = lines_of(child.stdout.take().unwrap());
        let first = next_line(&events, "upstream.py");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("upstream.py said {first:?}"))
            .to_owned();
        Upstream { child, url, ca, events, _dir: dir }
    }

    /// The next request that passed the PoP check: `{"method", "path"}`.
    pub fn next_request(&self) -> Value {
        serde_json::from_str(&next_line(&self.events, "upstream.py")).unwrap()
    }

    /// Requests that passed the PoP check and were not yet read.
    pub fn pending_requests(&self) -> usize {
        self.events.try_iter().count()
    }

    /// Lets `/gated` send the rest of its body.
    pub fn release(&self) {
        let output = Command::new("curl")
            .args(["-sS", "--cacert"])
            .arg(&self.ca)
            .arg(format!("{}/_control/release", self.url))
            .output()
            .unwrap();
        assert!(output.status.success(), "release: {output:?}");
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `taap proxy` under test; its stderr is kept whole for the log checks.
pub struct Proxy {
    child: Child,
    pub url: String,
    log: Arc<Mutex<Vec<String>>>,
    done: Receiver<()>,
}

impl Proxy {
    /// The proxy with the test client's credentials, tokens from `gateway`, and `args`.
    pub fn start(gateway: &Gateway, args: &[&str]) -> Proxy {
        Proxy::start_with(gateway, args, &[])
    }

    pub fn start_with(gateway: &Gateway, args: &[&str], envs: &[(&str, &str)]) -> Proxy {
        let mut child = Proxy::command(gateway, args, envs).stderr(Stdio::piped()).spawn().unwrap();
        let lines = lines_of(child.stderr.take().unwrap());
        let first = next_line(&lines, "taap proxy");
        let url = first
            .strip_prefix("taap proxy: listening on ")
            .unwrap_or_else(|| panic!("taap proxy's first line: {first:?}"))
            .to_owned();
        let log = Arc::new(Mutex::new(vec![first]));
        let (finished, done) = channel();
        let kept = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.iter() {
                kept.lock().unwrap().push(line);
            }
            let _ = finished.send(());
        });
        Proxy { child, url, log, done }
    }

    /// The command line, for tests that expect it to fail.
    pub fn command(gateway: &Gateway, args: &[&str], envs: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_taap"));
        command
            .args(["proxy", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
            .arg("--key")
            .arg(keys().join("readme-private-pkcs8.pem"))
            .args(["--server", &gateway.token_url()])
            .args(args)
            .env(SECRET_VAR, SECRET)
            .env_remove("TAAP_PROFILE")
            .env_remove("TAAP_TOKEN_STORE")
            .stdout(Stdio::null());
        for (name, value) in envs {
            command.env(name, value);
        }
        command
    }

    /// Sends SIGTERM and waits for the process to end; returns its exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: `pid` is this test's own child, not yet reaped (so not reused); SIGTERM is a
        // valid signal number.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let status = self.child.wait().unwrap();
        let _ = self.done.recv_timeout(LINE_TIMEOUT);
        status
    }

    /// Everything the proxy wrote on stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer as a client saw it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(given, _)| given.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

fn checked(output: Output, tool: &str) -> String {
    assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// `curl -sS ARGS`, the body written to `file`; returns what `-w '%{http_code}'` prints.
pub fn curl_to_file(args: &[&str], file: &Path) -> String {
    require("curl");
    let output =
        Command::new("curl").args(["-sS", "-w", "%{http_code}", "-o"]).arg(file).args(args).output().unwrap();
    checked(output, "curl")
}

/// `curl -sS -i ARGS`: status, headers and body.
pub fn curl(args: &[&str]) -> Answer {
    require("curl");
    let out = checked(Command::new("curl").args(["-sS", "-i"]).args(args).output().unwrap(), "curl");
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let mut lines = head.lines();
    let status =
        lines.next().and_then(|line| line.split(' ').nth(1)).and_then(|code| code.parse().ok()).unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    Answer { status, headers, body: body.to_owned() }
}

/// Runs a Python script in the test virtualenv; it prints `{"status", "body"}`.
pub fn python_requests(script: &str, args: &[&str]) -> Answer {
    let out = checked(Command::new(python()).arg("-c").arg(script).args(args).output().unwrap(), "python");
    answer_of(&out)
}

/// Runs a Node script; it prints `{"status", "body"}`.
pub fn node_fetch(script: &str, args: &[&str]) -> Answer {
    require("node");
    let out =
        checked(Command::new("node").arg("-e").arg(script).arg("--").args(args).output().unwrap(), "node");
    answer_of(&out)
}

fn answer_of(printed: &str) -> Answer {
    let value: Value = serde_json::from_str(printed.trim()).unwrap_or_else(|_| panic!("printed {printed:?}"));
    Answer {
        status: u16::try_from(value["status"].as_u64().unwrap()).unwrap(),
        headers: Vec::new(),
        body: value["body"].as_str().unwrap().to_owned(),
    }
}

/// Python `requests`: METHOD URL [JSON-BODY or @FILE], query parameters from `PARAMS` (JSON) if given.
pub const PY_REQUEST: &str = r#"
import json, sys, requests
method, url = sys.argv[1], sys.argv[2]
body = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
if body is not None and body.startswith("@"):
    body = open(body[1:], "rb").read()
params = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
headers = {"Content-Type": "application/json"} if body is not None else {}
r = requests.request(method, url, data=body, params=params, headers=headers, timeout=60)
print(json.dumps({"status": r.status_code, "body": r.text}))
"#;

/// Node `fetch`: METHOD URL [JSON-BODY].
pub const NODE_FETCH: &str = r#"
const [method, url, body] = process.argv.slice(1);
const init = { method };
if (body) { init.body = body; init.headers = { 'Content-Type': 'application/json' }; }
fetch(url, init).then(async (r) => {
  console.log(JSON.stringify({ status: r.status, body: await r.text() }));
}).catch((e) => { console.error(e); process.exit(1); });
"#;

/// The bytes `/download?bytes=N` sends: each 64 KiB chunk counts 0..=250 over again.
pub fn download_pattern(n: usize) -> Vec<u8> {
    let chunk = 64 * 1024;
    (0..n).map(|i| u8::try_from((i % chunk) % 251).unwrap()).collect()
}
