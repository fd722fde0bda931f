// The close handshake in both directions, onClose called once with code/reason, closeTimeoutMs
// when the peer never answers, server.stop() sending 1001.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { listServers, type App, type WebSocket } from '../../src/index.js';
import { closePayload, frame, OP, RawWs, wsClosed, wsOpen } from './ws-helpers.js';
import { withServer } from '../helpers/server.js';
import { pollUntil } from '../helpers/tools.js';

after(() => assert.deepEqual(listServers(), []));

function recorder(onOpen?: (ws: WebSocket) => void): App & { closes: [number | undefined, string | undefined][]; sockets: WebSocket[] } {
  const app = {
    closes: [] as [number | undefined, string | undefined][],
    sockets: [] as WebSocket[],
    onWSOpen(ws: WebSocket) {
      app.sockets.push(ws);
      ws.onMessage((_b, m) => ws.send(m));
      ws.onClose((code, reason) => app.closes.push([code, reason]));
      onOpen?.(ws);
    },
  };
  return app;
}

test('client-initiated close: echoed code, onClose once with code and reason', async () => {
  const app = recorder();
  await withServer(app, async ({ port }) => {
    const c = await wsOpen(port);
    const closed = wsClosed(c);
    c.close(4000, 'client bye');
    assert.equal((await closed).code, 4000);
    await pollUntil(() => app.closes.length > 0, 3000, 'onClose');
    assert.deepEqual(app.closes, [[4000, 'client bye']]);
    assert.equal(app.sockets[0].readyState, 3);
    assert.equal(app.sockets[0].isOpen(), false);
    assert.equal(app.sockets[0].send('late'), false);
  });
  assert.equal(app.closes.length, 1);
});

test('server-initiated close: the client sees code and reason, onClose once', async () => {
  const app = recorder((ws) => ws.onMessage((_b, m) => { if (m === 'close me') ws.close(4001, 'server bye'); }));
  await withServer(app, async ({ port }) => {
    const c = await wsOpen(port);
    const closed = wsClosed(c);
    c.send('close me');
    const r = await closed;
    assert.deepEqual([r.code, r.reason], [4001, 'server bye']);
    await pollUntil(() => app.closes.length > 0, 3000, 'onClose');
    assert.equal(app.closes[0][0], 4001);
    app.sockets[0].close(1000);  // no effect after close
  });
  assert.equal(app.closes.length, 1);
});

test('close() validates code and reason', async () => {
  const app = recorder();
  await withServer(app, async ({ port }) => {
    const c = await wsOpen(port);
    await pollUntil(() => app.sockets.length === 1, 3000, 'open');
    const ws = app.sockets[0];
    assert.throws(() => ws.close(1005));
    assert.throws(() => ws.close(999));
    assert.throws(() => ws.close(1000, 'x'.repeat(124)));
    const closed = wsClosed(c);
    ws.close(1000, 'é'.repeat(61));
    assert.equal(ws.readyState, 2);
    assert.equal((await closed).reason, 'é'.repeat(61));
  });
});

test('closeTimeoutMs: a peer that never answers our Close is dropped', async () => {
  const app = recorder((ws) => ws.close(4002, 'go away'));
  await withServer(app, async ({ port }) => {
    const c = await RawWs.open(port);
    assert.ok(await c.until(() => c.remoteClose !== null), 'Close frame');
    const t0 = c.remoteClose!.at;
    assert.equal(c.remoteClose!.code, 4002);
    assert.ok(await c.until(() => c.tcpClosed, 3000), 'the server closes TCP');
    const waited = c.tcpClosedAt - t0;
    assert.ok(waited >= 200 && waited < 2500, `closed after ${waited} ms`);
    await pollUntil(() => app.closes.length === 1, 3000, 'onClose');
  }, { websocket: { closeTimeoutMs: 300 } });
});

test('our Close answered by the peer: the server closes TCP at once', async () => {
  const app = recorder((ws) => ws.close(1000));
  await withServer(app, async ({ port }) => {
    const c = await RawWs.open(port);
    assert.ok(await c.until(() => c.remoteClose !== null));
    await c.write(frame(OP.CLOSE, closePayload(1000)));
    assert.ok(await c.until(() => c.tcpClosed, 1500), 'TCP closed well before the timeout');
    await pollUntil(() => app.closes.length === 1, 3000, 'onClose');
    assert.equal(app.closes[0][0], 1000);
  }, { websocket: { closeTimeoutMs: 5000 } });
});

test('a peer that drops TCP: onClose(1006) once', async () => {
  const app = recorder();
  await withServer(app, async ({ port }) => {
    const c = await RawWs.open(port);
    await pollUntil(() => app.sockets.length === 1, 3000, 'open');
    c.destroy();
    await pollUntil(() => app.closes.length === 1, 3000, 'onClose');
    assert.equal(app.closes[0][0], 1006);
  });
  assert.equal(app.closes.length, 1);
});

test('server.stop() sends 1001 to open WebSockets and resolves', async () => {
  const app = recorder();
  await withServer(app, async ({ port, server }) => {
    const c = await wsOpen(port);
    const raw = await RawWs.open(port);  // never answers
    await pollUntil(() => app.sockets.length === 2, 3000, 'both open');
    const closed = wsClosed(c);
    const t0 = Date.now();
    await server.stop();
    assert.ok(Date.now() - t0 < 3000, 'stop resolved');
    assert.equal((await closed).code, 1001);
    assert.equal(raw.remoteClose?.code, 1001);
    assert.ok(await raw.until(() => raw.tcpClosed, 2000));
    await pollUntil(() => app.closes.length === 2, 3000, 'onClose for both');
  }, { websocket: { closeTimeoutMs: 500 } });
});
