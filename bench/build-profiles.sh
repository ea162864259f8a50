#!/usr/bin/env bash
# What LTO and `panic = "abort"` would buy: for each build configuration, a cold release build of
# the CLI and libtaap in its own target directory (CPU seconds, user + system), the rebuild after
# touching the core (what every change pays), the stripped sizes, and `taap pop` as a whole
# process (hyperfine, all configurations in one run). Prints a markdown table for BENCHMARKS.md.
#
#   bash bench/build-profiles.sh        # ~30 CPU-minutes: four cold builds
#   SCRATCH=/tmp/bp REUSE=1 bash bench/build-profiles.sh   # time the binaries of an earlier run again
#
# panic = "abort" is measured for the CLI only: the Python, Node and C bindings catch panics at
# their boundary (catch_unwind), which abort would turn into a crashed host process.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
scratch=${SCRATCH:-$(mktemp -d)}
KEY=tests/keys/tmobile/readme-private-pkcs8.pem

declare -A flags=(
  [release]=""
  [thin-lto]="--config profile.release.lto=\"thin\""
  [fat-lto]="--config profile.release.lto=\"fat\" --config profile.release.codegen-units=1"
  [fat-lto+abort]="--config profile.release.lto=\"fat\" --config profile.release.codegen-units=1 --config profile.release.panic=\"abort\""
)
order=(release thin-lto fat-lto fat-lto+abort)

cpu_seconds() { # runs "$@", prints the user + system CPU seconds of it and its children
  local shell=$BASHPID before after
  before=$(awk '{print $16 + $17}' "/proc/$shell/stat")
  "$@" >/dev/null 2>&1
  after=$(awk '{print $16 + $17}' "/proc/$shell/stat")
  echo $(( (after - before) / $(getconf CLK_TCK) ))
}

rows=()
for name in "${order[@]}"; do
  dir="$scratch/$name"
  packages=(-p taap-cli -p taap-c)
  [ "$name" = "fat-lto+abort" ] && packages=(-p taap-cli)
  cold="—" warm="—"
  if [ -z "${REUSE:-}" ] || [ ! -x "$dir/release/taap" ]; then
    # shellcheck disable=SC2086
    cold=$(CARGO_TARGET_DIR="$dir" cpu_seconds cargo build --release "${packages[@]}" ${flags[$name]})
    touch core/src/lib.rs
    # shellcheck disable=SC2086
    warm=$(CARGO_TARGET_DIR="$dir" cpu_seconds cargo build --release "${packages[@]}" ${flags[$name]})
  fi
  strip -o "$dir/taap.stripped" "$dir/release/taap"
  cli=$(stat -c %s "$dir/taap.stripped")
  lib="—"
  if [ -f "$dir/release/libtaap.so" ] && [ "$name" != "fat-lto+abort" ]; then
    strip -o "$dir/libtaap.stripped" "$dir/release/libtaap.so"
    lib=$(awk -v b="$(stat -c %s "$dir/libtaap.stripped")" 'BEGIN {printf "%.1f MB", b / 1e6}')
  fi
  rows+=("$name|$cold|$warm|$(awk -v b="$cli" 'BEGIN {printf "%.1f MB", b / 1e6}')|$lib")
done

# hyperfine runs the commands one after another, not interleaved: release is timed again last, so
# a change in the machine's load during the run shows as a difference between its two rows.
commands=()
for name in "${order[@]}" release; do
  label=$name
  [ ${#commands[@]} -gt 0 ] && [ "$name" = release ] && label="release (again)"
  commands+=(-n "$label" "$scratch/$name/taap.stripped pop --key $KEY --url https://api.t-mobile.com/commerce/v1/orders --method POST --body {}")
done
hyperfine -N --style none --warmup 3 --runs "${RUNS:-30}" --export-json "$scratch/pop.json" "${commands[@]}" >/dev/null 2>&1

python3 - "$scratch/pop.json" "${rows[@]}" <<'PY'
import json, sys
pop = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
base = pop["release"]
print("| configuration | cold build (CPU s) | rebuild after a core change (CPU s) | `taap` stripped | `libtaap.so` stripped | `taap pop` median | vs release |")
print("|---|---|---|---|---|---|---|")
for row in sys.argv[2:]:
    name, cold, warm, cli, lib = row.split("|")
    print(f"| {name} | {cold} | {warm} | {cli} | {lib} | {pop[name] * 1000:.2f} ms | {pop[name] / base:.2f}× |")
again = pop["release (again)"]
print(f"| release (again, last) | | | | | {again * 1000:.2f} ms | {again / base:.2f}× |")
PY
[ -n "${SCRATCH:-}" ] || rm -rf "$scratch"
