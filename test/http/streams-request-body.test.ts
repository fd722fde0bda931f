// Streamed request bodies (issue 17): with app.fetch (request.body) or the streamRequestBodies
// option (rook.input.readAsync / for await), a chunked body or one over 64 KiB reaches the app
// once its headers are in and is read as it arrives; the connection is read only as fast as the
// app reads (backpressure to the socket); maxBodySize still answers 413 before the app reads;
// a client that leaves fails the reads; an answer before the body drops the rest and keeps the
// connection; a streamed answer can echo the body as it comes (full duplex).
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import test from 'node:test';
import { RawConn, parseResponses } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import { deferred, pollUntil } from '../helpers/tools.js';
import type { App, RookRequest } from '../../src/index.js';

const MiB = 1024 * 1024;

function chunked(data: Buffer, piece = 16 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += piece) {
    const c = data.subarray(i, i + piece);
    out.push(Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]));
  }
  out.push(Buffer.from('0\r\n\r\n'));
  return out;
}

test('app.fetch: a slow consumer of request.body holds the upload back (reads paused), then gets every byte', async () => {
  const upload = crypto.randomBytes(32 * MiB);
  const gate = deferred();
  let firstChunkAt = -1;
  let got = 0;
  const hash = crypto.createHash('sha256');
  const app: App = {
    async fetch(req) {
      const reader = req.body!.getReader();
      let first = true;
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        if (first) {
          first = false;
          firstChunkAt = got;
          await gate.promise;  // a consumer that stops reading for a while
        }
        got += r.value.byteLength;
        hash.update(r.value);
      }
      return new Response(`${got} ${hash.digest('hex')}`);
    },
  };
  await withServer(app, async ({ port, server }) => {
    const c = await RawConn.connect(port);
    c.socket.write(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${upload.length}\r\n\r\n`);
    let written = 0;
    let done = false;
    void (async () => {
      for (let i = 0; i < upload.length; i += 256 * 1024) {
        const piece = upload.subarray(i, i + 256 * 1024);
        if (!c.socket.write(piece)) await new Promise((r) => c.socket.once('drain', r));
        written += piece.length;
      }
      done = true;
    })();
    await pollUntil(() => firstChunkAt >= 0, 10000, 'the app to get the request before its body');
    await pollUntil(() => (server.stats()?.readsPaused ?? 0) > 0, 10000, 'the server to stop reading the upload');
    const stalledAt = written;
    assert.equal(done, false, 'the client could not send the whole body while the app read nothing');
    assert.ok(stalledAt < upload.length - 8 * MiB, `the client wrote ${stalledAt} of ${upload.length} bytes`);
    gate.resolve();
    await c.waitFor((d) => parseResponses(d).responses.length === 1, 30000, 'the answer');
    const [r] = parseResponses(c.data).responses;
    assert.equal(r.body.toString(), `${upload.length} ${crypto.createHash('sha256').update(upload).digest('hex')}`);
    c.destroy();
  });
});

test('call with streamRequestBodies: for await over rook.input; read() refuses while streaming; small bodies stay whole', async () => {
  const errors: string[] = [];
  const call = async (req: RookRequest) => {
    const input = req['rook.input'];
    if (req.PATH_INFO === '/small') return { status: 200, body: `small ${input.read().length}` };
    try { input.read(); } catch (e) { errors.push((e as { code?: string }).code ?? String(e)); }
    let n = 0;
    const hash = crypto.createHash('sha256');
    for await (const chunk of input) { n += chunk.length; hash.update(chunk); }
    return { status: 200, body: `${n} ${hash.digest('hex')}` };
  };
  await withServer(call, async ({ port, url }) => {
    const data = crypto.randomBytes(3 * MiB + 5);
    const c = await RawConn.connect(port);
    await c.writeAll([`PUT /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`, ...chunked(data)]);
    await c.waitFor((d) => parseResponses(d).responses.length === 1, 20000, 'the answer');
    assert.equal(parseResponses(c.data).responses[0].body.toString(), `${data.length} ${crypto.createHash('sha256').update(data).digest('hex')}`);
    c.destroy();
    assert.deepEqual(errors, ['ERR_HTTPUV_BODY_STREAMING']);
    const s = await fetch(`${url}/small`, { method: 'POST', body: 'x'.repeat(1000) });
    assert.equal(await s.text(), 'small 1000');
  }, { streamRequestBodies: true });
});

test('readAsync(n) reads as the bytes arrive; onHeaders continues into a streamed body', async () => {
  const seen: number[] = [];
  const app: App = {
    onHeaders: () => undefined,
    async call(req) {
      const input = req['rook.input'];
      for (;;) {
        const b = await input.readAsync(100_000);
        if (b.length === 0) break;
        assert.ok(b.length <= 100_000);
        seen.push(b.length);
      }
      return { status: 200, body: String(seen.reduce((a, b) => a + b, 0)) };
    },
  };
  await withServer(app, async ({ url }) => {
    const r = await fetch(`${url}/`, { method: 'POST', body: Buffer.alloc(MiB, 7) });
    assert.equal(await r.text(), String(MiB));
    assert.ok(seen.length >= 11);
  }, { streamRequestBodies: true });
});

test('maxBodySize: 413 before the app reads (Content-Length), and a chunked body that passes it fails the reads', async () => {
  let called = 0;
  let readError: unknown = null;
  const app: App = {
    async fetch(req) {
      called++;
      try {
        await req.arrayBuffer();
      } catch (e) {
        readError = e;
      }
      return new Response('read');
    },
  };
  await withServer(app, async ({ port }) => {
    const c = await RawConn.connect(port);
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n');
    await c.waitFor((d) => d.includes('\r\n\r\n'), 5000, 'the 413');
    assert.match(c.text, /^HTTP\/1\.1 413 /);
    c.destroy();
    assert.equal(called, 0);
    const d = await RawConn.connect(port);
    d.socket.on('error', () => {});
    await d.writeAll(['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', ...chunked(Buffer.alloc(150_000, 1)).slice(0, -1)]);
    await d.waitFor((x, closed) => x.includes('413') || closed, 5000, 'the 413 for the chunked body');
    assert.match(d.text, /413/);
    d.destroy();
    await pollUntil(() => readError !== null, 5000, "the app's read to fail");
    assert.equal(called, 1);
  }, { maxBodySize: 100_000 });
});

test('a client that leaves mid-upload fails the reads and aborts the signal', async () => {
  let aborted = false;
  let failed: unknown = null;
  const started = deferred();
  const app: App = {
    async fetch(req) {
      req.signal.addEventListener('abort', () => { aborted = true; });
      started.resolve();
      try {
        const reader = req.body!.getReader();
        for (;;) if ((await reader.read()).done) break;
      } catch (e) {
        failed = e;
      }
      return new Response('x');
    },
  };
  await withServer(app, async ({ port }) => {
    const c = await RawConn.connect(port);
    await c.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${4 * MiB}\r\n\r\n`);
    await c.write(Buffer.alloc(100_000));
    await started.promise;
    c.destroy();
    await pollUntil(() => failed !== null && aborted, 5000, 'the read to fail and the signal to abort');
  });
});

