// Signer.fromCallback: a key only a function reaches. The callback here signs the digest with
// Node's own crypto (RSA PKCS#1 v1.5 over the SHA-256 DigestInfo), independently of taap; every
// token vector made through it is byte-identical to the official builder's, on the synchronous
// and the asynchronous builders, and every way a callback can fail is its exact error.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { describe, test } from 'node:test';
import { KEYS, pinned, taap, vectors } from './helpers.mjs';

const { PopToken, PopTokenValidator, PublicKey, SignPolicy, Signer, signRequest, signRequestAsync } = taap;

/** DER of DigestInfo { sha256, NULL } with the OCTET STRING header of a 32-byte digest. */
const DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const LABEL = 'se050:0xF0000100';
const TOKENS = vectors('tokens.json').cases;
const FIRST = TOKENS[0];

/** A vector's private key, loaded by Node's crypto (not taap). */
function nodeKey(item) {
  const bytes = fs.readFileSync(path.join(KEYS, item.key));
  const der = item.key.endsWith('.der');
  return crypto.createPrivateKey({ key: bytes, format: der ? 'der' : 'pem', type: der ? 'pkcs8' : undefined, passphrase: item.password ?? undefined });
}

/** A device that signs a digest with `key`: PKCS#1 v1.5 padding over DigestInfo + digest. */
const device = (key) => (digest) => crypto.privateEncrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO, digest]));

/** The taap PublicKey of a Node key, through its SPKI PEM. */
const publicOf = (key) => PublicKey.fromPem(crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' }));

const PRIVATE = nodeKey(FIRST);
const PUBLIC = publicOf(PRIVATE);
const sign = device(PRIVATE);
const labelled = (callback) => Signer.fromCallback(PUBLIC, callback, { label: LABEL });

describe('every tokens.json vector through Signer.fromCallback', () => {
  test('has the expected number of cases', () => assert.ok(TOKENS.length >= 50));
  for (const item of TOKENS) {
    test(item.name, async () => {
      const key = nodeKey(item);
      const sync = Signer.fromCallback(publicOf(key), device(key));
      const later = Signer.fromCallback(publicOf(key), async (digest) => device(key)(digest));
      assert.equal(PopToken.build(sync, item.ehts, pinned(item)), item.token);
      assert.equal(await PopToken.buildAsync(sync, item.ehts, pinned(item)), item.token);
      assert.equal(await PopToken.buildAsync(later, new Map(item.ehts), pinned(item)), item.token);
    });
  }
});

describe('the callback signer everywhere a key is taken', () => {
  test('the callback gets the SHA-256 digest of the JWS signing input, as a Uint8Array', async () => {
    const seen = [];
    const recording = (digest) => {
      seen.push(digest);
      return sign(digest);
    };
    const token = PopToken.build(Signer.fromCallback(PUBLIC, recording), FIRST.ehts, pinned(FIRST));
    const input = token.slice(0, token.lastIndexOf('.'));
    assert.equal(seen.length, 1);
    assert.ok(seen[0] instanceof Uint8Array);
    assert.deepEqual(Buffer.from(seen[0]), crypto.createHash('sha256').update(input).digest());
  });

  test('request.json: forRequest and forRequestAsync', async () => {
    for (const item of vectors('request.json').cases.filter((candidate) => candidate.key === FIRST.key && !candidate.password)) {
      const request = { method: item.method, url: item.url, headers: item.headers, body: item.body };
      assert.equal(PopToken.forRequest(labelled(sign), request, pinned(item)), item.token, item.name);
      assert.equal(await PopToken.forRequestAsync(labelled(async (digest) => sign(digest)), request, pinned(item)), item.token, item.name);
    }
  });

  test('policy.json: signRequest and signRequestAsync', async () => {
    const cases = vectors('policy.json').cases;
    assert.ok(cases.length > 0);
    for (const item of cases) {
      const init = { method: item.method, headers: item.headers, body: item.body };
      const spec = item.policy;
      let policy = spec.all ? SignPolicy.allHeaders() : spec.headers ? SignPolicy.headers(spec.headers) : new SignPolicy();
      for (const name of spec.with ?? []) policy = policy.withHeader(name);
      for (const name of spec.without ?? []) policy = policy.withoutHeader(name);
      const options = { ...pinned(item), policy };
      const signed = signRequest(labelled(sign), item.url, init, options);
      assert.deepEqual(signed.headers.filter(([name]) => name.toLowerCase() === 'x-authorization'), [['X-Authorization', item.token]], item.name);
      const later = await signRequestAsync(labelled(async (digest) => sign(digest)), item.url, init, options);
      assert.equal(later.headers.at(-1)[1], item.token, item.name);
    }
  });

  test('a random iat and jti: a token the validator accepts under the signer\'s public key', async () => {
    const ehts = [['uri', '/v1/devices'], ['http-method', 'GET']];
    const token = await PopToken.buildAsync(labelled(async (digest) => sign(digest)), ehts);
    assert.equal(new PopTokenValidator().validate(token, PUBLIC, ehts).token, token);
  });

  test('an ArrayBuffer or a Buffer answer is taken', async () => {
    const buffer = (digest) => {
      const signature = sign(digest);
      return signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.length);
    };
    assert.equal(PopToken.build(labelled(buffer), FIRST.ehts, pinned(FIRST)), FIRST.token);
    assert.equal(await PopToken.buildAsync(labelled(async (digest) => buffer(digest)), FIRST.ehts, pinned(FIRST)), FIRST.token);
    assert.ok(Buffer.isBuffer(sign(Buffer.alloc(32))));
  });
});

