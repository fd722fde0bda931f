// Issue 14, class 8: server.stop() dropped requests in the app's hands: a handler taking 1.5 s saw
// its client cut off and its answer thrown away silently. Now stop() drains: requests already
// received are answered (with Connection: close) within the grace period, whatever the client
// (node:http, fetch, raw socket), the body kind (string, Buffer, file) or the outcome (a
// rejection is still a 500).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { startServer } from '../../src/index.js';
import type { Response } from '../../src/index.js';
import { RawConn, get, httpRequest, saysClose } from '../helpers/clients.js';
import { finalNoServersTest } from '../helpers/server.js';
import { deferred, pace, pollUntil, withTimeout } from '../helpers/tools.js';  // pace: the app's own latency, the input under test

test('the issue example: a 1.5 s handler, stop() called while it runs: node:http gets the answer', async () => {
  const called = deferred();
  const s = startServer('127.0.0.1', 0, async () => {
    called.resolve();
    await pace(1500);
    return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'worth the wait' };
  });
  const res = httpRequest(s.getPort(), { path: '/slow', timeoutMs: 10000 });
  await withTimeout(called.promise, 3000, 'call reached');
  const stopping = s.stop();
  const r = await res;
  assert.equal(r.status, 200);
  assert.equal(r.text, 'worth the wait');
  assert.equal(r.headers.connection, 'close');
  await withTimeout(stopping, 5000, 'stop settles');
});

test('fetch (undici, keep-alive pool) waiting on a slow handler gets its answer', async () => {
  const called = deferred();
  const s = startServer('127.0.0.1', 0, async (req) => {
    if (req.PATH_INFO === '/warm') return { status: 200, body: 'warm' };
    called.resolve();
    await pace(400);
    return { status: 200, body: 'fetched' };
  });
  const base = `http://127.0.0.1:${s.getPort()}`;
  assert.equal(await (await fetch(`${base}/warm`)).text(), 'warm');  // leaves an idle pooled connection
  const pending = fetch(`${base}/slow`).then((r) => r.text());
  await withTimeout(called.promise, 3000, 'call reached');
  const stopping = s.stop();
  assert.equal(await pending, 'fetched');
  await withTimeout(stopping, 5000, 'stop settles');
});

test('ten requests in flight on ten connections, answered at different times: all ten answered', async () => {
  let calls = 0;
  const stopped = deferred();
  const s = startServer('127.0.0.1', 0, async (req) => {
    calls++;
    const n = Number(req.PATH_INFO.slice(1));
    await stopped.promise;
    await pace(50 * n);
    return { status: 200, body: `answer ${n}` };
  });
  const conns = await Promise.all(Array.from({ length: 10 }, () => RawConn.connect(s.getPort())));
  try {
    await Promise.all(conns.map((c, i) => c.write(get(`/${i}`))));
    await pollUntil(() => calls === 10, 3000, 'ten calls');
    const stopping = s.stop();
    stopped.resolve();
    const answers = await Promise.all(conns.map((c) => c.responses(1, 5000)));
    answers.forEach(([r], i) => {
      assert.equal(r.body.toString(), `answer ${i}`);
      assert.ok(saysClose(r));
    });
    await withTimeout(stopping, 5000, 'stop settles');
  } finally {
    for (const c of conns) c.destroy();
  }
});

test('a late answer with a file body and one with a Buffer body both arrive during the drain', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-drain-'));
  const file = path.join(dir, 'body.bin');
  const content = Buffer.alloc(300 * 1024, 7);
  fs.writeFileSync(file, content);
  const gate = deferred();
  let calls = 0;
  const s = startServer('127.0.0.1', 0, async (req): Promise<Response> => {
    calls++;
    await gate.promise;
    if (req.PATH_INFO === '/file') return { status: 200, body: { file } };
    return { status: 200, body: Buffer.from('bytes') };
  });
  const [a, b] = await Promise.all([RawConn.connect(s.getPort()), RawConn.connect(s.getPort())]);
  try {
    await a.write(get('/file'));
    await b.write(get('/buf'));
    await pollUntil(() => calls === 2, 3000, 'both calls');
    const stopping = s.stop();
    gate.resolve();
    const [ra] = await a.responses(1, 5000);
    const [rb] = await b.responses(1, 5000);
    assert.ok(ra.body.equals(content), 'the whole file');
    assert.equal(rb.body.toString(), 'bytes');
    assert.ok(saysClose(ra) && saysClose(rb));
    await withTimeout(stopping, 5000, 'stop settles');
  } finally {
    a.destroy();
    b.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a handler that rejects during the drain: the client still gets its 500, with Connection: close', async () => {
  const called = deferred();
  const s = startServer('127.0.0.1', 0, async () => {
    called.resolve();
    await pace(200);
    throw new Error('failed late');
  });
  const prevWrite = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;  // the logged ERROR line
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write(get('/x'));
    await withTimeout(called.promise, 3000, 'call reached');
    const stopping = s.stop();
    const [r] = await conn.responses(1, 5000);
    assert.equal(r.status, 500);
    assert.ok(saysClose(r));
    await withTimeout(stopping, 5000, 'stop settles');
  } finally {
    process.stderr.write = prevWrite;
    conn.destroy();
  }
});

finalNoServersTest();
