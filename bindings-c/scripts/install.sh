#!/usr/bin/env bash
# Builds libtaap and installs it under a prefix:
#   PREFIX/include/taap.h, PREFIX/lib/libtaap.{a,so}, PREFIX/lib/pkgconfig/taap.pc,
#   PREFIX/share/taap/taap_ffi.h (for PHP's FFI).
# Usage: bindings-c/scripts/install.sh [PREFIX]   (default /usr/local; DESTDIR is honoured)
# Set TAAP_NO_BUILD=1 to install what is already built in CARGO_TARGET_DIR (default target/).
set -euo pipefail

prefix="${1:-${PREFIX:-/usr/local}}"
crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(dirname "$crate_dir")"
target_dir="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
release="$target_dir/release"

if [[ "${TAAP_NO_BUILD:-0}" != 1 ]]; then
    (cd "$root" && CARGO_TARGET_DIR="$target_dir" cargo build --release -p taap-c)
fi
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
destination="${DESTDIR:-}$prefix"

install -d "$destination/include" "$destination/lib/pkgconfig" "$destination/share/taap"
install -m 644 "$crate_dir/include/taap.h" "$destination/include/taap.h"
install -m 644 "$crate_dir/include/taap_ffi.h" "$destination/share/taap/taap_ffi.h"
install -m 644 "$release/libtaap.a" "$destination/lib/libtaap.a"
install -m 755 "$release/libtaap.so" "$destination/lib/libtaap.so"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" "$crate_dir/taap.pc.in" >"$destination/lib/pkgconfig/taap.pc"
chmod 644 "$destination/lib/pkgconfig/taap.pc"
echo "installed taap $version under $destination"
