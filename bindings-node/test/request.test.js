'use strict';
// The request signer: forRequest's input shapes, and signRequest end to end through fetch()
// to a local server that validates what actually arrived.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const { after, before, describe, test } = require('node:test');
const { PopToken, PopTokenValidator, PrivateKey, signRequest } = require('taap');
const { README_KEY } = require('./helpers');

const key = PrivateKey.fromPem(fs.readFileSync(README_KEY));
const OPTIONS = { iat: 1767225600, jti: 'fixed' };

describe('PopToken.forRequest input shapes', () => {
  const base = { method: 'POST', url: 'https://api.t-mobile.com/orders?x=1', body: '{"a":1}' };
  const expected = PopToken.forRequest(key, { ...base, headers: [['content-type', 'application/json'], ['accept', '*/*']] }, OPTIONS);

  test('headers as an array, a Map, a plain object or Headers sign the same', () => {
    for (const headers of [
      new Map([['content-type', 'application/json'], ['accept', '*/*']]),
      { 'content-type': 'application/json', accept: '*/*' },
      // Headers iterate in sorted, lower-cased order: give them in that order elsewhere too.
      new Headers({ accept: '*/*', 'content-type': 'application/json' }),
    ]) {
      const token = PopToken.forRequest(key, { ...base, headers }, OPTIONS);
      if (headers instanceof Headers) {
        assert.deepEqual(PopToken.decode(token).claims.ehts, ['accept', 'content-type', 'uri', 'http-method', 'body']);
      } else {
        assert.equal(token, expected);
      }
    }
  });

  test('a body as a string, Buffer, Uint8Array or ArrayBuffer signs the same bytes', () => {
    const headers = [['content-type', 'application/json'], ['accept', '*/*']];
    const bytes = Buffer.from(base.body);
    for (const body of [bytes, new Uint8Array(bytes), new Uint8Array(bytes).buffer]) {
      assert.equal(PopToken.forRequest(key, { ...base, headers, body }, OPTIONS), expected);
    }
  });

  test('URLSearchParams sign as their serialisation; no body signs as empty', () => {
    const params = new URLSearchParams({ q: 'a b', r: 'é' });
    const url = 'https://h/search';
    assert.equal(PopToken.forRequest(key, { method: 'POST', url, body: params }, OPTIONS), PopToken.forRequest(key, { method: 'POST', url, body: params.toString() }, OPTIONS));
    assert.equal(PopToken.forRequest(key, { url }, OPTIONS), PopToken.build(key, [['uri', '/search'], ['http-method', 'GET'], ['body', '']], OPTIONS));
    assert.equal(PopToken.forRequest(key, { url, body: null }, OPTIONS), PopToken.forRequest(key, { url }, OPTIONS));
  });
});

