// Slow readers: clients ask for
// large responses and never read them, or pipeline thousands of requests without reading. The
// server's memory must stay bounded (TCP backpressure, no unbounded output queue) and other
// clients must keep getting answers. A reader that stalls for sendTimeoutMs is closed (nginx's
// send_timeout); one that reads slowly but steadily is not.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, listServers } from '../../src/index.js';
import { probe, timedGet, watch, type Watched } from './hostile-util.js';
import { pollUntil, pollUntilSteady, underEmulation } from '../helpers/tools.js';

const MiB = 1024 * 1024;
// Under ASan/TSan (npm run test:asan / test:tsan) RSS includes the sanitizers' shadow memory and
// quarantine, so the memory bounds are only logged there.
const SAN = Boolean(process.env.HTTPUV_SANITIZER);
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-slow-reader-'));
fs.writeFileSync(path.join(TMP, 'big.bin'), Buffer.alloc(16 * MiB, 7));
fs.writeFileSync(path.join(TMP, 'huge.bin'), Buffer.alloc(64 * MiB, 8));

after(() => {
  fs.rmSync(TMP, { recursive: true, force: true });
  assert.deepEqual(listServers(), []);
});

const rss = (): number => process.memoryUsage().rss;
// Each stalled-reader test holds its readers until the server has read every request and a
// normal client has been answered PROBES more times meanwhile (about a second at one probe per
// 100 ms): RSS is read then, and the probe latencies are the "others served" figure.
const PROBES = 10;

test('50 clients that stop reading a 16 MiB static file: RSS bounded, others served',
  { skip: underEmulation('a probe GET behind 50 stalled 16 MiB static downloads times out under Wine (not root-caused)') }, async () => {
  const server = startServer('127.0.0.1', 0, { call: () => ({ status: 200, body: 'ok' }), staticPaths: { '/files': TMP } });
  const conns: Watched[] = [];
  try {
    const port = server.getPort();
    await timedGet(port);  // the server is up and has answered once: the RSS baseline
    const before = rss();
    const p = probe(port, 100);
    for (let i = 0; i < 50; i++) {
      const c = await watch(port);
      c.socket.pause(); // never read: the kernel buffers fill, then the server must stop writing
      c.socket.write('GET /files/big.bin HTTP/1.1\r\nHost: a\r\n\r\n');
      conns.push(c);
    }
    await pollUntil(() => (server.stats()?.requestsStatic ?? 0) >= 50, 10_000, 'the server to read all 50 requests');
    const probed = p.answered();
    await pollUntil(() => p.answered() >= probed + PROBES, 20_000, `${PROBES} probe answers while the readers stall`);
    const grown = (rss() - before) / MiB;
    const latency = await p.stop();
    const open = conns.filter((c) => c.closedAt === null).length;
    console.log(`slow reader (static 16 MiB x 50): RSS +${grown.toFixed(1)} MiB; ${open}/50 still open; ` +
      `probe: ${latency.n} requests, max ${latency.max} ms; bytesOut ${server.stats()?.bytesOut}`);
    if (!SAN) assert.ok(grown < 32, `RSS grew ${grown.toFixed(1)} MiB`);
    assert.deepEqual(latency.failures, []);
    assert.ok(latency.max < (SAN ? 5000 : 1000), `a normal request took ${latency.max} ms`);
  } finally {
    for (const c of conns) c.socket.destroy();
    await server.stop();
  }
});

test('20 clients that stop reading a 4 MiB dynamic body: memory stays near one copy per response', async () => {
  const body = Buffer.alloc(4 * MiB, 1);
  let bigAnswered = 0;
  const server = startServer('127.0.0.1', 0, (req) => {
    if (req.PATH_INFO !== '/big') return { status: 200, body: 'ok' };
    bigAnswered++;
    return { status: 200, body };
  });
  const conns: Watched[] = [];
  try {
    const port = server.getPort();
    await timedGet(port);  // the server is up and has answered once: the RSS baseline
    const before = rss();
    const p = probe(port, 100);
    for (let i = 0; i < 20; i++) {
      const c = await watch(port);
      c.socket.pause();
      c.socket.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\n');
      conns.push(c);
    }
    await pollUntil(() => bigAnswered >= 20, 10_000, 'the app to answer all 20 requests');
    const probed = p.answered();
    await pollUntil(() => p.answered() >= probed + PROBES, 20_000, `${PROBES} probe answers while the readers stall`);
    const grown = (rss() - before) / MiB;
    const latency = await p.stop();
    console.log(`slow reader (dynamic 4 MiB x 20): RSS +${grown.toFixed(1)} MiB (one copy each = 80 MiB); ` +
      `probe: ${latency.n} requests, max ${latency.max} ms`);
    if (!SAN) assert.ok(grown < 20 * 4 * 2 + 32, `RSS grew ${grown.toFixed(1)} MiB`);
    assert.deepEqual(latency.failures, []);
  } finally {
    for (const c of conns) c.socket.destroy();
    await server.stop();
  }
});

