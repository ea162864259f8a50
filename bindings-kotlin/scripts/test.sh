#!/usr/bin/env bash
# The JVM suite: builds taap.jar, compiles the Kotlin and Java tests against it, starts
# `taap serve` on a free loopback port for the client flows, and runs everything under the
# JUnit 5 console launcher (Debian's junit5). Ends with "N passed, N failed".
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/scripts/env.sh"
source "$root/bindings-c/scripts/test-gateway.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }

bash "$here/scripts/build.sh"
(cd "$root" && cargo build --release -p taap-cli --quiet)

out="$here/build/test-classes"
rm -rf "$out" && mkdir -p "$out"
classpath="$here/build/taap.jar:$JNA_JAR:$KOTLIN_STDLIB"
"$KOTLINC" -nowarn -jvm-target 17 -classpath "$classpath:$JUNIT_JAR" -d "$out" "$here/test/kotlin" 2>&1 | grep -v '^warning:' || true
test -f "$out/dev/taap/test/VectorsTest.class" || fail "the Kotlin tests did not compile"
javac -d "$out" -classpath "$classpath:$JUNIT_JAR" "$here/test/java/"*.java

start_test_gateway "$root/target/release/taap" "$root/tests/keys/tmobile/readme-public.pem" \
    "$here/build/gateway.log" kotlin-binding-test

set +e
TAAP_TESTS_DIR="$root/tests" TAAP_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" java -Xms128m -Xmx128m -XX:+AlwaysPreTouch -jar "$JUNIT_JAR" --disable-banner --details=summary \
    --class-path "$out:$classpath" --scan-class-path "$out" --include-classname '.*Test' \
    >"$here/build/junit.log" 2>&1
status=$?
set -e
grep -vE '^\s*$' "$here/build/junit.log" | tail -n 40
passed=$(sed -n 's/.*\[ *\([0-9]*\) tests successful.*/\1/p' "$here/build/junit.log")
failed=$(sed -n 's/.*\[ *\([0-9]*\) tests failed.*/\1/p' "$here/build/junit.log")
echo "${passed:-0} passed, ${failed:-?} failed"
exit "$status"
