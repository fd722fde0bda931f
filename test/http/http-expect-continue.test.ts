// Expect: 100-continue: the interim answer before the body is read, or a final answer instead.
import assert from 'node:assert/strict';
import test from 'node:test';
import { RawConn, finalResponses, preview, saysClose } from '../helpers/clients.js';
import { finalNoServersTest, recordingApp, withServer } from '../helpers/server.js';

const POST = 'POST /up HTTP/1.1\r\nHost: a\r\n';

test('100 Continue is sent before the body, then the final response', async () => {
  const { app, seen } = recordingApp((_r, s) => ({ status: 200, body: `got ${s.body.toString()}` }));
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(`${POST}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`);
      await conn.waitFor((d) => d.includes('\r\n\r\n'), 3000, 'interim response');
      assert.match(conn.text, /^HTTP\/1\.1 100 Continue\r\n(?:[^\r\n]+\r\n)*\r\n$/, 'only the 100 so far');
      await conn.write('hello');
      const res = await conn.responses(2);
      assert.equal(res[0].status, 100);
      assert.equal(res[1].status, 200);
      assert.equal(res[1].body.toString(), 'got hello');
      assert.equal(seen.length, 1);
      // the connection stays usable
      await conn.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
      const all = await conn.responses(3);
      assert.equal(all[2].status, 200);
    } finally {
      conn.destroy();
    }
  });
});

test('onHeaders rejecting a big upload: 413 without a 100, then close (8.3 #23)', async () => {
  let called = 0;
  await withServer({
    onHeaders(req) {
      if (Number(req.CONTENT_LENGTH) > 1000) return { status: 413, body: 'too big' };
      return null;
    },
    call() { called++; return { status: 200, body: 'ok' }; },
  }, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(`${POST}Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n`);
      await conn.waitFor((d) => { try { return finalResponses(d).length >= 1; } catch { return true; } }, 3000, '413');
      assert.ok(!conn.text.startsWith('HTTP/1.1 100'), preview(conn.data));
      const [r] = finalResponses(conn.data);
      assert.equal(r.status, 413);
      assert.equal(r.body.toString(), 'too big');
      assert.ok(saysClose(r));
      assert.ok(await conn.waitClose(3000), 'server closes instead of waiting for the body');
      assert.equal(called, 0);
    } finally {
      conn.destroy();
    }
  });
});

test('Expect with another value → 417', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(`${POST}Content-Length: 2\r\nExpect: foo\r\n\r\nab`);
      await conn.waitFor((d, c) => c || finalResponses(d).length >= 1, 3000, 'response');
      const [r] = finalResponses(conn.data);
      assert.equal(r.status, 417, preview(conn.data));
      assert.equal(seen.length, 0);
    } finally {
      conn.destroy();
    }
  });
});

test('Expect: 100-continue with an app that has onHeaders returning nothing', async () => {
  const { app, seen } = recordingApp();
  await withServer({ ...app, call: app.call, onHeaders: () => undefined }, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(`${POST}Content-Length: 2\r\nExpect: 100-continue\r\n\r\n`);
      await conn.waitFor((d) => d.includes('\r\n\r\n'), 3000, '100 Continue');
      await conn.write('ab');
      const res = await conn.responses(2);
      assert.deepEqual(res.map((r) => r.status), [100, 200]);
      assert.equal(seen[0].body.toString(), 'ab');
    } finally {
      conn.destroy();
    }
  });
});

test('client that sends the body without waiting: one final response, no stray bytes', async () => {
  const { app } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(`${POST}Content-Length: 2\r\nExpect: 100-continue\r\n\r\nab`);
      await conn.write('GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
      await conn.waitFor((d) => finalResponses(d).length >= 2, 3000, 'two final responses');
      const res = finalResponses(conn.data);
      assert.deepEqual(res.map((r) => r.body.toString()), ['POST /up', 'GET /after']);
    } finally {
      conn.destroy();
    }
  });
});

test('onHeaders answers a POST early: its body is never parsed as a request (8.3 #35)', async () => {
  const smuggle = 'GET /smuggle HTTP/1.1\r\nHost: a\r\n\r\n';
  const { app, seen } = recordingApp();
  await withServer({ call: app.call, onHeaders: (req) => (req.PATH_INFO === '/deny' ? { status: 403, body: 'denied' } : null) },
    async ({ server }) => {
      const conn = await RawConn.connect(server.getPort());
      try {
        await conn.write(`POST /deny HTTP/1.1\r\nHost: a\r\nContent-Length: ${smuggle.length}\r\n\r\n${smuggle}`);
        await conn.waitFor((d, c) => c || finalResponses(d).length >= 1, 3000, 'the 403');
        await conn.waitFor((d, c) => c || finalResponses(d).length >= 2, 500, 'anything more').catch(() => undefined);
        const res = finalResponses(conn.data);
        assert.equal(res[0].status, 403);
        assert.equal(res[0].body.toString(), 'denied');
        assert.equal(res.length, 1, preview(conn.data));
        assert.ok(!seen.some((s) => s.path === '/smuggle'), 'the body was parsed as a request');
      } finally {
        conn.destroy();
      }
    });
});

test('onHeaders answers a GET early; the connection can continue or close, never garble', async () => {
  await withServer({ call: () => ({ status: 200, body: 'called' }), onHeaders: (req) => (req.PATH_INFO === '/early' ? { status: 401, body: 'early' } : undefined) },
    async ({ server }) => {
      const conn = await RawConn.connect(server.getPort());
      try {
        await conn.write('GET /early HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n');
        await conn.waitFor((d, c) => c || finalResponses(d).length >= 2, 3000, 'two responses or close');
        const res = finalResponses(conn.data);
        assert.equal(res[0].status, 401);
        assert.equal(res[0].body.toString(), 'early');
        if (res.length > 1) assert.equal(res[1].body.toString(), 'called');
        else assert.ok(saysClose(res[0]) && conn.closed);
      } finally {
        conn.destroy();
      }
    });
});

test('HTTP/1.0 with Expect: 100-continue gets no interim 100 (RFC 9110 §10.1.1)', async () => {
  const { app } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('POST /up HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nab');
      await conn.waitFor((d, c) => c || finalResponses(d).length >= 1, 3000, 'response');
      assert.ok(!conn.text.startsWith('HTTP/1.1 100'), preview(conn.data));
      assert.equal(finalResponses(conn.data)[0].status, 200);
    } finally {
      conn.destroy();
    }
  });
});

finalNoServersTest();
