// taap-wasm: T-Mobile API Access Protocol PoP tokens from the taap Rust core in WebAssembly.
// Mirrors the Node package `taap` (names, shapes, error codes); this file only checks
// arguments, converts values and errors, and runs WebCrypto for the async signer.

import init, * as core from './taap_wasm.js';

const WASM_URL = new URL('./taap_wasm_bg.wasm', import.meta.url);

/** Loads the module: from disk under Node (no fetch of file: URLs there), else by URL. */
async function load() {
  const isNode = typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
  if (isNode && WASM_URL.protocol === 'file:') {
    const { readFileSync } = await import('node:fs');
    core.initSync({ module: readFileSync(WASM_URL) });
  } else {
    await init({ module_or_path: WASM_URL });
  }
}

// Importing the package is all the set-up: the module is ready once the import resolves.
await load();

/** Resolves once the WebAssembly module is loaded: always already true after `import`. */
export function ready() {
  return Promise.resolve();
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const INTERNAL = Symbol('taap.internal');
const ENCODER = new TextEncoder();

// ---- errors: one class per row of the core's error table ----------------------------------

/** Base class of every error taap raises for a failed operation. */
export class TaapError extends Error {
  constructor(message, options) {
    super(message, options);
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true });
    this.code = new.target.code;
  }
}

/** The OAuth kind's class, which also keeps the server's HTTP status. */
class OAuthErrorClass extends TaapError {
  constructor(message, options = {}) {
    super(message, options);
    this.status = options.status;
  }
}

/** The core's error table: `{ name, code, description }` per kind, in the core's order. */
export const ERROR_KINDS = Object.freeze(core.errorKinds().map((row) => Object.freeze({ ...row })));

const CLASSES = ERROR_KINDS.map(({ name, code }) => {
  const className = `${name}Error`;
  const cls = name === 'OAuth'
    ? { [className]: class extends OAuthErrorClass {} }[className]
    : { [className]: class extends TaapError {} }[className];
  cls.code = code;
  return cls;
});
const BY_CODE = new Map(CLASSES.map((cls) => [cls.code, cls]));

/** Every kind's class by class name, e.g. `TokenExpiredError`, in the core's order. */
export const KIND_CLASSES = Object.freeze(Object.fromEntries(CLASSES.map((cls) => [cls.name, cls])));
export const {
  // BEGIN GENERATED error kinds (core/tests/declarations.rs)
  InvalidKeyError,
  KeyDecryptError,
  InvalidEhtsError,
  InvalidTokenError,
  TokenExpiredError,
  TokenTooOldError,
  SignatureInvalidError,
  EdtsMismatchError,
  MissingEhtsValueError,
  ReplayError,
  OAuthError,
  TransportError,
  ConfigError,
  // END GENERATED
} = KIND_CLASSES;

function translate(error) {
  const cls = error && BY_CODE.get(error.code);
  if (cls) return new cls(error.message, { status: error.status });
  if (error && error.code === 'ERR_INVALID_ARG_TYPE') return new TypeError(error.message);
  return error;
}

/** Runs a core call, rethrowing its failure as a TaapError subclass. */
function call(coreCall) {
  try {
    return coreCall();
  } catch (error) {
    throw translate(error);
  }
}

// ---- argument checks (wrong types: TypeError; never the value in a message) ---------------

function typeName(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = value.constructor && value.constructor.name;
    return name ? `an instance of ${name}` : 'an object';
  }
  return `a ${typeof value}`.replace(/^a (?=[aeiou])/, 'an ');
}

function fail(what, expected, value) {
  return new TypeError(`${what} must be ${expected}, got ${typeName(value)}`);
}

/** Text (as UTF-8) or any bytes, as a Uint8Array. */
function bytes(value, what) {
  if (typeof value === 'string') return ENCODER.encode(value);
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw fail(what, 'a string or a Uint8Array', value);
}

function optionalBytes(value, what) {
  return value === undefined || value === null ? undefined : bytes(value, what);
}

function string(value, what) {
  if (typeof value !== 'string') throw fail(what, 'a string', value);
  return value;
}

