'use strict';
// taap/express (and withPop) against the requests an adversarial run used to get through.
// Requests go out as raw bytes over a socket, because fetch would normalise the target, merge
// repeated headers and refuse raw UTF-8, which are exactly what is under test. The PoP tokens
// are made here with node:crypto over exact bytes, not with taap, so a taap bug cannot cancel
// itself out on both sides.

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const express = require('express');
const { popMiddleware, withPop } = require('taap/express');
const { README_KEY } = require('./helpers');

const README_PRIVATE = crypto.createPrivateKey(fs.readFileSync(README_KEY));
const README_PUBLIC_PEM = crypto.createPublicKey(README_PRIVATE).export({ type: 'spki', format: 'pem' });
const HEADER = '{"alg":"RS256","typ":"JWT"}';
const CRLF = Buffer.from('\r\n');

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * A PoP token over `pairs` ([name, value]; a string value counts as its UTF-8), as T-Mobile's
 * docs define it: edts is the SHA-256 of the values back to back, ehts their names joined by ';'.
 */
function popToken(privateKey, pairs, { jti = crypto.randomUUID(), header = HEADER } = {}) {
  const iat = nowSeconds();
  const edts = b64url(crypto.createHash('sha256').update(Buffer.concat(pairs.map(([, value]) => Buffer.from(value)))).digest());
  const ehts = pairs.map(([name]) => name).join(';');
  const claims = JSON.stringify({ edts, v: '1', exp: iat + 60, ehts, iat, jti });
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${b64url(crypto.sign('sha256', Buffer.from(input), privateKey))}`;
}

/** The values a token must sign for the middleware's default `required`. */
const requestLine = (method, uri) => [['uri', uri], ['http-method', method]];

/** An Express app behind popMiddleware(options); `seen` records every request that reached it. */
async function serve(t, options) {
  const seen = [];
  const app = express();
  app.use(popMiddleware(options));
  app.use((req, res) => {
    seen.push(`${req.method} ${req.path}`);
    res.json({ reached: req.path });
  });
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address();
  return { seen, send: (method, target, headers, body) => sendRaw(port, method, target, headers, body) };
}

/**
 * One HTTP/1.1 request written byte for byte: the target as given, header lines in order
 * (repeats kept), a string value as its UTF-8. Resolves `[status, parsed JSON body]`.
 */
function sendRaw(port, method, target, headers, body = Buffer.alloc(0)) {
  const parts = [Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nContent-Length: ${body.length}\r\n`, 'latin1')];
  for (const [name, value] of headers) parts.push(Buffer.from(`${name}: `, 'latin1'), Buffer.from(value), CRLF);
  parts.push(CRLF, body);
  return new Promise((resolve, reject) => {
    const chunks = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(Buffer.concat(parts)));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const response = Buffer.concat(chunks);
      const split = response.indexOf('\r\n\r\n');
      const status = Number(response.subarray(0, split).toString('latin1').split(' ')[1]);
      resolve([status, JSON.parse(response.subarray(split + 4).toString('utf8'))]);
    });
  });
}

/** Asserts a 401 whose JSON names `kind` (and, optionally, whose message matches `message`). */
function refused([status, answer], kind, message) {
  assert.deepEqual([status, answer.error], [401, kind], JSON.stringify(answer));
  if (message) assert.match(answer.message, message);
}

test('express: URI and HTTP-METHOD headers cannot stand in for the request line', async (t) => {
  const app = await serve(t, { publicKey: README_PUBLIC_PEM });
  // Signs the values of a harmless GET, under names a sender can add as headers to any request.
  const pop = popToken(README_PRIVATE, [['Authorization', 'Bearer abc'], ['URI', '/api/items/42'], ['HTTP-METHOD', 'GET']]);
  const headers = [['Authorization', 'Bearer abc'], ['URI', '/api/items/42'], ['HTTP-METHOD', 'GET'], ['X-Authorization', pop]];
  refused(await app.send('DELETE', '/admin/wipe', headers), 'InvalidToken', /URI.* is uri in another case/);
  assert.deepEqual(app.seen, []);
});

test('express: a signed header value sent as UTF-8 is checked as the bytes received', async (t) => {
  const app = await serve(t, { publicKey: README_PUBLIC_PEM });
  const pop = popToken(README_PRIVATE, [['X-Note', 'café'], ...requestLine('GET', '/api/notes')]);
  const [status, answer] = await app.send('GET', '/api/notes', [['X-Note', 'café'], ['X-Authorization', pop]]);
  assert.deepEqual([status, answer], [200, { reached: '/api/notes' }]);
  // The same token does not cover café in another encoding.
  const latin1 = Buffer.from('café', 'latin1');
  refused(await app.send('GET', '/api/notes', [['X-Note', latin1], ['X-Authorization', pop]]), 'EdtsMismatch');
});

test('express: uri is the target as received, dot segments and all', async (t) => {
  const app = await serve(t, { publicKey: README_PUBLIC_PEM });
  const item = popToken(README_PRIVATE, [['Authorization', 'Bearer abc'], ...requestLine('GET', '/api/items/42')]);
  for (const target of ['/api/admin/%2e%2e/items/42', '/api/admin/../items/42']) {
    refused(await app.send('GET', target, [['Authorization', 'Bearer abc'], ['X-Authorization', item]]), 'EdtsMismatch');
  }
  assert.deepEqual(app.seen, []);
  // Why: Express routes on the literal target, so that is what the token must bind.
  const literal = popToken(README_PRIVATE, requestLine('GET', '/api/admin/%2e%2e/items/42'));
  const [status] = await app.send('GET', '/api/admin/%2e%2e/items/42', [['X-Authorization', literal]]);
  assert.equal(status, 200);
  assert.deepEqual(app.seen, ['GET /api/admin/%2e%2e/items/42']);
});

