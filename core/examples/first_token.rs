//! Times one fresh process for `bench/first-token.sh`: key load, the first token, the second
//! token, in microseconds, as one JSON line. The first token is where a lazily seeded random
//! generator shows up; a short-lived process pays it on every run.

use std::time::Instant;

use taap::{token::BuildOptions, PopToken, PrivateKey};

const PEM: &str = include_str!("../../tests/keys/tmobile/readme-private-pkcs8.pem");
const EHTS: [(&str, &str); 3] = [("uri", "/commerce/v1/orders"), ("http-method", "POST"), ("body", "{}")];

fn micros(start: Instant) -> u128 {
    start.elapsed().as_micros()
}

fn main() -> taap::Result<()> {
    let start = Instant::now();
    let key = PrivateKey::from_pem(PEM, None)?;
    let load = micros(start);
    let start = Instant::now();
    let first = PopToken::build_with(&key, EHTS, &BuildOptions::default())?;
    let first_token = micros(start);
    let start = Instant::now();
    let second = PopToken::build_with(&key, EHTS, &BuildOptions::default())?;
    let second_token = micros(start);
    assert_ne!(first, second, "two tokens share a jti");
    println!(r#"{{"load_us":{load},"first_token_us":{first_token},"second_token_us":{second_token}}}"#);
    Ok(())
}
