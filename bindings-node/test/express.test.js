'use strict';
// taap/express against a real Express app on a loopback port, and withPop around a
// fetch-style handler: signed requests reach the app with the body intact; a missing,
// invalid, mis-bound or replayed token gets 401 with the error kind and never reaches it.

const test = require('node:test');
const assert = require('node:assert/strict');
const express = require('express');
const { PrivateKey, PopToken, ConfigError } = require('..');
const { popMiddleware, withPop, DEFAULT_REQUIRED } = require('taap/express');
const { README_KEY } = require('./helpers');

const key = PrivateKey.fromFile(README_KEY);
const publicPem = key.publicKey().toPem();
const ORDER = '{"orderId": 100, "product": "Mobile Phone"}';
const JSON_TYPE = { 'content-type': 'application/json' };

function signed(signer, method, url, headers = {}, body = '') {
  return PopToken.forRequest(signer, { method, url, headers, body });
}

/** An Express app behind popMiddleware(options); `calls` collects the bodies it saw. */
async function serve(options, calls) {
  const app = express();
  app.use(popMiddleware(options));
  app.use(express.json());
  app.all('/orders', (req, res) => {
    calls.push(req.rawBody.toString());
    res.json({ received: req.body.toString() });
  });
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  const send = async (method, path, headers, body, pop) => {
    const all = { ...headers, ...(pop ? { 'x-authorization': pop } : {}) };
    const response = await fetch(base + path, { method, headers: all, body: body || undefined });
    return [response.status, await response.json()];
  };
  return { base, send, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('express: a signed request reaches the app with its body', async (t) => {
  const calls = [];
  const app = await serve({ publicKey: publicPem }, calls);
  t.after(app.close);
  const path = '/orders?account-number=0000000000';
  const pop = signed(key, 'POST', app.base + path, JSON_TYPE, ORDER);
  assert.deepEqual(await app.send('POST', path, JSON_TYPE, ORDER, pop), [200, { received: ORDER }]);
  assert.deepEqual(calls, [ORDER]);
});

test('express: refusals are 401 with the kind and never reach the app', async (t) => {
  const calls = [];
  const app = await serve({ publicKey: key.publicKey() }, calls);
  t.after(app.close);
  const url = `${app.base}/orders`;
  const good = signed(key, 'POST', url, JSON_TYPE, ORDER);
  const cases = [
    [undefined, ORDER, 'InvalidToken'],
    ['not-a-token', ORDER, 'InvalidToken'],
    [signed(PrivateKey.generate(), 'POST', url, JSON_TYPE, ORDER), ORDER, 'SignatureInvalid'],
    [good, '{"orderId": 999}', 'EdtsMismatch'],
    [PopToken.build(key, [['body', ORDER]]), ORDER, 'InvalidToken'],
  ];
  for (const [pop, body, kind] of cases) {
    const [status, answer] = await app.send('POST', '/orders', JSON_TYPE, body, pop);
    assert.deepEqual([status, answer.error], [401, kind], JSON.stringify(answer));
    assert.ok(answer.message.length > 0 && !answer.message.includes('PRIVATE KEY'));
  }
  assert.equal((await app.send('POST', '/orders', JSON_TYPE, ORDER, good))[0], 200);
  const [status, answer] = await app.send('POST', '/orders', JSON_TYPE, ORDER, good);
  assert.deepEqual([status, answer.error], [401, 'Replay']);
  assert.deepEqual(calls, [ORDER]);
});

test('express: a lookup function finds the key by client id; bodies past maxBody get 413', async (t) => {
  const calls = [];
  const keys = new Map([['app-1', publicPem]]);
  const app = await serve({ publicKey: async (id) => keys.get(id), maxBody: 64 }, calls);
  t.after(app.close);
  const url = `${app.base}/orders`;
  assert.equal((await app.send('GET', '/orders', { 'x-client-id': 'app-1' }, '', signed(key, 'GET', url)))[0], 200);
  const [status, answer] = await app.send('GET', '/orders', { 'x-client-id': 'app-2' }, '', signed(key, 'GET', url));
  assert.deepEqual([status, answer.error], [401, 'InvalidToken']);
  const big = JSON.stringify({ padding: 'x'.repeat(100) });
  const [bigStatus, bigAnswer] = await app.send('POST', '/orders', { ...JSON_TYPE, 'x-client-id': 'app-1' }, big, signed(key, 'POST', url, JSON_TYPE, big));
  assert.deepEqual([bigStatus, bigAnswer.error], [413, 'RequestTooLarge']);
  assert.deepEqual(calls, ['']);
});

test('withPop: a fetch-style handler sees only requests with a valid, unreplayed token', async () => {
  const seen = [];
  const handler = withPop(async (request) => {
    seen.push(await request.text());
    return Response.json({ ok: true });
  }, { publicKey: publicPem, required: ['uri', 'http-method', 'body'] });
  const url = 'https://api.example.com/orders';
  const pop = signed(key, 'POST', url, JSON_TYPE, ORDER);
  const request = () => new Request(url, { method: 'POST', headers: { ...JSON_TYPE, 'x-authorization': pop }, body: ORDER });
  const first = await handler(request());
  assert.deepEqual([first.status, await first.json()], [200, { ok: true }]);
  const replayed = await handler(request());
  assert.deepEqual([replayed.status, (await replayed.json()).error], [401, 'Replay']);
  const bare = await handler(new Request(url));
  assert.deepEqual([bare.status, (await bare.json()).error], [401, 'InvalidToken']);
  assert.deepEqual(seen, [ORDER]);
});

test('the core resolves the middleware options and the replay store', () => {
  const defaults = JSON.parse(require('../lib/native').middlewareSettings('{}'));
  assert.deepEqual(defaults, {
    leeway: 10, maxAge: 60, required: ['uri', 'http-method'], maxBody: 1048576,
    clientIdHeader: 'x-client-id', replayCache: 100000, sharedReplayStore: null,
  });
  assert.deepEqual(DEFAULT_REQUIRED, ['uri', 'http-method']);
  const shared = JSON.parse(require('../lib/native').middlewareSettings('{"replayStore": "redis://127.0.0.1:6379/3"}'));
  assert.deepEqual([shared.replayCache, shared.sharedReplayStore], [null, 'redis://127.0.0.1:6379/3']);
  assert.equal(JSON.parse(require('../lib/native').middlewareSettings('{"replayStore": false}')).replayCache, null);
});

test('options are checked when the middleware is made', () => {
  assert.throws(() => popMiddleware({}), ConfigError);
  assert.throws(() => popMiddleware({ publicKey: publicPem, leeway: -1 }), ConfigError);
  assert.throws(() => withPop(() => new Response(), { publicKey: publicPem, replayStore: 'memcached://:hunter2@127.0.0.1:11211' }), (error) => {
    assert.equal(error.message, 'invalid configuration: option replayStore must be "memory", a capacity, a redis:// URL or false, not a string');
    return true;
  });
  assert.throws(() => popMiddleware({ publicKey: publicPem, replayStore: 'redis://:hunter2@[::1' }), (error) => {
    assert.equal(error.message, 'invalid configuration: the replay store URL is not a valid redis://host:port[/db] URL');
    return true;
  });
  assert.throws(() => withPop(null, { publicKey: publicPem }), ConfigError);
});
