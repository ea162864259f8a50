'use strict';
// KeySource in popMiddleware and withPop: a client's several keys (kids and nbf/exp windows), a
// key file read again when it changes, and a JWK set URL served by a small HTTP server these
// tests start on a loopback port (cached per Cache-Control, 503 KeySourceUnavailable when it
// cannot be fetched), counted by the metrics under that kind. As
// bindings-python/tests/test_middleware_keys.py.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const { test } = require('node:test');
const express = require('express');
const client = require('prom-client');
const { KeySource, PopToken, PrivateKey } = require('..');
const { popMiddleware, withPop } = require('taap/express');
const native = require('../lib/native');
const { keySourceHandleOf } = require('../lib/key-source');
const { publicHandleOf } = require('../lib/shared/keys.js');

const TARGET = '/orders?page=2';
const BODY = '{"sku":"TMO-5G"}';
const ADAPTERS = ['express', 'withPop'];
const KEYS = [PrivateKey.generate(), PrivateKey.generate(), PrivateKey.generate()];

/** `send(key, clientId?)` → `{ status, body (JSON or {}), headers }` of one POST signed by `key` through one adapter. */
async function sender(t, adapter, options) {
  const request = (key, clientId, body = BODY) => {
    const headers = clientId ? { 'x-client-id': clientId } : {};
    // The host is not signed: one token fits every instance here.
    const pop = PopToken.forRequest(key, { method: 'POST', url: `http://127.0.0.1${TARGET}`, headers, body });
    return { method: 'POST', headers: { ...headers, 'x-authorization': pop }, body };
  };
  const answered = async (response) => {
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
  };
  if (adapter === 'withPop') {
    const handler = withPop(() => new Response(null, { status: 204 }), options);
    return (key, clientId) => handler(new Request(`http://127.0.0.1${TARGET}`, request(key, clientId))).then(answered);
  }
  const app = express();
  app.use(popMiddleware(options));
  app.use((req, res) => res.status(204).end());
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${server.address().port}`;
  return (key, clientId) => fetch(base + TARGET, request(key, clientId)).then(answered);
}

/** `[status, body]` of an answer, what most cases compare. */
function outcome({ status, body }) {
  return [status, body];
}

/** `key`'s public JWK with extra members (`kid`, `nbf`, `exp`). */
function jwk(key, members = {}) {
  return { ...key.publicKey().toJwk(), ...members };
}

/** A JWK set on 127.0.0.1 with `Cache-Control: max-age=300`; counts its fetches. */
async function jwksServer(t, jwks) {
  const served = { fetches: 0 };
  const server = http.createServer((req, res) => {
    served.fetches += 1;
    const body = JSON.stringify(jwks);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  let running = true;
  served.url = `http://127.0.0.1:${server.address().port}/jwks.json`;
  served.stop = () => {
    if (!running) return Promise.resolve();
    running = false;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    return closed;
  };
  t.after(served.stop);
  return served;
}

/** A URL on a loopback port nothing listens on (bound, then closed). */
async function closedPortUrl() {
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}/jwks.json`;
}

for (const adapter of ADAPTERS) {
  test(`${adapter}: every current key of a set is accepted and an expired one refused`, async (t) => {
    const [old, current, other] = KEYS;
    const now = Math.floor(Date.now() / 1000);
    const jwks = { keys: [jwk(old, { kid: '2025', exp: now - 10 }), jwk(current, { kid: '2026', nbf: now - 10 })] };
    const source = KeySource.parse(JSON.stringify(jwks));
    assert.deepEqual([source.kind, await source.size()], ['fixed', 2]);
    const send = await sender(t, adapter, { publicKey: source });
    assert.deepEqual(outcome(await send(current)), [204, {}]);
    const refusedOld = await send(old);
    assert.deepEqual([refusedOld.status, refusedOld.body.error], [401, 'SignatureInvalid']);
    assert.equal((await send(other)).body.error, 'SignatureInvalid');
  });

  test(`${adapter}: a lookup may answer with a client's key source`, async (t) => {
    const [old, current] = KEYS;
    const sources = new Map([['rotating', KeySource.parse(Buffer.from(JSON.stringify({ keys: [jwk(old), jwk(current)] })))]]);
    const send = await sender(t, adapter, { publicKey: async (id) => sources.get(id) });
    assert.deepEqual(outcome(await send(old, 'rotating')), [204, {}]);
    assert.deepEqual(outcome(await send(current, 'rotating')), [204, {}]);
    assert.deepEqual(outcome(await send(current, 'someone-else')), [
      401,
      { error: 'InvalidToken', message: 'invalid PoP token: no public key is registered for this client id' },
    ]);
  });
}

