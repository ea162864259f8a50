'use strict';
// The Node column of the bad-input matrix (tests/bad-input/cases.json), on the runner it shares
// with wasm (tests/bad-input/js-column.cjs). `node test/bad-input.js CASE_ID` runs one case and
// prints its outcome; bad-input-matrix.test.js runs every case that way, each in its own process
// with a time limit.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cases, outcome, bytes, text, OUTCOME_PREFIX } = require('../../tests/bad-input/js-column.cjs');

/** Node reads keys from files, so the column loads them the way a Node user does. */
const door = {
  signingKey: (taap, file) => taap.PrivateKey.fromFile(file),
  loadKey(taap, testCase) {
    const file = path.join(os.tmpdir(), `taap-node-bad-input-${process.pid}-${testCase.id}`);
    fs.writeFileSync(file, bytes(testCase.key));
    try {
      if (testCase.op === 'public_key') return taap.PublicKey.fromFile(file);
      const password = testCase.password == null ? undefined : text(bytes(testCase.password));
      return taap.PrivateKey.fromFile(file, password);
    } finally {
      fs.rmSync(file, { force: true });
    }
  },
};

module.exports = { cases, OUTCOME_PREFIX };

if (require.main === module) {
  const taap = require('..');
  const testCase = cases().find((candidate) => candidate.id === process.argv[2]);
  if (!testCase) throw new Error(`no case ${process.argv[2]}`);
  process.stdout.write(`${OUTCOME_PREFIX}${outcome(taap, testCase, door)}\n`);
}
