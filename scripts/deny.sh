#!/usr/bin/env bash
# The dependency policy of deny.toml: licences, bans and sources always; advisories whenever the
# RustSec database (on GitHub) can be fetched. A closed network cannot fetch it: that is said
# loudly and the offline checks still decide. Any advisory found fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
cargo deny --version >/dev/null 2>&1 || { echo "cargo-deny is missing: run bash scripts/setup.sh" >&2; exit 1; }

cargo deny --log-level error --workspace --exclude taap-php check licenses bans sources
# The PHP extension is checked for the platforms PHP loads it on here (Linux, macOS): on Windows,
# ext-php-rs's build script downloads PHP's SDK with ureq/native-tls/zip (OpenSSL, MPL, bzip2),
# which never reach a built extension but would break the policy for the whole workspace.
for target in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin; do
    cargo deny --log-level error --manifest-path bindings-php/Cargo.toml --target "$target" \
        check licenses bans sources
done
echo "cargo deny: licences, bans and sources ok"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if cargo deny --log-level error check advisories >"$log" 2>&1; then
    echo "cargo deny: advisories ok"
elif grep -q "failed to fetch advisory database" "$log"; then
    echo "cargo deny: advisories NOT CHECKED: the RustSec database could not be fetched" \
        "(no route to github.com); run 'cargo deny check advisories' where it can be" >&2
else
    cat "$log" >&2
    exit 1
fi
