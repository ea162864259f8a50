//! What `PopMetrics` costs: validations per second through `PopLayer` with metrics on against
//! the same layer with metrics off, alternating rounds in one process (the issue's goal: at most
//! 3% fewer). Requests go through the layer in process (no sockets) so the figure is the
//! layer's own; one token is reused with replay detection off, so no round pays for signing.
//!
//! `cargo test --release -p taap-tower --test bench_metrics -- --ignored --nocapture`
//! (`ROUNDS`, `SECS` change the length).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use axum::Router;
use taap::token::BuildOptions;
use taap::validate::ValidatorOptions;
use taap::{PopToken, PopTokenValidator, PrivateKey, PublicKey};
use taap_tower::prometheus_client::registry::Registry;
use taap_tower::{PopLayer, PopMetrics};
use tower::ServiceExt;

const TARGET: &str = "/orders?page=2";

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// `/orders` behind PopLayer, with or without metrics; no replay cache, so one token serves.
fn app(metrics: bool) -> Router {
    let key = PublicKey::from_file(keys_dir().join("readme-public.pem")).unwrap();
    let options = ValidatorOptions {
        required: vec!["uri".into(), "http-method".into(), "body".into()],
        // A long benchmark must not outlive the one token.
        max_age_secs: 3600,
        replay_cache: None,
        ..ValidatorOptions::default()
    };
    let mut layer = PopLayer::new(key).validator(PopTokenValidator::new(options).unwrap());
    if metrics {
        layer = layer.metrics(PopMetrics::new(&mut Registry::default()));
    }
    Router::new().route("/orders", post(|| async { StatusCode::NO_CONTENT })).layer(layer)
}

fn token(body: &[u8]) -> String {
    let key = PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap();
    let url = format!("http://127.0.0.1{TARGET}");
    let options = BuildOptions::default().ttl_secs(3600);
    PopToken::for_request_with(&key, "POST", &url, std::iter::empty::<(&str, &str)>(), body, &options)
        .unwrap()
}

/// Validations per second of `app` over `secs`.
async fn round(app: &Router, pop: &str, body: &'static [u8], secs: u64) -> f64 {
    let (started, mut count) = (Instant::now(), 0u64);
    while started.elapsed() < Duration::from_secs(secs) {
        let request =
            Request::post(TARGET).header(taap::request::POP_HEADER, pop).body(Body::from(body)).unwrap();
        let status = app.clone().oneshot(request).await.unwrap().status();
        assert_eq!(status, StatusCode::NO_CONTENT);
        count += 1;
    }
    count as f64 / started.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "a benchmark: run it with --ignored --release"]
async fn metrics_on_against_metrics_off() {
    let (rounds, secs) = (setting("ROUNDS", 7), setting("SECS", 2));
    let body: &'static [u8] = br#"{"sku":"TMO-5G-HOTSPOT","quantity":2}"#;
    let pop = token(body);
    let (off, on) = (app(false), app(true));
    let (mut without, mut with, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let plain = round(&off, &pop, body, secs).await;
        let counted = round(&on, &pop, body, secs).await;
        ratios.push(counted / plain);
        without.push(plain);
        with.push(counted);
    }
    println!("rounds {rounds} x {secs} s, alternating; medians:");
    println!("metrics off {:.0} validations/s", median(without));
    println!("metrics on  {:.0} validations/s", median(with));
    let ratios_text: Vec<String> = ratios.iter().map(|ratio| format!("{ratio:.3}")).collect();
    println!("on/off per round: {}", ratios_text.join(" "));
    println!("on/off median {:.3}", median(ratios));
}
