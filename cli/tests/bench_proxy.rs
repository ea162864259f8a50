//! Benchmark, not a test: what `taap proxy` adds, against `taap serve` on loopback, in one run.
//!
//! `cargo test --release -p taap-cli --test bench_proxy -- --ignored --nocapture`
//! (`CALLS`, `SECS` in the environment change the sample sizes). It asserts nothing about speed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use taap::{client::ClientConfig, client::OAuthServer, PopToken, PrivateKey, TaapClient};

const SECRET_VAR: &str = "TAAP_BENCH_SECRET";
const SECRET: &str = "bench-secret";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";
const CLIENTS: usize = 64;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// Starts `taap ARGS` and returns it with the URL its readiness line names.
fn start(args: &[&str], readiness_on_stderr: bool) -> (Running, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taap"));
    command.args(args).env(SECRET_VAR, SECRET);
    if args[0] == "serve" {
        command.arg("--public-key").arg(keys().join("readme-public.pem"));
    } else {
        command.arg("--key").arg(keys().join("readme-private-pkcs8.pem"));
    }
    let mut child = if readiness_on_stderr {
        command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
    } else {
        command.stdout(Stdio::piped()).spawn().unwrap()
    };
    let stream: Box<dyn std::io::Read + Send> = match readiness_on_stderr {
        true => Box::new(child.stderr.take().unwrap()),
        false => Box::new(child.stdout.take().unwrap()),
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    // Keep draining, so a full pipe never stalls the process.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let url = line.trim().rsplit("listening on ").next().unwrap().to_owned();
    (Running(child), url)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().new_agent()
}

/// GET `url` as a client calling the API itself: a fresh PoP token over the request each time.
fn direct_get(agent: &ureq::Agent, key: &PrivateKey, url: &str, bearer: &str) {
    let headers = [("Content-Type", "application/json"), ("Authorization", bearer)];
    let pop = PopToken::for_request(key, "GET", url, headers, b"").unwrap();
    let mut response = agent
        .get(url)
        .header("Content-Type", "application/json")
        .header("Authorization", bearer)
        .header("X-Authorization", &pop)
        .call()
        .unwrap();
    assert_eq!(response.status(), 200);
    response.body_mut().read_to_vec().unwrap();
}

fn proxied_get(agent: &ureq::Agent, url: &str) {
    let mut response = agent.get(url).call().unwrap();
    assert_eq!(response.status(), 200);
    response.body_mut().read_to_vec().unwrap();
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// p50 and p99 in ms of `calls` sequential runs of `operation` (after a warm-up).
fn latencies(calls: u64, mut operation: impl FnMut()) -> (f64, f64) {
    for _ in 0..50 {
        operation();
    }
    let mut times: Vec<Duration> = (0..calls)
        .map(|_| {
            let start = Instant::now();
            operation();
            start.elapsed()
        })
        .collect();
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

/// Requests per second of `CLIENTS` threads, each on its own kept-alive connection, for `secs`.
fn rate(secs: u64, operation: impl Fn(&ureq::Agent) + Send + Sync + 'static) -> f64 {
    let operation = Arc::new(operation);
    let (done, stop) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (operation, done, stop) = (Arc::clone(&operation), Arc::clone(&done), Arc::clone(&stop));
            std::thread::spawn(move || {
                let agent = agent();
                while !stop.load(Ordering::Relaxed) {
                    operation(&agent);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let (start, before) = (Instant::now(), done.load(Ordering::Relaxed));
    std::thread::sleep(Duration::from_secs(secs));
    let counted = done.load(Ordering::Relaxed) - before;
    let elapsed = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    workers.into_iter().for_each(|worker| worker.join().unwrap());
    counted as f64 / elapsed
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture in release mode"]
fn proxy_costs_against_taap_serve_on_loopback() {
    let (calls, secs) = (setting("CALLS", 2000), setting("SECS", 5));
    let serve_args = ["serve", "--port", "0", "--client-id", "bench", "--client-secret-env", SECRET_VAR];
    let (_served, gateway) = start(&serve_args[..], false);
    let token_url = format!("{gateway}/oauth2/v2/tokens");
    let proxy_args = ["proxy", "--port", "0", "--client-id", "bench", "--client-secret-env", SECRET_VAR];
    let (_proxy, proxy) = start(&[&proxy_args[..], &["--server", &token_url]].concat(), true);

    let key = Arc::new(PrivateKey::from_file(keys().join("readme-private-pkcs8.pem"), None).unwrap());
    let client =
        TaapClient::new(ClientConfig::new("bench", SECRET, Arc::clone(&key), OAuthServer::Url(token_url)))
            .unwrap();
    let bearer: Arc<str> = format!("Bearer {}", client.access_token().unwrap().secret()).into();
    let (direct_url, proxy_url) = (format!("{gateway}{DEVICE}"), format!("{proxy}{DEVICE}"));

    let sign = latencies(calls, || {
        let headers = [("Content-Type", "application/json"), ("Authorization", &*bearer)];
        PopToken::for_request(&key, "GET", &direct_url, headers, b"").unwrap();
    });
    let one = agent();
    let direct = latencies(calls, || direct_get(&one, &key, &direct_url, &bearer));
    let one = agent();
    let proxied = latencies(calls, || proxied_get(&one, &proxy_url));

    let direct_rate = {
        let (key, bearer, url) = (Arc::clone(&key), Arc::clone(&bearer), direct_url.clone());
        rate(secs, move |agent| direct_get(agent, &key, &url, &bearer))
    };
    let proxy_rate = rate(secs, move |agent| proxied_get(agent, &proxy_url));

    println!("sequential GETs ({calls} each), ms                 p50      p99");
    println!("PoP token build alone                          {:>7.3}  {:>7.3}", sign.0, sign.1);
    println!("direct to taap serve, PoP made per request     {:>7.3}  {:>7.3}", direct.0, direct.1);
    println!("through taap proxy                             {:>7.3}  {:>7.3}", proxied.0, proxied.1);
    println!(
        "proxy-added latency                            {:>7.3}  {:>7.3}",
        proxied.0 - direct.0,
        proxied.1 - direct.1
    );
    println!("{CLIENTS} concurrent clients, {secs} s each, req/s");
    println!("direct to taap serve (clients sign)            {direct_rate:>8.0}");
    println!("through taap proxy (the proxy signs)           {proxy_rate:>8.0}");
    println!("ratio proxy / direct                           {:>8.2}", proxy_rate / direct_rate);
}
