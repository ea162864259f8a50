#!/usr/bin/env bash
# `taap serve` under load and faults, on 127.0.0.1 only: a mix of valid and invalid PoP-signed
# requests with known expected answers (first alone, then next to slow-loris, slow-body,
# oversized-body and idle clients). Prints a markdown report; exits 1 on any wrong decision or
# if fewer than --min-requests requests were made. Bounded: two phases of fixed length.
#
#   bash bench/gateway-load.sh                                  # 60 s + 90 s, >= 100 000 requests
#   bash bench/gateway-load.sh --baseline-secs 10 --attack-secs 15 --min-requests 0   # quick look
#
# Flags (passed through): --workers N (4) --baseline-secs S (60) --attack-secs S (90)
# --min-requests N (100000) --loris N (200) --slow-bodies N (50) --oversized N (2) --idle N (100)
# --header-timeout S (5). The report is also written to bench/out/gateway-load.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

cargo build --quiet --release -p taap-cli
# The load generator is its own small workspace; build it into the same target directory.
CARGO_TARGET_DIR="$target_dir" cargo build --quiet --release --manifest-path bench/gateway-load/Cargo.toml

mkdir -p bench/out
"$target_dir/release/gateway-load" --taap "$target_dir/release/taap" --keys tests/keys "$@" | tee bench/out/gateway-load.md
