// maxMessageSize → 1009 before the payload is buffered; inflated size limited (deflate bomb);
// corrupt deflate data; RSV1 rules with permessage-deflate.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { listServers } from '../../src/index.js';
import { echoApp, frame, OP, RawWs, wsClosed, wsOpen, roundTrip } from './ws-helpers.js';
import { withServer } from '../helpers/server.js';

after(() => assert.deepEqual(listServers(), []));
const PMD = 'Sec-WebSocket-Extensions: permessage-deflate\r\n';
const deflate = (b: Buffer) => { const z = zlib.deflateRawSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH }); return z.subarray(0, z.length - 4); };

test('a frame announcing more than maxMessageSize → 1009 before its payload arrives', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await RawWs.open(port);
    await c.write(frame(OP.BINARY, Buffer.alloc(1001)).subarray(0, 8));  // header + mask only
    const r = await c.closed(2000);
    assert.equal(r.code, 1009);
    assert.ok(r.tcpClosed);
  }, { websocket: { maxMessageSize: 1000 } });
});

test('fragments summing past maxMessageSize → 1009; exactly the limit is echoed', async () => {
  await withServer(echoApp, async ({ port }) => {
    const ok = await wsOpen(port, { perMessageDeflate: false });
    assert.equal((await roundTrip(ok, Buffer.alloc(1000, 1))).data.length, 1000);
    const big = wsClosed(ok);
    ok.send(Buffer.alloc(1001));
    assert.equal((await big).code, 1009);
    const c = await RawWs.open(port);
    await c.write(Buffer.concat([frame(OP.TEXT, 'a'.repeat(600), { fin: false }), frame(OP.CONT, 'b'.repeat(600))]));
    assert.equal((await c.closed(2000)).code, 1009);
  }, { websocket: { maxMessageSize: 1000 } });
});

test('deflate bomb: 64 MiB of zeros in a small compressed frame → 1009', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await RawWs.open(port, PMD);
    assert.match(c.response, /permessage-deflate/);
    const z = deflate(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(z.length < 100 * 1024);
    await c.write(frame(OP.BINARY, z, { rsv: 4 }));
    const r = await c.closed(5000);
    assert.equal(r.code, 1009);
    assert.ok(r.tcpClosed);
  }, { websocket: { maxMessageSize: 1024 * 1024 } });
});

test('a compressed message inflating to exactly the limit is accepted', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await RawWs.open(port, PMD);
    await c.write(frame(OP.TEXT, deflate(Buffer.alloc(100000, 'a')), { rsv: 4 }));
    assert.ok(await c.until(() => c.data(OP.TEXT).length === 1 || c.tcpClosed));
    const [f] = c.events;
    assert.equal(f.op, OP.TEXT);
    c.destroy();
  }, { websocket: { maxMessageSize: 100000 } });
});

test('corrupt deflate data → 1007 or 1002, no crash; server still serves', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await RawWs.open(port, PMD);
    await c.write(frame(OP.BINARY, Buffer.from('ffffffffdeadbeef00112233', 'hex'), { rsv: 4 }));
    const r = await c.closed(2000);
    assert.ok(r.code === 1007 || r.code === 1002, `code ${r.code}`);
    const d = await wsOpen(port);
    assert.equal((await roundTrip(d, 'still up')).data.toString(), 'still up');
    d.close();
    await wsClosed(d);
  });
});

for (const [name, bytes] of [
  ['RSV1 on a continuation', () => Buffer.concat([frame(OP.TEXT, deflate(Buffer.from('ab')), { rsv: 4, fin: false }), frame(OP.CONT, 'x', { rsv: 4 })])],
  ['RSV1 on a ping', () => frame(OP.PING, 'p', { rsv: 4 })],
] as [string, () => Buffer][]) {
  test(`with deflate negotiated: ${name} → 1002`, async () => {
    await withServer(echoApp, async ({ port }) => {
      const c = await RawWs.open(port, PMD);
      await c.write(bytes());
      assert.equal((await c.closed(2000)).code, 1002);
    });
  });
}

test('a compressed frame when deflate was not negotiated → 1002', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await RawWs.open(port, PMD);
    assert.doesNotMatch(c.response, /permessage-deflate/);
    await c.write(frame(OP.TEXT, deflate(Buffer.from('hello')), { rsv: 4 }));
    assert.equal((await c.closed(2000)).code, 1002);
  }, { websocket: { perMessageDeflate: false } });
});
