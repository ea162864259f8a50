'use strict';
// TaapClient's variant options (api, tokenBody, popClaims, popHeader, headers, signHeaders,
// uriForm, xAuthorizationPrefix) against a local server on 127.0.0.1 that records every
// request and validates its PoP token through the core's adapter.

const assert = require('node:assert/strict');
const http = require('node:http');
const { after, before, test } = require('node:test');
const taap = require('taap');

const { PopTokenValidator, PrivateKey, TaapClient } = taap;
const key = PrivateKey.generate();
const validator = new PopTokenValidator();
const received = [];
let uriForm = 'decoded';
let server;
let origin;

function part(token, index) {
  return Buffer.from(token.split('.')[index], 'base64url').toString();
}

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ url: req.url, headers: req.headers, body: body.toString() });
      let answer;
      try {
        const claims = validator.validateRequest(key.publicKey(), { method: req.method, url: req.url, headers: req.headers, body }, { uriForm }).claims;
        answer = req.url.startsWith('/oauth2/') ? { access_token: 'at-1', expires_in: '3599' } : { ehts: claims.ehts };
      } catch (error) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.code }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
});

const base = { clientId: 'node-id', clientSecret: 'node-secret', key, maxRetries: 0 };

test('api picks the docs token server and excludes server', () => {
  const client = new TaapClient({ ...base, api: 'fraud-prevention' });
  assert.deepEqual([client.tokenUrl, client.flavor], ['https://api.t-mobile.com/oauth2/v6/tokens', 'v6']);
  assert.throws(() => new TaapClient({ ...base, api: 'location', server: 'v2' }), {
    code: 'TAAP_CONFIG',
    message: 'invalid configuration: option server: give one of api, server and token_url, not api and server',
  });
  assert.throws(() => new TaapClient({ ...base, api: 'weather' }), (error) => error.code === 'TAAP_CONFIG' && error.message.startsWith('invalid configuration: option api: "weather" is not an API taap knows; choose one of connectivity,'));
});

test('token body, PoP extras and default headers reach the server', async () => {
  received.length = 0;
  const client = new TaapClient({
    ...base,
    server: `${origin}/oauth2/v2/tokens`,
    tokenBody: { grant_type: 'client_credentials', cnf: '{public_key_pem}' },
    tokenBodyMode: 'replace',
    popClaims: { iss: '{client_id}' },
    popHeader: { kid: 'k-1' },
    headers: new Map([['X-Partner-Id', 'P-1']]),
    signHeaders: ['Content-Type', 'Authorization', 'X-Partner-Id'],
  });
  const response = await client.fetch(`${origin}/api`);
  assert.equal(response.status, 200);
  assert.equal((await response.json()).ehts.join(';'), 'Content-Type;Authorization;X-Partner-Id;uri;http-method;body');
  const [tokenRequest, call] = received;
  assert.equal(tokenRequest.body, JSON.stringify({ grant_type: 'client_credentials', cnf: key.publicKey().toPem() }));
  assert.equal(call.headers['x-partner-id'], 'P-1');
  for (const { headers } of received) {
    assert.equal(part(headers['x-authorization'], 0), '{"alg":"RS256","typ":"JWT","kid":"k-1"}');
    assert.ok(part(headers['x-authorization'], 1).endsWith('"iss":"node-id"}'));
  }
});

test('the encoded uri form needs a validator that agrees; the prefix goes first', async () => {
  for (const [form, status] of [['encoded', 200], ['decoded', 401]]) {
    uriForm = form;
    const client = new TaapClient({ ...base, server: `${origin}/oauth2/v2/tokens`, uriForm: 'encoded' });
    assert.equal((await client.fetch(`${origin}/api?q=a%20b`)).status, status);
  }
  uriForm = 'decoded';
  received.length = 0;
  const prefixed = new TaapClient({ ...base, server: `${origin}/oauth2/v2/tokens`, xAuthorizationPrefix: 'PoP ' });
  await assert.rejects(prefixed.accessToken(), { code: 'TAAP_OAUTH' });
  assert.ok(received[0].headers['x-authorization'].startsWith('PoP eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.'));
});

test('bad variant options are ConfigErrors naming the option', () => {
  const cases = [
    [{ popClaims: { jti: 'x' } }, 'option popClaims: popClaims cannot set "jti": the PoP token sets it itself'],
    [{ headers: { Authorization: 'x' } }, 'option headers: headers: Authorization is set by the client itself'],
    [{ uriForm: 'raw' }, 'option uriForm is "raw"; choose decoded or encoded'],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new TaapClient({ ...base, server: 'v2', ...options }), { code: 'TAAP_CONFIG', message: `invalid configuration: ${message}` });
  }
  assert.throws(() => new TaapClient({ ...base, api: 7 }), { code: 'TAAP_CONFIG', message: 'invalid configuration: option api must be a string, not 7' });
});