/** A whole number the core can take; beyond the safe range it is the core's Config kind. */
function integer(value, what) {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw fail(what, 'an integer number', value);
  if (!Number.isSafeInteger(value)) {
    throw new ConfigError(`invalid configuration: ${what} ${value} is outside the safe integer range`);
  }
  return value;
}

function optionalInteger(value, what) {
  return value === undefined || value === null ? undefined : integer(value, what);
}

function epochSeconds(value, what) {
  if (value instanceof Date) {
    const millis = value.getTime();
    if (Number.isNaN(millis)) throw new TypeError(`${what} is an invalid Date`);
    return Math.floor(millis / 1000);
  }
  return integer(value, `${what} (epoch seconds)`);
}

function optionalEpochSeconds(value, what) {
  return value === undefined || value === null ? undefined : epochSeconds(value, what);
}

/** An options object (or nothing) whose keys are all known: a typo must not be ignored. */
function options(value, what, known) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw fail(what, 'an object', value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`${what} has an unknown option '${key}'; known options: ${known.join(', ')}`);
    }
  }
  return value;
}

function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Ordered (name, value) pairs from a Map, pairs, any iterable of pairs or a plain object. */
function pairs(value, what, convert = bytes) {
  const names = [];
  const values = [];
  const add = (name, item, at) => {
    names.push(string(name, `the name of ${what}${at}`));
    values.push(convert(item, `the value of ${what}${at}`));
  };
  if (isPlainObject(value)) {
    for (const name of Object.keys(value)) add(name, value[name], `[${JSON.stringify(name)}]`);
  } else if (value instanceof Map) {
    let index = 0;
    for (const [name, item] of value) add(name, item, ` entry ${index++}`);
  } else if (value !== null && typeof value === 'object' && typeof value[Symbol.iterator] === 'function') {
    let index = 0;
    for (const pair of value) {
      if (!Array.isArray(pair) || pair.length !== 2) throw fail(`${what}[${index}]`, 'a [name, value] pair', pair);
      add(pair[0], pair[1], `[${index++}]`);
    }
  } else {
    throw fail(what, 'a Map, an array of [name, value] pairs or a plain object', value);
  }
  return [names, values];
}

/** Pairs as the core takes them: names, the values back to back, and their lengths. */
function packed(value, what, convert = bytes) {
  const [names, values] = pairs(value, what, convert);
  return [names, ...pack(values)];
}

function pack(values) {
  const lengths = new Uint32Array(values.length);
  let total = 0;
  values.forEach((value, index) => {
    lengths[index] = value.length;
    total += value.length;
  });
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const value of values) {
    joined.set(value, offset);
    offset += value.length;
  }
  return [joined, lengths];
}

const NO_PAIRS = [[], new Uint8Array(0), new Uint32Array(0)];

function urlText(value, what) {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return value.href;
  throw fail(what, 'a string or a URL', value);
}

