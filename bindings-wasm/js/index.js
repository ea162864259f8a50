// taap-wasm: T-Mobile API Access Protocol PoP tokens from the taap Rust core in WebAssembly.
// The API is the one the Node package `taap` has (shared/, from bindings-js/src, over
// backend.js); this entry adds what only this door has: free() for keys, the callback
// `Signer` (taken wherever a key is), the async signRequestAsync, the error table and ready().

import * as core from './backend.js';
import * as args from './shared/args.js';
import { settle } from './shared/errors.js';
import { INSPECT, inspected } from './shared/inspect.js';
import { PrivateKey, addKeyKind, addMembers, detachPrivateKey, publicHandleOf, publicKeyFromHandle } from './shared/keys.js';
import { prepareSignRequest } from './shared/sign-request.js';

export * from './shared/index.js';
export { ERROR_KINDS, KIND_CLASSES } from './shared/errors.js';

const INTERNAL = Symbol('taap.internal');

/** Resolves once the WebAssembly module is loaded: always already true after `import`. */
export function ready() {
  return Promise.resolve();
}

addMembers(PrivateKey.prototype, {
  /** Drops the key and wipes its secret numbers from wasm memory; later use throws TypeError. */
  free() {
    detachPrivateKey(this)?.free();
  },

  /** `using key = PrivateKey.fromPem(…)` frees the key at the end of the block. */
  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.free();
  },
});

let signerOf;

/**
 * A key whose RS256 signatures a function makes (a key in another service, a device, a
 * worker): taken wherever a PrivateKey is. Every signature is checked against the public key
 * (length, verification) before a token carries it: else SignatureInvalidError.
 */
export class Signer {
  #signer;
  #publicKey;

  constructor(token, signer) {
    if (token !== INTERNAL) throw new TypeError('Signer has no public constructor; use Signer.fromCallback()');
    this.#signer = signer;
  }

  static {
    signerOf = (signer) => signer.#signer;
  }

  /**
   * A signer that calls `sign(digest)` for each signature: `digest` is the 32-byte SHA-256 of
   * the JWS signing input (a Uint8Array), the answer the PKCS#1 v1.5 signature under
   * `publicKey` (a Uint8Array), or a Promise of one for the async builders. `options.label`
   * names the key in messages; it is never a secret.
   */
  static fromCallback(publicKey, sign, options) {
    const handle = publicHandleOf(publicKey, 'publicKey');
    if (typeof sign !== 'function') throw args.fail('sign', 'a function taking the digest (a Uint8Array)', sign);
    const opts = args.options(options, 'options', ['label']);
    const label = args.optionalString(opts.label, 'options.label');
    return new Signer(INTERNAL, core.callbackSigner(handle, sign, label));
  }

  /** What the signer is: `'callback'`. */
  get kind() {
    return this.#signer.handle.kind;
  }

  /** A name for the key (the label given, else its size and thumbprint); never a secret. */
  get label() {
    return this.#signer.handle.label;
  }

  /** The modulus size in bits. */
  get bits() {
    return this.#signer.handle.bits;
  }

  /** The public key every signature verifies under. */
  publicKey() {
    this.#publicKey ??= publicKeyFromHandle(this.#signer.handle.publicKey());
    return this.#publicKey;
  }

  /** `{ kind, label, bits }`: what identifies the signer, never its function. */
  toJSON() {
    return { kind: this.kind, label: this.label, bits: this.bits };
  }

  /** Kind, label and bits in util.inspect and console.log. */
  [INSPECT](depth, options, inspect) {
    return inspected('Signer', this.toJSON(), options, inspect);
  }
}

// Taken wherever a PrivateKey is (PopToken.build…, signRequest): backend.js signs with either.
addKeyKind(Signer, (signer) => signerOf(signer), 'a Signer');

/** `signRequest` as a Promise: WebCrypto signs for a PrivateKey (imported non-extractable); a Signer's callback may answer later. */
export async function signRequestAsync(key, input, init, options) {
  const { signArgs, finish } = prepareSignRequest(key, input, init, options);
  return finish(await settle(() => core.signRequestAsync(...signArgs)));
}
