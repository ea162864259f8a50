'use strict';
// Shared fixtures: the repository's conformance vectors and keys, and T-Mobile's official
// builder with its clock and jti pinned (the byte-for-byte oracle).

const fs = require('node:fs');
const path = require('node:path');

const TESTS = path.join(__dirname, '..', '..', 'tests');
const KEYS = path.join(TESTS, 'keys');
const README_KEY = path.join(KEYS, 'tmobile', 'readme-private-pkcs8.pem');
const README_PUBLIC = path.join(KEYS, 'tmobile', 'readme-public.pem');

/** One vectors file from tests/vectors. */
function vectors(file) {
  return JSON.parse(fs.readFileSync(path.join(TESTS, 'vectors', file), 'utf8'));
}

/** A key path as the vectors give it (relative to tests/keys). */
function keyPath(relative) {
  return path.join(KEYS, relative);
}

/** The error class name the JS API uses for a core kind name (`TokenExpired` -> `TokenExpiredError`). */
function className(kind) {
  return `${kind}Error`;
}

/** `ok`, or the core kind name of the error `action` throws. */
function outcome(action) {
  try {
    action();
    return 'ok';
  } catch (error) {
    if (!error.name.endsWith('Error') || !error.code || !error.code.startsWith('TAAP_')) throw error;
    return error.name.slice(0, -'Error'.length);
  }
}

// The package's `main` names a file that does not exist; this is the real module.
const officialBuilder = require('tmo-poptoken-builder/poptoken-builder-node.js');

function withPinnedClock(seconds, action) {
  const RealDate = global.Date;
  global.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(seconds * 1000);
      else super(...args);
    }
    static now() {
      return seconds * 1000;
    }
  };
  try {
    return action();
  } finally {
    global.Date = RealDate;
  }
}

/** T-Mobile's builder over ordered string pairs, with iat and jti fixed. */
function officialToken(pem, pairs, iat, jti) {
  const original = officialBuilder.createGUID;
  officialBuilder.createGUID = () => jti;
  try {
    return withPinnedClock(iat, () => officialBuilder.buildPopToken(new Map(pairs), pem));
  } finally {
    officialBuilder.createGUID = original;
  }
}

/** mulberry32: a small seedable PRNG, so a failing random case can be replayed from its seed. */
function prng(seed) {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed for this run: TAAP_TEST_SEED to replay one, otherwise a fresh one. */
function testSeed() {
  const fixed = process.env.TAAP_TEST_SEED;
  return fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
}

module.exports = {
  KEYS,
  README_KEY,
  README_PUBLIC,
  vectors,
  keyPath,
  className,
  outcome,
  officialToken,
  prng,
  testSeed,
};