/** A request body as the bytes that are sent: nothing, a string, bytes or URLSearchParams. */
function body(value, what) {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (value instanceof URLSearchParams) return ENCODER.encode(value.toString());
  if (typeof value === 'string' || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return bytes(value, what);
  throw fail(what, 'a string, a Uint8Array, an ArrayBuffer or URLSearchParams (a stream cannot be signed before it is sent)', value);
}

function internalOnly(name, token) {
  if (token !== INTERNAL) {
    throw new TypeError(`${name} has no public constructor; use ${name}.fromPem() or another ${name}.from… method`);
  }
}

function asBinary(value, what) {
  if (typeof value === 'string') throw fail(what, 'a Uint8Array', value);
  return bytes(value, what);
}

// ---- keys ----------------------------------------------------------------------------------

let publicHandleOf;

/** An RSA public key; verifies PoP tokens. */
export class PublicKey {
  #handle;

  constructor(token, handle) {
    internalOnly('PublicKey', token);
    this.#handle = handle;
  }

  static {
    publicHandleOf = (key, what) => {
      if (!(key instanceof PublicKey)) {
        throw fail(what, 'a PublicKey (load one with PublicKey.fromPem or PublicKey.fromJwk)', key);
      }
      return key.#handle;
    };
  }

  /** Loads SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`) PEM. */
  static fromPem(pem) {
    const data = bytes(pem, 'pem');
    return new PublicKey(INTERNAL, call(() => core.PublicKeyHandle.fromPem(data)));
  }

  /** Loads SPKI or PKCS#1 DER. */
  static fromDer(der) {
    const data = asBinary(der, 'der');
    return new PublicKey(INTERNAL, call(() => core.PublicKeyHandle.fromDer(data)));
  }

  /** Loads an RSA JWK (JSON text or object) or a JWK set holding one RSA key. */
  static fromJwk(jwk) {
    let text = jwk;
    if (typeof jwk !== 'string') {
      if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw fail('jwk', 'a JSON string or a JWK object', jwk);
      text = JSON.stringify(jwk);
    }
    return new PublicKey(INTERNAL, call(() => core.PublicKeyHandle.fromJwk(text)));
  }

  /** The modulus size in bits. */
  get bits() {
    return this.#handle.bits;
  }

  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as T-Mobile registers public keys. */
  toPem() {
    return this.#handle.toPem();
  }

  /** PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`). */
  toPkcs1Pem() {
    return this.#handle.toPkcs1Pem();
  }

  /** SPKI DER. */
  toDer() {
    return this.#handle.toDer();
  }

  /** The public JWK: kty, n, e, alg RS256, use sig and the thumbprint as kid. */
  toJwk() {
    return JSON.parse(this.#handle.toJwk());
  }

  /** The RFC 7638 JWK thumbprint: a stable, non-secret key id. */
  thumbprint() {
    return this.#handle.thumbprint();
  }

  /** Whether `other` is the same public key. */
  equals(other) {
    return other instanceof PublicKey && this.#handle.equals(other.#handle);
  }

  /** The JWK. */
  toJSON() {
    return this.toJwk();
  }

  [INSPECT]() {
    return `PublicKey { bits: ${this.bits}, thumbprint: '${this.thumbprint()}' }`;
  }
}

let privateHandleOf;
let cryptoKeyOf;

const RSASSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** An RSA private key, parsed once; free it (or `using` it) to wipe it from wasm memory. */
export class PrivateKey {
  #handle;
  #publicKey;
  #cryptoKey;

  constructor(token, handle) {
    internalOnly('PrivateKey', token);
    this.#handle = handle;
  }

  static {
    privateHandleOf = (key, what) => {
      if (key instanceof PrivateKey) {
        if (key.#handle === undefined) throw new TypeError(`${what} was freed; load the key again`);
        return key.#handle;
      }
      if (typeof key === 'string' || ArrayBuffer.isView(key)) {
        // A PEM handed to every call, as with tmo-poptoken-builder: parsed once, then cached.
        const data = bytes(key, what);
        return call(() => core.PrivateKeyHandle.cached(data));
      }
      throw fail(what, 'a PrivateKey or an unencrypted PEM string/Uint8Array', key);
    };
    cryptoKeyOf = (key, what) => {
      const handle = privateHandleOf(key, what);
      if (!(key instanceof PrivateKey)) return importSigningKey(handle);
      key.#cryptoKey ??= importSigningKey(handle);
      return key.#cryptoKey;
    };
  }

  /** Loads PKCS#8, encrypted PKCS#8 or PKCS#1 PEM; `password` only for encrypted keys. */
  static fromPem(pem, password) {
    const data = bytes(pem, 'pem');
    const secret = optionalBytes(password, 'password');
    return new PrivateKey(INTERNAL, call(() => core.PrivateKeyHandle.fromPem(data, secret)));
  }

  /** Loads PKCS#8, encrypted PKCS#8 or PKCS#1 DER. */
  static fromDer(der, password) {
    const data = asBinary(der, 'der');
    const secret = optionalBytes(password, 'password');
    return new PrivateKey(INTERNAL, call(() => core.PrivateKeyHandle.fromDer(data, secret)));
  }

  /** Generates a key pair: 2048 bits (the default), 3072, 4096 or 8192. Blocks while it runs. */
  static generate(bitCount) {
    const bits = bitCount === undefined ? 2048 : integer(bitCount, 'bits');
    return new PrivateKey(INTERNAL, call(() => core.PrivateKeyHandle.generate(bits)));
  }

  /** The matching public key. */
  publicKey() {
    this.#publicKey ??= new PublicKey(INTERNAL, privateHandleOf(this, 'this key').publicKey());
    return this.#publicKey;
  }

  /** The modulus size in bits. */
  get bits() {
    return privateHandleOf(this, 'this key').bits;
  }

  /** Unencrypted PKCS#8 PEM. This is the secret key: store it like a password. */
  toPem() {
    return privateHandleOf(this, 'this key').toPem();
  }

  /** Unencrypted PKCS#8 DER. This is the secret key: store it like a password. */
  toDer() {
    return privateHandleOf(this, 'this key').toDer();
  }

  /** Drops the key and wipes its secret numbers from wasm memory; later use throws TypeError. */
  free() {
    const handle = this.#handle;
    this.#handle = undefined;
    this.#cryptoKey = undefined;
    handle?.free();
  }

  /** `using key = PrivateKey.fromPem(…)` frees the key at the end of the block. */
  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.free();
  }

  /** Never the key material: only what identifies it. */
  toJSON() {
    if (this.#handle === undefined) return { freed: true };
    return { bits: this.bits, thumbprint: this.publicKey().thumbprint() };
  }

  [INSPECT]() {
    const shown = this.toJSON();
    return shown.freed ? 'PrivateKey { freed }' : `PrivateKey { bits: ${shown.bits}, thumbprint: '${shown.thumbprint}' }`;
  }
}

/** A WebCrypto key of the same secret, imported non-extractable: page scripts cannot read it back. */
async function importSigningKey(handle) {
  const der = handle.toDer();
  try {
    return await globalThis.crypto.subtle.importKey('pkcs8', der, RSASSA, false, ['sign']);
  } finally {
    der.fill(0);
  }
}

// ---- tokens --------------------------------------------------------------------------------

const BUILD_OPTIONS = ['ttlSecs', 'iat', 'jti'];
const REQUEST_FIELDS = ['method', 'url', 'headers', 'body'];

/** `[ttlSecs, iat, jti]` for the core; absent ones keep its defaults. */
function buildOptions(value) {
  const opts = options(value, 'options', BUILD_OPTIONS);
  return [
    optionalInteger(opts.ttlSecs, 'options.ttlSecs'),
    optionalEpochSeconds(opts.iat, 'options.iat'),
    opts.jti === undefined || opts.jti === null ? undefined : string(opts.jti, 'options.jti'),
  ];
}

/** The core's ehts for `{ method, url, headers, body }`. */
function requestEhts(request) {
  if (request === undefined || request === null) throw fail('request', 'an object with method and url', request);
  const fields = options(request, 'request', REQUEST_FIELDS);
  const method = fields.method === undefined ? 'GET' : string(fields.method, 'request.method');
  const url = urlText(fields.url, 'request.url');
  const headers = fields.headers === undefined || fields.headers === null ? NO_PAIRS : packed(fields.headers, 'request.headers');
  const data = body(fields.body, 'request.body');
  return () => core.EhtsHandle.forRequest(method, url, ...headers, data);
}

function pairEhts(ehts) {
  const args = packed(ehts, 'ehts');
  return () => core.EhtsHandle.fromPairs(...args);
}

/** Signs the ehts `makeEhts` builds with the core's RS256. */
function signSync(handle, makeEhts, rest) {
  return call(() => {
    const ehts = makeEhts();
    try {
      return core.sign(handle, ehts, ...rest);
    } finally {
      ehts.free();
    }
  });
}

/** The core builds `header.payload`; WebCrypto signs it; the core attaches the signature. */
async function signAsync(key, makeEhts, rest) {
  const handle = privateHandleOf(key, 'key');
  const bits = handle.bits;
  const input = call(() => {
    const ehts = makeEhts();
    try {
      return core.signingInput(ehts, bits, ...rest);
    } finally {
      ehts.free();
    }
  });
  const cryptoKey = await cryptoKeyOf(key, 'key');
  const signature = await globalThis.crypto.subtle.sign(RSASSA, cryptoKey, ENCODER.encode(input));
  return core.attachSignature(input, new Uint8Array(signature));
}

/** A PoP token: build one with the static methods, or decode one with `PopToken.decode`. */
export class PopToken {
  constructor(token, decoded) {
    if (token !== INTERNAL) {
      throw new TypeError('PopToken has no public constructor; use PopToken.build(), PopToken.forRequest() or PopToken.decode()');
    }
    this.token = decoded.token;
    this.header = Object.freeze({ alg: decoded.alg, typ: decoded.typ ?? undefined });
    this.claims = Object.freeze({
      edts: decoded.edts,
      v: decoded.v,
      exp: decoded.exp,
      ehts: Object.freeze(decoded.ehts),
      iat: decoded.iat,
      jti: decoded.jti,
    });
    decoded.free();
    Object.freeze(this);
  }

  /** Builds a PoP token over ordered ehts (a Map, [name, value] pairs or a plain object), in wasm. */
  static build(key, ehts, opts) {
    const makeEhts = pairEhts(ehts);
    const handle = privateHandleOf(key, 'key');
    return signSync(handle, makeEhts, buildOptions(opts));
  }

  /** `build` with the signature from WebCrypto (same bytes; the key is imported non-extractable). */
  static async buildAsync(key, ehts, opts) {
    const makeEhts = pairEhts(ehts);
    return signAsync(key, makeEhts, buildOptions(opts));
  }

  /** Builds the PoP token for one HTTP request: its headers, `uri`, `http-method` and `body`. */
  static forRequest(key, request, opts) {
    const handle = privateHandleOf(key, 'key');
    return signSync(handle, requestEhts(request), buildOptions(opts));
  }

  /** `forRequest` with the signature from WebCrypto. */
  static async forRequestAsync(key, request, opts) {
    const makeEhts = requestEhts(request);
    return signAsync(key, makeEhts, buildOptions(opts));
  }

  /** Decodes a token's header and claims without verifying it (PopTokenValidator verifies). */
  static decode(token) {
    const text = string(token, 'token');
    return new PopToken(INTERNAL, call(() => core.decode(text)));
  }

  /** Seconds from `now` (epoch seconds or a Date; default: the clock) until `exp`. */
  expiresIn(now) {
    const at = now === undefined ? Math.floor(Date.now() / 1000) : epochSeconds(now, 'now');
    return this.claims.exp - at;
  }

  toString() {
    return this.token;
  }
}

// ---- validator -----------------------------------------------------------------------------

const VALIDATOR_OPTIONS = ['leewaySecs', 'maxAgeSecs', 'required', 'replayCache'];

function receivedValue(value, what) {
  return bytes(Array.isArray(value) ? value[0] : value, what);
}

/** Checks PoP tokens the way an API gateway must: signature, time, coverage, edts, replay. */
export class PopTokenValidator {
  #handle;

  /** `leewaySecs` (10), `maxAgeSecs` (60), `required` names, `replayCache`: `true` or a capacity. */
  constructor(opts) {
    const o = options(opts, 'options', VALIDATOR_OPTIONS);
    const leeway = optionalInteger(o.leewaySecs, 'options.leewaySecs');
    const maxAge = optionalInteger(o.maxAgeSecs, 'options.maxAgeSecs');
    let required = [];
    if (o.required !== undefined && o.required !== null) {
      if (!Array.isArray(o.required)) throw fail('options.required', 'an array of ehts names', o.required);
      required = o.required.map((name, index) => string(name, `options.required[${index}]`));
    }
    let replay;
    if (o.replayCache === true) replay = core.ValidatorHandle.defaultReplayCapacity();
    else if (o.replayCache !== undefined && o.replayCache !== null && o.replayCache !== false) {
      replay = integer(o.replayCache, 'options.replayCache');
    }
    this.#handle = call(() => new core.ValidatorHandle(leeway, maxAge, required, replay));
  }

  /** Validates `token` against `publicKey` and the request's values by name. */
  validate(token, publicKey, ehts, opts) {
    const o = options(opts, 'options', ['now']);
    const values = packed(ehts, 'ehts');
    const text = string(token, 'token');
    const key = publicHandleOf(publicKey, 'publicKey');
    const now = optionalEpochSeconds(o.now, 'options.now');
    return new PopToken(INTERNAL, call(() => this.#handle.validate(text, key, ...values, now)));
  }

  /** Validates the PoP token a request as received carries in X-Authorization. */
  validateRequest(publicKey, request, opts) {
    if (request === undefined || request === null) throw fail('request', 'an object with method and url', request);
    const fields = options(request, 'request', REQUEST_FIELDS);
    const o = options(opts, 'options', ['now', 'uriForm']);
    const method = string(fields.method, 'request.method');
    const target = urlText(fields.url, 'request.url');
    let headers = fields.headers;
    if (isPlainObject(headers)) headers = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));
    const values = headers === undefined || headers === null ? NO_PAIRS : packed(headers, 'request.headers', receivedValue);
    const data = body(fields.body, 'request.body');
    const key = publicHandleOf(publicKey, 'publicKey');
    const now = optionalEpochSeconds(o.now, 'options.now');
    const uriForm = o.uriForm === undefined || o.uriForm === null ? undefined : string(o.uriForm, "options.uriForm ('decoded' or 'encoded')");
    return new PopToken(INTERNAL, call(() => this.#handle.validateRequest(key, method, target, ...values, data, now, uriForm)));
  }
}

// ---- request rules -------------------------------------------------------------------------

let policyHandleOf;

/** Which headers of an outgoing request a PoP token signs (default: the docs' Content-Type, Authorization). */
export class SignPolicy {
  #handle;

  constructor(internal, handle) {
    if (internal === INTERNAL) this.#handle = handle;
    else if (internal === undefined) this.#handle = core.SignPolicyHandle.docs();
    else throw new TypeError('new SignPolicy() takes no arguments; use SignPolicy.headers(names) or SignPolicy.allHeaders()');
    Object.freeze(this);
  }

  static {
    policyHandleOf = (policy, what) => {
      if (!(policy instanceof SignPolicy)) throw fail(what, 'a SignPolicy', policy);
      return policy.#handle;
    };
  }

  /** Signs exactly these headers, in this order, each when the request has it. */
  static headers(names) {
    if (!Array.isArray(names)) throw fail('names', 'an array of header names', names);
    const list = names.map((name, index) => string(name, `names[${index}]`));
    return new SignPolicy(INTERNAL, call(() => core.SignPolicyHandle.headers(list)));
  }

  /** Signs every header the request carries, in the request's order. */
  static allHeaders() {
    return new SignPolicy(INTERNAL, core.SignPolicyHandle.allHeaders());
  }

  /** A new policy that also signs header `name`. */
  withHeader(name) {
    const text = string(name, 'name');
    return new SignPolicy(INTERNAL, call(() => this.#handle.withHeader(text)));
  }

  /** A new policy that never signs header `name`. */
  withoutHeader(name) {
    const text = string(name, 'name');
    return new SignPolicy(INTERNAL, call(() => this.#handle.withoutHeader(text)));
  }

  /** The `[name, value]` pairs of `headers` this policy signs, in signing order, values trimmed. */
  select(headers) {
    const [names, values] = pairs(headers, 'headers', string);
    return this.#handle.select(names, values).map(([index, value]) => [names[index], value]);
  }

  /** Whether `other` selects the same headers. */
  equals(other) {
    return other instanceof SignPolicy && this.#handle.equals(policyHandleOf(other, 'other'));
  }

  toString() {
    return `SignPolicy(${this.#handle.describe() || 'no headers'})`;
  }

  [INSPECT]() {
    return this.toString();
  }
}

/** The `uri` value of a URL or path: path plus percent-decoded query, as the gateway compares it. */
export function requestUri(url) {
  const text = urlText(url, 'url');
  return call(() => core.requestUri(text));
}

/** The `http-method` value: the method upper-cased, which must be an HTTP token. */
export function requestMethod(method) {
  const text = string(method, 'method');
  return call(() => core.requestMethod(text));
}

// ---- signRequest ---------------------------------------------------------------------------

const HEADER = 'X-Authorization';
const SIGN_OPTIONS = ['ttlSecs', 'iat', 'jti', 'signHeaders', 'policy'];
let docsPolicy;

function isRequestLike(input) {
  return input !== null && typeof input === 'object' && !(input instanceof URL) && typeof input.url === 'string';
}

function isPopHeader(name) {
  return name.toLowerCase() === HEADER.toLowerCase();
}

function policyOf(opts) {
  const given = (value) => value !== undefined && value !== null;
  if (given(opts.policy) && given(opts.signHeaders)) throw new TypeError('pass options.policy or options.signHeaders, not both');
  if (given(opts.policy)) return policyHandleOf(opts.policy, 'options.policy');
  if (!given(opts.signHeaders)) return policyHandleOf((docsPolicy ??= new SignPolicy()), 'options.policy');
  if (!Array.isArray(opts.signHeaders)) throw fail('options.signHeaders', 'an array of header names', opts.signHeaders);
  return policyHandleOf(SignPolicy.headers(opts.signHeaders), 'options.signHeaders');
}

function withToken(source, token) {
  if (source === undefined || source === null) return { [HEADER]: token };
  if (typeof Headers === 'function' && source instanceof Headers) {
    const copy = new Headers(source);
    copy.set(HEADER, token);
    return copy;
  }
  if (source instanceof Map) return new Map([...source].filter(([name]) => !isPopHeader(name))).set(HEADER, token);
  if (isPlainObject(source)) {
    const copy = {};
    for (const name of Object.keys(source)) if (!isPopHeader(name)) copy[name] = source[name];
    copy[HEADER] = token;
    return copy;
  }
  return [...[...source].filter(([name]) => !isPopHeader(name)), [HEADER, token]];
}

/** The ehts the options' policy picks for a fetch() input and init, and a function making the result. */
function prepareSign(key, input, init, opts) {
  if (init !== undefined && init !== null && (typeof init !== 'object' || Array.isArray(init))) {
    throw fail('init', 'a fetch RequestInit object', init);
  }
  const request = isRequestLike(input) ? input : undefined;
  const url = request ? request.url : urlText(input, 'input');
  const fields = init ?? {};
  const method = fields.method ?? (request ? request.method : 'GET');
  const headerSource = fields.headers ?? (request ? request.headers : undefined);
  if (request && request.body && fields.body === undefined) {
    throw new TypeError('the Request has a body; pass it again as init.body (a stream cannot be signed before it is sent)');
  }
  const o = options(opts, 'options', SIGN_OPTIONS);
  const policy = policyOf(o);
  privateHandleOf(key, 'key');
  const methodText = string(method, 'init.method');
  const headers = headerSource === undefined || headerSource === null ? NO_PAIRS : packed(headerSource, 'init.headers', (v, w) => bytes(string(v, w), w));
  const data = body(fields.body, 'init.body');
  const rest = buildOptions({ ttlSecs: o.ttlSecs, iat: o.iat, jti: o.jti });
  const makeEhts = () => policy.ehts(methodText, url, ...headers, data);
  const finish = (token) => ({ ...fields, method, headers: withToken(headerSource, token) });
  return { makeEhts, rest, finish };
}

/**
 * Returns a copy of `init` with an X-Authorization PoP token over the headers the core's
 * signing policy picks (the docs' Content-Type and Authorization by default), the URL's path
 * and query, the method and the body, ready for `fetch(input, signed)`.
 */
export function signRequest(key, input, init, opts) {
  const { makeEhts, rest, finish } = prepareSign(key, input, init, opts);
  return finish(signSync(privateHandleOf(key, 'key'), makeEhts, rest));
}

/** `signRequest` with the signature from WebCrypto (same bytes). */
export async function signRequestAsync(key, input, init, opts) {
  const { makeEhts, rest, finish } = prepareSign(key, input, init, opts);
  return finish(await signAsync(key, makeEhts, rest));
}

/** The version of the Rust core compiled into this package. */
export const coreVersion = core.coreVersion();
