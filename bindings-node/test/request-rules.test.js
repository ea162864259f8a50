'use strict';
// The core's request rules through this binding: the signing policy
// (tests/vectors/policy.json, tokens from T-Mobile's official builder) in signRequest, and
// the gateway adapter (tests/vectors/request.json) in PopTokenValidator#validateRequest.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const { inspect } = require('node:util');
const { describe, test } = require('node:test');
const taap = require('taap');
const { README_KEY, vectors } = require('./helpers');

const { PopToken, PopTokenValidator, PrivateKey, SignPolicy, requestMethod, requestUri, signRequest } = taap;
const key = PrivateKey.fromPem(fs.readFileSync(README_KEY));
const POLICY_CASES = vectors('policy.json').cases;
const REQUEST_CASES = vectors('request.json').cases;

/** The policy a vector describes: `headers` or `all` (else the default), then `with`, `without`. */
function policyOf(spec) {
  let policy = spec.all ? SignPolicy.allHeaders() : spec.headers ? SignPolicy.headers(spec.headers) : new SignPolicy();
  for (const name of spec.with ?? []) policy = policy.withHeader(name);
  for (const name of spec.without ?? []) policy = policy.withoutHeader(name);
  return policy;
}

const pinned = (item) => ({ ttlSecs: item.ttl_secs, iat: item.iat, jti: item.jti });

describe('signRequest signs as the official builder (policy.json)', () => {
  test('there are eleven cases', () => assert.equal(POLICY_CASES.length, 11));

  for (const item of POLICY_CASES) {
    test(item.name, () => {
      const init = { method: item.method, headers: item.headers, body: item.body };
      const signed = signRequest(key, item.url, init, { ...pinned(item), policy: policyOf(item.policy) });
      const sent = signed.headers.filter(([name]) => name.toLowerCase() === 'x-authorization');
      assert.deepEqual(sent, [['X-Authorization', item.token]]);
      assert.equal(PopToken.decode(item.token).claims.ehts.join(';'), item.expected_ehts);
    });
  }

  test('signHeaders names are the named policy; no option is the docs\' policy', () => {
    const named = POLICY_CASES.find((item) => item.name === 'named-in-policy-order');
    const init = { method: named.method, headers: named.headers, body: named.body };
    const signed = signRequest(key, named.url, init, { ...pinned(named), signHeaders: named.policy.headers });
    assert.equal(signed.headers.at(-1)[1], named.token);
    const docs = POLICY_CASES.find((item) => item.name === 'default-docs-order');
    const plain = signRequest(key, docs.url, { method: docs.method, headers: docs.headers, body: docs.body }, pinned(docs));
    assert.equal(plain.headers.at(-1)[1], docs.token);
    assert.throws(() => signRequest(key, docs.url, {}, { policy: new SignPolicy(), signHeaders: [] }), TypeError);
    assert.throws(() => signRequest(key, docs.url, {}, { policy: ['Accept'] }), TypeError);
  });
});

