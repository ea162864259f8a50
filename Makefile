# One entry point for every test suite. `make test` is what CI runs; it installs what is missing
# first (scripts/setup.sh). Everything shares one cargo target directory.

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: setup embedded test-embedded dist test-dist test lint test-rust check-wasm test-vectors test-python test-php test-node test-c cross test-cross demo bench test-asan test-fuzz test-deny test-kotlin bad-input-matrix rss-soak wasm test-wasm web bench-wasm

## Every test suite, in this order: lint, Rust, conformance vectors, C/PHP (valgrind, ASan), C on
## ARM Linux (qemu-user), the microcontroller example (qemu-system-arm), Node, wasm, Python, PHP,
## the JVM, the fuzz smoke run, the dependency policy and the release artifacts (dist/, installed
## clean).
SUITES = lint test-rust test-vectors test-c test-cross test-asan test-embedded test-node test-wasm test-python test-php test-kotlin test-fuzz test-deny test-dist

## Installs what is missing (scripts/setup.sh, the one list), runs every suite and ends with a
## table of each suite's wall time (also in target/test-times.md).
test:
	bash scripts/test-all.sh $(SUITES)

## Only the set-up: Debian packages, Rust targets and components, cargo tools.
setup:
	bash scripts/setup.sh

## Formatting and clippy (warnings are errors); docs/api.md names exist in every door; every
## fenced block of the Markdown is run by a suite or marked a fragment; both JavaScript
## packages' index.d.ts are the rendering of their one source, bindings-js/taap.d.ts.in.
lint:
	$(CARGO) fmt --all -- --check
	bash scripts/check-versions.sh
	python3 scripts/check-api-table.py
	python3 scripts/check-doc-blocks.py
	node bindings-js/scripts/declarations.mjs --check
	$(CARGO) test --release --quiet -p taap --features client --test declarations
	$(CARGO) clippy --release --workspace --all-targets --quiet -- -D warnings
	$(CARGO) clippy --release -p taap-cli --features otlp --all-targets --quiet -- -D warnings
	$(CARGO) clippy --release -p taap --no-default-features --features std,rustcrypto --all-targets --quiet -- -D warnings
	$(CARGO) clippy --release -p taap --no-default-features --features rustcrypto --target thumbv7em-none-eabihf --quiet -- -D warnings
	$(CARGO) clippy --release -p taap-c --no-default-features --features rustcrypto,client --all-targets --quiet -- -D warnings
	$(CARGO) clippy --release -p taap-c --target aarch64-unknown-linux-gnu --target armv7-unknown-linux-gnueabihf --quiet -- -D warnings
	$(CARGO) clippy --release -p taap --no-default-features --features aws-lc,redis --all-targets --quiet -- -D warnings
	$(CARGO) clippy --release -p taap-wasm --target wasm32-unknown-unknown --quiet -- -D warnings
	$(CARGO) clippy --release -p taap-embedded --target thumbv7em-none-eabihf --target thumbv8m.main-none-eabihf --quiet -- -D warnings

## The core and CLI: unit, conformance, property, CLI and end-to-end gateway tests (the async
## client's among them: gateway/tests enables `async-client`), taap-tower's layer; the core's
## client tests need its `client` feature (off by default; named here, though the CLI and
## gateway turn it on too, so the workspace's one build of the core has it); the core's suite
## again on the pure-Rust rustcrypto backend (and without the client), and its wasm build.
## The CLI's keys in hardware (cli/tests/hardware.rs, tests named under_the_hardware_fixture_*)
## run on their own under tests/hardware/run.sh (swtpm and moto's KMS), same build.
test-rust: check-wasm
	$(CARGO) test --release --no-fail-fast --workspace --exclude taap-python --exclude taap-node --exclude taap-c \
		--features taap/client -- --skip under_the_hardware_fixture
	bash tests/hardware/run.sh -- $(CARGO) test --release --workspace --exclude taap-python --exclude taap-node \
		--exclude taap-c --features taap/client --test hardware
	$(CARGO) test --release -p taap-cli --features otlp --test otlp
	$(CARGO) test --release -p taap --no-default-features --features std,rustcrypto
	$(CARGO) check --release -p taap --no-default-features --features rustcrypto,client,async-client --all-targets

