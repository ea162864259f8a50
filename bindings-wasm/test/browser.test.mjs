// The token page (web/) in Debian's Chromium: fields filled by label, tokens read from #token
// and checked with jsrsasign (not the page's code), the errors next to the field at fault,
// the "Check a token" panel, and no request leaving the page after it has loaded.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import jsrsasign from 'jsrsasign';
import { launch, serve } from './browser.mjs';
import { KEYS, REPOSITORY } from './helpers.mjs';

const { KJUR, KEYUTIL, b64utoutf8 } = jsrsasign;
const readKey = (relative) => fs.readFileSync(path.join(KEYS, relative), 'utf8');

const REQUEST = {
  contentType: 'application/json',
  authorization: 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS',
  url: 'https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000',
  uri: '/commerce/v1/orders?account-number=0000000000',
  method: 'POST',
  body: '{"orderId": 100}',
};
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** edts as T-Mobile's builders compute it: SHA-256 over the values in order, base64url. */
const edtsOf = (values) => crypto.createHash('sha256').update(values.join(''), 'utf8').digest('base64url');

/** Verifies `token` with jsrsasign against `publicPem`; returns its header and claims. */
function verified(token, publicPem) {
  assert.equal(KJUR.jws.JWS.verify(token, KEYUTIL.getKey(publicPem), ['RS256']), true, 'RS256 signature');
  const [header, claims] = token.split('.').slice(0, 2).map((part) => JSON.parse(b64utoutf8(part)));
  return { header, claims };
}

let site;
let context;
let page;
let loaded; // requests made while the page loaded
const later = []; // requests made after that

before(async () => {
  site = await serve({ '/': path.join(REPOSITORY, 'web') });
  context = await launch();
  page = await context.newPage();
  const requests = [];
  page.on('request', (request) => (loaded ? later : requests).push(request.url()));
  await page.goto(`${site.origin}/`);
  await page.waitForSelector('body[data-ready=true]');
  loaded = requests;
});

after(async () => {
  await context?.close();
  await site?.close();
});

/** A field of one panel by its label. */
const field = (panel, label) => page.locator(panel).getByLabel(label, { exact: true });

/** Fills the Generate panel (every field, so one case does not leak into the next). */
async function fillGenerate({ key, password = '', more = '', ttl = '120', request = REQUEST }) {
  await field('#generate', 'Private key').fill(key);
  await field('#generate', 'Password (encrypted keys only)').fill(password);
  await field('#generate', 'Content-Type').fill(request.contentType);
  await field('#generate', 'Authorization').fill(request.authorization);
  await field('#generate', 'URI').fill(request.url);
  await field('#generate', 'HTTP method').fill(request.method);
  await field('#generate', 'More headers').fill(more);
  await field('#generate', 'Body').fill(request.body);
  await field('#generate', 'Validity (s)').fill(ttl);
  await page.getByRole('button', { name: 'Generate PoP token' }).click();
}

/** Every error element's text, by id, that is not empty. */
async function shownErrors() {
  return page.locator('.error').evaluateAll((elements) =>
    Object.fromEntries(elements.filter((e) => e.textContent).map((e) => [e.id, e.textContent])));
}

/** The check panel's verdict for `token` against `publicKey` and a request. */
async function check(token, publicKey, request = REQUEST) {
  await field('#check', 'Token').fill(token);
  await field('#check', 'Public key (PEM or JWK)').fill(publicKey);
  await field('#check', 'Content-Type').fill(request.contentType);
  await field('#check', 'Authorization').fill(request.authorization);
  await field('#check', 'URI').fill(request.url);
  await field('#check', 'HTTP method').fill(request.method);
  await field('#check', 'Body').fill(request.body);
  await page.getByRole('button', { name: 'Check token' }).click();
  return page.locator('#check-result').textContent();
}

