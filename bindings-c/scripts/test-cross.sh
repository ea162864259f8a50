#!/usr/bin/env bash
# libtaap for ARM Linux, tested under qemu-user (make test-cross; make cross builds the libraries):
#   1. builds libtaap.a and libtaap.so for aarch64-unknown-linux-gnu and
#      armv7-unknown-linux-gnueabihf on AWS-LC (one cargo build per target gives both);
#   2. compiles the host suite's C tests (bindings-c/tests/*.c) against the same include/taap.h
#      with the Debian cross compiler and -Werror: fully static with libtaap.a (free and realloc
#      wrapped for the hygiene test, as on the host) and dynamic with libtaap.so;
#   3. runs both under qemu-aarch64-static / qemu-arm-static: every conformance vector, the
#      signing policy and request rules, every error path, threads sharing one key, the
#      hygiene checks and taap_client_* against a host `taap serve` on loopback;
#   4. runs the tests again on aarch64 with libtaap.so built on the rustcrypto backend;
#   5. runs the C column of the bad-input matrix on aarch64 and compares it with the host's;
#   6. prints the stripped size of each target's libtaap.so.
# Needs (Debian): gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross
# libc6-dev-armhf-cross qemu-user-static libjansson-dev:arm64 libjansson-dev:armhf (multiarch),
# and the rustup targets. Honours CARGO_TARGET_DIR (default: the workspace's target/).
set -euo pipefail

crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(dirname "$crate_dir")"
export CARGO_TARGET_DIR="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
build="$crate_dir/build/cross"
tests="$root/tests"

step() { printf '\n== %s (%ds)\n' "$*" "$SECONDS"; }
fail() { echo "error: $*" >&2; exit 1; }
# shellcheck source=test-gateway.sh
source "$crate_dir/scripts/test-gateway.sh"

# Rust target, Debian multiarch triple (the cross compiler's prefix), qemu-user, ELF machine.
targets=(
    "aarch64-unknown-linux-gnu aarch64-linux-gnu qemu-aarch64-static AArch64"
    "armv7-unknown-linux-gnueabihf arm-linux-gnueabihf qemu-arm-static ARM"
)
for spec in "${targets[@]}"; do
    read -r triple multiarch qemu _ <<<"$spec"
    for tool in "$multiarch-gcc" "$multiarch-strip" "$qemu"; do
        command -v "$tool" >/dev/null || fail "$tool is missing (Debian: gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf qemu-user-static)"
    done
    [[ -f /usr/lib/$multiarch/libjansson.a ]] || fail "jansson for $multiarch is missing (Debian multiarch: libjansson-dev:${multiarch%%-*})"
    rustup target list --installed 2>/dev/null | grep -x "$triple" >/dev/null || fail "rustup target add $triple"
done
mkdir -p "$build"
cd "$root"

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
cflags=(-std=c11 -Wall -Wextra -Werror -Wpedantic -O1 -g "-DTAAP_EXPECTED_VERSION=\"$version\""
    -I"$crate_dir/include")
