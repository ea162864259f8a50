'use strict';
// TaapClient against a local OAuth server and API that check everything a T-Mobile gateway
// checks: Basic credentials, the PoP token over the request as received, bearer tokens.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const { inspect } = require('node:util');
const { after, before, describe, test } = require('node:test');
const taap = require('taap');

const { AccessToken, PopTokenValidator, PrivateKey, TaapClient } = taap;
const key = PrivateKey.generate();
const CLIENT_ID = 'node-client';
const CLIENT_SECRET = 'node-secret-8a2f';

/** The gateway: token endpoints (v2, v6) and an API, all validating PoP tokens. */
class Gateway {
  constructor() {
    this.validator = new PopTokenValidator({ required: ['uri', 'http-method', 'body'], replayCache: true });
    this.tokens = new Set();
    this.tokenRequests = 0;
    this.revokeNext = false;
    this.held = [];
  }

  /** The PoP check a gateway makes, through the core's adapter for a request as received. */
  checkPop(req, body) {
    const received = { method: req.method, url: req.url, headers: req.headers, body };
    return this.validator.validateRequest(key.publicKey(), received).claims;
  }

  token(req, res, body) {
    this.tokenRequests += 1;
    const claims = this.checkPop(req, body);
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
    if (req.headers.authorization !== basic) {
      return send(res, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
    }
    let extra = {};
    if (req.url.includes('/v6/')) {
      extra = JSON.parse(body.toString());
      assert.deepEqual(Object.keys(extra).slice(0, 4), ['client_id', 'client_secret', 'scope', 'grant-type']);
    } else {
      assert.equal(body.length, 0);
    }
    const accessToken = crypto.randomBytes(16).toString('hex');
    this.tokens.add(accessToken);
    return send(res, 200, {
      access_token: accessToken,
      id_token: 'id.token.value',
      expires_in: '3599',
      scope: extra.storeId ? `store:${extra.storeId}` : 'response_mode',
      status: 'success',
      token_type: 'BearerToken',
      signed: claims.ehts,
    });
  }

  api(req, res, body) {
    const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!this.tokens.has(bearer)) return send(res, 401, { error: 'unknown access token' });
    if (this.revokeNext) {
      this.revokeNext = false;
      this.tokens.delete(bearer);
      return send(res, 401, { error: 'token revoked' });
    }
    const claims = this.checkPop(req, body);
    if (req.url === '/api/slow') return this.held.push(res);
    const status = Number((req.url.match(/^\/api\/status\/(\d+)/) ?? [])[1] ?? 200);
    res.setHeader('x-request-id', 'req-42');
    if (status === 204) return res.writeHead(204).end();
    return send(res, status, { ehts: claims.ehts, method: req.method, uri: req.url, body: body.toString() });
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        if (req.url.startsWith('/oauth2/')) this.token(req, res, body);
        else this.api(req, res, body);
      } catch (error) {
        send(res, 400, { error: error.code ?? 'bad_request', message: error.message });
      }
    });
  }
}

function send(res, status, json) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
}

const gateway = new Gateway();
let server;
let origin;

before(async () => {
  server = http.createServer((req, res) => gateway.handle(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  for (const res of gateway.held) res.destroy();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
});

function client(overrides = {}) {
  return new TaapClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    key,
    server: `${origin}/oauth2/v2/tokens`,
    maxRetries: 0,
    ...overrides,
  });
}

