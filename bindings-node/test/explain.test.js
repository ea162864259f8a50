'use strict';
// explain(): a token diagnosed against the request as sent, as `taap doctor --json` does. The
// expected edts are computed here with node:crypto, independently of taap.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { describe, test } = require('node:test');
const taap = require('taap');
const { README_KEY } = require('./helpers');

const { InvalidTokenError, PopToken, PrivateKey, explain } = taap;
const key = PrivateKey.fromPem(fs.readFileSync(README_KEY));
const IAT = 1767225600;
const SECRET = 'Bearer s3cr3t-access-token-value';

const edts = (...values) => crypto.createHash('sha256').update(values.join('')).digest('base64url');
const signed = (ehts) => PopToken.build(key, ehts, { iat: IAT, jti: '4a2c0e6e-2f1b-4c59-9a7e-1d1d2f3a4b5c' });

describe('explain', () => {
  test('a token for the request as sent is valid, its secret masked', () => {
    const token = signed([['Authorization', SECRET], ['uri', '/a?q=a b'], ['http-method', 'GET'], ['body', '']]);
    const request = { method: 'GET', url: 'https://h/a?q=a%20b', headers: { Authorization: SECRET } };
    const result = explain(token, request, { publicKey: key.publicKey(), now: IAT + 5 });
    assert.equal(result.valid, true);
    assert.deepEqual(result.problems, []);
    assert.equal(result.signature, 'valid');
    const expected = edts(SECRET, '/a?q=a b', 'GET', '');
    assert.deepEqual(result.edts, { claimed: expected, computed: expected, matches: true });
    assert.deepEqual(result.entries.map((entry) => entry.name), ['Authorization', 'uri', 'http-method', 'body']);
    assert.equal(result.time.expires_in, 115);
    assert.ok(!JSON.stringify(result).includes('s3cr3t'));
  });

  const variants = [
    ['uri-encoded', [['uri', '/a?q=a%20b'], ['http-method', 'GET'], ['body', '']], 'https://h/a?q=a%20b', ''],
    ['query-dropped', [['uri', '/a'], ['http-method', 'GET'], ['body', '']], 'https://h/a?x=1', ''],
    ['method-case', [['uri', '/a'], ['http-method', 'get'], ['body', '']], '/a', ''],
    ['body-trailing-newline', [['uri', '/a'], ['http-method', 'GET'], ['body', '{}\n']], '/a', '{}'],
  ];
  for (const [id, ehts, url, body] of variants) {
    test(`a token signed the ${id} way is named by that id`, () => {
      const result = explain(signed(ehts), { method: 'GET', url, body }, { now: IAT });
      assert.equal(result.valid, false);
      assert.equal(result.edts.matches, false);
      assert.equal(result.variant.id, id);
      assert.equal(result.signature, 'not-checked');
    });
  }

  test('bad input is a typed error', () => {
    assert.throws(() => explain('not-a-token', { method: 'GET', url: '/a' }), InvalidTokenError);
    assert.throws(() => explain('a.b.c', { method: 'GET', url: '/a' }, { publicKey: 'pem' }), TypeError);
    assert.throws(() => explain('a.b.c', null), TypeError);
  });
});
