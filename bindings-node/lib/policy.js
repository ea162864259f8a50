'use strict';
// SignPolicy, requestUri, requestMethod: the core's request rules, shared by every door.

const { inspect } = require('node:util');
const native = require('./native');
const { call } = require('./errors');
const args = require('./args');

const INTERNAL = Symbol('taap.internal');
let handleOf;

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
class SignPolicy {
  #handle;

  constructor(internal, handle) {
    if (internal === INTERNAL) {
      this.#handle = handle;
    } else if (internal === undefined) {
      this.#handle = native.SignPolicyHandle.docs();
    } else {
      throw new TypeError('new SignPolicy() takes no arguments; use SignPolicy.headers(names) or SignPolicy.allHeaders()');
    }
    Object.freeze(this);
  }

  static {
    handleOf = (policy, what) => {
      if (!(policy instanceof SignPolicy)) throw args.fail(what, 'a SignPolicy', policy);
      return policy.#handle;
    };
  }

  /** Signs exactly these headers, in this order, each when the request has it. */
  static headers(names) {
    const list = headerNames(names, 'names');
    return new SignPolicy(INTERNAL, call(() => native.SignPolicyHandle.headers(list)));
  }

  /** Signs every header the request carries, in the request's order. */
  static allHeaders() {
    return new SignPolicy(INTERNAL, native.SignPolicyHandle.allHeaders());
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
    return call(() => this.#handle.select(names, values)).map(({ index, value }) => [names[index], value]);
  }

  /** Whether `other` is a policy that selects the same headers. */
  equals(other) {
    return other instanceof SignPolicy && this.#handle.equals(other.#handle);
  }

  toString() {
    return `SignPolicy(${this.#handle.describe() || 'no headers'})`;
  }

  [inspect.custom]() {
    return this.toString();
  }
}

/** The `uri` value of a URL or path: path plus percent-decoded query, as the gateway compares it. */
function requestUri(url) {
  const text = args.urlText(url, 'url');
  return call(() => native.requestUri(text));
}

/** The `http-method` value: the method upper-cased, which must be an HTTP token. */
function requestMethod(method) {
  const text = args.string(method, 'method');
  return call(() => native.requestMethod(text));
}

module.exports = { SignPolicy, policyHandleOf: (policy, what) => handleOf(policy, what), requestUri, requestMethod };
