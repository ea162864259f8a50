'use strict';
// TaapClient: OAuth 2.0 access tokens and TAAP-signed API calls. Every network call runs
// off the main thread; results come back as WHATWG Response objects.

const { inspect } = require('node:util');
const native = require('./native');
const { TransportError } = require('./shared/index.js');
const { call, settle } = require('./shared/errors.js');
const args = require('./shared/args.js');
const { privateHandleOf } = require('./shared/keys.js');
const { fetchTarget } = require('./shared/sign-request.js');

const INTERNAL = Symbol('taap.internal');
// Handles the client holds itself; every other member is an option of the core's settings schema.
const HANDLES = ['clientId', 'clientSecret', 'key'];
const INIT_FIELDS = ['method', 'headers', 'body', 'signal'];
// Statuses whose responses have no body, as the Response constructor insists.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** An OAuth 2.0 access token; the token itself never shows in inspect or JSON output. */
class AccessToken {
  #token;
  #idToken;

  constructor(token, data) {
    if (token !== INTERNAL) throw new TypeError('AccessToken has no public constructor; use client.accessToken()');
    this.#token = data.token;
    this.#idToken = data.idToken ?? undefined;
    /** Lifetime in seconds as the server gave it (`expires_in`). */
    this.expiresIn = data.expiresIn;
    /** When the token expires, by the local clock. */
    this.expiresAt = new Date(Date.now() + data.remainingSecs * 1000);
    /** The granted scope, when the server sent one. */
    this.scope = data.scope ?? undefined;
    /** The answer's `status` member (T-Mobile sends "success"), when present. */
    this.status = data.status ?? undefined;
    /** The answer's `token_type` member, when present. */
    this.tokenType = data.tokenType ?? undefined;
    Object.freeze(this);
  }

  /** The bearer token, for `Authorization: Bearer …`. A secret: never log it. */
  get token() {
    return this.#token;
  }

  /** The OpenID Connect id token, when the server sent one. A secret too. */
  get idToken() {
    return this.#idToken;
  }

  toJSON() {
    return { expiresIn: this.expiresIn, expiresAt: this.expiresAt, scope: this.scope, status: this.status, tokenType: this.tokenType };
  }

  [inspect.custom](depth, options, show) {
    return `AccessToken ${show({ token: '<redacted>', ...this.toJSON() }, options)}`;
  }
}

function nativeOptions(value) {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw args.fail('options', 'an object with clientId, clientSecret, key and the client options', value);
  }
  const settings = {};
  for (const [name, option] of Object.entries(value)) {
    if (!HANDLES.includes(name)) settings[name] = settingValue(option, name);
  }
  return {
    clientId: args.string(value.clientId, 'options.clientId'),
    clientSecret: args.string(value.clientSecret, 'options.clientSecret'),
    settings: JSON.stringify(settings),
  };
}

/**
 * An option as JSON can carry it; the core checks it against the schema. URLs and Maps become
 * their text and object; a number JSON cannot hold (NaN, Infinity) is refused here, since
 * JSON.stringify would turn it into null, which means "the default".
 */
function settingValue(option, name) {
  if (option instanceof URL) return option.href;
  if (option instanceof Map) return Object.fromEntries(option);
  if (typeof option === 'number' && !Number.isFinite(option)) throw args.fail(`options.${name}`, 'a finite number', option);
  return option;
}

/** What the client was configured with, under the schema's names (seconds as numbers). */
function parsedSettings(handle) {
  return Object.freeze(JSON.parse(handle.settings));
}

/** Positional native arguments for one API call, from fetch()'s (input, init). */
function callArgs(input, init) {
  if (init !== undefined && init !== null && (typeof init !== 'object' || Array.isArray(init))) {
    throw args.fail('init', 'an object with method, headers, body or signal', init);
  }
  const fields = args.options(init, 'init', INIT_FIELDS);
  const { url, method, headers: headerSource } = fetchTarget(input, fields);
  const [names, values] = args.optionalPairs(headerSource, 'init.headers', args.string);
  if (fields.signal !== undefined && !(fields.signal instanceof AbortSignal)) {
    throw args.fail('init.signal', 'an AbortSignal', fields.signal);
  }
  return { method: args.string(method, 'init.method'), url, names, values, body: args.body(fields.body, 'init.body'), signal: fields.signal };
}

