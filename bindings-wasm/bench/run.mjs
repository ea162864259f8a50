// taap-wasm's speed: one Chromium run of bench/index.html (four token builders, see bench.js)
// and, under Node, taap-wasm beside the native package (bindings-node). Prints markdown.
//
//   node bench/run.mjs [--seconds 1.5] [--rounds 3]

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { launch, serve } from '../test/browser.mjs';
import { KEYS, REPOSITORY, taap } from '../test/helpers.mjs';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const SECONDS = argument('--seconds', 1.5);
const ROUNDS = argument('--rounds', 3);
const WASM = path.join(REPOSITORY, 'bindings-wasm');
const PEM = fs.readFileSync(path.join(KEYS, 'tmobile', 'readme-private-pkcs8.pem'), 'utf8');
const EHTS = [
  ['Content-Type', 'application/json'],
  ['Authorization', 'Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS'],
  ['uri', '/commerce/v1/orders'],
  ['http-method', 'POST'],
  ['body', '{"orderId": 100, "product": "Mobile Phone"}'],
];
const fmt = (value) => value.toFixed(value < 100 ? 1 : 0);

async function browser() {
  const site = await serve({
    '/': path.join(WASM, 'bench'),
    '/pkg/': path.join(WASM, 'pkg'),
    '/jsrsasign/': path.join(WASM, 'node_modules', 'jsrsasign', 'lib'),
    '/keys/': path.join(KEYS, 'tmobile'),
  });
  const context = await launch();
  try {
    const page = await context.newPage();
    const failed = new Promise((resolve, reject) => page.on('pageerror', reject));
    await page.goto(`${site.origin}/?seconds=${SECONDS}&rounds=${ROUNDS}`);
    await Promise.race([failed, page.waitForFunction(() => window.results, null, { timeout: 300_000, polling: 250 })]);
    return await page.evaluate(() => window.results);
  } finally {
    await context.close();
    await site.close();
  }
}

/** Tokens per second of `build` (awaited when async), best of the rounds. */
async function nodeRate(build) {
  let best = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = performance.now();
    let count = 0;
    while (performance.now() - start < SECONDS * 1000) {
      const result = build();
      if (result instanceof Promise) await result;
      count += 1;
    }
    best = Math.max(best, count / ((performance.now() - start) / 1000));
  }
  return best;
}

async function node() {
  const native = createRequire(import.meta.url)(path.join(REPOSITORY, 'bindings-node'));
  const wasmKey = taap.PrivateKey.fromPem(PEM);
  const nativeKey = native.PrivateKey.fromPem(PEM);
  const rows = {
    'taap-wasm PopToken.build (sync)': () => taap.PopToken.build(wasmKey, EHTS),
    'taap-wasm PopToken.buildAsync (Node WebCrypto)': () => taap.PopToken.buildAsync(wasmKey, EHTS),
    'taap (native, bindings-node) PopToken.build': () => native.PopToken.build(nativeKey, EHTS),
  };
  const rates = {};
  for (const [name, build] of Object.entries(rows)) rates[name] = await nodeRate(build);
  wasmKey.free();
  return rates;
}

const { userAgent, rates } = await browser();
const tmobile = rates["T-Mobile's page path (jsrsasign JWS.sign)"];
const webcrypto = rates['plain WebCrypto, same token'];
console.log(`Chromium: ${userAgent}\n`);
console.log('| browser (one Chromium run) | tokens/s | ms/token | × T-Mobile\'s page | × plain WebCrypto |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, rate] of Object.entries(rates)) {
  console.log(`| ${name} | ${fmt(rate)} | ${(1000 / rate).toFixed(2)} | ${(rate / tmobile).toFixed(2)} | ${(rate / webcrypto).toFixed(2)} |`);
}
const nodeRates = await node();
const nativeRate = nodeRates['taap (native, bindings-node) PopToken.build'];
console.log(`\n| Node ${process.version} | tokens/s | ms/token | × native |`);
console.log('|---|---:|---:|---:|');
for (const [name, rate] of Object.entries(nodeRates)) {
  console.log(`| ${name} | ${fmt(rate)} | ${(1000 / rate).toFixed(2)} | ${(rate / nativeRate).toFixed(2)} |`);
}
const wasm = fs.readFileSync(path.join(WASM, 'pkg', 'taap_wasm_bg.wasm'));
const { gzipSync } = await import('node:zlib');
console.log(`\ntaap_wasm_bg.wasm: ${wasm.length} bytes (${(wasm.length / 1024).toFixed(0)} KiB), ${gzipSync(wasm, { level: 9 }).length} bytes gzipped`);
