// Issue 14, class 3 ("unbounded queues toward slow readers"): a WebSocket client that sent pings
// and never read made the server queue pongs without limit. Fixed by counting every kind of
// queued output (pongs, close frames, the app's messages: corked frames plus libuv's write queue)
// against websocket.sendQueueLimit: past it the server stops reading from that peer (so no more
// pings get answered into the queue), and a peer that reads none of its output for sendTimeoutMs
// is closed (the app's onClose sees 1006).
//
// The server runs in a child process (test/fixtures/apps/backpressure.ts, mode ws-ping) whose RSS
// is read from /proc. Documented bound: its peak RSS stays within 64 MiB of what it was once the
// connection was open (the default sendQueueLimit is 16 MiB). On the old code the flood is
// stopped once the server has grown by 256 MiB, and the test fails.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { listServers, startServer } from '../../src/index.js';
import type { ServerOptions } from '../../src/index.js';
import { startFixture, stopFixture, type Child } from '../helpers/child.js';
import { HAS_PROC, MiB, readRss } from '../helpers/proc.js';
import { pace, pollUntil } from '../helpers/tools.js';
import { frame, OP, RawWs } from '../websocket/ws-helpers.js';

const BOUND = 64 * MiB;
// Under ASan/TSan (npm run test:asan / test:tsan) RSS says nothing about our queues (ASan keeps
// 256 MiB of freed memory in quarantine, plus shadow memory): the bounds are not asserted there,
// only the behaviour (nothing lost, in order, closed in time).
const MEASURE = !process.env.HTTPUV_SANITIZER;
const ABORT = (MEASURE ? 256 : 1024) * MiB;
const SLOW = process.env.HTTPUV_SANITIZER ? 4 : 1;

after(() => assert.deepEqual(listServers(), []));

function startChild(options: ServerOptions): Promise<{ child: Child; port: number }> {
  return startFixture('backpressure', ['ws-ping', '0', JSON.stringify(options)]);
}

const stopChild = stopFixture;

/** `n` masked pings with 125-byte payloads, as one buffer. */
function pings(n: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(frame(OP.PING, Buffer.alloc(125, i & 0xff)));
  return Buffer.concat(out);
}

interface FloodResult { growth: number; closedAfterMs: number; bytesWritten: number }

/**
 * Writes pings as fast as the socket takes them, never reading, until the server closes the
 * connection (or `maxMs` passes, or the server grew by ABORT).
 */
async function pingFlood(c: RawWs, pid: number, baseline: number, maxMs: number): Promise<FloodResult> {
  const chunk = pings(512);  // 67 KiB
  const t0 = Date.now();
  let growth = 0;
  let written = 0;
  while (!c.tcpClosed && !c.sock.destroyed && Date.now() - t0 < maxMs) {
    if (c.sock.writableLength < 4 * MiB) {
      c.sock.write(chunk);
      written += chunk.length;
    } else {
      await pace(10);  // the server stopped reading: sample RSS and the close every 10 ms until its verdict
    }
    const r = readRss(pid);
    if (r) {
      growth = Math.max(growth, r.peak - baseline);
      if (growth > ABORT) break;
    }
    await new Promise((r) => setImmediate(r));
  }
  return { growth, closedAfterMs: c.tcpClosed || c.sock.destroyed ? Date.now() - t0 : -1, bytesWritten: written };
}

