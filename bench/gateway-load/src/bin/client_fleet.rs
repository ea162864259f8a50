//! Client fleet on 127.0.0.1: W worker processes, each with its own `TaapClient`, make N signed
//! calls each through one `taap serve` whose access tokens live a few seconds, so the run
//! spans several refresh windows. Run once with each client fetching its own token and once
//! with a shared Redis token store; the gateway's own count of token requests is compared
//! with the number of refresh windows (goal with the store: one request per window, not W).
//! Prints a markdown report; exits 1 if a call failed or the store run made more requests
//! than windows.

#[path = "../redis_server.rs"]
mod redis_server;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis_server::{Process, Redis};
use taap::{client::ClientConfig, client::OAuthServer, PrivateKey, TaapClient};

const CLIENT_ID: &str = "client-fleet";
const SECRET: &str = "client-fleet-secret-2b7f";
const SECRET_VAR: &str = "TAAP_CLIENT_FLEET_SECRET";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";

struct Settings {
    taap: PathBuf,
    keys: PathBuf,
    workers: usize,
    calls: usize,
    token_ttl: u64,
    /// Worker mode: the gateway's URL and the store (empty: none).
    worker: Option<(String, String)>,
}

impl Settings {
    fn from_args() -> Settings {
        let mut settings = Settings {
            taap: PathBuf::from("target/release/taap"),
            keys: PathBuf::from("tests/keys"),
            workers: 8,
            calls: 2000,
            token_ttl: 4,
            worker: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let value = args.next().unwrap_or_else(|| panic!("{flag} needs a value"));
            match flag.as_str() {
                "--taap" => settings.taap = value.into(),
                "--keys" => settings.keys = value.into(),
                "--workers" => settings.workers = value.parse().expect("--workers N"),
                "--calls" => settings.calls = value.parse().expect("--calls N"),
                "--token-ttl" => settings.token_ttl = value.parse().expect("--token-ttl SECS"),
                "--worker" => {
                    let store = args.next().expect("--worker URL STORE");
                    settings.worker = Some((value, store));
                }
                _ => panic!("unknown flag {flag}"),
            }
        }
        settings
    }
}

/// One worker: its own client, `calls` signed GETs; prints how many were answered 200.
fn worker(settings: &Settings, url: &str, store: &str) -> ExitCode {
    let key = PrivateKey::from_file(settings.keys.join("tmobile/readme-private-pkcs8.pem"), None).unwrap();
    let server = OAuthServer::Url(format!("{url}/oauth2/v2/tokens"));
    let mut config = ClientConfig::new(CLIENT_ID, SECRET, Arc::new(key), server);
    if !store.is_empty() {
        config.token_store = Some(taap::client::token_store_from_url(store).expect("a store URL"));
    }
    let client = TaapClient::new(config).expect("client");
    let device = format!("{url}{DEVICE}");
    let ok = (0..settings.calls)
        .filter(|_| {
            client.send("GET", &device, [("Accept", "application/json")], b"").is_ok_and(|r| r.status == 200)
        })
        .count();
    println!("{ok}");
    ExitCode::SUCCESS
}

fn start_gateway(settings: &Settings) -> (Process, SocketAddr) {
    let mut child = Command::new(&settings.taap)
        .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
        .arg("--public-key")
        .arg(settings.keys.join("tmobile/readme-public.pem"))
        .args(["--token-ttl", &settings.token_ttl.to_string()])
        .env(SECRET_VAR, SECRET)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", settings.taap.display()));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("listening on http://").and_then(|a| a.parse().ok());
    (Process(child), address.unwrap_or_else(|| panic!("unexpected line from taap serve: {line:?}")))
}

/// The gateway's count of token requests (`GET /_taap/stats`).
fn token_requests(address: SocketAddr) -> u64 {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET /_taap/stats HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    let stats: serde_json::Value = serde_json::from_str(body).expect("stats JSON");
    stats["token_requests"].as_u64().expect("token_requests")
}

/// One run on a fresh gateway: (calls answered 200, token requests, wall time).
fn run(settings: &Settings, store: &str) -> (usize, u64, Duration) {
    let (_gateway, address) = start_gateway(settings);
    let me = std::env::current_exe().unwrap();
    let started = Instant::now();
    let workers: Vec<_> = (0..settings.workers)
        .map(|_| {
            Command::new(&me)
                .args(["--keys".as_ref(), settings.keys.as_os_str()])
                .args([
                    "--calls",
                    &settings.calls.to_string(),
                    "--worker",
                    &format!("http://{address}"),
                    store,
                ])
                .stdout(Stdio::piped())
                .spawn()
                .expect("a worker starts")
        })
        .collect();
    let ok = workers
        .into_iter()
        .map(|worker| {
            let output = worker.wait_with_output().expect("a worker ends");
            String::from_utf8_lossy(&output.stdout).trim().parse::<usize>().unwrap_or(0)
        })
        .sum();
    (ok, token_requests(address), started.elapsed())
}

fn main() -> ExitCode {
    let settings = Settings::from_args();
    if let Some((url, store)) = &settings.worker {
        return worker(&settings, url, store);
    }
    let redis = Redis::start();
    let store = format!("redis://127.0.0.1:{}/0", redis.port);
    // A token is refreshed at half its life (its lifetime is under twice the 60 s margin).
    let window = Duration::from_secs(settings.token_ttl) / 2;
    println!(
        "## Client fleet: {} worker processes × {} calls through one `taap serve` ({} s tokens, refreshed every {} ms)\n",
        settings.workers,
        settings.calls,
        settings.token_ttl,
        window.as_millis()
    );
    println!(
        "| run | calls answered 200 | wall s | calls/s | refresh windows | token requests | per window |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut failed = false;
    for (name, store) in [("each worker alone", ""), ("shared Redis token store", store.as_str())] {
        let (ok, requests, wall) = run(&settings, store);
        let windows = (wall.as_millis() / window.as_millis()) as u64 + 1;
        println!(
            "| {name} | {ok} | {:.1} | {:.0} | {windows} | {requests} | {:.2} |",
            wall.as_secs_f64(),
            ok as f64 / wall.as_secs_f64(),
            requests as f64 / windows as f64
        );
        failed |= ok < settings.workers * settings.calls || (!store.is_empty() && requests > windows);
    }
    if failed {
        println!(
            "\nFAILED: a call was not answered 200, or the store run made more token requests than windows"
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
