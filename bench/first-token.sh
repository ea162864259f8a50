#!/usr/bin/env bash
# Fresh-process speed, side by side in one run: `taap pop` against `openssl dgst -sha256 -sign`
# (hyperfine), and inside one fresh process per door the key load, the first token and the
# second token. Prints markdown tables for BENCHMARKS.md.
#
#   bash bench/first-token.sh          # needs hyperfine (Debian: apt-get install hyperfine)
#   RUNS=50 bash bench/first-token.sh
#
# Python and Node rows need the packages built (make test-python, make test-node); a door whose
# package is missing is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
KEY=tests/keys/tmobile/readme-private-pkcs8.pem
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v hyperfine >/dev/null || { echo "hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
cargo build --quiet --release -p taap-cli -p taap-c -p taap --example first_token
taap="$TARGET_DIR/release/taap"
printf '%s' '/commerce/v1/orders;POST;{}' >"$work/input"

echo "### A whole process: one token"
echo
# -N: no shell in between, so a few-millisecond process is timed without a shell's start-up.
hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-json "$work/hyperfine.json" \
  -n "taap pop" "$taap pop --key $KEY --url https://api.t-mobile.com/commerce/v1/orders --method POST --body {}" \
  -n "openssl dgst -sha256 -sign" "openssl dgst -sha256 -sign $KEY -out /dev/null $work/input" >/dev/null 2>&1
python3 - "$work/hyperfine.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
openssl = results["openssl dgst -sha256 -sign"]
# The minimum is the run least disturbed by other load on the machine; both ratios are shown.
print("| command | min | median | ratio of minimums | ratio of medians |")
print("|---|---|---|---|---|")
for name, r in results.items():
    print(f"| `{name}` | {r['min'] * 1000:.1f} ms | {r['median'] * 1000:.1f} ms "
          f"| {r['min'] / openssl['min']:.2f}× | {r['median'] / openssl['median']:.2f}× |")
PY
echo

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
field() { sed -E "s/.*\"$1\":([0-9.]+).*/\1/"; }

# One JSON line per fresh process; the row shows medians over RUNS processes.
row() {
  local door="$1"; shift
  local lines="$work/$door.jsonl"
  : >"$lines"
  for _ in $(seq "$RUNS"); do "$@" >>"$lines" || return 0; done
  local import load first second
  import=$( (grep -q import_us "$lines" && field import_us <"$lines" | median) || echo "")
  load=$(field load_us <"$lines" | median)
  first=$(field first_token_us <"$lines" | median)
  second=$(field second_token_us <"$lines" | median)
  awk -v door="$door" -v import="$import" -v load="$load" -v first="$first" -v second="$second" 'BEGIN {
    printf "| %s | %s | %.2f ms | %.2f ms | %.2f ms | %.2f× |\n", door, (import == "" ? "—" : sprintf("%.1f ms", import / 1000)),
      load / 1000, first / 1000, second / 1000, first / second }'
}

