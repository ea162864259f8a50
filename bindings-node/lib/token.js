'use strict';
// PopToken: build (sync and on the libuv pool), sign HTTP requests, decode.

const { inspect } = require('node:util');
const native = require('./native');
const { call, settle } = require('./errors');
const args = require('./args');
const { privateHandleOf } = require('./keys');

const INTERNAL = Symbol('taap.internal');
const BUILD_OPTIONS = ['ttlSecs', 'iat', 'jti'];
const REQUEST_FIELDS = ['method', 'url', 'headers', 'body'];

/** Positional native arguments for `{ ttlSecs, iat, jti }`; absent ones keep the core's defaults. */
function buildOptions(value) {
  const opts = args.options(value, 'options', BUILD_OPTIONS);
  return [
    args.optionalInteger(opts.ttlSecs, 'options.ttlSecs'),
    args.optionalEpochSeconds(opts.iat, 'options.iat'),
    opts.jti === undefined || opts.jti === null ? undefined : args.string(opts.jti, 'options.jti'),
  ];
}

/** A request body as the bytes that are sent: nothing, a string, bytes or URLSearchParams. */
function body(value, what) {
  if (value === undefined || value === null) return '';
  if (value instanceof URLSearchParams) return value.toString();
  if (typeof value === 'string' || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return args.bytes(value, what);
  }
  throw args.fail(what, 'a string, a Buffer/Uint8Array, an ArrayBuffer or URLSearchParams (a stream cannot be signed before it is sent)', value);
}

/** Positional native arguments for `{ method, url, headers, body }`. */
function requestArgs(request) {
  if (request === undefined || request === null) throw args.fail('request', 'an object with method and url', request);
  const fields = args.options(request, 'request', REQUEST_FIELDS);
  const method = fields.method === undefined ? 'GET' : args.string(fields.method, 'request.method');
  const url = args.urlText(fields.url, 'request.url');
  const [headerNames, headerValues] = fields.headers === undefined || fields.headers === null
    ? [[], []]
    : args.pairs(fields.headers, 'request.headers');
  return [method, url, headerNames, headerValues, body(fields.body, 'request.body')];
}

/** A PoP token: build one with the static methods, or decode one with `PopToken.decode`. */
class PopToken {
  constructor(token, decoded) {
    if (token !== INTERNAL) {
      throw new TypeError('PopToken has no public constructor; use PopToken.build(), PopToken.forRequest() or PopToken.decode()');
    }
    /** The token text. */
    this.token = decoded.token;
    /** The JOSE header: `alg` is always RS256. */
    this.header = Object.freeze({ alg: decoded.alg, typ: decoded.typ ?? undefined });
    /** The claims, in T-Mobile's member order; `ehts` split into names. */
    this.claims = Object.freeze({
      edts: decoded.edts,
      v: decoded.v,
      exp: decoded.exp,
      ehts: Object.freeze(decoded.ehts),
      iat: decoded.iat,
      jti: decoded.jti,
    });
    Object.freeze(this);
  }

  /**
   * Builds a PoP token over ordered ehts: a Map, an array of [name, value] pairs or a plain
   * object; values are strings or bytes.
   */
  static build(key, ehts, options) {
    const [names, values] = args.pairs(ehts, 'ehts');
    const handle = privateHandleOf(key, 'key');
    const rest = buildOptions(options);
    return call(() => native.build(handle, names, values, ...rest));
  }

  /** `build` on the libuv thread pool, for signing many tokens at once. */
  static async buildAsync(key, ehts, options) {
    const [names, values] = args.pairs(ehts, 'ehts');
    const handle = privateHandleOf(key, 'key');
    const rest = buildOptions(options);
    return settle(() => native.buildAsync(handle, names, values, ...rest));
  }

  /** Builds the PoP token for one HTTP request: its headers, `uri`, `http-method` and `body`. */
  static forRequest(key, request, options) {
    const handle = privateHandleOf(key, 'key');
    const rest = [...requestArgs(request), ...buildOptions(options)];
    return call(() => native.forRequest(handle, ...rest));
  }

  /** `forRequest` on the libuv thread pool. */
  static async forRequestAsync(key, request, options) {
    const handle = privateHandleOf(key, 'key');
    const rest = [...requestArgs(request), ...buildOptions(options)];
    return settle(() => native.forRequestAsync(handle, ...rest));
  }

  /** Decodes a token's header and claims without verifying it (use PopTokenValidator for that). */
  static decode(token) {
    const text = args.string(token, 'token');
    return new PopToken(INTERNAL, call(() => native.decode(text)));
  }

  /** Seconds from `now` (epoch seconds or a Date; default: the clock) until `exp`; negative once expired. */
  expiresIn(now) {
    const at = now === undefined ? Math.floor(Date.now() / 1000) : args.epochSeconds(now, 'now');
    return this.claims.exp - at;
  }

  toString() {
    return this.token;
  }

  [inspect.custom](depth, options, show) {
    return `PopToken ${show({ header: this.header, claims: this.claims }, options)}`;
  }
}

/** A PopToken for a native decode result (the validator returns one). */
function fromDecoded(decoded) {
  return new PopToken(INTERNAL, decoded);
}

module.exports = { PopToken, fromDecoded, body, buildOptions };
