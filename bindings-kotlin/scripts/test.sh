#!/usr/bin/env bash
# The JVM suite: builds taap.jar, checks the generated option classes against the core's
# settings schema (tests/options.rs), compiles the Kotlin and Java tests against the jar (and the
# Servlet API jars and Jetty 9 for the PopFilter tests), starts
# `taap serve` on a free loopback port for the client flows, runs the README's examples (below)
# and everything under the JUnit 5 console launcher (Debian's junit5), HardwareCase in a JVM of
# its own under the hardware fixture (tests/hardware/run.sh: swtpm and moto's KMS). Ends with
# "README examples: N run, M fragments" and "N passed, N failed".
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/scripts/env.sh"
source "$root/bindings-c/scripts/test-gateway.sh"
source "$root/bindings-c/scripts/readme-blocks.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }

bash "$here/scripts/build.sh"
(cd "$root" && cargo build --release -p taap-cli --quiet)
# ClientOptions, ValidatorOptions and MiddlewareOptions (kotlin/dev/taap/Options.kt) against the settings schema.
(cd "$root" && cargo test --release -p taap-kotlin --test options --quiet)

out="$here/build/test-classes"
rm -rf "$out" && mkdir -p "$out"
# The Servlet APIs and Jetty 9: PopFilterTest runs the javax twin in a real Jetty over loopback
# HTTP and the jakarta filter through proxies; the README's Servlet example compiles against them.
classpath="$here/build/taap.jar:$JNA_JAR:$KOTLIN_STDLIB:$JAKARTA_SERVLET_JAR:$JAVAX_SERVLET_JAR:$JETTY_JARS"
"$KOTLINC" -nowarn -jvm-target 17 -classpath "$classpath:$JUNIT_JAR" -d "$out" "$here/test/kotlin" 2>&1 | grep -v '^warning:' || true
test -f "$out/dev/taap/test/VectorsTest.class" || fail "the Kotlin tests did not compile"
javac -d "$out" -classpath "$classpath:$JUNIT_JAR" "$here/test/java/"*.java

start_test_gateway "$root/target/release/taap" "$root/tests/keys/tmobile/readme-public.pem" \
    "$here/build/gateway.log" kotlin-binding-test

# The README's examples, as Rust runs doctests: every ```java and ```kotlin block of README.md
# and of the root README's "Java and Kotlin" section not marked `fragment` is compiled against
# the jar and run, in a folder holding keys/private-key.pem and keys/public-key.pem (the README
# key pair the gateway knows), with TAAP_CLIENT_ID and TAAP_SECRET set to the gateway's client,
# after every https://api.t-mobile.com and https://naas.t-mobile.com became the gateway's
# address (both READMEs say so). A block that is not a whole program is wrapped: Java's `import`
# lines stay on top and the rest becomes the body of `public static void main(String[] args)
# throws Exception` in `public class ReadmeBlockNN`; Kotlin's likewise becomes the body of
# `fun main()` unless the block has one. Any other block not marked `fragment` fails the suite,
# as does a block that does not compile or exits non-zero. Messages name README.md:LINE or
# bindings-kotlin/README.md:LINE and the block's first line.
# The README's "Keys in hardware" example signs in a SoftHSM2 token made here (token `taap`,
# the README key imported as object `readme`, sensitive), named by SOFTHSM2_CONF, with its PIN
# in TAAP_PKCS11_PIN. A missing tool fails the suite with the set-up command.
for tool in softhsm2-util pkcs11-tool openssl; do
    command -v "$tool" >/dev/null || fail "$tool is missing: install softhsm2, opensc and openssl with bash scripts/setup.sh"
done
softhsm_module=/usr/lib/softhsm/libsofthsm2.so
[[ -f "$softhsm_module" ]] || fail "$softhsm_module is missing: install softhsm2 with bash scripts/setup.sh"
readme_hsm="$here/build/readme-hsm"
rm -rf "$readme_hsm" && mkdir -p "$readme_hsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$readme_hsm/tokens" >"$readme_hsm/softhsm2.conf"
export SOFTHSM2_CONF="$readme_hsm/softhsm2.conf" TAAP_PKCS11_PIN=readme-pin-4711
softhsm2-util --init-token --free --label taap --so-pin so-12345678 --pin "$TAAP_PKCS11_PIN" >/dev/null
readme_key="$root/tests/keys/tmobile/readme-private-pkcs8.pem"
openssl pkey -in "$readme_key" -outform DER -out "$readme_hsm/private.der"
openssl pkey -in "$readme_key" -pubout -outform DER -out "$readme_hsm/public.der"
for object in privkey:private pubkey:public; do
    args=()
    [[ "${object%%:*}" == privkey ]] && args=(--usage-sign --sensitive)
    pkcs11-tool --module "$softhsm_module" --token-label taap --login --pin "$TAAP_PKCS11_PIN" \
        --write-object "$readme_hsm/${object#*:}.der" --type "${object%%:*}" --label readme --id 01 "${args[@]}" >/dev/null
done
rm -f "$readme_hsm/private.der"

