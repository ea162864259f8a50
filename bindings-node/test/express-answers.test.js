'use strict';
// taap/express and withPop send the core's answers (taap::validate::PopGate) byte for byte:
// status, headers and the exact JSON body text, the same as the core's own tests expect
// (core/tests/gate.rs) and as the native gate hands them over. Express requests go out as raw
// bytes, so repeated and non-UTF-8 header lines reach the server as written.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const express = require('express');
const { PrivateKey, PopToken } = require('..');
const native = require('../lib/native');
const { popMiddleware, withPop } = require('taap/express');
const { README_KEY } = require('./helpers');

const key = PrivateKey.fromFile(README_KEY);
const publicPem = key.publicKey().toPem();
const CHALLENGE = ['www-authenticate', 'PoP realm="taap"'];
const JSON_TYPE = ['content-type', 'application/json'];

/** The core's 401 for `kind` and `message`, as core/tests/gate.rs writes it. */
function refusal(kind, message) {
  return { status: 401, headers: [JSON_TYPE, CHALLENGE], body: JSON.stringify({ error: kind, message }) };
}

const DUPLICATE_ID = refusal('InvalidToken', 'invalid PoP token: the x-client-id header appears 2 times; send it once');
const MISSING_ID = refusal('InvalidToken', 'invalid PoP token: the x-client-id header (the client id) is missing');
const NOT_UTF8_ID = refusal('InvalidToken', 'invalid PoP token: the x-client-id header is not valid UTF-8');
const UNKNOWN_CLIENT = refusal('InvalidToken', 'invalid PoP token: no public key is registered for this client id');
const MISSING_TOKEN = refusal('InvalidToken', 'invalid PoP token: X-Authorization (the PoP token) is missing');
const TOO_LARGE = { status: 413, headers: [JSON_TYPE], body: '{"error":"RequestTooLarge","message":"the body is larger than 4 bytes"}' };

/** An Express app behind popMiddleware(options) that answers 200 when reached. */
async function serve(t, options) {
  const app = express();
  app.use(popMiddleware(options));
  app.use((req, res) => res.json({ reached: true }));
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return server.address().port;
}

/** One raw HTTP/1.1 request; resolves `{ status, headers: Map (lower-case names), body: text }`. */
function sendRaw(port, target, headers, body = Buffer.alloc(0)) {
  const parts = [Buffer.from(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: ${body.length}\r\n`, 'latin1')];
  for (const [name, value] of headers) parts.push(Buffer.from(`${name}: `, 'latin1'), Buffer.from(value), Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'), body);
  return new Promise((resolve, reject) => {
    const chunks = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(Buffer.concat(parts)));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const response = Buffer.concat(chunks).toString('utf8');
      const [head, text] = response.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const fields = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers: fields, body: text });
    });
  });
}

/** Asserts a response carries exactly `answer`: its status, each of its headers and its body text. */
function assertAnswer(response, answer) {
  assert.equal(response.status, answer.status, response.body);
  assert.equal(response.body, answer.body);
  for (const [name, value] of answer.headers) assert.equal(response.headers.get(name), value, name);
  if (!answer.headers.some(([name]) => name === 'www-authenticate')) assert.equal(response.headers.get('www-authenticate') ?? undefined, undefined);
}

test("the native gate's answers are the core's", () => {
  const gate = new native.PopGateHandle(JSON.stringify({ maxBody: 4 }));
  assert.equal(gate.maxBody, 4);
  assert.equal(gate.blocking, false);
  const id = Buffer.from('app-1');
  assert.equal(gate.clientId(['X-Client-Id'], [id]), 'app-1');
  assert.deepEqual(gate.clientId(['x-client-id', 'X-CLIENT-ID'], [id, id]), DUPLICATE_ID);
  assert.deepEqual(gate.clientId([], []), MISSING_ID);
  assert.deepEqual(gate.clientId(['x-client-id'], [Buffer.from([0xff])]), NOT_UTF8_ID);
  assert.deepEqual(gate.unknownClient(), UNKNOWN_CLIENT);
  assert.deepEqual(gate.tooLarge(), TOO_LARGE);
  const handle = key.publicKey();
  assert.deepEqual(gate.check(gate.keyOf(publicPem), 'POST', '/orders', [], [], Buffer.alloc(0)), MISSING_TOKEN);
  assert.deepEqual(gate.check(gate.keyOf(JSON.stringify(handle.toJwk())), 'POST', '/orders', [], [], Buffer.from('12345')), TOO_LARGE);
  const bad = gate.keyOf('not a key');
  assert.equal(bad.status, 401);
  assert.equal(JSON.parse(bad.body).error, 'InvalidKey');
  assert.equal(new native.PopGateHandle('{"replayStore": "redis://127.0.0.1:1"}').blocking, true);
});

test('express: refusals are the gate answers byte for byte', async (t) => {
  const lookup = async (id) => ({ 'app-1': publicPem, broken: 'not a key' })[id];
  const port = await serve(t, { publicKey: lookup, maxBody: 4 });
  const pop = () => PopToken.forRequest(key, { method: 'POST', url: 'http://127.0.0.1/orders' });
  const gate = new native.PopGateHandle('{}');
  assertAnswer(await sendRaw(port, '/orders', [['X-Client-Id', 'app-1'], ['X-Client-Id', 'app-1'], ['X-Authorization', pop()]]), DUPLICATE_ID);
  assertAnswer(await sendRaw(port, '/orders', [['X-Authorization', pop()]]), MISSING_ID);
  assertAnswer(await sendRaw(port, '/orders', [['X-Client-Id', Buffer.from([0x61, 0xff])], ['X-Authorization', pop()]]), NOT_UTF8_ID);
  assertAnswer(await sendRaw(port, '/orders', [['X-Client-Id', 'app-2'], ['X-Authorization', pop()]]), UNKNOWN_CLIENT);
  assertAnswer(await sendRaw(port, '/orders', [['X-Client-Id', 'broken'], ['X-Authorization', pop()]]), gate.keyOf('not a key'));
  assertAnswer(await sendRaw(port, '/orders', [['X-Client-Id', 'app-1']]), MISSING_TOKEN);
  assertAnswer(await sendRaw(port, '/orders', [['X-Client-Id', 'app-1'], ['X-Authorization', pop()]], Buffer.from('12345')), TOO_LARGE);
  const passed = await sendRaw(port, '/orders', [['X-Client-Id', 'app-1'], ['X-Authorization', pop()]]);
  assert.deepEqual([passed.status, passed.body], [200, '{"reached":true}']);
});

test('withPop: refusals are the gate answers byte for byte', async () => {
  const handler = withPop(() => new Response('reached'), { publicKey: async (id) => (id === 'app-1' ? key.publicKey() : null), maxBody: 4 });
  const url = 'https://api.example.com/orders';
  const call = async (headers, body) => {
    const response = await handler(new Request(url, { method: 'POST', headers, body }));
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  const pop = () => PopToken.forRequest(key, { method: 'POST', url });
  assertAnswer(await call({ 'x-authorization': pop() }), MISSING_ID);
  assertAnswer(await call({ 'x-client-id': 'app-2', 'x-authorization': pop() }), UNKNOWN_CLIENT);
  assertAnswer(await call({ 'x-client-id': 'app-1' }), MISSING_TOKEN);
  assertAnswer(await call({ 'x-client-id': 'app-1', 'x-authorization': pop() }, '12345'), TOO_LARGE);
  const passed = await call({ 'x-client-id': 'app-1', 'x-authorization': pop() });
  assert.deepEqual([passed.status, passed.body], [200, 'reached']);
});
