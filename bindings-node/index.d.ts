// Rendered from bindings-js/taap.d.ts.in by bindings-js/scripts/declarations.mjs: edit that file, not this one.
// Type definitions for taap: T-Mobile API Access Protocol PoP tokens on a native Rust core.

/** Text (sent as UTF-8) or bytes. */
export type BytesLike = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * Ordered ehts: a Map, an array of [name, value] pairs, any iterable of pairs, or a plain
 * object (insertion order; integer-like keys would come first, so use a Map for those).
 */
export type EhtsInput =
  | ReadonlyMap<string, string | Uint8Array>
  | Iterable<readonly [string, string | Uint8Array]>
  | { readonly [name: string]: string | Uint8Array };

/** Request headers: a plain object, a Map, `Headers` or any iterable of [name, value]. */
export type HeadersInput =
  | ReadonlyMap<string, string>
  | Iterable<readonly [string, string]>
  | { readonly [name: string]: string };

/** Epoch seconds, or a Date. */
export type EpochTime = number | Date;

/** A URL as a string or a WHATWG URL. */
export type UrlLike = string | { readonly href: string };

/** Options of one PoP token. */
export interface BuildOptions {
  /** Seconds from `iat` to `exp`, 1 to 3600 (default 120, as T-Mobile's builders). */
  ttlSecs?: number;
  /** Fixed issued-at; default: the clock. For tests and conformance vectors. */
  iat?: EpochTime;
  /** Fixed token id; default: a fresh random UUID v4, which every real call must use. */
  jti?: string;
}

/** The HTTP request a PoP token is built for. */
export interface RequestToSign {
  /** HTTP method (default GET); signed upper-cased. */
  method?: string;
  /** Full URL or path; its path and query are signed as `uri`. */
  url: UrlLike;
  /** Headers to sign, in order, names as sent. */
  headers?: HeadersInput | null;
  /** The exact body (default empty); a stream cannot be signed before it is sent. */
  body?: BytesLike | URLSearchParams | null;
}

/** An RSA public JWK as `toJwk()` returns it. */
export interface RsaPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  alg: 'RS256';
  use: 'sig';
  /** The RFC 7638 thumbprint. */
  kid: string;
}

/** An RSA private key, parsed once; sign any number of tokens with it. */
export declare class PrivateKey {
  private constructor();
  /** Loads PKCS#8, encrypted PKCS#8 (password needed) or PKCS#1 PEM. */
  static fromPem(pem: string | Uint8Array, password?: string | Uint8Array | null): PrivateKey;
  /** Loads PKCS#8, encrypted PKCS#8 or PKCS#1 DER. */
  static fromDer(der: Uint8Array | ArrayBuffer, password?: string | Uint8Array | null): PrivateKey;
  /** Loads a PEM or DER key file. */
  static fromFile(path: string | URL, password?: string | Uint8Array | null): PrivateKey;
  /** Generates a key pair: 2048 (default), 3072, 4096 or 8192 bits. Blocks while it runs. */
  static generate(bits?: number): PrivateKey;
  /** Like `generate`, on the libuv thread pool. */
  static generateAsync(bits?: number): Promise<PrivateKey>;
  /** The matching public key. */
  publicKey(): PublicKey;
  /** The modulus size in bits. */
  readonly bits: number;
  /** Unencrypted PKCS#8 PEM: the secret key. */
  toPem(): string;
  /** Unencrypted PKCS#8 DER: the secret key. */
  toDer(): Buffer;
  /** `{ bits, thumbprint }`: never the key material. */
  toJSON(): { bits: number; thumbprint: string };
}

/** An RSA public key; verifies PoP tokens. */
export declare class PublicKey {
  private constructor();
  /** Loads SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`) PEM. */
  static fromPem(pem: string | Uint8Array): PublicKey;
  /** Loads SPKI or PKCS#1 DER. */
  static fromDer(der: Uint8Array | ArrayBuffer): PublicKey;
  /** Loads an RSA JWK, as JSON text or an object, or a JWK set holding one RSA key. */
  static fromJwk(jwk: string | object): PublicKey;
  /** Loads a PEM, DER or JWK file. */
  static fromFile(path: string | URL): PublicKey;
  /** The modulus size in bits. */
  readonly bits: number;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  toPem(): string;
  /** PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`). */
  toPkcs1Pem(): string;
  /** SPKI DER. */
  toDer(): Buffer;
  /** The public JWK. */
  toJwk(): RsaPublicJwk;
  /** The RFC 7638 JWK thumbprint: a stable, non-secret key id. */
  thumbprint(): string;
  /** Whether `other` is the same key. */
  equals(other: unknown): boolean;
  /** The JWK. */
  toJSON(): RsaPublicJwk;
}

