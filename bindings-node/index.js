'use strict';
// taap for Node.js: T-Mobile API Access Protocol PoP tokens, the request signer and the
// gateway-side validator, on the native Rust core.

const native = require('./lib/native');
const errors = require('./lib/errors');
const { PrivateKey, PublicKey } = require('./lib/keys');
const { PopToken } = require('./lib/token');
const { PopTokenValidator } = require('./lib/validator');
const { signRequest } = require('./lib/sign-request');
const { SignPolicy, requestUri, requestMethod } = require('./lib/policy');
const { explain } = require('./lib/explain');
const { AccessToken, TaapClient } = require('./lib/client');

module.exports = {
  PrivateKey,
  PublicKey,
  PopToken,
  PopTokenValidator,
  signRequest,
  SignPolicy,
  requestUri,
  requestMethod,
  explain,
  TaapClient,
  AccessToken,
  TaapError: errors.TaapError,
  // One class per kind of the core's error table (InvalidKeyError, …, ConfigError).
  ...errors.KIND_CLASSES,
  coreVersion: native.coreVersion(),
};
