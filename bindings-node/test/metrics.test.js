'use strict';
// popMiddleware and withPop with option `metrics`: a known mix of requests (accepted, no
// token, replay, EdtsMismatch, 413, no key for the client, a Redis on a closed port) through a
// real Express app and a fetch-style handler gives exact values of the counters the Rust
// PopLayer exports, read back from the registry's text exposition by a small parser of the
// Prometheus text format; no token or client id is in the text; middlewares sharing a registry
// share its collectors; without `metrics` prom-client is never loaded.

const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');
const express = require('express');
const client = require('prom-client');
const { PrivateKey, PopToken, ConfigError } = require('..');
const { popMiddleware, withPop } = require('taap/express');
const { README_KEY } = require('./helpers');
const { Redis, requireRedis } = require('./redis');

const key = PrivateKey.fromFile(README_KEY);
const stranger = PrivateKey.generate(2048);
const publicPem = key.publicKey().toPem();
const ORDER = '{"orderId": 100, "product": "Mobile Phone"}';
const JSON_TYPE = { 'content-type': 'application/json' };
/** A port nothing listens on: the store's first connection is refused at once. */
const CLOSED_REDIS = 'redis://127.0.0.1:1/0';
const CLIENT = 'client-7Q2';
/** PopLayer's buckets: 25 µs doubling to about 0.4 s, then +Inf. */
const BUCKETS = [...Array.from({ length: 15 }, (_, power) => 0.000025 * 2 ** power), Infinity];
const ADAPTERS = ['express', 'withPop'];

function signed(signer, method, target, headers = {}, body = '') {
  // The host is not signed: one token fits every instance here.
  return PopToken.forRequest(signer, { method, url: `http://127.0.0.1${target}`, headers, body });
}

/** `send(method, target, headers, body, pop)` → [status, JSON] through one adapter; `calls` collects the bodies the app saw. */
async function sender(adapter, options, calls) {
  if (adapter === 'withPop') {
    const handler = withPop(async (request) => {
      const body = await request.text();
      calls.push(body);
      return Response.json({ received: body });
    }, options);
    const send = async (method, target, headers, body, pop) => {
      const all = { ...headers, ...(pop ? { 'x-authorization': pop } : {}) };
      const response = await handler(new Request(`http://127.0.0.1${target}`, { method, headers: all, body: body || undefined }));
      return [response.status, await response.json()];
    };
    return { send, close: async () => {} };
  }
  const app = express();
  app.use(popMiddleware(options));
  app.all('/orders', (req, res) => {
    calls.push(req.rawBody.toString());
    res.json({ received: req.rawBody.toString() });
  });
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  const send = async (method, target, headers, body, pop) => {
    const all = { ...headers, ...(pop ? { 'x-authorization': pop } : {}) };
    const response = await fetch(base + target, { method, headers: all, body: body || undefined });
    return [response.status, await response.json()];
  };
  return { send, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** A label value as written between quotes in the text format, unescaped. */
function unescape(value) {
  return value.replace(/\\(.)/g, (_, char) => (char === 'n' ? '\n' : char));
}

/**
 * The registry's text exposition parsed: sample name → (labels `name=value`, sorted, joined by
 * `,`) → value; and the text. Also checks that each sample's family is declared by # TYPE.
 */
async function scrape(registry) {
  const text = await registry.metrics();
  assert.equal(registry.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  const types = new Map();
  const samples = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const declared = /^# TYPE (\w+) (\w+)$/.exec(line);
    if (declared) types.set(declared[1], declared[2]);
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `not a sample line: ${line}`);
    const [, name, rawLabels = '', rawValue] = sample;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(family), `${name} has no # TYPE`);
    const labels = [...rawLabels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, label, value]) => `${label}=${unescape(value)}`);
    const value = rawValue === '+Inf' ? Infinity : Number(rawValue);
    (samples[name] ??= {})[labels.sort().join(',')] = value;
  }
  return { samples, text, types };
}