/**
 * A key taap never holds, taken wherever a PrivateKey is: one in a PKCS#11 token (an HSM,
 * SoftHSM2, a TPM) or AWS KMS (`fromUri`), or one a function of yours reaches (`fromCallback`).
 * Every signature is checked (its length, its verification under the public key) before a token
 * carries it: else SignatureInvalidError.
 */
export declare class Signer {
  private constructor();
  /**
   * Opens the key `uri` names: a `pkcs11:` URI (RFC 7512; the key is never extracted), an
   * `aws-kms:` key (ARN, `alias/NAME` or id), or else a PEM/DER private key file. `password`
   * decrypts an encrypted key file, or is the PIN of a `pkcs11:` URI that gives none itself.
   */
  static fromUri(uri: string | URL, options?: { password?: string | Uint8Array | null } | null): Signer;
  /**
   * A signer that calls `sign(digest)` for each signature: `digest` is the 32-byte SHA-256 of
   * the JWS signing input, the answer the PKCS#1 v1.5 signature under `publicKey`. A Buffer
   * answer signs for every call; a Promise for the async ones only (`buildAsync`,
   * `forRequestAsync`, TaapClient), which wait `timeout` seconds (default 30) for it. A throw,
   * a rejection or the timeout is a TransportError naming the signer; an answer that is not
   * bytes, a SignatureInvalidError; a Promise to a synchronous call, a TypeError.
   */
  static fromCallback(
    publicKey: PublicKey,
    sign: (digest: Buffer) => Uint8Array | PromiseLike<Uint8Array>,
    options?: { label?: string | null; timeout?: number | null } | null,
  ): Signer;
  /** What the signer is: `'pkcs11'`, `'aws-kms'`, `'callback'`, `'in-memory'` (a key file). */
  readonly kind: 'in-memory' | 'callback' | 'pkcs11' | 'aws-kms' | 'other';
  /** A name for the key (a URI without its PIN, a KMS key id, the label given); never a secret. */
  readonly label: string;
  /** The modulus size in bits. */
  readonly bits: number;
  /** The public key every signature verifies under. */
  publicKey(): PublicKey;
  /** `{ kind, label }`: never a PIN or the function. */
  toJSON(): { kind: string; label: string };
}

/**
 * A client's public keys for `popMiddleware` and `withPop` (`publicKey`, or what a lookup
 * returns), so keys rotate without a restart: several at once (each with an optional `kid` and
 * `nbf`/`exp` window), a file read again when it changes, or a JWK set URL.
 */
export declare class KeySource {
  private constructor();
  /** A fixed set from PEM, JWK or JWK set (`{"keys": [...]}`) text or bytes. */
  static parse(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): KeySource;
  /** The keys of the file at `path` (PEM, JWK or JWK set), read again when it changes (looked at once a second at most). */
  static fromFile(path: string | URL): KeySource;
  /**
   * The JWK set served at `url` (http or https), fetched when first needed: cached per
   * `Cache-Control: max-age`, fetched again (at most every few seconds) for a `kid` it lacks;
   * while it cannot be fetched and nothing usable is cached, requests get 503
   * `KeySourceUnavailable`.
   */
  static fromJwksUrl(url: string | URL): KeySource;
  /** `'fixed'` (`parse`), `'file'` or `'jwks'`. */
  readonly kind: 'fixed' | 'file' | 'jwks';
  /** How many keys are in force; a JWK set URL may be fetched first (off the event loop); rejects with KeySourceUnavailableError when it cannot be. */
  size(): Promise<number>;
  /** `{ kind }` and the file's `path` or the URL (never its query, which may hold a credential). */
  toJSON(): { kind: 'fixed' | 'file' | 'jwks'; path?: string; url?: string };
}

/** The JOSE header of a PoP token. */
export interface PopTokenHeader {
  readonly alg: 'RS256';
  readonly typ?: string;
}

