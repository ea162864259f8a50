#!/usr/bin/env bash
# `make test`: installs what is missing (scripts/setup.sh), then runs each suite named on the
# command line as `make <suite>`, timing each, and ends with a table of the wall times. Every
# suite runs even after one fails, so one run shows every failure; the exit code is 1 if any
# did. The table is also written to $CARGO_TARGET_DIR/test-times.md (default target/).
set -uo pipefail
cd "$(dirname "$0")/.."

[ "$#" -gt 0 ] || { echo "usage: scripts/test-all.sh SUITE..." >&2; exit 2; }
target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target_dir"
table="$target_dir/test-times.md"

# A skipped test tested nothing: the suites that can skip fail instead under make test.
export TAAP_REFUSE_SKIPS=1

seconds_since() { echo $(( $(date +%s) - $1 )); }
minutes() { printf '%d min %02d s' $(( $1 / 60 )) $(( $1 % 60 )); }

started=$(date +%s)
rows=()
failed=()
setup_started=$(date +%s)
if bash scripts/setup.sh; then
    rows+=("| set-up (scripts/setup.sh) | $(minutes "$(seconds_since "$setup_started")") | ok |")
else
    echo "make test: the set-up failed; nothing was tested" >&2
    exit 1
fi

for suite in "$@"; do
    echo "=== make $suite"
    suite_started=$(date +%s)
    if make --no-print-directory "$suite"; then outcome=ok; else outcome=FAILED; failed+=("$suite"); fi
    rows+=("| $suite | $(minutes "$(seconds_since "$suite_started")") | $outcome |")
done

{
    echo "| suite | wall time | outcome |"
    echo "|---|---:|---|"
    printf '%s\n' "${rows[@]}"
    echo "| **total** | **$(minutes "$(seconds_since "$started")")** | |"
} | tee "$table"

echo "suites: $(( $# - ${#failed[@]} )) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
    echo "make test: failed: ${failed[*]}" >&2
    exit 1
fi
echo "all test suites passed"
