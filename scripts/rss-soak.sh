#!/usr/bin/env bash
# RSS soak of the Python and Node packages: N = 100 000 (or $1) PopToken.build calls, with
# validate, decode, for_request and error paths mixed in, in one process each; RSS at start,
# after warm-up (N/10) and at the end. Fails when RSS grows after warm-up by more than 8 MiB
# (Python) or 16 MiB (Node, read after a full GC). Results also go to
# $CARGO_TARGET_DIR/rss-soak.jsonl. Takes about a minute per language here.
#
# Needs the packages built: bindings-python/scripts/test.sh (venv in TAAP_VENV, default
# bindings-python/.venv) and `npm ci` in bindings-node.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
venv="${TAAP_VENV:-$root/bindings-python/.venv}"
n="${1:-100000}"
out="$CARGO_TARGET_DIR/rss-soak.jsonl"
mkdir -p "$CARGO_TARGET_DIR"
: >"$out"

[[ -x "$venv/bin/python" ]] || { echo "rss-soak: no venv at $venv (run bindings-python/scripts/test.sh)" >&2; exit 1; }
echo "== Python, $n builds"
"$venv/bin/python" "$root/scripts/rss-soak.py" "$n" | tee -a "$out"
echo "== Node, $n builds"
(cd "$root/bindings-node" && node scripts/build.js >/dev/null 2>&1) || { echo "rss-soak: cannot build taap.node (cd bindings-node && npm run build)" >&2; exit 1; }
node --expose-gc "$root/scripts/rss-soak.js" "$n" | tee -a "$out"
echo "rss-soak: flat in both (${SECONDS}s); figures in $out"
