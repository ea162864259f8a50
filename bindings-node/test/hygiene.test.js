'use strict';
// Secret hygiene: every error kind, triggered with a private key, a password, a client secret
// and an access token of known values in play, keeps all of them (and any 12 characters of
// one, a base64 line of the key included) out of the message, String(), util.inspect(),
// JSON.stringify() and the stack; keys, clients and access tokens hide them too. OAuth and
// Transport run against `taap serve` on 127.0.0.1 and a closed port, KeySourceUnavailable against a
// JWK set URL on a closed port.

const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const test = require('node:test');
const util = require('node:util');

const taap = require('..');

const PASSWORD = 'hygiene-password-7f3a9c1e';
const CLIENT_SECRET = 'hygiene-client-secret-4b8d2e6f';
const ACCESS_TOKEN = 'hygiene-access-token-9c7e5a3b1d';
const GATEWAY_SECRET = 'hygiene-gateway-secret-2d4f6a8c';
const CLIENT_ID = 'acme-test-id';
const IAT = 1767225600;
const ROOT = path.join(__dirname, '..', '..');
const KEYS = path.join(ROOT, 'tests', 'keys');
const KEY_PEM = fs.readFileSync(path.join(KEYS, 'tmobile', 'readme-private-pkcs8.pem'), 'utf8');
const KEY_LINES = KEY_PEM.split('\n').filter((line) => line && !line.startsWith('-----'));
const SECRETS = [KEY_LINES[Math.floor(KEY_LINES.length / 2)], PASSWORD, CLIENT_SECRET, ACCESS_TOKEN, GATEWAY_SECRET];
const BEARER = `Bearer ${ACCESS_TOKEN}`;

function assertNoSecret(text, what) {
  for (const secret of SECRETS) {
    for (let start = 0; start + 12 <= secret.length; start++) {
      const part = secret.slice(start, start + 12);
      assert.ok(!text.includes(part), `${what} shows part of a secret (${part}): ${text}`);
    }
  }
}

/** Every way an error is shown, checked; returns its kind. */
async function clean(kind, action) {
  let error;
  try {
    await action();
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof taap[`${kind}Error`], `${kind}: got ${error}`);
  for (const shown of [error.message, String(error), util.inspect(error), JSON.stringify(error), error.stack]) {
    assert.ok(shown);
    assertNoSecret(shown, kind);
  }
  return kind;
}

