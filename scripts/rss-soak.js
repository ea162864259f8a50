#!/usr/bin/env node
'use strict';
// RSS soak of the Node package: N iterations of PopToken.build in one process, with validate,
// decode, forRequest and error paths mixed in, RSS read (after a full GC) at start, after
// warm-up and at the end. Prints one JSON line; exits 1 when RSS grew by more than
// --max-growth-mib after warm-up (a leak grows with N; a flat process does not).
//
//   node --expose-gc scripts/rss-soak.js [N] [--max-growth-mib MIB]   (default 100000, 16 MiB)

const path = require('node:path');

const taap = require(path.join(__dirname, '..', 'bindings-node'));

const ROOT = path.join(__dirname, '..');
const VALUES = [['Content-Type', 'application/json'], ['Authorization', 'Bearer soak'], ['uri', '/x'], ['http-method', 'POST']];

function rssKib() {
  if (typeof global.gc === 'function') global.gc();
  return Math.round(process.memoryUsage().rss / 1024);
}

function expectError(kind, action) {
  try {
    action();
  } catch (error) {
    if (error instanceof taap[`${kind}Error`]) return;
    throw error;
  }
  throw new Error(`expected ${kind}Error`);
}

function iteration(index, key, other, validator) {
  const token = taap.PopToken.build(key, VALUES);
  switch (index % 5) {
    case 0:
      validator.validate(token, key.publicKey(), VALUES);
      break;
    case 1:
      if (taap.PopToken.decode(token).claims.ehts.length !== 4) throw new Error('decoded the wrong ehts');
      break;
    case 2:
      expectError('SignatureInvalid', () => validator.validate(token, other, VALUES));
      break;
    case 3:
      expectError('InvalidEhts', () => taap.PopToken.build(key, [['uri', '/a'], ['uri', '/b']]));
      break;
    default:
      taap.PopToken.forRequest(key, { method: 'POST', url: 'https://api.example.com/x?a=1', headers: { 'Content-Type': 'text/plain' }, body: 'body' });
  }
}

function main() {
  const args = process.argv.slice(2);
  const limitAt = args.indexOf('--max-growth-mib');
  const maxGrowthMib = limitAt >= 0 ? Number(args.splice(limitAt, 2)[1]) : 16;
  const n = args.length > 0 ? Number(args[0]) : 100_000;
  const key = taap.PrivateKey.fromFile(path.join(ROOT, 'tests', 'keys', 'tmobile', 'readme-private-pkcs8.pem'));
  const other = taap.PrivateKey.fromFile(path.join(ROOT, 'tests', 'keys', 'openssl', 'pkcs8-private.pem')).publicKey();
  const validator = new taap.PopTokenValidator();
  const warmUp = Math.max(Math.floor(n / 10), 1);
  const start = rssKib();
  const started = process.hrtime.bigint();
  for (let index = 0; index < warmUp; index++) iteration(index, key, other, validator);
  const warm = rssKib();
  for (let index = warmUp; index < n; index++) iteration(index, key, other, validator);
  const end = rssKib();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const growth = end - warm;
  console.log(JSON.stringify({
    language: 'node',
    n,
    gc_between_readings: typeof global.gc === 'function',
    rss_start_kib: start,
    rss_after_warm_up_kib: warm,
    rss_end_kib: end,
    growth_after_warm_up_kib: growth,
    seconds: Math.round(seconds * 10) / 10,
    builds_per_second: Math.round(n / seconds),
  }));
  if (growth > maxGrowthMib * 1024) {
    console.error(`rss-soak: RSS grew ${growth} KiB after warm-up (limit ${maxGrowthMib} MiB)`);
    process.exitCode = 1;
  }
}

main();
