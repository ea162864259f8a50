#!/usr/bin/env bash
# `make dist`: what a release publishes, in dist/, for x86_64 Linux:
#   taap-VERSION-cp39-abi3-manylinux_2_34_x86_64.whl, taap-VERSION.tar.gz   Python (PyPI)
#   taap-VERSION.tgz, taap-linux-x64-gnu-VERSION.tgz                         Node (npm)
#   taap-wasm-VERSION.tgz                                                    WebAssembly (npm)
#   libtaap-VERSION-x86_64-linux-gnu.tar.gz                                  C (include/, lib/)
#   taap-VERSION-x86_64-unknown-linux-musl.tar.gz                            the static CLI
#   taap-VERSION.jar                                                         JVM
#   taap-php-VERSION-x86_64-linux-gnu.tar.gz                                 PHP extension
#   SHA256SUMS
# Every version is the workspace version of Cargo.toml (scripts/check-versions.sh).
# Builds with the shared target directory; maturin is installed into target/dist-tools.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/check-versions.sh
version=$(bash scripts/check-versions.sh --print)
target_dir="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
release="$target_dir/release"
dist="$root/dist"
stage="$target_dir/dist-stage"
rm -rf "$dist" "$stage"
mkdir -p "$dist" "$stage"

# --- C ----------------------------------------------------------------------------------------
# The SONAME follows the ABI: under 1.0 a minor release may break it (Cargo's semver rule), so
# 0.MINOR; from 1.0, MAJOR. Only this build carries it: the test builds link target/release's
# unversioned libtaap.so by path. cargo rustc's extra arguments reach the taap-c crate alone.
IFS=. read -r major minor patch <<<"$version"
if [ "$major" = 0 ]; then soname="libtaap.so.0.$minor"; else soname="libtaap.so.$major"; fi
cargo rustc --release -p taap-c --lib --quiet -- -C "link-arg=-Wl,-soname,$soname"
c_name="libtaap-$version-x86_64-linux-gnu"
c_dir="$stage/$c_name"
mkdir -p "$c_dir/include" "$c_dir/lib/pkgconfig" "$c_dir/share/taap"
cp bindings-c/include/taap.h "$c_dir/include/"
cp bindings-c/include/taap_ffi.h "$c_dir/share/taap/"
cp "$release/libtaap.a" "$c_dir/lib/"
cp "$release/libtaap.so" "$c_dir/lib/libtaap.so.$version"
# Back to the unversioned library the repository's C tests expect.
cargo build --release -p taap-c --quiet
ln -s "libtaap.so.$version" "$c_dir/lib/$soname"
ln -s "$soname" "$c_dir/lib/libtaap.so"
# pkg-config finds the prefix from the .pc file's own place, so the tarball unpacks anywhere.
sed -e 's|^prefix=@PREFIX@$|prefix=${pcfiledir}/../..|' -e "s|@VERSION@|$version|g" \
    bindings-c/taap.pc.in >"$c_dir/lib/pkgconfig/taap.pc"
cp LICENSE "$c_dir/"
tar -C "$stage" --owner=0 --group=0 -czf "$dist/$c_name.tar.gz" "$c_name"

# --- Python -----------------------------------------------------------------------------------
tools="$target_dir/dist-tools"
[ -x "$tools/bin/maturin" ] || { python3 -m venv "$tools" && "$tools/bin/pip" install --quiet "maturin>=1.9.4,<2"; }
# manylinux_2_34: built against this host's glibc (2.36), the library uses symbols up to
# GLIBC_2.34, and maturin's own auditwheel check refuses any older tag. PyPI accepts the tag;
# pip takes the wheel on glibc >= 2.34 (Debian 12, Ubuntu 22.04, RHEL 9). An older floor needs
# a manylinux container or zig, i.e. another full build.
"$tools/bin/maturin" build --quiet --release --compatibility manylinux_2_34 \
    -m bindings-python/Cargo.toml --out "$dist"
"$tools/bin/maturin" sdist -m bindings-python/Cargo.toml --out "$dist"

