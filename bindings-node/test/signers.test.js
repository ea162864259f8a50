'use strict';
// Signer: keys taap never holds. A callback signing with Node's own crypto (independent of taap:
// PKCS#1 v1.5 padding over the SHA-256 DigestInfo, `crypto.privateEncrypt`) and a SoftHSM2
// token each make every vector token byte for byte, through the sync and the async API; every
// refusal is its typed error with its exact message; a PIN never shows.
//
// The SoftHSM2 token is made as core/tests/pkcs11.rs makes it: a token folder of this run
// (SOFTHSM2_CONF, set before the module is first loaded in this process; node --test runs each
// file in a process of its own), the vector keys imported with pkcs11-tool as sensitive,
// non-extractable objects. softhsm2-util and pkcs11-tool must be installed (`bash
// scripts/setup.sh`): a missing tool fails these tests, never skips them. The client test runs
// against a local `taap serve`.

const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { inspect } = require('node:util');
const { after, before, describe, test } = require('node:test');

const taap = require('taap');
const { keyPath, vectors, README_KEY, README_PUBLIC } = require('./helpers');

const { PopToken, PrivateKey, PublicKey, SignPolicy, Signer, TaapClient, signRequest } = taap;

const CASES = vectors('tokens.json').cases;
const DIGEST_INFO_SHA256 = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = 'node-pin-4Kq7';
const OTHER_PIN = 'node-other-4Kq7';
const SO_PIN = 'so-13572468';
const ROOT = path.join(__dirname, '..', '..');

/** The vector's key, read by Node's crypto (not by taap). */
function nodeKey(testCase) {
  const file = keyPath(testCase.key);
  const data = fs.readFileSync(file);
  const passphrase = testCase.password ?? undefined;
  if (file.endsWith('.der')) return crypto.createPrivateKey({ key: data, format: 'der', type: 'pkcs8', passphrase });
  return crypto.createPrivateKey({ key: data, passphrase });
}

/** The matching taap PublicKey. */
function publicOf(key) {
  return PublicKey.fromPem(crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' }));
}

/** A secure element stand-in: PKCS#1 v1.5 over the SHA-256 digest it is handed. */
function device(key) {
  return (digest) => {
    assert.ok(Buffer.isBuffer(digest) && digest.length === 32, 'the callback gets the 32-byte digest as a Buffer');
    return crypto.privateEncrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO_SHA256, digest]));
  };
}

function options(testCase) {
  return { ttlSecs: testCase.ttl_secs, iat: testCase.iat, jti: testCase.jti };
}

const FIRST = CASES[0];
const FIRST_KEY = nodeKey(FIRST);
const FIRST_PUBLIC = publicOf(FIRST_KEY);
const THUMBPRINT = FIRST_PUBLIC.thumbprint();
const DEFAULT_LABEL = `callback for RSA-2048 key ${THUMBPRINT}`;

/** A callback signer of the first vector's key around `sign`. */
function signerWith(sign, opts) {
  return Signer.fromCallback(FIRST_PUBLIC, sign, opts);
}

