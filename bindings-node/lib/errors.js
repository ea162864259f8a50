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

/** The OAuth kind's class, which also keeps the server's HTTP status. */
class OAuthError extends TaapError {
  constructor(message, options = {}) {
    super(message, options);
    /** HTTP status of the OAuth server's answer. */
    this.status = options.status;
  }
}

/** Kinds whose class adds to a plain TaapError subclass; every other kind gets a plain one. */
const SPECIAL_CLASSES = { OAuth: OAuthError };

// The classes come from the core's error table, so a kind added there needs no change here;
// index.d.ts lists them for editors and is checked against the table by test/errors.test.js.
const CLASSES = native.errorKinds().map(({ name, code }) => {
  const className = `${name}Error`;
  const cls = SPECIAL_CLASSES[name] ?? { [className]: class extends TaapError {} }[className];
  cls.code = code;
  return cls;
});
const BY_CODE = new Map(CLASSES.map((cls) => [cls.code, cls]));

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

/** Every kind's class by class name, e.g. `TokenExpiredError`, in the core's order. */
const KIND_CLASSES = Object.fromEntries(CLASSES.map((cls) => [cls.name, cls]));

module.exports = {
  TaapError,
  ...KIND_CLASSES,
  KIND_CLASSES,
  ERROR_CLASSES: CLASSES,
  translate,
  call,
  settle,
};
