'use strict';
// The documentation's JavaScript and TypeScript examples, run as written (the way Rust runs its
// doctests).
//
// Every fenced ```js / ```javascript / ```mjs / ```cjs / ```ts block of bindings-node/README.md,
// of the root README's "Node.js" section and of docs/*.md is checked unless its info string marks
// it ```js fragment. A JavaScript block runs as a program of its own (a fresh `node`): as an ES
// module (.mjs) when it has `import`/`export` statements or is tagged mjs, else as CommonJS
// (.cjs). A TypeScript block is type-checked with the package's tsc (--strict). Each runs in an
// empty temporary folder holding keys/private-key.pem and keys/public-key.pem (the docs' sample
// pair) and node_modules/taap (this package as built, so `taap` and `taap/express` resolve as in
// a user's project, and express), with TAAP_CLIENT_ID and TAAP_SECRET set, against one local
// `taap serve` that registers that client: its URL replaces https://api.t-mobile.com and
// https://naas.t-mobile.com in the block, and a local redis-server (password `password`)
// replaces 10.0.0.5:6379. A block passes when it exits 0 within its time limit, emits no
// TaapWarning, and every API call it made was accepted by the gateway; anything else fails,
// naming the file, the line and the block's first line. In bindings-node/README.md a block of
// another language not marked `fragment` fails too.

const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { test, before, after } = require('node:test');
// What this shares with the wasm package's runner: finding blocks, their folder, running one.
const { ROOT, doorExamples, exampleFolder, runExample, runIn } = require('../../bindings-js/test/readme-blocks.cjs');

const PACKAGE = path.join(__dirname, '..');
const CLIENT_ID = 'readme-client';
const SECRET = 'readme-secret-7c2d';
const REDIS_PASSWORD = 'password';
const API_HOSTS = ['https://api.t-mobile.com', 'https://naas.t-mobile.com'];
const REDIS_HOST = '10.0.0.5:6379';
/** A shared replay store refuses tokens made before Redis started, less the leeway (10 s). */
const LEEWAY_MS = 10_000;
const TS = new Set(['ts', 'typescript']);

const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort();
const EXAMPLES = doorExamples('bindings-node/README.md', [['README.md', 'Node.js'], ...docs.map((name) => [`docs/${name}`])],
  new Set(['js', 'javascript', 'mjs', 'cjs', ...TS]));
const BLOCKS = EXAMPLES.run;
let ran = 0;

