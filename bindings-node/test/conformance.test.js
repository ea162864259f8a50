'use strict';
// Every case of the cross-language conformance vectors in tests/vectors/.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const { describe, test } = require('node:test');
const { PopToken, PopTokenValidator, PrivateKey, PublicKey } = require('taap');
const { keyPath, outcome, vectors } = require('./helpers');

function privateKey(testCase) {
  return PrivateKey.fromFile(keyPath(testCase.key), testCase.password ?? undefined);
}

function buildOptions(testCase) {
  return { ttlSecs: testCase.ttl_secs, iat: testCase.iat, jti: testCase.jti };
}

/** Plain objects reorder integer-like keys, so only other name sets can be given as objects. */
function asObject(pairs) {
  if (pairs.some(([name]) => /^(0|[1-9]\d*)$/.test(name))) return undefined;
  return Object.fromEntries(pairs);
}

describe('tokens.json: byte-identical to the official builder', () => {
  const { cases } = vectors('tokens.json');

  test('has the expected number of cases', () => assert.ok(cases.length >= 50));

  for (const testCase of cases) {
    test(testCase.name, async () => {
      const key = privateKey(testCase);
      const options = buildOptions(testCase);
      assert.equal(PopToken.build(key, testCase.ehts, options), testCase.token);
      assert.equal(PopToken.build(key, new Map(testCase.ehts), options), testCase.token);
      const bytes = testCase.ehts.map(([name, value]) => [name, Buffer.from(value)]);
      assert.equal(PopToken.build(key, bytes, options), testCase.token);
      const object = asObject(testCase.ehts);
      if (object) assert.equal(PopToken.build(key, object, options), testCase.token);
      assert.equal(await PopToken.buildAsync(key, testCase.ehts, options), testCase.token);
    });
  }
});

describe('request.json: the request signer', () => {
  for (const testCase of vectors('request.json').cases) {
    test(testCase.name, async () => {
      const key = privateKey(testCase);
      const request = { method: testCase.method, url: testCase.url, headers: testCase.headers, body: testCase.body };
      const token = PopToken.forRequest(key, request, buildOptions(testCase));
      assert.equal(token, testCase.token);
      assert.equal(PopToken.decode(token).claims.ehts.join(';'), testCase.expected_ehts);
      assert.equal(await PopToken.forRequestAsync(key, request, buildOptions(testCase)), testCase.token);
      const withUrlObject = { ...request, url: new URL(testCase.url, 'https://api.t-mobile.com') };
      if (testCase.url.startsWith('http')) {
        assert.equal(PopToken.forRequest(key, withUrlObject, buildOptions(testCase)), testCase.token);
      }
    });
  }
});

describe('validator.json: the prescribed outcome of every case', () => {
  const file = vectors('validator.json');
  for (const testCase of file.cases) {
    test(testCase.name, () => {
      const options = { ...file.defaults, ...testCase.options };
      const validator = new PopTokenValidator({
        leeway: options.leeway_secs,
        maxAge: options.max_age_secs,
        required: options.required,
        replayCache: options.replay_cache,
      });
      const publicKey = PublicKey.fromFile(keyPath(testCase.public_key));
      const validate = () => validator.validate(testCase.token, publicKey, testCase.ehts, { now: testCase.now });
      assert.equal(outcome(validate), testCase.expect);
      if (testCase.repeat_expect) assert.equal(outcome(validate), testCase.repeat_expect);
    });
  }
});

describe('keys.json: every key form loads to the prescribed key', () => {
  const file = vectors('keys.json');

  for (const testCase of file.private_keys) {
    test(`private ${testCase.file} password=${testCase.password}`, () => {
      const password = testCase.password ?? undefined;
      const bytes = fs.readFileSync(keyPath(testCase.file));
      const fromBytes = testCase.file.endsWith('.der')
        ? () => PrivateKey.fromDer(bytes, password)
        : () => PrivateKey.fromPem(bytes.toString('utf8'), password);
      assert.equal(outcome(() => PrivateKey.fromFile(keyPath(testCase.file), password)), testCase.expect);
      assert.equal(outcome(fromBytes), testCase.expect);
      if (testCase.same_public_key_as) {
        const expected = PublicKey.fromFile(keyPath(testCase.same_public_key_as));
        assert.ok(fromBytes().publicKey().equals(expected));
      }
    });
  }

  for (const testCase of file.public_keys) {
    test(`public ${testCase.file}`, () => {
      const bytes = fs.readFileSync(keyPath(testCase.file));
      const fromBytes = testCase.file.endsWith('.json')
        ? () => PublicKey.fromJwk(JSON.parse(bytes.toString('utf8')))
        : () => PublicKey.fromPem(bytes);
      assert.equal(outcome(() => PublicKey.fromFile(keyPath(testCase.file))), testCase.expect);
      assert.equal(outcome(fromBytes), testCase.expect);
      if (testCase.same_public_key_as) {
        assert.ok(fromBytes().equals(PublicKey.fromFile(keyPath(testCase.same_public_key_as))));
      }
    });
  }
});
