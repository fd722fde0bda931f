// The web-standard handler (issue 17): `app.fetch(request) → Response`. A real Request (absolute
// URL from Host and the target, method, headers, body, a signal that aborts when the client goes
// away) and a real Response (status, headers with repeated Set-Cookie, string, bytes and stream
// bodies), with and without node-httpuv's own global Response (option fetchGlobals); static paths,
// onHeaders and WebSockets beside it; app errors as logged 500s.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import test from 'node:test';
import WebSocket from 'ws';
import { RawConn, parseResponses } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import { deferred, pollUntil } from '../helpers/tools.js';
import { captureLog } from '../helpers/log-capture.js';
import { startServer, type App } from '../../src/index.js';

const OriginalResponse = globalThis.Response;

test('the Request: absolute URL from Host and the target, method, headers, body, instanceof Request', async () => {
  const seen: Record<string, unknown>[] = [];
  const app: App = {
    async fetch(req) {
      seen.push({
        isRequest: req instanceof Request, url: req.url, method: req.method,
        type: req.headers.get('content-type'), custom: req.headers.get('x-custom'),
        body: req.method === 'POST' ? await req.text() : null, hasSignal: req.signal instanceof AbortSignal,
      });
      return new Response('ok');
    },
  };
  await withServer(app, async ({ url, port }) => {
    await (await fetch(`${url}/a/b?x=1&y=%20`, { headers: { 'X-Custom': 'v' } })).text();
    await (await fetch(`${url}/post`, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'Content-Type': 'application/json' } })).text();
    const c = await RawConn.connect(port);
    await c.write('GET /old HTTP/1.0\r\n\r\n');
    await c.waitFor((_d, closed) => closed, 5000, 'the HTTP/1.0 answer');
    c.destroy();
    assert.deepEqual(seen[0], { isRequest: true, url: `${url}/a/b?x=1&y=%20`, method: 'GET', type: null, custom: 'v', body: null, hasSignal: true });
    assert.deepEqual(seen[1], { isRequest: true, url: `${url}/post`, method: 'POST', type: 'application/json', custom: null, body: '{"a":1}', hasSignal: true });
    assert.equal(seen[2].url, `http://127.0.0.1:${port}/old`, 'no Host: the local address');
  });
});

test('request bodies: json(), arrayBuffer(), one read only, body stream, and a spilled body', async () => {
  const big = 'x'.repeat(300 * 1024);
  const app: App = {
    async fetch(req) {
      const p = new URL(req.url).pathname;
      if (p === '/json') {
        const j = await req.json();
        await assert.rejects(req.text(), TypeError);
        return Response.json({ j, used: req.bodyUsed });
      }
      if (p === '/ab') return new Response(String((await req.arrayBuffer()).byteLength));
      if (p === '/stream') {
        let n = 0;
        for await (const chunk of req.body!) n += (chunk as Uint8Array).byteLength;
        return new Response(String(n));
      }
      return new Response('?', { status: 404 });
    },
  };
  await withServer(app, async ({ url }) => {
    const j = await (await fetch(`${url}/json`, { method: 'POST', body: '{"k":[1,2]}' })).json();
    assert.deepEqual(j, { j: { k: [1, 2] }, used: true });
    assert.equal(await (await fetch(`${url}/ab`, { method: 'PUT', body: big })).text(), String(big.length));
    assert.equal(await (await fetch(`${url}/stream`, { method: 'POST', body: big })).text(), String(big.length));
  }, { bodySpillThreshold: 64 * 1024 });
});

