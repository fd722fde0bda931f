// Promise responses: resolution is sent, a slow promise does not block
// other connections, and keep-alive waits for it.
import assert from 'node:assert/strict';
import test from 'node:test';
import { RawConn, get, httpRequest } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import { deferred, pace, withTimeout } from '../helpers/tools.js';
import type { Response } from '../../src/index.js';

test('a Promise of a response is sent when it resolves', async () => {
  await withServer(async (req) => {
    await new Promise((r) => setImmediate(r));
    return { status: 202, headers: { 'Content-Type': 'text/plain' }, body: `later ${req.PATH_INFO}` };
  }, async ({ server }) => {
    const r = await httpRequest(server.getPort(), { path: '/p' });
    assert.equal(r.status, 202);
    assert.equal(r.text, 'later /p');
  });
});

test('a slow promise on one connection does not hold up another connection', async () => {
  const slow = deferred<Response>();
  const slowCalled = deferred();
  await withServer((req) => {
    if (req.PATH_INFO === '/slow') { slowCalled.resolve(); return slow.promise; }
    return { status: 200, body: 'fast' };
  }, async ({ server }) => {
    const slowReq = httpRequest(server.getPort(), { path: '/slow' });
    await withTimeout(slowCalled.promise, 3000, '/slow reached the app');
    for (let i = 0; i < 5; i++) {
      const r = await withTimeout(httpRequest(server.getPort(), { path: '/fast' }), 3000, 'fast answered');
      assert.equal(r.text, 'fast');
    }
    slow.resolve({ status: 200, body: 'slow done' });
    assert.equal((await slowReq).text, 'slow done');
  });
});

test('keep-alive: the next request waits for the pending promise and answers after it', async () => {
  const first = deferred<Response>();
  await withServer((req) => (req.PATH_INFO === '/1' ? first.promise : { status: 200, body: 'second' }), async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/1'));
      await conn.write(get('/2'));
      setImmediate(() => first.resolve({ status: 200, body: 'first' }));
      const res = await conn.responses(2);
      assert.deepEqual(res.map((r) => r.body.toString()), ['first', 'second']);
    } finally {
      conn.destroy();
    }
  });
});

test('many concurrent promises resolve to the right connections', async () => {
  await withServer(async (req) => {
    await pace(Number(req.QUERY_STRING.slice(1)) % 7);  // the app's own latency: answers finish out of order
    return { status: 200, body: req.QUERY_STRING };
  }, async ({ server }) => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      httpRequest(server.getPort(), { path: `/?${i}` }).then((r) => r.text)));
    assert.deepEqual(results, Array.from({ length: 40 }, (_, i) => `?${i}`));
  });
});

test('rook.input is still readable after an await (small and spilled bodies)', async () => {
  await withServer(async (req) => {
    await pace(20);  // the app's own latency: the body is read after an await
    const body = req['rook.input'].read();
    return { status: 200, body: `${body.length}:${body.subarray(0, 3).toString()}` };
  }, async ({ server }) => {
    const small = await httpRequest(server.getPort(), { method: 'POST', body: 'abcdef' });
    assert.equal(small.text, '6:abc');
    const big = await httpRequest(server.getPort(), { method: 'POST', body: Buffer.alloc(50000, 120) });
    assert.equal(big.text, '50000:xxx');
  }, { bodySpillThreshold: 1024 });
});

finalNoServersTest();