## The core builds for wasm32-unknown-unknown on the rustcrypto backend (target: rustup target add).
## Same profile as make wasm, so the two share their compiled dependencies.
check-wasm:
	$(CARGO) build --profile wasm-release -p taap --no-default-features --features std,rustcrypto --target wasm32-unknown-unknown

## The committed vectors still match T-Mobile's official JavaScript builder.
test-vectors:
	cd tests/conformance && npm ci --no-audit --no-fund && node generate-vectors.js --check

## The Python package (builds it into bindings-python/.venv).
test-python:
	bash bindings-python/scripts/test.sh

## The native PHP extension (bindings-php): PHPUnit over the vectors, errors, hygiene, the stub
## against reflection, Guzzle, the FFI fallback, the bad-input column, the client against
## `taap serve` and 10 000 builds with flat memory.
test-php:
	bash bindings-php/scripts/test.sh

## The Node.js package (its CommonJS copy of bindings-js/src is written by its build step).
test-node:
	cd bindings-node && npm ci --no-audit --no-fund && npm test

## The npm package taap-wasm into bindings-wasm/pkg/ and the token page into web/ (installs
## wasm-bindgen-cli, in the version of Cargo.lock's wasm-bindgen, on first use).
wasm:
	bash bindings-wasm/scripts/build.sh

## taap-wasm under Node: every conformance vector on both signers, the API both JavaScript doors
## share (bindings-js/test), the bad-input column, the README, the token page in Debian's
## Chromium (playwright-core): tokens, errors, the check panel, no network; the declarations (tsc).
test-wasm: wasm
	cd bindings-wasm && npm ci --no-audit --no-fund && npm test

## The token page on http://127.0.0.1:8000/ (PORT=… to change); Ctrl-C stops it.
web: wasm
	python3 -m http.server --bind 127.0.0.1 --directory web $${PORT:-8000}

## taap-wasm's speed in one Chromium run (sync, WebCrypto, jsrsasign, plain WebCrypto) and under
## Node beside the native package (needs bindings-node built: make test-node).
bench-wasm: wasm
	cd bindings-wasm && npm ci --no-audit --no-fund && node bench/run.mjs

## The JVM jar (uniffi + JNA): JUnit 5 suite incl. the client against taap serve (kotlinc from npm).
test-kotlin:
	bash bindings-kotlin/scripts/test.sh

## What a release publishes, into dist/: the Python wheel (abi3, manylinux_2_34) and sdist, the
## npm tarballs (taap + the prebuilt taap-linux-x64-gnu, taap-wasm), the C tarball (versioned
## SONAME, pkg-config), the static musl CLI, the jar, the PHP extension, SHA256SUMS.
## Needs: rustup target add x86_64-unknown-linux-musl; Debian musl-tools.
dist:
	bash scripts/dist.sh

## Builds dist/, installs each artifact where no cargo, rustc or C compiler is on PATH and checks
## the vector token and the version. Last in `make test`: with the target dir the other suites
## built, dist + test-dist took 5 min (the musl CLI from cold is most of it), 1 min 14 s warm.
test-dist: dist
	bash scripts/test-dist.sh

## The C ABI, under gcc -Werror, valgrind, and PHP FFI.
test-c:
	bash bindings-c/scripts/test.sh

