// Streamed responses (issue 17): a `call` body that is an async iterable (async generator, Node
// Readable) or a ReadableStream leaves as chunked transfer, one flush per chunk; with the app's
// Content-Length (enforced), or close-delimited to HTTP/1.0 clients; gzip flushed per chunk;
// backpressure from a client that does not read; a client that leaves stops the source; a source
// that throws cuts the message short; HEAD; keep-alive after a stream; stop()'s drain.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { RawConn, parseResponses, preview } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import { deferred, pollUntil, pollUntilSteady, runCurl, skipWithout } from '../helpers/tools.js';
import { captureLog } from '../helpers/log-capture.js';
import { startServer } from '../../src/index.js';
import type { Response, RookRequest } from '../../src/index.js';

const MiB = 1024 * 1024;
const sse = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' };

async function rawGet(port: number, request: string): Promise<RawConn> {
  const c = await RawConn.connect(port);
  await c.write(request);
  return c;
}

test('an async generator leaves as chunked transfer, each chunk when it is produced', async () => {
  const gates = [deferred(), deferred(), deferred()];
  let finished = false;
  const app = (): Response => ({
    status: 200,
    headers: sse,
    body: (async function* () {
      for (let i = 0; i < 3; i++) {
        yield `data: event ${i}\n\n`;
        await gates[i].promise;
      }
      yield new TextEncoder().encode('data: bytes\n\n');
      finished = true;
    })(),
  });
  await withServer(app, async ({ port }) => {
    const c = await rawGet(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    try {
      for (let i = 0; i < 3; i++) {
        // Event i arrives while the generator still waits for gate i: nothing is held back.
        await c.waitFor((d) => d.includes(`data: event ${i}\n\n`), 5000, `event ${i}`);
        assert.equal(finished, false);
        gates[i].resolve();
      }
      await c.waitFor((d) => d.includes('0\r\n\r\n'), 5000, 'the last chunk');
      const [r] = parseResponses(c.data).responses;
      assert.equal(r.status, 200);
      assert.equal(r.chunked, true);
      assert.equal(r.get('content-length'), undefined);
      assert.equal(r.get('content-type'), 'text/event-stream');
      assert.equal(r.body.toString(), 'data: event 0\n\ndata: event 1\n\ndata: event 2\n\ndata: bytes\n\n');
      assert.equal(finished, true);
    } finally {
      c.destroy();
    }
  }, { gzip: false });
});

test('fetch reads a streamed body: generator, Node Readable, ReadableStream, empty chunks skipped', async () => {
  const bodies: Record<string, () => Response['body']> = {
    '/gen': () => (async function* () { yield 'a'; yield ''; yield Buffer.from('b'); yield new Uint16Array([0x6463]); })(),
    '/readable': () => Readable.from(['r1', Buffer.from('r2'), 'r3']),
    '/web': () => new ReadableStream<Uint8Array | string>({
      start(ctl) { ctl.enqueue('w1'); ctl.enqueue(new TextEncoder().encode('w2')); ctl.close(); },
    }),
    '/empty': () => (async function* () { /* nothing */ })(),
  };
  const app = (req: RookRequest): Response => ({ status: 200, body: bodies[req.PATH_INFO]() });
  await withServer(app, async ({ url }) => {
    const got: Record<string, string> = {};
    for (const p of Object.keys(bodies)) {
      const r = await fetch(url + p);
      assert.equal(r.headers.get('transfer-encoding'), 'chunked', p);
      got[p] = await r.text();
    }
    assert.deepEqual(got, { '/gen': 'abcd', '/readable': 'r1r2r3', '/web': 'w1w2', '/empty': '' });
  });
});

test('curl reads chunked SSE and a gzipped stream', async (t) => {
  if (skipWithout(t, 'curl')) return;
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(40);
  const app = (req: RookRequest): Response => ({
    status: 200,
    headers: req.PATH_INFO === '/sse' ? sse : { 'Content-Type': 'text/plain' },
    body: (async function* () { for (let i = 0; i < 20; i++) yield req.PATH_INFO === '/sse' ? `id: ${i}\ndata: ${i}\n\n` : text; })(),
  });
  await withServer(app, async ({ url }) => {
    const a = await runCurl(['-sS', '-N', '--fail', `${url}/sse`]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout.toString(), Array.from({ length: 20 }, (_, i) => `id: ${i}\ndata: ${i}\n\n`).join(''));
    const b = await runCurl(['-sS', '--compressed', '-D', '-', '--fail', `${url}/text`]);
    assert.equal(b.code, 0, b.stderr);
    const out = b.stdout.toString();
    assert.match(out, /content-encoding: gzip/i);
    assert.match(out, /transfer-encoding: chunked/i);
    assert.ok(out.endsWith(text.repeat(20)), 'decompressed body');
  });
});

test('gzip on a stream: each chunk decodes as it arrives (a sync flush per chunk)', async () => {
  const gate = deferred();
  const app = (): Response => ({
    status: 200, headers: sse,
    body: (async function* () { yield 'data: first\n\n'; await gate.promise; yield 'data: second\n\n'; })(),
  });
  await withServer(app, async ({ port }) => {
    const c = await rawGet(port, 'GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n');
    try {
      const inflater = zlib.createGunzip();
      let plain = '';
      inflater.on('data', (d: Buffer) => { plain += d.toString(); });
      let fed = 0;
      const feed = (): void => {
        // Feed the chunk payloads received so far (headers and chunk framing stripped).
        const at = c.data.indexOf('\r\n\r\n');
        if (at < 0) return;
        const body = c.data.subarray(at + 4);
        const chunks: Buffer[] = [];
        let p = 0;
        for (;;) {
          const le = body.indexOf('\r\n', p);
          if (le < 0) break;
          const n = parseInt(body.subarray(p, le).toString(), 16);
          if (n === 0 || body.length < le + 2 + n + 2) break;
          chunks.push(body.subarray(le + 2, le + 2 + n));
          p = le + 4 + n;
        }
        const all = Buffer.concat(chunks);
        if (all.length > fed) {
          inflater.write(all.subarray(fed));
          fed = all.length;
        }
      };
      await pollUntil(() => { feed(); return plain.includes('data: first\n\n'); }, 5000, 'the first event, decompressed');
      assert.match(c.text, /Content-Encoding: gzip/);
      assert.match(c.text, /Vary: Accept-Encoding/);
      assert.equal(plain.includes('second'), false);
      gate.resolve();
      await c.waitFor((d) => d.includes('\r\n0\r\n\r\n'), 5000, 'the end');
      const [r] = parseResponses(c.data).responses;
      assert.equal(zlib.gunzipSync(r.body).toString(), 'data: first\n\ndata: second\n\n');
    } finally {
      c.destroy();
    }
  });
});

test('a client that goes away ends the iteration: return() on a generator, cancel() on a ReadableStream', async () => {
  let genStopped = false;
  let produced = 0;
  let cancelled: unknown = null;
  const app = (req: RookRequest): Response => {
    if (req.PATH_INFO === '/gen') {
      return {
        status: 200, headers: sse,
        body: (async function* () {
          try {
            for (;;) {
              yield `data: ${produced++}\n\n`;
              await new Promise((r) => setTimeout(r, 5));
            }
          } finally {
            genStopped = true;
          }
        })(),
      };
    }
    return {
      status: 200, headers: sse,
      body: new ReadableStream<string>({
        pull(ctl) {
          return new Promise((r) => setTimeout(() => { if (cancelled === null) ctl.enqueue('data: x\n\n'); r(); }, 5));
        },
        cancel(reason) { cancelled = reason ?? 'cancelled'; },
      }),
    };
  };
  await withServer(app, async ({ url }) => {
    const ac = new AbortController();
    const r = await fetch(`${url}/gen`, { signal: ac.signal });
    const reader = r.body!.getReader();
    await reader.read();
    ac.abort();
    await pollUntil(() => genStopped, 5000, 'the generator to be returned');
    const at = produced;
    await pollUntilSteady(() => produced, 100, 2000, 'the generator to stay stopped');
    assert.ok(produced <= at + 1, 'nothing produced after the client left');

    const ac2 = new AbortController();
    const r2 = await fetch(`${url}/web`, { signal: ac2.signal });
    await r2.body!.getReader().read();
    ac2.abort();
    await pollUntil(() => cancelled !== null, 5000, 'the ReadableStream to be cancelled');
  });
});

test('backpressure: a client that does not read stops the source; the server holds a bounded amount', async () => {
  let produced = 0;
  let stopped = false;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const app = (): Response => ({
    status: 200, headers: { 'Content-Type': 'application/octet-stream' },
    body: (async function* () {
      try {
        for (let i = 0; i < 4096; i++) { produced += chunk.length; yield chunk; }  // 256 MiB if nobody stopped it
      } finally {
        stopped = true;
      }
    })(),
  });
  await withServer(app, async ({ port, server }) => {
    const c = await RawConn.connect(port);
    c.socket.pause();  // read nothing
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const held = await pollUntilSteady(() => produced, 300, 10000, 'the source to stop being read');
    // The kernel's socket buffers (both ends) take some MiB; the server itself holds at most its
    // window and one queued write. Without backpressure the generator would run to 256 MiB.
    assert.ok(held < 24 * MiB, `produced ${held} bytes for a client that reads nothing`);
    assert.equal(stopped, false);
    // Reading resumes the source.
    let got = 0;
    c.socket.on('data', (d: Buffer) => { got += d.length; });
    c.socket.resume();
    await pollUntil(() => got > held + 4 * MiB, 10000, 'more of the stream once the client reads');
    assert.ok(produced > held);
    assert.ok(server.stats()!.bytesOut >= got);
    c.destroy();
    await pollUntil(() => stopped, 5000, 'the generator to be returned after the client left');
  });
});

test('a source that throws cuts the message short (no last chunk) and is logged', async () => {
  const log = captureLog('ERROR');
  try {
    const app = (req: RookRequest): Response => ({
      status: 200,
      headers: req.PATH_INFO === '/cl' ? { 'Content-Length': '100' } : {},
      body: (async function* () {
        yield 'partial';
        throw new Error('the database went away');
      })(),
    });
    await withServer(app, async ({ port, url }) => {
      for (const [path, version] of [['/', '1.1'], ['/cl', '1.1'], ['/', '1.0']]) {
        const c = await rawGet(port, `GET ${path} HTTP/${version}\r\nHost: x\r\n\r\n`);
        await c.waitFor((_d, closed) => closed, 5000, 'the connection to end');
        assert.match(c.text, /partial/);
        const body = c.text.slice(c.text.indexOf('\r\n\r\n') + 4);
        assert.equal(body.includes('0\r\n\r\n'), false, `no last chunk: ${preview(c.data)}`);
        c.destroy();
      }
      await assert.rejects(async () => { const r = await fetch(url); await r.text(); });
    });
    await pollUntil(() => log.lines('ERROR').some((l) => l.includes('the database went away')), 5000, 'the ERROR line');
    assert.ok(log.lines('ERROR').some((l) => /cut short/.test(l)));
  } finally {
    log.restore();
  }
});

test('a chunk that is not a string or bytes ends the stream, logged', async () => {
  const log = captureLog('ERROR');
  try {
    const app = (): Response => ({ status: 200, body: (async function* () { yield 'ok'; yield 42 as unknown as string; })() });
    await withServer(app, async ({ port }) => {
      const c = await rawGet(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await c.waitFor((_d, closed) => closed, 5000, 'the connection to end');
      assert.equal(c.text.slice(c.text.indexOf('\r\n\r\n') + 4).includes('0\r\n\r\n'), false);
      c.destroy();
    });
    assert.ok(log.lines('ERROR').some((l) => l.includes('must be a string or binary data')));
  } finally {
    log.restore();
  }
});

test('HTTP/1.0: close-delimited (no Transfer-Encoding, no Content-Length), then the connection closes', async () => {
  const app = (): Response => ({ status: 200, body: (async function* () { yield 'one '; yield 'two'; })() });
  await withServer(app, async ({ port }) => {
    const c = await rawGet(port, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await c.waitFor((_d, closed) => closed, 5000, 'the close');
    const head = c.text.slice(0, c.text.indexOf('\r\n\r\n'));
    assert.match(head, /^HTTP\/1\.1 200 OK/);
    assert.doesNotMatch(head, /transfer-encoding|content-length/i);
    assert.match(head, /Connection: close/);
    assert.equal(c.text.slice(c.text.indexOf('\r\n\r\n') + 4), 'one two');
    assert.equal(c.error, undefined);
    c.destroy();
  });
});

test("the app's Content-Length is used and enforced: exact keeps the connection, longer or shorter is cut short", async () => {
  const log = captureLog('ERROR');
  try {
    const app = (req: RookRequest): Response => {
      const parts = req.PATH_INFO === '/exact' ? ['12345', '67890'] : req.PATH_INFO === '/long' ? ['12345', '678901'] : ['123'];
      return { status: 200, headers: { 'Content-Length': '10' }, body: (async function* () { yield* parts; })() };
    };
    await withServer(app, async ({ port }) => {
      const c = await rawGet(port, 'GET /exact HTTP/1.1\r\nHost: x\r\n\r\nGET /exact HTTP/1.1\r\nHost: x\r\n\r\n');
      await c.waitFor((d) => parseResponses(d).responses.length === 2, 5000, 'two answers on one connection');
      for (const r of parseResponses(c.data).responses) {
        assert.equal(r.get('content-length'), '10');
        assert.equal(r.get('transfer-encoding'), undefined);
        assert.equal(r.body.toString(), '1234567890');
      }
      c.destroy();
      for (const p of ['/long', '/short']) {
        const d = await rawGet(port, `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`);
        await d.waitFor((_x, closed) => closed, 5000, `${p}: the connection to end`);
        const body = d.text.slice(d.text.indexOf('\r\n\r\n') + 4);
        assert.ok(body.length < 10, `${p}: ${JSON.stringify(body)} is short of the declared 10 bytes`);
        d.destroy();
      }
    });
    assert.ok(log.lines('ERROR').some((l) => /longer than its Content-Length/.test(l)));
    assert.ok(log.lines('ERROR').some((l) => /short of its Content-Length/.test(l)));
  } finally {
    log.restore();
  }
});

test('a streamed Content-Length that is not a number is a logged 500', async () => {
  const log = captureLog('ERROR');
  try {
    const app = (): Response => ({ status: 200, headers: { 'Content-Length': 'lots' }, body: (async function* () { yield 'x'; })() });
    await withServer(app, async ({ url }) => {
      const r = await fetch(url);
      assert.equal(r.status, 500);
      await r.text();
    });
  } finally {
    log.restore();
  }
});

test('HEAD and 204: the head alone, and the source is stopped', async () => {
  let returned = 0;
  const app = (req: RookRequest): Response => ({
    status: req.PATH_INFO === '/204' ? 204 : 200,
    body: (async function* () { try { yield 'never'; } finally { returned++; } })(),
  });
  await withServer(app, async ({ port }) => {
    const c = await rawGet(port, 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await c.waitFor((_d, closed) => closed, 5000, 'three answers');
    const rs = parseResponses(c.data, { head: [true, false, false] }).responses;
    assert.deepEqual(rs.map((r) => r.status), [200, 204, 204]);
    assert.equal(c.text.includes('never'), false);
    c.destroy();
  });
  // A generator that never started has nothing to clean up; return() on it still ends it.
  assert.ok(returned <= 3);
});

test('keep-alive and pipelining after a streamed answer', async () => {
  const app = (req: RookRequest): Response => req.PATH_INFO === '/s'
    ? { status: 200, body: (async function* () { yield 'st'; yield 'ream'; })() }
    : { status: 200, body: 'plain' };
  await withServer(app, async ({ port }) => {
    const c = await rawGet(port, 'GET /s HTTP/1.1\r\nHost: x\r\n\r\nGET /p HTTP/1.1\r\nHost: x\r\n\r\nGET /s HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitFor((d) => parseResponses(d).responses.length === 3, 5000, 'three answers');
    assert.deepEqual(parseResponses(c.data).responses.map((r) => r.body.toString()), ['stream', 'plain', 'stream']);
    c.destroy();
  });
});

test("stop(): open streams go on during the grace period and are cut short at its end", async () => {
  let stopped = false;
  const server = startServer('127.0.0.1', 0, () => ({
    status: 200, headers: sse,
    body: (async function* () {
      try {
        for (let i = 0; ; i++) {
          yield `data: ${i}\n\n`;
          await new Promise((r) => setTimeout(r, 10));
        }
      } finally {
        stopped = true;
      }
    })(),
  }));
  const c = await rawGet(server.getPort(), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await c.waitFor((d) => d.includes('data: 1\n\n'), 5000, 'the stream to run');
  const t0 = Date.now();
  const done = server.stop({ graceMs: 400 });
  const before = c.data.length;
  await c.waitFor((d) => d.length > before + 20, 5000, 'more events during the grace period');
  await done;
  assert.ok(Date.now() - t0 >= 350, 'the stream kept the server draining until the deadline');
  await c.waitFor((_d, closed) => closed, 5000, 'the connection to end');
  assert.equal(c.text.includes('\r\n0\r\n\r\n'), false, 'cut short, never ended as complete');
  await pollUntil(() => stopped, 5000, 'the generator to be returned');
  c.destroy();
});

finalNoServersTest();