/** The server's answer as a WHATWG Response. */
function toResponse(data, method, url) {
  if (data.status < 200 || data.status > 599) {
    throw new TransportError(`transport error: ${method} answered with HTTP status ${data.status}, which a Response cannot hold`);
  }
  const headers = new Headers();
  for (const [name, value] of data.headers) {
    try {
      headers.append(name, value);
    } catch {
      // A value that is not a valid header value once decoded (invalid UTF-8): dropped, as fetch() would refuse it.
    }
  }
  const empty = NULL_BODY_STATUSES.has(data.status);
  const response = new Response(empty ? null : data.body, { status: data.status, headers });
  Object.defineProperty(response, 'url', { value: url, enumerable: true });
  return response;
}

/** Rejects with the signal's reason once it aborts; the call itself runs to its end unseen. */
function abortable(promise, signal) {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A TAAP client: gets (and caches) OAuth access tokens, and makes API calls carrying
 * `Authorization: Bearer` plus a fresh X-Authorization PoP token each.
 */
class TaapClient {
  #handle;

  /**
   * `clientId`, `clientSecret`, `key` (PrivateKey or PEM) and `server` (`'v2'`, `'v6'` or a
   * token endpoint URL) are required; the rest tune timeouts, retries and token lifetimes.
   */
  constructor(options) {
    const nativeOpts = nativeOptions(options);
    const key = privateHandleOf(options.key, 'options.key');
    this.#handle = call(() => new native.ClientHandle(nativeOpts, key));
  }

  /** The OAuth client id. */
  get clientId() {
    return this.#handle.clientId;
  }

  /** The token endpoint URL. */
  get tokenUrl() {
    return this.#handle.tokenUrl;
  }

  /** `'v2'` or `'v6'`: the token request shape. */
  get flavor() {
    return this.#handle.flavor;
  }

  /** The options in effect, under the settings schema's names (see `settingsSchema()`). */
  get settings() {
    return parsedSettings(this.#handle);
  }

  /** Seconds the client adds to the local clock for PoP `iat`, learned from servers' `Date`. */
  get clockOffsetSecs() {
    return this.#handle.clockOffsetSecs;
  }

  /** The cached access token, or a new one when missing or near expiry (one refresh for all callers). */
  async accessToken() {
    return new AccessToken(INTERNAL, await this.#warned(settle(() => this.#handle.accessToken())));
  }

  /** Fetches a new access token now, replacing the cached one. */
  async refreshAccessToken() {
    return new AccessToken(INTERNAL, await this.#warned(settle(() => this.#handle.refreshAccessToken())));
  }

  /** `pending`, after emitting the warnings the call gave (a failing token store) on this thread. */
  async #warned(pending) {
    try {
      return await pending;
    } finally {
      for (const message of this.#handle.takeWarnings()) process.emitWarning(message, 'TaapWarning');
    }
  }

  /**
   * A TAAP-signed API call, shaped like fetch(): headers are sent and signed in order
   * (Content-Type: application/json is added when absent), any HTTP status resolves, and
   * network failures reject with TransportError. A 401 gets one token refresh and retry.
   */
  async fetch(input, init) {
    const request = callArgs(input, init);
    request.signal?.throwIfAborted();
    const pending = this.#warned(settle(() => this.#handle.send(request.method, request.url, request.names, request.values, request.body)));
    const data = await abortable(pending, request.signal);
    return toResponse(data, request.method, request.url);
  }

  [inspect.custom](depth, options, show) {
    return `TaapClient ${show({ clientId: this.clientId, tokenUrl: this.tokenUrl, flavor: this.flavor }, options)}`;
  }
}

module.exports = { TaapClient, AccessToken };
