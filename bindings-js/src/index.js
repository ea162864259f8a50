// The public API every JavaScript door of taap exports (Node's `taap`, the WebAssembly
// `taap-wasm`); each door's entry adds its own members to it.

import * as core from '../backend.js';
import { KIND_CLASSES } from './errors.js';

export { TaapError } from './errors.js';
export { PrivateKey, PublicKey } from './keys.js';
export { PopToken } from './token.js';
export { PopTokenValidator } from './validator.js';
export { SignPolicy, requestUri, requestMethod } from './policy.js';
export { signRequest } from './sign-request.js';
export { explain } from './explain.js';

/** One class per kind of the core's error table (checked against it by core/tests/declarations.rs). */
export const {
  // BEGIN GENERATED error kinds (core/tests/declarations.rs)
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
  KeySourceUnavailableError,
  // END GENERATED
} = KIND_CLASSES;

/** The version of the Rust core compiled into this package. */
export const coreVersion = core.coreVersion();

/** Every option of every door as the core declares it: name, camel name, unit, default, range. */
export function settingsSchema() {
  return JSON.parse(core.settingsSchema());
}
