'use strict';
// scripts/shared.js, which turns the JavaScript both doors share (bindings-js/src, ES modules)
// into the CommonJS of lib/shared: each supported form, the refusal of any other, and the
// package's lib/shared being exactly that conversion.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { commonJs, writeShared } = require('../scripts/shared');

const SOURCE = path.join(__dirname, '..', '..', 'bindings-js', 'src');
const SHARED = path.join(__dirname, '..', 'lib', 'shared');

test('each supported form, line for line', () => {
  const source = [
    '// a module',
    "import * as core from '../backend.js';",
    "import { a, b as c } from './a.js';",
    "export { d, e as f } from './d.js';",
    'export function g() {}',
    'export async function h() {}',
    'export class I {}',
    'export const J = 1;',
    'export const {',
    '  // a comment',
    '  K,',
    '  L,',
    '} = J;',
  ].join('\n');
  assert.equal(commonJs(`${source}\n`, 'sample.js'), [
    "'use strict'; // a module",
    "const core = require('../backend.js');",
    "const { a, b: c } = require('./a.js');",
    "const { d, e: f } = require('./d.js');",
    'function g() {}',
    'async function h() {}',
    'class I {}',
    'const J = 1;',
    'const {',
    '  // a comment',
    '  K,',
    '  L,',
    '} = J;',
    '',
    '// Made from bindings-js/src/sample.js by bindings-node/scripts/shared.js: edit that file instead.',
    'module.exports = { d, f, g, h, I, J, K, L };',
    '',
  ].join('\n'));
});

test('module syntax outside the supported forms fails, naming the file and line', () => {
  const refused = [
    ['export default 5;', 'sample.js:2: module syntax this converter does not handle: export default 5;'],
    ["import a from './a.js';", "sample.js:2: module syntax this converter does not handle: import a from './a.js';"],
    ["import {\n  a } from './a.js';", 'sample.js:2: module syntax this converter does not handle: import {'],
    ["const late = await import('./a.js');", "sample.js:2: module syntax this converter does not handle: const late = await import('./a.js');"],
    ['const here = import.meta.url;', 'sample.js:2: module syntax this converter does not handle: const here = import.meta.url;'],
    ["import { a as 'b' } from './a.js';", "sample.js:2: cannot convert the import or export item 'a as 'b''"],
    ['export const {\n  a: b,\n} = c;', "sample.js:3: cannot export 'a: b' from a destructuring"],
    ['export const {\n  a,', 'sample.js: an export const { … } is never closed'],
  ];
  for (const [line, message] of refused) assert.throws(() => commonJs(`// a module\n${line}\n`, 'sample.js'), { message });
});

test('writeShared converts every module and removes those the source no longer has', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'taap-shared-'));
  try {
    const [source, target] = [path.join(work, 'src'), path.join(work, 'shared')];
    fs.mkdirSync(source);
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(source, 'kept.js'), '// kept\nexport const A = 1;\n');
    fs.writeFileSync(path.join(target, 'gone.js'), 'stale');
    fs.writeFileSync(path.join(target, '.gitignore'), '*\n');
    assert.deepEqual(writeShared(source, target), ['kept.js']);
    assert.deepEqual(fs.readdirSync(target).sort(), ['.gitignore', 'kept.js']);
    assert.equal(require(path.join(target, 'kept.js')).A, 1);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test("the package's lib/shared is the conversion of bindings-js/src", () => {
  const modules = fs.readdirSync(SOURCE).filter((name) => name.endsWith('.js')).sort();
  assert.deepEqual(fs.readdirSync(SHARED).filter((name) => name.endsWith('.js')).sort(), modules);
  for (const name of modules) {
    assert.equal(fs.readFileSync(path.join(SHARED, name), 'utf8'), commonJs(fs.readFileSync(path.join(SOURCE, name), 'utf8'), name), name);
  }
});
