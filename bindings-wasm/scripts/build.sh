#!/usr/bin/env bash
# Builds the npm package taap-wasm into bindings-wasm/pkg/ and copies it into web/pkg/.
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly (scripts/setup.sh
# installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."

version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
# cargo install puts it in $CARGO_HOME/bin, which a fresh CI shell may not have on PATH.
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
    echo "wasm-bindgen-cli $version is missing: run bash scripts/setup.sh" >&2
    exit 1
fi

# The root Cargo.toml's wasm-release profile: built for size, RSA arithmetic for speed.
cargo build --profile wasm-release -p taap-wasm --target wasm32-unknown-unknown
out=bindings-wasm/pkg
rm -rf "$out"
# Without the name section (function names for stack traces): a third of the file.
wasm-bindgen --target web --no-typescript --remove-name-section --out-dir "$out" --out-name taap_wasm \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/taap_wasm.wasm"

# Smaller with binaryen where a recent one is installed (108, Debian 12's, mistranslates
# wasm-bindgen's externref table, so older ones are skipped).
binaryen=$(wasm-opt --version 2>/dev/null | awk '{print $3}' || true)
if [ "${binaryen:-0}" -ge 116 ] 2>/dev/null; then
    wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
        --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
        "$out/taap_wasm_bg.wasm" -o "$out/taap_wasm_bg.wasm"
fi

# The entry and its adapter to the module (js/), the JavaScript every door shares (bindings-js/src,
# as the ES modules it is written as) and the declarations rendered from bindings-js/taap.d.ts.in.
cp bindings-wasm/js/index.js bindings-wasm/js/backend.js bindings-wasm/js/package.json bindings-wasm/index.d.ts \
    bindings-wasm/README.md "$out/"
mkdir "$out/shared"
cp bindings-js/src/*.js "$out/shared/"
rm -rf web/pkg
cp -r "$out" web/pkg
echo "built $out ($(wc -c < "$out/taap_wasm_bg.wasm") bytes of wasm) and web/pkg"
