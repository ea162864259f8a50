#!/usr/bin/env bash
# Builds bindings-kotlin/build/taap.jar: the dev.taap classes, uniffi's generated dev.taap.ffi
# layer, and the native library at JNA's resource path, so a user needs only this jar, the
# Kotlin standard library and JNA. It also holds the Servlet filter
# com.tmobile.taap.servlet.PopFilter (jakarta.servlet, Servlet 5+) and its twin for Servlet 4
# containers, com.tmobile.taap.servlet.javax.PopFilter, made here from the same source by
# replacing jakarta.servlet with javax.servlet; both compile against the Servlet API jars, which
# the container provides at run time.
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
filter="$here/kotlin/com/tmobile/taap/servlet/PopFilter.kt"
twin="$here/build/servlet-javax"
rm -rf "$classes" "$twin" && mkdir -p "$classes/$JNA_PLATFORM" "$twin"
sed -e 's/^package com\.tmobile\.taap\.servlet$/package com.tmobile.taap.servlet.javax/' \
    -e 's/\bjakarta\.servlet\./javax.servlet./g' "$filter" >"$twin/PopFilter.kt"
grep -q '^package com.tmobile.taap.servlet.javax$' "$twin/PopFilter.kt"
"$KOTLINC" -nowarn -jvm-target 17 -classpath "$JNA_JAR:$JAKARTA_SERVLET_JAR:$JAVAX_SERVLET_JAR" -d "$classes" \
    "$here/generated" "$here/kotlin" "$twin" 2>&1 | grep -v '^warning:' || true
cp "$root/target/release/libtaap_kotlin.so" "$classes/$JNA_PLATFORM/"
test -f "$classes/dev/taap/PopToken.class"
test -f "$classes/com/tmobile/taap/servlet/PopFilter.class"
test -f "$classes/com/tmobile/taap/servlet/javax/PopFilter.class"
(cd "$classes" && jar --create --file "$here/build/taap.jar" .)
echo "built $here/build/taap.jar"
