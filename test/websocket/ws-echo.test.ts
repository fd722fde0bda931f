// End-to-end echo with the `ws` client: text, binary, the 7/16/64-bit length boundaries, 16 MiB,
// fragmented messages.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { listServers } from '../../src/index.js';
import { echoApp, roundTrip, wsClosed, wsOpen } from './ws-helpers.js';
import { withServer } from '../helpers/server.js';

after(() => assert.deepEqual(listServers(), []));

test('text and binary round trips keep type and bytes', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await wsOpen(port, { perMessageDeflate: false });
    const t = await roundTrip(c, 'héllo wörld €');
    assert.equal(t.binary, false);
    assert.equal(t.data.toString(), 'héllo wörld €');
    const bin = Buffer.from([0, 1, 2, 0xff, 0xfe]);
    const b = await roundTrip(c, bin);
    assert.equal(b.binary, true);
    assert.deepEqual(b.data, bin);
    const empty = await roundTrip(c, '');
    assert.equal(empty.data.length, 0);
    const closed = wsClosed(c);
    c.close(1000, 'done');
    assert.equal((await closed).code, 1000);
  });
});

test('sizes around the 7-, 16- and 64-bit length boundaries', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await wsOpen(port, { perMessageDeflate: false });
    for (const n of [0, 1, 124, 125, 126, 127, 128, 65534, 65535, 65536, 65537, 200000]) {
      for (const binary of [false, true]) {
        const payload = binary ? crypto.randomBytes(n) : Buffer.alloc(n, 'x');
        const r = await roundTrip(c, payload, { binary });
        assert.equal(r.binary, binary, `type for ${n}`);
        assert.ok(r.data.equals(payload), `payload of ${n} bytes (${binary ? 'binary' : 'text'})`);
      }
    }
    c.close();
    await wsClosed(c);
  });
});

test('a 16 MiB message (the default limit) is echoed intact', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await wsOpen(port, { perMessageDeflate: false, maxPayload: 0 });
    const payload = crypto.randomBytes(16 * 1024 * 1024);
    const r = await roundTrip(c, payload);
    assert.equal(r.data.length, payload.length);
    assert.equal(crypto.createHash('sha1').update(r.data).digest('hex'), crypto.createHash('sha1').update(payload).digest('hex'));
    c.close();
    await wsClosed(c);
  });
});

test('fragmented messages are reassembled (text split inside a code point, binary)', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await wsOpen(port, { perMessageDeflate: false });
    const got = new Promise<Buffer[]>((resolve) => {
      const out: Buffer[] = [];
      c.on('message', (d: Buffer) => { out.push(Buffer.from(d)); if (out.length === 2) resolve(out); });
    });
    const euro = Buffer.from('ab€cd');  // € = E2 82 AC, split after E2
    c.send(euro.subarray(0, 3), { fin: false, binary: false });
    c.send(euro.subarray(3, 5), { fin: false, binary: false });
    c.send(euro.subarray(5), { fin: true, binary: false });
    const bin = crypto.randomBytes(70000);
    for (let o = 0; o < bin.length; o += 10000) c.send(bin.subarray(o, o + 10000), { fin: o + 10000 >= bin.length, binary: true });
    const [a, b] = await got;
    assert.equal(a.toString(), 'ab€cd');
    assert.ok(b.equals(bin));
    c.close();
    await wsClosed(c);
  });
});

test('many messages in flight come back in order', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await wsOpen(port, { perMessageDeflate: false });
    const n = 2000;
    const got: string[] = [];
    const done = new Promise<void>((resolve) => c.on('message', (d: Buffer) => { got.push(d.toString()); if (got.length === n) resolve(); }));
    for (let i = 0; i < n; i++) c.send(`m${i}`);
    await done;
    assert.deepEqual(got, Array.from({ length: n }, (_, i) => `m${i}`));
    c.close();
    await wsClosed(c);
  });
});

test('a burst of 3,000 sends from one callback arrives whole and in order, then the close', async () => {
  // One batch of commands far above the outbox's initial capacity (256): text (ASCII and not),
  // binary, then a close, all queued synchronously.
  const n = 3000;
  const app = {
    onWSOpen(ws: import('../../src/index.js').WebSocket) {
      ws.onMessage(() => {
        for (let i = 0; i < n; i++) {
          if (i % 3 === 0) ws.send(`t${i}`);
          else if (i % 3 === 1) ws.send(`ü${i}€`);
          else ws.send(Buffer.from([i & 0xff, (i >> 8) & 0xff]));
        }
        ws.close(4000, 'burst done');
      });
    },
  };
  await withServer(app, async ({ port }) => {
    const c = await wsOpen(port, { perMessageDeflate: false });
    const got: { binary: boolean; data: Buffer }[] = [];
    c.on('message', (data: Buffer, binary: boolean) => got.push({ binary, data }));
    const closed = wsClosed(c);
    c.send('go');
    const { code, reason } = await closed;
    assert.equal(code, 4000);
    assert.equal(reason, 'burst done');
    assert.equal(got.length, n);
    for (let i = 0; i < n; i++) {
      const m = got[i];
      if (i % 3 === 2) {
        assert.equal(m.binary, true, `message ${i} type`);
        assert.deepEqual([...m.data], [i & 0xff, (i >> 8) & 0xff], `message ${i}`);
      } else {
        assert.equal(m.binary, false, `message ${i} type`);
        assert.equal(m.data.toString(), i % 3 === 0 ? `t${i}` : `ü${i}€`, `message ${i}`);
      }
    }
  });
});
