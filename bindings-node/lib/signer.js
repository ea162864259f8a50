'use strict';
// Signer: a key taap never holds (a PKCS#11 token, AWS KMS, a function of yours), taken wherever
// a PrivateKey is. Node only: the wasm package has no PKCS#11 module to load and no thread to
// wait on a callback from.
//
// A callback is called with the 32-byte SHA-256 digest of the JWS signing input and answers
// with the PKCS#1 v1.5 signature. A synchronous callback (returning a Buffer) signs for every
// call; an async one (returning a Promise) for the async ones only: PopToken.buildAsync,
// forRequestAsync and TaapClient, which build on a thread of their own and wait for the
// Promise (src/signer.rs). The core checks every signature against the public key.

const native = require('./native');
const args = require('./shared/args.js');
const { call } = require('./shared/errors.js');
const { INSPECT, inspected } = require('./shared/inspect.js');
const { addKeyKind, publicHandleOf, publicKeyFromHandle } = require('./shared/keys.js');

const INTERNAL = Symbol('taap.internal');
const CALLBACK_OPTIONS = ['label', 'timeout'];
const URI_OPTIONS = ['password'];
/** Seconds an async build waits for a callback's Promise. */
const DEFAULT_TIMEOUT_SECS = 30;
const MAX_TIMEOUT_SECS = 3600;
const ASYNC_IN_SYNC =
  'returned a Promise to a synchronous call; an async callback signs for PopToken.buildAsync, ' +
  'PopToken.forRequestAsync and TaapClient only (return a Buffer to sign for PopToken.build, forRequest and signRequest too)';

