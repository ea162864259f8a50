//! The Rust side of the C benchmark: `PopToken::build` tokens per second of thread CPU time,
//! with the same key, ehts and iteration count as `pop_bench.c`, so the two figures differ by
//! the FFI layer alone. CPU time rather than wall time: other processes on the machine then
//! do not count.
//!
//!   cargo run --release -p taap-c --example bench-core -- KEY.pem ITERATIONS

use taap::{PopToken, PrivateKey};

/// The ehts of the docs' order POST, the same five entries `pop_bench.c` signs.
const EHTS: [(&str, &str); 5] = [
    ("Content-Type", "application/json"),
    ("Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"),
    ("uri", "/commerce/v1/orders"),
    ("http-method", "POST"),
    ("body", r#"{"orderId": 100, "product": "Mobile Phone"}"#),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(key_path), Some(iterations)) = (args.next(), args.next()) else {
        return Err("usage: bench-core KEY.pem ITERATIONS".into());
    };
    let iterations: u32 = iterations.parse()?;
    let key = PrivateKey::from_file(key_path, None)?;
    for _ in 0..iterations / 10 {
        std::hint::black_box(PopToken::build(&key, EHTS)?);
    }
    let start = thread_cpu_seconds();
    for _ in 0..iterations {
        std::hint::black_box(PopToken::build(&key, EHTS)?);
    }
    let seconds = thread_cpu_seconds() - start;
    println!("tokens_per_sec={:.1}", f64::from(iterations) / seconds);
    Ok(())
}

/// CPU time this thread has used, in seconds (the clock `pop_bench.c` reads too).
fn thread_cpu_seconds() -> f64 {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec.
    let result = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(result, 0, "CLOCK_THREAD_CPUTIME_ID is available on Linux");
    now.tv_sec as f64 + now.tv_nsec as f64 / 1e9
}