for (const adapter of ADAPTERS) {
  test(`${adapter}: every decision is counted under its outcome and kind`, async (t) => {
    const registry = new client.Registry();
    const calls = [];
    // Three middlewares count into one registry: the same collectors, never registered twice.
    const plain = await sender(adapter, { publicKey: publicPem, maxBody: 64, metrics: registry }, calls);
    const down = await sender(adapter, { publicKey: publicPem, replayStore: CLOSED_REDIS, metrics: registry }, calls);
    const keys = new Map([[CLIENT, key.publicKey()]]);
    const lookedUp = await sender(adapter, { publicKey: (id) => keys.get(id), metrics: registry }, calls);
    t.after(() => Promise.all([plain.close(), down.close(), lookedUp.close()]));

    // Accepted twice; the first token again is a replay; no token; a body the token did not sign.
    const first = signed(key, 'POST', '/orders', JSON_TYPE, ORDER);
    const second = signed(key, 'POST', '/orders', JSON_TYPE, ORDER);
    assert.equal((await plain.send('POST', '/orders', JSON_TYPE, ORDER, first))[0], 200);
    assert.equal((await plain.send('POST', '/orders', JSON_TYPE, ORDER, second))[0], 200);
    assert.equal((await plain.send('POST', '/orders', JSON_TYPE, ORDER, first))[1].error, 'Replay');
    assert.equal((await plain.send('POST', '/orders', JSON_TYPE, ORDER, null))[1].error, 'InvalidToken');
    const tampered = signed(key, 'POST', '/orders', JSON_TYPE, ORDER);
    assert.equal((await plain.send('POST', '/orders', JSON_TYPE, '{"orderId": 999}', tampered))[1].error, 'EdtsMismatch');
    // 65 bytes, over the 64 read: refused before any check, so neither counted as read nor timed.
    const large = 'x'.repeat(65);
    assert.equal((await plain.send('POST', '/orders', {}, large, signed(key, 'POST', '/orders', {}, large)))[0], 413);

    // Redis on a closed port: every token that passes its own checks is refused 503; a token
    // that fails them never reaches the store.
    for (let round = 0; round < 2; round += 1) {
      const [status, answer] = await down.send('GET', '/orders', {}, '', signed(key, 'GET', '/orders'));
      assert.deepEqual([status, answer.error, answer.store], [503, 'replay_store_unavailable', 'redis']);
    }
    assert.equal((await down.send('GET', '/orders', {}, '', 'not.a.token'))[1].error, 'InvalidToken');

    // A key looked up by client id: found, then a client with no key.
    const good = signed(key, 'GET', '/orders');
    assert.equal((await lookedUp.send('GET', '/orders', { 'x-client-id': CLIENT }, '', good))[0], 200);
    const foreign = signed(stranger, 'GET', '/orders');
    assert.equal((await lookedUp.send('GET', '/orders', { 'x-client-id': 'client-unknown-4' }, '', foreign))[1].error, 'InvalidToken');

    const { samples, text, types } = await scrape(registry);
    assert.deepEqual(samples.taap_pop_decisions_total, {
      'kind=,outcome=accepted': 3,
      'kind=BodyTooLarge,outcome=refused': 1,
      'kind=EdtsMismatch,outcome=refused': 1,
      'kind=InvalidToken,outcome=refused': 2,
      'kind=KeyLookup,outcome=refused': 1,
      'kind=Replay,outcome=refused': 1,
      'kind=ReplayStoreUnavailable,outcome=refused': 2,
    });
    assert.deepEqual(Object.fromEntries(types), {
      taap_pop_decisions_total: 'counter',
      taap_pop_validation_seconds: 'histogram',
      taap_pop_body_bytes_total: 'counter',
      taap_replay_store_errors_total: 'counter',
      taap_replay_store_up: 'gauge',
    });
    // Every request but the oversized one was read whole and decided on.
    assert.deepEqual(samples.taap_pop_validation_seconds_count, { '': 10 });
    const buckets = samples.taap_pop_validation_seconds_bucket;
    assert.equal(buckets['le=+Inf'], 10);
    assert.deepEqual(Object.keys(buckets).map((labels) => Number(labels.slice(3).replace('+Inf', 'Infinity'))).sort((a, b) => a - b), BUCKETS);
    const took = samples.taap_pop_validation_seconds_sum[''];
    assert.ok(took > 0 && took < 10, `${took} s`);
    // Four signed orders and the tampered 16-byte body; the GETs had none.
    assert.deepEqual(samples.taap_pop_body_bytes_total, { '': 4 * ORDER.length + 16 });
    assert.deepEqual(samples.taap_replay_store_errors_total, { 'store=redis': 2 });
    assert.deepEqual(samples.taap_replay_store_up, { 'store=redis': 0 });
    // The validator's own cache is not a store, and the store's own time is not measured apart.
    assert.ok(!Object.keys(samples).some((name) => name.startsWith('taap_replay_store_seconds')));
    assert.deepEqual(calls, [ORDER, ORDER, '']);

    // Nothing that identifies a caller or proves anything is in the text.
    for (const secret of [first, second, tampered, good, foreign, CLIENT, 'client-unknown-4']) assert.ok(!text.includes(secret));
    for (const token of [first, second, good]) assert.ok(!text.includes(PopToken.decode(token).jti));
  });
}

describe('a store that answers', () => {
  const redis = new Redis();
  before(requireRedis);
  before(async () => {
    await redis.start();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a token made in Redis's first second could predate it
  });
  after(async () => {
    await redis.stop();
    if (redis.dir) fs.rmSync(redis.dir, { recursive: true, force: true });
  });

  test('is counted up, then down once it stops (Express and withPop)', async (t) => {
    const registry = new client.Registry();
    const options = { publicKey: publicPem, replayStore: redis.url, leeway: 0, metrics: registry };
    const one = await sender('express', options, []);
    const two = await sender('withPop', options, []);
    t.after(one.close);
    const pop = signed(key, 'GET', '/orders');
    assert.equal((await one.send('GET', '/orders', {}, '', pop))[0], 200);
    assert.equal((await two.send('GET', '/orders', {}, '', pop))[1].error, 'Replay');
    // Refused by the core before the store is asked: the store's state does not change.
    assert.equal((await two.send('GET', '/orders', {}, '', signed(key, 'GET', '/other')))[1].error, 'EdtsMismatch');
    let { samples } = await scrape(registry);
    assert.deepEqual(samples.taap_pop_decisions_total, {
      'kind=,outcome=accepted': 1,
      'kind=EdtsMismatch,outcome=refused': 1,
      'kind=Replay,outcome=refused': 1,
    });
    assert.deepEqual(samples.taap_replay_store_up, { 'store=redis': 1 });
    assert.equal(samples.taap_replay_store_errors_total, undefined);
    await redis.stop();
    assert.equal((await one.send('GET', '/orders', {}, '', signed(key, 'GET', '/orders')))[0], 503);
    ({ samples } = await scrape(registry));
    assert.deepEqual(samples.taap_replay_store_up, { 'store=redis': 0 });
    assert.deepEqual(samples.taap_replay_store_errors_total, { 'store=redis': 1 });
  });
});