sources=("$crate_dir"/tests/*.c)

# compile_tests MULTIARCH RELEASE_DIR OUT_DIR: the C tests, static (OUT/taap_test_static) and
# dynamic against RELEASE_DIR/libtaap.so (OUT/taap_test_shared); jansson is linked statically.
compile_tests() {
    local cc="$1-gcc" release="$2" out="$3" jansson="/usr/lib/$1/libjansson.a"
    mkdir -p "$out"
    "$cc" "${cflags[@]}" -DTAAP_TEST_WRAP_FREE "${sources[@]}" "$release/libtaap.a" "$jansson" -static \
        -lpthread -ldl -lm -Wl,--wrap=free,--wrap=realloc -o "$out/taap_test_static"
    "$cc" "${cflags[@]}" "${sources[@]}" -L"$release" -ltaap -Wl,-rpath,"$release" "$jansson" -lpthread \
        -o "$out/taap_test_shared"
}

# run_tests QEMU BINARY THREADS TOKENS: the C tests under qemu-user. The client suite and the
# hygiene test's OAuth case must run (they need the gateway), and the freed-buffer inspection in
# the static build (the shared one cannot wrap libtaap's free).
run_tests() {
    local output skipped='client suite not run|OAuth kind not run'
    [[ $2 == *static ]] && skipped+='|inspection not run'
    output="$("$1" "$2" "$tests" "$3" "$4" 2>&1)" || { echo "$output"; fail "$(basename "$2") under $1 failed"; }
    if grep -qE "$skipped" <<<"$output"; then
        echo "$output"
        fail "$(basename "$2") under $1 skipped a suite"
    fi
    echo "$(basename "$2"): $(tail -n 1 <<<"$output")"
}

# is_machine BINARY MACHINE: the binary really is for the target (not the host).
is_machine() {
    readelf -h "$1" | grep "Machine:.*$2" >/dev/null || fail "$1 is not an $2 binary: $(readelf -h "$1" | grep Machine)"
}

# tests/signer.c opens a `pkcs11:` key only in make test-c: SoftHSM2 is installed for the host,
# and an ARM program under qemu-user cannot dlopen an x86_64 module (nor does armv7's libtaap
# have the core's `pkcs11` feature: bindings-c/Cargo.toml). It prints that it did not run.
unset TAAP_TEST_PKCS11_URI TAAP_TEST_PKCS11_PIN TAAP_TEST_REQUIRE_PKCS11

step "build libtaap for ${#targets[@]} ARM targets (AWS-LC) and the host's taap serve"
cargo build --release --quiet -p taap-c --target aarch64-unknown-linux-gnu --target armv7-unknown-linux-gnueabihf
cargo build --release --quiet -p taap-cli
start_test_gateway "$CARGO_TARGET_DIR/release/taap" "$tests/keys/tmobile/readme-public.pem" \
    "$build/gateway.log" c-cross-test
echo "gateway at $TAAP_TEST_GATEWAY"

for spec in "${targets[@]}"; do
    read -r triple multiarch qemu machine <<<"$spec"
    release="$CARGO_TARGET_DIR/$triple/release"
    step "$triple: the C tests against include/taap.h, static and shared, under $qemu"
    compile_tests "$multiarch" "$release" "$build/$triple"
    for binary in "$build/$triple"/taap_test_* "$release/libtaap.so"; do is_machine "$binary" "$machine"; done
    run_tests "$qemu" "$build/$triple/taap_test_static" 4 10
    run_tests "$qemu" "$build/$triple/taap_test_shared" 8 10
    "$multiarch-strip" -o "$build/$triple/libtaap.so" "$release/libtaap.so"
    echo "$triple: libtaap.so stripped: $(stat -c %s "$build/$triple/libtaap.so") bytes"
done

step "aarch64-unknown-linux-gnu on the rustcrypto backend: the C tests under qemu-aarch64-static"
cargo build --release --quiet -p taap-c --target aarch64-unknown-linux-gnu --no-default-features \
    --features rustcrypto,client
rustcrypto="$build/aarch64-rustcrypto"
mkdir -p "$rustcrypto"
cp "$CARGO_TARGET_DIR/aarch64-unknown-linux-gnu/release/libtaap."{a,so} "$rustcrypto/"
# Put the AWS-LC libtaap back where cargo puts it before anything can fail.
cargo build --release --quiet -p taap-c --target aarch64-unknown-linux-gnu
# Mangled Rust paths name the core's backend module: taap::crypto::{aws_lc, rust_crypto}.
symbols="$(nm "$rustcrypto/libtaap.a" 2>/dev/null)"
grep -q ' T _ZN4taap6crypto11rust_crypto' <<<"$symbols" || fail "the rustcrypto libtaap.a has no rustcrypto signer"
if grep -q '_ZN4taap6crypto6aws_lc' <<<"$symbols"; then fail "the rustcrypto libtaap.a holds the aws-lc signer"; fi
compile_tests aarch64-linux-gnu "$rustcrypto" "$rustcrypto"
readelf -d "$rustcrypto/taap_test_shared" | grep "RUNPATH.*\[$rustcrypto\]" >/dev/null || fail "the test does not load $rustcrypto/libtaap.so"
# The shared build: on this backend the static build's freed-buffer inspection finds key material
# in freed heap blocks (the rsa crate's intermediates; README, "Cross-compiling for ARM Linux").
run_tests qemu-aarch64-static "$rustcrypto/taap_test_shared" 8 10

step "aarch64-unknown-linux-gnu: the C column of the bad-input matrix under qemu-aarch64-static"
aarch64-linux-gnu-gcc "${cflags[@]}" "$crate_dir/tests/matrix/bad_input.c" \
    "$CARGO_TARGET_DIR/aarch64-unknown-linux-gnu/release/libtaap.a" /usr/lib/aarch64-linux-gnu/libjansson.a \
    -static -lpthread -ldl -lm -o "$build/taap_bad_input"
is_machine "$build/taap_bad_input" AArch64
mkdir -p "$CARGO_TARGET_DIR/bad-input"
qemu-aarch64-static "$build/taap_bad_input" "$tests" "$CARGO_TARGET_DIR/bad-input/c-aarch64.jsonl" | tail -n 1
host_column="$CARGO_TARGET_DIR/bad-input/c.jsonl"
if [[ -f $host_column ]]; then
    # Every cell but its time ("ms"), line by line.
    cells() { python3 -c 'import json, sys
for line in open(sys.argv[1]):
    cell = json.loads(line); cell.pop("ms"); print(json.dumps(cell, sort_keys=True))' "$1"; }
    diff -u <(cells "$host_column") <(cells "$CARGO_TARGET_DIR/bad-input/c-aarch64.jsonl") ||
        fail "the aarch64 bad-input column differs from the host's"
    echo "the aarch64 column equals the host's ($host_column)"
else
    echo "no host column to compare with ($host_column: make test-c writes it)"
fi
echo "ARM Linux: every step passed in ${SECONDS}s"
