// SignPolicy, requestUri, requestMethod: the core's request rules, shared by every door.

import * as core from '../backend.js';
import * as args from './args.js';
import { call } from './errors.js';
import { INSPECT } from './inspect.js';

const INTERNAL = Symbol('taap.internal');
let handleOf;

/** Header names as an array of strings. */
function headerNames(value, what) {
  if (!Array.isArray(value)) throw args.fail(what, 'an array of header names', value);
  return value.map((name, index) => args.string(name, `${what}[${index}]`));
}

/**
 * Which headers of an outgoing request a PoP token signs. `new SignPolicy()` is T-Mobile's
 * docs: Content-Type, then Authorization, each when present. Names match ignoring ASCII
 * case; X-Authorization is never signed. Policies are immutable: `withHeader` and
 * `withoutHeader` return new ones.
 */
export class SignPolicy {
  #handle;

  constructor(internal, handle) {
    if (internal === INTERNAL) this.#handle = handle;
    else if (internal === undefined) this.#handle = core.docsPolicy();
    else throw new TypeError('new SignPolicy() takes no arguments; use SignPolicy.headers(names) or SignPolicy.allHeaders()');
    Object.freeze(this);
  }

  static {
    handleOf = (policy) => policy.#handle;
  }

  /** Signs exactly these headers, in this order, each when the request has it. */
  static headers(names) {
    const list = headerNames(names, 'names');
    return new SignPolicy(INTERNAL, call(() => core.headersPolicy(list)));
  }

  /** Signs every header the request carries, in the request's order. */
  static allHeaders() {
    return new SignPolicy(INTERNAL, core.allHeadersPolicy());
  }

  /** A new policy that also signs header `name`. */
  withHeader(name) {
    const text = args.string(name, 'name');
    return new SignPolicy(INTERNAL, call(() => this.#handle.withHeader(text)));
  }

  /** A new policy that never signs header `name`. */
  withoutHeader(name) {
    const text = args.string(name, 'name');
    return new SignPolicy(INTERNAL, call(() => this.#handle.withoutHeader(text)));
  }

  /**
   * The `[name, value]` pairs of `headers` (a Map, Headers, pairs or a plain object) this
   * policy signs, in signing order: names as given, values without surrounding whitespace.
   */
  select(headers) {
    const [names, values] = args.pairs(headers, 'headers', args.string);
    return call(() => core.selectHeaders(this.#handle, names, values)).map(([index, value]) => [names[index], value]);
  }

  /** Whether `other` is a policy that selects the same headers. */
  equals(other) {
    return other instanceof SignPolicy && this.#handle.equals(other.#handle);
  }

  /** `SignPolicy(Content-Type, Authorization)`: the names it signs. */
  toString() {
    return `SignPolicy(${this.#handle.describe() || 'no headers'})`;
  }

  /** The names it signs in util.inspect and console.log. */
  [INSPECT]() {
    return this.toString();
  }
}

/** The core handle of a SignPolicy argument. */
export function policyHandleOf(policy, what) {
  if (!(policy instanceof SignPolicy)) throw args.fail(what, 'a SignPolicy', policy);
  return handleOf(policy);
}

/** The `uri` value of a URL or path: path plus percent-decoded query, as the gateway compares it. */
export function requestUri(url) {
  const text = args.urlText(url, 'url');
  return call(() => core.requestUri(text));
}

/** The `http-method` value: the method upper-cased, which must be an HTTP token. */
export function requestMethod(method) {
  const text = args.string(method, 'method');
  return call(() => core.requestMethod(text));
}