test('an answer before the body: the rest is dropped and the connection serves the next request', async () => {
  const app: App = { fetch: (req) => new Response(`early ${new URL(req.url).pathname}`) };
  await withServer(app, async ({ port }) => {
    const body = Buffer.alloc(300_000, 0x61);
    const c = await RawConn.connect(port);
    await c.writeAll([`POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`, body,
      'GET /b HTTP/1.1\r\nHost: x\r\n\r\n']);
    await c.waitFor((d) => parseResponses(d).responses.length === 2, 10000, 'two answers');
    assert.deepEqual(parseResponses(c.data).responses.map((r) => r.body.toString()), ['early /a', 'early /b']);
    c.destroy();
  });
});

test('full duplex: a streamed answer echoes the streamed body as it arrives', async () => {
  const app: App = { fetch: (req) => new Response(req.body, { headers: { 'Content-Type': 'application/octet-stream' } }) };
  await withServer(app, async ({ port }) => {
    const c = await RawConn.connect(port);
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    await c.write('5\r\nhello\r\n');
    // The echo of the first piece arrives before the client sends the rest.
    await c.waitFor((d) => d.includes('hello'), 5000, 'the first piece echoed');
    await c.write('6\r\n world\r\n0\r\n\r\n');
    await c.waitFor((d) => parseResponses(d).responses.length === 1, 5000, 'the whole echo');
    assert.equal(parseResponses(c.data).responses[0].body.toString(), 'hello world');
    c.destroy();
  });
});

