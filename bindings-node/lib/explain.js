'use strict';
// explain(): why a gateway would accept or refuse a PoP token for the request as sent.

const native = require('./native');
const { call } = require('./errors');
const args = require('./args');
const { publicHandleOf } = require('./keys');
const { body } = require('./token');

const REQUEST_FIELDS = ['method', 'url', 'headers', 'body'];

/**
 * The core's explanation of `token` against `request` ({method, url, headers, body}, as sent):
 * claims, time window and clock offset, each hashed value (secrets masked), the edts
 * recomputed, the signature when `options.publicKey` is given, and the signer variant that
 * reproduces the edts by its stable id (`uri-encoded`, `header-order`, …).
 */
function explain(token, request, options) {
  if (request === undefined || request === null) throw args.fail('request', 'an object with method and url', request);
  const fields = args.options(request, 'request', REQUEST_FIELDS);
  const opts = args.options(options, 'options', ['publicKey', 'now']);
  const text = args.string(token, 'token');
  const method = args.string(fields.method ?? 'GET', 'request.method');
  const url = args.urlText(fields.url, 'request.url');
  const [names, values] = fields.headers === undefined || fields.headers === null
    ? [[], []]
    : args.pairs(fields.headers, 'request.headers', args.bytes);
  const bytes = body(fields.body, 'request.body');
  const key = opts.publicKey === undefined || opts.publicKey === null ? undefined : publicHandleOf(opts.publicKey, 'options.publicKey');
  const now = args.optionalEpochSeconds(opts.now, 'options.now');
  return JSON.parse(call(() => native.explain(text, method, url, names, values, bytes, key, now)));
}

module.exports = { explain };