/** `taap serve` with the readme key registered, built from the workspace if need be. */
async function serve(t) {
  const target = path.resolve(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'));
  const binary = path.join(target, 'release', 'taap');
  if (!fs.existsSync(binary)) {
    const built = spawnSync('cargo', ['build', '--release', '--quiet', '-p', 'taap-cli'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(built.status, 0, 'cargo build -p taap-cli');
  }
  const args = ['serve', '--port', '0', '--client-id', CLIENT_ID, '--client-secret-env', 'HYGIENE_SECRET',
    '--public-key', path.join(KEYS, 'tmobile', 'readme-public.pem')];
  const served = spawn(binary, args, { env: { ...process.env, HYGIENE_SECRET: GATEWAY_SECRET } });
  let output = '';
  served.stderr.on('data', (chunk) => (output += chunk));
  const lines = readline.createInterface({ input: served.stdout });
  const first = await new Promise((resolve) => lines.once('line', resolve));
  lines.on('line', (line) => (output += `${line}\n`));
  t.after(async () => {
    served.kill();
    await new Promise((resolve) => served.once('close', resolve));
    assertNoSecret(first + output, "the gateway's output");
  });
  assert.match(first, /^listening on /);
  return first.split(' ').pop();
}

function client(url, clientSecret = CLIENT_SECRET) {
  const made = new taap.TaapClient({
    clientId: CLIENT_ID, clientSecret, key: taap.PrivateKey.fromPem(KEY_PEM), server: url,
    maxRetries: 0, connectTimeout: 2, timeout: 5,
  });
  assertNoSecret(util.inspect(made) + JSON.stringify(made) + String(made), 'TaapClient');
  return made;
}

test('every error kind keeps the secrets out of what it shows', async (t) => {
  const gateway = await serve(t);
  const key = taap.PrivateKey.fromPem(KEY_PEM);
  const other = taap.PrivateKey.fromFile(path.join(KEYS, 'openssl', 'pkcs8-private.pem'));
  const middle = SECRETS[0];
  const cut = `${KEY_PEM.slice(0, KEY_PEM.indexOf(middle) + middle.length + 1)}-----END PRIVATE KEY-----\n`;
  const encrypted = fs.readFileSync(path.join(KEYS, 'openssl', 'pbes2-aes256-private.pem'), 'utf8');
  const values = [['Authorization', BEARER], ['uri', '/orders'], ['http-method', 'GET']];
  const token = (ttlSecs = 120) => taap.PopToken.build(key, values, { iat: IAT, ttlSecs });
  const validate = (validator, tokenText, publicKey, given, now) =>
    validator.validate(tokenText, publicKey, given, { now });
  const plain = new taap.PopTokenValidator();

  const seen = [
    await clean('InvalidKey', () => taap.PrivateKey.fromPem(cut)),
    await clean('InvalidKey', () => taap.PublicKey.fromPem(KEY_PEM)),
    await clean('KeyDecrypt', () => taap.PrivateKey.fromPem(encrypted, PASSWORD)),
    await clean('InvalidEhts', () => taap.PopToken.build(key, [['Authorization', BEARER], ['', ACCESS_TOKEN]])),
    await clean('InvalidEhts', () =>
      taap.PopToken.forRequest(key, { method: 'GET', url: `https://exa mple.com/?t=${ACCESS_TOKEN}`, headers: { Authorization: BEARER } })),
    await clean('Config', () => taap.PopToken.build(key, values, { ttlSecs: -5 })),
    await clean('InvalidToken', () =>
      validate(new taap.PopTokenValidator({ required: ['X-Never'] }), token(), key.publicKey(), values, IAT + 5)),
    await clean('TokenExpired', () => validate(plain, token(), key.publicKey(), values, IAT + 1000)),
    await clean('TokenTooOld', () => validate(plain, token(3600), key.publicKey(), values, IAT + 600)),
    await clean('SignatureInvalid', () => validate(plain, token(), other.publicKey(), values, IAT + 5)),
    await clean('EdtsMismatch', () =>
      validate(plain, token(), key.publicKey(), [['Authorization', `${BEARER}X`], ...values.slice(1)], IAT + 5)),
    await clean('MissingEhtsValue', () => validate(plain, token(), key.publicKey(), values.slice(1), IAT + 5)),
  ];
  const replaying = new taap.PopTokenValidator({ replayCache: true });
  const once = token();
  validate(replaying, once, key.publicKey(), values, IAT + 5);
  seen.push(await clean('Replay', () => validate(replaying, once, key.publicKey(), values, IAT + 5)));
  seen.push(await clean('OAuth', () => client(`${gateway}/oauth2/v2/tokens`).accessToken()));
  seen.push(await clean('Transport', () => client('http://127.0.0.1:9/oauth2/v2/tokens').accessToken()));
  seen.push(await clean('Config', () => client('https://h/oauth2/v9/tokens')));
  // A JWK set URL's query may hold a credential; nothing listens on port 9.
  seen.push(await clean('KeySourceUnavailable', () => taap.KeySource.fromJwksUrl(`http://127.0.0.1:9/jwks.json?access_token=${ACCESS_TOKEN}`).size()));

  const kinds = Object.keys(taap).filter((name) => name.endsWith('Error') && name !== 'TaapError').map((name) => name.slice(0, -5));
  assert.deepEqual([...new Set(seen)].sort(), kinds.sort());
});

test('keys, validators, clients and access tokens hide their secrets', async (t) => {
  const gateway = await serve(t);
  const key = taap.PrivateKey.fromPem(KEY_PEM);
  for (const value of [key, key.publicKey(), new taap.PopTokenValidator()]) {
    assertNoSecret(util.inspect(value) + JSON.stringify(value) + String(value), value.constructor.name);
  }
  const working = client(`${gateway}/oauth2/v2/tokens`, GATEWAY_SECRET);
  const access = await working.accessToken();
  assert.ok(access.token.length > 0);
  for (const shown of [util.inspect(access), JSON.stringify(access), String(access), util.inspect(working), JSON.stringify(working)]) {
    assert.ok(!shown.includes(access.token), `the access token shows: ${shown}`);
    assertNoSecret(shown, 'AccessToken or its client');
  }
});
