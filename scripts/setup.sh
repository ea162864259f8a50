#!/usr/bin/env bash
# Everything `make test` needs beyond a Rust toolchain, Python, Node.js and Java: the one list.
# `make test` and `.ci/run` call it; run it alone to prepare a machine. It says what it installs
# and skips what is there. Debian packages need root: without it, it prints the one `sudo`
# command to run and exits 1.
#
#   bash scripts/setup.sh          install what is missing
#   bash scripts/setup.sh --check  only list what is missing (exit 1 if anything is)
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=false
[ "${1:-}" = "--check" ] && check_only=true
started=$(date +%s)

# Debian packages, each line a suite's reason.
packages=(
    build-essential pkg-config valgrind php-cli libjansson-dev  # the C suite, PHP through FFI
    clang libclang-rt-14-dev                                     # make test-asan
    libjna-java junit5                                           # make test-kotlin
    libjakarta-servlet-api-java libservlet-api-java libjetty9-java  # make test-kotlin: PopFilter (Servlet 5 API; Servlet 4 twin in Jetty 9)
    php-dev libclang-dev phpunit php-guzzlehttp-guzzle           # make test-php (ext-php-rs: bindgen, php-config)
    php-nyholm-psr7 php-psr-http-factory php-psr-http-message    # make test-php: the PSR-15 middleware (PSR-7, PSR-17)
    chromium                                                     # make test-wasm: the token page
    redis-server                                                 # shared replay and token stores
    musl-tools                                                   # make dist: the static CLI
    openssl                                                      # cli/tests/adversarial.rs signs with it
    gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm    # make test-embedded
    gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf                # make cross
    libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user-static
    libjansson-dev:arm64 libjansson-dev:armhf
    softhsm2 opensc                                              # core/tests/pkcs11.rs: SoftHSM2 token, pkcs11-tool
    swtpm tpm2-tools libtpm2-pkcs11-1 libtpm2-pkcs11-tools       # the PKCS#11 signer's TPM 2.0 tests
    tpm2-abrmd libtss2-tcti-tabrmd0 dbus
    curl                                                         # cli/tests/proxy.rs drives taap proxy with curl
)
foreign_architectures=(arm64 armhf)
# Rust components and targets: lint, the wasm build, the musl CLI, ARM Linux, Cortex-M.
components=(rustfmt clippy)
targets=(wasm32-unknown-unknown x86_64-unknown-linux-musl aarch64-unknown-linux-gnu
    armv7-unknown-linux-gnueabihf thumbv7em-none-eabihf thumbv8m.main-none-eabihf)
# Cargo tools: crate:version:the command that prints its version (wasm-bindgen-cli must equal
# Cargo.lock's wasm-bindgen). cargo puts them in $CARGO_HOME/bin, which a fresh shell may lack.
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
cargo_tools=("cargo-fuzz::cargo fuzz" "cargo-deny::cargo deny" "wasm-bindgen-cli:$wasm_bindgen_version:wasm-bindgen")
# Python services the Rust suites start (pip packages, in the tools venv): core/tests/kms.rs
# runs moto's KMS (`moto_server`).
tools_venv="${TAAP_TOOLS_VENV:-$PWD/.venv}"
python_tools=("moto[server]==5.2.6:moto_server")

missing_packages=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep "install ok installed" >/dev/null ||
        missing_packages+=("$package")
done
installed_components=$(rustup component list --installed 2>/dev/null || true)
missing_components=()
for component in "${components[@]}"; do
    grep "^$component" <<<"$installed_components" >/dev/null || missing_components+=("$component")
done
installed_targets=$(rustup target list --installed)
missing_targets=()
for target in "${targets[@]}"; do
    grep -x "$target" <<<"$installed_targets" >/dev/null || missing_targets+=("$target")
done
missing_tools=()
for entry in "${cargo_tools[@]}"; do
    IFS=: read -r tool version command <<<"$entry"
    shown=$($command --version 2>/dev/null) || { missing_tools+=("$tool${version:+@$version}"); continue; }
    [ -z "$version" ] || [ "$(awk '{print $2}' <<<"$shown")" = "$version" ] || missing_tools+=("$tool@$version")
done

missing_python_tools=()
for entry in "${python_tools[@]}"; do
    [ -x "$tools_venv/bin/${entry##*:}" ] || missing_python_tools+=("${entry%:*}")
done

report() { [ "$#" -gt 1 ] && echo "setup: $1: ${*:2}"; return 0; }
report "Debian packages missing" "${missing_packages[@]}"
report "Rust components missing" "${missing_components[@]}"
report "Rust targets missing" "${missing_targets[@]}"
report "cargo tools missing" "${missing_tools[@]}"
report "Python tools missing (in $tools_venv)" "${missing_python_tools[@]}"
nothing_missing=$(( ${#missing_packages[@]} + ${#missing_components[@]} + ${#missing_targets[@]} + ${#missing_tools[@]} + ${#missing_python_tools[@]} ))
if [ "$nothing_missing" -eq 0 ]; then
    echo "setup: everything make test needs is installed"
    exit 0
fi
$check_only && exit 1

if [ ${#missing_packages[@]} -gt 0 ]; then
    add_architectures=""
    for architecture in "${foreign_architectures[@]}"; do
        dpkg --print-foreign-architectures | grep -x "$architecture" >/dev/null ||
            add_architectures+="dpkg --add-architecture $architecture && "
    done
    install="${add_architectures}apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing_packages[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: Debian packages need root; run this, then make test again:" >&2
        echo "  sudo sh -c '$install'" >&2
        exit 1
    fi
    # An index the mirror is still syncing makes apt-get update fail although the packages it
    # would list are not needed; apt-get install still fails on anything it cannot find.
    sh -c "$install" || { echo "setup: apt-get install failed" >&2; exit 1; }
fi
[ ${#missing_components[@]} -eq 0 ] || rustup component add "${missing_components[@]}"
[ ${#missing_targets[@]} -eq 0 ] || rustup target add "${missing_targets[@]}"
for entry in "${missing_tools[@]}"; do
    tool=${entry%@*} version=""
    [ "$tool" = "$entry" ] || version=${entry#*@}
    echo "setup: cargo install $tool${version:+ $version}"
    # wasm-bindgen-cli is not --locked: its own lock file pins crates some registry mirrors lack.
    locked=--locked
    [ "$tool" = wasm-bindgen-cli ] && locked=""
    cargo install $locked --quiet "$tool" ${version:+--version "$version"}
done
if [ ${#missing_python_tools[@]} -gt 0 ]; then
    [ -x "$tools_venv/bin/python" ] || python3 -m venv "$tools_venv"
    echo "setup: pip install ${missing_python_tools[*]} (in $tools_venv)"
    "$tools_venv/bin/python" -m pip install --quiet --disable-pip-version-check "${missing_python_tools[@]}"
fi
echo "setup: installed what was missing in $(( $(date +%s) - started )) s"
