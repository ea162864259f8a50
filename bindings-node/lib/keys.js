'use strict';
// PrivateKey and PublicKey: parsed once by the core, reusable, never shown in inspect output.

const { inspect } = require('node:util');
const native = require('./native');
const { call, settle } = require('./errors');
const args = require('./args');

const INTERNAL = Symbol('taap.internal');

function internalOnly(name, token) {
  if (token !== INTERNAL) {
    throw new TypeError(`${name} has no public constructor; use ${name}.fromPem() or another ${name}.from… method`);
  }
}

/** A native key handle from one of its factories, failures as TaapError subclasses. */
function publicFrom(factory, ...values) {
  return call(() => native.PublicKeyHandle[factory](...values));
}

function privateFrom(factory, ...values) {
  return call(() => native.PrivateKeyHandle[factory](...values));
}

function keyBits(value) {
  return value === undefined ? 2048 : args.integer(value, 'bits');
}

let publicHandleOf;

/** An RSA public key; verifies PoP tokens. */
class PublicKey {
  #handle;

  constructor(token, handle) {
    internalOnly('PublicKey', token);
    this.#handle = handle;
  }

  static {
    publicHandleOf = (key, what) => {
      if (!(key instanceof PublicKey)) {
        throw args.fail(what, 'a PublicKey (load one with PublicKey.fromPem or PublicKey.fromJwk)', key);
      }
      return key.#handle;
    };
  }

  /** Loads SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`) PEM. */
  static fromPem(pem) {
    return new PublicKey(INTERNAL, publicFrom('fromPem', args.bytes(pem, 'pem')));
  }

  /** Loads SPKI or PKCS#1 DER. */
  static fromDer(der) {
    return new PublicKey(INTERNAL, publicFrom('fromDer', asBinary(der, 'der')));
  }

  /** Loads an RSA JWK (JSON text or object) or a JWK set holding one RSA key. */
  static fromJwk(jwk) {
    let text = jwk;
    if (typeof jwk !== 'string') {
      if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
        throw args.fail('jwk', 'a JSON string or a JWK object', jwk);
      }
      text = JSON.stringify(jwk);
    }
    return new PublicKey(INTERNAL, publicFrom('fromJwk', text));
  }

  /** Loads a PEM, DER or JWK file. */
  static fromFile(path) {
    return new PublicKey(INTERNAL, publicFrom('fromFile', args.filePath(path, 'path')));
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

  /** The RFC 7638 JWK thumbprint (SHA-256, base64url): a stable, non-secret key id. */
  thumbprint() {
    return this.#handle.thumbprint();
  }

  /** Whether `other` is the same public key. */
  equals(other) {
    return other instanceof PublicKey && this.#handle.equals(other.#handle);
  }

  /** The JWK, so `JSON.stringify(publicKey)` gives something useful. */
  toJSON() {
    return this.toJwk();
  }

  [inspect.custom](depth, options, show) {
    return `PublicKey ${show({ bits: this.bits, thumbprint: this.thumbprint() }, options)}`;
  }
}

let privateHandleOf;

/** An RSA private key, parsed once; sign any number of tokens with it, from any thread. */
class PrivateKey {
  #handle;
  #publicKey;

  constructor(token, handle) {
    internalOnly('PrivateKey', token);
    this.#handle = handle;
  }

  static {
    privateHandleOf = (key, what) => {
      if (key instanceof PrivateKey) return key.#handle;
      if (typeof key === 'string' || ArrayBuffer.isView(key)) {
        // A PEM handed to every call, as with tmo-poptoken-builder: parsed once, then cached.
        return privateFrom('cached', args.bytes(key, what));
      }
      throw args.fail(what, 'a PrivateKey or an unencrypted PEM string/Buffer', key);
    };
  }

  /** Loads PKCS#8, encrypted PKCS#8 or PKCS#1 PEM; `password` only for encrypted keys. */
  static fromPem(pem, password) {
    const handle = privateFrom('fromPem', args.bytes(pem, 'pem'), args.optionalBytes(password, 'password'));
    return new PrivateKey(INTERNAL, handle);
  }

  /** Loads PKCS#8, encrypted PKCS#8 or PKCS#1 DER. */
  static fromDer(der, password) {
    const handle = privateFrom('fromDer', asBinary(der, 'der'), args.optionalBytes(password, 'password'));
    return new PrivateKey(INTERNAL, handle);
  }

  /** Loads a PEM or DER key file. */
  static fromFile(path, password) {
    const handle = privateFrom('fromFile', args.filePath(path, 'path'), args.optionalBytes(password, 'password'));
    return new PrivateKey(INTERNAL, handle);
  }

  /** Generates a new key pair: 2048 bits (the default), 3072, 4096 or 8192. Blocks while it runs. */
  static generate(bitCount) {
    return new PrivateKey(INTERNAL, privateFrom('generate', keyBits(bitCount)));
  }

  /** Like `generate`, on the libuv thread pool. */
  static async generateAsync(bitCount) {
    const bits = keyBits(bitCount);
    return new PrivateKey(INTERNAL, await settle(() => native.PrivateKeyHandle.generateAsync(bits)));
  }

  /** The matching public key. */
  publicKey() {
    this.#publicKey ??= new PublicKey(INTERNAL, this.#handle.publicKey());
    return this.#publicKey;
  }

  /** The modulus size in bits. */
  get bits() {
    return this.#handle.bits;
  }

  /** Unencrypted PKCS#8 PEM. This is the secret key: store it like a password. */
  toPem() {
    return this.#handle.toPem();
  }

  /** Unencrypted PKCS#8 DER. This is the secret key: store it like a password. */
  toDer() {
    return this.#handle.toDer();
  }

  /** Never the key material: `JSON.stringify` of a private key shows only what identifies it. */
  toJSON() {
    return { bits: this.bits, thumbprint: this.publicKey().thumbprint() };
  }

  [inspect.custom](depth, options, show) {
    return `PrivateKey ${show(this.toJSON(), options)}`;
  }
}

/** DER input: bytes only, since a string cannot hold binary faithfully. */
function asBinary(value, what) {
  if (typeof value === 'string') throw args.fail(what, 'a Buffer/Uint8Array', value);
  return args.bytes(value, what);
}

module.exports = { PrivateKey, PublicKey, privateHandleOf, publicHandleOf };
