// taap-wasm: T-Mobile API Access Protocol PoP tokens from the taap Rust core in WebAssembly.
// The API is the one the Node package `taap` has (shared/, from bindings-js/src, over
// backend.js); this entry adds what only this door has: free() for keys, the WebCrypto
// signRequestAsync, the error table and ready().

import * as core from './backend.js';
import { settle } from './shared/errors.js';
import { PrivateKey, addMembers, detachPrivateKey } from './shared/keys.js';
import { prepareSignRequest } from './shared/sign-request.js';

export * from './shared/index.js';
export { ERROR_KINDS, KIND_CLASSES } from './shared/errors.js';

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

/** `signRequest` with the signature from WebCrypto (same bytes; the key is imported non-extractable). */
export async function signRequestAsync(key, input, init, options) {
  const { signArgs, finish } = prepareSignRequest(key, input, init, options);
  return finish(await settle(() => core.signRequestAsync(...signArgs)));
}
