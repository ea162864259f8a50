'use strict';
// The one declaration source (bindings-js/taap.d.ts.in) and its drift check: both packages'
// index.d.ts are its rendering, and `declarations.mjs --check` (make lint) fails on a file
// edited by hand. The failing cases run on a copy of the three files, never the real ones.

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { describe, test, before, after } = require('node:test');

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'bindings-js', 'scripts', 'declarations.mjs');
const FILES = ['bindings-js/taap.d.ts.in', 'bindings-node/index.d.ts', 'bindings-wasm/index.d.ts'];

/** Runs the script with `args`: { status, stderr }. */
function declarations(...args) {
  const done = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { status: done.status, stderr: done.stderr };
}

test('both committed index.d.ts are the rendering of bindings-js/taap.d.ts.in', () => {
  assert.deepEqual(declarations('--check'), { status: 0, stderr: '' });
});

describe('the drift check, on a copy of the repository\'s declaration files', () => {
  let copy;
  const file = (relative) => path.join(copy, relative);
  const edit = (relative, from, to) => {
    const text = fs.readFileSync(file(relative), 'utf8');
    assert.ok(text.includes(from), `${relative} holds ${from}`);
    fs.writeFileSync(file(relative), text.replace(from, to));
  };

  before(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'taap-declarations-'));
    for (const relative of FILES) {
      fs.mkdirSync(path.dirname(file(relative)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, relative), file(relative));
    }
  });
  after(() => fs.rmSync(copy, { recursive: true, force: true }));

  test('a declaration edited by hand fails, naming the file, the line and both versions', () => {
    edit('bindings-wasm/index.d.ts', '  toPkcs1Pem(): string;', '  toPkcs1Pem(): Uint8Array;');
    const line = fs.readFileSync(file('bindings-wasm/index.d.ts'), 'utf8').split('\n').indexOf('  toPkcs1Pem(): Uint8Array;') + 1;
    const { status, stderr } = declarations('--check', '--root', copy);
    assert.equal(status, 1);
    assert.equal(stderr.split('\n').slice(0, 3).join('\n'), [
      `bindings-wasm/index.d.ts:${line} differs from the rendering of bindings-js/taap.d.ts.in:`,
      '  file:      "  toPkcs1Pem(): Uint8Array;"',
      '  rendering: "  toPkcs1Pem(): string;"',
    ].join('\n'));
    assert.ok(!stderr.includes('bindings-node/index.d.ts'), stderr);
  });

  test('rendering rewrites the edited file and the check passes again', () => {
    assert.equal(declarations('--root', copy).status, 0);
    assert.deepEqual(declarations('--check', '--root', copy), { status: 0, stderr: '' });
    assert.equal(fs.readFileSync(file('bindings-wasm/index.d.ts'), 'utf8'), fs.readFileSync(path.join(ROOT, 'bindings-wasm/index.d.ts'), 'utf8'));
  });

  test('a change of the shared source leaves both packages\' files behind until rendered', () => {
    edit('bindings-js/taap.d.ts.in', '  thumbprint(): string;', '  thumbprint(): string;\n  kid(): string;');
    const { status, stderr } = declarations('--check', '--root', copy);
    assert.equal(status, 1);
    assert.deepEqual(stderr.match(/^bindings-\w+\/index\.d\.ts/gm), ['bindings-node/index.d.ts', 'bindings-wasm/index.d.ts']);
  });

  test('a part for one door only reaches that door', () => {
    edit('bindings-js/taap.d.ts.in', '  kid(): string;', '  // #if wasm\n  kid(): string;\n  // #endif');
    assert.equal(declarations('--root', copy).status, 0);
    const count = (relative) => fs.readFileSync(file(relative), 'utf8').split('\n').filter((line) => line === '  kid(): string;').length;
    assert.deepEqual([count('bindings-node/index.d.ts'), count('bindings-wasm/index.d.ts')], [0, 1]);
  });
});

describe('the template rules', () => {
  let render;
  before(async () => {
    ({ render } = await import(pathToFileURL(SCRIPT).href));
  });

  test('door parts, notes and the notice', () => {
    const template = '// # a note\nshared\n// #if node\nnode only\n// #endif\n// #if wasm\nwasm only\n// #endif';
    const notice = '// Rendered from bindings-js/taap.d.ts.in by bindings-js/scripts/declarations.mjs: edit that file, not this one.';
    assert.equal(render(template, 'node'), `${notice}\nshared\nnode only`);
    assert.equal(render(template, 'wasm'), `${notice}\nshared\nwasm only`);
  });

  test('a broken template names its line', () => {
    assert.throws(() => render('// #if node\n// #if wasm\n// #endif', 'node'), { message: 'bindings-js/taap.d.ts.in:2: #if wasm inside the #if node part (parts do not nest)' });
    assert.throws(() => render('// #if deno\n// #endif', 'node'), { message: 'bindings-js/taap.d.ts.in:1: #if names no door (node, wasm)' });
    assert.throws(() => render('a\n// #endif', 'node'), { message: 'bindings-js/taap.d.ts.in:2: #endif without #if' });
    assert.throws(() => render('// #if node\na', 'node'), { message: 'bindings-js/taap.d.ts.in: the #if node part is never closed' });
    assert.throws(() => render('// #else', 'node'), { message: 'bindings-js/taap.d.ts.in:1: unknown directive // #else' });
  });
});