for (const fetchGlobals of [true, false]) {
  test(`the Response (fetchGlobals ${fetchGlobals}): status, headers, Set-Cookie repeated, string/bytes/stream bodies`, async () => {
    const app: App = {
      fetch(req) {
        const p = new URL(req.url).pathname;
        if (p === '/cookies') {
          const h = new Headers({ 'Content-Type': 'text/plain' });
          h.append('Set-Cookie', 'a=1; Path=/');
          h.append('Set-Cookie', 'b=2; HttpOnly');
          return new Response('cookies', { status: 201, headers: h });
        }
        if (p === '/bytes') return new Response(new Uint8Array([1, 2, 3]), { headers: [['X-Kind', 'bytes']] });
        if (p === '/stream') {
          return new Response(new ReadableStream({
            start(ctl) { ctl.enqueue(new TextEncoder().encode('s1')); ctl.enqueue(new TextEncoder().encode('s2')); ctl.close(); },
          }), { headers: { 'Content-Type': 'text/plain' } });
        }
        if (p === '/json') return Response.json({ ok: true }, { status: 202 });
        if (p === '/empty') return new Response(null, { status: 204 });
        return new Response('plain text');
      },
    };
    await withServer(app, async ({ url }) => {
      assert.equal(globalThis.Response === OriginalResponse, !fetchGlobals);
      const c = await fetch(`${url}/cookies`);
      assert.equal(c.status, 201);
      assert.deepEqual(c.headers.getSetCookie(), ['a=1; Path=/', 'b=2; HttpOnly']);
      assert.equal(await c.text(), 'cookies');
      const b = await fetch(`${url}/bytes`);
      assert.equal(b.headers.get('x-kind'), 'bytes');
      // Whole bytes go out with their Content-Length on every runtime (Node 20 to 26), with
      // node-httpuv's Response or the runtime's own (read ahead, fetch.ts).
      assert.equal(b.headers.get('content-length'), '3');
      assert.deepEqual([...new Uint8Array(await b.arrayBuffer())], [1, 2, 3]);
      const s = await fetch(`${url}/stream`);
      assert.equal(s.headers.get('transfer-encoding'), 'chunked');
      assert.equal(await s.text(), 's1s2');
      const j = await fetch(`${url}/json`);
      assert.equal(j.status, 202);
      assert.match(j.headers.get('content-type') ?? '', /application\/json/);
      assert.deepEqual(await j.json(), { ok: true });
      const e = await fetch(`${url}/empty`);
      assert.equal(e.status, 204);
      const t = await fetch(`${url}/`);
      assert.equal(t.headers.get('content-type'), 'text/plain;charset=UTF-8');
      assert.equal(await t.text(), 'plain text');
    }, { fetchGlobals });
    assert.equal(globalThis.Response, OriginalResponse, 'the global Response is back after the last stop');
  });
}

for (const fetchGlobals of [true, false]) {
  test(`whole bodies go out with Content-Length on every runtime (fetchGlobals ${fetchGlobals}); a byte stream that waits streams at once`, async () => {
    const release = deferred();
    let pulls = 0;
    const app: App = {
      fetch(req) {
        const p = new URL(req.url).pathname;
        // The runtime's own Response: its body is a byte stream whose source is hidden (Node 24+).
        if (p === '/orig-text') return new OriginalResponse('hello');
        if (p === '/orig-bytes') return new OriginalResponse(new Uint8Array([1, 2, 3, 4]));
        if (p === '/orig-form') return new OriginalResponse(new URLSearchParams({ a: '1', b: 'x y' }));
        if (p === '/orig-json') return OriginalResponse.json({ ok: 1 });
        if (p === '/orig-large') return new OriginalResponse('z'.repeat(300_000));
        if (p === '/orig-empty') return new OriginalResponse('');
        // The global (node-httpuv's while fetchGlobals is on): ArrayBuffer, DataView, Blob, json.
        if (p === '/ab') return new Response(new Uint8Array([5, 6]).buffer);
        if (p === '/view') return new Response(new DataView(new Uint8Array([7, 8, 9]).buffer, 1));
        if (p === '/blob') return new Response(new Blob(['bl', 'ob'], { type: 'text/x-test' }));
        if (p === '/big-blob') return new Response(new Blob([new Uint8Array(3 * 1024 * 1024).fill(1)]));
        if (p === '/json') return Response.json([1, 2], { status: 201 });
        // A byte stream whose second chunk waits for the test: never held back by the read-ahead.
        if (p === '/waits') {
          return new OriginalResponse(new ReadableStream({
            type: 'bytes',
            async pull(ctl) {
              pulls++;
              if (pulls === 1) { ctl.enqueue(new TextEncoder().encode('first ')); return; }
              await release.promise;
              ctl.enqueue(new TextEncoder().encode('second'));
              ctl.close();
            },
          }));
        }
        return new Response('?', { status: 404 });
      },
    };
    await withServer(app, async ({ url, port }) => {
      const expectWhole = async (path: string, length: number, type?: string): Promise<ArrayBuffer> => {
        const r = await fetch(`${url}${path}`);
        assert.equal(r.status, path === '/json' ? 201 : 200, path);
        assert.equal(r.headers.get('transfer-encoding'), null, `${path}: not chunked`);
        assert.equal(r.headers.get('content-length'), String(length), path);
        if (type !== undefined) assert.equal(r.headers.get('content-type'), type, path);
        const b = await r.arrayBuffer();
        assert.equal(b.byteLength, length, path);
        return b;
      };
      assert.equal(new TextDecoder().decode(await expectWhole('/orig-text', 5, 'text/plain;charset=UTF-8')), 'hello');
      assert.deepEqual([...new Uint8Array(await expectWhole('/orig-bytes', 4))], [1, 2, 3, 4]);
      assert.equal(new TextDecoder().decode(await expectWhole('/orig-form', 9, 'application/x-www-form-urlencoded;charset=UTF-8')), 'a=1&b=x+y');
      assert.equal(new TextDecoder().decode(await expectWhole('/orig-json', 8, 'application/json')), '{"ok":1}');
      await expectWhole('/orig-large', 300_000);
      await expectWhole('/orig-empty', 0);
      assert.deepEqual([...new Uint8Array(await expectWhole('/ab', 2))], [5, 6]);
      assert.deepEqual([...new Uint8Array(await expectWhole('/view', 2))], [8, 9]);
      // (A Blob in the runtime's own Response is read asynchronously on Node 24+: it may stream.)
      if (fetchGlobals) assert.equal(new TextDecoder().decode(await expectWhole('/blob', 4, 'text/x-test')), 'blob');
      assert.equal(new TextDecoder().decode(await expectWhole('/json', 5, 'application/json')), '[1,2]');
      // HEAD of a runtime Response: the head alone, with the length.
      const h = await fetch(`${url}/orig-text`, { method: 'HEAD' });
      assert.equal(h.headers.get('content-length'), '5');
      if (fetchGlobals) {
        // A large Blob of node-httpuv's Response streams with its size as Content-Length.
        const r = await fetch(`${url}/big-blob`);
        assert.equal(r.headers.get('content-length'), String(3 * 1024 * 1024));
        assert.equal((await r.arrayBuffer()).byteLength, 3 * 1024 * 1024);
      }
      const c = await RawConn.connect(port);
      await c.write('GET /waits HTTP/1.1\r\nHost: x\r\n\r\n');
      await c.waitFor((d) => d.includes('first '), 10000, 'the first chunk before the stream ends');
      assert.match(c.text, /transfer-encoding: chunked/i);
      release.resolve();
      await c.waitFor((d) => d.includes('0\r\n\r\n'), 10000, 'the end of the stream');
      assert.equal(parseResponses(c.data).responses[0].body.toString(), 'first second');
      c.destroy();
    }, { fetchGlobals, gzip: false });
  });
}

