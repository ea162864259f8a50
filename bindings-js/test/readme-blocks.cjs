'use strict';
// What the two doors' README runners share (bindings-node/test/readme.test.js,
// bindings-wasm/test/readme.test.mjs): finding the fenced blocks of the documentation, the
// folder a block runs in (the docs' sample key pair, the package under node_modules), and
// running one block as a program of its own with a time limit.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const KEYS = path.join(ROOT, 'tests', 'keys', 'tmobile');
const TIME_LIMIT_MS = 60_000;

/** The fenced blocks of `file` (relative to the repository), or of its `## section`. */
function fencedBlocks(file, section) {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
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
    const first = block.text.split('\n').map((text) => text.trim()).find(Boolean) ?? '';
    return { ...block, where: `${block.file}:${block.line} (\`\`\`${block.lang}: ${first})` };
  });
}

/**
 * A door's examples: the blocks of its own README and of `others` (`[file, section?]` pairs)
 * in `languages`. `run` are those not marked fragment; `unchecked` names the blocks of its own
 * README in no such language and not marked fragment (nothing there may go unchecked);
 * `fragments` counts the fragments, its README's of every language included.
 */
function doorExamples(ownReadme, others, languages) {
  const own = fencedBlocks(ownReadme);
  const examples = [...own, ...others.flatMap(([file, section]) => fencedBlocks(file, section))]
    .filter((block) => languages.has(block.lang));
  const run = examples.filter((block) => !block.fragment);
  const otherLanguage = own.filter((block) => !languages.has(block.lang));
  return {
    run,
    unchecked: otherLanguage.filter((block) => !block.fragment).map((block) => block.where),
    fragments: examples.length - run.length + otherLanguage.filter((block) => block.fragment).length,
  };
}

/** A fresh folder holding keys/ (the docs' sample pair) and node_modules/NAME links to `packages`. */
function exampleFolder(prefix, packages) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(folder, 'keys'));
  fs.copyFileSync(path.join(KEYS, 'readme-private-pkcs8.pem'), path.join(folder, 'keys', 'private-key.pem'));
  fs.copyFileSync(path.join(KEYS, 'readme-public.pem'), path.join(folder, 'keys', 'public-key.pem'));
  fs.mkdirSync(path.join(folder, 'node_modules'));
  for (const [name, target] of Object.entries(packages)) fs.symlinkSync(target, path.join(folder, 'node_modules', name), 'dir');
  return folder;
}

/** Runs a command in `cwd`, killed at the time limit: { status, stdout, stderr, timedOut }. */
function runIn(cwd, command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Writes `block`'s text (or `text`) to `file` in `cwd`, runs it with node and fails unless it exits 0 in time. */
async function runExample(cwd, block, file, { env, text } = {}) {
  fs.writeFileSync(path.join(cwd, file), text ?? block.text);
  const done = await runIn(cwd, process.execPath, [file], env);
  fs.rmSync(path.join(cwd, file));
  const output = `${done.stdout}${done.stderr}`;
  assert.ok(!done.timedOut, `${block.where} did not finish in ${TIME_LIMIT_MS / 1000} s:\n${output}`);
  assert.equal(done.status, 0, `${block.where} failed (exit status ${done.status}):\n${output}`);
  return done;
}

module.exports = { ROOT, fencedBlocks, doorExamples, exampleFolder, runIn, runExample };