describe('what a callback can get wrong: the exact error', () => {
  const refusedSync = (callback) => {
    let caught;
    assert.throws(() => PopToken.build(labelled(callback), FIRST.ehts, pinned(FIRST)), (error) => (caught = error) !== undefined);
    return caught;
  };
  const refusedAsync = async (callback) => {
    let caught;
    await assert.rejects(PopToken.buildAsync(labelled(callback), FIRST.ehts, pinned(FIRST)), (error) => (caught = error) !== undefined);
    return caught;
  };
  /** The same callback's error on the sync builder and (answering with a Promise) on the async one. */
  const bothRefused = async (callback) => {
    const now = refusedSync(callback);
    const later = await refusedAsync(async (digest) => callback(digest));
    assert.equal(later.constructor, now.constructor);
    assert.equal(later.message, now.message);
    return now;
  };

  const WRONG_LENGTH = (bytes) =>
    `PoP token signature invalid: the callback signer (${LABEL}) returned ${bytes} bytes; an RS256 signature ` +
    'under its 2048-bit public key is 256 bytes; no token was made with it';
  const DOES_NOT_VERIFY =
    `PoP token signature invalid: the callback signer (${LABEL}) returned a signature that does not verify under ` +
    'its public key (another key, another hash or padding, or a corrupted signature); no token was made with it';

  test('a short, long or empty signature is SignatureInvalidError', async () => {
    for (const [callback, bytes] of [
      [(digest) => sign(digest).subarray(1), 255],
      [(digest) => Buffer.concat([Buffer.alloc(1), sign(digest)]), 257],
      [() => new Uint8Array(0), 0],
    ]) {
      const error = await bothRefused(callback);
      assert.ok(error instanceof taap.SignatureInvalidError);
      assert.equal(error.message, WRONG_LENGTH(bytes));
      assert.equal(error.code, 'TAAP_SIGNATURE_INVALID');
    }
  });

  test('a signature of another key, another digest or corrupted is SignatureInvalidError', async () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    for (const callback of [
      device(other),
      (digest) => sign(Buffer.alloc(32)),
      (digest) => {
        const signature = Buffer.from(sign(digest));
        signature[0] ^= 1;
        return signature;
      },
    ]) {
      const error = await bothRefused(callback);
      assert.ok(error instanceof taap.SignatureInvalidError);
      assert.equal(error.message, DOES_NOT_VERIFY);
    }
  });

  test('an answer that is not bytes is SignatureInvalidError naming its type, never its value', async () => {
    for (const [answer, type] of [
      [null, 'null'],
      [undefined, 'undefined'],
      ['c2lnbmF0dXJl', 'a string'],
      [256, 'a number'],
      [[1, 2, 3], 'an instance of Array'],
      [new Uint16Array(128), 'an instance of Uint16Array'],
      [{ signature: 'x' }, 'an instance of Object'],
    ]) {
      const error = await bothRefused(() => answer);
      assert.ok(error instanceof taap.SignatureInvalidError, type);
      assert.equal(error.message, `PoP token signature invalid: the callback signer (${LABEL}) returned ${type}, not bytes (a Uint8Array); no token was made with it`);
    }
  });

  test('a throwing callback or a rejected promise is TransportError; the thrown error is its cause', async () => {
    const secret = 'device PIN 4711 rejected';
    const thrown = new RangeError(secret);
    const threw = (how) => `transport error: the callback signer (${LABEL}) ${how} RangeError; no token was made with it (the error is this error's cause)`;
    const cases = [
      [refusedSync(() => { throw thrown; }), threw('threw')],
      [await refusedAsync(() => { throw thrown; }), threw('threw')],
      [await refusedAsync(async () => { throw thrown; }), threw('rejected with')],
      [await refusedAsync(() => Promise.reject(thrown)), threw('rejected with')],
    ];
    for (const [error, message] of cases) {
      assert.ok(error instanceof taap.TransportError);
      assert.equal(error.code, 'TAAP_TRANSPORT');
      assert.equal(error.message, message);
      assert.equal(error.cause, thrown);
      assert.ok(!error.message.includes(secret) && !util.inspect(error, { depth: 0 }).split('[cause]')[0].includes(secret));
    }
    const odd = refusedSync(() => { throw 'a string'; });
    assert.equal(odd.message, `transport error: the callback signer (${LABEL}) threw a string; no token was made with it (the error is this error's cause)`);
    assert.equal(odd.cause, 'a string');
    // The signer stays usable, and the next error carries no stale cause.
    assert.equal(PopToken.build(labelled(sign), FIRST.ehts, pinned(FIRST)), FIRST.token);
    assert.equal(refusedSync(() => new Uint8Array(0)).cause, undefined);
  });

  test('a Promise given to a synchronous build is a TypeError naming the async builders', () => {
    let settledLater = false;
    const answer = new Promise((resolve, reject) => setTimeout(() => { settledLater = true; reject(new Error('late')); }, 0));
    const message = `the callback signer (${LABEL}) returned a Promise to a synchronous build; use PopToken.buildAsync, PopToken.forRequestAsync or signRequestAsync, which await it`;
    assert.throws(() => PopToken.build(labelled(() => answer), FIRST.ehts, pinned(FIRST)), { name: 'TypeError', message });
    assert.throws(() => signRequest(labelled(() => answer), 'https://h/x', {}, pinned(FIRST)), { name: 'TypeError', message });
    assert.equal(settledLater, false);
  });

  test('bad ehts or options fail before the callback is called', async () => {
    let calls = 0;
    const counting = labelled((digest) => {
      calls += 1;
      return sign(digest);
    });
    assert.throws(() => PopToken.build(counting, []), { code: 'TAAP_INVALID_EHTS' });
    await assert.rejects(PopToken.buildAsync(counting, [['uri', '/']], { ttlSecs: 0 }), { code: 'TAAP_CONFIG' });
    assert.equal(calls, 0);
  });
});