/** The claims of a PoP token, in T-Mobile's member order. */
export interface PopTokenClaims {
  /** base64url SHA-256 of the concatenated ehts values. */
  readonly edts: string;
  /** Version, `"1"`. */
  readonly v: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
  /** The signed names, in order. */
  readonly ehts: readonly string[];
  /** Issued-at, epoch seconds. */
  readonly iat: number;
  /** Unique token id. */
  readonly jti: string;
}

/** A decoded PoP token; build tokens (strings) with the static methods. */
export declare class PopToken {
  private constructor();
  /** Builds a PoP token over ordered ehts. `key` may be an unencrypted PEM (parsed once, cached). */
  static build(key: PrivateKey | string | Uint8Array, ehts: EhtsInput, options?: BuildOptions | null): string;
  /** `build` with a Signer too, whose callback must answer at once (an async one: `buildAsync`). */
  static build(key: PrivateKey | Signer | string | Uint8Array, ehts: EhtsInput, options?: BuildOptions | null): string;
  /** `build` on the libuv thread pool. */
  static buildAsync(key: PrivateKey | string | Uint8Array, ehts: EhtsInput, options?: BuildOptions | null): Promise<string>;
  /** `buildAsync` with a Signer too (on a thread of its own), whose callback may answer with a Promise. */
  static buildAsync(key: PrivateKey | Signer | string | Uint8Array, ehts: EhtsInput, options?: BuildOptions | null): Promise<string>;
  /** Builds the PoP token for one HTTP request: its headers, `uri`, `http-method` and `body`. */
  static forRequest(key: PrivateKey | string | Uint8Array, request: RequestToSign, options?: BuildOptions | null): string;
  /** `forRequest` with a Signer too, whose callback must answer at once. */
  static forRequest(key: PrivateKey | Signer | string | Uint8Array, request: RequestToSign, options?: BuildOptions | null): string;
  /** `forRequest` on the libuv thread pool. */
  static forRequestAsync(key: PrivateKey | string | Uint8Array, request: RequestToSign, options?: BuildOptions | null): Promise<string>;
  /** `forRequestAsync` with a Signer too, whose callback may answer with a Promise. */
  static forRequestAsync(key: PrivateKey | Signer | string | Uint8Array, request: RequestToSign, options?: BuildOptions | null): Promise<string>;
  /** Decodes a token's header and claims without verifying it. */
  static decode(token: string): PopToken;
  /** The token text. */
  readonly token: string;
  /** The JOSE header. */
  readonly header: PopTokenHeader;
  /** The claims. */
  readonly claims: PopTokenClaims;
  /** Seconds from `now` (default: the clock) until `exp`; negative once expired. */
  expiresIn(now?: EpochTime): number;
  /** The token text. */
  toString(): string;
}

/** One option as the core declares it. */
export interface SettingDeclaration {
  /** The name in snake_case (Rust, Python, C). */
  name: string;
  /** The name in this package. */
  camel: string;
  /** `client`, `validator` or `middleware`. */
  group: 'client' | 'validator' | 'middleware';
  /** The unit or type: `seconds`, `whole seconds`, `count`, `bytes`, `flag`, `text`, `choice`, `members`, `headers`, `names`. */
  kind: string;
  /** The words a `choice` takes. */
  choices?: string[];
  /** The default (`null`: none). */
  default: unknown;
  /** The smallest accepted number, for numeric kinds. */
  min: number | null;
  /** Whether `min` itself is refused. */
  min_exclusive: boolean;
  /** The largest accepted number, for numeric kinds. */
  max: number | null;
  /** What it does. */
  doc: string;
}

/** Every option of every door as the core declares it. */
export declare function settingsSchema(): SettingDeclaration[];

/** How strict a validator is: the validator's options of the core's settings schema. */
export interface ValidatorOptions {
  // BEGIN GENERATED validator options (core/tests/settings.rs)
  /** Clock leeway. In seconds. Accepted: 0 to 300. Default: `10`. */
  leeway?: number | null;
  /** Maximum age of a token from its iat. In seconds. Accepted: 1 to 3600. Default: `60`. */
  maxAge?: number | null;
  /** Names every token must sign, e.g. uri and http-method. Default: `[]`. */
  required?: readonly string[] | null;
  /** Remember this many jti values and refuse repeats (null: off). Accepted: at least 1. Default: none. */
  replayCache?: number | boolean | null;
  // END GENERATED
}

