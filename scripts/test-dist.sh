#!/usr/bin/env bash
# `make test-dist`: installs every artifact in dist/ the way a user would, where no Rust
# toolchain and no C compiler exist, and checks that each one builds the docs-orders-post
# conformance vector's token (fixed iat and jti) byte for byte and reports the one version.
#
# The clean environment is `env -i` with PATH set to a directory of symlinks to the few
# programs a user of each door has (python3, node, npm, php, java, tar, pkg-config, readelf and
# coreutils); cargo, rustc, cc and gcc are checked to be absent. The C test program is compiled
# before entering it, since compiling C needs a compiler; inside, it only runs.
# Prints the time of each install (the README reports them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ "${1:-}" != --clean ]; then
    cd "$root"
    version=$(bash scripts/check-versions.sh --print)
    [ -f dist/SHA256SUMS ] || { echo "dist/ is empty: run make dist first" >&2; exit 1; }
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    bin="$work/bin"
    mkdir -p "$bin" "$work/home"
    for tool in sh bash env python3 node npm php java tar gzip pkg-config readelf sha256sum \
        cat mkdir rm ls ln dirname basename readlink realpath grep sed head tail tr cut date \
        mktemp cp mv wc sort test true false printf uname id; do
        ln -s "$(command -v "$tool")" "$bin/$tool"
    done

    # The C program of the README's quick start, built against the unpacked tarball with the
    # flags pkg-config gives; it runs later, in the clean environment, with nothing but libtaap.so.
    c_prefix="$work/c-build"
    mkdir -p "$c_prefix"
    tar -C "$c_prefix" --strip-components=1 -xzf "dist/libtaap-$version-x86_64-linux-gnu.tar.gz"
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Werror -o "$work/quickstart-c" scripts/test-dist/quickstart.c \
        $(PKG_CONFIG_PATH="$c_prefix/lib/pkgconfig" pkg-config --cflags --libs taap)
    rm -rf "$c_prefix"

    exec env -i PATH="$bin" HOME="$work/home" LANG=C.UTF-8 NPM_CONFIG_UPDATE_NOTIFIER=false TAAP_VERSION="$version" \
        TAAP_ROOT="$root" TAAP_WORK="$work" JNA_JAR="${JNA_JAR:-/usr/share/java/jna.jar}" \
        KOTLIN_STDLIB="${KOTLIN_STDLIB:-$root/bindings-kotlin/.tools/node_modules/kotlin-compiler/lib/kotlin-stdlib.jar}" bash "$0" --clean
fi

# ---- inside the clean environment ------------------------------------------------------------
dist="$TAAP_ROOT/dist"
version="$TAAP_VERSION"
work="$TAAP_WORK"
# Away from the checkout, so no import or require can pick up its sources.
cd "$work"
for compiler in cargo rustc cc gcc clang; do
    if command -v "$compiler" >/dev/null; then echo "FAIL: $compiler is on PATH" >&2; exit 1; fi
done
(cd "$dist" && sha256sum --quiet -c SHA256SUMS)

vector() { python3 -c "import json, sys; c = json.load(open('$TAAP_ROOT/tests/vectors/tokens.json'))['cases']
print(next(x for x in c if x['name'] == 'docs-orders-post')[sys.argv[1]])" "$1"; }
expected=$(vector token)
export KEY="$TAAP_ROOT/tests/keys/$(vector key)" IAT=$(vector iat) JTI=$(vector jti) EXPECTED="$expected"
passes=0 failures=0 finished=false
# A step that stops the script (set -e) counts as one more failure; the tally prints either way.
trap 'status=$?; $finished || { echo "FAIL stopped early (exit $status)" >&2; failures=$((failures + 1)); }
echo "$passes passed, $failures failed"' EXIT
check() { # door, what, found, wanted
    if [ "$3" = "$4" ]; then echo "ok   $1: $2"; passes=$((passes + 1)); else echo "FAIL $1: $2: got '$3', want '$4'" >&2; failures=$((failures + 1)); fi
}
now() { date +%s.%N; }
took() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$1" "$(now)"; }

# ---- Python: a fresh venv, pip install the wheel (offline: it has no dependencies) -----------
python3 -m venv "$work/venv"
start=$(now)
"$work/venv/bin/pip" install --quiet --no-index --disable-pip-version-check "$dist"/taap-"$version"-*.whl
echo "time python: $(took "$start") (pip install of the wheel into a fresh venv)"
check python __version__ "$("$work/venv/bin/python" -c 'import taap; print(taap.__version__)')" "$version"
check python "docs-orders-post token" "$("$work/venv/bin/python" - <<'EOF'
import os
from taap import PrivateKey, PopToken
key = PrivateKey.from_file(os.environ["KEY"])
print(PopToken.build(key, [("Content-Type", "application/json"),
    ("Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"), ("uri", "/commerce/v1/orders"),
    ("http-method", "POST"), ("body", '{"orderId": 100, "product": "Mobile Phone"}')],
    iat=int(os.environ["IAT"]), jti=os.environ["JTI"]))
EOF
)" "$expected"