test("node-httpuv's Response behaves as the original one", () => {
  const server = startServer('127.0.0.1', 0, { fetch: () => new Response('x') });
  try {
    const R = globalThis.Response;
    assert.notEqual(R, OriginalResponse);
    const r = new R('hello', { status: 201, headers: { 'X-A': '1' } });
    assert.ok(r instanceof R && r instanceof OriginalResponse);
    assert.ok(new OriginalResponse('y') instanceof R, 'responses made by fetch() count too');
    assert.equal(r.status, 201);
    assert.equal(r.ok, true);
    assert.equal(r.headers.get('content-type'), 'text/plain;charset=UTF-8');
    assert.equal(Object.prototype.toString.call(r), '[object Response]');
    assert.throws(() => new R('x', { status: 99 }), RangeError);
    assert.throws(() => new R('x', { status: 204 }), TypeError);
    class Sub extends R {}
    assert.ok(new Sub('s') instanceof Sub);
    assert.equal(new R('y') instanceof Sub, false);
    return r.text().then((t) => assert.equal(t, 'hello'));
  } finally {
    void server.stop();
  }
});

test('the signal aborts when the client goes away, before the answer and during a streamed one', async () => {
  let abortedBefore = false;
  const reached = deferred();
  let abortedDuring = false;
  let streamCancelled = false;
  const app: App = {
    fetch(req) {
      const p = new URL(req.url).pathname;
      if (p === '/slow') {
        reached.resolve();
        return new Promise<Response>((resolve) => {
          req.signal.addEventListener('abort', () => { abortedBefore = true; resolve(new Response('late')); });
        });
      }
      req.signal.addEventListener('abort', () => { abortedDuring = true; });
      return new Response(new ReadableStream({
        pull(ctl) { return new Promise((r) => setTimeout(() => { if (!streamCancelled) ctl.enqueue(new TextEncoder().encode('tick\n')); r(); }, 10)); },
        cancel() { streamCancelled = true; },
      }));
    },
  };
  await withServer(app, async ({ port, url }) => {
    const c = await RawConn.connect(port);
    await c.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await reached.promise;
    c.destroy();
    await pollUntil(() => abortedBefore, 5000, 'the signal to abort before the answer');
    const ac = new AbortController();
    const r = await fetch(`${url}/stream`, { signal: ac.signal });
    await r.body!.getReader().read();
    ac.abort();
    await pollUntil(() => abortedDuring && streamCancelled, 5000, 'the signal to abort and the stream to be cancelled').catch((e) => { throw new Error(`${e.message} (aborted ${abortedDuring}, cancelled ${streamCancelled})`); });
  });
});

