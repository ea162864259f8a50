//! Measures the core's throughput for `bench/compare.sh`: one JSON line per figure.
//!
//! Each operation runs on one thread for a budget of CPU time (TAAP_BENCH_SECS, default 3) and
//! is timed in CPU seconds (user + system), like `openssl speed`, so that other load on the
//! machine does not skew the ratios.

use std::time::Duration;

use taap::{
    token::BuildOptions, token::Ehts, validate::ValidatorOptions, PopToken, PopTokenValidator, PrivateKey,
};

const PEM: &str = include_str!("../../tests/keys/tmobile/readme-private-pkcs8.pem");

fn docs_ehts(body: &[u8]) -> Vec<(&'static str, &[u8])> {
    vec![
        ("Content-Type", b"application/json"),
        ("Authorization", b"Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"),
        ("uri", b"/commerce/v1/orders"),
        ("http-method", b"POST"),
        ("body", body),
    ]
}

/// CPU time this process has used (user + system).
fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Runs `operation` repeatedly for `budget` of CPU time and returns operations per CPU second.
fn rate(budget: Duration, mut operation: impl FnMut()) -> f64 {
    operation();
    let start = cpu_time();
    let mut count = 0u64;
    while cpu_time() - start < budget {
        for _ in 0..8 {
            operation();
        }
        count += 8;
    }
    count as f64 / (cpu_time() - start).as_secs_f64()
}

fn emit(name: &str, per_second: f64) {
    println!("{{\"name\":\"{name}\",\"per_second\":{per_second:.1}}}");
}

fn main() {
    let seconds = std::env::var("TAAP_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let budget = Duration::from_secs(seconds);
    let only = std::env::args().nth(1);
    let wanted = |name: &str| only.as_deref().is_none_or(|only| only == name);
    let key = PrivateKey::from_pem(PEM, None).unwrap();
    let empty = docs_ehts(b"");
    let mebibyte = vec![b'x'; 1024 * 1024];

    if wanted("build_empty_body") {
        emit("build_empty_body", rate(budget, || drop(PopToken::build(&key, empty.clone()).unwrap())));
    }
    if wanted("build_1mib_body") {
        let big = docs_ehts(&mebibyte);
        emit("build_1mib_body", rate(budget, || drop(PopToken::build(&key, big.clone()).unwrap())));
    }
    if wanted("hash_1mib") {
        emit("hash_1mib", rate(budget, || drop(Ehts::from_pairs([("body", &mebibyte)]).unwrap().edts())));
    }
    if wanted("validate") {
        let token =
            PopToken::build_with(&key, empty.clone(), &BuildOptions::default().issued_at(1_000)).unwrap();
        let validator = PopTokenValidator::new(ValidatorOptions::default()).unwrap();
        emit(
            "validate",
            rate(budget, || drop(validator.validate_at(&token, key.public_key(), &empty, 1_005).unwrap())),
        );
    }
    if wanted("validate_replay") {
        // A fresh jti per call through the replay cache, as a gateway sees traffic: the tokens
        // are signed before the timed loop, and the cache starts empty again after each lap.
        let tokens: Vec<String> = (0..2_000)
            .map(|n| {
                let options = BuildOptions::default().issued_at(1_000).jti(format!("jti-{n}"));
                PopToken::build_with(&key, empty.clone(), &options).unwrap()
            })
            .collect();
        let replay_validator = || {
            PopTokenValidator::new(ValidatorOptions { replay_cache: Some(100_000), ..Default::default() })
                .unwrap()
        };
        let (mut validator, mut index) = (replay_validator(), 0);
        emit(
            "validate_replay",
            rate(budget, || {
                if index == tokens.len() {
                    (validator, index) = (replay_validator(), 0);
                }
                validator.validate_at(&tokens[index], key.public_key(), &empty, 1_005).unwrap();
                index += 1;
            }),
        );
    }
    if wanted("load_pkcs8_pem") {
        emit("load_pkcs8_pem", rate(budget, || drop(PrivateKey::from_pem(PEM, None).unwrap())));
    }
}
