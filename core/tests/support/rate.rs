//! Tokens per second for the signer benchmarks (ignored tests): rounds alternate between the
//! signers compared, so that both see the same machine load.

use std::time::{Duration, Instant};

/// Tokens per second `threads` threads reach, each calling `build` for `seconds`.
pub fn tokens_per_second(threads: usize, seconds: f64, build: &(dyn Fn() + Sync)) -> f64 {
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let built: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut count = 0;
                    while Instant::now() < until {
                        build();
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        workers.into_iter().map(|worker| worker.join().unwrap()).sum()
    });
    built as f64 / started.elapsed().as_secs_f64()
}

/// The median of each contender's rates over `rounds` alternating rounds.
pub fn medians(rounds: usize, contenders: &[(&str, usize, &(dyn Fn() + Sync))]) -> Vec<(String, f64)> {
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); contenders.len()];
    for _ in 0..rounds {
        for (index, (_, threads, build)) in contenders.iter().enumerate() {
            rates[index].push(tokens_per_second(*threads, 1.0, *build));
        }
    }
    contenders
        .iter()
        .zip(rates)
        .map(|((name, _, _), mut rates)| {
            rates.sort_by(f64::total_cmp);
            (name.to_string(), rates[rates.len() / 2])
        })
        .collect()
}
