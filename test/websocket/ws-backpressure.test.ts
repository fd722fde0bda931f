// Memory bound: a client that completes the handshake and never reads
// while the app sends 200 MiB in 64 KiB messages. send() returns false past sendQueueLimit
// (src/websocket.ts), so the server's RSS stays bounded. Measured in a child process.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { listServers } from '../../src/index.js';
import { RawWs } from './ws-helpers.js';

after(() => assert.deepEqual(listServers(), []));

test('a peer that never reads cannot grow server memory past the send-queue bound', { timeout: 60000 }, async () => {
  const limit = 4 * 1024 * 1024;
  const child = spawn(process.execPath, [path.join(__dirname, 'backpressure-child.js'), String(200 * 1024 * 1024), String(limit)],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Record<string, number | string>[] = [];
  let waiters: (() => void)[] = [];
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    let i;
    while ((i = out.indexOf('\n')) >= 0) { lines.push(JSON.parse(out.slice(0, i))); out = out.slice(i + 1); waiters.forEach((w) => w()); }
  });
  const waitFor = (ev: string, ms: number) => new Promise<Record<string, number | string>>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${ev} within ${ms} ms: ${JSON.stringify(lines)}`)), ms);
    const check = () => { const l = lines.find((x) => x.event === ev); if (l) { clearTimeout(t); waiters = waiters.filter((w) => w !== check); resolve(l); } };
    waiters.push(check);
    check();
  });
  try {
    const ready = await waitFor('ready', 10000);
    const c = await RawWs.open(Number(ready.port));
    c.sock.pause();  // never read: the kernel buffers fill, then the server's queue
    const done = await waitFor('done', 45000);
    const grew = Number(done.maxRss) - Number(ready.rss);
    assert.ok(Number(done.refused) > 0, 'send() reported backpressure');
    assert.ok(Number(done.sent) < 64 * 1024 * 1024, `accepted ${done.sent} bytes`);
    assert.ok(Number(done.bufferedAmount) <= limit, `bufferedAmount ${done.bufferedAmount}`);
    assert.ok(grew < 64 * 1024 * 1024, `RSS grew by ${(grew / 1048576).toFixed(1)} MiB`);
    c.destroy();
    await waitFor('close', 10000);
  } finally {
    child.stdin!.end();
    await new Promise((r) => { if (child.exitCode !== null) r(null); else child.once('exit', r); });
  }
});
