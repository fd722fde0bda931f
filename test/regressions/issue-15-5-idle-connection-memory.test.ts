// Issue 15, acceptance 5 (no bench scenario worse than before the layers work): S5, the memory of
// idle connections, had regressed. An idle keep-alive HTTP connection went from 1.85 KiB of
// server RSS (a88d222, one `Connection` of 1,168 bytes) to 2.77 KiB, and the baseline before any
// connection grew by 6.5 MiB:
// - the split into SocketTransport (688 bytes) + Http1Handler (688) carried a per-connection copy
//   of llhttp's callback table (200 bytes), the access log's two strings, the streamed response's
//   counters, the corked-output vectors and padding: malloc per idle connection 1.49 KiB (was
//   1.27);
// - fetch-request.ts and fetch-response.ts read `globalThis.Request` / `Response` at import,
//   which makes Node load undici (2 MiB of JS heap, 2 MiB beside it, ~10 MiB RSS) for every
//   server, app.fetch or not; the survivors of that load then pushed V8's young generation over
//   its growth threshold during S5's 5,000 requests (+4 MiB, +0.8 KiB per connection).
// Fixed by construction: one shared callback table, the rarely used state behind pointers made on
// first use, members ordered by width, undici read on first use only.
//
// What this file holds to (not timing, and not RSS, which the machine's load and V8's collector
// move by more than the regression): the byte sizes of the objects an idle connection holds, and
// the malloc bytes a server process gains per idle connection (glibc's count of bytes in use,
// read by the addon's test-only `debug_memory()`, in a child process that holds nothing else), and
// that a server without app.fetch never loads undici.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import { listServers } from '../../src/index.js';
import { loadBinding, type DebugMemory } from '../../src/native.js';
import { startFixture, stopFixture, type Child } from '../helpers/child.js';
import { pollUntil, withTimeout } from '../helpers/tools.js';
import { frame, OP } from '../websocket/ws-helpers.js';

after(() => assert.deepEqual(listServers(), []));

// The byte sizes these structures have on 64-bit Linux (libuv's handles differ elsewhere).
const SIZES_KNOWN = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');
// An idle HTTP connection holds a SocketTransport and an Http1Handler (992 bytes after the fix;
// a88d222's one Connection: 1,168; before the fix 1,376). A WebSocket: the transport and a
// WsSession (1,072 bytes).
const HTTP_OBJECTS_MAX = 1024;
const WS_OBJECTS_MAX = 1120;
// malloc bytes per idle connection, measured over many connections: the two objects, the receive
// budget, the server's set entry and malloc's own headers (about 1,100 bytes for HTTP after the
// fix; 1,300 at a88d222; 1,525 before the fix). A WebSocket adds its session, its write counter
// and its corked-output buffers (about 1,500).
const HTTP_MALLOC_MAX = 1200;
const WS_MALLOC_MAX = 1700;
// Under ASan/TSan (npm run test:asan / test:tsan) malloc is the sanitizer's: its count says
// nothing about ours.
const MALLOC_MEASURED = !process.env.HTTPUV_SANITIZER;

interface Report extends DebugMemory { open: number; undici: boolean }

/** One GET on a fresh connection (closed after): the fixture's /debug-memory report. */
function report(port: number): Promise<Report> {
  return withTimeout(new Promise<Report>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('connect', () => s.write('GET /debug-memory HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      try { resolve(JSON.parse(body) as Report); } catch (e) { reject(new Error(`bad report: ${text}`)); }
    });
  }), 10000, 'the /debug-memory report');
}

/** The median of three reports' malloc bytes (a report's own connection is open in each). */
async function mallocInUse(port: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) xs.push((await report(port)).mallocInUse);
  return xs.sort((a, b) => a - b)[1];
}

/**
 * Opens one connection and leaves it idle after one exchange: a GET answered in full (HTTP), or
 * a WebSocket handshake and one 64-byte message echoed back (ws).
 */
function openIdle(port: number, mode: 'http' | 'ws'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let acc = Buffer.alloc(0);
    let upgraded = false;
    s.on('connect', () => {
      if (mode === 'http') {
        s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      } else {
        s.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      }
    });
    s.on('data', (d: Buffer) => {
      acc = Buffer.concat([acc, d]);
      if (!upgraded) {
        const end = acc.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = acc.subarray(0, end).toString('latin1');
        if (mode === 'http') {
          if (acc.length - end - 4 >= 13) { s.removeAllListeners('data'); resolve(s); }
          return;
        }
        if (!head.startsWith('HTTP/1.1 101')) { reject(new Error(`no upgrade: ${head}`)); return; }
        upgraded = true;
        acc = acc.subarray(end + 4);
        s.write(frame(OP.TEXT, 'x'.repeat(64)));
      }
      if (acc.length >= 2 + 64) { s.removeAllListeners('data'); resolve(s); }
    });
    s.on('error', reject);
  });
}

