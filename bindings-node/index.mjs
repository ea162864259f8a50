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
  coreVersion,
} = taap;
export default taap;
