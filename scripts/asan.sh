#!/usr/bin/env bash
# The C test suite under AddressSanitizer and LeakSanitizer (clang), against a local gateway.
#
#   scripts/asan.sh [THREADS [TOKENS_PER_THREAD]]
#
# libtaap is built as usual (stable Rust: its Rust code is not instrumented); the C tests are
# compiled with clang -fsanitize=address and linked with the static libtaap.a, so ASan's
# allocator serves every malloc/free of the process: out-of-bounds and use-after-free in the C
# code, double or foreign frees across the C/Rust boundary, and any object or string the
# library hands out and is never freed (LeakSanitizer at exit) are errors. Before the suite,
# a deliberately leaking program proves that the set-up reports leaks at all; after it, the
# C column of the bad-input matrix runs under ASan too.
# Needs (Debian): clang libclang-rt-14-dev libjansson-dev pkg-config, and cargo.
# Honours CARGO_TARGET_DIR (default: the workspace's target/).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
release="$CARGO_TARGET_DIR/release"
build="$CARGO_TARGET_DIR/asan"
threads="${1:-4}"
tokens="${2:-10}"

fail() { echo "asan: $*" >&2; exit 1; }
# shellcheck source=../bindings-c/scripts/test-gateway.sh
source "$root/bindings-c/scripts/test-gateway.sh"
for tool in cargo clang pkg-config; do
    command -v "$tool" >/dev/null || fail "$tool is missing (Debian: clang libclang-rt-14-dev pkg-config)"
done
pkg-config --exists jansson || fail "jansson is missing (Debian: libjansson-dev)"
mkdir -p "$build"
cd "$root"

cargo build --release --quiet -p taap-c -p taap-cli
sanitize=(-fsanitize=address -fno-omit-frame-pointer -g -O1)
link=("$release/libtaap.a" -lpthread -ldl -lm)
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1"

echo "== self-check: a leaked taap_private_key must be reported"
cat >"$build/leak.c" <<'EOF'
#include "taap.h"
int main(void) {
    taap_private_key *key = NULL;
    return taap_private_key_generate(2048, &key) == TAAP_OK ? 0 : 2; /* never freed, on purpose */
}
EOF
clang "${sanitize[@]}" -I"$root/bindings-c/include" "$build/leak.c" "${link[@]}" -o "$build/leak"
if "$build/leak" 2>"$build/leak.log"; then
    fail "the deliberate leak was not reported: LeakSanitizer is not working here"
fi
grep -q "ERROR: LeakSanitizer: detected memory leaks" "$build/leak.log" ||
    fail "the deliberate leak failed for another reason: $(head -n 5 "$build/leak.log")"
echo "reported: $(grep -m 1 '^SUMMARY' "$build/leak.log")"

echo "== C tests built with clang -fsanitize=address"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
clang -std=c11 -Wall -Wextra -Werror "${sanitize[@]}" "-DTAAP_EXPECTED_VERSION=\"$version\"" -DTAAP_TEST_WRAP_FREE \
    -I"$root/bindings-c/include" $(pkg-config --cflags jansson) "$root"/bindings-c/tests/*.c "${link[@]}" \
    $(pkg-config --libs jansson) -Wl,--wrap=free,--wrap=realloc -o "$build/taap_test_asan"

start_test_gateway "$release/taap" "$root/tests/keys/tmobile/readme-public.pem" "$build/gateway.log" asan-test

echo "== C tests under ASan + LSan ($threads threads x $tokens tokens)"
"$build/taap_test_asan" "$root/tests" "$threads" "$tokens"
echo "== the C column of the bad-input matrix under ASan (107 hostile inputs, one forked child each)"
clang -std=c11 -Wall -Wextra -Werror "${sanitize[@]}" -I"$root/bindings-c/include" $(pkg-config --cflags jansson) \
    "$root/bindings-c/tests/matrix/bad_input.c" "${link[@]}" $(pkg-config --libs jansson) -o "$build/taap_bad_input_asan"
"$build/taap_bad_input_asan" "$root/tests" "$build/c-asan.jsonl"
echo "asan: no memory error, no leak (${SECONDS}s)"
