'use strict';
// Argument checks and conversions shared by the public API: wrong types throw TypeError,
// values are handed to the core as strings or bytes, and nothing here knows the protocol.

const { ConfigError } = require('./errors');

/** A short description of a value's type for messages; never the value (it may be secret). */
function typeName(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = value.constructor && value.constructor.name;
    return name ? `an instance of ${name}` : 'an object';
  }
  return `a ${typeof value}`.replace(/^a (?=[aeiou])/, 'an ');
}

function fail(what, expected, value) {
  return new TypeError(`${what} must be ${expected}, got ${typeName(value)}`);
}

/** A string or bytes (Buffer, any TypedArray, DataView, ArrayBuffer) as a string or Uint8Array. */
function bytes(value, what) {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return new Uint8Array(value);
  throw fail(what, 'a string or a Buffer/Uint8Array', value);
}

/** `undefined`/`null` pass through as `undefined`; anything else must be bytes. */
function optionalBytes(value, what) {
  return value === undefined || value === null ? undefined : bytes(value, what);
}

function string(value, what) {
  if (typeof value !== 'string') throw fail(what, 'a string', value);
  return value;
}

/** A whole number the core can take as i64; out-of-range numbers are the core's Config kind. */
function integer(value, what) {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw fail(what, 'an integer number', value);
  if (!Number.isSafeInteger(value)) {
    throw new ConfigError(`invalid configuration: ${what} ${value} is outside the safe integer range`);
  }
  return value;
}

function optionalInteger(value, what) {
  return value === undefined || value === null ? undefined : integer(value, what);
}

/** Epoch seconds from a number or a Date. */
function epochSeconds(value, what) {
  if (value instanceof Date) {
    const millis = value.getTime();
    if (Number.isNaN(millis)) throw new TypeError(`${what} is an invalid Date`);
    return Math.floor(millis / 1000);
  }
  return integer(value, `${what} (epoch seconds)`);
}

function optionalEpochSeconds(value, what) {
  return value === undefined || value === null ? undefined : epochSeconds(value, what);
}

/** An options object (or nothing) whose keys are all known: a typo must not be ignored. */
function options(value, what, known) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw fail(what, 'an object', value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`${what} has an unknown option '${key}'; known options: ${known.join(', ')}`);
    }
  }
  return value;
}

function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Ordered (name, value) pairs as parallel arrays, from a Map, an array of pairs, any other
 * iterable of pairs (e.g. `Headers`) or a plain object (insertion order).
 */
function pairs(value, what, convertValue = bytes) {
  const names = [];
  const values = [];
  const add = (name, item, at) => {
    names.push(string(name, `the name of ${what}${at}`));
    values.push(convertValue(item, `the value of ${what}${at}`));
  };
  if (isPlainObject(value)) {
    for (const name of Object.keys(value)) add(name, value[name], `[${JSON.stringify(name)}]`);
  } else if (value instanceof Map) {
    let index = 0;
    for (const [name, item] of value) add(name, item, ` entry ${index++}`);
  } else if (value !== null && typeof value === 'object' && typeof value[Symbol.iterator] === 'function') {
    let index = 0;
    for (const pair of value) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw fail(`${what}[${index}]`, 'a [name, value] pair', pair);
      }
      add(pair[0], pair[1], `[${index++}]`);
    }
  } else {
    throw fail(what, 'a Map, an array of [name, value] pairs or a plain object', value);
  }
  return [names, values];
}

/** A URL as text: a string or a WHATWG URL. */
function urlText(value, what) {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return value.href;
  throw fail(what, 'a string or a URL', value);
}

/** A file path: a string or a `file:` URL. */
function filePath(value, what) {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return require('node:url').fileURLToPath(value);
  throw fail(what, 'a path string or a file: URL', value);
}

module.exports = {
  typeName,
  fail,
  bytes,
  optionalBytes,
  string,
  integer,
  optionalInteger,
  epochSeconds,
  optionalEpochSeconds,
  options,
  isPlainObject,
  pairs,
  urlText,
  filePath,
};
