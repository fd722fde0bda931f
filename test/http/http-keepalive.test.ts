// Keep-alive and connection closing: HTTP/1.1 stays open, HTTP/1.0 and `Connection: close`
// (either side's) close after the answer.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import test from 'node:test';
import { RawConn, get, httpRequest, saysClose } from '../helpers/clients.js';
import { finalNoServersTest, recordingApp, withServer } from '../helpers/server.js';

test('two sequential requests on one HTTP/1.1 connection', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/1'));
      const [r1] = await conn.responses(1);
      assert.equal(r1.body.toString(), 'GET /1');
      assert.ok(!saysClose(r1));
      await conn.write(get('/2'));
      const res = await conn.responses(2);
      assert.equal(res[1].body.toString(), 'GET /2');
      assert.equal(conn.closed, false);
      assert.equal(seen[0].env.REMOTE_PORT, seen[1].env.REMOTE_PORT, 'same connection');
    } finally {
      conn.destroy();
    }
  });
});

test('Connection: close → response says close and the server closes', async () => {
  const { app } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/', 'Connection: close\r\n'));
      const [r] = await conn.responses(1);
      assert.ok(saysClose(r));
      assert.ok(await conn.waitClose(2000), 'closed by the server');
    } finally {
      conn.destroy();
    }
  });
});

test('HTTP/1.0 without keep-alive closes; with Connection: keep-alive stays open', async () => {
  const { app } = recordingApp();
  await withServer(app, async ({ server }) => {
    const c1 = await RawConn.connect(server.getPort());
    try {
      await c1.write('GET /a HTTP/1.0\r\n\r\n');
      await c1.responses(1);
      assert.ok(await c1.waitClose(2000), 'HTTP/1.0 default: closed');
    } finally {
      c1.destroy();
    }
    const c2 = await RawConn.connect(server.getPort());
    try {
      await c2.write('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      const [r1] = await c2.responses(1);
      assert.ok(!saysClose(r1));
      assert.equal(r1.get('connection')?.toLowerCase(), 'keep-alive', 'HTTP/1.0 keep-alive is confirmed (httpuv #98)');
      await c2.write('GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      const res = await c2.responses(2);
      assert.equal(res[1].body.toString(), 'GET /b');
    } finally {
      c2.destroy();
    }
  });
});

test('a POST body does not leak into the next request (httpuv #49, #354)', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nX-Only-A: 1\r\n\r\nAAAA');
      await conn.responses(1);
      await conn.write(get('/b'));
      await conn.responses(2);
      assert.equal(seen[0].body.toString(), 'AAAA');
      assert.equal(seen[1].path, '/b');
      assert.equal(seen[1].body.length, 0);
      assert.equal(seen[1].headers['x-only-a'], undefined);
      assert.equal(seen[1].env.CONTENT_LENGTH, undefined);
    } finally {
      conn.destroy();
    }
  });
});

test('half-close after the request: the full response still arrives, then close (8.3 #32)', async () => {
  await withServer(() => new Promise((r) => setImmediate(() => r({ status: 200, body: 'y'.repeat(100000) }))),
    async ({ server }) => {
      const conn = await RawConn.connect(server.getPort());
      try {
        await conn.write(get('/'));
        conn.end();
        const [r] = await conn.responses(1);
        assert.equal(r.body.length, 100000);
        assert.ok(await conn.waitClose(2000));
      } finally {
        conn.destroy();
      }
    }, { gzip: false });
});

test('node:http keep-alive agent: 20 requests reuse one socket', async () => {
  const { app, seen } = recordingApp();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await withServer(app, async ({ server }) => {
      for (let i = 0; i < 20; i++) {
        const r = await httpRequest(server.getPort(), { path: `/${i}`, agent });
        assert.equal(r.text, `GET /${i}`);
      }
      assert.equal(new Set(seen.map((s) => s.env.REMOTE_PORT)).size, 1);
    });
  } finally {
    agent.destroy();
  }
});

test('many concurrent keep-alive connections are all served', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conns = await Promise.all(Array.from({ length: 50 }, () => RawConn.connect(server.getPort())));
    try {
      await Promise.all(conns.map((c, i) => c.write(get(`/c${i}`))));
      const all = await Promise.all(conns.map((c) => c.responses(1)));
      all.forEach((res, i) => assert.equal(res[0].body.toString(), `GET /c${i}`));
      assert.equal(seen.length, 50);
    } finally {
      for (const c of conns) c.destroy();
    }
  });
});

finalNoServersTest();
