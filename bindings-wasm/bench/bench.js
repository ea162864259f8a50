// Tokens per second in this browser for one PoP token over the docs' example request:
// taap-wasm sync (pure Rust), taap-wasm async (WebCrypto signature), T-Mobile's page's path
// (jsrsasign's KJUR.jws.JWS.sign with the PEM, as poptoken-builder.js calls it), and a
// hand-written WebCrypto builder of the same token. The runner reads window.results.

import { PopToken, PrivateKey } from './pkg/index.js';

const params = new URLSearchParams(location.search);
const SECONDS = Number(params.get('seconds') ?? 1.5);
const ROUNDS = Number(params.get('rounds') ?? 3);
const PEM = await (await fetch('./keys/readme-private-pkcs8.pem')).text();
const EHTS = [
  ['Content-Type', 'application/json'],
  ['Authorization', 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS'],
  ['uri', '/commerce/v1/orders'],
  ['http-method', 'POST'],
  ['body', '{"orderId": 100, "product": "Mobile Phone"}'],
];
const ENCODER = new TextEncoder();

/** T-Mobile's buildPopToken (poptoken-builder.js), with crypto.randomUUID for its GUID. */
function tmobile(ehts, pem) {
  const claim = {};
  let names = '';
  let values = '';
  for (const [name, value] of ehts) {
    if (names.length > 0) names += ';';
    names += name;
    values += value;
  }
  const now = Math.floor(Date.now() / 1000);
  claim.edts = hextob64u(KJUR.crypto.Util.sha256(values));
  claim.v = '1';
  claim.exp = now + 120;
  claim.ehts = names;
  claim.iat = KJUR.jws.IntDate.get('now');
  claim.jti = crypto.randomUUID();
  return KJUR.jws.JWS.sign(null, JSON.stringify({ alg: 'RS256', typ: 'JWT' }), JSON.stringify(claim), pem);
}

const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const HEADER = base64url(ENCODER.encode('{"alg":"RS256","typ":"JWT"}'));

/** The same token with WebCrypto only: key imported once (non-extractable), claims by hand. */
async function plainWebCrypto(ehts, cryptoKey) {
  const digest = await crypto.subtle.digest('SHA-256', ENCODER.encode(ehts.map(([, value]) => value).join('')));
  const now = Math.floor(Date.now() / 1000);
  const claims = { edts: base64url(digest), v: '1', exp: now + 120, ehts: ehts.map(([name]) => name).join(';'), iat: now, jti: crypto.randomUUID() };
  const input = `${HEADER}.${base64url(ENCODER.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', cryptoKey, ENCODER.encode(input));
  return `${input}.${base64url(signature)}`;
}

function pkcs8Der(pem) {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

/** Tokens per second of `build` (awaited one at a time when async) over `seconds`. */
async function rate(build, seconds) {
  const start = performance.now();
  let count = 0;
  let elapsed = 0;
  while (elapsed < seconds) {
    const result = build();
    if (result instanceof Promise) await result;
    count += 1;
    elapsed = (performance.now() - start) / 1000;
  }
  return count / elapsed;
}

const key = PrivateKey.fromPem(PEM);
const cryptoKey = await crypto.subtle.importKey('pkcs8', pkcs8Der(PEM), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
const rows = {
  'taap-wasm PopToken.build (sync)': () => PopToken.build(key, EHTS),
  'taap-wasm PopToken.buildAsync (WebCrypto)': () => PopToken.buildAsync(key, EHTS),
  "T-Mobile's page path (jsrsasign JWS.sign)": () => tmobile(EHTS, PEM),
  'plain WebCrypto, same token': () => plainWebCrypto(EHTS, cryptoKey),
};

// Each builder's token must verify before it is timed: a fast wrong token proves nothing.
const privateKey = KEYUTIL.getKey(PEM);
const publicKey = KEYUTIL.getKey({ n: privateKey.n.toString(16), e: privateKey.e.toString(16) });
for (const [name, build] of Object.entries(rows)) {
  if (!KJUR.jws.JWS.verify(await build(), publicKey, ['RS256'])) throw new Error(`${name}: the token does not verify`);
}

// Interleaved rounds, best round per row: a busy machine disturbs the ratios less.
const best = Object.fromEntries(Object.keys(rows).map((name) => [name, 0]));
for (const build of Object.values(rows)) await rate(build, 0.3);
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, build] of Object.entries(rows)) best[name] = Math.max(best[name], await rate(build, SECONDS));
}
key.free();
window.results = { userAgent: navigator.userAgent, rates: best };
document.getElementById('out').textContent = JSON.stringify(window.results, null, 2);
