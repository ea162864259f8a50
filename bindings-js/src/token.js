// PopToken: build (synchronously or as a Promise), sign HTTP requests, decode.

import * as core from '../backend.js';
import * as args from './args.js';
import { call, settle } from './errors.js';
import { INSPECT, inspected } from './inspect.js';
import { privateHandleOf } from './keys.js';

const INTERNAL = Symbol('taap.internal');
const BUILD_OPTIONS = ['ttlSecs', 'iat', 'jti'];

/** The core's `[ttlSecs, iat, jti]` for `{ ttlSecs, iat, jti }`; absent ones keep the core's defaults. */
export function buildOptions(value) {
  const opts = args.options(value, 'options', BUILD_OPTIONS);
  return [
    args.optionalInteger(opts.ttlSecs, 'options.ttlSecs'),
    args.optionalEpochSeconds(opts.iat, 'options.iat'),
    args.optionalString(opts.jti, 'options.jti'),
  ];
}

/** The core's `[method, url, headerNames, headerValues, body]` for `{ method, url, headers, body }`. */
function requestArgs(request) {
  const fields = args.requestFields(request);
  const method = fields.method === undefined ? 'GET' : args.string(fields.method, 'request.method');
  const url = args.urlText(fields.url, 'request.url');
  const [names, values] = args.optionalPairs(fields.headers, 'request.headers');
  return [method, url, names, values, args.body(fields.body, 'request.body')];
}

/** A PoP token: build one with the static methods, or decode one with `PopToken.decode`. */
export class PopToken {
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
      ehts: Object.freeze([...decoded.ehts]),
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
    return call(() => core.build(handle, names, values, ...rest));
  }

  /** `build` as a Promise, signed off the caller's thread (Node: the libuv pool; wasm: WebCrypto). */
  static async buildAsync(key, ehts, options) {
    const [names, values] = args.pairs(ehts, 'ehts');
    const handle = privateHandleOf(key, 'key');
    const rest = buildOptions(options);
    return settle(() => core.buildAsync(handle, names, values, ...rest));
  }

  /** Builds the PoP token for one HTTP request: its headers, `uri`, `http-method` and `body`. */
  static forRequest(key, request, options) {
    const handle = privateHandleOf(key, 'key');
    const rest = [...requestArgs(request), ...buildOptions(options)];
    return call(() => core.forRequest(handle, ...rest));
  }

  /** `forRequest` as a Promise, signed as `buildAsync` signs. */
  static async forRequestAsync(key, request, options) {
    const handle = privateHandleOf(key, 'key');
    const rest = [...requestArgs(request), ...buildOptions(options)];
    return settle(() => core.forRequestAsync(handle, ...rest));
  }

  /** Decodes a token's header and claims without verifying it (use PopTokenValidator for that). */
  static decode(token) {
    const text = args.string(token, 'token');
    return new PopToken(INTERNAL, call(() => core.decode(text)));
  }

  /** Seconds from `now` (epoch seconds or a Date; default: the clock) until `exp`; negative once expired. */
  expiresIn(now) {
    const at = now === undefined ? Math.floor(Date.now() / 1000) : args.epochSeconds(now, 'now');
    return this.claims.exp - at;
  }

  /** The token text, so a PopToken works where a string is expected. */
  toString() {
    return this.token;
  }

  /** Header and claims in util.inspect and console.log. */
  [INSPECT](depth, options, inspect) {
    return inspected('PopToken', { header: this.header, claims: this.claims }, options, inspect);
  }
}

/** A PopToken for a token the core decoded (the validator returns one). */
export function fromDecoded(decoded) {
  return new PopToken(INTERNAL, decoded);
}