test('the accepted series exists before any request', async () => {
  const registry = new client.Registry();
  popMiddleware({ publicKey: publicPem, metrics: registry });
  const { samples } = await scrape(registry);
  assert.deepEqual(samples.taap_pop_decisions_total, { 'kind=,outcome=accepted': 0 });
  assert.deepEqual(samples.taap_pop_validation_seconds_count, { '': 0 });
  assert.deepEqual(samples.taap_pop_body_bytes_total, { '': 0 });
});

test('a body parser in front is counted as a Config refusal, without a check', async (t) => {
  const registry = new client.Registry();
  const app = express();
  app.use(express.json());
  app.use(popMiddleware({ publicKey: publicPem, metrics: registry }));
  app.all('/orders', (req, res) => res.json({}));
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const response = await fetch(`http://127.0.0.1:${server.address().port}/orders`, { method: 'POST', headers: JSON_TYPE, body: ORDER });
  assert.equal(response.status, 500);
  const { samples } = await scrape(registry);
  assert.equal(samples.taap_pop_decisions_total['kind=Config,outcome=refused'], 1);
  assert.deepEqual(samples.taap_pop_validation_seconds_count, { '': 0 });
});

test('true is the global registry, and instances share it', async () => {
  for (let round = 0; round < 2; round += 1) {
    popMiddleware({ publicKey: publicPem, metrics: true });
    withPop(() => new Response(), { publicKey: publicPem, metrics: true });
  }
  const decisions = await client.register.getSingleMetric('taap_pop_decisions_total').get();
  assert.deepEqual(decisions.values.map(({ labels, value }) => [labels, value]), [[{ outcome: 'accepted', kind: '' }, 0]]);
  client.register.clear();
});

test('collectors another copy of the module registered are reused; a foreign metric of the name is an error', () => {
  const registry = new client.Registry();
  const decisions = new client.Counter({ name: 'taap_pop_decisions_total', help: 'x', labelNames: ['outcome', 'kind'], registers: [registry] });
  popMiddleware({ publicKey: publicPem, metrics: registry });
  assert.equal(registry.getSingleMetric('taap_pop_decisions_total'), decisions);
  const other = new client.Registry();
  new client.Gauge({ name: 'taap_pop_body_bytes_total', help: 'someone else', registers: [other] });
  assert.throws(() => popMiddleware({ publicKey: publicPem, metrics: other }), { name: 'ConfigError', message: /already holds a metric named taap_pop_body_bytes_total/ });
  assert.throws(() => withPop(() => new Response(), { publicKey: publicPem, metrics: 'yes' }), (error) => error instanceof ConfigError && /must be a prom-client Registry, true or null, not string/.test(error.message));
});

/** Runs `script` in a fresh node from this directory, with the package's own node_modules. */
function node(script) {
  return childProcess.spawnSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
}

test('without prom-client, asking for metrics names the package; not asking needs nothing', () => {
  const script = `
    const Module = require('node:module');
    const load = Module._load;
    Module._load = function (request, ...rest) {
      if (request === 'prom-client') throw Object.assign(new Error("Cannot find module 'prom-client'"), { code: 'MODULE_NOT_FOUND' });
      return load.call(this, request, ...rest);
    };
    const { popMiddleware, withPop } = require('taap/express');
    const options = { publicKey: ${JSON.stringify(publicPem)} };
    popMiddleware(options);
    withPop(() => new Response(), options);
    try {
      popMiddleware({ ...options, metrics: true });
    } catch (error) {
      console.log(error.name + ': ' + error.message);
    }`;
  const run = node(script);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^ConfigError: .*option metrics needs the prom-client package: npm install prom-client\n$/);
});

test('without metrics prom-client is never loaded', () => {
  const script = `
    const { popMiddleware, withPop } = require('taap/express');
    const options = { publicKey: ${JSON.stringify(publicPem)}, metrics: null };
    popMiddleware(options);
    withPop(() => new Response(), { ...options, metrics: undefined });
    const loaded = Object.keys(require.cache).filter((file) => file.includes('prom-client'));
    if (loaded.length) throw new Error('loaded ' + loaded.join(', '));`;
  const run = node(script);
  assert.equal(run.status, 0, run.stderr);
});
