// The WebAssembly module in the shape the shared JavaScript (shared/, from bindings-js/src)
// calls: one function per core operation, each throwing the core's coded errors
// (bindings-js/README.md lists them; Node's lib/backend.js implements the same list). Here
// text becomes UTF-8 bytes, pairs are packed into one copy, decoded tokens become plain
// objects, and the async signers let WebCrypto make the RS256 signature.

import init, * as wasm from './taap_wasm.js';

const WASM_URL = new URL('./taap_wasm_bg.wasm', import.meta.url);
const ENCODER = new TextEncoder();
const RSASSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** Loads the module: from disk under Node (no fetch of file: URLs there), else by URL. */
async function load() {
  const isNode = typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
  if (isNode && WASM_URL.protocol === 'file:') {
    const { readFileSync } = await import('node:fs');
    wasm.initSync({ module: readFileSync(WASM_URL) });
  } else {
    await init({ module_or_path: WASM_URL });
  }
}

// Importing the package is all the set-up: the module is ready once the import resolves.
await load();

/** Text as its UTF-8 bytes, bytes as they are: what the module's byte parameters take. */
function utf8(value) {
  return typeof value === 'string' ? ENCODER.encode(value) : value;
}

/** An optional text or bytes argument (a password): absent stays absent. */
function optionalUtf8(value) {
  return value === undefined ? undefined : utf8(value);
}

/** Values as the module takes them: the names, every value's bytes back to back, their lengths. */
function packed(names, values) {
  const encoded = values.map(utf8);
  const lengths = Uint32Array.from(encoded, (value) => value.length);
  const joined = new Uint8Array(lengths.reduce((total, length) => total + length, 0));
  let offset = 0;
  for (const value of encoded) {
    joined.set(value, offset);
    offset += value.length;
  }
  return [names, joined, lengths];
}

/** A decoded token as a plain object; the module's copy is freed. */
function plainToken(decoded) {
  try {
    const { token, alg, typ, edts, v, exp, ehts, iat, jti } = decoded;
    return { token, alg, typ, edts, v, exp, ehts, iat, jti };
  } finally {
    decoded.free();
  }
}

/** Signs the ehts `makeEhts` builds with the core's RS256 (pure Rust), freeing them after. */
function signedInWasm(key, makeEhts, options) {
  const ehts = makeEhts();
  try {
    return wasm.sign(key, ehts, ...options);
  } finally {
    ehts.free();
  }
}

// WebCrypto copies of private keys, imported once per key handle.
const signingKeys = new WeakMap();

/** A WebCrypto key of the same secret, imported non-extractable: page scripts cannot read it back. */
async function importSigningKey(key) {
  const der = key.toDer();
  try {
    return await globalThis.crypto.subtle.importKey('pkcs8', der, RSASSA, false, ['sign']);
  } finally {
    der.fill(0);
  }
}

/** The core builds `header.payload`; WebCrypto signs it; the core attaches the signature. */
async function signedByWebCrypto(key, makeEhts, options) {
  const ehts = makeEhts();
  let input;
  try {
    input = wasm.signingInput(ehts, key.bits, ...options);
  } finally {
    ehts.free();
  }
  if (!signingKeys.has(key)) signingKeys.set(key, importSigningKey(key));
  const signature = await globalThis.crypto.subtle.sign(RSASSA, await signingKeys.get(key), ENCODER.encode(input));
  return wasm.attachSignature(input, new Uint8Array(signature));
}

const pairEhts = (names, values) => () => wasm.EhtsHandle.fromPairs(...packed(names, values));
const requestEhts = (method, url, names, values, body) => () => wasm.EhtsHandle.forRequest(method, url, ...packed(names, values), utf8(body));
const policyEhts = (policy, method, url, names, values, body) => () => policy.ehts(method, url, ...packed(names, values), utf8(body));

export const errorKinds = () => wasm.errorKinds();
export const coreVersion = () => wasm.coreVersion();
export const settingsSchema = () => wasm.settingsSchema();

export const privateKeyFromPem = (pem, password) => wasm.PrivateKeyHandle.fromPem(utf8(pem), optionalUtf8(password));
export const privateKeyFromDer = (der, password) => wasm.PrivateKeyHandle.fromDer(der, optionalUtf8(password));
export const privateKeyCached = (bytes) => wasm.PrivateKeyHandle.cached(utf8(bytes));
export const generatePrivateKey = (bits) => wasm.PrivateKeyHandle.generate(bits);
export const publicKeyFromPem = (pem) => wasm.PublicKeyHandle.fromPem(utf8(pem));
export const publicKeyFromDer = (der) => wasm.PublicKeyHandle.fromDer(der);
export const publicKeyFromJwk = (jwk) => wasm.PublicKeyHandle.fromJwk(jwk);

export const build = (key, names, values, ...options) => signedInWasm(key, pairEhts(names, values), options);
export const buildAsync = async (key, names, values, ...options) => signedByWebCrypto(key, pairEhts(names, values), options);
export const forRequest = (key, method, url, names, values, body, ...options) =>
  signedInWasm(key, requestEhts(method, url, names, values, body), options);
export const forRequestAsync = async (key, method, url, names, values, body, ...options) =>
  signedByWebCrypto(key, requestEhts(method, url, names, values, body), options);
export const decode = (token) => plainToken(wasm.decode(token));

export const docsPolicy = () => wasm.SignPolicyHandle.docs();
export const headersPolicy = (names) => wasm.SignPolicyHandle.headers(names);
export const allHeadersPolicy = () => wasm.SignPolicyHandle.allHeaders();
export const selectHeaders = (policy, names, values) => policy.select(names, values);
export const signRequest = (policy, key, method, url, names, values, body, ...options) =>
  signedInWasm(key, policyEhts(policy, method, url, names, values, body), options);
/** wasm's own: `signRequest` with the signature from WebCrypto. */
export const signRequestAsync = async (policy, key, method, url, names, values, body, ...options) =>
  signedByWebCrypto(key, policyEhts(policy, method, url, names, values, body), options);
export const requestUri = (url) => wasm.requestUri(url);
export const requestMethod = (method) => wasm.requestMethod(method);

export const validator = (...options) => new wasm.ValidatorHandle(...options);
export const defaultReplayCapacity = () => wasm.ValidatorHandle.defaultReplayCapacity();
export const validate = (validator, token, key, names, values, now) => plainToken(validator.validate(token, key, ...packed(names, values), now));
export const validateRequest = (validator, key, method, target, names, values, body, now, uriForm) =>
  plainToken(validator.validateRequest(key, method, target, ...packed(names, values), utf8(body), now, uriForm));
export const explain = (token, method, url, names, values, body, key, now) =>
  wasm.explain(token, method, url, ...packed(names, values), utf8(body), key?.toDer(), now);
