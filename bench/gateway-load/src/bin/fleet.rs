//! Fleet load on 127.0.0.1: three `taap serve` nodes sharing one `redis-server` replay store
//! (and one access-token key), against one node with its in-memory cache, same requests.
//! Calls go round-robin; every tenth token is replayed on a *different* node and must be
//! refused. Then Redis is stopped mid-run: nothing may be accepted while it is down, and the
//! time to the first accept after it returns is measured. Prints a markdown report; exits 1
//! on any accepted replay, wrong decision, or accept during the outage.

#[path = "../http.rs"]
mod http;
#[path = "../redis_server.rs"]
mod redis_server;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{request_bytes, Connection};
use redis_server::{Process, Redis};
use taap::{client::ClientConfig, client::OAuthServer, PopToken, PrivateKey, TaapClient};

const CLIENT_ID: &str = "fleet";
const SECRET: &str = "fleet-secret-8e2a";
const SECRET_VAR: &str = "TAAP_FLEET_LOAD_SECRET";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";

struct Settings {
    taap: PathBuf,
    keys: PathBuf,
    requests: usize,
    workers: usize,
    outage_secs: u64,
}

impl Settings {
    fn from_args() -> Settings {
        let mut settings = Settings {
            taap: PathBuf::from("target/release/taap"),
            keys: PathBuf::from("tests/keys"),
            requests: 100_000,
            workers: 4,
            outage_secs: 5,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let value = args.next().unwrap_or_else(|| panic!("{flag} needs a value"));
            match flag.as_str() {
                "--taap" => settings.taap = value.into(),
                "--keys" => settings.keys = value.into(),
                "--requests" => settings.requests = value.parse().expect("--requests N"),
                "--workers" => settings.workers = value.parse().expect("--workers N"),
                "--outage-secs" => settings.outage_secs = value.parse().expect("--outage-secs S"),
                _ => panic!("unknown flag {flag}"),
            }
        }
        settings
    }
}

struct Node {
    _process: Process,
    address: SocketAddr,
}

fn start_node(settings: &Settings, store: &str) -> Node {
    let mut child = Command::new(&settings.taap)
        .args(["serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", SECRET_VAR])
        .arg("--public-key")
        .arg(settings.keys.join("tmobile/readme-public.pem"))
        .arg("--token-signing-key")
        .arg(settings.keys.join("tmobile/dotnet-private-pkcs8.pem"))
        .args(["--replay-store", store])
        .env(SECRET_VAR, SECRET)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", settings.taap.display()));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("listening on http://").and_then(|a| a.parse().ok());
    Node {
        address: address.unwrap_or_else(|| panic!("unexpected line from taap serve: {line:?}")),
        _process: Process(child),
    }
}

/// What one run saw.
#[derive(Default)]
struct Tally {
    fresh: u64,
    replays: u64,
    replays_accepted: u64,
    wrong: u64,
    unavailable: u64,
    transport_errors: u64,
    accepted_while_down: u64,
    latencies_us: Vec<u64>,
    /// Send instants (since the run started) of accepted fresh requests.
    accepted_at: Vec<Duration>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.fresh += other.fresh;
        self.replays += other.replays;
        self.replays_accepted += other.replays_accepted;
        self.wrong += other.wrong;
        self.unavailable += other.unavailable;
        self.transport_errors += other.transport_errors;
        self.accepted_while_down += other.accepted_while_down;
        self.latencies_us.extend(other.latencies_us);
        self.accepted_at.extend(other.accepted_at);
    }
}

/// When Redis is down, as offsets from the run's start (shared with the workers).
#[derive(Default)]
struct Outage {
    down: AtomicBool,
}

struct Run<'a> {
    nodes: &'a [SocketAddr],
    key: &'a PrivateKey,
    bearer: &'a str,
    started: Instant,
    outage: &'a Outage,
    workers: usize,
}

