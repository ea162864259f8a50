'use strict';
// buildAsync/forRequestAsync on the libuv pool: same tokens as the sync calls, many at once,
// one key shared by every worker.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const { test } = require('node:test');
const { PopToken, PopTokenValidator, PrivateKey, InvalidEhtsError } = require('taap');
const { README_KEY } = require('./helpers');

const key = PrivateKey.fromPem(fs.readFileSync(README_KEY));
const IAT = 1767225600;

function ehts(index) {
  return [['X-Index', String(index)], ['uri', `/items/${index}`], ['http-method', 'PUT'], ['body', 'x'.repeat(index)]];
}

test('200 concurrent buildAsync calls give exactly the sync tokens, in order', async () => {
  const indexes = Array.from({ length: 200 }, (_, i) => i);
  const options = (i) => ({ iat: IAT + i, jti: `jti-${i}` });
  const tokens = await Promise.all(indexes.map((i) => PopToken.buildAsync(key, ehts(i), options(i))));
  assert.deepEqual(tokens, indexes.map((i) => PopToken.build(key, ehts(i), options(i))));
});

test('concurrent tokens without a fixed jti are all distinct and all validate', async () => {
  const tokens = await Promise.all(Array.from({ length: 100 }, () => PopToken.buildAsync(key, ehts(7))));
  const jtis = new Set(tokens.map((token) => PopToken.decode(token).claims.jti));
  assert.equal(jtis.size, 100);
  const validator = new PopTokenValidator({ replayCache: true });
  for (const token of tokens) assert.equal(validator.validate(token, key.publicKey(), ehts(7)).token, token);
});

test('several keys in flight at once each sign with their own key', async () => {
  const keys = await Promise.all([PrivateKey.generateAsync(), PrivateKey.generateAsync(), Promise.resolve(key)]);
  const jobs = [];
  for (let round = 0; round < 30; round++) {
    for (const signer of keys) jobs.push(PopToken.buildAsync(signer, ehts(round)).then((token) => [signer, token, round]));
  }
  const validator = new PopTokenValidator();
  for (const [signer, token, round] of await Promise.all(jobs)) {
    validator.validate(token, signer.publicKey(), ehts(round));
    for (const other of keys.filter((candidate) => candidate !== signer)) {
      assert.throws(() => validator.validate(token, other.publicKey(), ehts(round)), { code: 'TAAP_SIGNATURE_INVALID' });
    }
  }
});

test('forRequestAsync matches forRequest and failures reject without disturbing the others', async () => {
  const request = (i) => ({ method: 'post', url: `https://api.t-mobile.com/a/${i}?q=%20${i}`, headers: { 'Content-Type': 'application/json' }, body: `{"i":${i}}` });
  const options = (i) => ({ iat: IAT, jti: `r-${i}` });
  const settled = await Promise.allSettled(
    Array.from({ length: 60 }, (_, i) => (i % 10 === 9
      ? PopToken.buildAsync(key, [['dup', ''], ['dup', '']])
      : PopToken.forRequestAsync(key, request(i), options(i)))),
  );
  settled.forEach((result, i) => {
    if (i % 10 === 9) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof InvalidEhtsError);
    } else {
      assert.deepEqual(result, { status: 'fulfilled', value: PopToken.forRequest(key, request(i), options(i)) });
    }
  });
});

test('a type error in an async call is a rejection, not a synchronous throw', async () => {
  const pending = PopToken.buildAsync(key, 'not ehts');
  assert.ok(pending instanceof Promise);
  await assert.rejects(pending, TypeError);
  await assert.rejects(PrivateKey.generateAsync('big'), TypeError);
});