/** Checks PoP tokens the way an API gateway must: signature, time, coverage, edts, replay. */
export declare class PopTokenValidator {
  constructor(options?: ValidatorOptions | null);
  /** The options in effect, under the schema's names. */
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * Validates `token` against `publicKey` and the request's values by name; returns the
   * decoded token, or throws the TaapError subclass of the first failed check.
   */
  validate(token: string, publicKey: PublicKey, ehts: EhtsInput, options?: { now?: EpochTime } | null): PopToken;
  /**
   * Validates the PoP token a request as received carries in X-Authorization; `uri`,
   * `http-method` and header lookups follow the core's rules.
   */
  validateRequest(publicKey: PublicKey, request: ReceivedRequest, options?: { now?: EpochTime; uriForm?: 'decoded' | 'encoded' | null } | null): PopToken;
}

/** An HTTP request as a gateway received it, e.g. Node's `IncomingMessage` fields and body. */
export interface ReceivedRequest {
  /** The method as received. */
  method: string;
  /** The request target (`req.url`: path and query) or a full URL. */
  url: UrlLike;
  /**
   * The headers as received. From Node's `http`, pass `req.rawHeaders` as `[name, Buffer.from(value,
   * 'latin1')]` pairs: every line with its bytes, so a repeated credential is refused and UTF-8
   * values hash as sent (`req.headers` drops or joins repeats and holds values as latin1 text).
   * In a plain object, a repeated header's (array's) first value counts.
   */
  headers?:
    | ReadonlyMap<string, string | Uint8Array>
    | Iterable<readonly [string, string | Uint8Array]>
    | { readonly [name: string]: string | Uint8Array | readonly string[] | undefined }
    | null;
  /** The exact body bytes. */
  body?: BytesLike | null;
}

/**
 * Which headers of an outgoing request a PoP token signs: the core's one signing policy.
 * `new SignPolicy()` follows T-Mobile's docs (Content-Type, then Authorization, each when
 * present); names match ignoring ASCII case; X-Authorization is never signed.
 */
export declare class SignPolicy {
  /** The docs' policy: Content-Type and Authorization when present. */
  constructor();
  /** Signs exactly these headers, in this order, each when the request has it. */
  static headers(names: readonly string[]): SignPolicy;
  /** Signs every header the request carries, in the request's order. */
  static allHeaders(): SignPolicy;
  /** A new policy that also signs header `name`. */
  withHeader(name: string): SignPolicy;
  /** A new policy that never signs header `name`. */
  withoutHeader(name: string): SignPolicy;
  /** The `[name, value]` pairs of `headers` this policy signs, in signing order, values trimmed. */
  select(headers: HeadersInput): [string, string][];
  /** Whether `other` selects the same headers. */
  equals(other: unknown): boolean;
}

/** The `uri` value of a URL or path: path plus percent-decoded query, as the gateway compares it. */
export declare function requestUri(url: UrlLike): string;

/** The `http-method` value: the method upper-cased, which must be an HTTP token. */
export declare function requestMethod(method: string): string;

/** Why a gateway would accept or refuse a token: the JSON `taap doctor --json` prints. */
export interface Explanation {
  /** Whether every check that could be made passed (the signature only with a key). */
  readonly valid: boolean;
  readonly header: { readonly alg: string; readonly typ: string | null };
  readonly claims: PopTokenClaims;
  /** Seconds are relative to `now`; `clock_offset` is what to add to `now` for acceptance. */
  readonly time: { readonly now: number; readonly expires_in: number; readonly age: number; readonly ok: boolean; readonly clock_offset: number | null };
  /** Each signed name with the value the request gives it, masked and shortened. */
  readonly entries: readonly { readonly name: string; readonly value: string | null; readonly bytes: number | null }[];
  readonly edts: { readonly claimed: string; readonly computed: string | null; readonly matches: boolean };
  readonly signature: 'valid' | 'invalid' | 'not-checked';
  /** The signer variant that reproduces the claimed edts, by its stable id. */
  readonly variant: { readonly id: string; readonly description: string } | null;
  /** One sentence per failed check; empty when valid. */
  readonly problems: readonly string[];
}

/** Explains `token` against the request as sent: claims, time, hashed values (masked), edts, signature, variant. */
export declare function explain(
  token: string,
  request: RequestToSign,
  options?: { publicKey?: PublicKey; now?: EpochTime } | null,
): Explanation;