describe('a callback signer', () => {
  test('makes every vector token byte for byte, synchronously', () => {
    assert.ok(CASES.length >= 10);
    for (const testCase of CASES) {
      const key = nodeKey(testCase);
      const signer = Signer.fromCallback(publicOf(key), device(key));
      assert.equal(PopToken.build(signer, testCase.ehts, options(testCase)), testCase.token, testCase.name);
    }
  });

  test('makes every vector token byte for byte with an async callback and buildAsync', async () => {
    for (const testCase of CASES) {
      const key = nodeKey(testCase);
      const sign = device(key);
      const signer = Signer.fromCallback(publicOf(key), async (digest) => {
        await new Promise((resolve) => setImmediate(resolve));
        return sign(digest);
      });
      assert.equal(await PopToken.buildAsync(signer, testCase.ehts, options(testCase)), testCase.token, testCase.name);
    }
  });

  test('a sync callback signs for the async API too, many at once', async () => {
    const signer = signerWith(device(FIRST_KEY));
    const tokens = await Promise.all(Array.from({ length: 20 }, () => PopToken.buildAsync(signer, FIRST.ehts, options(FIRST))));
    assert.deepEqual(tokens, Array(20).fill(FIRST.token));
  });

  test('is given the SHA-256 digest of the JWS signing input', () => {
    const seen = [];
    const sign = device(FIRST_KEY);
    const token = PopToken.build(signerWith((digest) => (seen.push(Buffer.from(digest)), sign(digest))), FIRST.ehts, options(FIRST));
    const input = token.split('.').slice(0, 2).join('.');
    assert.deepEqual(seen, [crypto.createHash('sha256').update(input).digest()]);
  });

  test('is taken by forRequest, forRequestAsync, signRequest (with a policy) and gives the PrivateKey\'s bytes', async () => {
    const pem = fs.readFileSync(README_KEY, 'utf8');
    const key = crypto.createPrivateKey(pem);
    const privateKey = PrivateKey.fromPem(pem);
    const signer = Signer.fromCallback(publicOf(key), device(key));
    const asyncSigner = Signer.fromCallback(publicOf(key), async (digest) => device(key)(digest));
    const pinned = { iat: 1767225600, jti: 'f0d1a2b3-c4d5-4e6f-8a9b-0c1d2e3f4a5b' };
    const request = { method: 'POST', url: 'https://api.t-mobile.com/commerce/v1/orders?id=7', headers: { 'Content-Type': 'application/json' }, body: '{}' };
    const expected = PopToken.forRequest(privateKey, request, pinned);
    assert.equal(PopToken.forRequest(signer, request, pinned), expected);
    assert.equal(await PopToken.forRequestAsync(asyncSigner, request, pinned), expected);
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Trace': 'a' }, body: '{}' };
    for (const policy of [undefined, SignPolicy.allHeaders()]) {
      const signOptions = { ...pinned, policy };
      assert.deepEqual(signRequest(signer, request.url, init, signOptions), signRequest(privateKey, request.url, init, signOptions));
    }
  });

  test('shows its kind and label, never the function', () => {
    const signer = signerWith(device(FIRST_KEY), { label: 'se050:0xF0000100' });
    assert.equal(signer.kind, 'callback');
    assert.equal(signer.label, 'se050:0xF0000100');
    assert.equal(signer.bits, 2048);
    assert.ok(signer.publicKey().equals(FIRST_PUBLIC));
    assert.equal(inspect(signer), "Signer { kind: 'callback', label: 'se050:0xF0000100' }");
    assert.equal(JSON.stringify(signer), '{"kind":"callback","label":"se050:0xF0000100"}');
    assert.equal(String(signer), 'Signer(callback: se050:0xF0000100)');
    assert.equal(signerWith(device(FIRST_KEY)).label, DEFAULT_LABEL);
    // A label a caller gives with a PIN in it shows masked.
    const sneaky = signerWith(device(FIRST_KEY), { label: `pkcs11:token=t?pin-value=${PIN}` });
    assert.equal(sneaky.label, 'pkcs11:token=t?pin-value=***');
    assert.ok(!inspect(sneaky).includes(PIN) && !JSON.stringify(sneaky).includes(PIN));
  });
});

