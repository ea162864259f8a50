'use strict';
// The Node column of the bad-input matrix (tests/bad-input/, docs/security-testing.md): every
// case in its own process (test/bad-input.js) with a time limit, so that a crash or a hang is
// that cell's outcome; the column goes to <target dir>/bad-input/node.jsonl.

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');

const { cases, OUTCOME_PREFIX } = require('./bad-input');

const CASE_TIMEOUT_MS = 60_000;
const REPOSITORY = path.join(__dirname, '..', '..');

function targetDir() {
  return path.resolve(process.env.CARGO_TARGET_DIR || path.join(REPOSITORY, 'target'));
}

function cell(id) {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [path.join(__dirname, 'bad-input.js'), id], {
    encoding: 'utf8',
    timeout: CASE_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const line = child.stdout.split('\n').find((printed) => printed.startsWith(OUTCOME_PREFIX));
  if (child.error?.code === 'ETIMEDOUT') return { outcome: 'hang', ms };
  if (line === undefined) return { outcome: `crash: ${child.signal ?? `exit ${child.status}`} ${child.stderr.trim().split('\n').pop() ?? ''}`.trim(), ms };
  return { outcome: line.slice(OUTCOME_PREFIX.length), ms };
}

function meets(outcome, expected) {
  return outcome === expected || (expected.startsWith('n/a') && outcome.startsWith('n/a'));
}

test('every bad-input case gets its expected typed outcome, in a bounded time', () => {
  const rows = [];
  const wrong = [];
  for (const testCase of cases()) {
    const expected = testCase.columns?.node ?? testCase.expect;
    const { outcome, ms } = cell(testCase.id);
    if (!meets(outcome, expected)) wrong.push(`${testCase.id}: got ${outcome}, expected ${expected}`);
    rows.push(JSON.stringify({ id: testCase.id, column: 'node', outcome, expected, ms }));
  }
  const out = path.join(targetDir(), 'bad-input');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'node.jsonl'), `${rows.join('\n')}\n`);
  assert.deepEqual(wrong, []);
});

test('the committed hostile tokens are what tests/bad-input/sign-tokens.js makes', () => {
  const check = spawnSync(process.execPath, [path.join(REPOSITORY, 'tests', 'bad-input', 'sign-tokens.js'), '--check'], {
    encoding: 'utf8',
  });
  assert.equal(check.status, 0, check.stderr);
});