## The microcontroller library (no_std) for Cortex-M4F (thumbv7em-none-eabihf) and Cortex-M33
## (thumbv8m.main-none-eabihf, the nRF9160's core): libtaap_embedded.a for each, its header, and
## examples/embedded/build/pop.elf for QEMU's mps2-an386 (M4F) and pop-m33.elf for mps2-an505 (M33).
embedded:
	$(MAKE) -C examples/embedded all
	@echo "library: $(or $(CARGO_TARGET_DIR),target)/thumbv7em-none-eabihf/embedded-release/libtaap_embedded.a (Cortex-M4F)"
	@echo "         $(or $(CARGO_TARGET_DIR),target)/thumbv8m.main-none-eabihf/embedded-release/libtaap_embedded.a (Cortex-M33)"
	@echo "header:  bindings-embedded/include/taap_embedded.h"
	@echo "programs: examples/embedded/build/pop.elf and pop-m33.elf; run them with"
	@echo "  qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native -kernel examples/embedded/build/pop.elf"
	@echo "  qemu-system-arm -M mps2-an505 -nographic -semihosting-config enable=on,target=native -kernel examples/embedded/build/pop-m33.elf"

## pop.elf (M4F) and pop-m33.elf (M33) under qemu-system-arm: every unencrypted vector token byte
## for byte, with the in-memory key and through the callback signer; bad input (the callback
## signer's among it) gets its exact status with no fault on both cores; the MCU column of the
## bad-input matrix; the library's flash at most 160 KiB on both cores (from the link maps); the
## header has not drifted; the ABI's host unit tests, the shared C ABI's (bindings-cabi) among them.
EMBEDDED_HEADER_DIR = $(abspath $(or $(CARGO_TARGET_DIR),target))/embedded-header
test-embedded:
	TAAP_HEADER_DIR="$(EMBEDDED_HEADER_DIR)" $(CARGO) check --release --quiet -p taap-embedded --features generate-headers
	diff -u bindings-embedded/include/taap_embedded.h "$(EMBEDDED_HEADER_DIR)/taap_embedded.h" || \
		{ echo "taap_embedded.h is stale: run 'cargo check -p taap-embedded --features generate-headers'"; exit 1; }
	$(CARGO) test --release --quiet -p taap-embedded -p taap-cabi
	$(MAKE) -C examples/embedded test

## libtaap.a and libtaap.so for ARM Linux (AWS-LC), where cargo puts them:
## target/{aarch64-unknown-linux-gnu,armv7-unknown-linux-gnueabihf}/release/; same include/taap.h.
## Needs: rustup target add aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf; Debian
## gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf (bindings-c/README.md, "Cross-compiling").
cross:
	$(CARGO) build --release -p taap-c --target aarch64-unknown-linux-gnu --target armv7-unknown-linux-gnueabihf

## The C tests on both ARM targets under qemu-user (static and shared; the client against a host
## taap serve), again on aarch64 with the rustcrypto backend, and aarch64's bad-input column.
## From cold on a 2-core machine busy with other builds: make cross 8 min 12 s (AWS-LC twice),
## then test-cross 2 min 43 s (the rustcrypto build); warm, both together 1 min.
test-cross: cross
	bash bindings-c/scripts/test-cross.sh

## The four TAAP steps against an in-process local gateway.
demo:
	$(CARGO) run --release -p taap-cli -- demo

## Core speed side by side with OpenSSL (prints a markdown table).
bench:
	bash bench/compare.sh

## The C suite under AddressSanitizer + LeakSanitizer (Debian: clang libclang-rt-14-dev).
test-asan:
	bash scripts/asan.sh

## Every fuzz target for 12 s from its seeds (installs cargo-fuzz on first use; ~2 min of fuzzing).
test-fuzz:
	bash scripts/fuzz-smoke.sh

## deny.toml: licences, bans, sources; advisories where the RustSec database is reachable.
test-deny:
	bash scripts/deny.sh

## The bad-input matrix: every suite's column, assembled into docs/security-testing.md.
bad-input-matrix:
	bash scripts/bad-input-matrix.sh

## RSS of 100 000 builds in one process, Python and Node (about a minute each).
rss-soak:
	bash scripts/rss-soak.sh
