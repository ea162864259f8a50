'use strict';
// signRequest: the `init` for fetch()/undici with an X-Authorization PoP token over the
// request exactly as it will be sent.

const args = require('./args');
const { PopToken, body } = require('./token');

const HEADER = 'X-Authorization';
const OPTIONS = ['ttlSecs', 'iat', 'jti', 'signHeaders'];

/** fetch() strips leading and trailing HTTP whitespace from header values before sending. */
function sentValue(value, what) {
  if (typeof value !== 'string') throw args.fail(what, 'a string', value);
  return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}

function isRequestLike(input) {
  return input !== null && typeof input === 'object' && !(input instanceof URL) && typeof input.url === 'string';
}

function isAuthorizationHeader(name) {
  return name.toLowerCase() === HEADER.toLowerCase();
}

/** The headers to sign, in order: all but X-Authorization, or the `signHeaders` ones. */
function signedHeaders(source, signHeaders) {
  const wanted = signHeaders === undefined ? undefined : new Set(signHeaderNames(signHeaders));
  if (source === undefined || source === null) return [];
  const [names, values] = args.pairs(source, 'init.headers', sentValue);
  const headers = [];
  names.forEach((name, index) => {
    if (isAuthorizationHeader(name)) return;
    if (wanted === undefined || wanted.has(name.toLowerCase())) headers.push([name, values[index]]);
  });
  return headers;
}

function signHeaderNames(value) {
  if (!Array.isArray(value)) throw args.fail('options.signHeaders', 'an array of header names', value);
  return value.map((name, index) => args.string(name, `options.signHeaders[${index}]`).toLowerCase());
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
 * X-Authorization PoP token over those headers, the URL's path and query, the method and
 * the body. `input` is a URL string, a URL or a Request (whose body, if any, must be
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
  const token = PopToken.forRequest(
    key,
    { method, url, headers: signedHeaders(headerSource, opts.signHeaders), body: body(fields.body, 'init.body') },
    { ttlSecs: opts.ttlSecs, iat: opts.iat, jti: opts.jti },
  );
  return { ...fields, method, headers: withToken(headerSource, token) };
}

module.exports = { signRequest };
