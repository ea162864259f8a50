#!/usr/bin/env node
// Writes tests/vectors/*.json: the cross-language conformance vectors.
//
// Every expected PoP token comes from T-Mobile's official JavaScript builder
// (npm `tmo-poptoken-builder`) with its clock and jti pinned, so taap must reproduce it
// byte for byte. Validator cases are tokens from the same builder (or crafted with the
// jsrsasign it uses), each with the error kind the design contract prescribes.
//
//   node generate-vectors.js          rewrite the vectors
//   node generate-vectors.js --check  exit 1 if the committed vectors differ
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const rs = require('jsrsasign');
// The package's `main` points at a file that does not exist; this is the real module.
const builder = require('tmo-poptoken-builder/poptoken-builder-node.js');

const KEYS = path.join(__dirname, '..', 'keys');
const OUT = path.join(__dirname, '..', 'vectors');
const PASSWORD = 'foobar';
const BASE_IAT = 1767225600; // 2026-01-01T00:00:00Z
const TTL = 120; // the only validity the official builder knows

// ---------------------------------------------------------------- deterministic inputs

function prng(seed) {
  // mulberry32: small, seedable, the same on every Node version.
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20261122);
const pick = (items) => items[Math.floor(random() * items.length)];
const hex = (n) => Array.from({ length: n }, () => pick('0123456789abcdef')).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick('89ab')}${hex(3)}-${hex(12)}`;

const NAME_PIECES = ['X-', 'Content-Type', 'Authorization', 'é', '東', '=', '"', '\\', 'a', 'Z', '-', '_', '.', '0', '~', "'", 'ü', ' '];
const VALUE_PIECES = ['', 'application/json', 'Bearer abc', '=', ';', '"', '\\', '\n', '\t', ' ', 'Grüße', '東京', '🚀', '{"k":"v"}', '%20', '&', '\u0001', '\u007f', '\u2028', 'x'];

function randomPairs() {
  const count = 1 + Math.floor(random() * 8);
  const pairs = [];
  const names = new Set();
  while (pairs.length < count) {
    const name = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(NAME_PIECES)).join('');
    if (name.trim() === '' || names.has(name)) continue;
    names.add(name);
    const value = Array.from({ length: Math.floor(random() * 5) }, () => pick(VALUE_PIECES)).join('');
    pairs.push([name, value]);
  }
  return pairs;
}

// ---------------------------------------------------------------- the official builder

function plainPem(keyFile, password) {
  // The official builder cannot read PBES2 keys or DER, so hand it the same key as PKCS#8.
  const data = fs.readFileSync(path.join(KEYS, keyFile));
  const key = keyFile.endsWith('.der')
    ? crypto.createPrivateKey({ key: data, format: 'der', type: 'pkcs8' })
    : crypto.createPrivateKey({ key: data, passphrase: password || undefined });
  return key.export({ type: 'pkcs8', format: 'pem' });
}

function withPinnedClock(seconds, action) {
  const RealDate = global.Date;
  global.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(seconds * 1000);
      else super(...args);
    }
    static now() {
      return seconds * 1000;
    }
  };
  try {
    return action();
  } finally {
    global.Date = RealDate;
  }
}

function officialToken(keyFile, password, pairs, iat, jti) {
  const pem = plainPem(keyFile, password);
  const original = builder.createGUID;
  builder.createGUID = () => jti;
  try {
    return withPinnedClock(iat, () => builder.buildPopToken(new Map(pairs), pem));
  } finally {
    builder.createGUID = original;
  }
}

function tokenCase(name, keyFile, password, pairs, iat = BASE_IAT, jti = uuid()) {
  return { name, key: keyFile, password, ehts: pairs, iat, jti, ttl_secs: TTL, token: officialToken(keyFile, password, pairs, iat, jti) };
}

// ---------------------------------------------------------------- tokens.json

const DOCS_EHTS = [
  ['Content-Type', 'application/json'],
  ['Authorization', 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS'],
  ['uri', '/commerce/v1/orders'],
  ['http-method', 'POST'],
  ['body', '{"orderId": 100, "product": "Mobile Phone"}'],
];
const BASIC = `Basic ${Buffer.from('my-client-id:my-client-secret').toString('base64')}`;

function tokenCases() {
  const readme = 'tmobile/readme-private-pkcs8.pem';
  const cases = [
    tokenCase('docs-orders-post', readme, null, DOCS_EHTS),
    tokenCase('oauth-v2-empty-body', readme, null, [
      ['Content-Type', 'application/json'],
      ['Authorization', BASIC],
      ['uri', '/oauth2/v2/tokens'],
      ['http-method', 'POST'],
      ['body', ''],
    ]),
    tokenCase('oauth-v6-json-body', readme, null, [
      ['Content-Type', 'application/json'],
      ['Authorization', BASIC],
      ['uri', '/oauth2/v6/tokens'],
      ['http-method', 'POST'],
      ['body', '{"client_id":"my-client-id","client_secret":"my-client-secret","scope":"response_mode","grant-type":"client_credentials"}'],
    ]),
    tokenCase('single-entry', readme, null, [['uri', '/']]),
    tokenCase('all-values-empty', readme, null, [['a', ''], ['b', ''], ['body', '']]),
    tokenCase('special-characters', readme, null, [
      ['X-Grüße-東京', 'Grüße aus 東京 🚀'],
      ['X-Equals=Sign', 'a=b=c'],
      ['X-"Quoted"', 'say "hi"; then \\leave\\'],
      ['X-Back\\slash', 'C:\\path\\to'],
      ['X-Controls', 'line1\nline2\ttab\u0001\u007f\u2028'],
      ['body', '{"semi;colon": "ok", "unicode": "\u00e9"}'],
    ]),
    tokenCase('one-hundred-entries', readme, null, Array.from({ length: 100 }, (_, i) => [`X-Header-${i}`, `value-${i}`])),
    tokenCase('large-body', readme, null, [['uri', '/upload'], ['body', 'x'.repeat(100000)]]),
    tokenCase('pinned-clock-zero', readme, null, [['uri', '/epoch']], 0, '00000000-0000-4000-8000-000000000000'),
  ];
  const keyForms = [
    ['key-dotnet', 'tmobile/dotnet-private-pkcs8.pem', null],
    ['key-tmobile-pbes2-aes256', 'tmobile/pbes2-aes256-a-private.pem', PASSWORD],
    ['key-openssl-pkcs8-pem', 'openssl/pkcs8-private.pem', null],
    ['key-openssl-pkcs8-der', 'openssl/pkcs8-private.der', null],
    ['key-openssl-pkcs1-pem', 'openssl/pkcs1-private.pem', null],
    ['key-openssl-pbes2-aes256', 'openssl/pbes2-aes256-private.pem', PASSWORD],
    ['key-openssl-pbes2-des3', 'openssl/pbes2-des3-private.pem', PASSWORD],
    ['key-openssl-pbes2-aes128-sha1', 'openssl/pbes2-aes128-sha1-private.pem', PASSWORD],
    ['key-openssl-traditional-aes256', 'openssl/traditional-aes256-private.pem', PASSWORD],
    ['key-openssl-traditional-des3', 'openssl/traditional-des3-private.pem', PASSWORD],
    ['key-openssl-4096', 'openssl/big-4096-private.pem', null],
  ];
  for (const [name, file, password] of keyForms) cases.push(tokenCase(name, file, password, DOCS_EHTS));
  for (let i = 0; i < 40; i++) {
    const iat = BASE_IAT + Math.floor(random() * 1e7);
    cases.push(tokenCase(`random-${String(i).padStart(2, '0')}`, readme, null, randomPairs(), iat));
  }
  return cases;
}

// ---------------------------------------------------------------- request.json

function requestCase(name, method, url, headers, body, uri) {
  const pairs = [...headers, ['uri', uri], ['http-method', method.toUpperCase()], ['body', body]];
  const iat = BASE_IAT + 1000;
  const jti = uuid();
  // The request-target an HTTP client puts on the wire for `url` (dot segments resolved, no
  // fragment): what a gateway receives and validates, never normalised again.
  const sent = new URL(url, 'https://api.t-mobile.com');
  return {
    name, method, url, target: sent.pathname + sent.search, headers, body, iat, jti, ttl_secs: TTL,
    key: 'tmobile/readme-private-pkcs8.pem', password: null,
    expected_uri: uri,
    expected_ehts: pairs.map(([n]) => n).join(';'),
    token: officialToken('tmobile/readme-private-pkcs8.pem', null, pairs, iat, jti),
  };
}

function requestCases() {
  const json = [['Content-Type', 'application/json']];
  return [
    requestCase('docs-orders', 'POST', 'https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000',
      [...json, ['Authorization', 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS']], '{"orderId": 100, "product": "Mobile Phone"}',
      '/commerce/v1/orders?account-number=0000000000'),
    requestCase('query-percent-decoded', 'GET', 'https://api.t-mobile.com/customers?name=J%C3%BCrgen%20M&list=a%2Cb&plus=a+b',
      [], '', '/customers?name=Jürgen M&list=a,b&plus=a+b'),
    requestCase('path-only-lower-case-method', 'get', '/iot-connectivity/v1/devices/8901260000000000000?fields=status',
      [['Accept', 'application/json']], '', '/iot-connectivity/v1/devices/8901260000000000000?fields=status'),
    requestCase('port-and-fragment-dropped', 'DELETE', 'https://api.t-mobile.com:8443/orders/42#details', [], '', '/orders/42'),
    requestCase('host-only', 'POST', 'https://api.t-mobile.com', json, '{}', '/'),
    requestCase('oauth-v2', 'POST', 'https://oauth.t-mobile.com/oauth2/v2/tokens',
      [...json, ['Authorization', BASIC]], '', '/oauth2/v2/tokens'),
    requestCase('dot-segments-resolved', 'PUT', 'https://api.t-mobile.com/a/b/../c/./d?x=%3D', json, '[1,2]', '/a/c/d?x=='),
  ];
}

// ---------------------------------------------------------------- policy.json
//
// The signing policy every door shares: a request as a caller hands it over, a policy, and
// the headers the policy must pick (written out here, independently of taap), signed by the
// official builder with `uri`, `http-method` and `body` after them.

function policyCase(name, policy, headers, signed) {
  const method = 'POST';
  const url = 'https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000&note=a%20b';
  const body = '{"orderId": 100}';
  const uri = '/commerce/v1/orders?account-number=0000000000&note=a b';
  const pairs = [...signed, ['uri', uri], ['http-method', method], ['body', body]];
  const iat = BASE_IAT + 2000;
  const jti = uuid();
  return {
    name, policy, method, url, headers, body, iat, jti, ttl_secs: TTL,
    key: 'tmobile/readme-private-pkcs8.pem', password: null,
    expected_ehts: pairs.map(([n]) => n).join(';'),
    token: officialToken('tmobile/readme-private-pkcs8.pem', null, pairs, iat, jti),
  };
}

function policyCases() {
  const bearer = ['Authorization', 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS'];
  const json = ['Content-Type', 'application/json'];
  const sent = [['Accept', 'application/json'], bearer, ['X-Partner-Id', 'P-1'], json, ['X-Authorization', 'stale']];
  return [
    policyCase('default-docs-order', {}, sent, [json, bearer]),
    policyCase('default-names-as-sent', {}, [['authorization', bearer[1]], ['content-type', json[1]]],
      [['content-type', json[1]], ['authorization', bearer[1]]]),
    policyCase('default-only-present', {}, [['Accept', 'text/plain'], bearer], [bearer]),
    policyCase('default-none-present', {}, [['Accept', 'text/plain']], []),
    policyCase('default-values-trimmed', {}, [['Content-Type', ' \tapplication/json  ']], [json]),
    policyCase('named-in-policy-order', { headers: ['X-Partner-Id', 'content-type', 'X-Absent'] }, sent,
      [['X-Partner-Id', 'P-1'], json]),
    policyCase('default-widened', { with: ['Accept'] }, sent, [json, bearer, ['Accept', 'application/json']]),
    policyCase('default-narrowed', { without: ['Authorization'] }, sent, [json]),
    policyCase('all-in-request-order', { all: true }, sent,
      [['Accept', 'application/json'], bearer, ['X-Partner-Id', 'P-1'], json]),
    policyCase('all-but-one', { all: true, without: ['x-partner-id'] }, sent,
      [['Accept', 'application/json'], bearer, json]),
    policyCase('all-first-occurrence', { all: true }, [['Accept', 'a'], ['accept', 'b']], [['Accept', 'a']]),
  ];
}

// ---------------------------------------------------------------- validator.json

const b64u = (text) => Buffer.from(text).toString('base64url');
const readKey = (file) => fs.readFileSync(path.join(KEYS, file), 'utf8');

function crafted(header, claims, keyFile = 'tmobile/readme-private-pkcs8.pem') {
  return rs.KJUR.jws.JWS.sign(null, JSON.stringify(header), JSON.stringify(claims), plainPem(keyFile, null));
}

function claimsFor(pairs, iat, overrides = {}) {
  const edts = Buffer.from(crypto.createHash('sha256').update(pairs.map(([, v]) => v).join('')).digest()).toString('base64url');
  return { edts, v: '1', exp: iat + TTL, ehts: pairs.map(([n]) => n).join(';'), iat, jti: uuid(), ...overrides };
}

function validatorCases() {
  const demoJwk = readKey('tmobile/validator-demo-jwk.token').trim();
  const demoPem = readKey('tmobile/validator-demo-pem.token').trim();
  const demoJwkIat = 1567203081;
  const demoPemIat = 1561072107;
  const readmePub = 'tmobile/readme-public.pem';
  const iat = BASE_IAT + 5000;
  const good = officialToken('tmobile/readme-private-pkcs8.pem', null, DOCS_EHTS, iat, uuid());
  const [h, p, s] = good.split('.');
  const flip = (text, at) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
  const changed = (name, value) => DOCS_EHTS.map(([n, v]) => [n, n === name ? value : v]);
  const noUri = DOCS_EHTS.filter(([n]) => n !== 'uri');
  const c = (name, token, publicKey, ehts, now, expect, options = {}, extra = {}) =>
    ({ name, token, public_key: publicKey, ehts, now, options, expect, ...extra });

  return [
    c('tmobile-demo-jwk-valid', demoJwk, 'tmobile/validator-demo.jwk.json', DOCS_EHTS, demoJwkIat + 5, 'ok'),
    c('tmobile-demo-jwk-valid-pem-key', demoJwk, 'tmobile/validator-demo-jwk-public.pem', DOCS_EHTS, demoJwkIat + 5, 'ok'),
    c('tmobile-demo-jwk-expired-today', demoJwk, 'tmobile/validator-demo.jwk.json', DOCS_EHTS, 1795000000, 'TokenExpired'),
    c('tmobile-demo-jwk-body-changed', demoJwk, 'tmobile/validator-demo.jwk.json', changed('body', '{"orderId": 101, "product": "Mobile Phone"}'), demoJwkIat + 5, 'EdtsMismatch'),
    c('tmobile-demo-jwk-header-case-changed', demoJwk, 'tmobile/validator-demo.jwk.json', changed('Content-Type', 'Application/JSON'), demoJwkIat + 5, 'EdtsMismatch'),
    c('tmobile-demo-jwk-missing-body', demoJwk, 'tmobile/validator-demo.jwk.json', DOCS_EHTS.slice(0, 4), demoJwkIat + 5, 'MissingEhtsValue'),
    c('tmobile-demo-pem-edts-mismatch', demoPem, 'tmobile/validator-demo-pem-public.pem', DOCS_EHTS, demoPemIat + 5, 'EdtsMismatch'),
    c('tmobile-demo-pem-wrong-key', demoPem, 'tmobile/validator-demo.jwk.json', DOCS_EHTS, demoPemIat + 5, 'SignatureInvalid'),
    c('valid', good, readmePub, DOCS_EHTS, iat + 5, 'ok'),
    c('valid-with-extra-values', good, readmePub, [...DOCS_EHTS, ['X-Unsigned', 'ignored']], iat + 5, 'ok'),
    c('age-at-limit', good, readmePub, DOCS_EHTS, iat + 70, 'ok'),
    c('too-old', good, readmePub, DOCS_EHTS, iat + 71, 'TokenTooOld'),
    c('too-old-no-leeway', good, readmePub, DOCS_EHTS, iat + 61, 'TokenTooOld', { leeway_secs: 0 }),
    c('expiry-at-leeway', good, readmePub, DOCS_EHTS, iat + TTL + 10, 'ok', { max_age_secs: 3600 }),
    c('expired', good, readmePub, DOCS_EHTS, iat + TTL + 11, 'TokenExpired', { max_age_secs: 3600 }),
    c('expired-checked-before-age', good, readmePub, DOCS_EHTS, iat + TTL + 11, 'TokenExpired'),
    c('issued-in-future-within-leeway', good, readmePub, DOCS_EHTS, iat - 10, 'ok'),
    c('issued-in-future', good, readmePub, DOCS_EHTS, iat - 11, 'InvalidToken'),
    c('wrong-public-key', good, 'tmobile/dotnet-public.pem', DOCS_EHTS, iat + 5, 'SignatureInvalid'),
    c('signature-byte-flipped', `${h}.${p}.${flip(s, 10)}`, readmePub, DOCS_EHTS, iat + 5, 'SignatureInvalid'),
    c('payload-swapped', `${h}.${b64u(JSON.stringify(claimsFor(DOCS_EHTS, iat)))}.${s}`, readmePub, DOCS_EHTS, iat + 5, 'SignatureInvalid'),
    c('signature-truncated', `${h}.${p}.${s.slice(0, 100)}`, readmePub, DOCS_EHTS, iat + 5, 'SignatureInvalid'),
    c('edts-changed-uri', good, readmePub, changed('uri', '/commerce/v1/orders?x=1'), iat + 5, 'EdtsMismatch'),
    c('edts-changed-method-case', good, readmePub, changed('http-method', 'post'), iat + 5, 'EdtsMismatch'),
    c('missing-authorization', good, readmePub, DOCS_EHTS.filter(([n]) => n !== 'Authorization'), iat + 5, 'MissingEhtsValue'),
    c('required-names-covered', good, readmePub, DOCS_EHTS, iat + 5, 'ok', { required: ['uri', 'http-method'] }),
    c('required-name-not-signed', crafted({ alg: 'RS256', typ: 'JWT' }, claimsFor(noUri, iat)), readmePub, noUri, iat + 5, 'InvalidToken', { required: ['uri', 'http-method'] }),
    c('replayed', good, readmePub, DOCS_EHTS, iat + 5, 'ok', { replay_cache: 16 }, { repeat_expect: 'Replay' }),
    c('header-members-reordered', crafted({ typ: 'JWT', alg: 'RS256' }, claimsFor(DOCS_EHTS, iat)), readmePub, DOCS_EHTS, iat + 5, 'ok'),
    c('version-v1', crafted({ alg: 'RS256', typ: 'JWT' }, claimsFor(DOCS_EHTS, iat, { v: 'v1' })), readmePub, DOCS_EHTS, iat + 5, 'ok'),
    c('version-2', crafted({ alg: 'RS256', typ: 'JWT' }, claimsFor(DOCS_EHTS, iat, { v: '2' })), readmePub, DOCS_EHTS, iat + 5, 'InvalidToken'),
    c('alg-none', `${b64u('{"alg":"none","typ":"JWT"}')}.${p}.`, readmePub, DOCS_EHTS, iat + 5, 'InvalidToken'),
    c('alg-none-with-signature', `${b64u('{"alg":"none","typ":"JWT"}')}.${p}.${s}`, readmePub, DOCS_EHTS, iat + 5, 'InvalidToken'),
    c('alg-hs256-public-key-as-secret', rs.KJUR.jws.JWS.sign(null, '{"alg":"HS256","typ":"JWT"}', JSON.stringify(claimsFor(DOCS_EHTS, iat)), { utf8: readKey(readmePub) }), readmePub, DOCS_EHTS, iat + 5, 'InvalidToken'),
    c('alg-rs512', crafted({ alg: 'RS512', typ: 'JWT' }, claimsFor(DOCS_EHTS, iat)), readmePub, DOCS_EHTS, iat + 5, 'InvalidToken'),
    c('alg-ps256', `${b64u('{"alg":"PS256","typ":"JWT"}')}.${p}.${s}`, readmePub, DOCS_EHTS, iat + 5, 'InvalidToken'),
    c('duplicate-name-in-ehts', crafted({ alg: 'RS256', typ: 'JWT' }, claimsFor([['uri', '/a'], ['uri', '/a']], iat)), readmePub, [['uri', '/a']], iat + 5, 'InvalidToken'),
    c('exp-before-iat', crafted({ alg: 'RS256', typ: 'JWT' }, claimsFor(DOCS_EHTS, iat, { exp: iat - 1 })), readmePub, DOCS_EHTS, iat, 'InvalidToken'),
    c('exp-as-string', crafted({ alg: 'RS256', typ: 'JWT' }, claimsFor(DOCS_EHTS, iat, { exp: String(iat + TTL) })), readmePub, DOCS_EHTS, iat + 5, 'InvalidToken'),
    c('missing-edts', crafted({ alg: 'RS256', typ: 'JWT' }, { ...claimsFor(DOCS_EHTS, iat), edts: undefined }), readmePub, DOCS_EHTS, iat + 5, 'InvalidToken'),
    c('empty-string', '', readmePub, DOCS_EHTS, iat, 'InvalidToken'),
    c('one-part', 'abc', readmePub, DOCS_EHTS, iat, 'InvalidToken'),
    c('two-parts', `${h}.${p}`, readmePub, DOCS_EHTS, iat, 'InvalidToken'),
    c('four-parts', `${good}.${s}`, readmePub, DOCS_EHTS, iat, 'InvalidToken'),
    c('header-not-base64url', `%%%.${p}.${s}`, readmePub, DOCS_EHTS, iat, 'InvalidToken'),
    c('payload-padded-base64', `${h}.${p}==.${s}`, readmePub, DOCS_EHTS, iat, 'InvalidToken'),
    c('payload-not-json', `${h}.${b64u('not json')}.${s}`, readmePub, DOCS_EHTS, iat, 'InvalidToken'),
    c('payload-json-array', `${h}.${b64u('[1,2,3]')}.${s}`, readmePub, DOCS_EHTS, iat, 'InvalidToken'),
    c('payload-deeply-nested', `${h}.${b64u(`{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`)}.${s}`, readmePub, DOCS_EHTS, iat, 'InvalidToken'),
  ];
}

// ---------------------------------------------------------------- keys.json

function keyCases() {
  const opensslPublic = 'openssl/spki-public.pem';
  const p = (file, password, expect, samePublicAs = null) => ({ file, password, expect, same_public_key_as: samePublicAs });
  const privateKeys = [
    p('tmobile/readme-private-pkcs8.pem', null, 'ok', 'tmobile/readme-public.pem'),
    p('tmobile/dotnet-private-pkcs8.pem', null, 'ok', 'tmobile/dotnet-public.pem'),
    p('tmobile/pbes1-md5-des-a-private.pem', PASSWORD, 'ok', 'tmobile/pbes1-md5-des-a-public.pem'),
    p('tmobile/pbes1-md5-des-b-private.pem', PASSWORD, 'ok', 'tmobile/pbes1-md5-des-b-public.pem'),
    p('tmobile/pbes2-aes256-a-private.pem', PASSWORD, 'ok', 'tmobile/pbes2-aes256-a-public.pem'),
    p('tmobile/pbes2-aes256-b-private.pem', PASSWORD, 'ok', 'tmobile/pbes2-aes256-b-public.pem'),
    p('openssl/pkcs8-private.pem', null, 'ok', opensslPublic),
    p('openssl/pkcs8-private.der', null, 'ok', opensslPublic),
    p('openssl/pkcs1-private.pem', null, 'ok', opensslPublic),
    p('openssl/pbes2-aes256-private.pem', PASSWORD, 'ok', opensslPublic),
    p('openssl/pbes2-des3-private.pem', PASSWORD, 'ok', opensslPublic),
    p('openssl/pbes2-aes128-sha1-private.pem', PASSWORD, 'ok', opensslPublic),
    p('openssl/traditional-aes256-private.pem', PASSWORD, 'ok', opensslPublic),
    p('openssl/traditional-des3-private.pem', PASSWORD, 'ok', opensslPublic),
    p('openssl/big-4096-private.pem', null, 'ok'),
    p('openssl/small-1024-private.pem', null, 'InvalidKey'),
    p('openssl/ec-p256-private.pem', null, 'InvalidKey'),
    p('openssl/ed25519-private.pem', null, 'InvalidKey'),
    p('openssl/spki-public.pem', null, 'InvalidKey'),
  ];
  for (const file of ['tmobile/pbes1-md5-des-a-private.pem', 'tmobile/pbes2-aes256-a-private.pem', 'openssl/pbes2-aes256-private.pem',
    'openssl/pbes2-des3-private.pem', 'openssl/pbes2-aes128-sha1-private.pem', 'openssl/traditional-aes256-private.pem',
    'openssl/traditional-des3-private.pem']) {
    privateKeys.push(p(file, 'wrong-password', 'KeyDecrypt'));
    privateKeys.push(p(file, null, 'KeyDecrypt'));
  }
  const publicKeys = [
    p('openssl/spki-public.pem', null, 'ok', opensslPublic),
    p('openssl/pkcs1-public.pem', null, 'ok', opensslPublic),
    p('tmobile/pkcs1-public.pem', null, 'ok', 'tmobile/spki-public-same-as-pkcs1.pem'),
    p('tmobile/spki-public-same-as-pkcs1.pem', null, 'ok', 'tmobile/pkcs1-public.pem'),
    p('tmobile/validator-demo.jwk.json', null, 'ok', 'tmobile/validator-demo-jwk-public.pem'),
    p('tmobile/invalid-spki-public.pem', null, 'InvalidKey'),
    p('tmobile/invalid-pkcs1-public.pem', null, 'InvalidKey'),
    p('openssl/pkcs8-private.pem', null, 'InvalidKey'),
  ];
  return { private_keys: privateKeys, public_keys: publicKeys };
}

// ---------------------------------------------------------------- output

const NOTE = 'Generated by tests/conformance/generate-vectors.js with tmo-poptoken-builder@1.0.0; do not edit. '
  + 'Key paths are relative to tests/keys; keys ending in .json are JWKs; every password is the one given.';

function main() {
  const outputs = {
    'tokens.json': { note: NOTE, cases: tokenCases() },
    'request.json': { note: NOTE, cases: requestCases() },
    'validator.json': { note: NOTE, defaults: { leeway_secs: 10, max_age_secs: 60 }, cases: validatorCases() },
    'keys.json': { note: NOTE, ...keyCases() },
    'policy.json': { note: NOTE, cases: policyCases() },
  };
  const check = process.argv.includes('--check');
  let stale = [];
  fs.mkdirSync(OUT, { recursive: true });
  for (const [file, content] of Object.entries(outputs)) {
    const text = `${JSON.stringify(content, null, 1)}\n`;
    const target = path.join(OUT, file);
    if (check) {
      if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) stale.push(file);
    } else {
      fs.writeFileSync(target, text);
    }
  }
  if (stale.length) {
    console.error(`conformance vectors differ from the official builder's output: ${stale.join(', ')}`);
    console.error('regenerate with: (cd tests/conformance && npm ci && node generate-vectors.js)');
    process.exit(1);
  }
  console.log(check ? 'conformance vectors match the official builder' : `wrote ${Object.keys(outputs).length} files to tests/vectors`);
}

main();
