// signRequest: the `init` for fetch()/undici with an X-Authorization PoP token over the
// request exactly as it will be sent.

import * as core from '../backend.js';
import * as args from './args.js';
import { call } from './errors.js';
import { privateHandleOf } from './keys.js';
import { SignPolicy, policyHandleOf } from './policy.js';
import { buildOptions } from './token.js';

const HEADER = 'X-Authorization';
const OPTIONS = ['ttlSecs', 'iat', 'jti', 'signHeaders', 'policy'];
let docsPolicy;

/**
 * What a fetch()-style call sends, from its `input` (a URL string, a URL or a Request) and
 * `init` fields: the URL, the method and the headers' source, init's winning over the
 * Request's. A Request's body cannot be read synchronously, so it must come again as `init.body`.
 */
export function fetchTarget(input, fields) {
  const request = input !== null && typeof input === 'object' && !(input instanceof URL) && typeof input.url === 'string' ? input : undefined;
  if (request && request.body && fields.body === undefined) {
    throw new TypeError('the Request has a body; pass it again as init.body (a stream cannot be signed before it is sent)');
  }
  return {
    url: request ? request.url : args.urlText(input, 'input'),
    method: fields.method ?? (request ? request.method : 'GET'),
    headers: fields.headers ?? (request ? request.headers : undefined),
  };
}

/** Whether `name` is the PoP header, in any case. */
function isPopHeader(name) {
  return name.toLowerCase() === HEADER.toLowerCase();
}

/** The core policy the options ask for: `policy`, else `signHeaders` names, else the docs'. */
function policyOf(opts) {
  const given = (value) => value !== undefined && value !== null;
  if (given(opts.policy) && given(opts.signHeaders)) throw new TypeError('pass options.policy or options.signHeaders, not both');
  if (given(opts.policy)) return policyHandleOf(opts.policy, 'options.policy');
  if (!given(opts.signHeaders)) return policyHandleOf((docsPolicy ??= new SignPolicy()), 'options.policy');
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
  if (source instanceof Map) return new Map([...source].filter(([name]) => !isPopHeader(name))).set(HEADER, token);
  if (args.isPlainObject(source)) {
    const copy = {};
    for (const name of Object.keys(source)) if (!isPopHeader(name)) copy[name] = source[name];
    copy[HEADER] = token;
    return copy;
  }
  return [...[...source].filter(([name]) => !isPopHeader(name)), [HEADER, token]];
}

/**
 * What signing a fetch() call takes, checked: `signArgs`, the core's arguments (policy, key,
 * method, URL, header names and values, body, build options), and `finish(token)`, which
 * makes the signed copy of `init`. A door's own signer (wasm's WebCrypto) starts here too.
 */
export function prepareSignRequest(key, input, init, options) {
  if (init !== undefined && init !== null && (typeof init !== 'object' || Array.isArray(init))) {
    throw args.fail('init', 'a fetch RequestInit object', init);
  }
  const fields = init ?? {};
  const { url, method, headers: headerSource } = fetchTarget(input, fields);
  const opts = args.options(options, 'options', OPTIONS);
  const policy = policyOf(opts);
  const handle = privateHandleOf(key, 'key');
  const methodText = args.string(method, 'init.method');
  const [names, values] = args.optionalPairs(headerSource, 'init.headers', args.string);
  const data = args.body(fields.body, 'init.body');
  const rest = buildOptions({ ttlSecs: opts.ttlSecs, iat: opts.iat, jti: opts.jti });
  const signArgs = [policy, handle, methodText, url, names, values, data, ...rest];
  return { signArgs, finish: (token) => ({ ...fields, method, headers: withToken(headerSource, token) }) };
}

/**
 * Signs a fetch()/undici request: returns a copy of `init` whose headers carry an
 * X-Authorization PoP token over the headers the core's signing policy picks (by default
 * the docs' Content-Type and Authorization; `options.signHeaders` names them, or
 * `options.policy` is a SignPolicy), the URL's path and query, the method and the body.
 * `input` is a URL string, a URL or a Request (whose body, if any, must be passed again as
 * `init.body`, since a stream cannot be read synchronously).
 */
export function signRequest(key, input, init, options) {
  const { signArgs, finish } = prepareSignRequest(key, input, init, options);
  return finish(call(() => core.signRequest(...signArgs)));
}
