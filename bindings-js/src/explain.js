// explain(): why a gateway would accept or refuse a PoP token for the request as sent.

import * as core from '../backend.js';
import * as args from './args.js';
import { call } from './errors.js';
import { publicHandleOf } from './keys.js';

/**
 * The core's explanation of `token` against `request` ({method, url, headers, body}, as sent):
 * claims, time window and clock offset, each hashed value (secrets masked), the edts
 * recomputed, the signature when `options.publicKey` is given, and the signer variant that
 * reproduces the edts by its stable id (`uri-encoded`, `header-order`, …).
 */
export function explain(token, request, options) {
  const fields = args.requestFields(request);
  const opts = args.options(options, 'options', ['publicKey', 'now']);
  const text = args.string(token, 'token');
  const method = args.string(fields.method ?? 'GET', 'request.method');
  const url = args.urlText(fields.url, 'request.url');
  const [names, values] = args.optionalPairs(fields.headers, 'request.headers');
  const data = args.body(fields.body, 'request.body');
  const key = opts.publicKey === undefined || opts.publicKey === null ? undefined : publicHandleOf(opts.publicKey, 'options.publicKey');
  const now = args.optionalEpochSeconds(opts.now, 'options.now');
  return call(() => core.explain(text, method, url, names, values, data, key, now));
}