# ---- Node: a fresh project, npm install of the two local tarballs, offline --------------------
node_quickstart='
const { PrivateKey, PopToken, coreVersion } = require("taap");
const fs = require("node:fs");
const key = PrivateKey.fromPem(fs.readFileSync(process.env.KEY));
const token = PopToken.build(key, [["Content-Type", "application/json"],
  ["Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"], ["uri", "/commerce/v1/orders"],
  ["http-method", "POST"], ["body", "{\"orderId\": 100, \"product\": \"Mobile Phone\"}"]],
  { iat: Number(process.env.IAT), jti: process.env.JTI });
console.log([token, coreVersion, require("taap/package.json").version,
  Object.keys(require.cache).some((f) => f.endsWith("/taap-linux-x64-gnu/taap.linux-x64-gnu.node"))].join(" "));'
mkdir -p "$work/node-app"
start=$(now)
(cd "$work/node-app" && npm init -y >/dev/null &&
    npm install --offline --no-audit --no-fund --loglevel=error \
        "$dist/taap-linux-x64-gnu-$version.tgz" "$dist/taap-$version.tgz" >/dev/null)
echo "time node: $(took "$start") (npm install of taap and taap-linux-x64-gnu)"
check node "no compiled taap.node, no install script" \
    "$(ls "$work/node-app/node_modules/taap/taap.node" 2>/dev/null; node -p 'require("'"$work"'/node-app/node_modules/taap/package.json").scripts')" "undefined"
check node "token, coreVersion, package version, prebuilt loaded" \
    "$(cd "$work/node-app" && node -e "$node_quickstart")" "$expected $version $version true"
mkdir -p "$work/node-alone"
(cd "$work/node-alone" && npm init -y >/dev/null &&
    npm install --offline --omit=optional --no-audit --no-fund --loglevel=error "$dist/taap-$version.tgz" >/dev/null)
check node "taap without its platform package names the package to install" "$(cd "$work/node-alone" &&
    node -e 'try { require("taap") } catch (e) { console.log(e.message.includes("npm install taap-linux-x64-gnu")) }')" "true"
check node "taap through import: the API both JavaScript doors share, by name" "$(cd "$work/node-app" &&
    node --input-type=module -e 'import { explain, signRequest, TokenExpiredError, TaapClient } from "taap";
console.log([explain, signRequest, TaapClient].map((item) => typeof item).join(" "), TokenExpiredError.code)')" \
    "function function function TAAP_TOKEN_EXPIRED"
check node "taap/express through require and import" "$(cd "$work/node-app" &&
    node -p 'typeof require("taap/express").withPop' &&
    node --input-type=module -e 'import { withPop, popMiddleware } from "taap/express"; console.log(typeof withPop, typeof popMiddleware)')" \
    "function
function function"

# ---- C: the tarball into a fresh prefix ------------------------------------------------------
prefix="$work/prefix"
mkdir -p "$prefix"
start=$(now)
tar -C "$prefix" --strip-components=1 -xzf "$dist/libtaap-$version-x86_64-linux-gnu.tar.gz"
echo "time c: $(took "$start") (tar into a prefix)"
IFS=. read -r major minor _ <<<"$version"
if [ "$major" = 0 ]; then soname="libtaap.so.0.$minor"; else soname="libtaap.so.$major"; fi
check c "pkg-config --modversion" "$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion taap)" "$version"
# pkg-config 1.8 ends the line with a space.
check c "pkg-config --libs" "$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --libs taap | sed 's/ *$//')" "-L$prefix/lib/pkgconfig/../../lib -ltaap"
check c SONAME "$(readelf -d "$prefix/lib/libtaap.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')" "$soname"
check c "symlinks" "$(readlink "$prefix/lib/libtaap.so") $(readlink "$prefix/lib/$soname")" "$soname libtaap.so.$version"
check c "taap.h TAAP_VERSION" "$(sed -n 's/^#define TAAP_VERSION "\(.*\)"$/\1/p' "$prefix/include/taap.h")" "$version"
check c "LICENSE, libtaap.a" "$(ls "$prefix/LICENSE" "$prefix/lib/libtaap.a" | wc -l)" "2"
check c "quick start: TAAP_VERSION, taap_version(), token" \
    "$(LD_LIBRARY_PATH="$prefix/lib" "$work/quickstart-c" "$KEY" "$IAT" "$JTI")" "$version $version $expected"

