'use strict';
// PoP validation in front of a Node service: Express (popMiddleware) and fetch-style handlers
// (withPop). Every rule — which names, how `uri` is read, times, replay — is the core's,
// reached through PopTokenValidator.validateRequest; this file only moves bytes and answers.

const native = require('./native');
const { PublicKey } = require('./keys');
const { PopTokenValidator, receivedRequestCheck } = require('./shared/validator.js');
const { TaapError, KIND_CLASSES, call, settle } = require('./shared/errors.js');

/** The core's defaults of the middleware's options (`required`: the request line). */
const DEFAULTS = JSON.parse(native.middlewareSettings('{}'));
const DEFAULT_REQUIRED = Object.freeze(DEFAULTS.required);
const { maxBody: DEFAULT_MAX_BODY, clientIdHeader: DEFAULT_CLIENT_ID_HEADER } = DEFAULTS;

const { ConfigError, InvalidTokenError } = KIND_CLASSES;

function asKey(key) {
  if (key instanceof PublicKey) return key;
  if (typeof key !== 'string') throw new ConfigError('publicKey must be a PublicKey, PEM or JWK text, or a lookup function');
  const text = key.trim();
  return text.startsWith('{') ? PublicKey.fromJwk(text) : PublicKey.fromPem(text);
}

/** The check both adapters run, with options parsed once and one validator (one replay cache). */
function popCheck(options) {
  if (options === null || typeof options !== 'object') throw new ConfigError('popMiddleware needs an options object with publicKey');
  const { publicKey } = options;
  // The core checks every option and resolves the replay store; null is JavaScript's "off".
  const given = {};
  for (const name of ['required', 'leeway', 'maxAge', 'maxBody', 'clientIdHeader', 'replayStore']) given[name] = options[name] ?? null;
  if (options.replayStore === null) given.replayStore = false;
  if (typeof given.maxBody === 'number' && !Number.isFinite(given.maxBody)) throw new ConfigError('option maxBody must be a whole number of bytes, not ' + given.maxBody);
  const settings = JSON.parse(call(() => native.middlewareSettings(JSON.stringify(given))));
  const clientIdHeader = settings.clientIdHeader.toLowerCase();
  const maxBody = settings.maxBody;
  if (publicKey === undefined || publicKey === null) throw new ConfigError('publicKey is required: a PublicKey, PEM or JWK text, or a lookup function');
  const lookup = typeof publicKey === 'function' ? publicKey : null;
  const key = lookup ? null : asKey(publicKey);
  const { leeway, maxAge, required, replayCache } = settings;
  const validator = new PopTokenValidator({ leeway, maxAge, required, replayCache: replayCache ?? false });
  const shared = settings.sharedReplayStore === null ? null : call(() => new native.RedisReplayStoreHandle(settings.sharedReplayStore));

  async function keyFor(headerOf) {
    if (key) return key;
    const clientId = headerOf(clientIdHeader);
    if (!clientId) throw new InvalidTokenError(`the ${clientIdHeader} header (the client id) is missing`);
    const found = await lookup(clientId);
    if (found === undefined || found === null) throw new InvalidTokenError('no public key is registered for this client id');
    return asKey(found);
  }

  /** `null` when the request passes; else `{ status, body }` to answer with. */
  async function refusal(request, headerOf) {
    try {
      const key = await keyFor(headerOf);
      if (shared) {
        const [handle, received] = receivedRequestCheck(validator, key, request);
        // Off the event loop; `null` when the request may go through, else why the store could not answer.
        const reason = await settle(() => shared.checkRequest(handle, ...received));
        return reason === null ? null : storeUnavailable('redis', reason);
      }
      validator.validateRequest(key, request);
      return null;
    } catch (error) {
      if (!(error instanceof TaapError)) throw error;
      return unauthorized(error);
    }
  }

  return { refusal, maxBody };
}

function kindOf(error) {
  return error.name.endsWith('Error') ? error.name.slice(0, -'Error'.length) : error.name;
}

function unauthorized(error) {
  return { status: 401, body: { error: kindOf(error), message: error.message } };
}

/** 503 naming the replay store that could not answer: fail closed, as `taap serve` does. */
function storeUnavailable(store, reason) {
  const message = `the replay store (${store}) is unavailable: ${reason}; retry shortly`;
  return { status: 503, body: { error: 'replay_store_unavailable', store, message } };
}

function tooLarge(limit) {
  return { status: 413, body: { error: 'RequestTooLarge', message: `the body is larger than ${limit} bytes` } };
}

function misplaced() {
  return {
    status: 500,
    body: { error: 'Config', message: 'popMiddleware must run before any body parser (it needs the body as sent)' },
  };
}