describe('a callback that fails', () => {
  const build = (signer) => () => PopToken.build(signer, FIRST.ehts, options(FIRST));
  const buildAsync = (signer) => PopToken.buildAsync(signer, FIRST.ehts, options(FIRST));
  const refused = (detail, label = 'se050:1') => `the callback signer (${label}) ${detail}; no token was made with it`;
  const error = (cls, message) => (thrown) => thrown instanceof cls && thrown.message === message && thrown.code === cls.code;

  test('with a signature of the wrong length: SignatureInvalidError', async () => {
    const signer = signerWith(() => Buffer.alloc(255, 1), { label: 'se050:1' });
    const message = `PoP token signature invalid: ${refused('returned 255 bytes; an RS256 signature under its 2048-bit public key is 256 bytes')}`;
    assert.throws(build(signer), error(taap.SignatureInvalidError, message));
    await assert.rejects(buildAsync(signer), error(taap.SignatureInvalidError, message));
  });

  test('with another key\'s signature: SignatureInvalidError', async () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const signer = signerWith(device(other), { label: 'se050:1' });
    const message = `PoP token signature invalid: ${refused('returned a signature that does not verify under its public key (another key, another hash or padding, or a corrupted signature)')}`;
    assert.throws(build(signer), error(taap.SignatureInvalidError, message));
    await assert.rejects(buildAsync(signer), error(taap.SignatureInvalidError, message));
  });

  test('with an answer that is not bytes: SignatureInvalidError', async () => {
    const signer = signerWith(() => 'AQID', { label: 'se050:1' });
    const message = `PoP token signature invalid: ${refused('returned a string, not a Buffer')}`;
    assert.throws(build(signer), error(taap.SignatureInvalidError, message));
    await assert.rejects(buildAsync(signer), error(taap.SignatureInvalidError, message));
    const resolvesNull = signerWith(async () => null, { label: 'se050:1' });
    await assert.rejects(buildAsync(resolvesNull), error(taap.SignatureInvalidError, `PoP token signature invalid: ${refused('returned null, not a Buffer')}`));
  });

  test('by throwing: TransportError naming the signer and what it threw', async () => {
    const signer = signerWith(() => {
      throw new RangeError('the device is locked');
    });
    const message = `transport error: ${refused('threw RangeError: the device is locked', DEFAULT_LABEL)}`;
    assert.throws(build(signer), error(taap.TransportError, message));
    await assert.rejects(buildAsync(signer), error(taap.TransportError, message));
    const throwsString = signerWith(() => {
      throw 'no'; // eslint-disable-line no-throw-literal
    }, { label: 'se050:1' });
    assert.throws(build(throwsString), error(taap.TransportError, `transport error: ${refused('threw a string')}`));
  });

  test('by rejecting: TransportError naming the signer', async () => {
    const signer = signerWith(async () => {
      throw new Error('KMS said no');
    }, { label: 'se050:1' });
    await assert.rejects(buildAsync(signer), error(taap.TransportError, `transport error: ${refused('rejected with Error: KMS said no')}`));
  });

  test('by never answering: TransportError after its timeout', async () => {
    const signer = signerWith(() => new Promise(() => {}), { label: 'se050:1', timeout: 0.2 });
    const started = Date.now();
    await assert.rejects(buildAsync(signer), error(taap.TransportError, `transport error: ${refused('gave no signature within 0.2 s')}`));
    assert.ok(Date.now() - started < 5000);
  });

  test('an async callback given to the sync API is a TypeError, not a hang', () => {
    let rejected = 0;
    const signer = signerWith(() => Promise.reject(new Error('never awaited')).finally(() => (rejected += 1)), { label: 'se050:1' });
    const message = refused('returned a Promise to a synchronous call; an async callback signs for PopToken.buildAsync, PopToken.forRequestAsync and TaapClient only (return a Buffer to sign for PopToken.build, forRequest and signRequest too)');
    assert.throws(build(signer), (thrown) => thrown instanceof TypeError && thrown.message === message);
    assert.throws(() => PopToken.forRequest(signer, { url: '/a' }), TypeError);
    assert.throws(() => signRequest(signer, 'https://x.test/a'), TypeError);
    // The ignored Promise's rejection is handled (no unhandledRejection ends the process).
  });

  test('the build after a refused one works', () => {
    assert.throws(build(signerWith(() => Buffer.alloc(1))), taap.SignatureInvalidError);
    assert.equal(PopToken.build(signerWith(device(FIRST_KEY)), FIRST.ehts, options(FIRST)), FIRST.token);
  });
});