# ---- CLI: the static binary, run with an empty environment ------------------------------------
start=$(now)
mkdir -p "$work/cli"
tar -C "$work/cli" --strip-components=1 -xzf "$dist/taap-$version-x86_64-unknown-linux-musl.tar.gz"
echo "time cli: $(took "$start") (tar)"
check cli "static (no program interpreter)" "$(readelf -l "$work/cli/taap" | grep -c 'Requesting program interpreter' || true)" "0"
check cli "taap --version" "$(env -i "$work/cli/taap" --version)" "taap $version"
check cli "taap pop (README quick start)" "$(env -i "$work/cli/taap" pop --key "$KEY" \
    --method POST --url 'https://api.t-mobile.com/commerce/v1/orders' \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS' \
    --body '{"orderId": 100, "product": "Mobile Phone"}' --iat "$IAT" --jti "$JTI")" "$expected"

# ---- PHP: the extension from its tarball, loaded with -d extension= ---------------------------
start=$(now)
mkdir -p "$work/php"
tar -C "$work/php" --strip-components=1 -xzf "$dist/taap-php-$version-x86_64-linux-gnu.tar.gz"
echo "time php: $(took "$start") (tar)"
check php "extension version, token" "$(php -n -d extension="$work/php/taap.so" -r '
$key = Taap\PrivateKey::fromFile(getenv("KEY"));
echo phpversion("taap-php"), " ", Taap\PopToken::build($key, [["Content-Type", "application/json"],
    ["Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"], ["uri", "/commerce/v1/orders"],
    ["http-method", "POST"], ["body", "{\"orderId\": 100, \"product\": \"Mobile Phone\"}"]],
    ["iat" => (int) getenv("IAT"), "jti" => getenv("JTI")]);')" "$version $expected"

# ---- WebAssembly: a fresh project, npm install of taap-wasm's tarball, offline ---------------
mkdir -p "$work/wasm-app"
start=$(now)
(cd "$work/wasm-app" && npm init -y >/dev/null &&
    npm install --offline --no-audit --no-fund --loglevel=error "$dist/taap-wasm-$version.tgz" >/dev/null)
echo "time wasm: $(took "$start") (npm install of taap-wasm)"
check wasm "token, coreVersion, package version" "$(cd "$work/wasm-app" && node --input-type=module -e '
import { PrivateKey, PopToken, coreVersion } from "taap-wasm";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const key = PrivateKey.fromPem(readFileSync(process.env.KEY, "utf8"));
const token = PopToken.build(key, [["Content-Type", "application/json"],
  ["Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"], ["uri", "/commerce/v1/orders"],
  ["http-method", "POST"], ["body", "{\"orderId\": 100, \"product\": \"Mobile Phone\"}"]],
  { iat: Number(process.env.IAT), jti: process.env.JTI });
console.log(token, coreVersion, createRequire(import.meta.url)("taap-wasm/package.json").version);')" \
    "$expected $version $version"
check wasm "the API both JavaScript doors share, by name" "$(cd "$work/wasm-app" && node --input-type=module -e '
import { explain, signRequestAsync, TokenExpiredError } from "taap-wasm";
console.log(typeof explain, typeof signRequestAsync, TokenExpiredError.code);')" "function function TAAP_TOKEN_EXPIRED"

# ---- JVM: the jar with JNA and the Kotlin stdlib (what a Maven/Gradle user's dependencies bring)
# The jar is what a user downloads; "installing" it is putting it on the class path, so the time
# is the first run's (the JVM start, the source launcher's compile and loading the native core).
classpath="$dist/taap-$version.jar:$JNA_JAR:$KOTLIN_STDLIB"
start=$(now)
jvm_out=$(java -cp "$classpath" "$TAAP_ROOT/scripts/test-dist/Quickstart.java") || true
echo "time jvm: $(took "$start") (java -cp jar:jna:kotlin-stdlib, first run)"
check jvm "coreVersion, token" "$jvm_out" "$version $expected"

finished=true
[ "$failures" -eq 0 ]