/** What `signRequest` reads from a fetch() `init`; every other member is passed through. */
export interface SignableInit {
  method?: string;
  headers?: HeadersInput | null;
  body?: BytesLike | URLSearchParams | null;
}

/** A `Request` as `signRequest` reads it. */
export interface RequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: HeadersInput;
  readonly body: unknown;
}

/** Options of `signRequest`. */
export interface SignRequestOptions extends BuildOptions {
  /** Sign these headers (any case), in this order: `SignPolicy.headers(signHeaders)`. */
  signHeaders?: readonly string[] | null;
  /** The signing policy; default `new SignPolicy()` (the docs' Content-Type and Authorization). */
  policy?: SignPolicy | null;
}

/** The headers `signRequest` returns: the caller's shape, X-Authorization added. */
export type SignedHeaders<H> = H extends Headers
  ? Headers
  : H extends ReadonlyMap<string, string>
    ? Map<string, string>
    : H extends Iterable<readonly [string, string]>
      ? [string, string][]
      : H extends undefined | null
        ? Record<string, string> | Headers
        : Record<string, string>;

/** `init` as `signRequest` returns it, ready for `fetch(input, signed)`. */
export type SignedInit<Init extends SignableInit> = Omit<Init, 'method' | 'headers'> & {
  method: string;
  headers: SignedHeaders<Init['headers']>;
};

/**
 * Returns a copy of `init` with an `X-Authorization` PoP token over its headers, the URL's
 * path and query, the method and the body, ready for `fetch(input, signed)`.
 */
export declare function signRequest<Init extends SignableInit = SignableInit>(
  key: PrivateKey | string | Uint8Array,
  input: UrlLike | RequestLike,
  init?: Init | null,
  options?: SignRequestOptions | null,
): SignedInit<Init>;
/** `signRequest` with a Signer too, whose callback must answer at once. */
export declare function signRequest<Init extends SignableInit = SignableInit>(
  key: PrivateKey | Signer | string | Uint8Array,
  input: UrlLike | RequestLike,
  init?: Init | null,
  options?: SignRequestOptions | null,
): SignedInit<Init>;

/** What a TaapClient is built from: the credentials, the key, and the options of the settings schema. */
export interface TaapClientOptions extends TaapClientSettings {
  /** The OAuth client id. */
  clientId: string;
  /** The OAuth client secret. */
  clientSecret: string;
  /** The key registered with the OAuth server: a PrivateKey, a Signer (its callback may be async) or an unencrypted PEM. */
  key: PrivateKey | Signer | string | Uint8Array;
}

/** The client's options, as the core's settings schema declares them (`settingsSchema()`). */
export interface TaapClientSettings {
  // BEGIN GENERATED client options (core/tests/settings.rs)
  /** The T-Mobile API the calls are for (connectivity, location, sms-notification, call-verification, fraud-prevention): picks its token server. Default: none. */
  api?: 'connectivity' | 'location' | 'sms-notification' | 'call-verification' | 'fraud-prevention' | null;
  /** The token server: v2, v6, an API name or a full token endpoint URL (not with api). Default: `"v2"`. */
  server?: 'v2' | 'v6' | (string & {}) | URL | null;
  /** StoreId of the v6 token body. Default: none. */
  storeId?: string | null;
  /** DealerCode of the v6 token body. Default: none. */
  dealerCode?: string | null;
  /** Connection set-up limit, DNS and TLS included. In seconds. Accepted: above 0 and at most 600. Default: `10`. */
  connectTimeout?: number | null;
  /** Limit for one whole HTTP exchange. In seconds. Accepted: above 0 and at most 3600. Default: `30`. */
  timeout?: number | null;
  /** Retries of connection failures, 429 and 5xx answers (0: never retry). Accepted: 0 to 10. Default: `2`. */
  maxRetries?: number | null;
  /** First backoff delay, doubling on each retry (at most retry_max_delay). In seconds. Accepted: 0 to 600. Default: `0.2`. */
  retryBaseDelay?: number | null;
  /** Longest single wait, backoff or Retry-After. In seconds. Accepted: above 0 and at most 600. Default: `10`. */
  retryMaxDelay?: number | null;
  /** Replace a cached access token this long before it expires. In seconds. Accepted: 0 to 3600. Default: `60`. */
  refreshMargin?: number | null;
  /** Validity of each PoP token. In seconds. Accepted: 1 to 3600. Default: `120`. */
  popTtl?: number | null;
  /** Largest response body read into memory. In bytes. Accepted: at least 1. Default: `10485760`. */
  maxResponseBytes?: number | null;
  /** Correct PoP iat by the clock offset the servers' Date headers show. Default: `true`. */
  correctClockSkew?: boolean | null;
  /** Members merged into (or replacing) the token request body; strings may hold {client_id} and {public_key_pem}. Default: none. */
  tokenBody?: Record<string, unknown> | null;
  /** Whether token_body is merged into the flavour's body (none: merge) or replaces it. Default: none. */
  tokenBodyMode?: 'merge' | 'replace' | null;
  /** Extra claims on every PoP token. Default: none. */
  popClaims?: Record<string, unknown> | null;
  /** Extra JOSE header members on every PoP token. Default: none. */
  popHeader?: Record<string, unknown> | null;
  /** Headers sent on every API call (a caller's header of the same name wins). Default: none. */
  headers?: Record<string, string> | Map<string, string> | null;
  /** The headers an API call's PoP token signs, each when present. Default: `["Content-Type","Authorization"]`. */
  signHeaders?: readonly string[] | null;
  /** How uri is signed: the query decoded (the docs) or as sent. Default: `"decoded"`. */
  uriForm?: 'decoded' | 'encoded' | null;
  /** Text put before the PoP token in X-Authorization (none: the raw token). Default: none. */
  xAuthorizationPrefix?: string | null;
  /** A shared access-token store, redis://… (it may hold a password: a secret). Default: none. */
  tokenStore?: string | null;
  // END GENERATED
}