describe('signRequest', () => {
  test('returns a new init with X-Authorization added in the shape the headers came in', () => {
    const signal = AbortSignal.timeout(1000);
    const shapes = [
      [{ 'Content-Type': 'application/json' }, (headers) => headers['X-Authorization']],
      [new Map([['Content-Type', 'application/json']]), (headers) => headers.get('X-Authorization')],
      [[['Content-Type', 'application/json']], (headers) => headers.find(([name]) => name === 'X-Authorization')[1]],
      [new Headers({ 'Content-Type': 'application/json' }), (headers) => headers.get('x-authorization')],
    ];
    for (const [headers, read] of shapes) {
      const init = { method: 'POST', headers, body: '{}', signal, redirect: 'manual' };
      const snapshot = JSON.stringify([...(headers instanceof Map || headers instanceof Headers ? headers : Object.entries(headers))]);
      const signed = signRequest(key, 'https://api.t-mobile.com/orders', init, OPTIONS);
      assert.equal(signed.signal, signal);
      assert.equal(signed.redirect, 'manual');
      assert.equal(signed.body, '{}');
      assert.equal(signed.method, 'POST');
      assert.equal(signed.headers.constructor, headers.constructor);
      const names = headers instanceof Headers ? ['content-type'] : ['Content-Type'];
      assert.equal(read(signed.headers), PopToken.forRequest(key, { method: 'POST', url: 'https://api.t-mobile.com/orders', headers: names.map((n) => [n, 'application/json']), body: '{}' }, OPTIONS));
      const after = JSON.stringify([...(headers instanceof Map || headers instanceof Headers ? headers : Object.entries(headers))]);
      assert.equal(after, snapshot, 'the caller’s headers are untouched');
    }
  });

  test('an existing X-Authorization is replaced, not signed; signHeaders picks the signed ones', () => {
    const init = { headers: { Accept: 'text/plain', 'x-authorization': 'stale', 'X-Trace': 'abc' } };
    const signed = signRequest(key, 'https://h/a', init, { signHeaders: ['accept'] });
    assert.deepEqual(Object.keys(signed.headers), ['Accept', 'X-Trace', 'X-Authorization']);
    assert.deepEqual(PopToken.decode(signed.headers['X-Authorization']).claims.ehts, ['Accept', 'uri', 'http-method', 'body']);
    assert.equal(signed.method, 'GET');
  });

  test('a Request input lends its URL, method and headers; its body must come again in init', () => {
    const request = new Request('https://h/items?id=1', { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    const signed = signRequest(key, request, { body: 'x' }, OPTIONS);
    assert.equal(signed.method, 'PUT');
    assert.ok(signed.headers instanceof Headers);
    assert.equal(signed.headers.get('content-type'), 'text/plain');
    assert.equal(signed.headers.get('x-authorization'), PopToken.forRequest(key, { method: 'PUT', url: 'https://h/items?id=1', headers: [['content-type', 'text/plain']], body: 'x' }, OPTIONS));
    assert.throws(() => signRequest(key, request), TypeError);
  });
});

describe('signRequest through fetch() to a server that validates what arrived', () => {
  let server;
  let origin;
  const validator = new PopTokenValidator({ required: ['uri', 'http-method', 'body'], replayCache: true });

  before(async () => {
    // The gateway hands the request as received to the core's adapter: no uri or header
    // lookup is rebuilt here.
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let answer;
        try {
          const received = { method: req.method, url: req.url, headers: req.headers, body };
          answer = { ok: true, ehts: validator.validateRequest(key.publicKey(), received).claims.ehts };
        } catch (error) {
          answer = { ok: false, code: error.code ?? null, message: error.message };
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
  });

  after(() => new Promise((resolve) => server.close(resolve)));

  const cases = [
    ['POST with JSON and object headers', '/commerce/v1/orders?account-number=0000000000', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer abc' }, body: '{"orderId": 100}' }],
    ['GET with a percent-encoded query and Map headers', '/customers?name=J%C3%BCrgen%20M&list=a%2Cb', { headers: new Map([['Accept', 'application/json']]) }],
    ['PUT with Headers and a binary body', '/blobs/1', { method: 'PUT', headers: new Headers({ 'content-type': 'application/octet-stream' }), body: new Uint8Array([0, 255, 1, 254]) }],
    ['DELETE with untrimmed header values', '/items/9', { method: 'DELETE', headers: [['X-Reason', '  cleanup\t']] }],
    ['POST with form parameters', '/form', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: new URLSearchParams({ a: '1 2', b: 'ü' }) }],
  ];

  for (const [label, path, init] of cases) {
    test(label, async () => {
      const url = `${origin}${path}`;
      const response = await fetch(url, signRequest(key, url, init));
      const answer = await response.json();
      assert.equal(answer.ok, true, JSON.stringify(answer));
      assert.deepEqual(answer.ehts.slice(-3), ['uri', 'http-method', 'body']);
    });
  }

  test('a request changed after signing is refused by the server', async () => {
    const url = `${origin}/orders`;
    const signed = signRequest(key, url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"n":1}' });
    const answer = await (await fetch(url, { ...signed, body: '{"n":2}' })).json();
    assert.deepEqual([answer.ok, answer.code], [false, 'TAAP_EDTS_MISMATCH']);
  });
});
