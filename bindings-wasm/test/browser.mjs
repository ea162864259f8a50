// A static file server on 127.0.0.1 and Debian's Chromium under playwright-core, shared by
// the browser test, the benchmark and the README screenshot.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Serves `mounts` (URL prefix -> directory, e.g. `{ '/': 'web' }`) on a free 127.0.0.1 port.
 * Returns `{ origin, close() }`.
 */
export async function serve(mounts) {
  const table = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix, path.resolve(dir)])
    .sort(([a], [b]) => b.length - a.length);
  const server = http.createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
    const mount = table.find(([prefix]) => pathname.startsWith(prefix));
    let file = mount && path.join(mount[1], pathname.slice(mount[0].length));
    if (file && pathname.endsWith('/')) file = path.join(file, 'index.html');
    // path.join normalises `..`, so a file outside its mount's directory was asked for by one.
    if (!file || !file.startsWith(mount[1]) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium in a fresh profile, with the background services that would talk to the
 * network switched off. Returns the browser context; `close()` also removes the profile.
 */
export async function launch(options = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package or set CHROMIUM`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'taap-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    ...options,
  });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return context;
}