/** What `TaapClient.fetch` reads from its `init`. */
export interface TaapFetchInit {
  /** HTTP method (default GET). */
  method?: string;
  /** Headers, sent and signed in order; the client sets Authorization and X-Authorization. */
  headers?: HeadersInput | null;
  /** The exact body. */
  body?: BytesLike | URLSearchParams | null;
  /** Rejects the call with the signal's reason when it aborts. */
  signal?: AbortSignal;
}

/** An OAuth 2.0 access token; `token` never shows in inspect or JSON output. */
export declare class AccessToken {
  private constructor();
  /** The bearer token. A secret: never log it. */
  readonly token: string;
  /** The OpenID Connect id token, when the server sent one. */
  readonly idToken: string | undefined;
  /** Lifetime in seconds as the server gave it. */
  readonly expiresIn: number;
  /** When the token expires, by the local clock. */
  readonly expiresAt: Date;
  /** The granted scope. */
  readonly scope: string | undefined;
  /** The answer's `status` member (T-Mobile sends "success"). */
  readonly status: string | undefined;
  /** The answer's `token_type` member. */
  readonly tokenType: string | undefined;
  /** Everything but the tokens. */
  toJSON(): { expiresIn: number; expiresAt: Date; scope?: string; status?: string; tokenType?: string };
}

/**
 * A TAAP client: gets and caches OAuth access tokens (one refresh for all callers) and makes
 * API calls with `Authorization: Bearer` plus a fresh X-Authorization PoP token each. Network
 * calls run off the main thread.
 */
export declare class TaapClient {
  constructor(options: TaapClientOptions);
  /** The OAuth client id. */
  readonly clientId: string;
  /** The token endpoint URL. */
  readonly tokenUrl: string;
  /** The token request shape. */
  readonly flavor: 'v2' | 'v6';
  /** Seconds added to the local clock for PoP `iat`, learned from servers' Date headers. */
  readonly clockOffsetSecs: number;
  /** The options in effect, under the schema's names (seconds as numbers; secret header values masked). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The cached access token, or a new one when missing or near expiry. */
  accessToken(): Promise<AccessToken>;
  /** Fetches a new access token now, replacing the cached one. */
  refreshAccessToken(): Promise<AccessToken>;
  /**
   * A signed API call shaped like fetch(): any HTTP status resolves; network failures reject
   * with TransportError, a refused token request with OAuthError.
   */
  fetch(input: UrlLike | RequestLike, init?: TaapFetchInit | null): Promise<Response>;
}

