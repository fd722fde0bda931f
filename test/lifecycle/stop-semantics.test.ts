// stop(): resolves when the listener and connections are closed, port rebindable, idempotent,
// listServers updated, open connections closed. The
// drain itself (grace period, in-flight requests, WebSockets) is in stop-drain.test.ts.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import test from 'node:test';
import { listServers, startServer, stopAllServers, stopServer } from '../../src/index.js';
import type { Response } from '../../src/index.js';
import { RawConn, get, httpRequest } from '../helpers/clients.js';
import { finalNoServersTest } from '../helpers/server.js';
import { deferred, pollUntil, withTimeout } from '../helpers/tools.js';

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('stop() resolves; afterwards the port can be bound again', async () => {
  const s = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'x' }));
  const port = s.getPort();
  assert.ok(port > 0);
  assert.equal(await bindable(port), false, 'port is taken while running');
  await httpRequest(port);
  await withTimeout(s.stop(), 3000, 'stop resolves');
  assert.equal(s.isRunning(), false);
  assert.equal(await bindable(port), true, 'port free right after stop resolves');
  const again = startServer('127.0.0.1', port, () => ({ status: 200, body: 'again' }));
  try {
    assert.equal((await httpRequest(port)).text, 'again');
  } finally {
    await again.stop();
  }
});

test('stop() twice, concurrently and after, is harmless; stopServer works too', async () => {
  const s = startServer('127.0.0.1', 0, () => ({ status: 200 }));
  await withTimeout(Promise.all([s.stop(), s.stop(), stopServer(s)]), 3000, 'concurrent stops');
  await withTimeout(s.stop(), 3000, 'stop after stop');
  await withTimeout(stopServer(s), 3000, 'stopServer after stop');
  assert.equal(listServers().length, 0);
});

test('listServers follows starts and stops in start order', async () => {
  const a = startServer('127.0.0.1', 0, () => ({ status: 200 }));
  const b = startServer('127.0.0.1', 0, () => ({ status: 200 }));
  const c = startServer('127.0.0.1', 0, () => ({ status: 200 }));
  try {
    assert.deepEqual(listServers(), [a, b, c]);
    const p = b.stop();
    assert.deepEqual(listServers(), [a, c], 'removed as soon as stop() is called');
    await p;
    await stopAllServers();
    assert.deepEqual(listServers(), []);
    assert.ok(!a.isRunning() && !b.isRunning() && !c.isRunning());
  } finally {
    await stopAllServers();
  }
});

test('open keep-alive connections are closed by stop, and stop waits for them', async () => {
  const s = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'ka' }));
  const conns = await Promise.all(Array.from({ length: 20 }, () => RawConn.connect(s.getPort())));
  try {
    await Promise.all(conns.map((c) => c.write(get('/'))));
    await Promise.all(conns.map((c) => c.responses(1)));
    const idle = await RawConn.connect(s.getPort()); // connected, nothing sent
    conns.push(idle);
    await withTimeout(s.stop(), 3000, 'stop resolves');
    for (const c of conns) assert.ok(await c.waitClose(2000), 'connection closed by stop');
  } finally {
    for (const c of conns) c.destroy();
  }
});

test('stop({ graceMs: 0 }) while a request is in flight: stop resolves, the client is not left hanging', async () => {
  // The default stop() waits up to 5 s for this request (test/lifecycle/stop-drain); graceMs 0
  // is the immediate stop, as stop() was before it drained.
  const never = deferred<Response>();
  const called = deferred();
  const s = startServer('127.0.0.1', 0, () => { called.resolve(); return never.promise; });
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write(get('/pending'));
    await withTimeout(called.promise, 3000, 'call reached');
    await withTimeout(s.stop({ graceMs: 0 }), 3000, 'stop resolves with a pending call');
    assert.ok(await conn.waitClose(2000), 'client connection closed');
    never.resolve({ status: 200, body: 'late' }); // a late answer is dropped without trouble
  } finally {
    conn.destroy();
  }
});

