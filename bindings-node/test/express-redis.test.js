'use strict';
// taap/express and withPop with replayStore: 'redis://…' against a real redis-server: a token
// accepted by one instance is refused 401 Replay by another sharing the Redis; with Redis
// stopped every request is 503 naming the store and never reaches the app, and requests pass
// again once Redis is back, without a restart.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const { after, before, describe, test } = require('node:test');
const express = require('express');
const { PrivateKey, PopToken } = require('..');
const { popMiddleware, withPop } = require('taap/express');
const { README_KEY } = require('./helpers');
const { Redis, requireRedis } = require('./redis');

const key = PrivateKey.fromFile(README_KEY);
const publicPem = key.publicKey().toPem();
const ORDER = '{"orderId": 100, "product": "Mobile Phone"}';
const JSON_TYPE = { 'content-type': 'application/json' };
const redis = new Redis();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An Express app behind popMiddleware with the shared store; `calls` collects the bodies it saw. */
async function serve(calls) {
  const app = express();
  // No leeway: tokens are vouched for a second after Redis (re)starts, not ten.
  app.use(popMiddleware({ publicKey: publicPem, replayStore: redis.url, leeway: 0 }));
  app.all('/orders', (req, res) => {
    calls.push(req.rawBody.toString());
    res.json({ received: req.rawBody.toString() });
  });
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  const send = async (pop, body = ORDER) => {
    const response = await fetch(`${base}/orders`, { method: 'POST', headers: { ...JSON_TYPE, 'x-authorization': pop }, body });
    return [response.status, await response.json(), response.headers.get('retry-after')];
  };
  return { base, send, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** A token for a POST of ORDER to /orders, which every instance here serves (the host is not signed). */
function fresh() {
  return PopToken.forRequest(key, { method: 'POST', url: 'http://127.0.0.1/orders', headers: JSON_TYPE, body: ORDER });
}

describe('shared replay store', () => {
  before(requireRedis);
  before(async () => {
    await redis.start();
    await sleep(1100); // a token made in Redis's first second could predate it
  });
  after(async () => {
    await redis.stop();
    if (redis.dir) fs.rmSync(redis.dir, { recursive: true, force: true });
  });

  test('a token accepted by one instance is a replay on another (Express and withPop)', async (t) => {
    const calls = [];
    const [one, two] = [await serve(calls), await serve(calls)];
    t.after(() => Promise.all([one.close(), two.close()]));
    const handler = withPop(async (request) => Response.json({ received: await request.text() }), { publicKey: publicPem, replayStore: redis.url, leeway: 0 });
    const pop = fresh();
    assert.deepEqual((await one.send(pop)).slice(0, 2), [200, { received: ORDER }]);
    const [status, answer] = await two.send(pop);
    assert.deepEqual([status, answer.error], [401, 'Replay']);
    assert.equal(answer.message, 'replayed PoP token: this jti was already used (shared replay store); build a fresh token for every call');
    const viaFetch = await handler(new Request('http://127.0.0.1/orders', { method: 'POST', headers: { ...JSON_TYPE, 'x-authorization': pop }, body: ORDER }));
    assert.deepEqual([viaFetch.status, (await viaFetch.json()).error], [401, 'Replay']);
    assert.deepEqual(calls, [ORDER]);
  });

  test('with Redis stopped requests get 503 naming the store, and pass again once it returns', async (t) => {
    const calls = [];
    const app = await serve(calls);
    t.after(app.close);
    assert.equal((await app.send(fresh()))[0], 200);
    await redis.stop();
    const refusals = [];
    for (let i = 0; i < 3; i += 1) refusals.push(await app.send(fresh()));
    for (const [status, answer, retryAfter] of refusals) {
      assert.deepEqual([status, answer.error, answer.store, retryAfter], [503, 'replay_store_unavailable', 'redis', '1']);
    }
    assert.equal(refusals[0][1].message, 'the replay store (redis) is unavailable: the connection to Redis was lost; retry shortly');
    assert.equal(calls.length, 1);
    await redis.start();
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [status, answer] = await app.send(fresh());
      if (status === 200) break;
      assert.deepEqual([status, answer.error], [503, 'replay_store_unavailable']);
      assert.ok(Date.now() < deadline, 'no accept within 15 s of Redis returning');
      await sleep(100);
    }
    assert.equal(calls.length, 2);
  });
});
