#!/usr/bin/env bash
# make test-php: builds the extension, the taap CLI (for the client tests) and libtaap.so (for
# the FFI fallback), then runs the PHPUnit suite (Debian: php-cli php-dev clang libclang-dev
# phpunit php-guzzlehttp-guzzle). TAAP_PHP_EXT, TAAP_BIN and TAAP_LIB use prebuilt files instead.
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
php -d extension="$extension" /usr/bin/phpunit -c bindings-php/phpunit.xml "$@"