test('a key file is read again when it changes', async (t) => {
  const [old, current] = KEYS;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'taap-key-source-'));
  t.after(() => fs.rmSync(folder, { recursive: true, force: true }));
  const file = path.join(folder, 'client-keys.json');
  fs.writeFileSync(file, JSON.stringify({ keys: [jwk(old)] }));
  const source = KeySource.fromFile(file);
  assert.deepEqual(source.toJSON(), { kind: 'file', path: file });
  const send = await sender(t, 'withPop', { publicKey: source });
  assert.deepEqual(outcome(await send(old)), [204, {}]);
  assert.equal((await send(current)).status, 401);
  fs.writeFileSync(file, JSON.stringify({ keys: [jwk(current)] }));
  const later = Date.now() / 1000 + 5; // a modification time the check cannot miss, whatever the clock's grain
  fs.utimesSync(file, later, later);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // the file is looked at once a second at most
  assert.deepEqual(outcome(await send(current)), [204, {}]);
  assert.equal((await send(old)).body.error, 'SignatureInvalid');
});

for (const adapter of ADAPTERS) {
  test(`${adapter}: a JWK set URL is fetched once, then served from its cache`, async (t) => {
    const served = await jwksServer(t, { keys: [jwk(KEYS[0], { kid: 'k0' }), jwk(KEYS[1], { kid: 'k1' })] });
    // The query may hold a credential: never shown.
    const source = KeySource.fromJwksUrl(new URL(`${served.url}?api_key=s3cret`));
    assert.equal(String(source), `KeySource(jwks: ${served.url})`);
    assert.equal(util.inspect(source), `KeySource { kind: 'jwks', url: '${served.url}' }`);
    const send = await sender(t, adapter, { publicKey: source });
    for (const key of [KEYS[0], KEYS[1], KEYS[0]]) assert.deepEqual(outcome(await send(key)), [204, {}]);
    assert.equal((await send(KEYS[2])).body.error, 'SignatureInvalid');
    assert.equal(served.fetches, 1);
    await served.stop();
    assert.deepEqual(outcome(await send(KEYS[1])), [204, {}]); // the cached copy
  });
}

test('a check waits only while the source must fetch', async (t) => {
  const served = await jwksServer(t, { keys: [jwk(KEYS[0], { kid: 'k0' }), jwk(KEYS[1], { kid: 'k1' })] });
  const gate = new native.PopGateHandle('{}');
  const source = KeySource.fromJwksUrl(served.url);
  const handle = keySourceHandleOf(source);
  assert.equal(gate.waits(handle, [], []), true);
  assert.equal(await source.size(), 2);
  assert.equal(gate.waits(handle, [], []), false);
  assert.equal(gate.waits(publicHandleOf(KEYS[0].publicKey(), 'key'), [], []), false);
  assert.equal(served.fetches, 1);
});

for (const adapter of ADAPTERS) {
  test(`${adapter}: a key source that cannot be fetched is 503 and counted under its kind`, async (t) => {
    const registry = new client.Registry();
    const url = await closedPortUrl();
    const send = await sender(t, adapter, { publicKey: KeySource.fromJwksUrl(url), metrics: registry });
    const { status, body, headers } = await send(KEYS[0]);
    assert.deepEqual([status, body.error], [503, 'KeySourceUnavailable']);
    assert.ok(body.message.startsWith('key source unavailable: '), body.message);
    assert.ok(body.message.includes(url), body.message);
    assert.equal(headers.get('retry-after'), '1');
    const decisions = await registry.getSingleMetric('taap_pop_decisions_total').get();
    const counted = Object.fromEntries(decisions.values.map(({ labels, value }) => [`${labels.outcome}/${labels.kind}`, value]));
    assert.deepEqual(counted, { 'accepted/': 0, 'refused/KeySourceUnavailable': 1 });
  });
}

test('a size of a source that cannot be fetched rejects with KeySourceUnavailableError', async () => {
  const url = await closedPortUrl();
  await assert.rejects(KeySource.fromJwksUrl(url).size(), { name: 'KeySourceUnavailableError', code: 'TAAP_KEY_SOURCE_UNAVAILABLE' });
});

test('bad arguments: TypeError for the type, the core kind for the content', () => {
  assert.throws(() => KeySource.parse(7), { name: 'TypeError', message: 'data must be a string or bytes (a Uint8Array, Buffer or ArrayBuffer), got a number' });
  assert.throws(() => KeySource.parse('not a key'), { name: 'InvalidKeyError' });
  assert.throws(() => KeySource.fromFile(path.join(os.tmpdir(), 'taap-no-such-keys.json')), { name: 'ConfigError' });
  assert.throws(() => KeySource.fromJwksUrl('ftp://127.0.0.1/jwks.json'), { name: 'ConfigError', message: 'invalid configuration: the JWKS URL must be http:// or https:// with a host' });
  assert.throws(() => new KeySource(), { name: 'TypeError' });
  assert.deepEqual([String(KeySource.parse(KEYS[0].publicKey().toPem())), util.inspect(KeySource.parse(KEYS[0].publicKey().toPem()))], ['KeySource(fixed)', "KeySource { kind: 'fixed' }"]);
});