describe('access tokens', () => {
  test('v2: a token from a PoP-signed request, cached until refreshed', async () => {
    const taapClient = client();
    const before = gateway.tokenRequests;
    const token = await taapClient.accessToken();
    assert.ok(token instanceof AccessToken);
    assert.ok(gateway.tokens.has(token.token));
    assert.deepEqual(
      { expiresIn: token.expiresIn, scope: token.scope, status: token.status, tokenType: token.tokenType, idToken: token.idToken },
      { expiresIn: 3599, scope: 'response_mode', status: 'success', tokenType: 'BearerToken', idToken: 'id.token.value' },
    );
    assert.ok(Math.abs(token.expiresAt.getTime() - (Date.now() + 3599_000)) < 60_000);
    assert.equal((await taapClient.accessToken()).token, token.token);
    assert.equal(gateway.tokenRequests, before + 1);
    const fresh = await taapClient.refreshAccessToken();
    assert.notEqual(fresh.token, token.token);
    assert.equal(gateway.tokenRequests, before + 2);
  });

  test('v6: the JSON body carries the credentials and the store id', async () => {
    const token = await client({ server: new URL(`${origin}/oauth2/v6/tokens`), storeId: 'store-7' }).accessToken();
    assert.equal(token.scope, 'store:store-7');
  });

  test('the token never shows in inspect or JSON output', async () => {
    const token = await client().accessToken();
    for (const shown of [inspect(token), JSON.stringify(token), String(token), inspect(token, { showHidden: true })]) {
      assert.ok(!shown.includes(token.token) && !shown.includes('id.token.value'), shown);
    }
    assert.match(inspect(token), /token: '<redacted>'/);
    assert.ok(!inspect(client()).includes(CLIENT_SECRET));
  });

  test('wrong credentials are an OAuthError with the status and the server message, not the secret', async () => {
    await assert.rejects(client({ clientSecret: 'wrong-secret-value' }).accessToken(), (error) => {
      assert.ok(error instanceof taap.OAuthError);
      assert.equal(error.code, 'TAAP_OAUTH');
      assert.equal(error.status, 401);
      assert.match(error.message, /client authentication failed/);
      assert.ok(!error.message.includes('wrong-secret-value') && !error.message.includes(CLIENT_SECRET));
      return true;
    });
  });
});

describe('signed API calls', () => {
  test('fetch() resolves to a Response with the answer; the gateway validated the PoP token', async () => {
    const response = await client().fetch(`${origin}/api/orders?account=1`, {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: '{"orderId": 100}',
    });
    assert.ok(response instanceof Response);
    assert.equal(response.status, 200);
    assert.equal(response.ok, true);
    assert.equal(response.url, `${origin}/api/orders?account=1`);
    assert.equal(response.headers.get('x-request-id'), 'req-42');
    assert.deepEqual(await response.json(), {
      // The core client signs with the docs' policy: Accept is sent, not signed.
      ehts: ['Content-Type', 'Authorization', 'uri', 'http-method', 'body'],
      method: 'POST',
      uri: '/api/orders?account=1',
      body: '{"orderId": 100}',
    });
  });

  test('headers as Headers or a Map, a URL object, a Request input and byte bodies all work', async () => {
    const taapClient = client();
    const calls = [
      [new URL(`${origin}/api/a`), { headers: new Headers({ 'content-type': 'text/plain' }), method: 'PUT', body: Buffer.from('bytes') }],
      [`${origin}/api/b`, { headers: new Map([['X-Trace', 't-1']]) }],
      [new Request(`${origin}/api/c`, { method: 'DELETE', headers: { 'X-Why': 'cleanup' } }), undefined],
    ];
    const answers = await Promise.all(calls.map(([input, init]) => taapClient.fetch(input, init).then((r) => r.json())));
    assert.deepEqual(answers.map(({ method, uri, body }) => [method, uri, body]), [['PUT', '/api/a', 'bytes'], ['GET', '/api/b', ''], ['DELETE', '/api/c', '']]);
    assert.deepEqual(answers[0].ehts.slice(0, 2), ['content-type', 'Authorization']);
    assert.deepEqual(answers[2].ehts.slice(0, 2), ['Content-Type', 'Authorization']);
  });

  test('any HTTP status resolves; 204 has no body', async () => {
    const taapClient = client();
    const teapot = await taapClient.fetch(`${origin}/api/status/418`);
    assert.deepEqual([teapot.status, teapot.ok], [418, false]);
    const empty = await taapClient.fetch(`${origin}/api/status/204`);
    assert.deepEqual([empty.status, empty.body, await empty.text()], [204, null, '']);
  });

  test('concurrent calls on a fresh client share one token request', async () => {
    const taapClient = client();
    const before = gateway.tokenRequests;
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => taapClient.fetch(`${origin}/api/n/${i}`)));
    assert.deepEqual(responses.map((r) => r.status), Array(12).fill(200));
    assert.equal(gateway.tokenRequests, before + 1);
  });

  test('a 401 from the API gets one token refresh and one retry', async () => {
    const taapClient = client();
    await taapClient.accessToken();
    const before = gateway.tokenRequests;
    gateway.revokeNext = true;
    const response = await taapClient.fetch(`${origin}/api/after-revoke`);
    assert.equal(response.status, 200);
    assert.equal(gateway.tokenRequests, before + 1);
  });

  test('the client sets Authorization and X-Authorization itself', async () => {
    await assert.rejects(client().fetch(`${origin}/api/x`, { headers: { authorization: 'Bearer mine' } }), taap.ConfigError);
    await assert.rejects(client().fetch('/api/relative'), taap.ConfigError);
  });

  test('an unreachable server and a slow one are TransportErrors', async () => {
    const closed = http.createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address();
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(client({ server: `http://127.0.0.1:${port}/oauth2/v2/tokens` }).accessToken(), { name: 'TransportError', code: 'TAAP_TRANSPORT' });
    await assert.rejects(client({ timeout: 0.3 }).fetch(`${origin}/api/slow`), (error) => {
      assert.ok(error instanceof taap.TransportError);
      assert.match(error.message, /timed out/);
      return true;
    });
  });

  test('an AbortSignal rejects the call with its reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop before starting'));
    await assert.rejects(client().fetch(`${origin}/api/x`, { signal: controller.signal }), { message: 'stop before starting' });
    await assert.rejects(client({ timeout: 2 }).fetch(`${origin}/api/slow`, { signal: AbortSignal.timeout(100) }), { name: 'TimeoutError' });
  });
});