# --- Node -------------------------------------------------------------------------------------
# The napi-rs layout: taap names taap-linux-x64-gnu as an optional dependency (npm installs it
# where its os/cpu/libc fit); lib/native.js loads it first. No install script: nothing compiles.
cargo build --release -p taap-node --quiet
platform="$stage/npm/taap-linux-x64-gnu"
mkdir -p "$platform"
cp "$release/libtaap_node.so" "$platform/taap.linux-x64-gnu.node"
cp LICENSE "$platform/"
node - "$platform" "$version" <<'EOF'
const [dir, version] = process.argv.slice(2);
const pkg = {
  name: 'taap-linux-x64-gnu', version,
  description: 'The prebuilt native core of taap for Linux x64 (glibc); installed by taap',
  license: 'Apache-2.0', repository: require('./bindings-node/package.json').repository,
  os: ['linux'], cpu: ['x64'], libc: ['glibc'],
  main: 'taap.linux-x64-gnu.node', files: ['taap.linux-x64-gnu.node', 'LICENSE'],
  engines: { node: '>=18' },
};
require('fs').writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + '\n');
EOF
main_pkg="$stage/npm/taap"
mkdir -p "$main_pkg"
# lib/shared: the CommonJS copy of the JavaScript both doors share (bindings-js/src).
node bindings-node/scripts/shared.js
# The files list and the exports map must agree, or an export resolves to a missing file.
node_files=(index.js index.mjs index.d.ts express.js express.mjs express.d.ts lib/ README.md LICENSE)
for file in "${node_files[@]}"; do
    cp -r "$([ "$file" = LICENSE ] && echo LICENSE || echo "bindings-node/$file")" "$main_pkg/"
done
# git's ignore file of lib/shared would make npm pack leave the copy out.
rm -f "$main_pkg/lib/shared/.gitignore" "$main_pkg/lib/shared/.npmignore"
node - "$main_pkg" "$version" "${node_files[@]}" <<'EOF'
const [dir, version, ...files] = process.argv.slice(2);
const pkg = require('./bindings-node/package.json');
if (pkg.version !== version) throw new Error(`bindings-node/package.json is ${pkg.version}, not ${version}`);
delete pkg.devDependencies;
delete pkg.scripts;
pkg.files = files;
// The files the exports map points at: its string values, at any depth (keys are subpaths).
const exported = [];
(function collect(value) {
  if (typeof value === 'string') exported.push(value.replace(/^\.\//, ''));
  else if (value && typeof value === 'object') Object.values(value).forEach(collect);
})(pkg.exports);
const missing = exported.filter((file) => file !== 'package.json' && !files.includes(file));
if (missing.length) throw new Error(`package.json exports files the package leaves out: ${missing.join(', ')}`);
pkg.optionalDependencies = { 'taap-linux-x64-gnu': version };
require('fs').writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + '\n');
EOF
(cd "$dist" && npm pack --silent "$platform" >/dev/null && npm pack --silent "$main_pkg" >/dev/null)

# --- CLI --------------------------------------------------------------------------------------
# Static (musl): runs on any x86_64 Linux. AWS-LC builds with Debian's musl-gcc.
export CC_x86_64_unknown_linux_musl="${CC_x86_64_unknown_linux_musl:-musl-gcc}"
cargo build --release -p taap-cli --target x86_64-unknown-linux-musl --quiet
cli_name="taap-$version-x86_64-unknown-linux-musl"
mkdir -p "$stage/$cli_name"
cp "$target_dir/x86_64-unknown-linux-musl/release/taap" "$stage/$cli_name/"
cp README.md LICENSE "$stage/$cli_name/"
tar -C "$stage" --owner=0 --group=0 -czf "$dist/$cli_name.tar.gz" "$cli_name"

# --- The other doors --------------------------------------------------------------------------
bash bindings-kotlin/scripts/build.sh >/dev/null
cp bindings-kotlin/build/taap.jar "$dist/taap-$version.jar"

cargo build --release -p taap-php --quiet
php_name="taap-php-$version-x86_64-linux-gnu"
mkdir -p "$stage/$php_name"
cp "$release/libtaap_php.so" "$stage/$php_name/taap.so"
cp -r bindings-php/taap.stub.php bindings-php/composer.json bindings-php/php bindings-php/README.md LICENSE "$stage/$php_name/"
tar -C "$stage" --owner=0 --group=0 -czf "$dist/$php_name.tar.gz" "$php_name"

bash bindings-wasm/scripts/build.sh >/dev/null
cp LICENSE bindings-wasm/pkg/
(cd "$dist" && npm pack --silent "$root/bindings-wasm/pkg" >/dev/null)

(cd "$dist" && sha256sum -- * >SHA256SUMS)
ls -l "$dist"
