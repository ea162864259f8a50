// The documentation's taap-wasm examples, run as written under Node (the way Rust runs its
// doctests).
//
// Every fenced ```js / ```javascript / ```mjs block of bindings-wasm/README.md and of the root
// README's "Browser and edge (WebAssembly)" section runs as an ES module of its own (a fresh
// `node`) unless its info string marks it ```js fragment (for what only a browser can run). Each
// runs in an empty temporary folder holding keys/private-key.pem and keys/public-key.pem (the
// docs' sample pair) and node_modules/taap-wasm (bindings-wasm/pkg, as `make wasm` built it). A
// block passes when it exits 0 within its time limit; anything else fails, naming the file, the
// line and the block's first line. In bindings-wasm/README.md a block of another language that
// is not marked `fragment` fails too: nothing there is left unchecked.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGE = path.join(REPOSITORY, 'bindings-wasm', 'pkg');
const KEYS = path.join(REPOSITORY, 'tests', 'keys', 'tmobile');
const TIME_LIMIT_MS = 60_000;
const JS = new Set(['js', 'javascript', 'mjs']);

/** The fenced blocks of `file` (relative to the repository), or of its `## section`. */
function fencedBlocks(file, section) {
  const lines = fs.readFileSync(path.join(REPOSITORY, file), 'utf8').split('\n');
  const blocks = [];
  let open = null;
  let inSection = section === undefined;
  lines.forEach((line, index) => {
    if (!open && section !== undefined && line.startsWith('## ')) {
      inSection = line.slice(3).trim() === section;
    } else if (!open && line.startsWith('```')) {
      const words = line.slice(3).trim().split(/\s+/).filter(Boolean);
      open = { file, line: index + 1, lang: words[0] ?? 'text', fragment: words.slice(1).includes('fragment'), body: [] };
    } else if (open && line.trim() === '```') {
      if (inSection) blocks.push({ ...open, text: `${open.body.join('\n')}\n` });
      open = null;
    } else if (open) {
      open.body.push(line);
    }
  });
  assert.equal(open, null, `${file}:${open?.line}: the fence opened here is never closed`);
  if (section !== undefined) assert.ok(lines.includes(`## ${section}`), `${file} has no section '## ${section}'`);
  return blocks.map((block) => {
    const first = block.text.split('\n').map((line) => line.trim()).find(Boolean) ?? '';
    return { ...block, where: `${block.file}:${block.line} (\`\`\`${block.lang}: ${first})` };
  });
}

const own = fencedBlocks('bindings-wasm/README.md');
const rootSection = fencedBlocks('README.md', 'Browser and edge (WebAssembly)');
const examples = [...own, ...rootSection].filter((block) => JS.has(block.lang));
const BLOCKS = examples.filter((block) => !block.fragment);
// Fragments: the JS ones of both files, and every one of this door's README (as bindings-c counts).
const FRAGMENTS = examples.length - BLOCKS.length + own.filter((block) => block.fragment && !JS.has(block.lang)).length;
let ran = 0;
let workdir;

before(() => {
  assert.ok(fs.existsSync(path.join(PACKAGE, 'taap_wasm_bg.wasm')), 'bindings-wasm/pkg is not built: run make wasm');
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'taap-wasm-readme-'));
  fs.mkdirSync(path.join(workdir, 'keys'));
  fs.copyFileSync(path.join(KEYS, 'readme-private-pkcs8.pem'), path.join(workdir, 'keys', 'private-key.pem'));
  fs.copyFileSync(path.join(KEYS, 'readme-public.pem'), path.join(workdir, 'keys', 'public-key.pem'));
  fs.mkdirSync(path.join(workdir, 'node_modules'));
  fs.symlinkSync(PACKAGE, path.join(workdir, 'node_modules', 'taap-wasm'), 'dir');
});

after(() => {
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
  console.log(`README examples: ${ran} run, ${FRAGMENTS} fragments`);
});

test('bindings-wasm/README.md has no unchecked block', () => {
  const unmarked = own.filter((block) => !block.fragment && !JS.has(block.lang));
  assert.deepEqual(unmarked.map((block) => block.where), [], 'no runner for these blocks: mark each one `fragment`, or make it js');
  assert.ok(BLOCKS.length >= 2, `only ${BLOCKS.length} blocks found: did the READMEs move?`);
});

for (const block of BLOCKS) {
  test(block.where, async () => {
    ran += 1;
    const file = path.join(workdir, 'example.mjs');
    fs.writeFileSync(file, block.text);
    const done = await run(process.execPath, [path.basename(file)]);
    fs.rmSync(file);
    const output = `${done.stdout}${done.stderr}`;
    assert.ok(!done.timedOut, `${block.where} did not finish in ${TIME_LIMIT_MS / 1000} s:\n${output}`);
    assert.equal(done.status, 0, `${block.where} failed (exit status ${done.status}):\n${output}`);
  });
}

/** Runs a command in the work folder: { status, stdout, stderr, timedOut }. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIME_LIMIT_MS);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, timedOut });
    });
  });
}
