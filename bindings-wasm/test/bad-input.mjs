// The wasm column of the bad-input matrix (tests/bad-input/cases.json), on the runner it shares
// with Node (tests/bad-input/js-column.cjs): `node test/bad-input.mjs CASE_ID` runs one case
// through the package and prints its outcome; bad-input-matrix.test.mjs runs every case that
// way, each in its own process with a limit.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const column = createRequire(import.meta.url)('../../tests/bad-input/js-column.cjs');
const { bytes, text } = column;
export const { cases, OUTCOME_PREFIX } = column;

/** A browser has no files: keys arrive as bytes, DER when they do not start like PEM. */
const door = {
  signingKey: (taap, file) => taap.PrivateKey.fromPem(fs.readFileSync(file)),
  loadKey(taap, item) {
    const data = bytes(item.key);
    const isPem = data.subarray(0, 64).toString('latin1').includes('-----BEGIN');
    if (item.op === 'public_key') return isPem ? taap.PublicKey.fromPem(data) : taap.PublicKey.fromDer(data);
    const password = item.password == null ? undefined : text(bytes(item.password));
    return isPem ? taap.PrivateKey.fromPem(data, password) : taap.PrivateKey.fromDer(data, password);
  },
};

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { taap } = await import('./helpers.mjs');
  const item = cases().find((candidate) => candidate.id === process.argv[2]);
  if (!item) throw new Error(`no case ${process.argv[2]}`);
  process.stdout.write(`${OUTCOME_PREFIX}${column.outcome(taap, item, door)}\n`);
}