/** An ES module: tagged mjs, or holding import/export statements (a dynamic import() is not one). */
function isModule(block) {
  return block.lang === 'mjs' || (block.lang !== 'cjs' && /^\s*(import\s*[\w{*'"]|export\s)/m.test(block.text));
}

let gateway;
let redis;
let workdir;

before(async () => {
  const modules = path.join(PACKAGE, 'node_modules');
  workdir = exampleFolder('taap-readme-', { taap: PACKAGE, express: path.join(modules, 'express'), '@types': path.join(modules, '@types') });
  redis = await startRedis();
  gateway = await startGateway();
});

after(async () => {
  for (const child of [gateway?.child, redis?.child]) {
    if (!child || child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  if (redis) fs.rmSync(redis.dir, { recursive: true, force: true });
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
  console.log(`README examples: ${ran} run, ${EXAMPLES.fragments} fragments`);
});

test('bindings-node/README.md has no unchecked block', () => {
  assert.deepEqual(EXAMPLES.unchecked, [], 'no runner for these blocks: mark each one `fragment`, or make it js');
  assert.ok(BLOCKS.length >= 5, `only ${BLOCKS.length} blocks found: did the READMEs move?`);
});

test('a document whose examples run against local stand-ins says so', () => {
  for (const block of BLOCKS) {
    const text = fs.readFileSync(path.join(ROOT, block.file), 'utf8').replace(/\s+/g, ' ');
    if (API_HOSTS.some((host) => block.text.includes(host))) {
      assert.ok(text.includes('local `taap serve`'), `${block.where} runs against a local \`taap serve\`; ${block.file} must say so`);
    }
    if (block.text.includes(REDIS_HOST)) {
      assert.ok(text.includes('local `redis-server`'), `${block.where} runs against a local \`redis-server\`; ${block.file} must say so`);
    }
  }
});

for (const block of BLOCKS) {
  test(block.where, async () => {
    ran += 1;
    if (TS.has(block.lang)) return typeCheck(block);
    if (block.text.includes(REDIS_HOST) && /replayStore/.test(block.text)) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, redis.started + LEEWAY_MS + 1500 - Date.now())));
    }
    const before = await stats();
    const env = { TAAP_CLIENT_ID: CLIENT_ID, TAAP_SECRET: SECRET };
    const done = await runExample(workdir, block, isModule(block) ? 'example.mjs' : 'example.cjs', { env, text: localise(block.text) });
    const output = `${done.stdout}${done.stderr}`;
    assert.ok(!/TaapWarning/.test(done.stderr), `${block.where} emitted a TaapWarning:\n${output}`);
    const now = await stats();
    const refused = (now.api_requests - before.api_requests) - (now.api_accepted - before.api_accepted);
    assert.equal(refused, 0, `${block.where}: the gateway refused ${refused} of its API calls:\n${output}`);
  });
}

/** The block with the local services in place of the hosts it names. */
function localise(text) {
  let local = text;
  for (const host of API_HOSTS) local = local.split(host).join(gateway.url);
  return local.split(REDIS_HOST).join(`127.0.0.1:${redis.port}`);
}

/** A TypeScript block, type-checked (--strict) against the package's index.d.ts as a user's project sees it. */
async function typeCheck(block) {
  const file = path.join(workdir, isModule(block) ? 'example.mts' : 'example.ts');
  fs.writeFileSync(file, block.text);
  const tsc = path.join(PACKAGE, 'node_modules', 'typescript', 'bin', 'tsc');
  const done = await runIn(workdir, process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--types', 'node', path.basename(file)]);
  fs.rmSync(file);
  assert.equal(done.status, 0, `${block.where} does not type-check:\n${done.stdout}${done.stderr}`);
}

/** The gateway's counters. */
async function stats() {
  const answer = await fetch(`${gateway.url}/_taap/stats`);
  assert.equal(answer.status, 200);
  return answer.json();
}

/** `taap serve` with the docs' sample key registered (built from the workspace if need be). */
async function startGateway() {
  const target = path.resolve(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'));
  const binary = path.join(target, 'release', 'taap');
  if (!fs.existsSync(binary)) {
    const built = spawnSync('cargo', ['build', '--release', '--quiet', '-p', 'taap-cli'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(built.status, 0, 'cargo build -p taap-cli');
  }
  const args = ['serve', '--port', '0', '--client-id', CLIENT_ID, '--client-secret-env', 'README_SECRET',
    '--public-key', path.join(workdir, 'keys', 'public-key.pem')];
  const child = spawn(binary, args, { env: { ...process.env, README_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve) => {
    lines.once('line', resolve);
    child.once('exit', () => resolve(''));
  });
  lines.on('line', () => {});
  assert.match(first, /^listening on http:\/\/127\.0\.0\.1:/, `taap serve did not start: ${first}`);
  return { child, url: first.split(' ').pop() };
}

/** A throwaway redis-server on a free loopback port with a password; fails (never skips) when it is missing. */
async function startRedis() {
  const found = spawnSync('redis-server', ['--version']);
  assert.equal(found.status, 0, 'redis-server is not installed: run `bash scripts/setup.sh` (or apt-get install redis-server)');
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taap-readme-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--requirepass', REDIS_PASSWORD];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const started = Date.now();
  const accepts = () => new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(() => resolve(true)));
    socket.on('error', () => resolve(false));
  });
  while (!(await accepts())) {
    assert.ok(Date.now() < started + 10_000, 'redis-server did not start in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, port, dir, started };
}
