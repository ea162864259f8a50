'use strict';
// Every error kind surfaces as its own TaapError subclass with code TAAP_<KIND>, and no
// message or inspect output shows a secret.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { inspect } = require('node:util');
const { describe, test } = require('node:test');
const taap = require('taap');
const native = require('../lib/native');
const { ERROR_CLASSES } = require('../lib/shared/errors.js');
const { README_KEY, keyPath } = require('./helpers');

const { PopToken, PopTokenValidator, PrivateKey, TaapError } = taap;
const key = PrivateKey.fromPem(fs.readFileSync(README_KEY));
const IAT = 1767225600;
const EHTS = [['uri', '/orders'], ['http-method', 'POST'], ['body', '{}']];
const token = PopToken.build(key, EHTS, { iat: IAT, jti: 'fixed' });
const validate = (options, values = EHTS, now = IAT + 1, signed = token, publicKey = key.publicKey()) =>
  new PopTokenValidator(options).validate(signed, publicKey, values, { now });

/** How each kind is reached through the public API (OAuth and Transport: see client.test.js). */
const TRIGGERS = {
  InvalidKey: () => PrivateKey.fromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
  KeyDecrypt: () => PrivateKey.fromFile(keyPath('openssl/pbes2-aes256-private.pem'), 'not-the-password'),
  InvalidEhts: () => PopToken.build(key, [['uri', '/'], ['uri', '/again']]),
  InvalidToken: () => PopToken.decode('only.two'),
  TokenExpired: () => validate({ maxAge: 3600 }, EHTS, IAT + 131),
  TokenTooOld: () => validate({}, EHTS, IAT + 71),
  SignatureInvalid: () => validate({}, EHTS, IAT + 1, token, PrivateKey.generate().publicKey()),
  EdtsMismatch: () => validate({}, [['uri', '/orders'], ['http-method', 'POST'], ['body', '{ }']]),
  MissingEhtsValue: () => validate({}, EHTS.slice(0, 2)),
  Replay: () => {
    const validator = new PopTokenValidator({ replayCache: 8 });
    validator.validate(token, key.publicKey(), EHTS, { now: IAT + 1 });
    validator.validate(token, key.publicKey(), EHTS, { now: IAT + 2 });
  },
  Config: () => PopToken.build(key, EHTS, { ttlSecs: 0 }),
};

describe('every reachable error kind', () => {
  for (const [kind, trigger] of Object.entries(TRIGGERS)) {
    test(kind, () => {
      const Class = taap[`${kind}Error`];
      assert.throws(trigger, (error) => {
        assert.ok(error instanceof Class, `${error.name}: ${error.message}`);
        assert.ok(error instanceof TaapError);
        assert.ok(error instanceof Error);
        assert.equal(error.name, `${kind}Error`);
        assert.equal(error.code, Class.code);
        assert.equal(error.code, `TAAP_${kind.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase()}`);
        assert.ok(error.stack.includes('errors.test.js'), 'the stack reaches the caller');
        return true;
      });
    });
  }
});

test('every core kind is raised by a test here, in client.test.js or in middleware-keys.test.js', () => {
  const raisedByClientTests = ['OAuth', 'Transport'];
  // A JWK set URL that cannot be fetched: KeySource.size() rejects, the middleware answers 503.
  const raisedByKeySourceTests = ['KeySourceUnavailable'];
  assert.deepEqual(
    [...Object.keys(TRIGGERS), ...raisedByClientTests, ...raisedByKeySourceTests].sort(),
    native.errorKinds().map(({ name }) => name).sort(),
  );
});

test('the classes cover exactly the core error kinds, with the core codes', () => {
  const classes = Object.keys(taap).filter((name) => name.endsWith('Error') && name !== 'TaapError');
  assert.deepEqual(
    classes.map((name) => [name, taap[name].code]),
    native.errorKinds().map(({ name, code }) => [`${name}Error`, code]),
  );
  for (const name of classes) assert.equal(Object.getPrototypeOf(taap[name]), TaapError);
  assert.equal(new taap.OAuthError('denied', { status: 401 }).status, 401);
});

