#!/usr/bin/env bash
# make test-php: builds the extension, the taap CLI (for the client tests) and libtaap.so (for
# the FFI fallback), then runs the PHPUnit suite (Debian: php-cli php-dev clang libclang-dev
# phpunit php-guzzlehttp-guzzle), and bindings-php/tests/hardware/HardwareCase.php under the
# hardware fixture (tests/hardware/run.sh: swtpm and moto's KMS, from scripts/setup.sh's venv).
# TAAP_PHP_EXT, TAAP_BIN and TAAP_LIB use prebuilt files instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
if [[ -z "${TAAP_PHP_EXT:-}" ]]; then
    "${CARGO:-cargo}" build --release -p taap-php -p taap-cli -p taap-c
fi
extension="${TAAP_PHP_EXT:-$target/release/libtaap_php.so}"
export TAAP_BIN="${TAAP_BIN:-$target/release/taap}" TAAP_PHP_EXT="$extension"
export TAAP_LIB="${TAAP_LIB:-$target/release/libtaap.so}"
php -n -d extension="$extension" -r 'exit(extension_loaded("taap-php") ? 0 : 1);' \
    || { echo "test-php: $extension does not load" >&2; exit 1; }
# The keys in hardware (swtpm and moto's KMS, tests/hardware/run.py) run once, around their own
# file (bindings-php/tests/hardware/HardwareCase.php, not a *Test.php of the suite); the suite
# runs without them, as before. Both run even if the first fails.
hardware=0
bash tests/hardware/run.sh -- php -d extension="$extension" /usr/bin/phpunit -c bindings-php/phpunit.xml \
    bindings-php/tests/hardware/HardwareCase.php || hardware=$?
php -d extension="$extension" /usr/bin/phpunit -c bindings-php/phpunit.xml "$@"
exit "$hardware"