// requestTimeoutMs bounds the time the client takes to send its request, as Node's http does; the
// time the reading waits for the app to consume a streamed body is the server's own doing and is
// not charged to the client. Both halves, one server: 1 s of request timeout.
test('requestTimeoutMs: a slow consumer gets no 408 for its client; a client that trickles its upload still does', async () => {
  const timeoutMs = 1000;
  const gates = new Map([['/slow', deferred()], ['/trickle', deferred()]]);
  const results = new Map<string, string>();
  const app: App = {
    async fetch(req) {
      const path = new URL(req.url).pathname;
      let got = 0;
      try {
        const reader = req.body!.getReader();
        let first = true;
        for (;;) {
          const r = await reader.read();
          if (r.done) break;
          got += r.value.byteLength;
          if (first) {
            first = false;
            await gates.get(path)!.promise;  // a consumer that stops reading for a while
          }
        }
        results.set(path, `read ${got}`);
      } catch (e) {
        results.set(path, `failed after ${got}: ${(e as Error).message}`);
      }
      return new Response(`${got}`);
    },
  };
  const burst = 4 * MiB;
  // Writes `bytes` as fast as the socket takes them (chunked pieces when `chunk`), resolves once
  // every byte was handed to the kernel.
  const sendAll = async (c: RawConn, bytes: number, chunk: boolean): Promise<void> => {
    const piece = Buffer.alloc(256 * 1024, 0x62);
    for (let sent = 0; sent < bytes && !c.closed; sent += piece.length) {
      const data = chunk ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
      if (!c.socket.write(data)) await new Promise((r) => c.socket.once('drain', r));
    }
  };
  await withServer(app, async ({ port, server }) => {
    // 1. A slow consumer: the client sends its whole body at once; the app reads nothing for
    // twice the request timeout, then everything. The answer is the app's 200, not a 408.
    const a = await RawConn.connect(port);
    a.socket.on('error', () => {});
    a.socket.write(`POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: ${burst}\r\n\r\n`);
    const sentA = sendAll(a, burst, false);
    await pollUntil(() => (server.stats()?.readsPaused ?? 0) > 0, 10000, 'the server to stop reading the upload');
    const pausedAt = Date.now();
    await pollUntil(() => Date.now() - pausedAt >= 2 * timeoutMs || a.data.length > 0, 10000, 'twice the request timeout');
    assert.equal(a.text, '', 'nothing was answered while the app read nothing (no 408)');
    gates.get('/slow')!.resolve();
    await sentA;
    await a.waitFor((d) => parseResponses(d).responses.length === 1, 20000, 'the answer');
    const [ra] = parseResponses(a.data).responses;
    assert.equal(ra.status, 200);
    assert.equal(ra.body.toString(), String(burst));
    assert.equal(results.get('/slow'), `read ${burst}`);
    a.destroy();

    // 2. The same pause, then a client that trickles the rest of its (chunked) upload: the pause
    // is not charged, the trickle is, so the 408 comes about a timeout after the app read again.
    const b = await RawConn.connect(port);
    b.socket.on('error', () => {});
    b.socket.write('POST /trickle HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const sentB = sendAll(b, burst, true);
    await pollUntil(() => (server.stats()?.readsPaused ?? 0) > 0, 10000, 'the server to stop reading the second upload');
    const pausedB = Date.now();
    await pollUntil(() => Date.now() - pausedB >= 2 * timeoutMs || b.data.length > 0, 10000, 'twice the request timeout');
    assert.equal(b.text, '', 'no 408 while the app read nothing');
    gates.get('/trickle')!.resolve();
    await sentB;
    const trickleFrom = Date.now();
    let pieces = 0;
    const trickle = setInterval(() => {
      if (b.closed || pieces++ > 200) { clearInterval(trickle); return; }
      b.socket.write('1\r\nc\r\n');
    }, 50);
    try {
      await b.waitFor((d, closed) => d.includes('\r\n\r\n') || closed, 15000, 'the 408');
    } finally {
      clearInterval(trickle);
    }
    const waited = Date.now() - trickleFrom;
    assert.match(b.text, /^HTTP\/1\.1 408 /, `the trickling client is cut off (got ${JSON.stringify(b.text.slice(0, 40))})`);
    assert.ok(waited < 10 * timeoutMs, `the 408 came ${waited} ms after the trickle began`);
    await pollUntil(() => results.has('/trickle'), 5000, "the app's read to end");
    assert.match(results.get('/trickle')!, /^failed after/);
    b.destroy();
  }, { requestTimeoutMs: timeoutMs, headersTimeoutMs: timeoutMs });
});

finalNoServersTest();
