'use strict';
// A throwaway redis-server on a free loopback port (its own directory, no persistence) for the
// suites that need one; they skip when it is not installed.

const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const hasRedis = childProcess.spawnSync('redis-server', ['--version']).status === 0;

/** Fails the calling test (never skips it) when redis-server is missing. */
function requireRedis() {
  if (!hasRedis) throw new Error('redis-server is not installed: run `bash scripts/setup.sh` (or apt-get install redis-server)');
}

/** A throwaway redis-server on a free loopback port, no persistence. */
class Redis {
  async start() {
    this.port ??= await freePort();
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'taap-redis-'));
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    this.child = childProcess.spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      assert.ok(Date.now() < deadline, 'redis-server did not start in 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  get url() {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async stop() {
    if (!this.child) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }
}

function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(() => resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

module.exports = { Redis, requireRedis };
