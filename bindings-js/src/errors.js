// One error class per row of the core's error table; `code` is the core's `TAAP_<KIND>` code.
// The classes come from the table at load, so a kind added to the core needs no change here.

import * as core from '../backend.js';

/** Base class of every error taap raises for a failed operation. */
export class TaapError extends Error {
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

/** The core's error table: `{ name, code, description }` per kind, in the core's order. */
export const ERROR_KINDS = Object.freeze(core.errorKinds().map((row) => Object.freeze({ ...row })));

/** The class of one kind, named `<Kind>Error` (the name shows in stacks and inspect output). */
function kindClass(name, code) {
  const className = `${name}Error`;
  const cls = name === 'OAuth' ? OAuthError : { [className]: class extends TaapError {} }[className];
  cls.code = code;
  return cls;
}

/** Every kind's class, in the core's order. */
export const ERROR_CLASSES = Object.freeze(ERROR_KINDS.map(({ name, code }) => kindClass(name, code)));
const BY_CODE = new Map(ERROR_CLASSES.map((cls) => [cls.code, cls]));

/** Every kind's class by class name, e.g. `TokenExpiredError`, in the core's order. */
export const KIND_CLASSES = Object.freeze(Object.fromEntries(ERROR_CLASSES.map((cls) => [cls.name, cls])));

/** The class-specific error for an error the core threw; argument errors it caught become TypeErrors. */
export function translate(error) {
  const cls = error && BY_CODE.get(error.code);
  // A door's error with a `cause` (a callback signer's thrown error) keeps it.
  if (cls && error.cause !== undefined) return new cls(error.message, { status: error.status, cause: error.cause });
  if (cls) return new cls(error.message, { status: error.status });
  // The core's own argument conversions; this layer checks types first, so this is a bug guard.
  if (error && (error.code === 'InvalidArg' || error.code === 'ERR_INVALID_ARG_TYPE')) return new TypeError(error.message);
  return error;
}

/** Runs a core call, rethrowing its failure as a TaapError subclass whose stack starts at the caller. */
export function call(coreCall) {
  try {
    return coreCall();
  } catch (error) {
    const translated = translate(error);
    if (translated instanceof Error && typeof Error.captureStackTrace === 'function') Error.captureStackTrace(translated, call);
    throw translated;
  }
}

/** Awaits a core call's promise, rejecting with a TaapError subclass. */
export async function settle(coreCall) {
  try {
    return await coreCall();
  } catch (error) {
    throw translate(error);
  }
}
