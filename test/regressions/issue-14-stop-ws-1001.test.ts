// Issue 14, class 8: server.stop() sent WebSockets close 1001, but the app's own onClose saw 1006
// because the peer's answer was never read. Now onClose reports 1001 whether the peer answers
// (a drain waits for it), never answers (closeTimeoutMs or the grace period ends it), or the stop
// is immediate (graceMs 0). An upgrade still in progress when the drain begins gets 503.
import assert from 'node:assert/strict';
import test from 'node:test';
import { listServers, startServer } from '../../src/index.js';
import type { App, WebSocket } from '../../src/index.js';
import { RawConn, parseResponses, saysClose } from '../helpers/clients.js';
import { finalNoServersTest } from '../helpers/server.js';
import { deferred, pollUntil, withTimeout } from '../helpers/tools.js';
import { closePayload, frame, OP, RawWs, wsClosed, wsOpen } from '../websocket/ws-helpers.js';

function recorder(): App & { closes: Array<[number | undefined, string | undefined]>; sockets: WebSocket[] } {
  const app = {
    closes: [] as Array<[number | undefined, string | undefined]>,
    sockets: [] as WebSocket[],
    onWSOpen(ws: WebSocket) {
      app.sockets.push(ws);
      ws.onMessage((_b, m) => ws.send(m));
      ws.onClose((code, reason) => app.closes.push([code, reason]));
    },
  };
  return app;
}

test('stop(): a ws client that answers gets 1001 and the app onClose sees 1001', async () => {
  const app = recorder();
  const s = startServer('127.0.0.1', 0, app);
  const c = await wsOpen(s.getPort());
  await pollUntil(() => app.sockets.length === 1, 3000, 'open');
  const closed = wsClosed(c);
  await withTimeout(s.stop(), 5000, 'stop settles');
  assert.equal((await closed).code, 1001);
  await pollUntil(() => app.closes.length === 1, 3000, 'onClose');
  assert.equal(app.closes[0][0], 1001);
  assert.equal(app.sockets[0].readyState, 3);
});

test('stop(): several WebSockets, each onClose once with 1001, stop settles quickly when they answer', async () => {
  const app = recorder();
  const s = startServer('127.0.0.1', 0, app);
  const clients = await Promise.all(Array.from({ length: 5 }, () => wsOpen(s.getPort())));
  await pollUntil(() => app.sockets.length === 5, 3000, 'all open');
  const closes = clients.map((c) => wsClosed(c));
  const t0 = Date.now();
  await withTimeout(s.stop({ graceMs: 10000 }), 5000, 'stop settles');
  assert.ok(Date.now() - t0 < 3000, 'no need to wait for the grace period');
  for (const r of await Promise.all(closes)) assert.equal(r.code, 1001);
  await pollUntil(() => app.closes.length === 5, 3000, 'every onClose');
  assert.deepEqual(app.closes.map(([code]) => code), [1001, 1001, 1001, 1001, 1001]);
});

test('stop(): the peer reads our 1001 and answers it: the server closes TCP after the answer', async () => {
  const app = recorder();
  const s = startServer('127.0.0.1', 0, app, { websocket: { closeTimeoutMs: 10000 } });
  const raw = await RawWs.open(s.getPort());
  await pollUntil(() => app.sockets.length === 1, 3000, 'open');
  const stopping = s.stop();
  assert.ok(await raw.until(() => raw.remoteClose !== null, 3000), 'close frame received');
  assert.equal(raw.remoteClose?.code, 1001);
  assert.equal(raw.tcpClosed, false, 'a drain waits for the answer');
  await raw.write(frame(OP.CLOSE, closePayload(1001)));
  assert.ok(await raw.until(() => raw.tcpClosed, 3000), 'TCP closed after the answer');
  await withTimeout(stopping, 3000, 'stop settles');
  await pollUntil(() => app.closes.length === 1, 3000, 'onClose');
  assert.equal(app.closes[0][0], 1001);
});

test('stop(): a peer that never answers; onClose still sees 1001 once closeTimeoutMs ends the wait', async () => {
  const app = recorder();
  const s = startServer('127.0.0.1', 0, app, { websocket: { closeTimeoutMs: 300 } });
  const raw = await RawWs.open(s.getPort());
  await pollUntil(() => app.sockets.length === 1, 3000, 'open');
  const t0 = Date.now();
  await withTimeout(s.stop(), 5000, 'stop settles');
  assert.ok(Date.now() - t0 < 3000, `closeTimeoutMs ended it (${Date.now() - t0} ms)`);
  assert.equal(raw.remoteClose?.code, 1001);
  assert.ok(await raw.until(() => raw.tcpClosed, 2000));
  await pollUntil(() => app.closes.length === 1, 3000, 'onClose');
  assert.equal(app.closes[0][0], 1001);
  raw.destroy();
});

