'use strict';
// Key loading and export round trips, the PEM-string shortcut, and key identity.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const { test } = require('node:test');
const { PopToken, PrivateKey, PublicKey } = require('taap');
const { README_KEY, README_PUBLIC, keyPath } = require('./helpers');

const pem = fs.readFileSync(README_KEY, 'utf8');
const key = PrivateKey.fromPem(pem);
const OPTIONS = { iat: 1767225600, jti: 'fixed' };
const EHTS = { uri: '/x', 'http-method': 'GET' };

test('a generated key survives PEM and DER export and signs identically after reloading', () => {
  const generated = PrivateKey.generate();
  assert.equal(generated.bits, 2048);
  assert.match(generated.toPem(), /^-----BEGIN PRIVATE KEY-----\n/);
  const expected = PopToken.build(generated, EHTS, OPTIONS);
  for (const reloaded of [PrivateKey.fromPem(generated.toPem()), PrivateKey.fromPem(Buffer.from(generated.toPem())), PrivateKey.fromDer(generated.toDer())]) {
    assert.equal(PopToken.build(reloaded, EHTS, OPTIONS), expected);
    assert.ok(reloaded.publicKey().equals(generated.publicKey()));
  }
});

test('larger generated keys have the requested size', async () => {
  assert.equal((await PrivateKey.generateAsync(3072)).bits, 3072);
});

test('public key forms round-trip: SPKI PEM, PKCS#1 PEM, DER and JWK', () => {
  const publicKey = key.publicKey();
  assert.ok(publicKey.equals(PublicKey.fromFile(README_PUBLIC)));
  assert.equal(publicKey.toPem(), fs.readFileSync(README_PUBLIC, 'utf8').replace(/\r\n/g, '\n'));
  assert.match(publicKey.toPkcs1Pem(), /^-----BEGIN RSA PUBLIC KEY-----\n/);
  const jwk = publicKey.toJwk();
  assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  assert.deepEqual({ kty: jwk.kty, e: jwk.e, alg: jwk.alg, use: jwk.use, kid: jwk.kid }, { kty: 'RSA', e: 'AQAB', alg: 'RS256', use: 'sig', kid: publicKey.thumbprint() });
  for (const copy of [PublicKey.fromPem(publicKey.toPkcs1Pem()), PublicKey.fromDer(publicKey.toDer()), PublicKey.fromJwk(jwk), PublicKey.fromJwk(JSON.stringify(jwk)), PublicKey.fromJwk({ keys: [jwk] })]) {
    assert.ok(copy.equals(publicKey));
    assert.equal(copy.thumbprint(), publicKey.thumbprint());
  }
  assert.deepEqual(JSON.parse(JSON.stringify(publicKey)), jwk);
  assert.equal(publicKey.bits, 2048);
  assert.ok(!publicKey.equals(PrivateKey.generate().publicKey()));
  assert.ok(!publicKey.equals(publicKey.toPem()));
});

test('Node crypto reads the exported keys as the same key', () => {
  const crypto = require('node:crypto');
  const nodeKey = crypto.createPrivateKey(key.toPem());
  assert.equal(crypto.createPublicKey(nodeKey).export({ type: 'spki', format: 'pem' }), key.publicKey().toPem());
  assert.deepEqual(crypto.createPublicKey({ key: key.publicKey().toJwk(), format: 'jwk' }).export({ format: 'jwk' }), crypto.createPublicKey(nodeKey).export({ format: 'jwk' }));
});

test('files load from a path string or a file: URL, passwords as string or bytes', () => {
  const encrypted = keyPath('openssl/pbes2-aes256-private.pem');
  const expected = PrivateKey.fromFile(encrypted, 'foobar').publicKey();
  assert.ok(PrivateKey.fromFile(pathToFileURL(encrypted), Buffer.from('foobar')).publicKey().equals(expected));
  assert.ok(PrivateKey.fromPem(fs.readFileSync(encrypted), new TextEncoder().encode('foobar')).publicKey().equals(expected));
  assert.ok(PublicKey.fromFile(pathToFileURL(README_PUBLIC)).equals(key.publicKey()));
});

test('a PEM string or Buffer can stand in for the key in every build call', async () => {
  const expected = PopToken.build(key, EHTS, OPTIONS);
  assert.equal(PopToken.build(pem, EHTS, OPTIONS), expected);
  assert.equal(PopToken.build(Buffer.from(pem), EHTS, OPTIONS), expected);
  assert.equal(await PopToken.buildAsync(pem, EHTS, OPTIONS), expected);
  const request = { url: '/x', method: 'GET' };
  assert.equal(PopToken.forRequest(pem, request, OPTIONS), PopToken.forRequest(key, request, OPTIONS));
});

test('the public key object is the same on every call', () => {
  assert.equal(key.publicKey(), key.publicKey());
});
