// The WebAssembly module in the shape the shared JavaScript (shared/, from bindings-js/src)
// calls: one function per core operation, each throwing the core's coded errors
// (bindings-js/README.md lists them; Node's lib/backend.js implements the same list). Here
// text becomes UTF-8 bytes, pairs are packed into one copy, decoded tokens become plain
// objects, and every signature made in JavaScript (WebCrypto for an in-memory key in the async
// builders, a callback signer's function) takes one path: core signing input, JavaScript
// signature, core check and attach (`signedOutside`).

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

/**
 * The in-memory `key` as a signer made in JavaScript: WebCrypto signs the signing input itself
 * (RSASSA-PKCS1-v1_5 hashes what it is given). Its handle shares the key: free it after use.
 */
function webCryptoSigner(key) {
  return {
    handle: wasm.SignerHandle.forKey(key),
    owned: true,
    async sign(input) {
      if (!signingKeys.has(key)) signingKeys.set(key, importSigningKey(key));
      return new Uint8Array(await globalThis.crypto.subtle.sign(RSASSA, await signingKeys.get(key), ENCODER.encode(input)));
    },
  };
}

/** A short description of a value's type for messages; never the value. */
function typeName(value) {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return value.constructor?.name ? `an instance of ${value.constructor.name}` : 'an object';
  return `a ${typeof value}`.replace(/^a (?=[aeiou])/, 'an ');
}

/** Whether `value` is a Promise or another thenable. */
function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

/** The error a callback threw (or rejected with), as the core's Transport kind; it is the `cause`. */
function callbackFailed(handle, thrown, threw) {
  const error = handle.failed(thrown instanceof Error ? thrown.name : typeName(thrown), threw);
  error.cause = thrown;
  return error;
}

/**
 * A callback signer: `sign(digest)` answers with the PKCS#1 v1.5 signature over the 32-byte
 * SHA-256 digest of the signing input (the core computes it), or a Promise of one.
 */
export const callbackSigner = (publicKey, sign, label) => {
  const handle = wasm.SignerHandle.callback(publicKey, label);
  return {
    handle,
    owned: false,
    /** The answer as it is (maybe a Promise); a throw is the Transport error. */
    sign(input) {
      try {
        return sign(wasm.SignerHandle.digest(input));
      } catch (thrown) {
        throw callbackFailed(handle, thrown, true);
      }
    },
    /** The settled answer; a rejection is the Transport error. */
    async settled(answer) {
      try {
        return await answer;
      } catch (thrown) {
        throw callbackFailed(handle, thrown, false);
      }
    },
  };
};

/** `header.payload` of the token over the ehts `makeEhts` builds (freed after), for `signer`. */
function signingInput(signer, makeEhts, options) {
  const ehts = makeEhts();
  try {
    return signer.handle.signingInput(ehts, ...options);
  } finally {
    ehts.free();
  }
}

/** Bytes as the core takes them; anything else is the signer's SignatureInvalid error. */
function signatureBytes(signer, answer) {
  if (answer instanceof Uint8Array) return answer;
  if (answer instanceof ArrayBuffer) return new Uint8Array(answer);
  throw signer.handle.refused(`returned ${typeName(answer)}, not bytes (a Uint8Array)`);
}

/** The token, once the core has checked `answer` (its length, its verification) and attached it. */
function attached(signer, input, answer) {
  return signer.handle.attach(input, signatureBytes(signer, answer));
}

/**
 * Every signature made in JavaScript takes this one path: the core builds `header.payload`, the
 * signer signs (a callback given the digest, WebCrypto given the input), the core checks the
 * signature and attaches it. Async: a callback may answer with a Promise.
 */
async function signedOutside(signer, makeEhts, options) {
  try {
    const input = signingInput(signer, makeEhts, options);
    const answer = signer.sign(input);
    return attached(signer, input, signer.settled ? await signer.settled(answer) : await answer);
  } finally {
    if (signer.owned) signer.handle.free();
  }
}

/** `signedOutside` for a synchronous build: the callback must answer with the signature itself. */
function signedOutsideNow(signer, makeEhts, options) {
  const input = signingInput(signer, makeEhts, options);
  const answer = signer.sign(input);
  if (isThenable(answer)) {
    // Nobody awaits it: its rejection must not go unhandled.
    Promise.resolve(answer).catch(() => {});
    const error = new Error(
      `the callback signer (${signer.handle.label}) returned a Promise to a synchronous build; ` +
        'use PopToken.buildAsync, PopToken.forRequestAsync or signRequestAsync, which await it',
    );
    error.code = 'ERR_INVALID_ARG_TYPE';
    throw error;
  }
  return attached(signer, input, answer);
}

/** Signs synchronously: an in-memory key in wasm (pure Rust), a callback signer by calling it. */
function signedNow(key, makeEhts, options) {
  return key instanceof wasm.PrivateKeyHandle ? signedInWasm(key, makeEhts, options) : signedOutsideNow(key, makeEhts, options);
}

/** Signs as a Promise: an in-memory key with WebCrypto, a callback signer awaiting its answer. */
function signedLater(key, makeEhts, options) {
  return signedOutside(key instanceof wasm.PrivateKeyHandle ? webCryptoSigner(key) : key, makeEhts, options);
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

// `key` is a private key handle or a callback signer (`callbackSigner`).
export const build = (key, names, values, ...options) => signedNow(key, pairEhts(names, values), options);
export const buildAsync = async (key, names, values, ...options) => signedLater(key, pairEhts(names, values), options);
export const forRequest = (key, method, url, names, values, body, ...options) =>
  signedNow(key, requestEhts(method, url, names, values, body), options);
export const forRequestAsync = async (key, method, url, names, values, body, ...options) =>
  signedLater(key, requestEhts(method, url, names, values, body), options);
export const decode = (token) => plainToken(wasm.decode(token));

export const docsPolicy = () => wasm.SignPolicyHandle.docs();
export const headersPolicy = (names) => wasm.SignPolicyHandle.headers(names);
export const allHeadersPolicy = () => wasm.SignPolicyHandle.allHeaders();
export const selectHeaders = (policy, names, values) => policy.select(names, values);
export const signRequest = (policy, key, method, url, names, values, body, ...options) =>
  signedNow(key, policyEhts(policy, method, url, names, values, body), options);
/** wasm's own: `signRequest` as a Promise (WebCrypto for an in-memory key; a callback may answer later). */
export const signRequestAsync = async (policy, key, method, url, names, values, body, ...options) =>
  signedLater(key, policyEhts(policy, method, url, names, values, body), options);
export const requestUri = (url) => wasm.requestUri(url);
export const requestMethod = (method) => wasm.requestMethod(method);

export const validator = (...options) => new wasm.ValidatorHandle(...options);
export const defaultReplayCapacity = () => wasm.ValidatorHandle.defaultReplayCapacity();
export const validate = (validator, token, key, names, values, now) => plainToken(validator.validate(token, key, ...packed(names, values), now));
export const validateRequest = (validator, key, method, target, names, values, body, now, uriForm) =>
  plainToken(validator.validateRequest(key, method, target, ...packed(names, values), utf8(body), now, uriForm));
export const explain = (token, method, url, names, values, body, key, now) =>
  wasm.explain(token, method, url, ...packed(names, values), utf8(body), key?.toDer(), now);
