#!/usr/bin/env bash
# Core speed side by side with OpenSSL, in one run: prints a markdown table of medians and ratios,
# for the default aws-lc backend and the pure-Rust rustcrypto backend.
#
#   bash bench/compare.sh            # 3 rounds of 3 s per figure
#   ROUNDS=5 SECS=5 bash bench/compare.sh
#
# Both sides are timed in CPU seconds (openssl speed's default; the taap side uses getrusage), and
# rounds alternate the two, so background load on the machine does not skew the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-3}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

# Both backends build the same example path; keep a copy of each.
bins="$(mktemp -d)"
trap 'rm -rf "$bins"' EXIT
cargo build --quiet --release -p taap --example throughput
cp "$TARGET_DIR/release/examples/throughput" "$bins/aws-lc"
cargo build --quiet --release -p taap --no-default-features --features std,rustcrypto --example throughput
cp "$TARGET_DIR/release/examples/throughput" "$bins/rustcrypto"

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
taap_figure() { TAAP_BENCH_SECS=$SECS "$bins/${2:-aws-lc}" "$1" | sed -E 's/.*"per_second":([0-9.]+).*/\1/'; }

declare -A samples
for _ in $(seq "$ROUNDS"); do
  rsa=$(openssl speed -seconds "$SECS" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6, $7}')
  samples[openssl_sign]+="${rsa% *} "
  samples[openssl_verify]+="${rsa#* } "
  sha=$(openssl speed -seconds "$SECS" -bytes 1048576 sha256 2>/dev/null | awk '/^sha256/ {sub("k","",$2); print $2}')
  samples[openssl_sha256_kbs]+="$sha "
  for figure in build_empty_body build_1mib_body validate load_pkcs8_pem hash_1mib; do
    samples[$figure]+="$(taap_figure $figure) "
  done
  for figure in build_empty_body validate; do
    samples[rustcrypto_$figure]+="$(taap_figure $figure rustcrypto) "
  done
done

m() { tr ' ' '\n' <<<"${samples[$1]}" | grep . | median; }
sign=$(m openssl_sign); verify=$(m openssl_verify); sha_kbs=$(m openssl_sha256_kbs)
build=$(m build_empty_body); build_big=$(m build_1mib_body); validate=$(m validate)
load=$(m load_pkcs8_pem); hash=$(m hash_1mib)
rc_build=$(m rustcrypto_build_empty_body); rc_validate=$(m rustcrypto_validate)

awk -v sign="$sign" -v verify="$verify" -v sha_kbs="$sha_kbs" -v build="$build" -v build_big="$build_big" \
    -v validate="$validate" -v load="$load" -v hash="$hash" -v rounds="$ROUNDS" -v secs="$SECS" \
    -v rc_build="$rc_build" -v rc_validate="$rc_validate" 'BEGIN {
  printf "| figure (RSA-2048, one thread, median of %d × %d s) | taap | OpenSSL | ratio | target |\n", rounds, secs
  printf "|---|---|---|---|---|\n"
  printf "| PoP token build, parsed key, empty body (tokens/s vs `openssl speed rsa2048` signs/s) | %.0f | %.0f | %.2f× | ≥ 1.0× |\n", build, sign, build / sign
  printf "| extra time per token for a 1 MiB body | %.3f ms | — | — | ≤ 1 ms |\n", (1000 / build_big) - (1000 / build)
  printf "| SHA-256 over 1 MiB (GB/s) | %.2f | %.2f | %.2f× | ≥ 1.5 GB/s |\n", hash * 1048576 / 1e9, sha_kbs * 1000 / 1e9, (hash * 1048576) / (sha_kbs * 1000)
  printf "| validate: verify + parse + edts (tokens/s vs verifies/s) | %.0f | %.0f | %.2f× | ≥ 0.8× |\n", validate, verify, validate / verify
  printf "| load a PKCS#8 PEM private key | %.3f ms | — | — | ≤ 0.2 ms |\n", 1000 / load
  printf "| rustcrypto backend: PoP token build, empty body (vs OpenSSL signs/s) | %.0f | %.0f | %.2f× | report |\n", rc_build, sign, rc_build / sign
  printf "| rustcrypto backend: PoP token build (vs the aws-lc backend above) | %.0f | %.0f (aws-lc) | %.2f× | ~0.2× |\n", rc_build, build, rc_build / build
  printf "| rustcrypto backend: validate (vs OpenSSL verifies/s) | %.0f | %.0f | %.2f× | report |\n", rc_validate, verify, rc_validate / verify
}'
