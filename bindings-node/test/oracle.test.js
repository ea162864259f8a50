'use strict';
// Byte-identical to T-Mobile's official builder (npm tmo-poptoken-builder) over random ehts,
// iat and jti, with the builder's clock and jti pinned. Replay a run with TAAP_TEST_SEED.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { test } = require('node:test');
const { PopToken, PrivateKey } = require('taap');
const { README_KEY, keyPath, officialToken, prng, testSeed } = require('./helpers');

const SEED = testSeed();
const random = prng(SEED);
const pick = (items) => items[Math.floor(random() * items.length)];
const count = (max) => Math.floor(random() * (max + 1));

// Characters whose JSON escaping or UTF-8 encoding could differ: controls, quotes,
// backslashes, DEL, Latin-1, the JS line separators, BOM, CJK and astral-plane emoji.
const ALPHABET = [
  ...'abcXYZ019-_.~=:/?&%+ ',
  '"', '\\', '\u0000', '\u0001', '\b', '\t', '\n', '\f', '\r', '\u001f', '\u007f', '\u0080', '\u00e9', '\u00ff',
  '\u2028', '\u2029', '\ufeff', '\ufffd', '東', 'ü', '🚀', '𝄞',
];

function text(maxLength) {
  return Array.from({ length: count(maxLength) }, () => pick(ALPHABET)).join('');
}

/** A name the core accepts: non-blank (an ASCII letter keeps it so in every definition of blank), no ';'. */
function name() {
  return `${text(6)}${pick([...'abcXYZ'])}${text(6)}`;
}

function randomPairs() {
  const pairs = new Map();
  const size = 1 + count(9);
  while (pairs.size < size) pairs.set(name(), random() < 0.1 ? text(2000) : text(40));
  return [...pairs];
}

/** iat below 2^31 - 120: the official builder truncates the clock to 32 bits. */
function randomIat() {
  return count(2 ** 31 - 200);
}

const KEYS = [
  fs.readFileSync(README_KEY, 'utf8'),
  fs.readFileSync(keyPath('tmobile/dotnet-private-pkcs8.pem'), 'utf8'),
  PrivateKey.generate(2048).toPem(),
  PrivateKey.generate(3072).toPem(),
];

test(`random ehts, iat and jti give the official builder's bytes (TAAP_TEST_SEED=${SEED})`, () => {
  const keys = KEYS.map((pem) => [pem, PrivateKey.fromPem(pem)]);
  for (let round = 0; round < 120; round++) {
    const [pem, key] = pick(keys);
    const pairs = randomPairs();
    const iat = randomIat();
    const jti = random() < 0.5 ? crypto.randomUUID() : `${text(30)}j`;
    const expected = officialToken(pem, pairs, iat, jti);
    const actual = PopToken.build(key, pairs, { iat, jti });
    assert.equal(actual, expected, `round ${round} (TAAP_TEST_SEED=${SEED}): ${JSON.stringify({ pairs, iat, jti })}`);
  }
});

test(`the PEM-string form matches too, as callers of the official builder pass it (TAAP_TEST_SEED=${SEED})`, () => {
  for (let round = 0; round < 10; round++) {
    const pem = pick(KEYS);
    const pairs = randomPairs();
    const iat = randomIat();
    const jti = crypto.randomUUID();
    assert.equal(PopToken.build(pem, pairs, { iat, jti }), officialToken(pem, pairs, iat, jti), `round ${round}`);
  }
});
