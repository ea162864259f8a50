'use strict';
// Keys in hardware through Signer.fromUri: every vector token made with the vector key imported
// into a TPM 2.0 (swtpm, a pkcs11: URI) and into a local AWS KMS (moto, an aws-kms: alias) is
// the vector's, byte for byte, through the sync and the async API.
//
// The services are tests/hardware/run.py's, which names them in TAAP_HARDWARE; `npm test` runs
// this file under it (not with the other files: test/*.test.js does not reach this folder).
// Without TAAP_HARDWARE these tests fail.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const { test } = require('node:test');

const { PopToken, Signer } = require('taap');
const { vectors } = require('../helpers');

const CASES = vectors('tokens.json').cases;

/** Vector key file -> where the fixture put it ({ tpm, kms }). */
function hardwareKeys() {
  const file = process.env.TAAP_HARDWARE;
  assert.ok(file, 'TAAP_HARDWARE is not set: run these tests under the hardware fixture, '
    + '`bash ../tests/hardware/run.sh -- node --test test/hardware/*.test.js` (npm test does)');
  return JSON.parse(fs.readFileSync(file, 'utf8')).keys;
}

function options(testCase) {
  return { ttlSecs: testCase.ttl_secs, iat: testCase.iat, jti: testCase.jti };
}

test('every vector token made in the TPM is the vector\'s, sync and async', async () => {
  const keys = hardwareKeys();
  // A TPM 2.0 holds RSA-2048 keys: the 4096-bit vector key is the one it does not hold.
  const notInTpm = [...new Set(CASES.filter((c) => keys[c.key].tpm === null).map((c) => c.key))];
  assert.deepEqual(notInTpm, ['openssl/big-4096-private.pem']);
  const signers = new Map();
  let built = 0;
  for (const testCase of CASES) {
    const tpm = keys[testCase.key].tpm;
    if (tpm === null) continue;
    if (!signers.has(tpm.object)) signers.set(tpm.object, Signer.fromUri(tpm.uri));
    const signer = signers.get(tpm.object);
    assert.equal(signer.kind, 'pkcs11');
    assert.equal(PopToken.build(signer, testCase.ehts, options(testCase)), testCase.token, testCase.name);
    assert.equal(await PopToken.buildAsync(signer, testCase.ehts, options(testCase)), testCase.token, testCase.name);
    built += 1;
  }
  assert.deepEqual([signers.size, built], [4, CASES.length - 1]);
});

test('every vector token made through KMS is the vector\'s, sync and async', async () => {
  const keys = hardwareKeys();
  const signers = new Map();
  for (const testCase of CASES) {
    const kms = keys[testCase.key].kms;
    if (!signers.has(kms.alias)) signers.set(kms.alias, Signer.fromUri(kms.uri));
    const signer = signers.get(kms.alias);
    assert.deepEqual([signer.kind, signer.label], ['aws-kms', `${kms.uri} (us-east-1)`]);
    assert.equal(PopToken.build(signer, testCase.ehts, options(testCase)), testCase.token, testCase.name);
    assert.equal(await PopToken.buildAsync(signer, testCase.ehts, options(testCase)), testCase.token, testCase.name);
  }
  assert.equal(signers.size, 5);
});