impl Run<'_> {
    /// One worker: `count` fresh calls (or until `until`), every tenth replayed on the next node.
    fn worker(&self, worker: usize, count: usize, until: Option<Instant>) -> Tally {
        let mut connections: Vec<Connection> = self.nodes.iter().map(|a| Connection::new(*a)).collect();
        let mut tally = Tally::default();
        let mut i = worker;
        while tally.fresh < count as u64 && until.is_none_or(|until| Instant::now() < until) {
            let node = i % self.nodes.len();
            let pop = PopToken::for_request(self.key, "GET", DEVICE, [("Authorization", self.bearer)], b"")
                .unwrap();
            let wire = request_bytes(
                "GET",
                DEVICE,
                &[("Authorization", self.bearer.into()), ("X-Authorization", pop)],
                &[],
            );
            let was_down = self.outage.down.load(Ordering::SeqCst);
            let sent = Instant::now();
            let answer = connections[node].exchange(&wire);
            tally.fresh += 1;
            match answer {
                Ok(answer) if answer.status == 200 => {
                    tally.latencies_us.push(sent.elapsed().as_micros() as u64);
                    tally.accepted_at.push(sent - self.started);
                    if was_down && self.outage.down.load(Ordering::SeqCst) {
                        tally.accepted_while_down += 1;
                    }
                }
                Ok(answer) if answer.status == 503 && answer.body.windows(5).any(|w| w == b"redis") => {
                    tally.unavailable += 1
                }
                Ok(_) => tally.wrong += 1,
                Err(_) => tally.transport_errors += 1,
            }
            if i.is_multiple_of(10) {
                let other = (node + 1) % self.nodes.len();
                tally.replays += 1;
                match connections[other].exchange(&wire) {
                    Ok(answer) if answer.status == 200 => tally.replays_accepted += 1,
                    Ok(answer) if answer.status == 401 && answer.says("Replay") => {}
                    Ok(answer) if answer.status == 503 => tally.unavailable += 1,
                    Ok(_) => tally.wrong += 1,
                    Err(_) => tally.transport_errors += 1,
                }
            }
            // Worker w takes calls w, w + workers, …: together, round-robin over the nodes.
            i += self.workers;
        }
        tally
    }
}

fn run(
    settings: &Settings,
    nodes: &[SocketAddr],
    key: &PrivateKey,
    bearer: &str,
    outage: &Outage,
    until: Option<Instant>,
) -> (Tally, Duration) {
    let started = Instant::now();
    let run = Run { nodes, key, bearer, started, outage, workers: settings.workers };
    // A timed run goes on until its end; a counted one stops after its share.
    let per_worker = if until.is_some() { usize::MAX } else { settings.requests.div_ceil(settings.workers) };
    let mut tally = Tally::default();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..settings.workers)
            .map(|w| {
                scope.spawn({
                    let run = &run;
                    move || run.worker(w, per_worker, until)
                })
            })
            .collect();
        for handle in handles {
            tally.merge(handle.join().expect("worker"));
        }
    });
    (tally, started.elapsed())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)] as f64 / 1000.0
}

fn report(name: &str, tally: &mut Tally, wall: Duration) {
    tally.latencies_us.sort_unstable();
    let total = tally.fresh + tally.replays;
    println!(
        "| {name} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {} | {} | {} |",
        tally.fresh,
        tally.replays,
        total as f64 / wall.as_secs_f64(),
        percentile(&tally.latencies_us, 0.5),
        percentile(&tally.latencies_us, 0.99),
        tally.replays_accepted,
        tally.wrong,
        tally.unavailable,
        tally.transport_errors,
    );
}

