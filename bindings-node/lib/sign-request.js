'use strict';
// signRequest: the `init` for fetch()/undici with an X-Authorization PoP token over the
// request exactly as it will be sent.

const args = require('./args');
const { call } = require('./errors');
const { privateHandleOf } = require('./keys');
const { SignPolicy, policyHandleOf } = require('./policy');
const { body, buildOptions } = require('./token');

const HEADER = 'X-Authorization';
const OPTIONS = ['ttlSecs', 'iat', 'jti', 'signHeaders', 'policy'];
const DOCS_POLICY = new SignPolicy();

function isRequestLike(input) {
  return input !== null && typeof input === 'object' && !(input instanceof URL) && typeof input.url === 'string';
}

function isAuthorizationHeader(name) {
  return name.toLowerCase() === HEADER.toLowerCase();
}

/** The core policy the options ask for: `policy`, else `signHeaders` names, else the docs'. */
function policyOf(opts) {
  const given = (value) => value !== undefined && value !== null;
  if (given(opts.policy) && given(opts.signHeaders)) {
    throw new TypeError('pass options.policy or options.signHeaders, not both');
  }
  if (given(opts.policy)) return policyHandleOf(opts.policy, 'options.policy');
  if (!given(opts.signHeaders)) return policyHandleOf(DOCS_POLICY, 'options.policy');
  if (!Array.isArray(opts.signHeaders)) throw args.fail('options.signHeaders', 'an array of header names', opts.signHeaders);
  return policyHandleOf(SignPolicy.headers(opts.signHeaders), 'options.signHeaders');
}

/** A copy of the caller's headers, in the same shape, with the PoP token set. */
function withToken(source, token) {
  if (source === undefined || source === null) return { [HEADER]: token };
  if (typeof Headers === 'function' && source instanceof Headers) {
    const copy = new Headers(source);
    copy.set(HEADER, token);
    return copy;
  }
  if (source instanceof Map) {
    const copy = new Map([...source].filter(([name]) => !isAuthorizationHeader(name)));
    return copy.set(HEADER, token);
  }
  if (args.isPlainObject(source)) {
    const copy = {};
    for (const name of Object.keys(source)) if (!isAuthorizationHeader(name)) copy[name] = source[name];
    copy[HEADER] = token;
    return copy;
  }
  return [...[...source].filter(([name]) => !isAuthorizationHeader(name)), [HEADER, token]];
}

/**
 * Signs a fetch()/undici request: returns a copy of `init` whose headers carry an
 * X-Authorization PoP token over the headers the core's signing policy picks (by default
 * the docs' Content-Type and Authorization; `options.signHeaders` names them, or
 * `options.policy` is a SignPolicy), the URL's path and query, the method and the body. `input` is a URL string, a URL or a Request (whose body, if any, must be
 * passed again as `init.body`, since a stream cannot be read synchronously).
 */
function signRequest(key, input, init, options) {
  if (init !== undefined && init !== null && (typeof init !== 'object' || Array.isArray(init))) {
    throw args.fail('init', 'a fetch RequestInit object', init);
  }
  const request = isRequestLike(input) ? input : undefined;
  const url = request ? request.url : args.urlText(input, 'input');
  const fields = init ?? {};
  const method = fields.method ?? (request ? request.method : 'GET');
  const headerSource = fields.headers ?? (request ? request.headers : undefined);
  if (request && request.body && fields.body === undefined) {
    throw new TypeError('the Request has a body; pass it again as init.body (a stream cannot be signed before it is sent)');
  }
  const opts = args.options(options, 'options', OPTIONS);
  const policy = policyOf(opts);
  const handle = privateHandleOf(key, 'key');
  const methodText = args.string(method, 'init.method');
  const [names, values] = headerSource === undefined || headerSource === null
    ? [[], []]
    : args.pairs(headerSource, 'init.headers', args.string);
  const bytes = body(fields.body, 'init.body');
  const rest = buildOptions({ ttlSecs: opts.ttlSecs, iat: opts.iat, jti: opts.jti });
  const token = call(() => policy.sign(handle, methodText, url, names, values, bytes, ...rest));
  return { ...fields, method, headers: withToken(headerSource, token) };
}

module.exports = { signRequest };
