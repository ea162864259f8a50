// Every case of the cross-language conformance vectors (tests/vectors/), byte-identical to
// T-Mobile's official builder, on both signers: pure Rust in wasm and WebCrypto.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { KEYS, outcome, pinned, privateKey, publicKey, taap, vectors } from './helpers.mjs';

const { PopToken, PopTokenValidator, PrivateKey, PublicKey, SignPolicy, signRequest, signRequestAsync } = taap;

describe('tokens.json: byte-identical to the official builder', () => {
  const { cases } = vectors('tokens.json');
  test('has the expected number of cases', () => assert.ok(cases.length >= 50));
  for (const item of cases) {
    test(item.name, async () => {
      const key = privateKey(item.key, item.password);
      const options = pinned(item);
      assert.equal(PopToken.build(key, item.ehts, options), item.token);
      assert.equal(PopToken.build(key, new Map(item.ehts), options), item.token);
      const bytes = item.ehts.map(([name, value]) => [name, new TextEncoder().encode(value)]);
      assert.equal(PopToken.build(key, bytes, options), item.token);
      assert.equal(await PopToken.buildAsync(key, item.ehts, options), item.token);
      key.free();
    });
  }
});

describe('request.json: the request signer and the gateway adapter', () => {
  for (const item of vectors('request.json').cases) {
    test(item.name, async () => {
      const key = privateKey(item.key, item.password);
      const request = { method: item.method, url: item.url, headers: item.headers, body: item.body };
      assert.equal(PopToken.forRequest(key, request, pinned(item)), item.token);
      assert.equal(await PopToken.forRequestAsync(key, request, pinned(item)), item.token);
      assert.equal(PopToken.decode(item.token).claims.ehts.join(';'), item.expected_ehts);
      if (item.expected_uri !== undefined) assert.equal(taap.requestUri(item.url), item.expected_uri);
      const received = { ...request, url: item.target, headers: [...item.headers, ['X-Authorization', item.token]] };
      const validator = new PopTokenValidator();
      const decoded = validator.validateRequest(key.publicKey(), received, { now: item.iat + 1 });
      assert.equal(decoded.token, item.token);
    });
  }
});

/** The policy a vector describes: `headers` or `all` (else the default), then `with`, `without`. */
function policyOf(spec) {
  let policy = spec.all ? SignPolicy.allHeaders() : spec.headers ? SignPolicy.headers(spec.headers) : new SignPolicy();
  for (const name of spec.with ?? []) policy = policy.withHeader(name);
  for (const name of spec.without ?? []) policy = policy.withoutHeader(name);
  return policy;
}

describe('policy.json: signRequest signs as the official builder', () => {
  const key = privateKey('tmobile/readme-private-pkcs8.pem');
  for (const item of vectors('policy.json').cases) {
    test(item.name, async () => {
      const init = { method: item.method, headers: item.headers, body: item.body };
      const options = { ...pinned(item), policy: policyOf(item.policy) };
      const signed = signRequest(key, item.url, init, options);
      assert.deepEqual(signed.headers.filter(([name]) => name.toLowerCase() === 'x-authorization'), [['X-Authorization', item.token]]);
      const signedAsync = await signRequestAsync(key, item.url, init, options);
      assert.equal(signedAsync.headers.at(-1)[1], item.token);
      assert.equal(PopToken.decode(item.token).claims.ehts.join(';'), item.expected_ehts);
    });
  }

  test('a WHATWG Request is signed with the docs\' policy by default (Headers lower-cases names)', () => {
    const docs = vectors('policy.json').cases.find((item) => item.name === 'default-docs-order');
    const url = new URL(docs.url, 'https://api.t-mobile.com');
    const request = new Request(url, { method: docs.method, headers: docs.headers, body: docs.body });
    const signed = signRequest(key, request, { body: docs.body }, pinned(docs));
    assert.ok(signed.headers instanceof Headers);
    const token = signed.headers.get('x-authorization');
    assert.equal(PopToken.decode(token).claims.ehts.join(';'), docs.expected_ehts.toLowerCase());
    const received = { method: docs.method, url, headers: [...signed.headers], body: docs.body };
    assert.equal(new PopTokenValidator().validateRequest(key.publicKey(), received, { now: docs.iat }).token, token);
  });
});

describe('validateRequest options', () => {
  test('uriForm: the docs\' decoded query, or the query as sent', () => {
    const item = vectors('request.json').cases.find((candidate) => candidate.name === 'query-percent-decoded');
    const key = privateKey(item.key, item.password).publicKey();
    const received = { method: item.method, url: item.target, headers: [...item.headers, ['X-Authorization', item.token]], body: item.body };
    const check = (uriForm) => new PopTokenValidator().validateRequest(key, received, { now: item.iat + 1, uriForm });
    assert.equal(check('decoded').token, item.token);
    assert.throws(() => check('encoded'), { code: 'TAAP_EDTS_MISMATCH' });
    assert.throws(() => check('raw'), { code: 'TAAP_CONFIG' });
  });
});

