// Slowloris: many connections trickle their header
// section one byte at a time, others connect and send nothing. With headersTimeoutMs 1000 every
// one of them must be closed by the server within the timeout plus slack, while a well-behaved
// client keeps getting quick answers. Real server on 127.0.0.1 port 0, raw sockets only.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, listServers } from '../../src/index.js';
import { loopLag, probe, watch, type Watched } from './hostile-util.js';
import { emulatedCount, scaled } from '../helpers/emulation.js';
import { pollUntil } from '../helpers/tools.js';

// Under emulation (qemu) the times are scaled() together, and 100 connections trickle instead of
// 1,000 (the emulated client cannot drive 10,000 one-byte writes a second; the count is load).
const TIMEOUT_MS = scaled(1000);
const SLOWLORIS = emulatedCount(1000, 100);
// Sanitizer builds (npm run test:asan / test:tsan run this folder too) are several times slower.
// Lifetimes are seen from the client side, so each bound also adds how late this process's event
// loop ran meanwhile (loopLag): on a loaded machine the 'close' event itself can come late.
const SLACK_MS = process.env.HTTPUV_SANITIZER ? 6000 : scaled(1500);

after(() => assert.deepEqual(listServers(), []));

test(`${SLOWLORIS.toLocaleString('en-US')} slowloris connections (a byte at a time) are reaped by headersTimeoutMs while others are served`, async () => {
  const server = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'ok' }),
    { headersTimeoutMs: TIMEOUT_MS, requestTimeoutMs: scaled(10_000) });
  const timers: NodeJS.Timeout[] = [];
  const conns: Watched[] = [];
  try {
    const port = server.getPort();
    const lag = loopLag();
    const p = probe(port, 100);
    for (let i = 0; i < SLOWLORIS; i++) conns.push(await watch(port));
    const line = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\nX-Slowloris: ' + 'a'.repeat(200), 'latin1');
    for (const c of conns) {
      let i = 0;
      const t = setInterval(() => {
        if (c.closedAt !== null || c.socket.destroyed) return clearInterval(t);
        c.socket.write(line.subarray(i, i + 1));
        i = (i + 1) % line.length;
      }, scaled(100));
      timers.push(t);
    }
    // Without the headers timeout the trickle would keep them until requestTimeoutMs (10 s).
    await pollUntil(() => conns.every((c) => c.closedAt !== null), 8000,
      'every slowloris connection to be closed');
    const lifetimes = conns.map((c) => (c.closedAt as number) - c.openedAt);
    const worst = Math.max(...lifetimes);
    const got408 = conns.filter((c) => c.received.toString('latin1').startsWith('HTTP/1.1 408')).length;
    const latency = await p.stop();
    const lagMs = lag.stop();
    console.log(`slowloris: ${SLOWLORIS} conns, longest lifetime ${worst} ms, ${got408} got 408; ` +
      `probe: ${latency.n} requests, max ${latency.max} ms, ${latency.failures.length} failures; ` +
      `test event loop ran up to ${lagMs} ms late`);
    assert.ok(worst <= TIMEOUT_MS + SLACK_MS + lagMs, `a slow connection lived ${worst} ms (loop lag ${lagMs} ms)`);
    assert.deepEqual(latency.failures, []);
    assert.ok(latency.n >= 5, 'the probe ran');
    assert.ok(latency.max < (process.env.HTTPUV_SANITIZER ? 5000 : scaled(1000)) + lagMs,
      `a normal request took ${latency.max} ms (loop lag ${lagMs} ms)`);
    await pollUntil(() => (server.stats()?.connectionsOpen ?? 0) === 0, 2000, 'connectionsOpen to reach 0');
  } finally {
    for (const t of timers) clearInterval(t);
    for (const c of conns) c.socket.destroy();
    await server.stop();
  }
});

test('100 connections that never send a byte are closed by headersTimeoutMs', async () => {
  const server = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'ok' }),
    { headersTimeoutMs: TIMEOUT_MS });
  const conns: Watched[] = [];
  try {
    const port = server.getPort();
    const lag = loopLag();
    for (let i = 0; i < 100; i++) conns.push(await watch(port));
    await pollUntil(() => conns.every((c) => c.closedAt !== null), 8000,
      'every idle connection to be closed');
    const worst = Math.max(...conns.map((c) => (c.closedAt as number) - c.openedAt));
    const lagMs = lag.stop();
    console.log(`idle-before-request: 100 conns, longest lifetime ${worst} ms (loop lag ${lagMs} ms)`);
    assert.ok(worst <= TIMEOUT_MS + SLACK_MS + lagMs, `an idle connection lived ${worst} ms (loop lag ${lagMs} ms)`);
  } finally {
    for (const c of conns) c.socket.destroy();
    await server.stop();
  }
});

test('a keep-alive connection that goes idle after a response is closed by keepAliveTimeoutMs', async () => {
  const server = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'ok' }),
    { headersTimeoutMs: scaled(5000), keepAliveTimeoutMs: scaled(500) });
  let c: Watched | undefined;
  try {
    const lag = loopLag();
    c = await watch(server.getPort());
    c.socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const w = c;
    await pollUntil(() => w.received.includes('\r\n\r\nok'), 2000, 'the response');
    const answeredAt = Date.now();
    await pollUntil(() => w.closedAt !== null, 3000 + SLACK_MS, 'the idle keep-alive connection to be closed');
    const idle = (w.closedAt as number) - answeredAt;
    const lagMs = lag.stop();
    console.log(`keep-alive idle close after ${idle} ms (loop lag ${lagMs} ms)`);
    assert.ok(idle <= scaled(500) + SLACK_MS + lagMs, `closed after ${idle} ms (loop lag ${lagMs} ms)`);
  } finally {
    c?.socket.destroy();
    await server.stop();
  }
});
