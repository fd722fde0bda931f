// Keep-alive pings (pingIntervalMs) and the dead-peer timeout (pingTimeoutMs).
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { listServers, type App } from '../../src/index.js';
import { frame, OP, RawWs, wsClosed, wsOpen } from './ws-helpers.js';
import { withServer } from '../helpers/server.js';
import { scaled } from '../helpers/emulation.js';
import { pollUntil } from '../helpers/tools.js';

// Under emulation (qemu) the ping interval and timeout and the bounds are scaled() together: a
// 200 ms pong deadline is shorter than an emulated client's reaction time.

after(() => assert.deepEqual(listServers(), []));

test('pingIntervalMs sends pings; a peer that answers stays connected', async () => {
  await withServer({ onWSOpen() {} }, async ({ port }) => {
    const c = await RawWs.open(port);
    let answered = 0;
    const deadline = Date.now() + scaled(5000);
    while (answered < 4 && Date.now() < deadline) {
      assert.ok(await c.until(() => c.data(OP.PING).length > answered, 2000), 'a ping arrives');
      await c.write(frame(OP.PONG, c.data(OP.PING)[answered].data));
      answered++;
    }
    assert.equal(answered, 4);
    assert.equal(c.tcpClosed, false);
    assert.equal(c.remoteClose, null);
    c.destroy();
  }, { websocket: { pingIntervalMs: scaled(100), pingTimeoutMs: scaled(300) } });
});

test('the ws client (automatic pongs) is kept across many intervals', async () => {
  await withServer({ onWSOpen() {} }, async ({ port }) => {
    const c = await wsOpen(port);
    let pings = 0;
    c.on('ping', () => { pings++; });
    await pollUntil(() => pings >= 8, 5000, '8 pings');
    assert.equal(c.readyState, c.OPEN);
    c.close();
    await wsClosed(c);
  }, { websocket: { pingIntervalMs: scaled(50), pingTimeoutMs: scaled(200) } });
});

test('a peer that never pongs is closed after pingTimeoutMs; onClose called', async () => {
  const closes: (number | undefined)[] = [];
  const app: App = { onWSOpen(ws) { ws.onClose((code) => closes.push(code)); } };
  await withServer(app, async ({ port }) => {
    const c = await RawWs.open(port);
    const t0 = Date.now();
    assert.ok(await c.until(() => c.data(OP.PING).length > 0, 2000), 'ping');
    assert.ok(await c.until(() => c.tcpClosed, 3000), 'server closes TCP');
    const took = c.tcpClosedAt - t0;
    assert.ok(took >= scaled(200) && took < scaled(2500), `closed after ${took} ms`);
    await pollUntil(() => closes.length === 1, 3000, 'onClose');
  }, { websocket: { pingIntervalMs: scaled(100), pingTimeoutMs: scaled(200) } });
});

test('pings are off by default', async () => {
  await withServer({ onWSOpen() {} }, async ({ port }) => {
    const c = await RawWs.open(port);
    await c.write(frame(OP.PING, 'mine'));
    assert.ok(await c.until(() => c.data(OP.PONG).length === 1));
    assert.equal(c.data(OP.PING).length, 0);
    c.destroy();
  });
});