describe('wrong arguments', () => {
  test('are TypeErrors naming the argument', () => {
    assert.throws(() => new Signer(), { name: 'TypeError', message: 'Signer has no public constructor; use Signer.fromUri() or Signer.fromCallback()' });
    assert.throws(() => Signer.fromCallback(FIRST_PUBLIC.toPem(), () => {}), { name: 'TypeError', message: 'publicKey must be a PublicKey (load one with PublicKey.fromPem or PublicKey.fromJwk), got a string' });
    assert.throws(() => Signer.fromCallback(FIRST_PUBLIC, 'sign'), { name: 'TypeError', message: 'sign must be a function taking the digest (a Buffer), got a string' });
    assert.throws(() => Signer.fromCallback(FIRST_PUBLIC, () => {}, { lable: 'x' }), { name: 'TypeError', message: "options has an unknown option 'lable'; known options: label, timeout" });
    assert.throws(() => Signer.fromCallback(FIRST_PUBLIC, () => {}, { label: 5 }), { name: 'TypeError', message: 'options.label must be a string, got a number' });
    assert.throws(() => Signer.fromCallback(FIRST_PUBLIC, () => {}, { timeout: '5' }), { name: 'TypeError', message: 'options.timeout must be a number of seconds, got a string' });
    assert.throws(() => Signer.fromCallback(FIRST_PUBLIC, () => {}, { timeout: 0 }), { name: 'RangeError', message: 'options.timeout must be above 0 and at most 3600 seconds, got 0' });
    assert.throws(() => Signer.fromUri(5), { name: 'TypeError', message: 'uri must be a string (a pkcs11: URI, an aws-kms: key or a key file path) or a URL, got a number' });
    assert.throws(() => Signer.fromUri('k.pem', { pin: '1' }), { name: 'TypeError', message: "options has an unknown option 'pin'; known options: password" });
    assert.throws(() => PopToken.build({}, FIRST.ehts), { name: 'TypeError', message: 'key must be a PrivateKey, a Signer or an unencrypted PEM string/Uint8Array, got an instance of Object' });
  });

  test('a URI this build cannot open or a missing file is its typed error', () => {
    assert.throws(() => Signer.fromUri(path.join(os.tmpdir(), 'no-such-taap-key.pem')), taap.InvalidKeyError);
    assert.throws(() => Signer.fromUri(`pkcs11:token=t;object=k?module-path=/nonexistent/libnone.so&pin-value=${PIN}`), (thrown) => thrown instanceof taap.TaapError && !thrown.message.includes(PIN));
  });
});

describe('Signer.fromUri on a key file', () => {
  test('gives the vector bytes, from a path, a file: URL and an encrypted file with its password', () => {
    const signer = Signer.fromUri(keyPath(FIRST.key));
    assert.equal(signer.kind, 'in-memory');
    assert.equal(signer.label, `RSA-2048 key ${THUMBPRINT}`);
    assert.equal(PopToken.build(signer, FIRST.ehts, options(FIRST)), FIRST.token);
    const fromUrl = Signer.fromUri(require('node:url').pathToFileURL(keyPath(FIRST.key)));
    assert.equal(PopToken.build(fromUrl, FIRST.ehts, options(FIRST)), FIRST.token);
    const encrypted = CASES.find((testCase) => testCase.password);
    const opened = Signer.fromUri(keyPath(encrypted.key), { password: encrypted.password });
    assert.equal(PopToken.build(opened, encrypted.ehts, options(encrypted)), encrypted.token);
    assert.throws(() => Signer.fromUri(keyPath(encrypted.key), { password: 'wrong' }), taap.KeyDecryptError);
  });
});

/** Runs a tool, failing the test with what to install when it is missing. */
function run(tool, ...args) {
  const done = spawnSync(tool, args, { encoding: 'utf8' });
  if (done.error?.code === 'ENOENT') assert.fail(`${tool} is not installed; install softhsm2 and opensc with \`bash scripts/setup.sh\``);
  assert.equal(done.status, 0, `${tool} ${args.join(' ')} failed: ${done.stdout}${done.stderr}`);
  return done.stdout;
}

