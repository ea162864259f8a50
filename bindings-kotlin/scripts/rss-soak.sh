#!/usr/bin/env bash
# RSS over 100 000 token builds in one JVM (a few minutes; not part of make test, whose suite
# runs 10 000). Fails if RSS grows more than 8 MiB after warm-up.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/scripts/env.sh"

bash "$here/scripts/build.sh" >/dev/null
out="$here/build/soak-classes"
rm -rf "$out" && mkdir -p "$out"
classpath="$here/build/taap.jar:$JNA_JAR:$KOTLIN_STDLIB"
"$KOTLINC" -nowarn -jvm-target 17 -classpath "$classpath" -d "$out" "$here/bench/Soak.kt" 2>&1 | grep -v '^warning:' || true
java -Xms128m -Xmx128m -XX:+AlwaysPreTouch -cp "$out:$classpath" dev.taap.bench.SoakKt \
    "$root/tests/keys/tmobile/readme-private-pkcs8.pem" "${1:-100000}"
