#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for a fixed time and prints one markdown row per target
# (executions, coverage, corpus). Exits non-zero if any target found a crash, leak or timeout;
# the input that triggered it is saved under fuzz/artifacts/TARGET/.
#
#   scripts/fuzz-smoke.sh                  # CI smoke run: 12 s per target, 7 targets
#   FUZZ_SECONDS=600 FUZZ_PARALLEL=2 scripts/fuzz-smoke.sh   # the long run SECURITY.md reports
#
# cargo-fuzz needs nightly-only rustc flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept
# them. The fuzz crate builds into fuzz/target (its own lock file and target directory).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-12}"
parallel="${FUZZ_PARALLEL:-1}"
targets=(${FUZZ_TARGETS:-token_decode token_validate private_key public_key request_signer gateway backend_differential})
logs="fuzz/logs"
export RUSTC_BOOTSTRAP=1
# The workspace's target directory is not the fuzz crate's; cargo-fuzz picks its own.
unset CARGO_TARGET_DIR

export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
cargo fuzz --version >/dev/null 2>&1 || { echo "cargo-fuzz is missing: run bash scripts/setup.sh" >&2; exit 1; }

mkdir -p "$logs"
python3 fuzz/build-corpus.py >/dev/null
if ! cargo fuzz build -O >"$logs/build.log" 2>&1; then
    cat "$logs/build.log" >&2
    exit 1
fi

run_target() {
    local target="$1"
    # -timeout: one input taking longer is a finding; -rss_limit_mb bounds memory per input.
    cargo fuzz run -O "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$logs/$target.log" 2>&1
}

pids=()
failed=()
for target in "${targets[@]}"; do
    run_target "$target" &
    pids+=("$!:$target")
    while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do sleep 1; done
done
for entry in "${pids[@]}"; do
    wait "${entry%%:*}" || failed+=("${entry#*:}")
done

echo "| target | seconds | executions | exec/s | coverage (edges) | features | corpus | slowest input (s) | peak RSS (MB) | result |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for target in "${targets[@]}"; do
    log="$logs/$target.log"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 || true)
    slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
    result="ok"
    if printf '%s\n' "${failed[@]:-}" | grep -x "$target" >/dev/null; then
        result="FAILED: $(grep -a -m1 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" || echo "see $log")"
    fi
    echo "| $target | $seconds | ${runs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | ${slowest:-?} | ${rss:-?} | $result |"
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found a problem in: ${failed[*]} (inputs in fuzz/artifacts/, logs in $logs/)" >&2
    exit 1
fi
