'use strict';
// Tests of the API both JavaScript doors share, run by each door's suite on its own package
// (bindings-node/test/shared-api.test.js, bindings-wasm/test/shared-api.test.mjs): the same
// calls must give the same exact results and error kinds in both.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { describe, test } = require('node:test');

const KEY_PEM = fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'keys', 'tmobile', 'readme-private-pkcs8.pem'), 'utf8');
const IAT = 1767225600;
const JTI = '4a2c0e6e-2f1b-4c59-9a7e-1d1d2f3a4b5c';
const PINNED = { iat: IAT, jti: JTI };
/** A request target whose query differs between the decoded (`a b`) and encoded (`a%20b`) forms. */
const TARGET = '/orders?q=a%20b';

/** The edts of `values`, computed here with node:crypto, independently of taap. */
const edtsOf = (...values) => crypto.createHash('sha256').update(values.join('')).digest('base64url');

/** Defines the shared tests against `taap`, one door's package. */
function sharedApiTests(taap) {
  const { PopToken, PopTokenValidator, PrivateKey, explain } = taap;
  const key = PrivateKey.fromPem(KEY_PEM);

  /** The request as a gateway receives it, carrying a token signed with `uri` = `signedUri`. */
  const received = (signedUri) => {
    const token = PopToken.build(key, [['uri', signedUri], ['http-method', 'GET']], PINNED);
    return { token, request: { method: 'GET', url: TARGET, headers: [['X-Authorization', token]] } };
  };
  /** `ok` or the error class name of a validateRequest with `options`. */
  const outcome = ({ request }, options) => {
    try {
      new PopTokenValidator().validateRequest(key.publicKey(), request, { now: IAT + 1, ...options });
      return 'ok';
    } catch (error) {
      return error.name;
    }
  };

  describe('validateRequest: options.uriForm', () => {
    test('a token over the decoded query (the docs) passes by default and as decoded, not as encoded', () => {
      const signed = received('/orders?q=a b');
      const token = new PopTokenValidator().validateRequest(key.publicKey(), signed.request, { now: IAT + 1 });
      assert.equal(token.token, signed.token);
      assert.deepEqual(token.claims.ehts, ['uri', 'http-method']);
      assert.deepEqual([outcome(signed, { uriForm: 'decoded' }), outcome(signed, { uriForm: 'encoded' })], ['ok', 'EdtsMismatchError']);
    });

    test('a token over the query as sent passes only as encoded', () => {
      const signed = received(TARGET);
      assert.deepEqual([outcome(signed, {}), outcome(signed, { uriForm: 'decoded' }), outcome(signed, { uriForm: 'encoded' })],
        ['EdtsMismatchError', 'EdtsMismatchError', 'ok']);
    });

    test('another form is the core\'s Config error, another type a TypeError', () => {
      const signed = received(TARGET);
      assert.throws(() => new PopTokenValidator().validateRequest(key.publicKey(), signed.request, { uriForm: 'raw' }), {
        name: 'ConfigError',
        code: 'TAAP_CONFIG',
      });
      assert.throws(() => new PopTokenValidator().validateRequest(key.publicKey(), signed.request, { uriForm: 5 }), {
        name: 'TypeError',
        message: "options.uriForm ('decoded' or 'encoded') must be a string, got a number",
      });
    });

    test('validate, which compares given values, refuses uriForm instead of ignoring it', () => {
      const { token } = received(TARGET);
      assert.throws(() => new PopTokenValidator().validate(token, key.publicKey(), [['uri', TARGET], ['http-method', 'GET']], { uriForm: 'encoded' }), {
        name: 'TypeError',
        message: "options.uriForm is an option of validateRequest, which reads `uri` from the request's URL; validate compares the values it is given",
      });
    });
  });

  describe('explain', () => {
    const headers = { Authorization: 'Bearer s3cr3t' };
    const token = PopToken.forRequest(key, { method: 'GET', url: 'https://api.t-mobile.com/orders?id=1', headers }, PINNED);

    test('a token built for one URL, explained against another: the exact mismatch', () => {
      const request = { method: 'GET', url: 'https://api.t-mobile.com/orders?id=2', headers };
      assert.deepEqual(explain(token, request, { publicKey: key.publicKey(), now: IAT + 5 }), {
        valid: false,
        header: { alg: 'RS256', typ: 'JWT' },
        claims: { edts: edtsOf('Bearer s3cr3t', '/orders?id=1', 'GET', ''), v: '1', exp: IAT + 120, ehts: ['Authorization', 'uri', 'http-method', 'body'], iat: IAT, jti: JTI },
        time: { now: IAT + 5, expires_in: 115, age: 5, ok: true, clock_offset: null },
        entries: [
          { name: 'Authorization', value: 'Bearer ****', bytes: 13 },
          { name: 'uri', value: '/orders?id=2', bytes: 12 },
          { name: 'http-method', value: 'GET', bytes: 3 },
          { name: 'body', value: '', bytes: 0 },
        ],
        edts: { claimed: edtsOf('Bearer s3cr3t', '/orders?id=1', 'GET', ''), computed: edtsOf('Bearer s3cr3t', '/orders?id=2', 'GET', ''), matches: false },
        signature: 'valid',
        variant: null,
        problems: ['edts mismatch: no known variant reproduces the signed values'],
      });
    });

    test('a token for the request as sent is valid; without a key the signature is not checked', () => {
      const result = explain(token, { method: 'GET', url: '/orders?id=1', headers }, { now: IAT + 5 });
      assert.deepEqual([result.valid, result.edts.matches, result.signature, result.problems], [true, true, 'not-checked', []]);
    });

    test('a token over the query as sent is named by the uri-encoded variant', () => {
      const { token: encoded } = received(TARGET);
      const result = explain(encoded, { method: 'GET', url: TARGET }, { now: IAT + 5 });
      assert.deepEqual(result.variant, { id: 'uri-encoded', description: 'the signer hashed uri with the query as sent, not percent-decoded' });
      assert.deepEqual(result.problems, ['edts mismatch: the signer hashed uri with the query as sent, not percent-decoded (uri-encoded)']);
    });

    test('bad input is a typed error', () => {
      assert.throws(() => explain('not-a-token', { url: '/a' }), { name: 'InvalidTokenError', code: 'TAAP_INVALID_TOKEN' });
      assert.throws(() => explain(token, { url: '/a' }, { publicKey: KEY_PEM }), { name: 'TypeError' });
      assert.throws(() => explain(token, null), { name: 'TypeError', message: 'request must be an object with method and url, got null' });
    });
  });
}

module.exports = { sharedApiTests };
