#!/usr/bin/env bash
# One version for every door: the workspace version in Cargo.toml. Every other place that
# states a version must state the same one, because users read it off whichever door they
# hold (`taap --version`, taap.__version__, package.json, TAAP_VERSION, taap.pc, …).
#
#   scripts/check-versions.sh            the sources (no build needed)
#   scripts/check-versions.sh --print    prints the version and exits
#
# The built artifacts are checked against the same version by scripts/test-dist.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

version=$(awk '/^\[workspace.package\]/ { in_section = 1; next }
    /^\[/ { in_section = 0 }
    in_section && /^version = / { gsub(/"/, "", $3); print $3; exit }' Cargo.toml)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "no MAJOR.MINOR.PATCH workspace version in Cargo.toml: '$version'" >&2; exit 1; }
if [ "${1:-}" = --print ]; then
    echo "$version"
    exit 0
fi

failures=0
expect() { # what, found
    if [ "$2" != "$version" ]; then
        echo "version mismatch: $1 says '$2', Cargo.toml's workspace says '$version'" >&2
        failures=$((failures + 1))
    fi
}
json_version() { node -e 'process.stdout.write(String(require(require("path").resolve(process.argv[1])).version))' "$1"; }

# Every crate takes the workspace version rather than stating its own.
for manifest in core/Cargo.toml gateway/Cargo.toml cli/Cargo.toml bindings-*/Cargo.toml; do
    grep -q '^version\.workspace = true$' "$manifest" || expect "$manifest (no version.workspace = true)" "?"
done
expect "Cargo.toml [workspace.dependencies] taap" \
    "$(sed -n 's/^taap = { path = "core", version = "\([^"]*\)" }$/\1/p' Cargo.toml)"
# Cargo.lock is rewritten by any build, but a stale one in a release commit is still a lie.
expect "Cargo.lock (taap)" "$(awk '/^name = "taap"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"

expect bindings-node/package.json "$(json_version bindings-node/package.json)"
expect "bindings-node/package-lock.json" "$(json_version bindings-node/package-lock.json)"
expect bindings-wasm/js/package.json "$(json_version bindings-wasm/js/package.json)"
# maturin reads the version from Cargo.toml when pyproject.toml leaves it dynamic.
grep -q '^dynamic = \[.*"version".*\]$' bindings-python/pyproject.toml ||
    expect "bindings-python/pyproject.toml (version not dynamic)" "?"
grep -q '^version' bindings-python/pyproject.toml && expect "bindings-python/pyproject.toml (states a version)" "?"
for header in bindings-c/include/taap.h bindings-c/cbindgen.toml bindings-embedded/include/taap_embedded.h \
    bindings-embedded/cbindgen.toml; do
    expect "$header TAAP_VERSION" "$(sed -n 's/^#define TAAP_VERSION "\([^"]*\)".*$/\1/p' "$header")"
done
# install.sh and the dist tarball fill @VERSION@ from Cargo.toml.
grep -q '^Version: @VERSION@$' bindings-c/taap.pc.in || expect "bindings-c/taap.pc.in (Version is not @VERSION@)" "?"
# Composer takes a package's version from the VCS tag; a version field would override it.
grep -q '"version"' bindings-php/composer.json && expect "bindings-php/composer.json (states a version)" "?"
grep -q "^## \[$version\]" CHANGELOG.md || expect "CHANGELOG.md (no '## [$version]' section)" "?"

if [ "$failures" -ne 0 ]; then
    exit 1
fi
echo "versions agree: $version"
