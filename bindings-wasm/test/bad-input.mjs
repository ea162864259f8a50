// The wasm column of the bad-input matrix (tests/bad-input/cases.json): `node
// test/bad-input.mjs CASE_ID` runs one case through the package and prints its outcome;
// bad-input-matrix.test.mjs runs every case that way, each in its own process with a limit.

import fs from 'node:fs';
import path from 'node:path';
import { TESTS } from './helpers.mjs';

const BAD_INPUT = path.join(TESTS, 'bad-input');
export const OUTCOME_PREFIX = 'bad-input outcome: ';
const NOT_UTF8 = 'n/a: JS strings cannot hold invalid UTF-8';

export function cases() {
  return JSON.parse(fs.readFileSync(path.join(BAD_INPUT, 'cases.json'), 'utf8')).cases;
}

const signed = JSON.parse(fs.readFileSync(path.join(BAD_INPUT, 'signed-tokens.json'), 'utf8'));

/** A case value as bytes (see the note in cases.json). */
function bytes(value) {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  let built;
  if ('hex' in value) built = Buffer.from(value.hex.replace(/\s+/g, ''), 'hex');
  else if ('file' in value) built = fs.readFileSync(path.join(TESTS, value.file));
  else if ('repeat' in value) built = Buffer.from(bytes(value.repeat).toString('latin1').repeat(value.times), 'latin1');
  else if ('concat' in value) built = Buffer.concat(value.concat.map(bytes));
  else if ('b64url' in value) built = Buffer.from(bytes(value.b64url).toString('base64url'), 'latin1');
  else if ('signed' in value) return signedToken(value);
  else throw new Error(`unknown value constructor ${JSON.stringify(value)}`);
  return 'keep' in value ? built.subarray(0, value.keep) : built;
}

function signedToken(spec) {
  let token = Buffer.from(signed.tokens[spec.signed], 'latin1');
  if ('drop' in spec) token = token.subarray(0, token.length - spec.drop);
  if ('keep' in spec) token = token.subarray(0, spec.keep);
  if ('flip' in spec) {
    token = Buffer.from(token);
    const at = spec.flip < 0 ? token.length + spec.flip : spec.flip;
    token[at] = token[at] === 0x41 ? 0x42 : 0x41;
  }
  return token;
}

class Inexpressible extends Error {}

function text(buffer) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer);
  } catch {
    throw new Inexpressible(NOT_UTF8);
  }
}

function pairs(spec) {
  if (spec === undefined) return [];
  if (!Array.isArray(spec)) return Array.from({ length: spec.entries }, (_, i) => [Buffer.from(`h${i}`), Buffer.from('v')]);
  return spec.map(([name, value]) => [bytes(name), bytes(value)]);
}

function buildOptions(item) {
  return { ttlSecs: item.ttl ?? 120, iat: item.iat ?? signed.iat, jti: 'jti' in item ? text(bytes(item.jti)) : 'bad-input-jti' };
}

/** Key bytes as a browser has them (no files): DER when they do not start like PEM. */
function loadKey(taap, item) {
  const data = bytes(item.key);
  const isPem = data.subarray(0, 64).toString('latin1').includes('-----BEGIN');
  if (item.op === 'public_key') return isPem ? taap.PublicKey.fromPem(data) : taap.PublicKey.fromDer(data);
  const password = item.password == null ? undefined : text(bytes(item.password));
  return isPem ? taap.PrivateKey.fromPem(data, password) : taap.PrivateKey.fromDer(data, password);
}

class SetupFailed extends Error {}

/**
 * A validate_request case: its requests in order through one validator (as cases.json's note
 * says); every request but the last must pass, and the last one's outcome is the cell's.
 */
function validateRequests(taap, item, signingKey) {
  const validator = new taap.PopTokenValidator({ required: ['uri', 'http-method'], replayCache: 1000 });
  const { requests } = item;
  const check = (request) => validator.validateRequest(
    request.key === undefined ? signingKey().publicKey() : taap.PublicKey.fromPem(bytes(request.key)),
    {
      method: text(bytes(request.method)),
      url: text(bytes(request.target)),
      // Values as bytes: a gateway receives bytes, and a JS string would be re-encoded as UTF-8.
      headers: request.headers.map(([name, value]) => [text(bytes(name)), bytes(value)]),
      body: 'body' in request ? bytes(request.body) : Buffer.alloc(0),
    },
    { now: signed.iat + 5 },
  );
  for (const [index, request] of requests.slice(0, -1).entries()) {
    try {
      check(request);
    } catch (error) {
      // Not an outcome: the case itself is broken when its earlier requests do not pass.
      throw new SetupFailed(`request ${index} of ${requests.length} must pass, got ${error.name}: ${error.message}`);
    }
  }
  return check(requests[requests.length - 1]);
}

function run(taap, item) {
  const signingKey = () => taap.PrivateKey.fromPem(fs.readFileSync(path.join(TESTS, 'keys', signed.key)));
  switch (item.op) {
    case 'decode':
      return taap.PopToken.decode(text(bytes(item.token)));
    case 'validate': {
      const values = 'values' in item ? pairs(item.values) : signed.values.map(([n, v]) => [Buffer.from(n), Buffer.from(v)]);
      const validator = new taap.PopTokenValidator({ required: item.options?.required ?? [] });
      const ehts = values.map(([name, value]) => [text(name), value]);
      return validator.validate(text(bytes(item.token)), signingKey().publicKey(), ehts, { now: signed.iat + 5 });
    }
    case 'validate_request':
      return validateRequests(taap, item, signingKey);
    case 'build':
      return taap.PopToken.build(signingKey(), pairs(item.ehts).map(([name, value]) => [text(name), value]), buildOptions(item));
    case 'for_request': {
      const request = {
        method: text(bytes(item.method)),
        url: text(bytes(item.url)),
        headers: pairs(item.headers).map(([name, value]) => [text(name), text(value)]),
        body: 'body' in item ? bytes(item.body) : Buffer.alloc(0),
      };
      return taap.PopToken.forRequest(signingKey(), request, buildOptions(item));
    }
    case 'private_key':
    case 'public_key':
      return loadKey(taap, item);
    default:
      throw new Error(`unknown op ${item.op}`);
  }
}

/** `ok`, the kind of a TaapError, `n/a: …`, or the class of another error (TypeError, …). */
function outcome(taap, item) {
  try {
    run(taap, item);
    return 'ok';
  } catch (error) {
    if (error instanceof Inexpressible) return error.message;
    if (error instanceof SetupFailed) return `setup failed: ${error.message}`;
    if (error instanceof taap.TaapError) return error.name.replace(/Error$/, '');
    return error?.constructor?.name ?? String(error);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { taap } = await import('./helpers.mjs');
  const item = cases().find((candidate) => candidate.id === process.argv[2]);
  if (!item) throw new Error(`no case ${process.argv[2]}`);
  process.stdout.write(`${OUTCOME_PREFIX}${outcome(taap, item)}\n`);
}