describe('validator.json: the prescribed outcome of every case', () => {
  const file = vectors('validator.json');
  for (const item of file.cases) {
    test(item.name, () => {
      const options = { ...file.defaults, ...item.options };
      const validator = new PopTokenValidator({
        leeway: options.leeway_secs,
        maxAge: options.max_age_secs,
        required: options.required,
        replayCache: options.replay_cache,
      });
      const key = publicKey(item.public_key);
      const validate = () => validator.validate(item.token, key, item.ehts, { now: item.now });
      assert.equal(outcome(validate), item.expect);
      if (item.repeat_expect) assert.equal(outcome(validate), item.repeat_expect);
    });
  }
});

describe('keys.json: every key form loads to the prescribed key', () => {
  const file = vectors('keys.json');
  for (const item of file.private_keys) {
    test(`private ${item.file} password=${item.password}`, () => {
      assert.equal(outcome(() => privateKey(item.file, item.password)), item.expect);
      if (item.same_public_key_as) assert.ok(privateKey(item.file, item.password).publicKey().equals(publicKey(item.same_public_key_as)));
    });
  }
  for (const item of file.public_keys) {
    test(`public ${item.file}`, () => {
      assert.equal(outcome(() => publicKey(item.file)), item.expect);
    });
  }
});

describe('errors and keys', () => {
  test('one class per row of the core table, codes TAAP_*', () => {
    assert.equal(taap.ERROR_KINDS.length, 14);
    for (const { name, code } of taap.ERROR_KINDS) {
      const cls = taap.KIND_CLASSES[`${name}Error`];
      assert.equal(cls.code, code);
      assert.ok(new cls('x') instanceof taap.TaapError);
    }
    assert.throws(() => PrivateKey.fromPem('not a key'), { name: 'InvalidKeyError', code: 'TAAP_INVALID_KEY' });
    assert.throws(() => PopToken.build(privateKey('tmobile/readme-private-pkcs8.pem'), []), { code: 'TAAP_INVALID_EHTS' });
    assert.throws(() => PopToken.build('nope', [['uri', '/']]), { code: 'TAAP_INVALID_KEY' });
    assert.throws(() => PopToken.build(42, [['uri', '/']]), TypeError);
  });

  test('an encrypted key needs its password, and errors never show it', () => {
    const item = vectors('keys.json').private_keys.find((k) => k.password);
    const bytes = fs.readFileSync(path.join(KEYS, item.file));
    const load = (password) => (item.file.endsWith('.der') ? PrivateKey.fromDer(bytes, password) : PrivateKey.fromPem(bytes, password));
    assert.throws(() => load('wrong-password-123'), (error) => error.code === 'TAAP_KEY_DECRYPT' && !error.message.includes('wrong-password-123'));
    assert.equal(load(item.password).bits >= 2048, true);
  });

  test('free() and Symbol.dispose drop the key; later use is a TypeError; nothing secret is shown', () => {
    const key = privateKey('tmobile/readme-private-pkcs8.pem');
    const pem = key.toPem();
    assert.ok(!JSON.stringify(key).includes('PRIVATE'));
    assert.deepEqual(Object.keys(key.toJSON()), ['bits', 'thumbprint']);
    assert.ok(!String(key).includes(pem.slice(40, 80)));
    key.free();
    assert.throws(() => PopToken.build(key, [['uri', '/']]), TypeError);
    assert.deepEqual(key.toJSON(), { freed: true });
    key.free();
    let disposed;
    {
      const scoped = privateKey('tmobile/readme-private-pkcs8.pem');
      scoped[Symbol.dispose]();
      disposed = scoped;
    }
    assert.throws(() => disposed.bits, TypeError);
  });

  test('generated keys sign tokens their public key validates; random jti', async () => {
    const key = PrivateKey.generate();
    const ehts = [['uri', '/x'], ['http-method', 'GET']];
    const token = await PopToken.buildAsync(key, ehts);
    const decoded = new PopTokenValidator().validate(token, key.publicKey(), ehts);
    assert.match(decoded.claims.jti, /^[0-9a-f-]{36}$/);
    assert.notEqual(PopToken.decode(PopToken.build(key, ehts)).claims.jti, decoded.claims.jti);
    assert.ok(PublicKey.fromJwk(key.publicKey().toJwk()).equals(key.publicKey()));
  });
});
