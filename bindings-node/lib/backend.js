'use strict';
// The native core in the shape the shared JavaScript (lib/shared, from bindings-js/src) calls:
// one function per core operation, each throwing the core's coded errors. bindings-js/README.md
// lists the functions; the wasm package implements the same list over its module.

const native = require('./native');

module.exports = {
  errorKinds: () => native.errorKinds(),
  coreVersion: () => native.coreVersion(),
  settingsSchema: () => native.settingsSchema(),

  privateKeyFromPem: (pem, password) => native.PrivateKeyHandle.fromPem(pem, password),
  privateKeyFromDer: (der, password) => native.PrivateKeyHandle.fromDer(der, password),
  privateKeyCached: (bytes) => native.PrivateKeyHandle.cached(bytes),
  generatePrivateKey: (bits) => native.PrivateKeyHandle.generate(bits),
  publicKeyFromPem: (pem) => native.PublicKeyHandle.fromPem(pem),
  publicKeyFromDer: (der) => native.PublicKeyHandle.fromDer(der),
  publicKeyFromJwk: (jwk) => native.PublicKeyHandle.fromJwk(jwk),

  build: (...request) => native.build(...request),
  // The async builders sign on the libuv thread pool.
  buildAsync: (...request) => native.buildAsync(...request),
  forRequest: (...request) => native.forRequest(...request),
  forRequestAsync: (...request) => native.forRequestAsync(...request),
  decode: (token) => native.decode(token),

  docsPolicy: () => native.SignPolicyHandle.docs(),
  headersPolicy: (names) => native.SignPolicyHandle.headers(names),
  allHeadersPolicy: () => native.SignPolicyHandle.allHeaders(),
  selectHeaders: (policy, names, values) => policy.select(names, values).map(({ index, value }) => [index, value]),
  signRequest: (policy, ...request) => policy.sign(...request),
  requestUri: (url) => native.requestUri(url),
  requestMethod: (method) => native.requestMethod(method),

  validator: (...options) => new native.ValidatorHandle(...options),
  defaultReplayCapacity: () => native.ValidatorHandle.defaultReplayCapacity(),
  validate: (validator, ...check) => validator.validate(...check),
  validateRequest: (validator, ...check) => validator.validateRequest(...check),
  explain: (...request) => JSON.parse(native.explain(...request)),
};