test('static paths, onHeaders and WebSockets work beside fetch', async () => {
  const opened: string[] = [];
  const app: App = {
    fetch: (req) => new Response(`dynamic ${new URL(req.url).pathname}`),
    onHeaders(req) {
      if (req.PATH_INFO === '/early') return { status: 403, body: 'early' };
      return undefined;
    },
    onWSOpen(ws) {
      opened.push(ws.request.PATH_INFO);
      ws.onMessage((_binary, msg) => ws.send(`echo ${String(msg)}`));
    },
    staticPaths: { '/static': path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'www') },
  };
  await withServer(app, async ({ url, port }) => {
    const s = await fetch(`${url}/static/data.txt`);
    assert.equal(s.status, 200);
    assert.equal((await s.text()).length > 0, true);
    assert.equal(await (await fetch(`${url}/x`)).text(), 'dynamic /x');
    const e = await fetch(`${url}/early`);
    assert.equal(e.status, 403);
    assert.equal(await e.text(), 'early');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/sock`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hi'));
      ws.on('message', (d) => resolve(String(d)));
      ws.on('error', reject);
    });
    assert.equal(reply, 'echo hi');
    ws.close();
    await new Promise((r) => ws.on('close', r));
    assert.deepEqual(opened, ['/sock']);
  });
});

test('app errors: a throw, a rejection, a non-Response are logged 500s; call and fetch together are refused', async () => {
  const log = captureLog('ERROR');
  try {
    const app: App = {
      fetch(req) {
        const p = new URL(req.url).pathname;
        if (p === '/throw') throw new Error('sync boom');
        if (p === '/reject') return Promise.reject(new Error('async boom'));
        return { status: 200, body: 'not a Response' } as unknown as Response;
      },
    };
    await withServer(app, async ({ url }) => {
      for (const p of ['/throw', '/reject', '/other']) {
        const r = await fetch(url + p);
        assert.equal(r.status, 500, p);
        await r.text();
      }
    });
    const lines = log.lines('ERROR').join('\n');
    assert.match(lines, /sync boom/);
    assert.match(lines, /async boom/);
    assert.match(lines, /must return a Response/);
  } finally {
    log.restore();
  }
  assert.throws(() => startServer('127.0.0.1', 0, { call: () => ({ status: 200 }), fetch: () => new Response('') }),
    /alternatives/);
});

test('the Request from the event alone: repeated fields, Host or the local address, Accept-Encoding, HEAD, and each Host checked', async () => {
  const seen: { url: string; multi: string | null; host: string | null }[] = [];
  const app: App = {
    fetch(req) {
      seen.push({ url: req.url, multi: req.headers.get('x-multi'), host: req.headers.get('host') });
      const p = new URL(req.url).pathname;
      if (p === '/stream') return new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('s')); c.close(); } }));
      return new Response('t'.repeat(4000), { headers: { 'Content-Type': 'text/plain' } });
    },
  };
  await withServer(app, async ({ port }) => {
    const c = await RawConn.connect(port);
    await c.writeAll([
      'GET /a?q=1 HTTP/1.1\r\nHost: one.example\r\nX-Multi: a\r\nx-multi: b\r\naccept-ENCODING: gzip\r\n\r\n',
      'GET http://ignored.example/b HTTP/1.1\r\nHost: two.example:8080\r\n\r\n',
      'HEAD /stream HTTP/1.1\r\nHost: one.example\r\n\r\n',
      'GET /c HTTP/1.1\r\nHost: one.example:99999\r\n\r\n',
      'GET /d HTTP/1.0\r\n\r\n',
    ]);
    await c.waitFor((_d, closed) => closed, 10000, 'five answers, the connection closed after the HTTP/1.0 one');
    const rs = parseResponses(c.data, { head: [false, false, true, false, false] }).responses;
    assert.deepEqual(rs.map((r) => r.status), [200, 200, 200, 400, 200]);
    assert.equal(rs[0].get('content-encoding'), 'gzip', 'Accept-Encoding read from the event (any case)');
    assert.equal(rs[1].get('content-encoding'), undefined);
    assert.equal(rs[2].body.length, 0, 'HEAD of a streamed answer: the head alone (the next answer parses after it)');
    assert.deepEqual(seen.map((x) => x.url), ['http://one.example/a?q=1', 'http://two.example:8080/b',
      'http://one.example/stream', `http://127.0.0.1:${port}/d`]);
    assert.equal(seen[0].multi, 'a, b', 'repeated fields joined as fetch Headers join them');
    assert.equal(seen[0].host, 'one.example');
    c.destroy();
  });
});

test('an invalid Host makes no URL: 400', async () => {
  await withServer({ fetch: () => new Response('x') }, async ({ port }) => {
    const c = await RawConn.connect(port);
    await c.write('GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n');
    await c.waitFor((_d, closed) => closed, 5000, 'the answer');
    assert.equal(parseResponses(c.data).responses[0]?.status, 400);
    c.destroy();
  });
});

finalNoServersTest();
