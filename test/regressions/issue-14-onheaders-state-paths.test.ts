// Issue 14, class 4: a request announced to onHeaders that never reached call (client abort
// during the upload, 408, 413, a 400 for a broken body, a refused WebSocket upgrade, server
// stop) left its Rook environment in dispatch.ts's map forever: 2,000 aborted uploads with 60 KB
// of headers kept 120 MB of heap, and stop() did not free it. Expected: every path frees the
// request's JS state (the I/O thread reports a request that ended without its answer, and JS
// drops everything of a server when it closes); a late continue or answer is dropped.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { listServers, startServer, type App, type ServerOptions } from '../../src/index.js';
import { _debugCounts } from '../../src/runtime.js';
import { RawConn } from '../helpers/clients.js';
import { deferred, pollUntil, underEmulation } from '../helpers/tools.js';

after(() => assert.deepEqual(listServers(), []));

const N = 200;
const BATCH = 50;
const BIG = `X-Big: ${'b'.repeat(8 * 1024)}\r\n`;

async function assertIdle(what: string): Promise<void> {
  await pollUntil(() => {
    const c = _debugCounts();
    return c.requests === 0 && c.pendingHeaders === 0 && c.sockets === 0;
  }, 10000, `JS-side request state to be freed after ${what} (now ${JSON.stringify(_debugCounts())})`);
}

// Runs N connections (BATCH at a time): `drive` sends bytes and does whatever ends the request.
async function many(port: number, drive: (c: RawConn, i: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < N; start += BATCH) {
    const jobs: Promise<void>[] = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      jobs.push(RawConn.connect(port).then(async (c) => {
        try {
          await drive(c, i);
        } finally {
          c.destroy();
        }
      }));
    }
    await Promise.all(jobs);
  }
}

async function withApp(app: App, options: ServerOptions, fn: (port: number) => Promise<void>): Promise<void> {
  const s = startServer('127.0.0.1', 0, app, options);
  try {
    await fn(s.getPort());
  } finally {
    await s.stop();
  }
  assert.deepEqual(_debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 0 });
}

test(`${N} uploads aborted after onHeaders let them through are freed`, async () => {
  let seen = 0;
  await withApp({ onHeaders: () => { seen++; return null; }, call: () => ({ status: 200, body: 'ok' }) }, {},
    async (port) => {
      await many(port, async (c, i) => {
        await c.write(`POST /up${i} HTTP/1.1\r\nHost: a\r\n${BIG}Content-Length: 100000\r\n\r\npart`);
        await pollUntil(() => seen > i || seen >= N, 10000, 'onHeaders');
      });
      await assertIdle('aborted uploads');
    });
});

test(`${N} uploads reset while onHeaders is pending are freed at once; the late continues are dropped`, async () => {
  const gates: Array<(v: null) => void> = [];
  await withApp({
    onHeaders: () => new Promise<null>((resolve) => gates.push(resolve)),
    call: () => ({ status: 200, body: 'ok' }),
  }, {}, async (port) => {
    await many(port, async (c, i) => {
      await c.write(`POST /up${i} HTTP/1.1\r\nHost: a\r\n${BIG}Content-Length: 100000\r\n\r\n`);
      await pollUntil(() => gates.length > i || gates.length >= N, 10000, 'onHeaders');
      c.socket.resetAndDestroy();
    });
    await assertIdle('resets during onHeaders');
    for (const g of gates) g(null);  // continue for requests that are gone
    await new Promise((r) => setImmediate(r));
    await assertIdle('late continues');
  });
});

test(`${N} uploads half-closed while onHeaders is pending are answered and freed once it continues`, async () => {
  const gates: Array<(v: null) => void> = [];
  let probes = 0;
  await withApp({
    onHeaders: (req) => {
      if (req.PATH_INFO === '/probe') { probes++; return { status: 204, body: '' }; }
      return new Promise<null>((resolve) => gates.push(resolve));
    },
    call: () => ({ status: 200, body: 'ok' }),
  }, {}, async (port) => {
    const conns: RawConn[] = [];
    try {
      for (let i = 0; i < N; i++) {
        const c = await RawConn.connect(port);
        conns.push(c);
        await c.write(`POST /up${i} HTTP/1.1\r\nHost: a\r\n${BIG}Content-Length: 100000\r\n\r\n`);
      }
      await pollUntil(() => gates.length === N, 10000, 'onHeaders of every upload');
      for (const c of conns) c.end();
      // A request on another connection, sent after every FIN, answered by the I/O thread's
      // later read: the FINs have been read by then.
      const p = await RawConn.connect(port);
      await p.write('GET /probe HTTP/1.1\r\nHost: a\r\n\r\n');
      await p.responses(1, 10000);
      p.destroy();
      assert.equal(_debugCounts().pendingHeaders, N, 'the app still holds the requests');
      for (const g of gates) g(null);  // continue: the body can never come
      for (const c of conns) {
        const [r] = await c.responses(1, 10000);
        assert.equal(r.status, 400);
        assert.ok(await c.waitClose(10000));
      }
      await assertIdle('continues of half-closed uploads');
    } finally {
      for (const c of conns) c.destroy();
    }
  });
  assert.equal(probes, 1);
});

