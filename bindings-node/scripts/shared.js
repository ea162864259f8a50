#!/usr/bin/env node
'use strict';
// Writes lib/shared/: the JavaScript every door of taap shares (../bindings-js/src, ES modules)
// as the CommonJS modules `require('taap')` loads. Runs before the native build
// (scripts/build.js), before `npm pack` and in scripts/dist.sh; lib/shared is never edited by
// hand or committed (its .gitignore).
//
// The shared modules use a small, fixed subset of module syntax, and a line outside it fails
// here instead of being guessed at. Each line stays on its line, so stack traces point at the
// same line of the shared source.

const fs = require('node:fs');
const path = require('node:path');

const SOURCE = path.join(__dirname, '..', '..', 'bindings-js', 'src');
const TARGET = path.join(__dirname, '..', 'lib', 'shared');
const KEEP = new Set(['.gitignore', '.npmignore']);

const NAME = '[A-Za-z_$][\\w$]*';
const SPECIFIER = `'(\\.{1,2}/[\\w./-]+\\.js)'`;
const NAMESPACE_IMPORT = new RegExp(`^import \\* as (${NAME}) from ${SPECIFIER};$`);
const NAMED_IMPORT = new RegExp(`^import \\{([^}]*)\\} from ${SPECIFIER};$`);
const NAMED_REEXPORT = new RegExp(`^export \\{([^}]*)\\} from ${SPECIFIER};$`);
const DECLARATION = new RegExp(`^export ((?:async )?function\\*? |class |const |let )(${NAME})\\b`);
const DESTRUCTURING = /^export const \{$/;

/** `a, b as c` as a destructuring list, `a, b: c`, and the names it binds. */
function bindings(list, file, number) {
  const items = list.split(',').map((item) => item.trim()).filter(Boolean);
  const parts = items.map((item) => {
    const match = new RegExp(`^(${NAME})(?: as (${NAME}))?$`).exec(item);
    if (!match) throw new Error(`${file}:${number}: cannot convert the import or export item '${item}'`);
    return { pattern: match[2] ? `${match[1]}: ${match[2]}` : match[1], bound: match[2] ?? match[1] };
  });
  return { pattern: parts.map((part) => part.pattern).join(', '), names: parts.map((part) => part.bound) };
}

/** Converts one line outside a destructuring export; `state.exported` collects the module's exports. */
function convertLine(line, state, file, number) {
  let match = NAMESPACE_IMPORT.exec(line);
  if (match) return `const ${match[1]} = require('${match[2]}');`;
  match = NAMED_IMPORT.exec(line);
  if (match) return `const { ${bindings(match[1], file, number).pattern} } = require('${match[2]}');`;
  match = NAMED_REEXPORT.exec(line);
  if (match) {
    const { pattern, names } = bindings(match[1], file, number);
    state.exported.push(...names);
    return `const { ${pattern} } = require('${match[2]}');`;
  }
  if (DESTRUCTURING.test(line)) {
    state.destructuring = true;
    return 'const {';
  }
  match = DECLARATION.exec(line);
  if (match) {
    state.exported.push(match[2]);
    return line.slice('export '.length);
  }
  if (/^\s*(import|export)\b/.test(line) || /\bimport\s*(\(|\.meta)/.test(line)) {
    throw new Error(`${file}:${number}: module syntax this converter does not handle: ${line.trim()}`);
  }
  return line;
}

/** A line inside `export const { … } = source;`: each bound name is exported. */
function convertDestructured(line, state, file, number) {
  if (/^\} = [\w$.]+;$/.test(line)) {
    state.destructuring = false;
    return line;
  }
  const name = line.replace(/\/\/.*$/, '').trim().replace(/,$/, '');
  if (name && !new RegExp(`^${NAME}$`).test(name)) throw new Error(`${file}:${number}: cannot export '${name}' from a destructuring`);
  if (name) state.exported.push(name);
  return line;
}

/** The CommonJS text of the shared ES module `source` (named `file` in errors). */
function commonJs(source, file) {
  const state = { exported: [], destructuring: false };
  const lines = source.replace(/\n$/, '').split('\n').map((line, index) => {
    const convert = state.destructuring ? convertDestructured : convertLine;
    return convert(line, state, file, index + 1);
  });
  if (state.destructuring) throw new Error(`${file}: an export const { … } is never closed`);
  lines[0] = `'use strict'; ${lines[0]}`;
  const origin = `bindings-js/src/${file}`;
  return `${lines.join('\n')}\n\n// Made from ${origin} by bindings-node/scripts/shared.js: edit that file instead.\nmodule.exports = { ${state.exported.join(', ')} };\n`;
}

/**
 * Writes every shared module into `target` as CommonJS and removes modules the source no
 * longer has. Outside the repository (a packed copy of this folder) the packed lib/shared stays.
 */
function writeShared(source = SOURCE, target = TARGET) {
  if (!fs.existsSync(source)) {
    if (fs.existsSync(path.join(target, 'index.js'))) return fs.readdirSync(target).filter((name) => name.endsWith('.js'));
    throw new Error(`${source} is missing, and so is lib/shared: taap's shared JavaScript comes from the repository's bindings-js/src`);
  }
  const files = fs.readdirSync(source).filter((name) => name.endsWith('.js')).sort();
  fs.mkdirSync(target, { recursive: true });
  for (const stale of fs.readdirSync(target)) {
    if (!KEEP.has(stale) && !files.includes(stale)) fs.rmSync(path.join(target, stale));
  }
  for (const file of files) {
    const converted = commonJs(fs.readFileSync(path.join(source, file), 'utf8'), file);
    const out = path.join(target, file);
    if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== converted) fs.writeFileSync(out, converted);
  }
  return files;
}

module.exports = { commonJs, writeShared };

if (require.main === module) {
  const files = writeShared();
  console.error(`taap: wrote lib/shared/ (${files.length} modules from bindings-js/src)`);
}
