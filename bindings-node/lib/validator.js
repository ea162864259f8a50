'use strict';
// PopTokenValidator: the gateway-side check of a PoP token.

const native = require('./native');
const { call, settle } = require('./errors');
const args = require('./args');
const { publicHandleOf } = require('./keys');
const { body, fromDecoded } = require('./token');

const OPTIONS = ['leewaySecs', 'maxAgeSecs', 'required', 'replayCache'];
const REQUEST_FIELDS = ['method', 'url', 'headers', 'body'];
/** The middleware's entry to a check with a shared replay store (not part of the public API). */
const SHARED_CHECK = Symbol('taap.sharedCheck');

/** Node's header objects type absent headers as `undefined`; they are not received headers. */
function presentHeaders(headers) {
  if (!args.isPlainObject(headers)) return headers;
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined));
}

/** A header value as Node hands it over: a string, bytes, or (repeated headers) an array whose first value counts. */
function receivedValue(value, what) {
  return args.bytes(Array.isArray(value) ? value[0] : value, what);
}

function requiredNames(value) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw args.fail('options.required', 'an array of ehts names', value);
  return value.map((name, index) => args.string(name, `options.required[${index}]`));
}

/** `true` turns the replay cache on with the core's default capacity; a number sets it. */
function replayCapacity(value) {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return native.ValidatorHandle.defaultReplayCapacity();
  return args.integer(value, 'options.replayCache');
}

/** Checks PoP tokens the way an API gateway must: signature, time, coverage, edts, replay. */
class PopTokenValidator {
  #handle;

  /**
   * `leewaySecs` (default 10), `maxAgeSecs` (default 60), `required` names every token must
   * sign, `replayCache`: `true` or a capacity to reject a repeated `jti`.
   */
  constructor(options) {
    const opts = args.options(options, 'options', OPTIONS);
    const leeway = args.optionalInteger(opts.leewaySecs, 'options.leewaySecs');
    const maxAge = args.optionalInteger(opts.maxAgeSecs, 'options.maxAgeSecs');
    const required = requiredNames(opts.required);
    const replay = replayCapacity(opts.replayCache);
    this.#handle = call(() => new native.ValidatorHandle(leeway, maxAge, required, replay));
  }

  /**
   * Validates `token` against `publicKey` and the request's values by name (a Map, an array
   * of pairs or a plain object); returns the decoded token when every check passes.
   * `options.now` (epoch seconds or a Date) replaces the clock.
   */
  validate(token, publicKey, ehts, options) {
    // No uriForm: the caller gives the values, so no `uri` is derived here.
    const opts = args.options(options, 'options', ['now']);
    const [names, values] = args.pairs(ehts, 'ehts');
    const text = args.string(token, 'token');
    const key = publicHandleOf(publicKey, 'publicKey');
    const now = args.optionalEpochSeconds(opts.now, 'options.now');
    return fromDecoded(call(() => this.#handle.validate(text, key, names, values, now)));
  }

  /**
   * Validates the PoP token a request as received carries in X-Authorization:
   * `{ method, url, headers, body }` with `url` the request target (path and query, e.g.
   * Node's `req.url`) or a full URL, `headers` as received (a Map, pairs, a plain object or
   * Headers; from Node's `http`, `req.rawHeaders` as `[name, Buffer.from(value, 'latin1')]`
   * pairs, since `req.headers` drops or joins repeated lines and holds values as latin1 text)
   * and the exact body. `uri`, `http-method` and header lookups follow the core's rules.
   */
  validateRequest(publicKey, request, options) {
    const native = requestArgs(publicKey, request, options);
    return fromDecoded(call(() => this.#handle.validateRequest(...native)));
  }

  /**
   * For the middleware: the request checked with `store` (a native RedisReplayStoreHandle)
   * admitting the `jti` instead of this validator's cache, off the event loop. Resolves
   * `null` when the request may go through, or the reason the store could not answer.
   */
  [SHARED_CHECK](store, publicKey, request) {
    const native = requestArgs(publicKey, request);
    return settle(() => store.checkRequest(this.#handle, ...native));
  }
}

/** The native arguments of a check of `request` as received, converted and checked. */
function requestArgs(publicKey, request, options) {
  if (request === undefined || request === null) throw args.fail('request', 'an object with method and url', request);
  const fields = args.options(request, 'request', REQUEST_FIELDS);
  const opts = args.options(options, 'options', ['now', 'uriForm']);
  const method = args.string(fields.method, 'request.method');
  const target = args.urlText(fields.url, 'request.url');
  const [names, values] = fields.headers === undefined || fields.headers === null
    ? [[], []]
    : args.pairs(presentHeaders(fields.headers), 'request.headers', receivedValue);
  const bytes = body(fields.body, 'request.body');
  const key = publicHandleOf(publicKey, 'publicKey');
  const now = args.optionalEpochSeconds(opts.now, 'options.now');
  const uriForm = opts.uriForm === undefined || opts.uriForm === null ? undefined : args.string(opts.uriForm, "options.uriForm ('decoded' or 'encoded')");
  return [key, method, target, names, values, bytes, now, uriForm];
}

module.exports = { PopTokenValidator, SHARED_CHECK };
