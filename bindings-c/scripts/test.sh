#!/usr/bin/env bash
# The C binding's whole test suite, runnable from a fresh clone:
#   1. builds libtaap (cargo build --release -p taap-c) and runs the glue's Rust unit tests and
#      those of bindings-cabi, the C ABI libtaap shares with the microcontroller library;
#   2. regenerates include/taap.h and include/taap_ffi.h with cbindgen and fails on drift;
#   3. compiles the C tests with gcc -Wall -Wextra -Werror, linked statically and dynamically
#      (and checks that taap.h also compiles as C++);
#   4. makes a SoftHSM2 token holding the README key (for taap_signer_open on a `pkcs11:` URI),
#      starts a local TAAP gateway (`taap serve` from the CLI crate) for the client tests, then
#      runs the C tests (every conformance vector, also through callback and PKCS#11 signers,
#      every error path, threads sharing one key, the gate with key sources (a JWK set served
#      from a thread on a loopback port), taap_client_* against the gateway), the
#      static build again under valgrind memcheck (no leaks, no errors), and a larger
#      multi-threaded run; then tests/hardware/hardware.c under the hardware fixture
#      (tests/hardware/run.sh: every vector through a key in swtpm and in moto's KMS);
#   5. installs under a temporary prefix and builds examples/c against it with pkg-config,
#      statically and dynamically, comparing the example's token with the vector;
#   6. runs the README's examples and those of the root README's "C and C++" section (every
#      fenced block not marked `fragment`: `c` blocks compiled with -Werror against libtaap.a and
#      run in a folder holding keys/private-key.pem, with TAAP_CLIENT_ID and TAAP_SECRET set
#      (in the root README's, the T-Mobile hosts become the local gateway's address); `sh`
#      blocks run from the repository root), and the PHP test (examples/php/pop.php and the
#      vectors through FFI);
#   7. builds libtaap without its client (--no-default-features --features aws-lc): no taap_client_* symbols and
#      no HTTP/TLS stack, and a token built through taap.h compiled with -DTAAP_NO_CLIENT.
# Needs (Debian): build-essential pkg-config valgrind php-cli libjansson-dev softhsm2 opensc
# openssl, and cargo.
# Honours CARGO_TARGET_DIR (default: the workspace's target/).
set -euo pipefail

crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(dirname "$crate_dir")"
export CARGO_TARGET_DIR="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
release="$CARGO_TARGET_DIR/release"
build="$crate_dir/build"
tests="$root/tests"

step() { printf '\n== %s (%ds)\n' "$*" "$SECONDS"; }
fail() { echo "error: $*" >&2; exit 1; }
# shellcheck source=test-gateway.sh
source "$crate_dir/scripts/test-gateway.sh"
# shellcheck source=readme-blocks.sh
source "$crate_dir/scripts/readme-blocks.sh"

for tool in cargo gcc g++ make pkg-config valgrind php; do
    command -v "$tool" >/dev/null || fail "$tool is missing (Debian: build-essential pkg-config valgrind php-cli)"
done
for tool in softhsm2-util pkcs11-tool openssl; do
    command -v "$tool" >/dev/null || fail "$tool is missing (Debian: softhsm2 opensc openssl; bash scripts/setup.sh installs them)"
done
softhsm_module=/usr/lib/softhsm/libsofthsm2.so
[[ -f "$softhsm_module" ]] || fail "$softhsm_module is missing (Debian: softhsm2; bash scripts/setup.sh installs it)"
pkg-config --exists jansson || fail "jansson is missing (Debian: libjansson-dev)"
php -r 'exit(extension_loaded("ffi") ? 0 : 1);' || fail "PHP's FFI extension is missing (Debian: php-cli)"
mkdir -p "$build"
cd "$root"

step "header drift: cbindgen regenerates include/ into $build/headers"
TAAP_HEADER_DIR="$build/headers" cargo check --release --quiet -p taap-c --features generate-headers
for header in taap.h taap_ffi.h; do
    diff -u "$crate_dir/include/$header" "$build/headers/$header" ||
        fail "bindings-c/include/$header is stale: run 'cargo check -p taap-c --features generate-headers' and commit it"
done
if grep -n '^[[:space:]]*#' "$crate_dir/include/taap_ffi.h"; then
    fail "taap_ffi.h has preprocessor lines, which FFI::cdef rejects"
fi

step "build libtaap and run the glue's unit tests (and those of bindings-cabi, the C ABI it shares)"
cargo build --release --quiet -p taap-c
cargo test --release --quiet -p taap-c -p taap-cabi

step "compile the C tests (static and shared) and the header as C++"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
cflags=(-std=c11 -Wall -Wextra -Werror -Wpedantic -O1 -g "-DTAAP_EXPECTED_VERSION=\"$version\""
    -I"$crate_dir/include" $(pkg-config --cflags jansson))
