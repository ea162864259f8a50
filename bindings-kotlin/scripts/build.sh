#!/usr/bin/env bash
# Builds bindings-kotlin/build/taap.jar: the dev.taap classes, uniffi's generated dev.taap.ffi
# layer, and the native library at JNA's resource path, so a user needs only this jar, the
# Kotlin standard library and JNA.
#
#   bash bindings-kotlin/scripts/build.sh              # the jar
#   bash bindings-kotlin/scripts/build.sh --regenerate # also re-run uniffi-bindgen first
#
# The uniffi layer is generated from the built library by uniffi-bindgen (library mode) and
# committed under generated/, like taap.h for C: the generator's own dependencies take minutes
# to compile, and the generated code checks its API checksums against the library at load
# time, so a stale copy fails the first test instead of passing silently.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/scripts/env.sh"

cd "$root"
if [ "${1:-}" = "--regenerate" ]; then
    cargo build --release -p taap-kotlin --features bindgen --quiet
    rm -rf "$here/generated"
    "$root/target/release/uniffi-bindgen" generate --library "$root/target/release/libtaap_kotlin.so" \
        --language kotlin --no-format --out-dir "$here/generated"
fi
cargo build --release -p taap-kotlin --quiet

install_kotlinc

classes="$here/build/classes"
rm -rf "$classes" && mkdir -p "$classes/$JNA_PLATFORM"
"$KOTLINC" -nowarn -jvm-target 17 -classpath "$JNA_JAR" -d "$classes" \
    "$here/generated" "$here/kotlin" 2>&1 | grep -v '^warning:' || true
cp "$root/target/release/libtaap_kotlin.so" "$classes/$JNA_PLATFORM/"
test -f "$classes/dev/taap/PopToken.class"
(cd "$classes" && jar --create --file "$here/build/taap.jar" .)
echo "built $here/build/taap.jar"
