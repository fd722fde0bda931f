// Timeouts: slowloris headers → 408 + close, slow body → 408 +
// close, idle keep-alive → silent close; a slow app is not a slow client.
import assert from 'node:assert/strict';
import test from 'node:test';
import { RawConn, finalResponses, get, preview, saysClose } from '../helpers/clients.js';
import { finalNoServersTest, recordingApp, withServer } from '../helpers/server.js';
import { emulated, scaled } from '../helpers/emulation.js';
import { pace } from '../helpers/tools.js';

// Under emulation (qemu) every time in this file is scaled() together: the server's timeouts,
// the clients' paces and the bounds, so each test still shows a timeout firing, and not early.
const T = { headersTimeoutMs: scaled(300), requestTimeoutMs: scaled(600), keepAliveTimeoutMs: scaled(300) };

test('slowloris: one header byte every 50 ms → 408 and close after the headers timeout', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    const t0 = Date.now();
    try {
      await conn.write('GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ');
      while (!conn.closed && Date.now() - t0 < scaled(3000)) {
        await conn.write('v').catch(() => undefined);
        await pace(scaled(50));
      }
      const took = Date.now() - t0;
      assert.ok(conn.closed, 'server closed the connection');
      assert.ok(took >= scaled(250) && took < scaled(1500), `closed after ${took} ms`);
      const [r] = finalResponses(conn.data);
      assert.equal(r?.status, 408, preview(conn.data));
      assert.ok(saysClose(r));
      assert.equal(seen.length, 0);
    } finally {
      conn.destroy();
    }
  }, T);
});

test('incomplete request line, then nothing → 408 and close', async () => {
  await withServer(recordingApp().app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('GET /partial');
      assert.ok(await conn.waitClose(2000), 'closed');
      assert.equal(finalResponses(conn.data)[0]?.status, 408, preview(conn.data));
    } finally {
      conn.destroy();
    }
  }, T);
});

test('slow body: headers complete, body trickles → 408 and close after requestTimeoutMs', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    const t0 = Date.now();
    try {
      await conn.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n');
      while (!conn.closed && Date.now() - t0 < scaled(3000)) {
        await conn.write('b').catch(() => undefined);
        await pace(scaled(100));
      }
      const took = Date.now() - t0;
      assert.ok(conn.closed, 'closed');
      assert.ok(took >= scaled(500) && took < scaled(2000), `closed after ${took} ms`);
      assert.equal(finalResponses(conn.data)[0]?.status, 408, preview(conn.data));
      assert.equal(seen.length, 0);
    } finally {
      conn.destroy();
    }
  }, T);
});

test('idle keep-alive connection is closed silently after keepAliveTimeoutMs', async () => {
  await withServer(recordingApp().app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/'));
      await conn.responses(1);
      const len = conn.data.length;
      const t0 = Date.now();
      assert.ok(await conn.waitClose(2000), 'closed');
      const took = Date.now() - t0;
      assert.ok(took >= scaled(200) && took < scaled(1500), `closed after ${took} ms`);
      assert.equal(conn.data.length, len, 'no bytes (no 408) on an idle connection');
    } finally {
      conn.destroy();
    }
  }, T);
});

test('a connection that never sends anything is closed silently', async () => {
  await withServer(recordingApp().app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      assert.ok(await conn.waitClose(2000), 'closed');
      assert.equal(conn.data.length, 0, preview(conn.data));
    } finally {
      conn.destroy();
    }
  }, T);
});

test('a slow app is not a slow client: 900 ms of app time with 300/600 ms timeouts → 200', async () => {
  await withServer(() => new Promise((r) => setTimeout(() => r({ status: 200, body: 'slow app' }), scaled(900))),
    async ({ server }) => {
      const conn = await RawConn.connect(server.getPort());
      try {
        await conn.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab');
        const [r] = await conn.responses(1, 3000);
        assert.equal(r.status, 200);
        assert.equal(r.body.toString(), 'slow app');
      } finally {
        conn.destroy();
      }
    }, T);
});

test('a connection that keeps sending requests within the idle timeout stays open', async () => {
  await withServer(recordingApp().app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      for (let i = 1; i <= 5; i++) {
        await conn.write(get(`/${i}`));
        await conn.responses(i);
        await pace(scaled(150));
      }
      assert.equal(conn.closed, false);
    } finally {
      conn.destroy();
    }
  }, T);
});

test('the idle timeout counts from the last answer: a deadline moved later is kept (lazy timer), then closes on time', async () => {
  // The transport's timer stays armed for the first keep-alive deadline when a later request moves
  // the deadline; when it fires early it must wait for the rest, not close (issue 19: timers are
  // re-armed lazily).
  await withServer(recordingApp().app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/1'));
      await conn.responses(1);
      await pace(600);
      await conn.write(get('/2'));
      await conn.responses(2);
      await pace(600);  // past the first answer's deadline (1000 ms), before the second's
      assert.equal(conn.closed, false, 'open 1,200 ms after the first answer, 600 ms after the last');
      await conn.write(get('/3'));
      const [, , r3] = await conn.responses(3);
      assert.equal(r3.status, 200);
      const t0 = Date.now();
      assert.ok(await conn.waitClose(4000), 'closed');
      const took = Date.now() - t0;
      assert.ok(took >= 800 && took < 3000, `closed ${took} ms after the last answer (keepAliveTimeoutMs 1000)`);
    } finally {
      conn.destroy();
    }
  }, { headersTimeoutMs: 5000, requestTimeoutMs: 5000, keepAliveTimeoutMs: 1000 });
});

test('defaults: an idle keep-alive connection survives 1 s and is closed at about 5 s', async () => {
  await withServer(recordingApp().app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/'));
      await conn.responses(1);
      const t0 = Date.now();
      assert.ok(await conn.waitClose(8000), 'closed within 8 s');
      const took = Date.now() - t0;
      // The default itself cannot be scaled: under emulation the client's own delays (seeing the
      // response late, seeing the close late) widen the window instead.
      const [lo, hi] = emulated ? [2500, 15000] : [4000, 7000];
      assert.ok(took >= lo && took < hi, `closed after ${took} ms (default keepAliveTimeoutMs 5000)`);
    } finally {
      conn.destroy();
    }
  });
});

finalNoServersTest();