/** The body as sent: from the stream, or from express.raw() if it ran first; `null` past `limit`. */
async function readBody(req, limit) {
  if (Buffer.isBuffer(req.body)) return req.body.length > limit ? null : req.body;
  if (req._body || req.readableEnded) return undefined;
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(res, answer) {
  const body = JSON.stringify(answer.body);
  res.statusCode = answer.status;
  res.setHeader('Content-Type', 'application/json');
  if (answer.status === 401) res.setHeader('WWW-Authenticate', 'PoP realm="taap"');
  if (answer.status === 503) res.setHeader('Retry-After', '1');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * Express middleware: only requests with a valid, unreplayed PoP token reach the next handler.
 * It reads the body (the token may sign it) and leaves it as a Buffer in `req.body` and
 * `req.rawBody`; mount it before body parsers.
 */
function popMiddleware(options) {
  const check = popCheck(options);
  return function taapPop(req, res, next) {
    (async () => {
      const body = await readBody(req, check.maxBody);
      if (body === null) return send(res, tooLarge(check.maxBody));
      if (body === undefined) return send(res, misplaced());
      const headers = receivedHeaders(req);
      const request = { method: req.method, url: req.originalUrl ?? req.url, headers, body };
      const answer = await check.refusal(request, (name) => onlyValue(headers, name));
      if (answer) return send(res, answer);
      req.rawBody = body;
      req.body = body;
      // Body parsers after this one skip a request whose body was already read.
      req._body = true;
      return next();
    })().catch(next);
  };
}

/**
 * Every header line as received, in order, each value as its bytes. `req.headers` will not do:
 * Node keeps only the first of repeated Authorization lines and joins other repeats with ', ',
 * so the core could not refuse ambiguous credentials; and Node's parser decodes each value
 * byte for byte as latin1, which as a JS string would reach the core re-encoded as UTF-8
 * (a signed `café` sent as UTF-8 would never match).
 */
function receivedHeaders(req) {
  const raw = req.rawHeaders;
  if (!Array.isArray(raw)) {
    // Only a hand-made request object lacks rawHeaders, and it has no repeated lines to lose.
    return Object.entries(req.headers ?? {})
      .filter(([, value]) => value !== undefined)
      .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((one) => [name, latin1Bytes(one)]));
  }
  const pairs = [];
  for (let index = 0; index + 1 < raw.length; index += 2) pairs.push([raw[index], latin1Bytes(raw[index + 1])]);
  return pairs;
}

/**
 * A value Node or a fetch Headers object holds (one char per byte received) as those bytes. A
 * char above U+00FF cannot be a received byte (a mock's string), and latin1 would truncate it
 * silently, so such a string counts as its UTF-8.
 */
function latin1Bytes(value) {
  const text = String(value);
  return Buffer.from(text, /[^\u0000-\u00ff]/.test(text) ? 'utf8' : 'latin1');
}

/**
 * The value of header `name` (lower case) for the key lookup, as the text Node would show the
 * app. Sent twice, the client would be ambiguous: a proxy and this check could pick different
 * clients, so it is refused.
 */
function onlyValue(pairs, name) {
  const values = pairs.filter(([received]) => received.toLowerCase() === name).map(([, value]) => value);
  if (values.length > 1) throw new InvalidTokenError(`the ${name} header appears ${values.length} times; send it once`);
  return values.length === 1 ? values[0].toString('latin1') : undefined;
}

/**
 * Wraps a fetch-style handler (`(request: Request, ...rest) => Response`): a request without a
 * valid, unreplayed PoP token is answered here and never reaches `handler`.
 */
function withPop(handler, options) {
  if (typeof handler !== 'function') throw new ConfigError('withPop needs the handler function to wrap');
  const check = popCheck(options);
  return async function popChecked(request, ...rest) {
    const bytes = new Uint8Array(await request.clone().arrayBuffer());
    if (bytes.length > check.maxBody) return respond(tooLarge(check.maxBody));
    // Headers values are ByteStrings (one char per byte); repeats arrive joined by ', ', which
    // the core refuses for X-Authorization and Bearer/Basic Authorization.
    const headers = [...request.headers].map(([name, value]) => [name, latin1Bytes(value)]);
    const fields = { method: request.method, url: request.url, headers, body: bytes };
    const answer = await check.refusal(fields, (name) => request.headers.get(name));
    return answer ? respond(answer) : handler(request, ...rest);
  };
}

function respond(answer) {
  const headers = { 'Content-Type': 'application/json' };
  if (answer.status === 401) headers['WWW-Authenticate'] = 'PoP realm="taap"';
  if (answer.status === 503) headers['Retry-After'] = '1';
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
}

module.exports = { popMiddleware, withPop, DEFAULT_REQUIRED, DEFAULT_MAX_BODY, DEFAULT_CLIENT_ID_HEADER };
