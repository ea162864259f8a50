//! Benchmark, not a test: what the TAAP flow costs on loopback against `taap serve`.
//!
//! `cargo test --release -p taap-cli --test bench_client -- --ignored --nocapture`
//! prints per-operation times and their ratios; it asserts nothing about speed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use taap::{client::ClientConfig, client::OAuthServer, PopToken, PrivateKey, TaapClient};

const SECRET_VAR: &str = "TAAP_BENCH_SECRET";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";
const CALLS: u32 = 400;
const TOKENS: u32 = 40;

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn keys() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn serve() -> (Served, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["serve", "--port", "0", "--client-id", "bench", "--client-secret-env", SECRET_VAR])
        .arg("--public-key")
        .arg(keys().join("readme-public.pem"))
        .env(SECRET_VAR, "bench-secret")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap().to_owned();
    (Served(child), url)
}

/// Mean time of `runs` calls of `operation`.
fn mean(runs: u32, mut operation: impl FnMut()) -> Duration {
    operation();
    let start = Instant::now();
    for _ in 0..runs {
        operation();
    }
    start.elapsed() / runs
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture in release mode"]
fn taap_flow_costs_on_loopback() {
    let (_served, url) = serve();
    let key = Arc::new(PrivateKey::from_file(keys().join("readme-private-pkcs8.pem"), None).unwrap());
    let server = OAuthServer::Url(format!("{url}/oauth2/v2/tokens"));
    let client = Arc::new(
        TaapClient::new(ClientConfig::new("bench", "bench-secret", Arc::clone(&key), server)).unwrap(),
    );
    let device = format!("{url}{DEVICE}");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();

    let plain = mean(CALLS, || {
        agent.get(format!("{url}/_taap/stats")).call().unwrap().body_mut().read_to_vec().unwrap();
    });
    let sign = mean(CALLS, || {
        PopToken::for_request(
            &key,
            "GET",
            &device,
            [("Content-Type", "application/json"), ("Authorization", "Bearer x")],
            b"",
        )
        .unwrap();
    });
    let call = mean(CALLS, || {
        assert_eq!(
            client.send("GET", &device, [("Content-Type", "application/json")], b"").unwrap().status,
            200
        );
    });
    let stats_url = format!("{url}/_taap/stats");
    let signed_only = mean(CALLS, || {
        client.send("GET", &stats_url, [("Content-Type", "application/json")], b"").unwrap();
    });
    let token = mean(TOKENS, || {
        client.refresh_access_token().unwrap();
    });
    let threads = 4;
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (client, device) = (Arc::clone(&client), device.clone());
            std::thread::spawn(move || {
                for _ in 0..CALLS / threads {
                    client.send("GET", &device, [("Content-Type", "application/json")], b"").unwrap();
                }
            })
        })
        .collect();
    workers.into_iter().for_each(|worker| worker.join().unwrap());
    let parallel = start.elapsed().as_secs_f64();

    println!("plain loopback GET (no TAAP)          {:>9.1} us", micros(plain));
    println!("PoP token build (RS256, 2048-bit)     {:>9.1} us", micros(sign));
    println!("signed GET, gateway checks nothing    {:>9.1} us", micros(signed_only));
    println!("signed API call, cached access token  {:>9.1} us", micros(call));
    println!("access token fetch (PoP + OAuth v2)   {:>9.1} us", micros(token));
    println!("signed calls/s, {threads} threads, one client  {:>9.0}", f64::from(CALLS) / parallel);
    println!("ratio signed call / plain GET         {:>9.2}", micros(call) / micros(plain));
    println!("ratio signed call / PoP build         {:>9.2}", micros(call) / micros(sign));
    println!("ratio token fetch / signed call       {:>9.2}", micros(token) / micros(call));
}