test('express: repeated credentials and a repeated signed header are refused', async (t) => {
  const app = await serve(t, { publicKey: README_PUBLIC_PEM });
  const fresh = () => popToken(README_PRIVATE, [['Authorization', 'Bearer abc'], ...requestLine('GET', '/api/items/42')]);
  const pop = fresh();
  refused(
    await app.send('GET', '/api/items/42', [['Authorization', 'Bearer abc'], ['X-Authorization', pop], ['X-Authorization', pop]]),
    'InvalidToken',
    /X-Authorization appears 2 times/,
  );
  // Node's req.headers keeps only the first Authorization, the one the token signs.
  refused(
    await app.send('GET', '/api/items/42', [['Authorization', 'Bearer abc'], ['authorization', 'Bearer other'], ['X-Authorization', fresh()]]),
    'InvalidToken',
    /Authorization appears 2 times/,
  );
  const noted = popToken(README_PRIVATE, [['X-Note', 'a'], ...requestLine('GET', '/api/items/42')]);
  refused(
    await app.send('GET', '/api/items/42', [['X-Note', 'a'], ['X-Note', 'b'], ['X-Authorization', noted]]),
    'InvalidToken',
    /X-Note.*2 times/,
  );
  assert.deepEqual(app.seen, []);
});

test('express: an empty or 300-byte jti and a "crit": null header are refused', async (t) => {
  const app = await serve(t, { publicKey: README_PUBLIC_PEM });
  const values = requestLine('GET', '/api/items/42');
  const tokens = [
    popToken(README_PRIVATE, values, { jti: '' }),
    popToken(README_PRIVATE, values, { jti: 'j'.repeat(300) }),
    popToken(README_PRIVATE, values, { header: '{"alg":"RS256","typ":"JWT","crit":null}' }),
  ];
  for (const pop of tokens) refused(await app.send('GET', '/api/items/42', [['X-Authorization', pop]]), 'InvalidToken');
  assert.deepEqual(app.seen, []);
  // The control: the same values with a UUID jti and the plain header pass.
  assert.equal((await app.send('GET', '/api/items/42', [['X-Authorization', popToken(README_PRIVATE, values)]]))[0], 200);
});

test('express: one client reusing a jti does not block another; its own repeat is a replay', async (t) => {
  const generate = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clients = { c: generate(), d: generate() };
  const lookup = async (id) => clients[id]?.publicKey.export({ type: 'spki', format: 'pem' });
  const app = await serve(t, { publicKey: lookup });
  const jti = `shared-${crypto.randomUUID()}`;
  const values = requestLine('GET', '/api/items/42');
  const asClient = (id, pop) => app.send('GET', '/api/items/42', [['X-Client-Id', id], ['X-Authorization', pop]]);
  assert.equal((await asClient('d', popToken(clients.d.privateKey, values, { jti })))[0], 200);
  const fromC = popToken(clients.c.privateKey, values, { jti });
  assert.equal((await asClient('c', fromC))[0], 200);
  refused(await asClient('c', fromC), 'Replay');
  // Two client ids: a proxy and this check could each pick a different client.
  const another = popToken(clients.c.privateKey, values);
  refused(
    await app.send('GET', '/api/items/42', [['X-Client-Id', 'c'], ['X-Client-Id', 'd'], ['X-Authorization', another]]),
    'InvalidToken',
    /x-client-id header appears 2 times/,
  );
  assert.deepEqual(app.seen, ['GET /api/items/42', 'GET /api/items/42']);
});

test('withPop: header values are the bytes received; repeated credentials arrive joined and are refused', async () => {
  const seen = [];
  const handler = withPop(async (request) => {
    seen.push(request.headers.get('x-note'));
    return Response.json({ ok: true });
  }, { publicKey: README_PUBLIC_PEM });
  const url = 'https://api.example.com/api/notes';
  // A server adapter builds Request headers from Node's latin1 strings: one char per byte.
  const utf8AsByteString = Buffer.from('café', 'utf8').toString('latin1');
  const noted = popToken(README_PRIVATE, [['X-Note', 'café'], ...requestLine('GET', '/api/notes')]);
  const ok = await handler(new Request(url, { headers: { 'x-note': utf8AsByteString, 'x-authorization': noted } }));
  assert.deepEqual([ok.status, await ok.json()], [200, { ok: true }]);

  const answer = async (response) => [response.status, await response.json()];
  const twice = new Headers({ 'x-authorization': popToken(README_PRIVATE, requestLine('GET', '/api/notes')) });
  twice.append('authorization', 'Bearer abc');
  twice.append('authorization', 'Bearer other');
  refused(await answer(await handler(new Request(url, { headers: twice }))), 'InvalidToken', /Authorization holds two credentials/);
  const pop = popToken(README_PRIVATE, requestLine('GET', '/api/notes'));
  const joined = new Headers([['x-authorization', pop], ['x-authorization', pop]]);
  refused(await answer(await handler(new Request(url, { headers: joined }))), 'InvalidToken', /X-Authorization holds two values/);
  assert.deepEqual(seen, [utf8AsByteString]);
});
