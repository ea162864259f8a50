'use strict';
// A short RSS soak (10 000 builds with validate, decode and error paths mixed in) in a fresh
// process: RSS after warm-up, read after a full GC, must not grow by more than a generous
// 48 MiB. The full 100 000 run with tighter figures is scripts/rss-soak.sh.

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const test = require('node:test');

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'rss-soak.js');

test('RSS stays flat over ten thousand builds', () => {
  const run = spawnSync(process.execPath, ['--expose-gc', SCRIPT, '10000', '--max-growth-mib', '48'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.n, 10000);
  assert.equal(report.gc_between_readings, true);
  assert.ok(report.growth_after_warm_up_kib <= 48 * 1024, `grew ${report.growth_after_warm_up_kib} KiB`);
});
