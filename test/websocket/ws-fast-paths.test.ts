// End-to-end checks of the WebSocket data path's fast paths (issue 19): unmasking a vector at a
// time with any mask alignment, UTF-8 validated in chunks (characters split across frames and
// reads, invalid sequences at every kind of position), one-byte JS strings for ASCII text, send()
// writing a string once into a buffer of its UTF-8 size (ASCII read as Latin-1), and payload
// buffers recycled between the threads (many different messages in flight, each echoed intact).
import { test, after, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { listServers, startServer, type App, type WebServer } from '../../src/index.js';
import { frame, OP, RawWs, roundTrip, wsClosed, wsOpen } from './ws-helpers.js';
import { seededRng } from '../helpers/seeded-rng.js';

// The server echoes text and binary; a text message starting with "say:" is answered with the
// string that follows it decoded from JSON (so the test chooses exactly which JS string send()
// gets: one-byte, two-byte, lone surrogates...).
const received: { binary: boolean; data: string | Buffer }[] = [];
const app: App = {
  call: () => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'plain' }),
  onWSOpen(ws) {
    ws.onMessage((binary, msg) => {
      received.push({ binary, data: msg });
      if (!binary && typeof msg === 'string' && msg.startsWith('say:')) {
        ws.send(JSON.parse(msg.slice(4)) as string);
      } else {
        ws.send(msg);
      }
    });
  },
};

let server: WebServer;
let port = 0;
before(() => {
  server = startServer('127.0.0.1', 0, app, { websocket: { maxMessageSize: 4 * 1024 * 1024 } }) as WebServer;
  port = server.getPort();
});
after(async () => {
  await server.stop();
  assert.deepEqual(listServers(), []);
});

const rng = seededRng(19);
function ascii(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(0x20 + Math.floor(rng() * 0x5f));
  return s;
}

// Lengths around the vector widths (8, 16, 32 bytes) and a few large ones.
const lengths = [...Array.from({ length: 70 }, (_, i) => i), 127, 128, 129, 1000, 16 * 1024, 64 * 1024 + 3];

test('text of every length around the vector widths: ASCII, Latin-1, BMP and astral, echoed byte-exact', async () => {
  const c = await wsOpen(port);
  try {
    for (const n of lengths) {
      const base = ascii(n);
      const variants = [base];
      if (n > 0) {
        // One non-ASCII character at the start, middle and end: é (U+00E9, a one-byte V8 string:
        // must not be sent as Latin-1), ÿ (U+00FF), € (3 bytes), 😀 (4 bytes, a surrogate pair).
        for (const ch of ['é', 'ÿ', '€', '😀']) {
          for (const at of [0, n >> 1, n - 1]) variants.push(base.slice(0, at) + ch + base.slice(at + 1));
        }
      }
      for (const s of variants) {
        const before = received.length;
        const r = await roundTrip(c, s);
        assert.equal(r.binary, false);
        assert.ok(r.data.equals(Buffer.from(s)), `echo of ${n} chars differs`);
        const got = received[before];
        assert.equal(got.binary, false);
        assert.equal(got.data, s, `the app got a different string (${n} chars)`);
      }
    }
  } finally {
    c.close();
    await wsClosed(c);
  }
});

test('send() of one-byte, two-byte and ill-formed strings: UTF-8 as Buffer.from gives it', async () => {
  const c = await wsOpen(port);
  try {
    const strings = [
      '', 'a', 'é', 'ÿ', 'aé', 'é'.repeat(33), 'x'.repeat(31) + 'ÿ', '\u0141', 'A\u0100B',
      '\ud83d', 'a\udc00b', '\ud83d\ude00', 'é'.repeat(8192), ascii(16 * 1024) + '\u20ac', ascii(16 * 1024),
    ];
    for (const s of strings) {
      const r = await roundTrip(c, `say:${JSON.stringify(s)}`);
      assert.equal(r.binary, false);
      assert.ok(r.data.equals(Buffer.from(s)), `send(${JSON.stringify(s.slice(0, 20))}…) sent other bytes`);
    }
  } finally {
    c.close();
    await wsClosed(c);
  }
});

