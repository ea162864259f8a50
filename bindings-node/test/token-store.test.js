'use strict';
// TaapClient({ tokenStore: 'redis://…' }) against a real redis-server: separate clients with
// the same credentials make one token request between them, and one refresh when it is due;
// with Redis stopped each still gets a token and emits one TaapWarning; a password in the
// store URL never shows.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const { after, before, describe, test } = require('node:test');
const { PrivateKey, TaapClient } = require('taap');
const { Redis, requireRedis } = require('./redis');

const key = PrivateKey.generate();
const CLIENT_ID = 'node-fleet';
const CLIENT_SECRET = 'node-fleet-secret-3d9e';

/** A token endpoint numbering its tokens, answering after 100 ms so the clients overlap. */
const endpoint = { requests: 0, expiresIn: '3599' };
let server;
let tokenUrl;
const redis = new Redis();

before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      endpoint.requests += 1;
      const body = JSON.stringify({ access_token: `fleet-token-${endpoint.requests}`, expires_in: endpoint.expiresIn });
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body), 100);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${server.address().port}/oauth2/v2/tokens`;
  requireRedis();
  await redis.start();
});

after(async () => {
  await redis.stop();
  if (redis.dir) fs.rmSync(redis.dir, { recursive: true, force: true });
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function clients(count, tokenStore) {
  return Array.from({ length: count }, () => new TaapClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, key, server: tokenUrl, tokenStore }));
}

/** The warnings emitted while `action` runs. */
async function warningsDuring(action) {
  const seen = [];
  const listener = (warning) => seen.push(`${warning.name}: ${warning.message}`);
  process.on('warning', listener);
  try {
    const result = await action();
    await new Promise((resolve) => setImmediate(resolve));
    return { result, seen };
  } finally {
    process.off('warning', listener);
  }
}

describe('shared token store', () => {
  before(requireRedis);
  test('separate clients make one token request, and one refresh when it is due', async () => {
    endpoint.requests = 0;
    endpoint.expiresIn = '2';
    const fleet = clients(5, redis.url);
    const { result: first, seen } = await warningsDuring(() => Promise.all(fleet.map((c) => c.accessToken())));
    assert.deepEqual(first.map((token) => token.token), Array(5).fill('fleet-token-1'));
    assert.equal(endpoint.requests, 1);
    // 2 s tokens are refreshed at half their life.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await Promise.all(fleet.map((c) => c.accessToken()));
    assert.deepEqual(second.map((token) => token.token), Array(5).fill('fleet-token-2'));
    assert.equal(endpoint.requests, 2);
    assert.deepEqual(seen, []);
    endpoint.expiresIn = '3599';
  });

  test('with Redis stopped each client gets a token and emits one TaapWarning', async () => {
    endpoint.requests = 0;
    const store = redis.url.replace('redis://', 'redis://:hunter2-pw@');
    const fleet = clients(3, store);
    await redis.stop();
    try {
      const { result, seen } = await warningsDuring(async () => {
        const tokens = [];
        for (const c of fleet) tokens.push((await c.accessToken()).token, (await c.refreshAccessToken()).token);
        return tokens;
      });
      assert.deepEqual(result.sort(), [1, 2, 3, 4, 5, 6].map((n) => `fleet-token-${n}`));
      assert.deepEqual(seen, Array(3).fill(
        'TaapWarning: the shared token store (redis) failed: it refused the connection; fetching access tokens without it until it answers again',
      ));
    } finally {
      await redis.start();
    }
  });

  test('a bad store URL is a ConfigError that names no password', () => {
    assert.throws(() => clients(1, 'redis://:hunter2-pw@[::1'), (error) => {
      assert.equal(error.code, 'TAAP_CONFIG');
      assert.equal(error.message, 'invalid configuration: the token store URL is not a valid redis://host:port[/db] URL');
      return true;
    });
    assert.throws(() => clients(1, 42), { name: 'ConfigError', message: 'invalid configuration: option tokenStore must be a string, not 42' });
  });
});