describe('client configuration', () => {
  const valid = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, key, server: 'v2' };
  const rows = [
    ['no options', () => new TaapClient(), TypeError],
    ['a missing secret', () => new TaapClient({ ...valid, clientSecret: undefined }), TypeError],
    ['a key that is a number', () => new TaapClient({ ...valid, key: 5 }), TypeError],
    ['an unknown option', () => new TaapClient({ ...valid, requestTimeoutMs: 5 }), taap.ConfigError],
    ['a retry object (the options are flat)', () => new TaapClient({ ...valid, retry: { maxRetries: 1 } }), taap.ConfigError],
    ['a string timeout', () => new TaapClient({ ...valid, timeout: '100' }), taap.ConfigError],
    ['a timeout of NaN', () => new TaapClient({ ...valid, timeout: NaN }), TypeError],
    ['correctClockSkew as a string', () => new TaapClient({ ...valid, correctClockSkew: 'yes' }), taap.ConfigError],
    ['a server that is neither v2, v6 nor a URL', () => new TaapClient({ ...valid, server: 'v3' }), taap.ConfigError],
    ['a token URL without a flavour', () => new TaapClient({ ...valid, server: 'https://h/oauth/token' }), taap.ConfigError],
    ["a client id with ':'", () => new TaapClient({ ...valid, clientId: 'a:b' }), taap.ConfigError],
    ['an empty secret', () => new TaapClient({ ...valid, clientSecret: '' }), taap.ConfigError],
    ['a negative timeout', () => new TaapClient({ ...valid, connectTimeout: -1 }), taap.ConfigError],
    ['a zero timeout', () => new TaapClient({ ...valid, timeout: 0 }), taap.ConfigError],
    ['eleven retries', () => new TaapClient({ ...valid, maxRetries: 11 }), taap.ConfigError],
    ['a PoP lifetime of an hour and a second', () => new TaapClient({ ...valid, popTtl: 3601 }), taap.ConfigError],
    ['an encrypted PEM without password', () => new TaapClient({ ...valid, key: require('node:fs').readFileSync(require('./helpers').keyPath('openssl/pbes2-aes256-private.pem'), 'utf8') }), taap.KeyDecryptError],
  ];
  for (const [label, action, expected] of rows) {
    test(label, () => {
      assert.throws(action, (error) => {
        assert.equal(error.constructor, expected, `${error.name}: ${error.message}`);
        assert.ok(!error.message.includes(CLIENT_SECRET));
        return true;
      });
    });
  }

  test('the getters report the configuration', () => {
    const taapClient = new TaapClient({ ...valid, server: 'v6', key: key.toPem() });
    assert.deepEqual(
      [taapClient.clientId, taapClient.tokenUrl, taapClient.flavor, taapClient.clockOffsetSecs],
      [CLIENT_ID, 'https://api.t-mobile.com/oauth2/v6/tokens', 'v6', 0],
    );
  });

  test('fetch() arguments of the wrong type reject with TypeError', async () => {
    const taapClient = client();
    await assert.rejects(taapClient.fetch(5), TypeError);
    await assert.rejects(taapClient.fetch(`${origin}/x`, 'GET'), TypeError);
    await assert.rejects(taapClient.fetch(`${origin}/x`, { headers: { 'X-N': 1 } }), TypeError);
    await assert.rejects(taapClient.fetch(`${origin}/x`, { redirect: 'follow' }), TypeError);
    await assert.rejects(taapClient.fetch(`${origin}/x`, { signal: 'abort' }), TypeError);
  });
});
