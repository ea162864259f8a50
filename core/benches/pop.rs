//! Criterion benchmarks of the core's hot paths, on either crypto backend:
//! `cargo bench -p taap` (aws-lc) or
//! `cargo bench -p taap --no-default-features --features rustcrypto` (pure Rust).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use taap::{token::BuildOptions, validate::ValidatorOptions, PopToken, PopTokenValidator, PrivateKey};

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

fn build(c: &mut Criterion) {
    let key = PrivateKey::from_pem(PEM, None).unwrap();
    let mut group = c.benchmark_group("build");
    for size in [0usize, 1024, 1024 * 1024] {
        let body = vec![b'x'; size];
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::new("body_bytes", size), &body, |b, body| {
            b.iter(|| PopToken::build(&key, docs_ehts(body)).unwrap())
        });
    }
    group.finish();
}

fn validate(c: &mut Criterion) {
    let key = PrivateKey::from_pem(PEM, None).unwrap();
    let values = docs_ehts(b"{}");
    let token =
        PopToken::build_with(&key, values.clone(), &BuildOptions::default().issued_at(1_000)).unwrap();
    let validator = PopTokenValidator::new(ValidatorOptions::default()).unwrap();
    c.bench_function("validate", |b| {
        b.iter(|| validator.validate_at(&token, key.public_key(), &values, 1_005).unwrap())
    });
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.bench_function("pkcs8_pem", |b| b.iter(|| PrivateKey::from_pem(PEM, None).unwrap()));
    group.bench_function("pkcs8_pem_cached", |b| {
        b.iter(|| PrivateKey::from_bytes_cached(PEM.as_bytes(), None).unwrap())
    });
    group.finish();
}

criterion_group!(benches, build, validate, load);
criterion_main!(benches);