python_probe() {
  local python=bindings-python/.venv/bin/python
  [ -x "$python" ] && "$python" -c 'import taap' 2>/dev/null || { echo "python: package not built" >&2; return 1; }
  "$python" - "$KEY" <<'EOF'
import sys, time
start = time.perf_counter_ns(); import taap; imported = time.perf_counter_ns() - start
pem = open(sys.argv[1], "rb").read()
ehts = [("uri", "/commerce/v1/orders"), ("http-method", "POST"), ("body", "{}")]
start = time.perf_counter_ns(); key = taap.PrivateKey.from_pem(pem); load = time.perf_counter_ns() - start
start = time.perf_counter_ns(); taap.PopToken.build(key, ehts); first = time.perf_counter_ns() - start
start = time.perf_counter_ns(); taap.PopToken.build(key, ehts); second = time.perf_counter_ns() - start
print('{"import_us":%d,"load_us":%d,"first_token_us":%d,"second_token_us":%d}' % (imported // 1000, load // 1000, first // 1000, second // 1000))
EOF
}

node_probe() {
  [ -d bindings-node/node_modules ] && ls bindings-node/*.node >/dev/null 2>&1 || { echo "node: package not built" >&2; return 1; }
  node - "$KEY" <<'EOF'
const now = () => process.hrtime.bigint();
let start = now(); const taap = require('./bindings-node'); const imported = now() - start;
const pem = require('fs').readFileSync(process.argv[2]);
const ehts = [['uri', '/commerce/v1/orders'], ['http-method', 'POST'], ['body', '{}']];
start = now(); const key = taap.PrivateKey.fromPem(pem); const load = now() - start;
start = now(); taap.PopToken.build(key, ehts); const first = now() - start;
start = now(); taap.PopToken.build(key, ehts); const second = now() - start;
const us = (ns) => Number(ns / 1000n);
console.log(JSON.stringify({ import_us: us(imported), load_us: us(load), first_token_us: us(first), second_token_us: us(second) }));
EOF
}

# libtaap through taap.h, linked statically as a C program would.
c_probe() {
  [ -f "$TARGET_DIR/release/libtaap.a" ] || { echo "c: libtaap not built" >&2; return 1; }
  [ -x "$work/first-token-c" ] || gcc -O2 -std=c11 -Ibindings-c/include bench/first-token.c \
    "$TARGET_DIR/release/libtaap.a" -lpthread -ldl -lm -o "$work/first-token-c"
  "$work/first-token-c" "$KEY"
}

# The peers: OpenSSL's own first signature (through Node's crypto and Python's cryptography, a
# bare RS256 signature over a token-sized input) and PyJWT's whole token, in fresh processes too.
# OpenSSL also builds a key's blinding and Montgomery state on its first signature.
node_openssl_probe() {
  node - "$KEY" <<'EOF'
const now = () => process.hrtime.bigint();
let start = now(); const crypto = require('crypto'); const imported = now() - start;
const pem = require('fs').readFileSync(process.argv[2]);
const input = Buffer.alloc(330, 'a');
start = now(); const key = crypto.createPrivateKey(pem); const load = now() - start;
start = now(); crypto.sign('sha256', input, key); const first = now() - start;
start = now(); crypto.sign('sha256', input, key); const second = now() - start;
const us = (ns) => Number(ns / 1000n);
console.log(JSON.stringify({ import_us: us(imported), load_us: us(load), first_token_us: us(first), second_token_us: us(second) }));
EOF
}

python_peer_probe() {
  local python=bindings-python/.venv/bin/python
  "$python" -c 'import jwt, cryptography' 2>/dev/null || { echo "python peers: PyJWT/cryptography missing (make test-python installs them)" >&2; return 1; }
  "$python" - "$KEY" "$1" <<'EOF'
import sys, time
whole_token = sys.argv[2] == "pyjwt"
start = time.perf_counter_ns()
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
import jwt
imported = time.perf_counter_ns() - start
pem = open(sys.argv[1], "rb").read()
claims = {"edts": "x" * 43, "v": "1", "exp": 2, "ehts": "uri;http-method;body", "iat": 1, "jti": "j" * 36}
start = time.perf_counter_ns(); key = serialization.load_pem_private_key(pem, None); load = time.perf_counter_ns() - start
def one():
    if whole_token:
        jwt.encode(claims, key, algorithm="RS256")
    else:
        key.sign(b"a" * 330, padding.PKCS1v15(), hashes.SHA256())
start = time.perf_counter_ns(); one(); first = time.perf_counter_ns() - start
start = time.perf_counter_ns(); one(); second = time.perf_counter_ns() - start
print('{"import_us":%d,"load_us":%d,"first_token_us":%d,"second_token_us":%d}' % (imported // 1000, load // 1000, first // 1000, second // 1000))
EOF
}

echo "### One fresh process per door (medians of $RUNS processes)"
echo
echo "| door | import | key load | first token | second token | first / second |"
echo "|---|---|---|---|---|---|"
row "Rust" "$TARGET_DIR/release/examples/first_token"
row "Python" python_probe
row "Node" node_probe
row "C (libtaap.a)" c_probe
row "peer: OpenSSL 3 via Node \`crypto.sign\` (a bare signature)" node_openssl_probe
row "peer: OpenSSL 3 via Python \`cryptography\` (a bare signature)" python_peer_probe sign
row "peer: PyJWT + cryptography (a whole token)" python_peer_probe pyjwt
