'use strict';
// The Node-only members of the shared key classes: key files, and key generation on the libuv
// thread pool.

const native = require('./native');
const args = require('./shared/args.js');
const { call, settle } = require('./shared/errors.js');
const { PrivateKey, PublicKey, addMembers, keyBits, privateKeyFromHandle, publicKeyFromHandle } = require('./shared/keys.js');

/** A file path: a string or a `file:` URL. */
function filePath(value, what) {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return require('node:url').fileURLToPath(value);
  throw args.fail(what, 'a path string or a file: URL', value);
}

addMembers(PrivateKey, {
  /** Loads a PEM or DER key file. */
  fromFile(path, password) {
    const file = filePath(path, 'path');
    const secret = args.optionalBytes(password, 'password');
    return privateKeyFromHandle(call(() => native.PrivateKeyHandle.fromFile(file, secret)));
  },

  /** Like `generate`, on the libuv thread pool. */
  async generateAsync(bitCount) {
    const bits = keyBits(bitCount);
    return privateKeyFromHandle(await settle(() => native.PrivateKeyHandle.generateAsync(bits)));
  },
});

addMembers(PublicKey, {
  /** Loads a PEM, DER or JWK file. */
  fromFile(path) {
    const file = filePath(path, 'path');
    return publicKeyFromHandle(call(() => native.PublicKeyHandle.fromFile(file)));
  },
});

module.exports = { PrivateKey, PublicKey, filePath };