describe('Signer.fromUri on a PKCS#11 token (SoftHSM2)', () => {
  let folder;
  const labels = new Map(); // vector key file -> its label in the token
  const uri = (label, pin = PIN) => `pkcs11:token=taap;object=${label}?module-path=${MODULE}${pin === null ? '' : `&pin-value=${pin}`}`;

  before(() => {
    assert.ok(fs.existsSync(MODULE), `${MODULE} is missing; install softhsm2 with \`bash scripts/setup.sh\``);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'taap-node-softhsm-'));
    fs.mkdirSync(path.join(folder, 'tokens'));
    const conf = path.join(folder, 'softhsm2.conf');
    fs.writeFileSync(conf, `directories.tokendir = ${path.join(folder, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    // Before the module is first loaded in this process; inherited by the tools.
    process.env.SOFTHSM2_CONF = conf;
    for (const [label, pin] of [['taap', PIN], ['other', OTHER_PIN]]) {
      run('softhsm2-util', '--init-token', '--free', '--label', label, '--so-pin', SO_PIN, '--pin', pin);
    }
    const imported = new Map(); // SPKI (hex) -> label
    const common = ['--module', MODULE, '--token-label', 'taap', '--login', '--pin', PIN];
    for (const testCase of CASES) {
      const key = nodeKey(testCase);
      const spki = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
      const id = spki.toString('hex');
      if (!imported.has(id)) {
        const label = `vector${imported.size}`;
        const objectId = (imported.size + 16).toString(16).padStart(2, '0');
        const secret = path.join(folder, `${label}.key.der`);
        fs.writeFileSync(secret, key.export({ type: 'pkcs8', format: 'der' }));
        run('pkcs11-tool', ...common, '--write-object', secret, '--type', 'privkey', '--label', label, '--id', objectId, '--usage-sign', '--sensitive');
        fs.rmSync(secret);
        const publicFile = path.join(folder, `${label}.pub.der`);
        fs.writeFileSync(publicFile, spki);
        run('pkcs11-tool', ...common, '--write-object', publicFile, '--type', 'pubkey', '--label', label, '--id', objectId);
        imported.set(id, label);
      }
      labels.set(testCase.key, imported.get(id));
    }
    const listing = run('pkcs11-tool', ...common, '--list-objects', '--type', 'privkey');
    // pkcs11-tool lists "extractable" among a key's access flags when CKA_EXTRACTABLE is true.
    const access = listing.split('\n').filter((line) => line.trim().startsWith('Access:'));
    assert.equal(access.length, imported.size, listing);
    assert.ok(access.every((line) => line.includes('sensitive') && !line.includes('extractable')), listing);
  });

  after(() => {
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  test('every vector token made in the token is the vector\'s, sync and async', async () => {
    const signers = new Map();
    for (const testCase of CASES) {
      const label = labels.get(testCase.key);
      if (!signers.has(label)) signers.set(label, Signer.fromUri(uri(label)));
      const signer = signers.get(label);
      assert.equal(signer.kind, 'pkcs11');
      assert.ok(signer.publicKey().equals(publicOf(nodeKey(testCase))));
      assert.equal(PopToken.build(signer, testCase.ehts, options(testCase)), testCase.token, testCase.name);
      assert.equal(await PopToken.buildAsync(signer, testCase.ehts, options(testCase)), testCase.token, testCase.name);
    }
    assert.equal(signers.size, 5, [...signers.keys()].join(', '));
  });

  test('the PIN may come as the password', () => {
    const label = labels.get(FIRST.key);
    for (const password of [PIN, Buffer.from(PIN)]) {
      const signer = Signer.fromUri(uri(label, null), { password });
      assert.equal(PopToken.build(signer, FIRST.ehts, options(FIRST)), FIRST.token);
    }
  });

  test('a wrong PIN is a KeyDecryptError that never shows a PIN', () => {
    // Token `other`: no test logs in to it (a PKCS#11 login holds for the whole process).
    for (const [spec, password] of [
      [`pkcs11:token=other;object=k?module-path=${MODULE}&pin-value=${PIN}`, undefined],
      [`pkcs11:token=other;object=k?module-path=${MODULE}`, 'not-it-9Z'],
    ]) {
      assert.throws(() => Signer.fromUri(spec, { password }), (thrown) => {
        assert.ok(thrown instanceof taap.KeyDecryptError, String(thrown));
        assert.ok(thrown.message.startsWith('cannot decrypt the private key: the PIN for PKCS#11 token "other" (slot '), thrown.message);
        for (const secret of [PIN, OTHER_PIN, 'not-it-9Z']) assert.ok(!thrown.message.includes(secret));
        return true;
      });
    }
  });

  test('a missing object is an InvalidKeyError', () => {
    assert.throws(() => Signer.fromUri(uri('absent')), (thrown) => thrown instanceof taap.InvalidKeyError &&
      thrown.message.startsWith('invalid key: no private key pkcs11:token=taap;object=absent on PKCS#11 token "taap" (slot ') && !thrown.message.includes(PIN));
  });

  test('inspect, JSON, toString and label never show the pin-value', () => {
    const label = labels.get(FIRST.key);
    const signer = Signer.fromUri(uri(label));
    assert.ok(signer.label.startsWith(`pkcs11:token=taap;object=${label} (slot `), signer.label);
    assert.ok(signer.label.endsWith(`, module ${MODULE})`), signer.label);
    assert.equal(inspect(signer, { breakLength: Infinity }), `Signer { kind: 'pkcs11', label: '${signer.label}' }`);
    for (const shown of [inspect(signer), JSON.stringify(signer), String(signer), signer.label, inspect({ nested: [signer] }, { depth: 5 })]) {
      assert.ok(!shown.includes(PIN), shown);
      assert.ok(!shown.includes('pin-value'), shown);
    }
  });
});

describe('TaapClient with an async callback signer, against a local `taap serve`', () => {
  const CLIENT_ID = 'node-signer-client';
  const SECRET = 'node-signer-secret-5d1e';
  let gateway;

  before(async () => {
    const target = path.resolve(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'));
    const binary = path.join(target, 'release', 'taap');
    if (!fs.existsSync(binary)) {
      const built = spawnSync('cargo', ['build', '--release', '--quiet', '-p', 'taap-cli'], { cwd: ROOT, stdio: 'inherit' });
      assert.equal(built.status, 0, 'cargo build -p taap-cli');
    }
    const args = ['serve', '--port', '0', '--client-id', CLIENT_ID, '--client-secret-env', 'SIGNER_SECRET', '--public-key', README_PUBLIC];
    const child = spawn(binary, args, { env: { ...process.env, SIGNER_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = readline.createInterface({ input: child.stdout });
    const first = await new Promise((resolve) => {
      lines.once('line', resolve);
      child.once('exit', () => resolve(''));
    });
    lines.on('line', () => {});
    assert.match(first, /^listening on http:\/\/127\.0\.0\.1:/, `taap serve did not start: ${first}`);
    gateway = { child, url: first.split(' ').pop() };
  });

  after(async () => {
    if (!gateway || gateway.child.exitCode !== null) return;
    const exited = new Promise((resolve) => gateway.child.once('exit', resolve));
    gateway.child.kill('SIGKILL');
    await exited;
  });

  const stats = async () => (await fetch(`${gateway.url}/_taap/stats`)).json();

  test('gets an access token and makes signed calls the gateway accepts', async () => {
    const key = crypto.createPrivateKey(fs.readFileSync(README_KEY));
    let calls = 0;
    const signer = Signer.fromCallback(publicOf(key), async (digest) => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return device(key)(digest);
    }, { label: 'vault-transit:taap' });
    const client = new TaapClient({ clientId: CLIENT_ID, clientSecret: SECRET, key: signer, server: `${gateway.url}/oauth2/v2/tokens` });
    const before = await stats();
    const token = await client.accessToken();
    assert.ok(token.token.length > 10);
    const answer = await client.fetch(`${gateway.url}/commerce/v1/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"orderId":100}' });
    assert.equal(answer.status, 201, await answer.clone().text());
    assert.deepEqual((await answer.json()).order, { orderId: 100 });
    const now = await stats();
    assert.equal(now.api_accepted - before.api_accepted, 1);
    assert.equal(now.api_requests - before.api_requests, 1);
    assert.ok(calls >= 2, `the callback signed the token request and the call (${calls})`);
  });

  test('a rejecting callback rejects the client\'s call with the TransportError naming it', async () => {
    const signer = Signer.fromCallback(PublicKey.fromFile(README_PUBLIC), async () => {
      throw new Error('vault sealed');
    }, { label: 'vault-transit:taap' });
    const client = new TaapClient({ clientId: CLIENT_ID, clientSecret: SECRET, key: signer, server: `${gateway.url}/oauth2/v2/tokens` });
    await assert.rejects(client.accessToken(), {
      name: 'TransportError',
      message: 'transport error: the callback signer (vault-transit:taap) rejected with Error: vault sealed; no token was made with it',
    });
  });
});