// BEGIN GENERATED error kinds (core/tests/declarations.rs)
/** Every `code` a TaapError carries. */
export type TaapErrorCode =
  | 'TAAP_INVALID_KEY'
  | 'TAAP_KEY_DECRYPT'
  | 'TAAP_INVALID_EHTS'
  | 'TAAP_INVALID_TOKEN'
  | 'TAAP_TOKEN_EXPIRED'
  | 'TAAP_TOKEN_TOO_OLD'
  | 'TAAP_SIGNATURE_INVALID'
  | 'TAAP_EDTS_MISMATCH'
  | 'TAAP_MISSING_EHTS_VALUE'
  | 'TAAP_REPLAY'
  | 'TAAP_OAUTH'
  | 'TAAP_TRANSPORT'
  | 'TAAP_CONFIG'
  | 'TAAP_KEY_SOURCE_UNAVAILABLE';

/** Base class of every error taap raises for a failed operation (wrong argument types raise TypeError). */
export declare class TaapError extends Error {
  readonly code: TaapErrorCode;
}
/** The key cannot be parsed, is not RSA, or is outside 2048 to 8192 bits. */
export declare class InvalidKeyError extends TaapError {
  static readonly code: 'TAAP_INVALID_KEY';
  readonly code: 'TAAP_INVALID_KEY';
}
/** The private key is encrypted and the password is missing or wrong. */
export declare class KeyDecryptError extends TaapError {
  static readonly code: 'TAAP_KEY_DECRYPT';
  readonly code: 'TAAP_KEY_DECRYPT';
}
/** The ehts are empty, over 100, or have a blank, duplicate or `;` name; or a method or URL is bad. */
export declare class InvalidEhtsError extends TaapError {
  static readonly code: 'TAAP_INVALID_EHTS';
  readonly code: 'TAAP_INVALID_EHTS';
}
/** The token is not a well-formed RS256 PoP token, is issued in the future, or lacks a required name. */
export declare class InvalidTokenError extends TaapError {
  static readonly code: 'TAAP_INVALID_TOKEN';
  readonly code: 'TAAP_INVALID_TOKEN';
}
/** The token's `exp` lies in the past, beyond the leeway. */
export declare class TokenExpiredError extends TaapError {
  static readonly code: 'TAAP_TOKEN_EXPIRED';
  readonly code: 'TAAP_TOKEN_EXPIRED';
}
/** The token's `iat` is older than the validator's maximum age. */
export declare class TokenTooOldError extends TaapError {
  static readonly code: 'TAAP_TOKEN_TOO_OLD';
  readonly code: 'TAAP_TOKEN_TOO_OLD';
}
/** The RS256 signature does not verify with the given public key. */
export declare class SignatureInvalidError extends TaapError {
  static readonly code: 'TAAP_SIGNATURE_INVALID';
  readonly code: 'TAAP_SIGNATURE_INVALID';
}
/** The request's values differ from the ones the token signed. */
export declare class EdtsMismatchError extends TaapError {
  static readonly code: 'TAAP_EDTS_MISMATCH';
  readonly code: 'TAAP_EDTS_MISMATCH';
}
/** The token signs a name the request has no value for. */
export declare class MissingEhtsValueError extends TaapError {
  static readonly code: 'TAAP_MISSING_EHTS_VALUE';
  readonly code: 'TAAP_MISSING_EHTS_VALUE';
}
/** The token's `jti` was seen before, or the replay cache is full (it fails closed). */
export declare class ReplayError extends TaapError {
  static readonly code: 'TAAP_REPLAY';
  readonly code: 'TAAP_REPLAY';
}
/** The OAuth server answered with an error or an unusable token; its HTTP status is kept. */
export declare class OAuthError extends TaapError {
  static readonly code: 'TAAP_OAUTH';
  readonly code: 'TAAP_OAUTH';
  readonly status: number;
}
/** The HTTP exchange failed: connection, DNS, TLS, timeout, I/O or an oversized response. */
export declare class TransportError extends TaapError {
  static readonly code: 'TAAP_TRANSPORT';
  readonly code: 'TAAP_TRANSPORT';
}
/** An option or argument is out of range or inconsistent. */
export declare class ConfigError extends TaapError {
  static readonly code: 'TAAP_CONFIG';
  readonly code: 'TAAP_CONFIG';
}
/** The client's keys cannot be fetched (a JWK set URL is down) and no usable copy is cached. */
export declare class KeySourceUnavailableError extends TaapError {
  static readonly code: 'TAAP_KEY_SOURCE_UNAVAILABLE';
  readonly code: 'TAAP_KEY_SOURCE_UNAVAILABLE';
}
// END GENERATED

/** The version of the Rust core compiled into this package. */
export declare const coreVersion: string;
