//! `--otlp-endpoint` (feature `otlp`): `taap call` and `taap proxy` against `taap serve`, all
//! exporting their spans to a tiny OTLP/HTTP receiver on 127.0.0.1. The protobuf bodies must name
//! the client's spans (`taap.client.token_fetch`, `taap.client.sign`, `taap.client.send`), the
//! gateway's (`taap.validate`) and the proxy's (`taap.proxy.upstream`), and never hold the client id or secret, an access or PoP token (any
//! JWT) or the query.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENT_ID: &str = "otlp-client";
const SECRET: &str = "otlp-secret-6a9e";
const SECRET_VAR: &str = "TAAP_TEST_OTLP_SECRET";
const QUERY_SECRET: &str = "query-secret-c3d7";

fn key(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative).display().to_string()
}

/// The POSTs an OTLP/HTTP receiver got: (path, content type, body).
type Posts = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;

/// Accepts connections on a free loopback port and answers every request with an empty 200.
fn receiver() -> (String, Posts) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let posts = Posts::default();
    let kept = Arc::clone(&posts);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let kept = Arc::clone(&kept);
            std::thread::spawn(move || serve_connection(stream, &kept));
        }
    });
    (url, posts)
}

fn serve_connection(stream: TcpStream, posts: &Posts) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let (mut length, mut content_type) = (0, String::new());
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap(),
                "content-type" => content_type = value.trim().to_owned(),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        posts.lock().unwrap().push((path, content_type, body));
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n";
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

/// Every body received so far, joined.
fn received(posts: &Posts) -> Vec<u8> {
    posts.lock().unwrap().iter().flat_map(|(_, _, body)| body.clone()).collect()
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `taap proxy` in front of the gateway at `gateway`, exporting to `collector`, after one GET
/// through it (with a secret in its query) was answered 200.
fn proxy_once(gateway: &str, collector: &str) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["proxy", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
        .args(["--key", &key("tmobile/readme-private-pkcs8.pem"), "--otlp-endpoint", collector])
        .args(["--server", &format!("{gateway}/oauth2/v2/tokens")])
        .env(SECRET_VAR, SECRET)
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let proxied = Served(child);
    let proxy = first.trim().rsplit("listening on ").next().unwrap().to_owned();
    let device = format!("{proxy}/iot-connectivity/v1/devices/8901260000000000019?apikey={QUERY_SECRET}");
    let status = ureq::get(&device).call().map(|response| response.status().as_u16());
    assert_eq!(status.ok(), Some(200), "through the proxy ({first})");
    proxied
}

#[test]
fn call_and_serve_export_their_spans_and_no_secret() {
    let (collector, posts) = receiver();
    let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
        .args(["--public-key", &key("tmobile/readme-public.pem"), "--otlp-endpoint", &collector])
        .env(SECRET_VAR, SECRET)
        // The batch goes out every 100 ms, so the killed gateway's spans are out before it ends.
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let served = Served(child);
    let url = first.trim().strip_prefix("listening on ").expect("the first line names the URL").to_owned();

    let device = format!("{url}/iot-connectivity/v1/devices/8901260000000000019?apikey={QUERY_SECRET}");
    let output = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["call", "GET", &device, "-i", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
        .args(["--key", &key("tmobile/readme-private-pkcs8.pem")])
        .args(["--server", &format!("{url}/oauth2/v2/tokens")])
        .env(SECRET_VAR, SECRET)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &collector)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(text.starts_with("HTTP/1.1 200\n"), "{text}");

    let proxied = proxy_once(&url, &collector);

    // `taap call` flushed before it exited; the gateway's and the proxy's batches follow within
    // their delay.
    let deadline = Instant::now() + Duration::from_secs(10);
    let all_in = |body: &[u8]| contains(body, "taap.validate") && contains(body, "taap.proxy.upstream");
    while !all_in(&received(&posts)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop((served, proxied));
    let body = received(&posts);
    let names = ["taap.client.token_fetch", "taap.client.sign", "taap.client.send", "taap.validate"];
    for name in names.into_iter().chain(["taap.proxy.upstream", "upstream_host", "answered"]) {
        assert!(contains(&body, name), "no {name} span was exported");
    }
    for field in ["token_host", "http_status", "signer", "in-memory", "/oauth2/v2/tokens", "accepted"] {
        assert!(contains(&body, field), "no {field} in the exported spans");
    }
    // Access tokens and PoP tokens are JWTs: base64url of `{"`, which no span may hold.
    for secret in [SECRET, QUERY_SECRET, "apikey", CLIENT_ID, "eyJ"] {
        assert!(!contains(&body, secret), "{secret:?} was exported");
    }
    let posts = posts.lock().unwrap();
    // One batch from `taap call` (at least), one from `taap serve`, one from `taap proxy`.
    assert!(posts.len() >= 3, "{} exports", posts.len());
    eprintln!("{} exports, {} bytes", posts.len(), body.len());
    for (path, content_type, _) in posts.iter() {
        assert_eq!((path.as_str(), content_type.as_str()), ("/v1/traces", "application/x-protobuf"));
    }
}
