// PrivateKey and PublicKey: parsed once by the core, reusable, never shown in inspect output.
// A door adds its own members (Node: files and the libuv pool; wasm: free) with addMembers.

import * as core from '../backend.js';
import * as args from './args.js';
import { call } from './errors.js';
import { INSPECT, inspected } from './inspect.js';

const INTERNAL = Symbol('taap.internal');

/** Refuses `new PublicKey()`: keys come from the static factories. */
function internalOnly(name, token) {
  if (token !== INTERNAL) {
    throw new TypeError(`${name} has no public constructor; use ${name}.fromPem() or another ${name}.from… method`);
  }
}

/** Key sizes for generation: 2048 bits unless given. */
export function keyBits(value) {
  return value === undefined ? 2048 : args.integer(value, 'bits');
}

/** Adds a door's own members to a shared class or prototype the way class syntax defines them. */
export function addMembers(target, members) {
  for (const name of Reflect.ownKeys(members)) {
    Object.defineProperty(target, name, { value: members[name], writable: true, configurable: true, enumerable: false });
  }
}

let publicHandle;

/** An RSA public key; verifies PoP tokens. */
export class PublicKey {
  #handle;

  constructor(token, handle) {
    internalOnly('PublicKey', token);
    this.#handle = handle;
  }

  static {
    publicHandle = (key) => key.#handle;
  }

  /** Loads SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`) PEM. */
  static fromPem(pem) {
    const data = args.bytes(pem, 'pem');
    return new PublicKey(INTERNAL, call(() => core.publicKeyFromPem(data)));
  }

  /** Loads SPKI or PKCS#1 DER. */
  static fromDer(der) {
    const data = args.binary(der, 'der');
    return new PublicKey(INTERNAL, call(() => core.publicKeyFromDer(data)));
  }

  /** Loads an RSA JWK (JSON text or object) or a JWK set holding one RSA key. */
  static fromJwk(jwk) {
    let text = jwk;
    if (typeof jwk !== 'string') {
      if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw args.fail('jwk', 'a JSON string or a JWK object', jwk);
      text = JSON.stringify(jwk);
    }
    return new PublicKey(INTERNAL, call(() => core.publicKeyFromJwk(text)));
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

  /** Bits and thumbprint in util.inspect and console.log. */
  [INSPECT](depth, options, inspect) {
    return inspected('PublicKey', { bits: this.bits, thumbprint: this.thumbprint() }, options, inspect);
  }
}

let privateHandle;
let dropHandle;

/** An RSA private key, parsed once; sign any number of tokens with it. */
export class PrivateKey {
  #handle;
  #publicKey;

  constructor(token, handle) {
    internalOnly('PrivateKey', token);
    this.#handle = handle;
  }

  static {
    privateHandle = (key, what) => {
      if (key.#handle === undefined) throw new TypeError(`${what} was freed; load the key again`);
      return key.#handle;
    };
    dropHandle = (key) => {
      const handle = key.#handle;
      key.#handle = undefined;
      key.#publicKey = undefined;
      return handle;
    };
  }

  /** Loads PKCS#8, encrypted PKCS#8 or PKCS#1 PEM; `password` only for encrypted keys. */
  static fromPem(pem, password) {
    const data = args.bytes(pem, 'pem');
    const secret = args.optionalBytes(password, 'password');
    return new PrivateKey(INTERNAL, call(() => core.privateKeyFromPem(data, secret)));
  }

  /** Loads PKCS#8, encrypted PKCS#8 or PKCS#1 DER. */
  static fromDer(der, password) {
    const data = args.binary(der, 'der');
    const secret = args.optionalBytes(password, 'password');
    return new PrivateKey(INTERNAL, call(() => core.privateKeyFromDer(data, secret)));
  }

  /** Generates a new key pair: 2048 bits (the default), 3072, 4096 or 8192. Blocks while it runs. */
  static generate(bitCount) {
    const bits = keyBits(bitCount);
    return new PrivateKey(INTERNAL, call(() => core.generatePrivateKey(bits)));
  }

  /** The matching public key. */
  publicKey() {
    this.#publicKey ??= new PublicKey(INTERNAL, privateHandle(this, 'this key').publicKey());
    return this.#publicKey;
  }

  /** The modulus size in bits. */
  get bits() {
    return privateHandle(this, 'this key').bits;
  }

  /** Unencrypted PKCS#8 PEM. This is the secret key: store it like a password. */
  toPem() {
    return privateHandle(this, 'this key').toPem();
  }

  /** Unencrypted PKCS#8 DER. This is the secret key: store it like a password. */
  toDer() {
    return privateHandle(this, 'this key').toDer();
  }

  /** Never the key material: `JSON.stringify` of a private key shows only what identifies it. */
  toJSON() {
    if (this.#handle === undefined) return { freed: true };
    return { bits: this.bits, thumbprint: this.publicKey().thumbprint() };
  }

  /** Bits and thumbprint in util.inspect and console.log. */
  [INSPECT](depth, options, inspect) {
    const shown = this.toJSON();
    return shown.freed ? 'PrivateKey { freed }' : inspected('PrivateKey', shown, options, inspect);
  }
}

const signerKinds = [];

/**
 * Lets a door take its own kind of key wherever a PrivateKey is taken (Node: `Signer`): `cls`'s
 * instances give their core handle through `handleOf(key, what)`; `name` joins the TypeError's
 * list of what a key may be.
 */
export function addKeyKind(cls, handleOf, name) {
  signerKinds.push({ cls, handleOf, name });
}

/** The core handle of a PrivateKey (or a door's own key kind), or of an unencrypted PEM given in its place (parsed once, then cached). */
export function privateHandleOf(key, what) {
  if (key instanceof PrivateKey) return privateHandle(key, what);
  if (typeof key === 'string' || ArrayBuffer.isView(key)) {
    // A PEM handed to every call, as with tmo-poptoken-builder: parsed once, then cached.
    const data = args.bytes(key, what);
    return call(() => core.privateKeyCached(data));
  }
  for (const kind of signerKinds) if (key instanceof kind.cls) return kind.handleOf(key, what);
  const kinds = ['a PrivateKey', ...signerKinds.map((kind) => kind.name)].join(', ');
  throw args.fail(what, `${kinds} or an unencrypted PEM string/Uint8Array`, key);
}

/** The core handle of a PublicKey argument. */
export function publicHandleOf(key, what) {
  if (!(key instanceof PublicKey)) throw args.fail(what, 'a PublicKey (load one with PublicKey.fromPem or PublicKey.fromJwk)', key);
  return publicHandle(key);
}

/** A PrivateKey around a core handle a door made itself (a file, another thread). */
export function privateKeyFromHandle(handle) {
  return new PrivateKey(INTERNAL, handle);
}

/** A PublicKey around a core handle a door made itself. */
export function publicKeyFromHandle(handle) {
  return new PublicKey(INTERNAL, handle);
}

/** Detaches the core handle from `key` and returns it (undefined when already freed); later use throws TypeError. */
export function detachPrivateKey(key) {
  return dropHandle(key);
}
