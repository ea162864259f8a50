'use strict';
// Loads the compiled core: the prebuilt binary of this platform's package (taap-linux-x64-gnu,
// an optional dependency, so npm installs only the one that fits), else taap.node beside this
// package (written by scripts/build.js in a source checkout).

const fs = require('node:fs');
const path = require('node:path');

const ADDON = path.join(__dirname, '..', 'taap.node');

/** napi-rs's platform name, e.g. linux-x64-gnu; glibc and musl binaries do not mix. */
function platformName() {
  let name = `${process.platform}-${process.arch}`;
  if (process.platform === 'linux') name += isMusl() ? '-musl' : '-gnu';
  return name;
}

/**
 * Whether this Linux runs on musl. `ldd` names its C library and is read in under a
 * millisecond; `process.report.getReport()` (the fallback) takes ~7 ms, most of `require('taap')`.
 */
function isMusl() {
  try {
    return fs.readFileSync('/usr/bin/ldd', 'latin1').includes('musl');
  } catch {
    return !process.report.getReport().header.glibcVersionRuntime;
  }
}

function loadPrebuilt() {
  const name = `taap-${platformName()}`;
  try {
    return require(name);
  } catch (error) {
    // Only a missing package falls through; a broken one must not be masked by a local build.
    if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(`'${name}'`)) return undefined;
    throw error;
  }
}

/** What to do without a binary: a published package needs its platform package; a checkout builds. */
function missingBinaryMessage() {
  const platform = platformName();
  const checkout = fs.existsSync(path.join(__dirname, '..', 'scripts', 'build.js'));
  const fix = checkout
    ? `Run \`npm run build\` in ${path.dirname(ADDON)} (needs Rust's cargo and a C compiler).`
    : `Install the prebuilt core beside it: \`npm install taap-${platform}\` (from the same release as taap).`;
  return `taap has no prebuilt binary for ${platform} (no package taap-${platform}). ${fix}`;
}

function load() {
  const prebuilt = loadPrebuilt();
  if (prebuilt) return prebuilt;
  try {
    return require(ADDON);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') throw new Error(missingBinaryMessage(), { cause: error });
    throw error;
  }
}

module.exports = load();