async function runNonReader(t: test.TestContext, options: ServerOptions): Promise<void> {
  if (!HAS_PROC) { t.skip('needs /proc to read the server\'s RSS'); return; }
  const { child, port } = await startChild(options);
  let c: RawWs | undefined;
  try {
    c = await RawWs.open(port);
    c.sock.pause();  // never reads again
    const baseline = readRss(child.proc.pid!)!.rss;
    const r = await pingFlood(c, child.proc.pid!, baseline, 20000 * SLOW);
    t.diagnostic(`wrote ${(r.bytesWritten / MiB).toFixed(1)} MiB of pings; server peak RSS ` +
      `+${(r.growth / MiB).toFixed(1)} MiB; closed after ${r.closedAfterMs} ms`);
    if (MEASURE) assert.ok(r.growth < BOUND, `server RSS grew by ${(r.growth / MiB).toFixed(1)} MiB (bound ${BOUND / MiB} MiB)`);
    assert.ok(r.closedAfterMs >= 0, 'the server never closed a peer that reads nothing');
    // The app learns of it as an abnormal closure.
    const m = await child.waitLine(/^CLOSE (\d+)/, 10000);
    assert.equal(Number(m[1]), 1006);
  } finally {
    c?.sock.destroy();
    await stopChild(child);
  }
}

test('a non-reading ping flooder stays bounded and is closed after sendTimeoutMs (default sendQueueLimit)', async (t) => {
  await runNonReader(t, { sendTimeoutMs: 1000 });
});

test('a non-reading ping flooder with a small sendQueueLimit (64 KiB) stays bounded and is closed', async (t) => {
  await runNonReader(t, { sendTimeoutMs: 1000, websocket: { sendQueueLimit: 64 * 1024 } });
});

test('a ping flooder that reads its pongs is answered in full and not closed', async () => {
  let closedWith = 0;
  const server = startServer('127.0.0.1', 0, {
    onWSOpen(ws) { ws.onClose((code) => { closedWith = code ?? -1; }); },
  }, { sendTimeoutMs: 500, websocket: { sendQueueLimit: 64 * 1024 } });
  let c: RawWs | undefined;
  try {
    c = await RawWs.open(server.getPort());
    const chunk = pings(512);
    let sent = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < 2000 * SLOW && sent < 40 * 512) {
      if (c.sock.writableLength < MiB) {
        c.sock.write(chunk);
        sent += 512;
      }
      await pace(1);  // the peer's sending rhythm (the input): a ping batch per ms, for a timed window
    }
    const pongs = (): number => c!.events.filter((e) => e.op === OP.PONG).length;
    assert.ok(await c.until(() => pongs() >= sent, 20000 * SLOW), `${pongs()} pongs for ${sent} pings`);
    assert.equal(pongs(), sent);
    assert.ok(c.events.filter((e) => e.op === OP.PONG).every((e, i) => e.data[0] === ((i % 512) & 0xff)),
      'pongs out of order');
    assert.equal(c.tcpClosed, false, 'a reading peer was closed');
    assert.equal(closedWith, 0);
  } finally {
    c?.sock.destroy();
    await server.stop();
  }
});

test('an app sending to a non-reading peer: send() refuses past sendQueueLimit and the peer is closed after sendTimeoutMs', async () => {
  let refused = false;
  let sentBytes = 0;
  let closedWith = 0;
  const chunk = Buffer.alloc(64 * 1024, 1);
  const server = startServer('127.0.0.1', 0, {
    onWSOpen(ws) {
      ws.onClose((code) => { closedWith = code ?? -1; });
      const pump = (): void => {
        if (!ws.isOpen()) return;
        for (let i = 0; i < 16; i++) {
          if (!ws.send(chunk)) { refused = true; break; }
          sentBytes += chunk.length;
        }
        if (!refused) setTimeout(pump, 1);
      };
      pump();
    },
  }, { sendTimeoutMs: 800, websocket: { sendQueueLimit: 4 * MiB } });
  let c: RawWs | undefined;
  try {
    c = await RawWs.open(server.getPort());
    c.sock.pause();
    await pollUntil(() => closedWith !== 0, 20000 * SLOW, 'the server to close the non-reading peer');
    assert.equal(refused, true, 'send() never refused');
    assert.ok(sentBytes < 64 * MiB, `sent ${sentBytes} bytes into a peer that reads nothing`);
    assert.equal(closedWith, 1006);
  } finally {
    c?.sock.destroy();
    await server.stop();
  }
});