describe('SignPolicy', () => {
  const sent = [['accept', 'a'], ['authorization', 'Bearer t'], ['X-Authorization', 'old'], ['content-type', ' json\t']];

  test('select picks in signing order, names as sent, values trimmed', () => {
    assert.deepEqual(new SignPolicy().select(sent), [['content-type', 'json'], ['authorization', 'Bearer t']]);
    assert.deepEqual(SignPolicy.allHeaders().withoutHeader('AUTHORIZATION').select(new Map(sent)), [['accept', 'a'], ['content-type', 'json']]);
    assert.deepEqual(SignPolicy.headers(['X-Authorization', 'Accept']).select({ Accept: 'x' }), [['Accept', 'x']]);
    assert.deepEqual(new SignPolicy().select([]), []);
  });

  test('policies compare, show their names and are immutable', () => {
    assert.ok(new SignPolicy().equals(SignPolicy.headers(['Content-Type', 'Authorization'])));
    assert.ok(!new SignPolicy().equals(SignPolicy.allHeaders()));
    assert.equal(inspect(new SignPolicy()), 'SignPolicy(Content-Type, Authorization)');
    assert.equal(String(SignPolicy.allHeaders().withoutHeader('Accept')), 'SignPolicy(every header but Accept)');
    assert.equal(String(SignPolicy.headers([])), 'SignPolicy(no headers)');
    const base = new SignPolicy();
    base.withHeader('Accept');
    assert.equal(String(base), 'SignPolicy(Content-Type, Authorization)');
    assert.ok(Object.isFrozen(base));
  });

  test('bad input is a typed error', () => {
    assert.throws(() => SignPolicy.headers('Content-Type'), TypeError);
    assert.throws(() => SignPolicy.headers([1]), TypeError);
    assert.throws(() => new SignPolicy('Accept'), TypeError);
    for (const bad of ['', ' ', 'a;b']) {
      assert.throws(() => new SignPolicy().withHeader(bad), { name: 'ConfigError', code: 'TAAP_CONFIG', message: /is not a header name a PoP token can sign/ });
    }
    assert.throws(() => new SignPolicy().select('x'), TypeError);
  });
});

describe('requestUri and requestMethod (request.json)', () => {
  for (const item of REQUEST_CASES) {
    test(item.name, () => {
      assert.equal(requestUri(item.url), item.expected_uri);
      assert.equal(requestUri(new URL(item.url, 'https://h')), item.expected_uri);
      assert.equal(requestMethod(item.method), item.method.toUpperCase());
    });
  }

  test('bad input is InvalidEhts', () => {
    for (const url of ['', 'ftp://h/x', 'not a url']) assert.throws(() => requestUri(url), { code: 'TAAP_INVALID_EHTS' });
    assert.throws(() => requestMethod('GE T'), { code: 'TAAP_INVALID_EHTS', message: /is not an HTTP method/ });
    assert.throws(() => requestUri(5), TypeError);
  });
});

describe('validateRequest (request.json as received)', () => {
  const validator = new PopTokenValidator();
  const received = (item, body, withToken) => validator.validateRequest(
    key.publicKey(),
    { method: item.method, url: item.target, headers: [...item.headers, ...(withToken ? [['x-authorization', item.token]] : [])], body },
    { now: item.iat + 1 },
  );

  for (const item of REQUEST_CASES) {
    test(item.name, () => {
      assert.equal(received(item, item.body, true).claims.ehts.join(';'), item.expected_ehts);
      assert.throws(() => received(item, 'tampered', true), { name: 'EdtsMismatchError', code: 'TAAP_EDTS_MISMATCH' });
      assert.throws(() => received(item, item.body, false), { name: 'InvalidTokenError', code: 'TAAP_INVALID_TOKEN', message: /X-Authorization/ });
    });
  }

  test('validate takes no uriForm: it compares the values it is given', () => {
    assert.throws(() => validator.validate('a.b.c', key.publicKey(), [], { uriForm: 'encoded' }), TypeError);
  });

  test('Node-style headers (lower-cased object, arrays, undefined) and a path target', () => {
    const [item] = REQUEST_CASES;
    const headers = { 'x-authorization': [item.token], host: undefined };
    for (const [name, value] of item.headers) headers[name.toLowerCase()] = value;
    const target = new URL(item.url).pathname + new URL(item.url).search;
    const decoded = validator.validateRequest(key.publicKey(), { method: item.method, url: target, headers, body: Buffer.from(item.body) }, { now: item.iat });
    assert.equal(decoded.claims.jti, item.jti);
    assert.throws(() => validator.validateRequest(key.publicKey(), { method: 'GET', url: 'ftp://h/x' }), { code: 'TAAP_INVALID_EHTS' });
    assert.throws(() => validator.validateRequest('key', { method: 'GET', url: '/' }), TypeError);
    assert.throws(() => validator.validateRequest(key.publicKey(), null), TypeError);
  });
});
