'use strict';
// PopTokenValidator: the gateway-side check of a PoP token.

const native = require('./native');
const { call } = require('./errors');
const args = require('./args');
const { publicHandleOf } = require('./keys');
const { fromDecoded } = require('./token');

const OPTIONS = ['leewaySecs', 'maxAgeSecs', 'required', 'replayCache'];

function requiredNames(value) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw args.fail('options.required', 'an array of ehts names', value);
  return value.map((name, index) => args.string(name, `options.required[${index}]`));
}

/** `true` turns the replay cache on with the core's default capacity; a number sets it. */
function replayCapacity(value) {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return native.ValidatorHandle.defaultReplayCapacity();
  return args.integer(value, 'options.replayCache');
}

/** Checks PoP tokens the way an API gateway must: signature, time, coverage, edts, replay. */
class PopTokenValidator {
  #handle;

  /**
   * `leewaySecs` (default 10), `maxAgeSecs` (default 60), `required` names every token must
   * sign, `replayCache`: `true` or a capacity to reject a repeated `jti`.
   */
  constructor(options) {
    const opts = args.options(options, 'options', OPTIONS);
    const leeway = args.optionalInteger(opts.leewaySecs, 'options.leewaySecs');
    const maxAge = args.optionalInteger(opts.maxAgeSecs, 'options.maxAgeSecs');
    const required = requiredNames(opts.required);
    const replay = replayCapacity(opts.replayCache);
    this.#handle = call(() => new native.ValidatorHandle(leeway, maxAge, required, replay));
  }

  /**
   * Validates `token` against `publicKey` and the request's values by name (a Map, an array
   * of pairs or a plain object); returns the decoded token when every check passes.
   * `options.now` (epoch seconds or a Date) replaces the clock.
   */
  validate(token, publicKey, ehts, options) {
    const opts = args.options(options, 'options', ['now']);
    const [names, values] = args.pairs(ehts, 'ehts');
    const text = args.string(token, 'token');
    const key = publicHandleOf(publicKey, 'publicKey');
    const now = args.optionalEpochSeconds(opts.now, 'options.now');
    return fromDecoded(call(() => this.#handle.validate(text, key, names, values, now)));
  }
}

module.exports = { PopTokenValidator };
