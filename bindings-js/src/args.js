// Argument checks and conversions of the public API, for every JavaScript door: wrong types throw
// TypeError, values go to the core as strings or bytes, and nothing here knows the protocol.

import { KIND_CLASSES } from './errors.js';

/** A short description of a value's type for messages; never the value (it may be secret). */
export function typeName(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = value.constructor && value.constructor.name;
    return name ? `an instance of ${name}` : 'an object';
  }
  return `a ${typeof value}`.replace(/^a (?=[aeiou])/, 'an ');
}

/** The TypeError for an argument of the wrong type, naming what it should have been. */
export function fail(what, expected, value) {
  return new TypeError(`${what} must be ${expected}, got ${typeName(value)}`);
}

/** Whether `value` is a SharedArrayBuffer; browsers without cross-origin isolation have no such class. */
function isSharedBuffer(value) {
  return typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer;
}

/** A string or bytes (Buffer, any TypedArray, DataView, ArrayBuffer) as a string or Uint8Array. */
export function bytes(value, what) {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer || isSharedBuffer(value)) return new Uint8Array(value);
  throw fail(what, 'a string or bytes (a Uint8Array, Buffer or ArrayBuffer)', value);
}

/** `undefined`/`null` pass through as `undefined`; anything else must be bytes. */
export function optionalBytes(value, what) {
  return value === undefined || value === null ? undefined : bytes(value, what);
}

/** Binary input such as DER: bytes only, since a string cannot hold binary faithfully. */
export function binary(value, what) {
  if (typeof value === 'string') throw fail(what, 'bytes (a Uint8Array, Buffer or ArrayBuffer)', value);
  return bytes(value, what);
}

/** A string, checked, for text arguments. */
export function string(value, what) {
  if (typeof value !== 'string') throw fail(what, 'a string', value);
  return value;
}

/** `undefined`/`null` pass through as `undefined`; anything else must be a string. */
export function optionalString(value, what) {
  return value === undefined || value === null ? undefined : string(value, what);
}

/** A whole number the core can take as i64; out-of-range numbers are the core's Config kind. */
export function integer(value, what) {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw fail(what, 'an integer number', value);
  if (!Number.isSafeInteger(value)) {
    throw new KIND_CLASSES.ConfigError(`invalid configuration: ${what} ${value} is outside the safe integer range`);
  }
  return value;
}

/** `undefined`/`null` pass through as `undefined`; anything else must be an integer. */
export function optionalInteger(value, what) {
  return value === undefined || value === null ? undefined : integer(value, what);
}

/** Epoch seconds from a number or a Date. */
export function epochSeconds(value, what) {
  if (value instanceof Date) {
    const millis = value.getTime();
    if (Number.isNaN(millis)) throw new TypeError(`${what} is an invalid Date`);
    return Math.floor(millis / 1000);
  }
  return integer(value, `${what} (epoch seconds)`);
}

/** `undefined`/`null` pass through as `undefined`; anything else must be epoch seconds or a Date. */
export function optionalEpochSeconds(value, what) {
  return value === undefined || value === null ? undefined : epochSeconds(value, what);
}

/** An options object (or nothing) whose keys are all known: a typo must not be ignored. */
export function options(value, what, known) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw fail(what, 'an object', value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`${what} has an unknown option '${key}'; known options: ${known.join(', ')}`);
    }
  }
  return value;
}

/** Whether `value` is an object literal (or has a null prototype), not a Map, array or class instance. */
export function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Ordered (name, value) pairs as parallel arrays, from a Map, an array of pairs, any other
 * iterable of pairs (e.g. `Headers`) or a plain object (insertion order).
 */
export function pairs(value, what, convertValue = bytes) {
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
      if (!Array.isArray(pair) || pair.length !== 2) throw fail(`${what}[${index}]`, 'a [name, value] pair', pair);
      add(pair[0], pair[1], `[${index++}]`);
    }
  } else {
    throw fail(what, 'a Map, an array of [name, value] pairs or a plain object', value);
  }
  return [names, values];
}

/** Like `pairs`, with no headers at all (`undefined`/`null`) as none. */
export function optionalPairs(value, what, convertValue = bytes) {
  return value === undefined || value === null ? [[], []] : pairs(value, what, convertValue);
}

/** A URL as text: a string or a WHATWG URL. */
export function urlText(value, what) {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return value.href;
  throw fail(what, 'a string or a URL', value);
}

/** A request body as the bytes that are sent: nothing, a string, bytes or URLSearchParams. */
export function body(value, what) {
  if (value === undefined || value === null) return '';
  if (value instanceof URLSearchParams) return value.toString();
  if (typeof value === 'string' || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return bytes(value, what);
  throw fail(what, 'a string, bytes (a Uint8Array, Buffer or ArrayBuffer) or URLSearchParams (a stream cannot be signed before it is sent)', value);
}

/** The request object of a call that needs one: `{ method, url, headers, body }`, names checked. */
export function requestFields(request, what = 'request') {
  if (request === undefined || request === null) throw fail(what, 'an object with method and url', request);
  return options(request, what, ['method', 'url', 'headers', 'body']);
}
