'use strict';
// A generic JWT library (jsonwebtoken) verifies taap's tokens: they are standard RS256 JWS.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const { test } = require('node:test');
const jwt = require('jsonwebtoken');
const { PopToken, PrivateKey, PublicKey } = require('taap');
const { README_KEY, README_PUBLIC } = require('./helpers');

const key = PrivateKey.fromPem(fs.readFileSync(README_KEY));
const IAT = 1767225600;
const DOCS_EHTS = [
  ['Content-Type', 'application/json'],
  ['Authorization', 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS'],
  ['uri', '/commerce/v1/orders'],
  ['http-method', 'POST'],
  ['body', '{"orderId": 100, "product": "Mobile Phone"}'],
];

test('jsonwebtoken verifies a token with the public PEM and reads every claim', () => {
  const token = PopToken.build(key, DOCS_EHTS, { iat: IAT, jti: 'jti-1', ttlSecs: 90 });
  const { header, payload } = jwt.verify(token, fs.readFileSync(README_PUBLIC), {
    algorithms: ['RS256'],
    clockTimestamp: IAT + 1,
    complete: true,
  });
  assert.deepEqual(header, { alg: 'RS256', typ: 'JWT' });
  assert.deepEqual(Object.keys(payload), ['edts', 'v', 'exp', 'ehts', 'iat', 'jti']);
  assert.deepEqual(
    { ...payload, edts: undefined },
    { edts: undefined, v: '1', exp: IAT + 90, ehts: 'Content-Type;Authorization;uri;http-method;body', iat: IAT, jti: 'jti-1' },
  );
  const concatenated = DOCS_EHTS.map(([, value]) => value).join('');
  assert.equal(payload.edts, require('node:crypto').createHash('sha256').update(concatenated).digest('base64url'));
});

test('jsonwebtoken verifies with the exported public key and with a freshly generated key', () => {
  const fresh = PrivateKey.generate();
  for (const signer of [key, fresh]) {
    const token = PopToken.forRequest(signer, { method: 'GET', url: 'https://api.t-mobile.com/x?y=1' });
    const payload = jwt.verify(token, signer.publicKey().toPem(), { algorithms: ['RS256'] });
    assert.equal(payload.ehts, 'uri;http-method;body');
    assert.match(payload.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(payload.exp - payload.iat, 120);
  }
});

test('jsonwebtoken rejects a token signed by another key and an expired one', () => {
  const other = PublicKey.fromPem(PrivateKey.generate().publicKey().toPem());
  const token = PopToken.build(key, DOCS_EHTS, { iat: IAT });
  assert.throws(() => jwt.verify(token, other.toPem(), { algorithms: ['RS256'] }), { name: 'JsonWebTokenError', message: 'invalid signature' });
  assert.throws(
    () => jwt.verify(token, key.publicKey().toPem(), { algorithms: ['RS256'], clockTimestamp: IAT + 121 }),
    { name: 'TokenExpiredError' },
  );
});
