#!/usr/bin/env bash
# Token build rate from Kotlin against the core's own rate (core/examples/throughput.rs) and
# against the JDK's SHA256withRSA building the identical token, in CPU seconds per figure.
# Prints a markdown table for BENCHMARKS.md. TAAP_BENCH_SECS sets each figure's budget (3).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/scripts/env.sh"
secs="${TAAP_BENCH_SECS:-3}"

bash "$here/scripts/build.sh" >/dev/null
out="$here/build/bench-classes"
rm -rf "$out" && mkdir -p "$out"
classpath="$here/build/taap.jar:$JNA_JAR:$KOTLIN_STDLIB"
"$KOTLINC" -nowarn -jvm-target 17 -classpath "$classpath" -d "$out" "$here/bench/Bench.kt" 2>&1 | grep -v '^warning:' || true

core=$(cd "$root" && TAAP_BENCH_SECS="$secs" cargo run --release --quiet -p taap --example throughput build_empty_body)
jvm=$(java -cp "$out:$classpath" dev.taap.bench.BenchKt "$root/tests/keys/tmobile/readme-private-pkcs8.pem" "$secs")
rate() { printf '%s\n%s\n' "$core" "$jvm" | sed -n "s/.*\"name\":\"$1\",\"per_second\":\([0-9.]*\).*/\1/p"; }
c=$(rate build_empty_body) k=$(rate kotlin_build_empty_body) j=$(rate jdk_build_empty_body)
echo "| token build, 2048-bit key, docs ehts, empty body | tokens per CPU second |"
echo "|---|---|"
echo "| core (Rust, throughput.rs) | $c |"
echo "| Kotlin through taap.jar | $k ($(python3 -c "print(f'{$k/$c:.2f}')")x the core) |"
echo "| JDK SHA256withRSA, same token | $j (taap.jar is $(python3 -c "print(f'{$k/$j:.2f}')")x it) |"