sources=("$crate_dir"/tests/*.c)
# The static build wraps free and realloc: the hygiene test inspects every freed block for key
# material (tests/hygiene.c), libtaap's own frees included.
gcc "${cflags[@]}" -DTAAP_TEST_WRAP_FREE "${sources[@]}" "$release/libtaap.a" $(pkg-config --libs jansson) \
    -lpthread -ldl -lm -Wl,--wrap=free,--wrap=realloc -o "$build/taap_test_static"
gcc "${cflags[@]}" "${sources[@]}" -L"$release" -ltaap -Wl,-rpath,"$release" $(pkg-config --libs jansson) \
    -lpthread -o "$build/taap_test_shared"
if ldd "$build/taap_test_static" | grep libtaap >/dev/null; then fail "the static test binary loads libtaap.so"; fi
ldd "$build/taap_test_shared" | grep "libtaap.so => $release/libtaap.so" >/dev/null || fail "the shared test binary does not load libtaap.so"
printf '#include "taap.h"\nint main() { return taap_version() == nullptr; }\n' |
    g++ -std=c++11 -Wall -Wextra -Werror -I"$crate_dir/include" -x c++ -fsyntax-only -

step "a SoftHSM2 token holding the README key, for taap_signer_open (tests/signer.c, the README)"
# Token `taap` in a throwaway SOFTHSM2_CONF; the README key imported as object `readme` (id 01),
# sensitive and for signing only, its public half beside it. tests/signer.c opens it by
# TAAP_TEST_PKCS11_URI with TAAP_TEST_PKCS11_PIN; the README's "Keys in hardware" example by
# TAAP_PKCS11_URI with TAAP_PKCS11_PIN.
hsm="$build/softhsm"
rm -rf "$hsm" && mkdir -p "$hsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$hsm/tokens" >"$hsm/softhsm2.conf"
export SOFTHSM2_CONF="$hsm/softhsm2.conf"
export TAAP_TEST_PKCS11_PIN=c-suite-pin-2718 TAAP_PKCS11_PIN=c-suite-pin-2718 TAAP_TEST_REQUIRE_PKCS11=1
export TAAP_TEST_PKCS11_URI="pkcs11:token=taap;object=readme?module-path=$softhsm_module"
export TAAP_PKCS11_URI="$TAAP_TEST_PKCS11_URI"
softhsm2-util --init-token --free --label taap --so-pin so-12345678 --pin "$TAAP_TEST_PKCS11_PIN" >/dev/null
openssl pkey -in "$tests/keys/tmobile/readme-private-pkcs8.pem" -outform DER -out "$hsm/private.der"
openssl pkey -in "$tests/keys/tmobile/readme-private-pkcs8.pem" -pubout -outform DER -out "$hsm/public.der"
for object in privkey:private pubkey:public; do
    args=()
    [[ "${object%%:*}" == privkey ]] && args=(--usage-sign --sensitive)
    pkcs11-tool --module "$softhsm_module" --token-label taap --login --pin "$TAAP_TEST_PKCS11_PIN" \
        --write-object "$hsm/${object#*:}.der" --type "${object%%:*}" --label readme --id 01 "${args[@]}" >/dev/null
done
rm -f "$hsm/private.der"

step "start a local TAAP gateway for the client tests"
cargo build --release --quiet -p taap-cli
start_test_gateway "$release/taap" "$tests/keys/tmobile/readme-public.pem" "$build/gateway.log" c-binding-test
echo "gateway at $TAAP_TEST_GATEWAY"

step "C tests, statically linked"
"$build/taap_test_static" "$tests"
step "C tests, dynamically linked, 16 threads sharing one key"
"$build/taap_test_shared" "$tests" 16 50
step "C tests under valgrind memcheck (static, 4 threads)"
valgrind --tool=memcheck --quiet --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible \
    --suppressions="$crate_dir/tests/valgrind.supp" "$build/taap_test_static" "$tests" 4 5

step "keys in hardware: every vector through a TPM (swtpm) and KMS (moto), under tests/hardware/run.sh"
gcc "${cflags[@]}" "$crate_dir/tests/hardware/hardware.c" "$crate_dir/tests/check.c" "$release/libtaap.a" \
    $(pkg-config --libs jansson) -lpthread -ldl -lm -o "$build/taap_hardware"
bash "$tests/hardware/run.sh" -- "$build/taap_hardware" "$tests"

step "the C column of the bad-input matrix (tests/bad-input, one forked child per case)"
gcc "${cflags[@]}" "$crate_dir/tests/matrix/bad_input.c" "$release/libtaap.a" $(pkg-config --libs jansson) \
    -lpthread -ldl -lm -o "$build/taap_bad_input"
mkdir -p "$CARGO_TARGET_DIR/bad-input"
"$build/taap_bad_input" "$tests" "$CARGO_TARGET_DIR/bad-input/c.jsonl"

step "install under $build/prefix; examples/c built with pkg-config"
TAAP_NO_BUILD=1 "$crate_dir/scripts/install.sh" "$build/prefix" >/dev/null
expected="$(php -r '$v = json_decode(file_get_contents($argv[1]), true);
    foreach ($v["cases"] as $c) { if ($c["name"] === "docs-orders-post") { echo $c["token"]; } }' "$tests/vectors/tokens.json")"
[[ -n "$expected" ]] || fail "tokens.json has no docs-orders-post case"
for linkage in 0 1; do
    PKG_CONFIG_PATH="$build/prefix/lib/pkgconfig" make --no-print-directory -s -B -C "$root/examples/c" STATIC=$linkage
    token="$("$root/examples/c/pop" "$tests/keys/tmobile/readme-private-pkcs8.pem" 1767225600 d10e897e-3fad-44fe-9cce-6ea6c6b804e9)"
    [[ "$token" == "$expected" ]] || fail "examples/c/pop (STATIC=$linkage) printed $token"
    echo "examples/c/pop (STATIC=$linkage) reproduces the docs-orders-post vector"
done
make --no-print-directory -s -C "$root/examples/c" clean

step "README examples: bindings-c/README.md and the root README's \"C and C++\", every block not marked fragment"
workdir="$build/readme-run"
rm -rf "$workdir" && mkdir -p "$workdir/keys"
cp "$tests/keys/tmobile/readme-private-pkcs8.pem" "$workdir/keys/private-key.pem"
cp "$tests/keys/tmobile/readme-public.pem" "$workdir/keys/public-key.pem"
ran=0 fragments=0
# readme_examples LABEL MARKDOWN BLOCKS_DIR [gateway]: runs MARKDOWN's blocks, named LABEL:LINE
# in messages. `c` blocks run in $workdir with TAAP_CLIENT_ID and TAAP_SECRET set to the
# gateway's client; with `gateway`, after the T-Mobile hosts became the gateway's address (for
# the root README, which says so).
readme_examples() {
    local label="$1" markdown="$2" blocks="$3" gateway="${4:-}" n lang fragment line first where
    readme_blocks "$markdown" "$blocks"
    while IFS=$'\t' read -r -u 3 n lang fragment line first; do
        where="$label:$line (\`\`\`$lang: $first)"
        if [[ "$fragment" == 1 ]]; then fragments=$((fragments + 1)); continue; fi
        echo "-- $where"
        case "$lang" in
            c)
                if [[ "$gateway" == gateway ]]; then readme_to_gateway "$blocks/$n.c" "$TAAP_TEST_GATEWAY"; fi
                gcc -std=c11 -Wall -Wextra -Werror -Wpedantic -I"$crate_dir/include" "$blocks/$n.c" \
                    "$release/libtaap.a" -lpthread -ldl -lm -o "$blocks/$n" || fail "$where does not compile"
                (cd "$workdir" && TAAP_CLIENT_ID="$TAAP_TEST_CLIENT_ID" TAAP_SECRET="$TAAP_TEST_CLIENT_SECRET" \
                    "$blocks/$n" </dev/null) || fail "$where failed"
                ;;
            sh) (cd "$root" && bash -euo pipefail "$blocks/$n.sh" </dev/null) || fail "$where failed" ;;
            *) fail "$where: no runner for \`\`\`$lang blocks; mark it \`\`\`$lang fragment" ;;
        esac
        ran=$((ran + 1))
    done 3<"$blocks/index.tsv"
}
readme_examples bindings-c/README.md "$crate_dir/README.md" "$build/readme"
readme_section "$root/README.md" "C and C++" "$build/readme-root.md"
readme_examples README.md "$build/readme-root.md" "$build/readme-root" gateway
readme_summary="README examples: $ran run, $fragments fragments"
echo "$readme_summary"

step "PHP: examples/php/pop.php and the vectors through FFI"
TAAP_LIB="$release/libtaap.so" php "$crate_dir/tests/php/test.php"

step "libtaap without the client (cargo build -p taap-c --no-default-features --features aws-lc)"
cargo build --release --quiet -p taap-c --no-default-features --features aws-lc
# Mangled Rust paths carry the crate name after its length: 4ureq, 6rustls.
if nm "$release/libtaap.a" 2>/dev/null | grep -E 'taap_client_|4ureq|6rustls' >/dev/null; then
    fail "the no-client libtaap.a holds client, ureq or rustls code"
fi
printf '#include "taap.h"\n#ifdef TAAP_CLIENT\n#error TAAP_CLIENT\n#endif\nint main(void) { return taap_version() == NULL; }\n' |
    gcc -std=c11 -Wall -Wextra -Werror -DTAAP_NO_CLIENT -I"$crate_dir/include" -x c - -x none "$release/libtaap.a" \
        -lpthread -ldl -lm -o "$build/taap_no_client"
"$build/taap_no_client" || fail "the no-client libtaap does not run"
# Leave the default (client) library in place for whatever runs next.
cargo build --release --quiet -p taap-c
echo "$readme_summary"
echo "C binding: every step passed in ${SECONDS}s"
