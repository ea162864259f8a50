#!/usr/bin/env bash
# The bad-input matrix: runs the matrix test of every suite (each writes its column to
# $CARGO_TARGET_DIR/bad-input/<column>.jsonl), then assembles the table into
# docs/security-testing.md and fails on any crash, panic, hang or unexpected outcome.
#
#   scripts/bad-input-matrix.sh               run every column, then assemble
#   scripts/bad-input-matrix.sh --assemble    only assemble the columns already written
#
# Needs what the suites need (cargo, Python 3.9+ with venv, Node 18+ with npm, gcc,
# pkg-config, libjansson-dev, php-cli php-dev libclang-dev phpunit, gcc-arm-none-eabi
# libnewlib-arm-none-eabi qemu-system-arm). Python uses TAAP_VENV
# (default bindings-python/.venv), built by bindings-python/scripts/test.sh when it is missing.
# Honours CARGO_TARGET_DIR.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
venv="${TAAP_VENV:-$root/bindings-python/.venv}"
cd "$root"
step() { printf '\n== %s (%ds)\n' "$*" "$SECONDS"; }

if [[ "${1:-}" != "--assemble" ]]; then
    step "signed hostile tokens are up to date"
    node tests/bad-input/sign-tokens.js --check
    rm -f "$CARGO_TARGET_DIR"/bad-input/*.jsonl

    step "Rust column (core API)"
    cargo test --release --quiet -p taap --test bad_input
    step "CLI column (the taap command)"
    cargo test --release --quiet -p taap-cli --test bad_input

    step "C column"
    cargo build --release --quiet -p taap-c
    mkdir -p "$CARGO_TARGET_DIR/bad-input"
    gcc -std=c11 -Wall -Wextra -Werror -O1 -I"$root/bindings-c/include" $(pkg-config --cflags jansson) \
        "$root/bindings-c/tests/matrix/bad_input.c" "$CARGO_TARGET_DIR/release/libtaap.a" \
        $(pkg-config --libs jansson) -lpthread -ldl -lm -o "$CARGO_TARGET_DIR/bad-input/taap_bad_input"
    "$CARGO_TARGET_DIR/bad-input/taap_bad_input" "$root/tests" "$CARGO_TARGET_DIR/bad-input/c.jsonl"

    step "Node column"
    (cd bindings-node && { [[ -d node_modules ]] || npm ci --no-audit --no-fund; } &&
        node scripts/build.js && node --test test/bad-input-matrix.test.js)

    step "wasm column"
    bash bindings-wasm/scripts/build.sh && node --test bindings-wasm/test/bad-input-matrix.test.mjs

    step "JVM column (the whole Kotlin suite writes it)"
    bash bindings-kotlin/scripts/test.sh

    step "PHP extension column"
    bash bindings-php/scripts/test.sh --filter BadInputMatrixTest

    step "MCU column (libtaap_embedded under qemu-system-arm)"
    make -C examples/embedded test

    step "Python column"
    if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "import taap" 2>/dev/null; then
        # Rebuild the installed package from the working tree first.
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings-python
        (cd bindings-python && "$venv/bin/python" -m pytest -q tests/test_bad_input_matrix.py)
    else
        TAAP_VENV="$venv" bash bindings-python/scripts/test.sh -q tests/test_bad_input_matrix.py
    fi
fi

step "assemble the table"
python3 tests/bad-input/assemble.py