/** What a thrown or rejected value was, for the error: its class and message, cut short. */
function describeFailure(error) {
  if (!(error instanceof Error)) return args.typeName(error);
  const text = `${error.name}: ${error.message}`;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The core's CallbackOutcome for what the function answered. */
function answered(value) {
  if (value instanceof Uint8Array) return { kind: 'ok', signature: value };
  return { kind: 'SignatureInvalid', detail: `returned ${args.typeName(value)}, not a Buffer` };
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

/** `sign` as a synchronous build calls it, on the JavaScript thread; it never throws. */
function syncCaller(sign) {
  return (digest) => {
    let value;
    try {
      value = sign(digest);
    } catch (error) {
      return { kind: 'Transport', detail: `threw ${describeFailure(error)}` };
    }
    if (isThenable(value)) {
      // Nothing waits for it any more; its rejection must not end the process.
      Promise.resolve(value).catch(() => {});
      return { kind: 'TypeError', detail: ASYNC_IN_SYNC };
    }
    return answered(value);
  };
}

/** `sign` as an async build calls it: the answer, once settled, goes to the waiting thread. */
function asyncCaller(sign) {
  // The native side passes [digest, call id] as one array.
  return ([digest, id]) => {
    const settle = (outcome) => {
      try {
        native.settleSignature(id, outcome);
      } catch {
        native.settleSignature(id, { kind: 'SignatureInvalid', detail: 'returned a signature taap could not read' });
      }
    };
    let pending;
    try {
      pending = Promise.resolve(sign(digest));
    } catch (error) {
      settle({ kind: 'Transport', detail: `threw ${describeFailure(error)}` });
      return;
    }
    pending.then(answered, (error) => ({ kind: 'Transport', detail: `rejected with ${describeFailure(error)}` })).then(settle);
  };
}

/** The timeout option in whole milliseconds. */
function timeoutMs(value) {
  if (value === undefined || value === null) return DEFAULT_TIMEOUT_SECS * 1000;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw args.fail('options.timeout', 'a number of seconds', value);
  if (value <= 0 || value > MAX_TIMEOUT_SECS) {
    throw new RangeError(`options.timeout must be above 0 and at most ${MAX_TIMEOUT_SECS} seconds, got ${value}`);
  }
  return Math.max(1, Math.round(value * 1000));
}

/** A URI or path: a string, or a `file:` URL. */
function uriText(value) {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return value.protocol === 'file:' ? require('node:url').fileURLToPath(value) : value.href;
  throw args.fail('uri', 'a string (a pkcs11: URI, an aws-kms: key or a key file path) or a URL', value);
}

let handleOf;

/**
 * A key that makes RS256 signatures and knows its public key: one in a PKCS#11 token or AWS KMS
 * (`Signer.fromUri`), one your function reaches (`Signer.fromCallback`), or a key file. Taken
 * wherever a PrivateKey is.
 */
class Signer {
  #handle;
  #publicKey;

  constructor(token, handle) {
    if (token !== INTERNAL) throw new TypeError('Signer has no public constructor; use Signer.fromUri() or Signer.fromCallback()');
    this.#handle = handle;
    Object.freeze(this);
  }

  static {
    handleOf = (signer) => signer.#handle;
  }

  /**
   * Opens the key `uri` names: a `pkcs11:` URI (RFC 7512), an `aws-kms:` key (ARN,
   * `alias/NAME` or id), or else a PEM/DER private key file. `password` decrypts an encrypted
   * key file, or is the PIN of a `pkcs11:` URI that gives none itself. Logs in to the token
   * (or asks KMS for the public key) before it returns.
   */
  static fromUri(uri, options) {
    const spec = uriText(uri);
    const opts = args.options(options, 'options', URI_OPTIONS);
    const password = args.optionalBytes(opts.password, 'options.password');
    return new Signer(INTERNAL, call(() => native.SignerHandle.fromUri(spec, password)));
  }

  /**
   * A signer that calls `sign(digest)` for each signature: `digest` is the 32-byte SHA-256 of
   * the JWS signing input (a Buffer), the answer the PKCS#1 v1.5 signature under `publicKey`,
   * a Buffer or a Promise of one (async callbacks sign for the async calls only). `label` names
   * the key in messages; `timeout` (seconds, default 30) bounds the wait for a Promise.
   */
  static fromCallback(publicKey, sign, options) {
    const publicHandle = publicHandleOf(publicKey, 'publicKey');
    if (typeof sign !== 'function') throw args.fail('sign', 'a function taking the digest (a Buffer)', sign);
    const opts = args.options(options, 'options', CALLBACK_OPTIONS);
    const label = args.optionalString(opts.label, 'options.label');
    const timeout = timeoutMs(opts.timeout);
    const handle = call(() => native.SignerHandle.fromCallback(publicHandle, syncCaller(sign), asyncCaller(sign), label, timeout));
    return new Signer(INTERNAL, handle);
  }

  /** `'pkcs11'`, `'aws-kms'`, `'callback'`, `'in-memory'` (a key file) or `'other'`. */
  get kind() {
    return this.#handle.kind;
  }

  /** A name for the key (a URI without its PIN, a KMS key id, a thumbprint); never a secret. */
  get label() {
    return this.#handle.label;
  }

  /** The public key every signature verifies under (a method, as PrivateKey's). */
  publicKey() {
    this.#publicKey ??= publicKeyFromHandle(this.#handle.publicKey());
    return this.#publicKey;
  }

  /** The modulus size in bits. */
  get bits() {
    return this.publicKey().bits;
  }

  /** `{ kind, label }`: what identifies the key, never a PIN. */
  toJSON() {
    return { kind: this.kind, label: this.label };
  }

  /** `Signer(pkcs11: pkcs11:token=…;object=… (slot 0, module …))`. */
  toString() {
    return `Signer(${this.kind}: ${this.label})`;
  }

  /** Kind and label in util.inspect and console.log. */
  [INSPECT](depth, options, inspect) {
    return inspected('Signer', this.toJSON(), options, inspect);
  }
}

addKeyKind(Signer, (signer) => handleOf(signer), 'a Signer');

module.exports = { Signer };
