#!/usr/bin/env bash
# Three `taap serve` nodes sharing one throwaway `redis-server` replay store, against one node
# with its in-memory cache, on 127.0.0.1 only: round-robin calls, every tenth token replayed on
# a different node, then Redis stopped mid-run. Prints a markdown report (also written to
# bench/out/fleet-load.md); exits 1 on any accepted replay, wrong decision, or accept while
# Redis is down. Bounded: two counted runs and one of --outage-secs + 15 s.
#
#   bash bench/fleet-load.sh                           # 100 000 calls per run, Redis down 5 s
#   bash bench/fleet-load.sh --requests 5000 --outage-secs 2   # quick look
#
# Flags (passed through): --requests N (100000) --workers N (4) --outage-secs S (5).
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
command -v redis-server >/dev/null || { echo "redis-server is needed (apt-get install redis-server)" >&2; exit 2; }

cargo build --quiet --release -p taap-cli
CARGO_TARGET_DIR="$target_dir" cargo build --quiet --release --manifest-path bench/gateway-load/Cargo.toml --bin fleet

mkdir -p bench/out
"$target_dir/release/fleet" --taap "$target_dir/release/taap" --keys tests/keys "$@" | tee bench/out/fleet-load.md