describe('Signer: what it shows, how it is made', () => {
  test('kind, label, bits and publicKey', () => {
    const signer = Signer.fromCallback(PUBLIC, sign);
    assert.deepEqual([signer.kind, signer.bits, signer.publicKey().equals(PUBLIC)], ['callback', 2048, true]);
    assert.equal(signer.label, `callback for RSA-2048 key ${PUBLIC.thumbprint()}`);
    assert.equal(labelled(sign).label, LABEL);
    assert.equal(Signer.fromCallback(PUBLIC, sign, { label: null }).label, signer.label);
  });

  test('logged, it shows kind, label and bits: never its function, nor a PIN in a label', () => {
    const secret = 'hunter2-4711';
    const signer = labelled(function deviceSign(digest) {
      return secret && sign(digest);
    });
    assert.equal(util.inspect(signer), `Signer { kind: 'callback', label: '${LABEL}', bits: 2048 }`);
    assert.equal(JSON.stringify(signer), `{"kind":"callback","label":"${LABEL}","bits":2048}`);
    for (const shown of [util.inspect(signer, { showHidden: true, depth: 5 }), JSON.stringify(signer), String(signer), `${Object.keys(signer)}`]) {
      assert.ok(!shown.includes(secret) && !shown.includes('deviceSign'), shown);
    }
    const sneaky = Signer.fromCallback(PUBLIC, sign, { label: `pkcs11:token=t?pin-value=${secret}` });
    assert.equal(sneaky.label, 'pkcs11:token=t?pin-value=***');
    assert.ok(!util.inspect(sneaky).includes(secret));
    const error = (() => {
      try {
        PopToken.build(Signer.fromCallback(PUBLIC, () => new Uint8Array(1), { label: `pkcs11:token=t?pin-value=${secret}` }), FIRST.ehts);
      } catch (caught) {
        return caught;
      }
    })();
    assert.ok(error instanceof taap.SignatureInvalidError && !error.message.includes(secret), error.message);
  });

  test('wrong arguments are TypeErrors; there is no public constructor', () => {
    const cases = [
      [[null, sign], 'publicKey must be a PublicKey (load one with PublicKey.fromPem or PublicKey.fromJwk), got null'],
      [['-----BEGIN PUBLIC KEY-----', sign], 'publicKey must be a PublicKey (load one with PublicKey.fromPem or PublicKey.fromJwk), got a string'],
      [[PUBLIC, null], 'sign must be a function taking the digest (a Uint8Array), got null'],
      [[PUBLIC, new Uint8Array(256)], 'sign must be a function taking the digest (a Uint8Array), got an instance of Uint8Array'],
      [[PUBLIC, sign, { label: 5 }], 'options.label must be a string, got a number'],
      [[PUBLIC, sign, { lable: 'x' }], "options has an unknown option 'lable'; known options: label"],
      [[PUBLIC, sign, 'label'], 'options must be an object, got a string'],
    ];
    for (const [args, message] of cases) assert.throws(() => Signer.fromCallback(...args), { name: 'TypeError', message });
    assert.throws(() => new Signer(), { name: 'TypeError', message: 'Signer has no public constructor; use Signer.fromCallback()' });
  });

  test('a key argument that is neither names the Signer among what it may be', () => {
    assert.throws(() => PopToken.build(42, [['uri', '/']]), (error) => error instanceof TypeError && error.message.includes('a Signer'));
  });
});
