#!/usr/bin/env bash
# A client fleet on 127.0.0.1: 8 worker processes × 2 000 signed calls through one `taap serve`
# issuing 4 s access tokens, once with each worker fetching its own tokens and once sharing
# them through a throwaway `redis-server` token store. Prints a markdown report (also written
# to bench/out/client-fleet.md) with the gateway's count of token requests per refresh window;
# exits 1 if a call failed or the store run made more than one token request per window.
# Bounded: two runs of 16 000 calls.
#
#   bash bench/client-fleet.sh
#   bash bench/client-fleet.sh --workers 4 --calls 500 --token-ttl 2   # quick look
#
# Flags (passed through): --workers N (8) --calls N (2000) --token-ttl SECS (4).
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
command -v redis-server >/dev/null || { echo "redis-server is needed (apt-get install redis-server)" >&2; exit 2; }

cargo build --quiet --release -p taap-cli
CARGO_TARGET_DIR="$target_dir" cargo build --quiet --release --manifest-path bench/gateway-load/Cargo.toml --bin client_fleet

mkdir -p bench/out
"$target_dir/release/client_fleet" --taap "$target_dir/release/taap" --keys tests/keys "$@" | tee bench/out/client-fleet.md
