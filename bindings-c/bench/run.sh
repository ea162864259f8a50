#!/usr/bin/env bash
# Benchmarks taap_pop_token_build (C, through libtaap.a and libtaap.so) against the Rust
# core's PopToken::build in the same run: same key (2048-bit), same five ehts entries, one
# thread, tokens per second of thread CPU time (so other load on the machine does not count).
# The programs run in alternation, ROUNDS times each; the median and the best round of each
# are reported with their ratios to the core's (the best round is the least disturbed by
# other load on the machine).
#   bindings-c/bench/run.sh [ITERATIONS [ROUNDS]]     (default 1000 tokens, 15 rounds)
# Honours CARGO_TARGET_DIR (default: the workspace's target/).
set -euo pipefail

iterations="${1:-1000}"
rounds="${2:-15}"
crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(dirname "$crate_dir")"
export CARGO_TARGET_DIR="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
release="$CARGO_TARGET_DIR/release"
build="$crate_dir/build"
key="$root/tests/keys/tmobile/readme-private-pkcs8.pem"
mkdir -p "$build"

cd "$root"
cargo build --release --quiet -p taap-c --example bench-core
cflags=(-std=c11 -O2 -Wall -Wextra -Werror -I"$crate_dir/include")
gcc "${cflags[@]}" "$crate_dir/bench/pop_bench.c" "$release/libtaap.a" -lpthread -ldl -lm -o "$build/pop_bench_static"
gcc "${cflags[@]}" "$crate_dir/bench/pop_bench.c" -L"$release" -ltaap -Wl,-rpath,"$release" -o "$build/pop_bench_shared"

declare -A runs=([core]="$release/examples/bench-core" [static]="$build/pop_bench_static" [shared]="$build/pop_bench_shared")
declare -A results=()
for ((round = 1; round <= rounds; round++)); do
    for name in core static shared; do
        rate="$("${runs[$name]}" "$key" "$iterations" | sed -n 's/^tokens_per_sec=//p')"
        results[$name]+="$rate "
    done
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
best() { tr ' ' '\n' | sed '/^$/d' | sort -g | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
core_median="$(median <<<"${results[core]}")"
core_best="$(best <<<"${results[core]}")"
echo "taap PoP token build, 2048-bit key, 5 ehts entries, 1 thread, per CPU second: median of $rounds rounds x $iterations tokens"
printf '%-40s %10s %7s %10s %7s\n' "implementation" "median/s" "ratio" "best/s" "ratio"
for name in core static shared; do
    median_rate="$(median <<<"${results[$name]}")"
    best_rate="$(best <<<"${results[$name]}")"
    label="Rust core PopToken::build"
    [[ $name == static ]] && label="C taap_pop_token_build (libtaap.a)"
    [[ $name == shared ]] && label="C taap_pop_token_build (libtaap.so)"
    printf '%-40s %10.1f %7s %10.1f %7s\n' "$label" "$median_rate" "$(ratio "$median_rate" "$core_median")" \
        "$best_rate" "$(ratio "$best_rate" "$core_best")"
done
echo "all rounds: core [${results[core]% }] static [${results[static]% }] shared [${results[shared]% }]"
