// Issue 14, class 3, for HTTP: many pipelined requests whose responses the client never reads
// must not make the server queue responses (or requests for JS) without bound. By construction
// an HTTP connection has at most one request in JS and one response in flight (the parser waits
// for the answer to leave), unparsed input stops being read past 256 KiB, and the request's bytes
// are charged to websocket.receiveQueueLimit like WebSocket messages. A client that reads none of
// the answers is closed after sendTimeoutMs.
//
// The server runs in a child process (test/fixtures/apps/backpressure.ts, mode http) whose RSS is
// read from /proc. Documented bound: within 64 MiB of its RSS before the flood.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { listServers } from '../../src/index.js';
import type { ServerOptions } from '../../src/index.js';
import { startFixture, stopFixture, type Child } from '../helpers/child.js';
import { HAS_PROC, MiB, readRss } from '../helpers/proc.js';
import { pace } from '../helpers/tools.js';

const BOUND = 64 * MiB;
// Under ASan/TSan (npm run test:asan / test:tsan) RSS says nothing about our queues (ASan keeps
// 256 MiB of freed memory in quarantine, plus shadow memory): the bounds are not asserted there,
// only the behaviour (nothing lost, in order, closed in time).
const MEASURE = !process.env.HTTPUV_SANITIZER;
const ABORT = (MEASURE ? 256 : 1024) * MiB;
const SLOW = process.env.HTTPUV_SANITIZER ? 4 : 1;

after(() => assert.deepEqual(listServers(), []));

function startChild(options: ServerOptions, responseSize: number): Promise<{ child: Child; port: number }> {
  return startFixture('backpressure', ['http', String(responseSize), JSON.stringify(options)]);
}

const stopChild = stopFixture;

/**
 * Connects, never reads, and writes `requests` (chunks of pipelined requests) as fast as the
 * socket takes them; returns the server's RSS growth and when the server closed the connection.
 */
async function pipelineFlood(child: Child, port: number, requests: Buffer[], maxMs: number):
  Promise<{ growth: number; closedAfterMs: number; written: number }> {
  const pid = child.proc.pid!;
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  // A paused socket never sees the server's FIN: the server reports its open connections.
  await child.waitLine(/^OPEN 1$/, 10000);
  const seen = child.lines.length;
  let closed = false;
  const closedYet = (): boolean => closed ||= sock.destroyed || child.lines.slice(seen).includes('OPEN 0');
  sock.pause();  // never reads
  const baseline = readRss(pid)!.rss;
  const t0 = Date.now();
  let growth = 0;
  let i = 0;
  let written = 0;
  try {
    while (!closedYet() && Date.now() - t0 < maxMs) {
      if (i < requests.length && sock.writableLength < 4 * MiB) {
        sock.write(requests[i]);
        written += requests[i].length;
        i++;
      } else {
        await pace(10);  // the flood's sampling interval while the server holds it back (a timed window)
      }
      const r = readRss(pid);
      if (r) {
        growth = Math.max(growth, r.peak - baseline);
        if (growth > ABORT) break;
      }
      await new Promise((r) => setImmediate(r));
    }
    return { growth, closedAfterMs: closed ? Date.now() - t0 : -1, written };
  } finally {
    sock.destroy();
  }
}

function chunks(n: number, one: string | Buffer, perChunk: number): Buffer[] {
  const b = typeof one === 'string' ? Buffer.from(one, 'latin1') : one;
  const out: Buffer[] = [];
  for (let i = 0; i < n; i += perChunk) out.push(Buffer.concat(Array(Math.min(perChunk, n - i)).fill(b)));
  return out;
}

async function runCase(t: test.TestContext, requests: Buffer[], options: ServerOptions,
  responseSize = 1024): Promise<void> {
  if (!HAS_PROC) { t.skip('needs /proc to read the server\'s RSS'); return; }
  const { child, port } = await startChild(options, responseSize);
  try {
    const r = await pipelineFlood(child, port, requests, 30000 * SLOW);
    t.diagnostic(`wrote ${(r.written / MiB).toFixed(1)} MiB of requests; server peak RSS ` +
      `+${(r.growth / MiB).toFixed(1)} MiB; closed after ${r.closedAfterMs} ms`);
    if (MEASURE) assert.ok(r.growth < BOUND, `server RSS grew by ${(r.growth / MiB).toFixed(1)} MiB (bound ${BOUND / MiB} MiB)`);
    assert.ok(r.closedAfterMs >= 0, 'a client that reads no response was never closed');
  } finally {
    await stopChild(child);
  }
}

test('20,000 pipelined GETs from a client that never reads: RSS bounded, closed after sendTimeoutMs', async (t) => {
  await runCase(t, chunks(20000, 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n', 1000), { sendTimeoutMs: 1000 });
});

test('20,000 pipelined POSTs with 1 KiB bodies from a client that never reads: RSS bounded, closed', async (t) => {
  const body = 'b'.repeat(1024);
  await runCase(t, chunks(20000, `POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1024\r\n\r\n${body}`, 200),
    { sendTimeoutMs: 1000 });
});

test('20,000 pipelined chunked POSTs answered with 64 KiB each, never read: RSS bounded, closed', async (t) => {
  const req = 'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';
  await runCase(t, chunks(20000, req, 1000), { sendTimeoutMs: 1000, gzip: false }, 64 * 1024);
});
