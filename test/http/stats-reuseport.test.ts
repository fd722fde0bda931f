// server.stats() counters and the reusePort option: counters move with real traffic
// (static vs JS requests, bytes, connections, WebSockets), and two processes bound with
// reusePort both answer on one port.
import assert from 'node:assert/strict';
import test from 'node:test';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { startServer } from '../../src/index.js';
import { finalNoServersTest } from '../helpers/server.js';
import { waitMs } from '../helpers/emulation.js';
import { pollUntil } from '../helpers/tools.js';

test('stats() counts connections, requests (static vs JS), bytes and WebSockets', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-stats-'));
  fs.writeFileSync(path.join(dir, 'a.txt'), 'static file\n');
  const server = startServer('127.0.0.1', 0, {
    staticPaths: { '/static': dir },
    call: () => ({ status: 200, body: 'dynamic' }),
    onWSOpen(ws) { ws.onMessage((_b, m) => ws.send(m)); },
  });
  try {
    const base = `http://127.0.0.1:${server.getPort()}`;
    const before = server.stats();
    assert.ok(before !== null);
    assert.equal(before.requestsTotal, 0);
    for (let i = 0; i < 3; i++) assert.equal(await (await fetch(`${base}/static/a.txt`)).text(), 'static file\n');
    for (let i = 0; i < 2; i++) assert.equal(await (await fetch(`${base}/x`)).text(), 'dynamic');
    const s = server.stats()!;
    assert.equal(s.requestsStatic, 3);
    assert.equal(s.requestsJs, 2);
    assert.equal(s.requestsTotal, 5);
    assert.ok(s.connectionsTotal >= 1);
    assert.ok(s.bytesIn > 100, `bytesIn ${s.bytesIn}`);
    assert.ok(s.bytesOut > 5 * 100, `bytesOut ${s.bytesOut}`);
    assert.equal(s.commandQueueDepth, 0);

    const ws = new WebSocket(`ws://127.0.0.1:${server.getPort()}/`);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    await pollUntil(() => server.stats()!.websocketsOpen === 1, 2000, 'websocket counted');
    assert.equal(server.stats()!.websocketsTotal, 1);
    ws.close();
    await pollUntil(() => server.stats()!.websocketsOpen === 0, 2000, 'websocket closed');
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(server.stats(), null, 'stats() is null once closed');
});

const CHILD = `
const h = require(process.argv[1]);
const s = h.startServer('127.0.0.1', Number(process.argv[2]), () => ({ status: 200, body: String(process.pid) }), { reusePort: true });
console.log('READY ' + s.getPort());
process.on('SIGTERM', () => s.stop().then(() => process.exit(0)));
`;

function startChild(port: number): Promise<{ pid: number; kill: () => Promise<void> }> {
  const entry = path.resolve(__dirname, '../../src/index.js');
  const child = spawn(process.execPath, ['-e', CHILD, entry, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    // A deadline for the child's start (seconds of JIT under emulation: waitMs).
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('child not ready')); }, waitMs(10000));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve({
          pid: child.pid!,
          kill: () => new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
        });
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`child exited ${code}`)); });
  });
}

test('reusePort on Windows is a RangeError naming the option and the platform', {
  skip: process.platform === 'win32' ? false : 'Windows only (no SO_REUSEPORT there)',
}, () => {
  assert.throws(() => startServer('127.0.0.1', 0, () => ({ status: 204 }), { reusePort: true }),
    (e: unknown) => e instanceof RangeError && /options\.reusePort is not supported on win32/.test(e.message) &&
      (e as NodeJS.ErrnoException).code === 'ERR_HTTPUV_UNSUPPORTED_ON_PLATFORM');
});

test('reusePort: two processes listen on one port and both answer', {
  skip: process.platform === 'win32' ? 'POSIX only: Windows has no SO_REUSEPORT (RangeError, tested above)' : false,
}, async () => {
  // Pick a free port by binding 0 in this process, with reusePort so the children can join it.
  const probe = startServer('127.0.0.1', 0, () => ({ status: 204 }), { reusePort: true });
  const port = probe.getPort();
  await probe.stop();
  const a = await startChild(port);
  const b = await startChild(port);
  try {
    const seen = new Set<string>();
    const deadline = Date.now() + waitMs(15000);
    while (seen.size < 2 && Date.now() < deadline) {
      // New connection each time: the kernel spreads connections across the listeners.
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: 'close' } });
      seen.add(await res.text());
    }
    assert.deepEqual([...seen].sort(), [String(a.pid), String(b.pid)].sort());
  } finally {
    await Promise.all([a.kill(), b.kill()]);
  }
});

test('without reusePort a second bind fails with EADDRINUSE', async () => {
  const first = startServer('127.0.0.1', 0, () => ({ status: 204 }));
  try {
    assert.throws(() => startServer('127.0.0.1', first.getPort(), () => ({ status: 204 }), { quiet: true }),
      (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
  } finally {
    await first.stop();
  }
});

finalNoServersTest();