async function openMany(port: number, mode: 'http' | 'ws', n: number, into: net.Socket[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      into.push(await openIdle(port, mode));
    }
  };
  await withTimeout(Promise.all(Array.from({ length: 25 }, worker)), 60000, `${n} idle ${mode} connections`);
}

function startChild(mode: 'http' | 'ws'): Promise<{ child: Child; port: number }> {
  return startFixture('idle-memory', [mode]);
}

const stopChild = stopFixture;

/** malloc bytes the server gains per idle connection, over `n` connections after `warm`. */
async function perConnection(mode: 'http' | 'ws', warm: number, n: number):
  Promise<{ perConn: number; before: Report; after: Report }> {
  const { child, port } = await startChild(mode);
  const socks: net.Socket[] = [];
  try {
    await openMany(port, mode, warm, socks);  // the allocator's and the JS side's first growth
    const before = await report(port);
    const m0 = await mallocInUse(port);
    await openMany(port, mode, n, socks);
    const after = await pollUntil(async () => {
      const r = await report(port);
      return r.open >= warm + n ? r : null;
    }, 10000, 'the server to count every connection');
    const m1 = await mallocInUse(port);
    return { perConn: (m1 - m0) / n, before, after };
  } finally {
    for (const s of socks) s.destroy();
    await stopChild(child);
  }
}

test('the objects an idle connection holds stay small (sizeof, 64-bit Linux)', { skip: !SIZES_KNOWN && 'sizes differ on this platform' }, () => {
  const m = loadBinding().debug_memory();
  const http = m.socketTransport + m.http1Handler;
  const ws = m.socketTransport + m.wsSession;
  const what = `SocketTransport ${m.socketTransport}, Http1Handler ${m.http1Handler}, WsSession ${m.wsSession} bytes`;
  assert.ok(http <= HTTP_OBJECTS_MAX, `an idle HTTP connection's objects: ${http} bytes > ${HTTP_OBJECTS_MAX} (${what}); ` +
    'keep state an idle connection does not use behind a pointer made when needed, and members ordered by width');
  assert.ok(ws <= WS_OBJECTS_MAX, `an idle WebSocket's objects: ${ws} bytes > ${WS_OBJECTS_MAX} (${what})`);
});

test('an idle keep-alive HTTP connection costs the server at most 1,200 bytes of malloc; no undici without app.fetch', async (t) => {
  const { perConn, before, after } = await perConnection('http', 100, 600);
  t.diagnostic(`malloc per idle HTTP connection: ${perConn.toFixed(0)} bytes (in use ${before.mallocInUse} → ${after.mallocInUse})`);
  assert.equal(before.undici, false, 'a server without app.fetch loaded undici (Request/Response globals read)');
  assert.equal(after.undici, false, 'serving requests without app.fetch loaded undici');
  if (before.mallocInUse < 0) { t.diagnostic('no glibc malloc counts here: the byte bound is not checked'); return; }
  if (!MALLOC_MEASURED) { t.diagnostic('sanitizer build: malloc is not ours, the byte bound is not checked'); return; }
  assert.ok(perConn > 0, `the count did not grow with 600 open connections (${perConn})`);
  assert.ok(perConn <= HTTP_MALLOC_MAX, `malloc per idle HTTP connection: ${perConn.toFixed(0)} bytes > ${HTTP_MALLOC_MAX}`);
});

test('an idle WebSocket costs the server at most 1,700 bytes of malloc', async (t) => {
  const { perConn, before, after } = await perConnection('ws', 50, 400);
  t.diagnostic(`malloc per idle WebSocket: ${perConn.toFixed(0)} bytes (in use ${before.mallocInUse} → ${after.mallocInUse})`);
  assert.equal(after.undici, false, 'a WebSocket server without app.fetch loaded undici');
  if (before.mallocInUse < 0 || !MALLOC_MEASURED) { t.diagnostic('malloc is not counted here: the byte bound is not checked'); return; }
  assert.ok(perConn > 0, `the count did not grow with 400 open WebSockets (${perConn})`);
  assert.ok(perConn <= WS_MALLOC_MAX, `malloc per idle WebSocket: ${perConn.toFixed(0)} bytes > ${WS_MALLOC_MAX}`);
});
