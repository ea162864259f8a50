#!/usr/bin/env node
// Renders bindings-js/taap.d.ts.in, the one declaration source of the JavaScript doors, into
// each door's index.d.ts, or checks that the committed files are that rendering.
//
//   node bindings-js/scripts/declarations.mjs            rewrite both index.d.ts
//   node bindings-js/scripts/declarations.mjs --check    exit 1, showing the first difference of
//                                                        each file, when one differs (make lint)
//   --root DIR                                           a copy of the repository instead of this one
//
// Template lines: `// #if node` or `// #if wasm` opens a part for that door only, `// #endif`
// closes it (parts do not nest), `// # ` starts a note kept out of both renderings.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPLATE = 'bindings-js/taap.d.ts.in';
const OUTPUTS = { node: 'bindings-node/index.d.ts', wasm: 'bindings-wasm/index.d.ts' };
const NOTICE = `// Rendered from ${TEMPLATE} by bindings-js/scripts/declarations.mjs: edit that file, not this one.`;

/** The template's lines for `door`, or an error naming the template line that breaks the rules. */
export function render(template, door) {
  const out = [NOTICE];
  let part = null;
  template.split('\n').forEach((line, index) => {
    const where = `${TEMPLATE}:${index + 1}`;
    const directive = line.trim();
    const opened = /^\/\/ #if (\w+)$/.exec(directive);
    if (opened) {
      if (part) throw new Error(`${where}: #if ${opened[1]} inside the #if ${part} part (parts do not nest)`);
      if (!(opened[1] in OUTPUTS)) throw new Error(`${where}: #if names no door (${Object.keys(OUTPUTS).join(', ')})`);
      part = opened[1];
    } else if (directive === '// #endif') {
      if (!part) throw new Error(`${where}: #endif without #if`);
      part = null;
    } else if (directive.startsWith('// #')) {
      if (directive !== '// #' && !directive.startsWith('// # ')) throw new Error(`${where}: unknown directive ${directive}`);
    } else if (part === null || part === door) {
      out.push(line);
    }
  });
  if (part) throw new Error(`${TEMPLATE}: the #if ${part} part is never closed`);
  return out.join('\n');
}

/** The first line where `actual` differs from `expected`, with both versions. */
function firstDifference(file, actual, expected) {
  const [have, want] = [actual.split('\n'), expected.split('\n')];
  const at = want.findIndex((line, index) => have[index] !== line);
  const line = at === -1 ? want.length : at;
  return `${file}:${line + 1} differs from the rendering of ${TEMPLATE}:\n  file:      ${JSON.stringify(have[line] ?? '(end of file)')}\n  rendering: ${JSON.stringify(want[line] ?? '(end of file)')}`;
}

/** Writes (or with `check`, compares) every door's declarations under `root`; returns the problems. */
export function declarations(root, check) {
  const template = fs.readFileSync(path.join(root, TEMPLATE), 'utf8');
  const problems = [];
  for (const [door, file] of Object.entries(OUTPUTS)) {
    const expected = render(template, door);
    const target = path.join(root, file);
    const actual = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (actual === expected) continue;
    if (check) problems.push(firstDifference(file, actual, expected));
    else fs.writeFileSync(target, expected);
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const rootAt = argv.indexOf('--root');
  const root = rootAt === -1 ? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..') : path.resolve(argv[rootAt + 1]);
  const unknown = argv.filter((arg, index) => arg !== '--check' && arg !== '--root' && (rootAt === -1 || index !== rootAt + 1));
  if (unknown.length || (rootAt !== -1 && argv[rootAt + 1] === undefined)) {
    console.error('usage: declarations.mjs [--check] [--root DIR]');
    process.exit(2);
  }
  const problems = declarations(root, argv.includes('--check'));
  for (const problem of problems) console.error(problem);
  if (problems.length) {
    console.error(`Render them with: node ${path.relative(process.cwd(), fileURLToPath(import.meta.url)) || 'declarations.mjs'}`);
    process.exit(1);
  }
}
