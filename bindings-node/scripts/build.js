#!/usr/bin/env node
'use strict';
// Writes lib/shared (the JavaScript both doors share, scripts/shared.js), then builds the
// native core with cargo and copies it to taap.node. Runs at `npm install`, also when another
// project installs this folder, so it needs nothing but Node and cargo.
//
//   node scripts/build.js           release build (what installs use)
//   node scripts/build.js --debug   debug build
//
// Cargo reports the artifact's path itself, so CARGO_TARGET_DIR and .cargo/config.toml
// settings are honoured without guessing where the library lands.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { writeShared } = require('./shared');

const PACKAGE_DIR = path.join(__dirname, '..');
const ADDON = path.join(PACKAGE_DIR, 'taap.node');
const CRATE = 'taap-node';
const LIBRARY = 'taap_node';

function cargoCommand() {
  const cargo = process.env.CARGO || 'cargo';
  const probe = spawnSync(cargo, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    fail(
      `cannot run \`${cargo} --version\`: taap compiles its native core at install time and needs Rust ` +
        '(install it from https://rustup.rs or your package manager, e.g. `apt-get install cargo`) and a C compiler.',
    );
  }
  return cargo;
}

function build(cargo, release) {
  const cargoArgs = ['build', '-p', CRATE, '--message-format=json-render-diagnostics'];
  if (release) cargoArgs.push('--release');
  const result = spawnSync(cargo, cargoArgs, {
    cwd: PACKAGE_DIR,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.error) fail(`cargo failed to start: ${result.error.message}`);
  if (result.status !== 0) fail(`\`cargo ${cargoArgs.join(' ')}\` failed (exit ${result.status}); see the errors above`);
  return builtLibrary(result.stdout);
}

/** The cdylib path from cargo's JSON messages. */
function builtLibrary(stdout) {
  let library;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line);
    if (message.reason !== 'compiler-artifact' || message.target.name !== LIBRARY) continue;
    if (!message.target.kind.includes('cdylib')) continue;
    library = message.filenames.find((file) => /\.(so|dylib|dll)$/.test(file));
  }
  if (!library) fail(`cargo did not report the ${LIBRARY} library; is ${CRATE} a cdylib in this workspace?`);
  return library;
}

function install(library) {
  // Write beside and rename: a running process that loaded the old file keeps its mapping.
  const staging = `${ADDON}.${process.pid}.tmp`;
  fs.copyFileSync(library, staging);
  fs.renameSync(staging, ADDON);
}

function fail(message) {
  console.error(`taap: ${message}`);
  process.exit(1);
}

function main() {
  writeShared();
  const release = !process.argv.includes('--debug');
  const library = build(cargoCommand(), release);
  install(library);
  console.error(`taap: built ${path.relative(PACKAGE_DIR, ADDON)} from ${library}`);
}

main();
