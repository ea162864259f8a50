#!/usr/bin/env bash
# Builds the extension and the core's throughput example, then runs bench.php with both.
#   bash bindings-php/bench/run.sh [--seconds 1] [--rounds 5]
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --quiet --release -p taap-php
cargo build --quiet --release -p taap --example throughput
php -d extension="$target/release/libtaap_php.so" bindings-php/bench/bench.php --core "$target/release/examples/throughput" "$@"