test('stop({ graceMs }) shorter than closeTimeoutMs: the grace period ends the wait; onClose 1001', async () => {
  const app = recorder();
  const s = startServer('127.0.0.1', 0, app, { websocket: { closeTimeoutMs: 30000 } });
  const raw = await RawWs.open(s.getPort());
  await pollUntil(() => app.sockets.length === 1, 3000, 'open');
  const t0 = Date.now();
  await withTimeout(s.stop({ graceMs: 300 }), 5000, 'stop settles');
  const took = Date.now() - t0;
  assert.ok(took >= 250 && took < 3000, `the grace period ended it (${took} ms)`);
  assert.equal(raw.remoteClose?.code, 1001);
  assert.ok(await raw.until(() => raw.tcpClosed, 2000));
  await pollUntil(() => app.closes.length === 1, 3000, 'onClose');
  assert.equal(app.closes[0][0], 1001);
  raw.destroy();
});

test('stop({ graceMs: 0 }): 1001 to the client at once, and onClose sees 1001 (was 1006)', async () => {
  const app = recorder();
  const s = startServer('127.0.0.1', 0, app);
  const c = await wsOpen(s.getPort());
  const raw = await RawWs.open(s.getPort());
  await pollUntil(() => app.sockets.length === 2, 3000, 'open');
  const closed = wsClosed(c);
  await withTimeout(s.stop({ graceMs: 0 }), 5000, 'stop settles');
  assert.equal((await closed).code, 1001);
  assert.equal(raw.remoteClose?.code, 1001);
  await pollUntil(() => app.closes.length === 2, 3000, 'onClose for both');
  assert.deepEqual(app.closes.map(([code]) => code), [1001, 1001]);
  raw.destroy();
});

test('stop() while the app closes a WebSocket itself: its own code is kept, onClose once', async () => {
  const app = recorder();
  const s = startServer('127.0.0.1', 0, app);
  const c = await wsOpen(s.getPort());
  await pollUntil(() => app.sockets.length === 1, 3000, 'open');
  const closed = wsClosed(c);
  app.sockets[0].close(4000, 'app bye');
  await withTimeout(s.stop(), 5000, 'stop settles');
  assert.equal((await closed).code, 4000);
  await pollUntil(() => app.closes.length === 1, 3000, 'onClose');
  assert.equal(app.closes[0][0], 4000);
  await new Promise((r) => setImmediate(r));
  assert.equal(app.closes.length, 1);
});

test('messages the app sends just before stop() arrive before the 1001', async () => {
  const app = recorder();
  const s = startServer('127.0.0.1', 0, app);
  const raw = await RawWs.open(s.getPort());
  await pollUntil(() => app.sockets.length === 1, 3000, 'open');
  app.sockets[0].send('last words');
  app.sockets[0].send(Buffer.from('and bytes'));
  const stopping = s.stop();
  assert.ok(await raw.until(() => raw.remoteClose !== null, 3000), 'close frame');
  const ops = raw.events.map((e) => [e.op, e.op === OP.CLOSE ? e.data.readUInt16BE(0) : e.data.toString()]);
  assert.deepEqual(ops, [[OP.TEXT, 'last words'], [OP.BINARY, 'and bytes'], [OP.CLOSE, 1001]]);
  await raw.write(frame(OP.CLOSE, closePayload(1001)));
  await withTimeout(stopping, 3000, 'stop settles');
  await pollUntil(() => app.closes.length === 1, 3000, 'onClose');
  assert.equal(app.closes[0][0], 1001);
  raw.destroy();
});

test('an upgrade still in onHeaders when the drain begins gets 503 with Connection: close, no WebSocket', async () => {
  const release = deferred<undefined>();
  const reached = deferred();
  let opened = 0;
  const app: App = {
    onHeaders: () => { reached.resolve(); return release.promise; },
    onWSOpen: () => { opened++; },
    call: () => ({ status: 200, body: 'plain' }),
  };
  const s = startServer('127.0.0.1', 0, app);
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write('GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    await withTimeout(reached.promise, 3000, 'onHeaders reached');
    const stopping = s.stop();
    release.resolve(undefined);
    const [r] = await conn.responses(1, 3000);
    assert.equal(r.status, 503);
    assert.ok(saysClose(r));
    assert.ok(await conn.waitClose(3000));
    await withTimeout(stopping, 3000, 'stop settles');
    assert.equal(opened, 0);
    assert.equal(parseResponses(conn.data).responses.length, 1);
  } finally {
    conn.destroy();
  }
});

test('no servers are left (listServers)', () => {
  assert.deepEqual(listServers(), []);
});

finalNoServersTest();