test('pipeline flood: 20,000 pipelined requests never read; the server stops reading, RSS bounded', async () => {
  let calls = 0;
  const reply = Buffer.alloc(64 * 1024, 2);
  const server = startServer('127.0.0.1', 0, () => { calls++; return { status: 200, body: reply }; });
  let c: Watched | undefined;
  try {
    const port = server.getPort();
    await timedGet(port);  // the server is up and has answered once: the RSS baseline
    const before = rss();
    c = await watch(port);
    c.socket.pause();
    const one = 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n';
    const chunk = one.repeat(1000);
    let flushed = 0;
    for (let i = 0; i < 20; i++) {
      if (c.socket.write(chunk)) flushed++;
    }
    // The server stops reading the flood (read backpressure: its answers are not being read).
    await pollUntil(() => (server.stats()?.readsPaused ?? 0) >= 1, 10_000, 'the server to stop reading the flood');
    // ... and stays stopped: no more bytes read, no more app calls for half a second (a server
    // that went on reading and answering would only settle after all 20,000).
    await pollUntilSteady(() => [server.stats()?.bytesIn, calls], 500, 20_000, 'the flood connection to go quiet');
    const grown = (rss() - before) / MiB;
    const stats = server.stats();
    console.log(`pipeline flood: app calls ${calls}/20000 once quiet, RSS +${grown.toFixed(1)} MiB, ` +
      `bytesIn ${stats?.bytesIn}, bytesOut ${stats?.bytesOut}`);
    assert.ok(calls < 20000, 'every request was answered into a client that never reads');
    if (!SAN) assert.ok(grown < 48, `RSS grew ${grown.toFixed(1)} MiB`);
    const w = c;
    w.socket.destroy();
    await pollUntil(() => (server.stats()?.connectionsOpen ?? 1) === 0, 5000, 'the flood connection to be freed');
  } finally {
    c?.socket.destroy();
    await server.stop();
  }
});

test('sendTimeoutMs: stalled readers are closed once no byte is read for that long; steady slow readers are not', async () => {
  // Each stalled response must outgrow what the kernel can buffer for a paused reader (the
  // send buffer, up to tcp_wmem's 4 MiB, plus the receive buffer, tcp_rmem up to 32 MiB on
  // Debian): a response the kernel swallows whole is finished as far as the server can tell,
  // and its connection is then an idle keep-alive one (keepAliveTimeoutMs), not a stalled reader.
  // Robust to a busy machine: every wait is a deadline on a condition, the
  // counts use connectionsTotal (which never goes down, so a stalled reader closed before the
  // last one is accepted cannot make the wait miss its moment), and the steady reader takes a
  // little every 100 ms, so timer delays of several hundred ms in this process still leave it
  // reading within every 2 s send timeout.
  const SEND_TIMEOUT = 2000;
  const body = Buffer.alloc(40 * MiB, 1);
  const server = startServer('127.0.0.1', 0, {
    call: (req) => (req.PATH_INFO === '/big' ? { status: 200, body } : { status: 200, body: 'ok' }),
    staticPaths: { '/files': TMP },
  }, { sendTimeoutMs: SEND_TIMEOUT });
  const stalled: Watched[] = [];
  let steady: Watched | undefined;
  let pump: NodeJS.Timeout | undefined;
  try {
    const port = server.getPort();
    // The steady reader takes about 512 KiB every 100 ms (~5 MiB/s): always some progress within a
    // send timeout, yet still mid-file (64 MiB) when checked after three timeouts (~6.5 s).
    steady = await watch(port);
    const s = steady.socket;
    s.pause();
    s.write('GET /files/huge.bin HTTP/1.1\r\nHost: a\r\n\r\n');
    let got = 0;
    let quota = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
      quota -= d.length;
      if (quota <= 0) s.pause();
    });
    pump = setInterval(() => { quota = 512 * 1024; s.resume(); }, 100);
    const steadyFrom = Date.now();
    const stalledFrom = Date.now();
    for (let i = 0; i < 10; i++) {
      const c = await watch(port);
      c.socket.pause();
      c.socket.write(`GET ${i % 2 ? '/big' : '/files/huge.bin'} HTTP/1.1\r\nHost: a\r\n\r\n`);
      stalled.push(c);
    }
    // A paused client never sees the FIN, so the server's own count tells when they are gone.
    await pollUntil(() => (server.stats()?.connectionsTotal ?? 0) >= 11, 10000, 'all 11 connections to be accepted');
    let earliest = Infinity;
    await pollUntil(() => {
      const st = server.stats();
      const open = st?.connectionsOpen ?? 0;
      if (open < 11 && earliest === Infinity) earliest = Date.now() - stalledFrom;
      return open <= 1;
    }, SAN ? 30000 : 15000, 'stalled readers to be closed');
    const reaped = Date.now() - stalledFrom;
    console.log(`send timeout ${SEND_TIMEOUT} ms: first stalled reader closed after ${earliest} ms, all after ${reaped} ms; ` +
      `steady reader has read ${(got / MiB).toFixed(1)} MiB`);
    // No stalled reader is closed before it has been stalled for a whole timeout (its timer starts
    // once its response is queued, after stalledFrom).
    assert.ok(earliest >= SEND_TIMEOUT - 100, `a stalled reader was closed after ${earliest} ms`);
    // Past three timeouts, the steady reader is still served.
    await pollUntil(() => Date.now() - steadyFrom > 3 * SEND_TIMEOUT + 500, 20000, 'three send timeouts to pass');
    console.log(`steady reader after ${Date.now() - steadyFrom} ms: ${(got / MiB).toFixed(1)} MiB, closed: ${steady.closedAt !== null}`);
    assert.equal(steady.closedAt, null, 'a slow but steady reader was closed');
    assert.equal(server.stats()?.connectionsOpen, 1);
    assert.ok(got > 0 && got < 64 * MiB, `the steady reader read ${got} bytes: not mid-response`);
    const r = await timedGet(port);
    assert.equal(r.status, 200);
  } finally {
    if (pump) clearInterval(pump);
    for (const c of stalled) c.socket.destroy();
    steady?.socket.destroy();
    await server.stop();
  }
});
