'use strict';
// taap for Node.js: T-Mobile API Access Protocol PoP tokens, the request signer and the
// gateway-side validator, on the native Rust core. The API both JavaScript doors share comes
// from lib/shared (made from bindings-js/src by scripts/shared.js); Node adds key files,
// generateAsync, Signer, KeySource (the middleware's rotating keys) and the client.

require('./lib/keys');
const { Signer } = require('./lib/signer');
const { KeySource } = require('./lib/key-source');
const { AccessToken, TaapClient } = require('./lib/client');

// `...require(…)` and plain names only: Node reads this shape to give index.mjs its named exports.
module.exports = {
  ...require('./lib/shared/index.js'),
  Signer,
  KeySource,
  TaapClient,
  AccessToken,
};
