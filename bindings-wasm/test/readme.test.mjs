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
// is not marked `fragment` fails too: nothing there is left unchecked. What this shares with
// Node's runner is in bindings-js/test/readme-blocks.cjs.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';

const { ROOT, doorExamples, exampleFolder, runExample } = createRequire(import.meta.url)('../../bindings-js/test/readme-blocks.cjs');

const PACKAGE = path.join(ROOT, 'bindings-wasm', 'pkg');
const EXAMPLES = doorExamples('bindings-wasm/README.md', [['README.md', 'Browser and edge (WebAssembly)']], new Set(['js', 'javascript', 'mjs']));
let ran = 0;
let workdir;

before(() => {
  assert.ok(fs.existsSync(path.join(PACKAGE, 'taap_wasm_bg.wasm')), 'bindings-wasm/pkg is not built: run make wasm');
  workdir = exampleFolder('taap-wasm-readme-', { 'taap-wasm': PACKAGE });
});

after(() => {
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
  console.log(`README examples: ${ran} run, ${EXAMPLES.fragments} fragments`);
});

test('bindings-wasm/README.md has no unchecked block', () => {
  assert.deepEqual(EXAMPLES.unchecked, [], 'no runner for these blocks: mark each one `fragment`, or make it js');
  assert.ok(EXAMPLES.run.length >= 2, `only ${EXAMPLES.run.length} blocks found: did the READMEs move?`);
});

for (const block of EXAMPLES.run) {
  test(block.where, async () => {
    ran += 1;
    await runExample(workdir, block, 'example.mjs');
  });
}