/// Waits until every node accepts: a Redis that just started refuses tokens that may predate
/// it, for up to the validator's leeway (10 s).
fn warm_up(nodes: &[SocketAddr], key: &PrivateKey, bearer: &str) -> Duration {
    let started = Instant::now();
    for node in nodes {
        let mut connection = Connection::new(*node);
        loop {
            let pop = PopToken::for_request(key, "GET", DEVICE, [("Authorization", bearer)], b"").unwrap();
            let wire = request_bytes(
                "GET",
                DEVICE,
                &[("Authorization", bearer.into()), ("X-Authorization", pop)],
                &[],
            );
            if connection.exchange(&wire).is_ok_and(|answer| answer.status == 200) {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the fleet did not accept within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    started.elapsed()
}

fn access_token(node: SocketAddr, key: &Arc<PrivateKey>) -> String {
    let server = OAuthServer::Url(format!("http://{node}/oauth2/v2/tokens"));
    let client =
        TaapClient::new(ClientConfig::new(CLIENT_ID, SECRET, Arc::clone(key), server)).expect("client");
    format!("Bearer {}", client.access_token().expect("an access token").secret())
}

fn main() -> ExitCode {
    let settings = Settings::from_args();
    let key = Arc::new(
        PrivateKey::from_file(settings.keys.join("tmobile/readme-private-pkcs8.pem"), None).unwrap(),
    );
    let mut redis = Redis::start();
    let store = format!("redis://127.0.0.1:{}/0", redis.port);
    let fleet_nodes: Vec<Node> = (0..3).map(|_| start_node(&settings, &store)).collect();
    let fleet: Vec<SocketAddr> = fleet_nodes.iter().map(|node| node.address).collect();
    let single_node = start_node(&settings, "memory");
    let bearer = access_token(fleet[0], &key);
    let outage = Outage::default();
    let warm = warm_up(&fleet, &key, &bearer);

    println!(
        "## Fleet: three `taap serve` nodes, one Redis replay store ({} workers on loopback)\n",
        settings.workers
    );
    println!("| run | fresh calls | cross-node replays | req/s | p50 ms | p99 ms | replays accepted | wrong decisions | 503 store unavailable | transport errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut shared, wall) = run(&settings, &fleet, &key, &bearer, &outage, None);
    report("3 nodes, Redis", &mut shared, wall);
    let (mut alone, wall) = run(&settings, &[single_node.address], &key, &bearer, &outage, None);
    report("1 node, in-memory cache (replays on the same node)", &mut alone, wall);

    // Redis down for `outage_secs` from 3 s into a run long enough to see the recovery (the
    // leeway after the restart).
    let length = Duration::from_secs(settings.outage_secs + 15);
    let started = Instant::now();
    let (mut during, resumed_at) = std::thread::scope(|scope| {
        let load = scope.spawn(|| run(&settings, &fleet, &key, &bearer, &outage, Some(started + length)));
        std::thread::sleep(Duration::from_secs(3));
        // The flag is up only while Redis is certainly gone: after the kill, before the restart.
        redis.stop();
        outage.down.store(true, Ordering::SeqCst);
        std::thread::sleep(Duration::from_secs(settings.outage_secs));
        outage.down.store(false, Ordering::SeqCst);
        let resume_started = started.elapsed();
        redis.resume();
        (load.join().expect("load").0, resume_started)
    });
    report(&format!("3 nodes, Redis stopped {} s mid-run", settings.outage_secs), &mut during, length);
    let recovered =
        during.accepted_at.iter().filter(|at| **at >= resumed_at).min().map(|at| *at - resumed_at);
    println!(
        "\nRedis outage: {} requests accepted while it was down (sent after the kill, answered before the restart); first accept {} after the restart began (a fresh Redis: {} ms from start to the first accept; tokens that may predate it are refused for up to the 10 s leeway).",
        during.accepted_while_down,
        recovered.map_or("never".into(), |d| format!("{} ms", d.as_millis())),
        warm.as_millis(),
    );
    let bad = shared.replays_accepted
        + shared.wrong
        + alone.replays_accepted
        + alone.wrong
        + during.replays_accepted
        + during.wrong
        + during.accepted_while_down;
    if bad > 0 || shared.fresh < settings.requests as u64 || recovered.is_none() {
        println!("\nFAILED: {bad} accepted replays, wrong decisions or accepts while Redis was down");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