describe('the classes and the typings follow the core error table', () => {
  const table = native.errorKinds();
  const typings = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');

  test('the table is the one of the design contract', () => {
    assert.equal(table.length, 14);
    assert.deepEqual(table[4], {
      name: 'TokenExpired',
      code: 'TAAP_TOKEN_EXPIRED',
      cStatus: 5,
      description: "The token's `exp` lies in the past, beyond the leeway.",
    });
    assert.deepEqual(table.map(({ cStatus }) => cStatus), Array.from({ length: 14 }, (_, index) => index + 1));
  });

  test('every kind has its class, in order, with the core name and code', () => {
    assert.deepEqual(
      ERROR_CLASSES.map((cls) => [cls.name, cls.code]),
      table.map(({ name, code }) => [`${name}Error`, code]),
    );
    for (const { name, code } of table) {
      const error = new taap[`${name}Error`]('what went wrong', { status: 503 });
      assert.deepEqual([error.name, error.code, error.message], [`${name}Error`, code, 'what went wrong']);
      assert.ok(error instanceof TaapError);
    }
  });

  test('index.d.ts declares every kind with the core code and the core description', () => {
    const declared = [...typings.matchAll(/^\/\*\* (.*) \*\/\nexport declare class (\w+)Error extends TaapError \{\n  static readonly code: '(\w+)';\n  readonly code: '(\w+)';$/gm)];
    assert.deepEqual(
      declared.map(([, description, name, code, instanceCode]) => ({ name, code, instanceCode, description })),
      table.map(({ name, code, description }) => ({ name, code, instanceCode: code, description })),
    );
    const union = typings.match(/^export type TaapErrorCode =\n((?:  \| '\w+'\n?)+);/m);
    assert.ok(union, 'index.d.ts declares TaapErrorCode');
    assert.deepEqual([...union[1].matchAll(/'(\w+)'/g)].map(([, code]) => code), table.map(({ code }) => code));
  });

  test('index.mjs exports every class by name, the objects require() gives', async () => {
    const esm = await import(pathToFileURL(path.join(__dirname, '..', 'index.mjs')).href);
    const exported = Object.keys(esm).filter((name) => name.endsWith('Error'));
    const expected = ['TaapError', ...table.map(({ name }) => `${name}Error`)];
    assert.deepEqual(exported.sort(), [...expected].sort());
    for (const name of expected) assert.equal(esm[name], taap[name], name);
  });
});

test('async failures reject with the same classes', async () => {
  await assert.rejects(PopToken.buildAsync(key, []), taap.InvalidEhtsError);
  await assert.rejects(PopToken.buildAsync(key, EHTS, { ttlSecs: 3601 }), { name: 'ConfigError', code: 'TAAP_CONFIG' });
  await assert.rejects(PopToken.forRequestAsync(key, { method: 'GE T', url: '/x' }), taap.InvalidEhtsError);
  await assert.rejects(PrivateKey.generateAsync(1024), taap.ConfigError);
});

describe('secrets stay out of messages and inspect output', () => {
  const pem = fs.readFileSync(README_KEY, 'utf8');
  const keyBody = pem.split('\n').filter((line) => line && !line.startsWith('-----'));

  test('a wrong password is not echoed', () => {
    const password = 'hunter2-correct-horse';
    assert.throws(() => PrivateKey.fromFile(keyPath('openssl/pbes2-aes256-private.pem'), password), (error) => {
      assert.ok(error instanceof taap.KeyDecryptError);
      assert.ok(!error.message.includes(password) && !inspect(error).includes(password));
      return true;
    });
  });

  test('a corrupt key is not echoed', () => {
    const corrupt = pem.replace(keyBody[3], keyBody[3].split('').reverse().join(''));
    assert.throws(() => PrivateKey.fromPem(corrupt), (error) => {
      assert.ok(error instanceof taap.InvalidKeyError, error.message);
      for (const line of keyBody) assert.ok(!inspect(error).includes(line.slice(0, 24)));
      return true;
    });
  });

  test('a private key shows its size and thumbprint only', () => {
    for (const shown of [inspect(key), JSON.stringify(key), String(key), inspect(key, { showHidden: true, depth: 5 })]) {
      for (const line of keyBody) assert.ok(!shown.includes(line.slice(0, 24)), shown);
    }
    assert.equal(inspect(key, { breakLength: Infinity }), `PrivateKey { bits: 2048, thumbprint: '${key.publicKey().thumbprint()}' }`);
    assert.deepEqual(JSON.parse(JSON.stringify(key)), { bits: 2048, thumbprint: key.publicKey().thumbprint() });
  });
});
