// PopTokenValidator: the gateway-side check of a PoP token.

import * as core from '../backend.js';
import * as args from './args.js';
import { call } from './errors.js';
import { publicHandleOf } from './keys.js';
import { fromDecoded } from './token.js';

/** Node's header objects type absent headers as `undefined`; they are not received headers. */
function presentHeaders(headers) {
  if (!args.isPlainObject(headers)) return headers;
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined));
}

/** A header value as Node hands it over: a string, bytes, or (repeated headers) an array whose first value counts. */
function receivedValue(value, what) {
  return args.bytes(Array.isArray(value) ? value[0] : value, what);
}

/**
 * The options as JSON for the core, which checks them against its settings schema (`leeway`,
 * `maxAge`, `required`, `replayCache`). `replayCache: true` asks for the core's default capacity,
 * `false` turns it off; a number JSON cannot hold is refused here, since it would become null.
 */
function optionsJson(options) {
  if (options === undefined || options === null) return '{}';
  if (!args.isPlainObject(options)) throw args.fail('options', 'an object of validator options', options);
  const given = { ...options };
  if (given.replayCache === true) given.replayCache = core.defaultReplayCapacity();
  if (given.replayCache === false) given.replayCache = null;
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === 'number' && !Number.isFinite(value)) throw args.fail(`options.${name}`, 'a finite number', value);
  }
  return JSON.stringify(given);
}

/** `validate` derives no `uri`, so a `uriForm` there would do nothing: it is refused, not ignored. */
function refuseUriForm(opts) {
  if (opts.uriForm !== undefined) {
    throw new TypeError("options.uriForm is an option of validateRequest, which reads `uri` from the request's URL; validate compares the values it is given");
  }
}

/** The core's arguments of a check of `request` as received: key, method, target, headers, body, now, uriForm. */
function receivedArgs(publicKey, request, options) {
  const fields = args.requestFields(request);
  const opts = args.options(options, 'options', ['now', 'uriForm']);
  const method = args.string(fields.method, 'request.method');
  const target = args.urlText(fields.url, 'request.url');
  const [names, values] = args.optionalPairs(presentHeaders(fields.headers), 'request.headers', receivedValue);
  const data = args.body(fields.body, 'request.body');
  const key = publicHandleOf(publicKey, 'publicKey');
  const now = args.optionalEpochSeconds(opts.now, 'options.now');
  const uriForm = args.optionalString(opts.uriForm, "options.uriForm ('decoded' or 'encoded')");
  return [key, method, target, names, values, data, now, uriForm];
}

/** Checks PoP tokens the way an API gateway must: signature, time, coverage, edts, replay. */
export class PopTokenValidator {
  #handle;

  /**
   * The options of the core's settings schema: `leeway` (default 10), `maxAge` (default 60),
   * `required` names every token must sign, `replayCache`: `true` or a capacity to reject a
   * repeated `jti`.
   */
  constructor(options) {
    const json = optionsJson(options);
    this.#handle = call(() => core.validator(json));
  }

  /** The options in effect, under the schema's names. */
  get settings() {
    return Object.freeze(JSON.parse(this.#handle.settings));
  }

  /**
   * Validates `token` against `publicKey` and the request's values by name (a Map, an array
   * of pairs or a plain object); returns the decoded token when every check passes.
   * `options.now` (epoch seconds or a Date) replaces the clock.
   */
  validate(token, publicKey, ehts, options) {
    const opts = args.options(options, 'options', ['now', 'uriForm']);
    refuseUriForm(opts);
    const [names, values] = args.pairs(ehts, 'ehts');
    const text = args.string(token, 'token');
    const key = publicHandleOf(publicKey, 'publicKey');
    const now = args.optionalEpochSeconds(opts.now, 'options.now');
    return fromDecoded(call(() => core.validate(this.#handle, text, key, names, values, now)));
  }

  /**
   * Validates the PoP token a request as received carries in X-Authorization:
   * `{ method, url, headers, body }` with `url` the request target (path and query, e.g.
   * Node's `req.url`) or a full URL, `headers` as received (a Map, pairs, a plain object or
   * Headers; from Node's `http`, `req.rawHeaders` as `[name, Buffer.from(value, 'latin1')]`
   * pairs, since `req.headers` drops or joins repeated lines and holds values as latin1 text)
   * and the exact body. `uri`, `http-method` and header lookups follow the core's rules;
   * `options.uriForm` is `'decoded'` (the docs, default) or `'encoded'` (the query as sent).
   */
  validateRequest(publicKey, request, options) {
    const received = receivedArgs(publicKey, request, options);
    return fromDecoded(call(() => core.validateRequest(this.#handle, ...received)));
  }
}
