'use strict';
// KeySource: where popMiddleware and withPop find a client's keys (the core's
// taap::validate::KeySource): several keys at once (each with an optional kid and nbf/exp
// window), a key file read again when it changes, or a JWK set URL, so keys rotate without a
// restart. Node only: the wasm package validates with one key at a time.

const native = require('./native');
const args = require('./shared/args.js');
const { call, settle } = require('./shared/errors.js');
const { INSPECT, inspected } = require('./shared/inspect.js');
const { filePath } = require('./keys');

const INTERNAL = Symbol('taap.internal');

let handleOf;

/**
 * A client's public keys for the middleware (`publicKey`, or what a lookup returns): a fixed
 * set (`parse`), a file followed as it changes (`fromFile`), or a JWK set URL (`fromJwksUrl`).
 */
class KeySource {
  #handle;

  constructor(token, handle) {
    if (token !== INTERNAL) throw new TypeError('KeySource has no public constructor; use KeySource.parse(), fromFile() or fromJwksUrl()');
    this.#handle = handle;
    Object.freeze(this);
  }

  static {
    handleOf = (source) => source.#handle;
  }

  /** A fixed set from PEM, JWK or JWK set (`{"keys": [...]}`) text or bytes. */
  static parse(data) {
    const bytes = args.bytes(data, 'data');
    return new KeySource(INTERNAL, call(() => native.KeySourceHandle.parse(bytes)));
  }

  /**
   * The keys of the file at `path` (PEM, JWK or JWK set), read again when it changes (looked
   * at once a second at most; a half-written file keeps the keys in force).
   */
  static fromFile(path) {
    const file = filePath(path, 'path');
    return new KeySource(INTERNAL, call(() => native.KeySourceHandle.fromFile(file)));
  }

  /**
   * The JWK set served at `url` (http or https), fetched when first needed: cached per
   * `Cache-Control: max-age`, fetched again (at most every few seconds) for a `kid` it lacks;
   * while it cannot be fetched and nothing usable is cached, requests get 503
   * `KeySourceUnavailable`.
   */
  static fromJwksUrl(url) {
    const text = args.urlText(url, 'url');
    return new KeySource(INTERNAL, call(() => native.KeySourceHandle.fromJwksUrl(text)));
  }

  /** `'fixed'`, `'file'` or `'jwks'`. */
  get kind() {
    return this.#handle.kind;
  }

  /**
   * How many keys are in force now: a Promise, since a JWK set URL with nothing usable cached
   * is fetched first (off the event loop); rejects with KeySourceUnavailableError when it
   * cannot be.
   */
  size() {
    return settle(() => this.#handle.size());
  }

  /** `{ kind }` and the file's `path` or the JWK set's `url` (never its query, which may hold a credential). */
  toJSON() {
    const location = this.#handle.location;
    if (location === null || location === undefined) return { kind: this.kind };
    return this.kind === 'file' ? { kind: this.kind, path: location } : { kind: this.kind, url: location };
  }

  /** `KeySource(jwks: https://idp.example/jwks.json)`, `KeySource(fixed)`. */
  toString() {
    const location = this.#handle.location;
    return location === null || location === undefined ? `KeySource(${this.kind})` : `KeySource(${this.kind}: ${location})`;
  }

  /** Kind and path or URL in util.inspect and console.log. */
  [INSPECT](depth, options, inspect) {
    return inspected('KeySource', this.toJSON(), options, inspect);
  }
}

/** The native handle of a KeySource, for the middleware's gate. */
function keySourceHandleOf(source) {
  return handleOf(source);
}

module.exports = { KeySource, keySourceHandleOf };
