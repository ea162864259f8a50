// The wasm column of the bad-input matrix: every case in its own Node process (bad-input.mjs)
// with a time limit, so a crash, a wasm trap or a hang is that cell's outcome; the column
// goes to <target dir>/bad-input/wasm.jsonl for tests/bad-input/assemble.py.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { cases, OUTCOME_PREFIX } from './bad-input.mjs';
import { REPOSITORY } from './helpers.mjs';

const CASE_TIMEOUT_MS = 60_000;
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bad-input.mjs');
const PARALLEL = 4;

function cell(id) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [SCRIPT, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), CASE_TIMEOUT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      const line = stdout.split('\n').find((printed) => printed.startsWith(OUTCOME_PREFIX));
      if (ms >= CASE_TIMEOUT_MS) resolve({ outcome: 'hang', ms });
      else if (line === undefined) resolve({ outcome: `crash: ${signal ?? `exit ${status}`} ${stderr.trim().split('\n').pop() ?? ''}`.trim(), ms });
      else resolve({ outcome: line.slice(OUTCOME_PREFIX.length), ms });
    });
  });
}

function meets(outcome, expected) {
  return outcome === expected || (expected.startsWith('n/a') && outcome.startsWith('n/a'));
}

test('every bad-input case gets its expected typed outcome, in a bounded time', async () => {
  const all = cases();
  const results = new Array(all.length);
  let next = 0;
  const worker = async () => {
    while (next < all.length) {
      const index = next++;
      results[index] = await cell(all[index].id);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const wrong = [];
  const rows = all.map((item, index) => {
    const expected = item.columns?.wasm ?? item.columns?.node ?? item.expect;
    const { outcome, ms } = results[index];
    if (!meets(outcome, expected)) wrong.push(`${item.id}: got ${outcome}, expected ${expected}`);
    return JSON.stringify({ id: item.id, column: 'wasm', outcome, expected, ms });
  });
  const out = path.join(path.resolve(process.env.CARGO_TARGET_DIR || path.join(REPOSITORY, 'target')), 'bad-input');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'wasm.jsonl'), `${rows.join('\n')}\n`);
  assert.deepEqual(wrong, []);
});
