// ESM entry: the same objects as require('taap').
import taap from './index.js';

export const {
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
  TaapError,
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
  // END GENERATED
  coreVersion,
} = taap;
export default taap;
