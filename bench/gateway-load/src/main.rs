//! Load and faults against `taap serve` on 127.0.0.1: a mix of valid and invalid PoP-signed
//! requests with known expected answers, first alone, then alongside slow-loris, slow-body,
//! oversized-body and idle clients. Prints a markdown report; exits 1 on any wrong decision.
//!
//! `bench/gateway-load.sh` builds `taap` and runs this; see its header for the options.

mod attackers;
mod http;
mod requests;
mod served;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use attackers::{Attack, Outcome};
use http::Connection;
use requests::{Kind, Signer};
use served::Served;
use taap::{client::ClientConfig, client::OAuthServer, PrivateKey, TaapClient};

/// The run's settings, from `--name value` flags.
struct Settings {
    taap: PathBuf,
    keys: PathBuf,
    workers: usize,
    baseline_secs: u64,
    attack_secs: u64,
    min_requests: u64,
    rate: u64,
    loris: usize,
    slow_bodies: usize,
    oversized: usize,
    idle: usize,
    header_timeout_secs: u64,
}

impl Settings {
    fn from_args() -> Settings {
        let mut settings = Settings {
            taap: PathBuf::from("target/release/taap"),
            keys: PathBuf::from("tests/keys"),
            workers: 4,
            baseline_secs: 60,
            attack_secs: 90,
            min_requests: 100_000,
            rate: 0,
            loris: 200,
            slow_bodies: 50,
            oversized: 2,
            idle: 100,
            header_timeout_secs: 5,
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        for pair in args.chunks(2) {
            let [flag, value] = pair else { usage(&format!("{} needs a value", pair[0])) };
            let number = || value.parse::<u64>().unwrap_or_else(|_| usage(&format!("{flag} takes a number")));
            match flag.as_str() {
                "--taap" => settings.taap = value.into(),
                "--keys" => settings.keys = value.into(),
                "--workers" => settings.workers = number() as usize,
                "--baseline-secs" => settings.baseline_secs = number(),
                "--attack-secs" => settings.attack_secs = number(),
                "--min-requests" => settings.min_requests = number(),
                "--rate" => settings.rate = number(),
                "--loris" => settings.loris = number() as usize,
                "--slow-bodies" => settings.slow_bodies = number() as usize,
                "--oversized" => settings.oversized = number() as usize,
                "--idle" => settings.idle = number() as usize,
                "--header-timeout" => settings.header_timeout_secs = number(),
                _ => usage(&format!("unknown flag {flag}")),
            }
        }
        settings
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("gateway-load: {problem}\nflags: --taap PATH --keys DIR --workers N --baseline-secs S --attack-secs S --min-requests N --rate REQ_PER_S --loris N --slow-bodies N --oversized N --idle N --header-timeout S");
    std::process::exit(2)
}

/// What the legitimate clients saw in one phase.
#[derive(Default)]
struct Tally {
    requests: u64,
    latencies_us: Vec<u32>,
    by_kind: BTreeMap<Kind, (u64, u64)>,
    transport_errors: u64,
    /// Valid requests refused because the replay cache was full (fail-closed, by design).
    cache_full: u64,
    wrong: Vec<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.latencies_us.extend(other.latencies_us);
        for (kind, (total, wrong)) in other.by_kind {
            let entry = self.by_kind.entry(kind).or_default();
            entry.0 += total;
            entry.1 += wrong;
        }
        self.transport_errors += other.transport_errors;
        self.cache_full += other.cache_full;
        self.wrong.extend(other.wrong.into_iter().take(10));
    }

    fn wrong_decisions(&self) -> u64 {
        self.by_kind.values().map(|(_, wrong)| wrong).sum::<u64>() + self.transport_errors
    }

    fn percentile_ms(&mut self, percent: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        self.latencies_us.sort_unstable();
        let rank = ((percent / 100.0) * (self.latencies_us.len() - 1) as f64).round() as usize;
        f64::from(self.latencies_us[rank]) / 1000.0
    }
}

/// What the gateway says when its replay cache is full.
const CACHE_FULL: &str = "the replay cache is full";

/// One legitimate client: cycles through the mix on a kept-alive connection until `deadline`.
/// Requests one worker sends at most per second (`None`: as fast as it can).
fn worker(
    served_address: std::net::SocketAddr,
    signer: &Signer<'_>,
    offset: usize,
    deadline: Instant,
    pace: Option<Duration>,
) -> Tally {
    let mut next_slot = Instant::now();
    let mut connection = Connection::new(served_address);
    let mut tally = Tally::default();
    let mut last_accepted: Option<Vec<u8>> = None;
    let mut turn = offset;
    while Instant::now() < deadline {
        if let Some(interval) = pace {
            std::thread::sleep(next_slot.saturating_duration_since(Instant::now()));
            next_slot += interval;
        }
        let kind = match Kind::MIX[turn % Kind::MIX.len()] {
            // Nothing to replay yet on this connection: make it a valid call instead.
            Kind::Replayed if last_accepted.is_none() => Kind::ValidGet,
            kind => kind,
        };
        turn += 1;
        let request = signer.request(kind, last_accepted.as_deref());
        let started = Instant::now();
        let answer = connection.exchange(&request);
        let elapsed = started.elapsed();
        tally.requests += 1;
        tally.latencies_us.push(elapsed.as_micros().min(u128::from(u32::MAX)) as u32);
        let entry = tally.by_kind.entry(kind).or_default();
        entry.0 += 1;
        match answer {
            Ok(answer) if kind.is_right(&answer) => {
                if kind.is_valid() {
                    last_accepted = Some(request);
                }
            }
            Ok(answer) if kind.is_valid() && answer.says(CACHE_FULL) => tally.cache_full += 1,
            Ok(answer) => {
                entry.1 += 1;
                if tally.wrong.len() < 10 {
                    tally.wrong.push(format!(
                        "{kind:?}: HTTP {} {}",
                        answer.status,
                        String::from_utf8_lossy(&answer.body)
                    ));
                }
            }
            Err(error) => {
                tally.transport_errors += 1;
                if tally.wrong.len() < 10 {
                    tally.wrong.push(format!("{kind:?}: {error}"));
                }
            }
        }
    }
    tally
}

/// Memory and CPU of the gateway, sampled once a second while a phase runs.
#[derive(Default)]
struct Samples {
    rss_kib: Vec<u64>,
    max_fds: usize,
}

fn run_phase(
    settings: &Settings,
    served: &Served,
    signer: &Signer<'_>,
    seconds: u64,
    attacks: bool,
) -> (Tally, Vec<(Attack, Outcome)>, Samples, f64, f64) {
    let stop = AtomicBool::new(false);
    let outcomes: Vec<(Attack, Mutex<Outcome>)> =
        Attack::ALL.iter().map(|&attack| (attack, Mutex::default())).collect();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let cpu_before = served.cpu_secs();
    let started = Instant::now();
    let mut samples = Samples::default();
    let tally = std::thread::scope(|scope| {
        if attacks {
            for (attack, outcome) in &outcomes {
                let count = match attack {
                    Attack::SlowLoris => settings.loris,
                    Attack::SlowBody => settings.slow_bodies,
                    Attack::OversizedBody => settings.oversized,
                    Attack::Idle => settings.idle,
                };
                for _ in 0..count {
                    let (stop, address) = (&stop, served.address);
                    scope.spawn(move || attackers::run(*attack, address, stop, outcome));
                }
            }
        }
        let workers: Vec<_> = (0..settings.workers)
            .map(|index| {
                let address = served.address;
                let pace = (settings.rate > 0)
                    .then(|| Duration::from_secs_f64(settings.workers as f64 / settings.rate as f64));
                scope.spawn(move || worker(address, signer, index * 7, deadline, pace))
            })
            .collect();
        while Instant::now() < deadline {
            samples.rss_kib.push(served.rss_kib());
            samples.max_fds = samples.max_fds.max(served.open_fds());
            std::thread::sleep(Duration::from_secs(1));
        }
        let mut tally = Tally::default();
        for handle in workers {
            tally.merge(handle.join().expect("a load worker panicked"));
        }
        stop.store(true, Ordering::Relaxed);
        tally
    });
    let wall = started.elapsed().as_secs_f64();
    let cpu = served.cpu_secs() - cpu_before;
    let outcomes =
        outcomes.into_iter().map(|(attack, outcome)| (attack, outcome.into_inner().unwrap())).collect();
    (tally, outcomes, samples, wall, cpu)
}

fn report_phase(name: &str, tally: &mut Tally, samples: &Samples, wall: f64, cpu: f64) {
    let rate = tally.requests as f64 / wall;
    let [p50, p90, p99, max] = [50.0, 90.0, 99.0, 100.0].map(|percent| tally.percentile_ms(percent));
    println!(
        "| {name} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} | {} | {} | {} | {} / {} / {} | {} |",
        tally.requests,
        rate,
        p50,
        p90,
        p99,
        max,
        cpu * 1e6 / tally.requests.max(1) as f64,
        tally.wrong_decisions(),
        tally.cache_full,
        tally.transport_errors,
        samples.rss_kib.first().copied().unwrap_or(0) / 1024,
        samples.rss_kib.iter().max().copied().unwrap_or(0) / 1024,
        samples.rss_kib.last().copied().unwrap_or(0) / 1024,
        samples.max_fds,
    );
}

fn main() -> std::process::ExitCode {
    let settings = Settings::from_args();
    let key = Arc::new(
        PrivateKey::from_file(settings.keys.join("tmobile/readme-private-pkcs8.pem"), None)
            .expect("the README key loads"),
    );
    let stranger = PrivateKey::from_file(settings.keys.join("tmobile/dotnet-private-pkcs8.pem"), None)
        .expect("the .NET key loads");
    let served = Served::start(
        &settings.taap,
        &settings.keys.join("tmobile/readme-public.pem"),
        settings.header_timeout_secs,
    );
    let token_url = format!("http://{}/oauth2/v2/tokens", served.address);
    let client = TaapClient::new(ClientConfig::new(
        served::CLIENT_ID,
        served::SECRET,
        Arc::clone(&key),
        OAuthServer::Url(token_url),
    ))
    .expect("client configuration");
    let access = client.access_token().expect("the gateway issues an access token");
    let signer = Signer { key: &key, stranger: &stranger, bearer: format!("Bearer {}", access.secret()) };

    let pace = if settings.rate > 0 { format!("at most {} req/s", settings.rate) } else { "unpaced".into() };
    println!(
        "## taap serve under load ({} workers on loopback, {pace}, 2 gateway threads)\n",
        settings.workers
    );
    println!("| phase | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | gateway CPU µs/req | wrong decisions | valid refused: replay cache full | transport errors | RSS MiB start / peak / end | max open fds |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    let (mut baseline, _, baseline_samples, wall, cpu) =
        run_phase(&settings, &served, &signer, settings.baseline_secs, false);
    report_phase("valid + invalid mix", &mut baseline, &baseline_samples, wall, cpu);
    let (mut attacked, outcomes, attacked_samples, wall, cpu) =
        run_phase(&settings, &served, &signer, settings.attack_secs, true);
    report_phase("same mix, with slow and oversized clients", &mut attacked, &attacked_samples, wall, cpu);

    let total = baseline.requests + attacked.requests;
    let wrong = baseline.wrong_decisions() + attacked.wrong_decisions();
    println!("\nDecisions by kind (both phases): expected answer, requests, wrong\n");
    println!("| kind | expected | requests | wrong |\n|---|---|---:|---:|");
    let mut kinds = baseline.by_kind.clone();
    for (kind, (count, bad)) in &attacked.by_kind {
        let entry = kinds.entry(*kind).or_default();
        entry.0 += count;
        entry.1 += bad;
    }
    for (kind, (count, bad)) in &kinds {
        let (status, description) = kind.expected();
        println!("| {kind:?} | {} | {count} | {bad} |", format!("{status} {description}").trim_end());
    }
    println!("\nMisbehaving clients (second phase, header deadline {} s)\n", settings.header_timeout_secs);
    println!("| client | concurrent clients | connections the gateway ended | still open at the end | longest held (s) | answers |\n|---|---:|---:|---:|---:|---|");
    for (attack, outcome) in &outcomes {
        let count = match attack {
            Attack::SlowLoris => settings.loris,
            Attack::SlowBody => settings.slow_bodies,
            Attack::OversizedBody => settings.oversized,
            Attack::Idle => settings.idle,
        };
        println!(
            "| {} | {count} | {} | {} | {:.1} | {:?} |",
            attack.name(),
            outcome.ended,
            outcome.still_open,
            outcome.longest_secs,
            outcome.statuses
        );
    }
    let cache_full = baseline.cache_full + attacked.cache_full;
    println!("\n{total} requests, {wrong} wrong decisions, {cache_full} valid requests refused because the replay cache was full");
    for line in baseline.wrong.iter().chain(&attacked.wrong).take(10) {
        eprintln!("wrong: {line}");
    }
    if total < settings.min_requests {
        eprintln!("only {total} requests; the run needs at least {}", settings.min_requests);
    }
    // Returning (rather than exiting) drops `served`, which stops the gateway.
    if wrong > 0 || total < settings.min_requests {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
