// The ESM entry exports the same objects as require('taap').
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import taapDefault, { PopToken, PrivateKey, TaapError, TokenExpiredError, coreVersion } from 'taap';

const require = createRequire(import.meta.url);

test('named and default ESM exports are the CommonJS objects', () => {
  const cjs = require('taap');
  assert.equal(PopToken, cjs.PopToken);
  assert.equal(taapDefault, cjs);
  assert.equal(Object.getPrototypeOf(TokenExpiredError), TaapError);
  assert.match(coreVersion, /^\d+\.\d+\.\d+/);
  const token = PopToken.build(PrivateKey.generate(), new Map([['uri', '/']]), { iat: 0, jti: 'esm' });
  assert.equal(PopToken.decode(token).claims.jti, 'esm');
});
