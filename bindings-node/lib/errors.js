'use strict';
// One error class per core error kind; `code` is the core's `TAAP_<KIND>` code.

const native = require('./native');

/** Base class of every error taap raises for a failed operation. */
class TaapError extends Error {
  constructor(message, options) {
    super(message, options);
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true });
    this.code = new.target.code;
  }
}

class InvalidKeyError extends TaapError {
  static code = 'TAAP_INVALID_KEY';
}
class KeyDecryptError extends TaapError {
  static code = 'TAAP_KEY_DECRYPT';
}
class InvalidEhtsError extends TaapError {
  static code = 'TAAP_INVALID_EHTS';
}
class InvalidTokenError extends TaapError {
  static code = 'TAAP_INVALID_TOKEN';
}
class TokenExpiredError extends TaapError {
  static code = 'TAAP_TOKEN_EXPIRED';
}
class TokenTooOldError extends TaapError {
  static code = 'TAAP_TOKEN_TOO_OLD';
}
class SignatureInvalidError extends TaapError {
  static code = 'TAAP_SIGNATURE_INVALID';
}
class EdtsMismatchError extends TaapError {
  static code = 'TAAP_EDTS_MISMATCH';
}
class MissingEhtsValueError extends TaapError {
  static code = 'TAAP_MISSING_EHTS_VALUE';
}
class ReplayError extends TaapError {
  static code = 'TAAP_REPLAY';
}
class OAuthError extends TaapError {
  static code = 'TAAP_OAUTH';

  constructor(message, options = {}) {
    super(message, options);
    /** HTTP status of the OAuth server's answer. */
    this.status = options.status;
  }
}
class TransportError extends TaapError {
  static code = 'TAAP_TRANSPORT';
}
class ConfigError extends TaapError {
  static code = 'TAAP_CONFIG';
}

const CLASSES = [
  InvalidKeyError,
  KeyDecryptError,
  InvalidEhtsError,
  InvalidTokenError,
  TokenExpiredError,
  TokenTooOldError,
  SignatureInvalidError,
  EdtsMismatchError,
  MissingEhtsValueError,
  ReplayError,
  OAuthError,
  TransportError,
  ConfigError,
];
const BY_CODE = new Map(CLASSES.map((cls) => [cls.code, cls]));

// A core kind without a class here would surface as a plain Error: refuse to load instead.
for (const { name, code } of native.errorKinds()) {
  const cls = BY_CODE.get(code);
  if (!cls || cls.name !== `${name}Error`) {
    throw new Error(`taap's native module has error kind ${name} (${code}) that index.js does not map; reinstall taap`);
  }
}

/** The class-specific error for an error thrown by the native module. */
function translate(error) {
  const cls = error && BY_CODE.get(error.code);
  if (cls) {
    return new cls(error.message, { status: error.status });
  }
  // napi's own argument conversions; index.js checks types first, so this is a bug guard.
  if (error && (error.code === 'InvalidArg' || error.code === 'ERR_INVALID_ARG_TYPE')) {
    return new TypeError(error.message);
  }
  return error;
}

/** Runs a native call, rethrowing its failure as a TaapError subclass. */
function call(nativeCall) {
  try {
    return nativeCall();
  } catch (error) {
    const translated = translate(error);
    // The stack starts at the public method, not in this module.
    if (translated instanceof Error) Error.captureStackTrace(translated, call);
    throw translated;
  }
}

/** Awaits a native call's promise, rejecting with a TaapError subclass. */
async function settle(nativeCall) {
  try {
    return await nativeCall();
  } catch (error) {
    throw translate(error);
  }
}

module.exports = {
  TaapError,
  InvalidKeyError,
  KeyDecryptError,
  InvalidEhtsError,
  InvalidTokenError,
  TokenExpiredError,
  TokenTooOldError,
  SignatureInvalidError,
  EdtsMismatchError,
  MissingEhtsValueError,
  ReplayError,
  OAuthError,
  TransportError,
  ConfigError,
  ERROR_CLASSES: CLASSES,
  translate,
  call,
  settle,
};
