'use strict';
// PoP validation in front of a Node service: Express (popMiddleware) and fetch-style handlers
// (withPop). The whole check — options, the client id rule, the body limit, the replay store
// and every refusal's status, headers and JSON body — is the core's taap::validate::PopGate
// (the native PopGateHandle); this file only moves bytes between the framework and it. A check
// that may wait on the network (a shared replay store, a KeySource that must fetch) runs on the
// libuv pool, others on the event loop. With option `metrics` it also counts what it decided
// (./metrics.js, the names of the Rust PopLayer).

const native = require('./native');
const { PublicKey } = require('./keys');
const { KeySource, keySourceHandleOf } = require('./key-source');
const { publicHandleOf } = require('./shared/keys.js');
const { KIND_CLASSES, call } = require('./shared/errors.js');
const { metricsFor, refusalKind, KIND_KEY_LOOKUP } = require('./metrics');

/** The core's defaults of the middleware's options (`required`: the request line). */
const DEFAULTS = JSON.parse(native.middlewareSettings('{}'));
const DEFAULT_REQUIRED = Object.freeze(DEFAULTS.required);
const { maxBody: DEFAULT_MAX_BODY, clientIdHeader: DEFAULT_CLIENT_ID_HEADER } = DEFAULTS;

const { ConfigError } = KIND_CLASSES;
/** The name the core's one shared replay store (Redis) gives in its answers and metrics. */
const SHARED_STORE = 'redis';

/** What `publicKey` may be, besides a lookup function. */
const KEY_KINDS = 'a PublicKey, KeySource, PEM or JWK text';

/** The native handle of a fixed `publicKey` option: a key source's, or the key's it stands for. */
function keysHandle(given) {
  if (given instanceof KeySource) return keySourceHandleOf(given);
  if (given instanceof PublicKey) return publicHandleOf(given, 'publicKey');
  if (typeof given !== 'string') throw new ConfigError(`publicKey must be ${KEY_KINDS}, or a lookup function`);
  const text = given.trim();
  return publicHandleOf(text.startsWith('{') ? PublicKey.fromJwk(text) : PublicKey.fromPem(text), 'publicKey');
}

/** Whether `found` is a handle the gate checks with (else it is an answer refusing the request). */
function isKeysHandle(found) {
  return found instanceof native.PublicKeyHandle || found instanceof native.KeySourceHandle;
}