test('UTF-8 characters split across frames and across reads (1-byte writes) arrive whole', async () => {
  const c = await RawWs.open(port);
  try {
    let want = 0;
    for (const ch of ['é', '€', '😀']) {
      const bytes = Buffer.from(ch);
      for (const pre of [0, 1, 15, 16, 31, 32, 33]) {
        const msg = Buffer.concat([Buffer.from(ascii(pre)), bytes, Buffer.from(ascii(20))]);
        for (let k = 1; k < bytes.length; k++) {
          const cut = pre + k;
          const wire = Buffer.concat([frame(OP.TEXT, msg.subarray(0, cut), { fin: false }), frame(OP.CONT, msg.subarray(cut))]);
          await c.write(wire, cut < 20);
          want++;
          assert.ok(await c.until(() => c.data(OP.TEXT).length >= want, 5000), 'echo arrives');
          assert.ok(c.data(OP.TEXT)[want - 1].data.equals(msg));
        }
      }
    }
    // Many fragments of 1..20 bytes each (every mask offset inside a frame), in random reads.
    const long = Buffer.from(ascii(300) + 'κόσμε€😀' + ascii(300));
    const parts: Buffer[] = [];
    for (let at = 0, i = 0; at < long.length; i++) {
      const n = Math.min(long.length - at, 1 + (i % 20));
      parts.push(frame(at === 0 ? OP.TEXT : OP.CONT, long.subarray(at, at + n), { fin: at + n === long.length }));
      at += n;
    }
    const wire = Buffer.concat(parts);
    for (let at = 0; at < wire.length;) {
      const n = 1 + Math.floor(rng() * 50);
      await c.write(wire.subarray(at, at + n));
      at += n;
    }
    want++;
    assert.ok(await c.until(() => c.data(OP.TEXT).length >= want, 5000), 'echo arrives');
    assert.ok(c.data(OP.TEXT)[want - 1].data.equals(long));
    assert.equal(c.remoteClose, null);
  } finally {
    c.destroy();
  }
});

test('an invalid UTF-8 sequence anywhere in a long text message closes with 1007', async () => {
  const bad = ['ff', 'c0af', 'eda080', 'f4908080', 'e28241', '80'];
  for (const [i, hex] of bad.entries()) {
    for (const at of [0, 15, 16, 31, 32, 33, 4095, 16 * 1024 - 1]) {
      const payload = Buffer.concat([Buffer.from(ascii(at)), Buffer.from(hex, 'hex'), Buffer.from(ascii(100))]);
      const c = await RawWs.open(port);
      try {
        await c.write(frame(OP.TEXT, payload), i === 0 && at < 40);
        const r = await c.closed(5000);
        assert.equal(r.code, 1007, `${hex} at ${at}`);
        assert.ok(r.tcpClosed);
        assert.equal(c.data(OP.TEXT).length, 0, 'nothing echoed');
      } finally {
        c.destroy();
      }
    }
  }
});

test('16 different 16 KiB messages in flight, text and binary, each echoed intact (pooled buffers)', async () => {
  const c = await wsOpen(port);
  try {
    for (let round = 0; round < 20; round++) {
      const msgs: (string | Buffer)[] = [];
      for (let i = 0; i < 16; i++) {
        if (i % 2 === 0) {
          msgs.push(ascii(16 * 1024 + i));
        } else {
          const b = Buffer.alloc(16 * 1024 - i);
          for (let k = 0; k < b.length; k += 97) b[k] = (round * 16 + i + k) & 0xff;
          msgs.push(b);
        }
      }
      const got: Buffer[] = [];
      const done = new Promise<void>((resolve) => {
        const on = (data: Buffer) => {
          got.push(Buffer.from(data));
          if (got.length === msgs.length) { c.off('message', on); resolve(); }
        };
        c.on('message', on);
      });
      for (const m of msgs) c.send(m, { binary: typeof m !== 'string' });
      await done;
      for (let i = 0; i < msgs.length; i++) assert.ok(got[i].equals(Buffer.from(msgs[i])), `round ${round}, message ${i}`);
    }
  } finally {
    c.close();
    await wsClosed(c);
  }
});