test('stop() inside call: the response may or may not arrive, stop resolves, nothing hangs', async () => {
  const stopped = deferred();
  let stopPromise: Promise<void> | undefined;
  const s = startServer('127.0.0.1', 0, () => {
    stopPromise = s.stop();
    stopped.resolve();
    return { status: 200, body: 'inside' };
  });
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write(get('/'));
    await withTimeout(stopped.promise, 3000, 'call ran');
    assert.ok(stopPromise);
    await withTimeout(stopPromise, 3000, 'stop from inside call resolves');
    assert.ok(await conn.waitClose(2000));
    assert.equal(listServers().length, 0);
  } finally {
    conn.destroy();
  }
});

test('100 start/stop cycles on port 0', async () => {
  for (let i = 0; i < 100; i++) {
    const s = startServer('127.0.0.1', 0, () => ({ status: 200 }));
    await s.stop();
  }
  assert.equal(listServers().length, 0);
});

test('stop() resolves even when a client stopped reading a 10 MiB response', async () => {
  // The response being written is a request in progress, so stop() lets it go on for the grace
  // period (5 s by default, longer than this test waits): a short one ends it.
  const big = Buffer.alloc(10 * 1024 * 1024, 120);
  const s = startServer('127.0.0.1', 0, () => ({ status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: big }));
  const conn = await RawConn.connect(s.getPort());
  try {
    conn.socket.pause(); // never read: the server's socket buffer fills up
    await conn.write(get('/big'));
    await pollUntil(() => (s.stats()?.bytesOut ?? 0) > 0, 3000, 'the response started');
    await withTimeout(s.stop({ graceMs: 300 }), 5000, 'stop resolves with a stalled writer');
    assert.equal(listServers().length, 0);
  } finally {
    conn.destroy();
  }
});

test('a client that disconnects before its pending response: the late answer is dropped, serving goes on', async () => {
  const pending = deferred<Response>();
  const called = deferred();
  const s = startServer('127.0.0.1', 0, (req) => {
    if (req.PATH_INFO === '/wait') { called.resolve(); return pending.promise; }
    return { status: 200, body: 'still here' };
  });
  try {
    const conn = await RawConn.connect(s.getPort());
    await conn.write(get('/wait'));
    await withTimeout(called.promise, 3000, 'call reached');
    conn.destroy();
    await new Promise((r) => setImmediate(r));
    pending.resolve({ status: 200, body: 'late' });
    assert.equal((await httpRequest(s.getPort())).text, 'still here');
  } finally {
    await s.stop();
  }
});

test('stopServer from inside a call while 100 requests are in flight: none hangs (8.9 #76)', async () => {
  let calls = 0;
  let stopping: Promise<void> | undefined;
  const s = startServer('127.0.0.1', 0, () => {
    calls++;
    if (calls === 10) stopping = stopServer(s);
    return { status: 200, body: 'x' };
  });
  const conns = await Promise.all(Array.from({ length: 100 }, () => RawConn.connect(s.getPort())));
  try {
    await Promise.all(conns.map((c, i) => c.write(get(`/${i}`)).catch(() => undefined)));
    await Promise.all(conns.map(async (c, i) => {
      await c.waitFor((d, closed) => closed || finalResponsesSafe(d) >= 1, 5000, `connection ${i} answered or closed`);
    }));
    assert.ok(stopping, 'the 10th call stopped the server');
    await withTimeout(stopping, 3000, 'stop resolves');
    for (const c of conns) assert.ok(await c.waitClose(3000), 'every connection closed after stop');
    assert.equal(listServers().length, 0);
  } finally {
    for (const c of conns) c.destroy();
    await s.stop();
  }
});

function finalResponsesSafe(d: Buffer): number {
  return d.includes('HTTP/1.1 ') ? 1 : 0;
}

finalNoServersTest();
