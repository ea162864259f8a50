'use strict';
// taap for Node.js: T-Mobile API Access Protocol PoP tokens, the request signer and the
// gateway-side validator, on the native Rust core.

const native = require('./lib/native');
const errors = require('./lib/errors');
const { PrivateKey, PublicKey } = require('./lib/keys');
const { PopToken } = require('./lib/token');
const { PopTokenValidator } = require('./lib/validator');
const { signRequest } = require('./lib/sign-request');
const { AccessToken, TaapClient } = require('./lib/client');

module.exports = {
  PrivateKey,
  PublicKey,
  PopToken,
  PopTokenValidator,
  signRequest,
  TaapClient,
  AccessToken,
  TaapError: errors.TaapError,
  InvalidKeyError: errors.InvalidKeyError,
  KeyDecryptError: errors.KeyDecryptError,
  InvalidEhtsError: errors.InvalidEhtsError,
  InvalidTokenError: errors.InvalidTokenError,
  TokenExpiredError: errors.TokenExpiredError,
  TokenTooOldError: errors.TokenTooOldError,
  SignatureInvalidError: errors.SignatureInvalidError,
  EdtsMismatchError: errors.EdtsMismatchError,
  MissingEhtsValueError: errors.MissingEhtsValueError,
  ReplayError: errors.ReplayError,
  OAuthError: errors.OAuthError,
  TransportError: errors.TransportError,
  ConfigError: errors.ConfigError,
  coreVersion: native.coreVersion(),
};