readme_work="$here/build/readme-run" ran=0 fragments=0
rm -rf "$readme_work" && mkdir -p "$readme_work/keys"
cp "$root/tests/keys/tmobile/readme-private-pkcs8.pem" "$readme_work/keys/private-key.pem"
cp "$root/tests/keys/tmobile/readme-public.pem" "$readme_work/keys/public-key.pem"
# readme_examples LABEL MARKDOWN BLOCKS_DIR: runs MARKDOWN's blocks, named LABEL:LINE in messages.
readme_examples() {
    local label="$1" markdown="$2" blocks="$3" work="$readme_work"
    local n lang fragment line first where src dir main output
    readme_blocks "$markdown" "$blocks"
    while IFS=$'\t' read -r -u 3 n lang fragment line first; do
        where="$label:$line (\`\`\`$lang: $first)"
        if [[ "$fragment" == 1 ]]; then fragments=$((fragments + 1)); continue; fi
        echo "-- $where"
        src="$blocks/$n.$lang" dir="$blocks/$n"
        mkdir -p "$dir/classes"
        readme_to_gateway "$src" "$TAAP_TEST_GATEWAY"
        case "$lang" in
            java)
                main="$(sed -n 's/^public \(final \)\{0,1\}class \([A-Za-z0-9_]*\).*/\2/p' "$src" | head -n 1)"
                if [[ -n "$main" ]]; then
                    cp "$src" "$dir/$main.java"
                else
                    main="ReadmeBlock$n"
                    { grep '^import ' "$src" || true
                      echo "public class $main { public static void main(String[] args) throws Exception {"
                      grep -v '^import ' "$src" || true
                      echo "}}"; } >"$dir/$main.java"
                fi
                javac -Werror -d "$dir/classes" -classpath "$classpath" "$dir/$main.java" ||
                    fail "$where does not compile"
                ;;
            kotlin)
                if grep -q '^fun main' "$src"; then
                    cp "$src" "$dir/ReadmeBlock$n.kt"
                else
                    { grep '^import ' "$src" || true; echo "fun main() {"; grep -v '^import ' "$src" || true; echo "}"; } \
                        >"$dir/ReadmeBlock$n.kt"
                fi
                main="ReadmeBlock${n}Kt"
                output="$("$KOTLINC" -nowarn -jvm-target 17 -classpath "$classpath" -d "$dir/classes" "$dir/ReadmeBlock$n.kt" 2>&1)" ||
                    { echo "$output" >&2; fail "$where does not compile"; }
                ;;
            *) fail "$where: no runner for \`\`\`$lang blocks; mark it \`\`\`$lang fragment" ;;
        esac
        (cd "$work" && TAAP_CLIENT_ID="$TAAP_TEST_CLIENT_ID" TAAP_SECRET="$TAAP_TEST_CLIENT_SECRET" \
            java -classpath "$dir/classes:$classpath" "$main" </dev/null) || fail "$where failed"
        ran=$((ran + 1))
    done 3<"$blocks/index.tsv"
}
readme_examples bindings-kotlin/README.md "$here/README.md" "$here/build/readme"
readme_section "$root/README.md" "Java and Kotlin" "$here/build/readme-root.md"
readme_examples README.md "$here/build/readme-root.md" "$here/build/readme-root"
readme_summary="README examples: $ran run, $fragments fragments"
echo "$readme_summary"

set +e
# SignerTest makes its own SoftHSM2 token under this configuration file (the module reads
# SOFTHSM2_CONF once, when first initialised, so it must be in the JVM's environment).
SOFTHSM2_CONF="$here/build/junit-hsm/softhsm2.conf" TAAP_TESTS_DIR="$root/tests" TAAP_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" java -Xms128m -Xmx128m -XX:+AlwaysPreTouch -jar "$JUNIT_JAR" --disable-banner --details=summary \
    --class-path "$out:$classpath" --scan-class-path "$out" --include-classname '.*Test' \
    >"$here/build/junit.log" 2>&1
status=$?
# HardwareCase (not a *Test: keys in swtpm and moto's KMS) in a JVM of its own, under the
# hardware fixture (tests/hardware/run.sh), which it needs and the rest of the suite does not.
TAAP_TESTS_DIR="$root/tests" TAAP_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" bash "$root/tests/hardware/run.sh" -- \
    java -jar "$JUNIT_JAR" --disable-banner --details=summary --class-path "$out:$classpath" \
    --select-class dev.taap.test.HardwareCase >"$here/build/junit-hardware.log" 2>&1
hardware_status=$?
set -e
grep -vE '^\s*$' "$here/build/junit.log" | tail -n 40
echo "-- HardwareCase, under tests/hardware/run.sh (build/junit-hardware.log):"
grep -vE '^\s*$' "$here/build/junit-hardware.log" | tail -n 15
# count successful|failed LOG: JUnit's count of such tests in LOG (0 when it has none).
count() { local n; n=$(sed -n "s/.*\\[ *\\([0-9]*\\) tests $1.*/\\1/p" "$2"); echo "${n:-0}"; }
suite_passed=$(count successful "$here/build/junit.log")
hardware_passed=$(count successful "$here/build/junit-hardware.log")
failed=$(( $(count failed "$here/build/junit.log") + $(count failed "$here/build/junit-hardware.log") ))
echo "$readme_summary"
echo "$(( suite_passed + hardware_passed )) passed, $failed failed"
# An empty run is a failure, never a pass (e.g. build/test-classes removed by a second run of
# this script in the same tree while JUnit scanned it).
[[ "$suite_passed" -gt 0 ]] || fail "JUnit found no tests in $out"
[[ "$hardware_status" -ne 0 || "$hardware_passed" -gt 0 ]] || fail "JUnit found no HardwareCase tests in $out"
[[ "$hardware_status" -eq 0 ]] || exit "$hardware_status"
exit "$status"