test(`${N} bodies cut by requestTimeoutMs (408) are freed`, {
  skip: underEmulation('many 408s at once: part are lost to resets under Wine, as in hostile-slow-body (not root-caused)'),
}, async () => {
  await withApp({ onHeaders: () => null, call: () => ({ status: 200, body: 'ok' }) },
    { requestTimeoutMs: 300, headersTimeoutMs: 300 }, async (port) => {
      await many(port, async (c, i) => {
        await c.write(`POST /slow${i} HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc`);
        const [r] = await c.responses(1, 10000);
        assert.equal(r.status, 408);
      });
      await assertIdle('408s');
    });
});

test(`${N} bodies over maxBodySize (413) and ${N} broken chunked bodies (400) are freed`, async () => {
  await withApp({ onHeaders: () => null, call: () => ({ status: 200, body: 'ok' }) }, { maxBodySize: 100 },
    async (port) => {
      await many(port, async (c, i) => {
        await c.write(`POST /big${i} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `c8\r\n${'z'.repeat(200)}\r\n0\r\n\r\n`);
        const [r] = await c.responses(1, 10000);
        assert.equal(r.status, 413);
      });
      await assertIdle('413s');
      await many(port, async (c, i) => {
        await c.write(`POST /bad${i} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`);
        const [r] = await c.responses(1, 10000);
        assert.equal(r.status, 400);
      });
      await assertIdle('400s');
    });
});

test(`${N} refused WebSocket upgrades are freed`, async () => {
  let opened = 0;
  await withApp({ onHeaders: () => null, onWSOpen: () => { opened++; } }, {}, async (port) => {
    await many(port, async (c, i) => {
      // Upgrade: websocket without Sec-WebSocket-Key: the handshake is refused with a 4xx.
      await c.write(`GET /ws${i} HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Version: 13\r\n\r\n');
      const [r] = await c.responses(1, 10000);
      assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    });
    await assertIdle('refused upgrades');
  });
  assert.equal(opened, 0);
});

test(`${N} clients that half-close during the upload are freed`, async () => {
  await withApp({ onHeaders: () => null, call: () => ({ status: 200, body: 'ok' }) }, {}, async (port) => {
    await many(port, async (c, i) => {
      await c.write(`POST /half${i} HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc`);
      c.end();
      assert.ok(await c.waitClose(10000), 'closed by the server');
    });
    await assertIdle('half-closes');
  });
});

test('stop() frees requests pending in onHeaders and in call', async () => {
  let inHeaders = 0;
  let inCall = 0;
  const never = deferred<null>();
  const s = startServer('127.0.0.1', 0, {
    onHeaders: (req) => {
      if (req.PATH_INFO.startsWith('/hold')) { inHeaders++; return never.promise; }
      return null;
    },
    call: () => { inCall++; return new Promise(() => {}); },
  });
  const conns: RawConn[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const c = await RawConn.connect(s.getPort());
      conns.push(c);
      await c.write(`POST /${i % 2 === 0 ? 'hold' : 'call'}${i} HTTP/1.1\r\nHost: a\r\n${BIG}Content-Length: 0\r\n\r\n`);
    }
    await pollUntil(() => inHeaders === 10 && inCall === 10, 10000, 'ten requests in onHeaders and ten in call');
    assert.equal(_debugCounts().requests, 20);
    assert.equal(_debugCounts().pendingHeaders, 10);
  } finally {
    await s.stop({ graceMs: 100 });  // the drain's grace period ends them (stop-drain.test.ts)
    for (const c of conns) c.destroy();
  }
  assert.deepEqual(_debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 0 });
  never.resolve(null);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(_debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 0 });
});

test('a call whose client reset the connection is freed; its late answer is dropped', async () => {
  const late = deferred<string>();
  let called = 0;
  await withApp({ call: () => { called++; return late.promise.then((b) => ({ status: 200, body: b })); } }, {},
    async (port) => {
      const c = await RawConn.connect(port);
      await c.write('GET /x HTTP/1.1\r\nHost: a\r\n\r\n');
      await pollUntil(() => called === 1, 5000, 'call');
      assert.equal(_debugCounts().requests, 1);
      c.socket.resetAndDestroy();
      await assertIdle('a client leaving during call');
      late.resolve('late');
      await new Promise((r) => setImmediate(r));
      await assertIdle('the late answer');
      // The server keeps serving (the same, now settled, Promise answers the next request).
      const d = await RawConn.connect(port);
      await d.write('GET /y HTTP/1.1\r\nHost: a\r\n\r\n');
      const [r] = await d.responses(1, 5000);
      assert.equal(r.body.toString(), 'late');
      d.destroy();
      await assertIdle('the next request');
    });
});
