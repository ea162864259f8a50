'use strict';
// What the Node and wasm columns of the bad-input matrix share (tests/bad-input/cases.json):
// building each case's inputs and running it through a taap JS API. A door passes `door`:
// `signingKey(taap, file)` and `loadKey(taap, testCase)`, the two places where a package with
// files (Node) and one without (wasm) differ.

const fs = require('node:fs');
const path = require('node:path');

const TESTS = path.join(__dirname, '..');
const BAD_INPUT = __dirname;
const OUTCOME_PREFIX = 'bad-input outcome: ';
const NOT_UTF8 = 'n/a: JS strings cannot hold invalid UTF-8';

function cases() {
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

/** Bytes as a JS string, when they are UTF-8 (a JS string cannot carry anything else). */
function text(buffer) {
  const decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return decoded.decode(buffer);
  } catch {
    throw new Inexpressible(NOT_UTF8);
  }
}

function pairs(spec) {
  if (spec === undefined) return [];
  if (!Array.isArray(spec)) return Array.from({ length: spec.entries }, (_, i) => [Buffer.from(`h${i}`), Buffer.from('v')]);
  return spec.map(([name, value]) => [bytes(name), bytes(value)]);
}

function buildOptions(testCase) {
  return {
    ttlSecs: testCase.ttl ?? 120,
    iat: testCase.iat ?? signed.iat,
    jti: 'jti' in testCase ? text(bytes(testCase.jti)) : 'bad-input-jti',
  };
}

class SetupFailed extends Error {}

/**
 * A validate_request case: its requests in order through one validator (as cases.json's note
 * says); every request but the last must pass, and the last one's outcome is the cell's.
 */
function validateRequests(taap, testCase, signingKey) {
  const validator = new taap.PopTokenValidator({ required: ['uri', 'http-method'], replayCache: 1000 });
  const { requests } = testCase;
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

function run(taap, testCase, door) {
  const signingKey = () => door.signingKey(taap, path.join(TESTS, 'keys', signed.key));
  switch (testCase.op) {
    case 'decode':
      return taap.PopToken.decode(text(bytes(testCase.token)));
    case 'validate': {
      const values = 'values' in testCase ? pairs(testCase.values) : signed.values.map(([n, v]) => [Buffer.from(n), Buffer.from(v)]);
      const validator = new taap.PopTokenValidator({ required: testCase.options?.required ?? [] });
      const ehts = values.map(([name, value]) => [text(name), value]);
      return validator.validate(text(bytes(testCase.token)), signingKey().publicKey(), ehts, { now: signed.iat + 5 });
    }
    case 'validate_request':
      return validateRequests(taap, testCase, signingKey);
    case 'build':
      return taap.PopToken.build(signingKey(), pairs(testCase.ehts).map(([name, value]) => [text(name), value]), buildOptions(testCase));
    case 'for_request': {
      const request = {
        method: text(bytes(testCase.method)),
        url: text(bytes(testCase.url)),
        headers: pairs(testCase.headers).map(([name, value]) => [text(name), text(value)]),
        body: 'body' in testCase ? bytes(testCase.body) : Buffer.alloc(0),
      };
      return taap.PopToken.forRequest(signingKey(), request, buildOptions(testCase));
    }
    case 'signer_uri':
      // A page has no PKCS#11 module, no key files and no AWS credentials.
      if (typeof taap.Signer?.fromUri !== 'function') throw new Inexpressible('n/a: no PKCS#11 module, key file or AWS credentials in a page');
      return taap.PopToken.build(taap.Signer.fromUri('key_file' in testCase ? path.join(TESTS, testCase.key_file) : text(bytes(testCase.spec))), [['uri', '/']]);
    case 'signer_callback': {
      const answer = 'answer' in testCase ? bytes(testCase.answer) : Buffer.alloc(0);
      const sign = () => {
        if ('throws' in testCase) throw new Error(testCase.throws);
        return answer;
      };
      return taap.PopToken.build(taap.Signer.fromCallback(signingKey().publicKey(), sign), [['uri', '/']]);
    }
    case 'private_key':
    case 'public_key':
      return door.loadKey(taap, testCase);
    default:
      throw new Error(`unknown op ${testCase.op}`);
  }
}

/** `ok`, the kind of a TaapError, `n/a: …`, or the class of another error (TypeError, …). */
function outcome(taap, testCase, door) {
  try {
    run(taap, testCase, door);
    return 'ok';
  } catch (error) {
    if (error instanceof Inexpressible) return error.message;
    if (error instanceof SetupFailed) return `setup failed: ${error.message}`;
    if (error instanceof taap.TaapError) return error.name.replace(/Error$/, '');
    return error?.constructor?.name ?? String(error);
  }
}

module.exports = { cases, outcome, bytes, text, OUTCOME_PREFIX, TESTS };