/** The check both adapters run: the core's gate, made once (one replay cache or shared store). */
function popCheck(options) {
  if (options === null || typeof options !== 'object') throw new ConfigError('popMiddleware needs an options object with publicKey');
  const { publicKey } = options;
  // The core checks every option and resolves the replay store; null is JavaScript's "off".
  const given = {};
  for (const name of ['required', 'leeway', 'maxAge', 'maxBody', 'clientIdHeader', 'replayStore']) given[name] = options[name] ?? null;
  if (options.replayStore === null) given.replayStore = false;
  if (typeof given.maxBody === 'number' && !Number.isFinite(given.maxBody)) throw new ConfigError('option maxBody must be a whole number of bytes, not ' + given.maxBody);
  const gate = call(() => new native.PopGateHandle(JSON.stringify(given)));
  if (publicKey === undefined || publicKey === null) throw new ConfigError(`publicKey is required: ${KEY_KINDS}, or a lookup function`);
  const lookup = typeof publicKey === 'function' ? publicKey : null;
  const fixed = lookup ? null : keysHandle(publicKey);
  // Made last: options the gate refuses never register anything.
  const metrics = metricsFor(options.metrics);

  /** The core handle of the keys the request is checked against (a key or a key source), or the gate's answer refusing it. */
  async function keysFor(names, values) {
    if (fixed) return fixed;
    const clientId = gate.clientId(names, values);
    if (typeof clientId !== 'string') return clientId;
    const found = await lookup(clientId);
    if (found === undefined || found === null) return gate.unknownClient();
    if (found instanceof KeySource) return keySourceHandleOf(found);
    if (found instanceof PublicKey) return publicHandleOf(found, 'publicKey');
    return gate.keyOf(typeof found === 'string' ? found : null);
  }

  /**
   * `null` when the request passes; else the gate's answer `{ status, headers, body }`.
   * `headers`: every line as received, `[name, bytes]`. A check that may wait on the network
   * (the gate's `waits`: a shared replay store, a key source that must fetch) runs off the
   * event loop.
   */
  async function refusal(method, target, headers, body) {
    if (!metrics) return (await decide(method, target, headers, body)).answer;
    metrics.bodyRead(body.length);
    const started = performance.now();
    const { answer, byLookup } = await decide(method, target, headers, body);
    metrics.validated((performance.now() - started) / 1000);
    const [kind, store] = answer ? refusalKind(answer) : [null, null];
    metrics.decided(answer && byLookup ? KIND_KEY_LOOKUP : kind);
    if (gate.blocking) {
      // The shared store is asked only once the token passed every other check: it answered
      // when the token was accepted or found replayed, and did not when 503.
      if (store !== null) metrics.storeAnswered(store, false);
      else if (kind === null || kind === 'Replay') metrics.storeAnswered(SHARED_STORE, true);
    }
    return answer;
  }

  /** The gate's answer (`null`: accepted), and whether the key lookup gave it. */
  async function decide(method, target, headers, body) {
    const names = headers.map(([name]) => name);
    const values = headers.map(([, value]) => value);
    const found = await keysFor(names, values);
    if (!isKeysHandle(found)) return { answer: found, byLookup: true };
    // The gate returns a Promise, checking on the libuv pool, exactly when `gate.waits(found, names, values)`.
    return { answer: await call(() => gate.check(found, method, target, names, values, body)), byLookup: false };
  }

  /** `answer`, sent before any check (the body was not read), counted as a refusal. */
  function answered(answer) {
    if (metrics) metrics.decided(refusalKind(answer)[0]);
    return answer;
  }

  return { refusal, answered, maxBody: gate.maxBody, tooLarge: () => answered(gate.tooLarge()) };
}

/** Node's own answer (no request check): a body parser consumed the body before the check. */
function misplaced() {
  const body = { error: 'Config', message: 'popMiddleware must run before any body parser (it needs the body as sent)' };
  return { status: 500, headers: [['content-type', 'application/json']], body: JSON.stringify(body) };
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
  res.statusCode = answer.status;
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  res.setHeader('Content-Length', Buffer.byteLength(answer.body));
  res.end(answer.body);
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
      if (body === null) return send(res, check.tooLarge());
      if (body === undefined) return send(res, check.answered(misplaced()));
      const answer = await check.refusal(req.method, req.originalUrl ?? req.url, receivedHeaders(req), body);
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
 * Wraps a fetch-style handler (`(request: Request, ...rest) => Response`): a request without a
 * valid, unreplayed PoP token is answered here and never reaches `handler`.
 */
function withPop(handler, options) {
  if (typeof handler !== 'function') throw new ConfigError('withPop needs the handler function to wrap');
  const check = popCheck(options);
  return async function popChecked(request, ...rest) {
    const bytes = new Uint8Array(await request.clone().arrayBuffer());
    if (bytes.length > check.maxBody) return respond(check.tooLarge());
    // Headers values are ByteStrings (one char per byte); repeats arrive joined by ', ', which
    // the core refuses for X-Authorization and Bearer/Basic Authorization.
    const headers = [...request.headers].map(([name, value]) => [name, latin1Bytes(value)]);
    const answer = await check.refusal(request.method, request.url, headers, bytes);
    return answer ? respond(answer) : handler(request, ...rest);
  };
}

function respond(answer) {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

module.exports = { popMiddleware, withPop, DEFAULT_REQUIRED, DEFAULT_MAX_BODY, DEFAULT_CLIENT_ID_HEADER };