describe('the token page in Chromium', () => {
  let token;

  test('loads only its own files, from its own origin', () => {
    // The package's entry, its adapter, the module and the JavaScript every door shares.
    const shared = fs.readdirSync(path.join(REPOSITORY, 'bindings-js', 'src')).map((name) => `/pkg/shared/${name}`);
    const own = ['/', '/app.js', '/pkg/index.js', '/pkg/backend.js', '/pkg/taap_wasm.js', '/pkg/taap_wasm_bg.wasm'];
    assert.deepEqual(loaded.map((url) => new URL(url).pathname).sort(), [...own, ...shared].sort());
    for (const url of loaded) assert.equal(new URL(url).origin, site.origin);
  });

  test('Generate PoP token: a token jsrsasign verifies, over the fields as typed', async () => {
    const before = Math.floor(Date.now() / 1000);
    await fillGenerate({ key: readKey('tmobile/readme-private-pkcs8.pem'), ttl: '60' });
    assert.equal(await page.locator('#uri-signed').textContent(), REQUEST.uri);
    token = await page.locator('#token').textContent();
    assert.deepEqual(await shownErrors(), {});
    const { header, claims } = verified(token, readKey('tmobile/readme-public.pem'));
    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT' });
    assert.deepEqual(Object.keys(claims), ['edts', 'v', 'exp', 'ehts', 'iat', 'jti']);
    assert.equal(claims.ehts, 'Content-Type;Authorization;uri;http-method;body');
    assert.equal(claims.edts, edtsOf([REQUEST.contentType, REQUEST.authorization, REQUEST.uri, REQUEST.method, REQUEST.body]));
    assert.equal(claims.v, '1');
    assert.ok(claims.iat >= before && claims.iat <= Math.floor(Date.now() / 1000), `iat ${claims.iat}`);
    assert.equal(claims.exp - claims.iat, 60);
    assert.match(claims.jti, UUID_V4);
    // The page shows the claims as PopToken.decode gives them: ehts as a list of names.
    assert.deepEqual(JSON.parse(await page.locator('#decoded').textContent()), { header, claims: { ...claims, ehts: claims.ehts.split(';') } });
    const countdown = Number(await page.locator('#countdown').textContent());
    assert.ok(countdown > 50 && countdown <= 60, `countdown ${countdown}`);
    const curl = await page.locator('#curl').textContent();
    assert.ok(curl.includes(`-H 'X-Authorization: ${token}'`), curl);
  });

  test('an encrypted key with its password, and more headers signed after the docs\' two', async () => {
    await fillGenerate({ key: readKey('tmobile/pbes2-aes256-a-private.pem'), password: 'foobar', more: 'X-Request-Id: 42\nAccept: application/json' });
    const next = await page.locator('#token').textContent();
    assert.deepEqual(await shownErrors(), {});
    const { claims } = verified(next, readKey('tmobile/pbes2-aes256-a-public.pem'));
    assert.equal(claims.ehts, 'Content-Type;Authorization;X-Request-Id;Accept;uri;http-method;body');
    assert.equal(claims.edts, edtsOf([REQUEST.contentType, REQUEST.authorization, '42', 'application/json', REQUEST.uri, REQUEST.method, REQUEST.body]));
    assert.equal(claims.exp - claims.iat, 120);
  });

  test('each error is shown next to the field at fault, and no token', async () => {
    const pem = readKey('tmobile/readme-private-pkcs8.pem');
    const lines = pem.split('\n');
    const truncated = [...lines.slice(0, 8), lines.at(-2)].join('\n');
    const cases = [
      [{ key: truncated }, 'key-error', 'TAAP_INVALID_KEY: '],
      [{ key: readKey('tmobile/pbes2-aes256-a-private.pem'), password: 'n0t-the-pa55word' }, 'password-error', 'TAAP_KEY_DECRYPT: '],
      // 98 more headers + Content-Type + Authorization = 100, so `uri` is entry 101.
      [{ key: readKey('tmobile/readme-private-pkcs8.pem'), more: Array.from({ length: 98 }, (_, i) => `X-H${i}: ${i}`).join('\n') },
        'more-headers-error', 'TAAP_INVALID_EHTS: invalid ehts: entry 100 ("uri") is one too many; a PoP token signs at most 100 entries'],
      [{ key: readKey('tmobile/readme-private-pkcs8.pem'), more: 'X-A: 1\nX-A: 2' }, 'more-headers-error', 'TAAP_INVALID_EHTS: '],
      [{ key: readKey('tmobile/readme-private-pkcs8.pem'), ttl: '3601' }, 'ttl-error',
        'TAAP_CONFIG: invalid configuration: ttl_secs is 3601; a PoP token lives 1 to 3600 seconds'],
    ];
    for (const [input, id, expected] of cases) {
      await fillGenerate(input);
      const errors = await shownErrors();
      assert.deepEqual(Object.keys(errors), [id], JSON.stringify(errors));
      assert.ok(errors[id].startsWith(expected), `${id}: ${errors[id]}`);
      assert.equal(await page.locator('#token').textContent(), '');
      // Messages never repeat what was typed into the secret fields.
      assert.ok(!errors[id].includes('n0t-the-pa55word') && !errors[id].includes(lines[3]), errors[id]);
    }
  });

  test('Check a token: valid with the PEM or the JWK public key', async () => {
    const { claims } = verified(token, readKey('tmobile/readme-public.pem'));
    assert.equal(await check(token, readKey('tmobile/readme-public.pem')), `valid (jti ${claims.jti})`);
    const jwk = JSON.stringify(KEYUTIL.getJWKFromKey(KEYUTIL.getKey(readKey('tmobile/readme-public.pem'))));
    assert.equal(await check(token, jwk), `valid (jti ${claims.jti})`);
  });

  test('Check a token: the exact kind for a tampered token, another body, another key', async () => {
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(b64utoutf8(payload));
    const longer = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 600 })).toString('base64url');
    const pem = readKey('tmobile/readme-public.pem');
    assert.match(await check(`${header}.${longer}.${signature}`, pem), /^TAAP_SIGNATURE_INVALID: /);
    assert.match(await check(token, pem, { ...REQUEST, body: '{"orderId": 101}' }), /^TAAP_EDTS_MISMATCH: /);
    assert.match(await check(token, readKey('tmobile/dotnet-public.pem')), /^TAAP_SIGNATURE_INVALID: /);
    assert.match(await check('not.a.token', pem), /^TAAP_INVALID_TOKEN: /);
  });

  test('Signer.fromCallback in the page: an async callback makes the vector token; a bad one its exact error', async () => {
    // The "device" is Node: it signs the digest the page hands it (PKCS#1 v1.5 over DigestInfo).
    const item = JSON.parse(fs.readFileSync(path.join(REPOSITORY, 'tests', 'vectors', 'tokens.json'), 'utf8')).cases[0];
    const device = crypto.createPrivateKey(readKey(item.key));
    const digestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex');
    await page.exposeFunction('taapTestDeviceSign', (digest) =>
      [...crypto.privateEncrypt({ key: device, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([digestInfo, Buffer.from(digest)]))]);
    const publicPem = crypto.createPublicKey(device).export({ type: 'spki', format: 'pem' });
    const seen = await page.evaluate(async ({ item, publicPem }) => {
      const taap = await import('/pkg/index.js');
      const publicKey = taap.PublicKey.fromPem(publicPem);
      const options = { ttlSecs: item.ttl_secs, iat: item.iat, jti: item.jti };
      const signer = taap.Signer.fromCallback(publicKey, async (digest) => new Uint8Array(await globalThis.taapTestDeviceSign([...digest])), { label: 'device' });
      const failure = async (sign) => {
        try {
          await taap.PopToken.buildAsync(taap.Signer.fromCallback(publicKey, sign, { label: 'device' }), item.ehts, options);
          return 'no error';
        } catch (error) {
          return [error.name, error.code, error.message, error.cause?.message];
        }
      };
      return {
        token: await taap.PopToken.buildAsync(signer, item.ehts, options),
        shown: JSON.stringify(signer),
        wrong: await failure(async () => new Uint8Array(256)),
        thrown: await failure(async () => { throw new Error('the device is gone'); }),
      };
    }, { item, publicPem });
    assert.equal(seen.token, item.token);
    assert.equal(seen.shown, '{"kind":"callback","label":"device","bits":2048}');
    assert.deepEqual(seen.wrong, ['SignatureInvalidError', 'TAAP_SIGNATURE_INVALID',
      'PoP token signature invalid: the callback signer (device) returned a signature that does not verify under its public key ' +
      '(another key, another hash or padding, or a corrupted signature); no token was made with it', undefined]);
    assert.deepEqual(seen.thrown, ['TransportError', 'TAAP_TRANSPORT',
      "transport error: the callback signer (device) rejected with Error; no token was made with it (the error is this error's cause)", 'the device is gone']);
  });

  test('no request left the page after it loaded', () => {
    assert.deepEqual(later, []);
  });
});
