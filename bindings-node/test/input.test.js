'use strict';
// Bad input of every kind: wrong types throw TypeError, bad values the core's error kind;
// nothing crashes, hangs or is silently accepted.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { describe, test } = require('node:test');
const taap = require('taap');
const { README_KEY } = require('./helpers');

const { PopToken, PopTokenValidator, PrivateKey, PublicKey, signRequest } = taap;
const pem = fs.readFileSync(README_KEY, 'utf8');
const key = PrivateKey.fromPem(pem);
const EHTS = [['uri', '/'], ['http-method', 'GET']];
const token = PopToken.build(key, EHTS);

/** Runs each [label, action, expected error class] row as its own test. */
function rows(table) {
  for (const [label, action, expected] of table) {
    test(label, () => {
      assert.throws(action, (error) => {
        assert.equal(error.constructor, expected, `${error.name}: ${error.message}`);
        return true;
      });
    });
  }
}

const NOT_BYTES = [undefined, null, 42, true, {}, [], Symbol('x'), () => 'pem', 10n];

describe('keys', () => {
  rows([
    ...NOT_BYTES.map((value) => [`PrivateKey.fromPem(${String(value)})`, () => PrivateKey.fromPem(value), TypeError]),
    ...NOT_BYTES.map((value) => [`PublicKey.fromPem(${String(value)})`, () => PublicKey.fromPem(value), TypeError]),
    ['a number password', () => PrivateKey.fromPem(pem, 1234), TypeError],
    ['DER given as a string', () => PrivateKey.fromDer('MIIE'), TypeError],
    ['a path that is a number', () => PrivateKey.fromFile(5), TypeError],
    ['new PrivateKey()', () => new PrivateKey(), TypeError],
    ['new PublicKey()', () => new PublicKey(), TypeError],
    ['bits as a string', () => PrivateKey.generate('2048'), TypeError],
    ['fractional bits', () => PrivateKey.generate(2048.5), TypeError],
    ['NaN bits', () => PrivateKey.generate(NaN), TypeError],
    ['JWK as a number', () => PublicKey.fromJwk(7), TypeError],
    ['JWK as an array', () => PublicKey.fromJwk([]), TypeError],
    ['an empty PEM', () => PrivateKey.fromPem(''), taap.InvalidKeyError],
    ['random bytes as PEM', () => PrivateKey.fromPem(crypto.randomBytes(4096)), taap.InvalidKeyError],
    ['random bytes as DER', () => PrivateKey.fromDer(crypto.randomBytes(1200)), taap.InvalidKeyError],
    ['a truncated PEM', () => PrivateKey.fromPem(pem.slice(0, pem.length / 2)), taap.InvalidKeyError],
    ['a PEM with its body cut short', () => PrivateKey.fromPem(pem.replace(/\n[^-\n]+\n-----END/, '\n-----END')), taap.InvalidKeyError],
    ['a PEM with a flipped base64 character', () => PrivateKey.fromPem(pem.replace(/(?<=\n[A-Za-z0-9+/]{10})[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A'))), taap.InvalidKeyError],
    ['a 20 MB PEM', () => PrivateKey.fromPem(`-----BEGIN PRIVATE KEY-----\n${'A'.repeat(20e6)}\n-----END PRIVATE KEY-----\n`), taap.InvalidKeyError],
    ['a public key where a private key is needed', () => PrivateKey.fromPem(key.publicKey().toPem()), taap.InvalidKeyError],
    ['a missing key file', () => PrivateKey.fromFile('/nonexistent/key.pem'), taap.InvalidKeyError],
    ['an unsupported key size', () => PrivateKey.generate(1024), taap.ConfigError],
    ['a key size beyond i64', () => PrivateKey.generate(1e300), taap.ConfigError],
    ['an empty JWK object', () => PublicKey.fromJwk({}), taap.InvalidKeyError],
    ['an EC JWK', () => PublicKey.fromJwk({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }), taap.InvalidKeyError],
    ['a 1 MB JWK', () => PublicKey.fromJwk(`{"kty":"RSA","n":"${'A'.repeat(1e6)}","e":"AQAB"}`), taap.InvalidKeyError],
    ['a circular JWK object', () => { const jwk = {}; jwk.self = jwk; PublicKey.fromJwk(jwk); }, TypeError],
  ]);
});

describe('PopToken.build', () => {
  rows([
    ...[undefined, null, 5, {}, key.publicKey()].map((value) => [`key ${String(value)}`, () => PopToken.build(value, EHTS), TypeError]),
    ...[undefined, null, 'uri', 5, new Set(['uri'])].map((value) => [`ehts ${String(value)}`, () => PopToken.build(key, value), TypeError]),
    ['a pair with one element', () => PopToken.build(key, [['uri']]), TypeError],
    ['a pair that is a string', () => PopToken.build(key, ['uri']), TypeError],
    ['a numeric name', () => PopToken.build(key, [[1, 'x']]), TypeError],
    ['a numeric value', () => PopToken.build(key, { uri: 1 }), TypeError],
    ['an undefined value', () => PopToken.build(key, { uri: undefined }), TypeError],
    ['an object value', () => PopToken.build(key, new Map([['uri', {}]])), TypeError],
    ['options that are a string', () => PopToken.build(key, EHTS, 'fast'), TypeError],
    ['an unknown option', () => PopToken.build(key, EHTS, { ttl: 60 }), TypeError],
    ['ttlSecs as a string', () => PopToken.build(key, EHTS, { ttlSecs: '60' }), TypeError],
    ['ttlSecs NaN', () => PopToken.build(key, EHTS, { ttlSecs: NaN }), TypeError],
    ['ttlSecs Infinity', () => PopToken.build(key, EHTS, { ttlSecs: Infinity }), TypeError],
    ['ttlSecs as a BigInt', () => PopToken.build(key, EHTS, { ttlSecs: 60n }), TypeError],
    ['iat as an invalid Date', () => PopToken.build(key, EHTS, { iat: new Date(NaN) }), TypeError],
    ['jti as a number', () => PopToken.build(key, EHTS, { jti: 7 }), TypeError],
    ['no entries', () => PopToken.build(key, []), taap.InvalidEhtsError],
    ['an empty object', () => PopToken.build(key, {}), taap.InvalidEhtsError],
    ['a blank name', () => PopToken.build(key, [[' ', 'x']]), taap.InvalidEhtsError],
    ["a ';' in a name", () => PopToken.build(key, [['a;b', 'x']]), taap.InvalidEhtsError],
    ['a duplicate name', () => PopToken.build(key, [['uri', '/'], ['uri', '/']]), taap.InvalidEhtsError],
    ['101 entries', () => PopToken.build(key, Array.from({ length: 101 }, (_, i) => [`h${i}`, ''])), taap.InvalidEhtsError],
    ['ttlSecs 0', () => PopToken.build(key, EHTS, { ttlSecs: 0 }), taap.ConfigError],
    ['ttlSecs 3601', () => PopToken.build(key, EHTS, { ttlSecs: 3601 }), taap.ConfigError],
    ['ttlSecs 1e300', () => PopToken.build(key, EHTS, { ttlSecs: 1e300 }), taap.ConfigError],
    ['ttlSecs -2^53', () => PopToken.build(key, EHTS, { ttlSecs: -(2 ** 53) }), taap.ConfigError],
    ['a negative iat', () => PopToken.build(key, EHTS, { iat: -1 }), taap.ConfigError],
    ['an empty jti', () => PopToken.build(key, EHTS, { jti: '' }), taap.ConfigError],
    ['a 257-byte jti', () => PopToken.build(key, EHTS, { jti: 'j'.repeat(257) }), taap.ConfigError],
    ['an encrypted PEM string as key', () => PopToken.build(fs.readFileSync(require('./helpers').keyPath('openssl/pbes2-aes256-private.pem'), 'utf8'), EHTS), taap.KeyDecryptError],
    ['garbage as a PEM key', () => PopToken.build('not a key', EHTS), taap.InvalidKeyError],
  ]);

  test('large inputs are fine: 100 entries, a 20 000-character name, a 32 MB value', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => [`X-H-${i}`, 'v']);
    assert.equal(PopToken.decode(PopToken.build(key, hundred)).claims.ehts.length, 100);
    const longName = 'N'.repeat(20_000);
    assert.deepEqual(PopToken.decode(PopToken.build(key, [[longName, '']])).claims.ehts, [longName]);
    const big = Buffer.alloc(32 * 1024 * 1024, 'x');
    const expected = crypto.createHash('sha256').update(big).digest('base64url');
    assert.equal(PopToken.decode(PopToken.build(key, [['body', big]])).claims.edts, expected);
  });

  test('any TypedArray, DataView or ArrayBuffer value hashes as its bytes', () => {
    const bytes = Buffer.from('héllo');
    const options = { iat: 1767225600, jti: 'j' };
    const expected = PopToken.build(key, [['body', 'héllo']], options);
    const copy = new Uint8Array(bytes);
    for (const value of [bytes, copy, copy.buffer, new DataView(copy.buffer), new Uint16Array(copy.buffer.slice(0, 6))]) {
      const token = PopToken.build(key, [['body', value]], options);
      if (value.byteLength === bytes.length) assert.equal(token, expected);
      else assert.equal(PopToken.decode(token).claims.edts, crypto.createHash('sha256').update(bytes.subarray(0, 6)).digest('base64url'));
    }
  });
});

describe('PopToken.forRequest and signRequest', () => {
  rows([
    ['no request', () => PopToken.forRequest(key), TypeError],
    ['a request that is a string', () => PopToken.forRequest(key, 'https://h/x'), TypeError],
    ['a numeric URL', () => PopToken.forRequest(key, { url: 5 }), TypeError],
    ['a numeric method', () => PopToken.forRequest(key, { url: '/x', method: 1 }), TypeError],
    ['an object body', () => PopToken.forRequest(key, { url: '/x', body: { a: 1 } }), TypeError],
    ['a stream body', () => PopToken.forRequest(key, { url: '/x', body: new ReadableStream() }), TypeError],
    ['a Blob body', () => PopToken.forRequest(key, { url: '/x', body: new Blob(['x']) }), TypeError],
    ['an unknown request field', () => PopToken.forRequest(key, { url: '/x', query: 'a' }), TypeError],
    ['an ftp URL', () => PopToken.forRequest(key, { url: 'ftp://h/x' }), taap.InvalidEhtsError],
    ['a URL that is not one', () => PopToken.forRequest(key, { url: 'not a url' }), taap.InvalidEhtsError],
    ['a method with a space', () => PopToken.forRequest(key, { url: '/x', method: 'GE T' }), taap.InvalidEhtsError],
    ['a header named uri', () => PopToken.forRequest(key, { url: '/x', headers: { uri: '/y' } }), taap.InvalidEhtsError],
    ['signRequest with a numeric input', () => signRequest(key, 5), TypeError],
    ['signRequest with a string init', () => signRequest(key, 'https://h/x', 'POST'), TypeError],
    ['signRequest with a numeric header value', () => signRequest(key, 'https://h/x', { headers: { 'X-Count': 5 } }), TypeError],
    ['signRequest with a FormData body', () => signRequest(key, 'https://h/x', { method: 'POST', body: new FormData() }), TypeError],
    ['signRequest with an unknown option', () => signRequest(key, 'https://h/x', {}, { ttl: 5 }), TypeError],
    ['signRequest with signHeaders not an array', () => signRequest(key, 'https://h/x', {}, { signHeaders: 'Accept' }), TypeError],
  ]);
});

describe('PopToken.decode and the validator', () => {
  const validator = new PopTokenValidator();
  rows([
    ...[undefined, null, 5, Buffer.from(token)].map((value) => [`decode(${typeof value})`, () => PopToken.decode(value), TypeError]),
    ['decode an empty string', () => PopToken.decode(''), taap.InvalidTokenError],
    ['decode 100 000 dots', () => PopToken.decode('.'.repeat(100_000)), taap.InvalidTokenError],
    ['decode a 10 MB token', () => PopToken.decode(`${token}${'A'.repeat(10e6)}`), taap.InvalidTokenError],
    ['decode garbage', () => PopToken.decode(crypto.randomBytes(300).toString('latin1')), taap.InvalidTokenError],
    ['validator options that are a number', () => new PopTokenValidator(5), TypeError],
    ['leeway as a string', () => new PopTokenValidator({ leeway: '10' }), taap.ConfigError],
    ['required as a string', () => new PopTokenValidator({ required: 'uri' }), taap.ConfigError],
    ['required with a number', () => new PopTokenValidator({ required: [1] }), taap.ConfigError],
    ['replayCache as a string', () => new PopTokenValidator({ replayCache: '100' }), taap.ConfigError],
    ['an unknown validator option', () => new PopTokenValidator({ leewaySecs: 5 }), taap.ConfigError],
    ['leeway 301', () => new PopTokenValidator({ leeway: 301 }), taap.ConfigError],
    ['maxAge 0', () => new PopTokenValidator({ maxAge: 0 }), taap.ConfigError],
    ['leeway NaN', () => new PopTokenValidator({ leeway: NaN }), TypeError],
    ['replayCache 0', () => new PopTokenValidator({ replayCache: 0 }), taap.ConfigError],
    ['replayCache -5', () => new PopTokenValidator({ replayCache: -5 }), taap.ConfigError],
    ["a required name with ';'", () => new PopTokenValidator({ required: ['a;b'] }), taap.ConfigError],
    ['validate a numeric token', () => validator.validate(5, key.publicKey(), EHTS), TypeError],
    ['validate with a private key', () => validator.validate(token, key, EHTS), TypeError],
    ['validate with a PEM string', () => validator.validate(token, key.publicKey().toPem(), EHTS), TypeError],
    ['validate without values', () => validator.validate(token, key.publicKey()), TypeError],
    ['validate with now as a string', () => validator.validate(token, key.publicKey(), EHTS, { now: 'now' }), TypeError],
    ['validate with an unknown option', () => validator.validate(token, key.publicKey(), EHTS, { at: 1 }), TypeError],
  ]);

  test('now accepts a Date as well as epoch seconds', () => {
    const iat = 1767225600;
    const signed = PopToken.build(key, EHTS, { iat });
    const at = (now) => validator.validate(signed, key.publicKey(), EHTS, { now }).claims.iat;
    assert.equal(at(new Date((iat + 5) * 1000)), iat);
    assert.equal(at(iat + 5), iat);
    assert.throws(() => at(new Date((iat + 200) * 1000)), taap.TokenExpiredError);
  });
});
