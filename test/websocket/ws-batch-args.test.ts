// Event batches reach JS as the arguments of one call, (nums, v0, v1, …), and commands leave as the
// arguments of commands_send (issue 19: no napi_get_element / napi_set_element per value); a batch
// with more values than LAYOUT.MAX_SPREAD_VALS goes as one array instead. Both forms, end to end:
// thousands of messages read at once (one batch) are echoed intact and in order.
import { test, after, before, mock } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { listServers, startServer, type WebServer } from '../../src/index.js';
import { native } from '../../src/runtime.js';
import { echoApp, frame, OP, upgradeRequest } from './ws-helpers.js';

let server: WebServer;
let port = 0;
before(() => {
  // A receive queue of 16 MiB: the default 1 MiB (256 bytes counted per event) stops reading one
  // connection after about 4,000 events, below what one batch needs here.
  server = startServer('127.0.0.1', 0, echoApp, { websocket: { receiveQueueLimit: 16 * 1024 * 1024 } }) as WebServer;
  port = server.getPort();
});
after(async () => {
  await server.stop();
  assert.deepEqual(listServers(), []);
});

// Writes `frames` in one write after the handshake and collects the server's text/binary frames
// until `want` have come (unmasked server frames: 7- and 16-bit lengths suffice here).
async function burst(frames: Buffer, want: number): Promise<{ op: number; data: Buffer }[]> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  sock.write(upgradeRequest());
  let buf = Buffer.alloc(0);
  let upgraded = false;
  const got: { op: number; data: Buffer }[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${got.length} of ${want} frames`)), 60000);
      sock.on('error', reject);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (!upgraded) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          assert.match(buf.subarray(0, end).toString('latin1'), /^HTTP\/1\.1 101/);
          buf = buf.subarray(end + 4);
          upgraded = true;
          sock.write(frames);
        }
        for (;;) {
          if (buf.length < 2) break;
          let len = buf[1] & 0x7f;
          let off = 2;
          if (len === 126) {
            if (buf.length < 4) break;
            len = buf.readUInt16BE(2);
            off = 4;
          }
          assert.ok(len < 127, 'no 64-bit lengths expected');
          if (buf.length < off + len) break;
          got.push({ op: buf[0] & 0x0f, data: Buffer.from(buf.subarray(off, off + len)) });
          buf = buf.subarray(off + len);
        }
        if (got.length >= want) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    sock.destroy();
  }
  return got;
}

test('12,000 tiny messages read in a few reads: one batch beyond MAX_SPREAD_VALS both ways, every echo intact and in order', async () => {
  const n = 12000;
  const max = native.LAYOUT.MAX_SPREAD_VALS;
  assert.ok(n * native.LAYOUT.EVENT_VALS > max && n * native.LAYOUT.COMMAND_VALS > max);
  const calls: { count: number; array: boolean }[] = [];
  const orig = native.commands_send;
  const m = mock.method(native, 'commands_send', (nums: Float64Array, count: number, ...vals: unknown[]) => {
    calls.push({ count, array: vals.length === 1 && Array.isArray(vals[0]) });
    return orig.call(native, nums, count, ...vals);
  });
  try {
    // Text of 0–2 bytes (empty ones too) and binary, interleaved: every slot kind of the batch.
    // Frames of 6–8 bytes: one 64 KiB read holds over 8,000 of them.
    const parts: Buffer[] = [];
    const want: { op: number; data: string }[] = [];
    for (let i = 0; i < n; i++) {
      const text = i % 5 !== 4;
      const body = String(i % 100).slice(0, i % 3);
      parts.push(frame(text ? OP.TEXT : OP.BINARY, body));
      want.push({ op: text ? OP.TEXT : OP.BINARY, data: body });
    }
    const got = await burst(Buffer.concat(parts), n);
    assert.equal(got.length, n);
    for (let i = 0; i < n; i++) {
      assert.equal(got[i].op, want[i].op, `message ${i}: opcode`);
      assert.equal(got[i].data.toString('latin1'), want[i].data, `message ${i}: payload`);
    }
  } finally {
    m.mock.restore();
  }
  // The echoes of one batch leave in one commands_send: a call with over max/2 commands proves a
  // batch of that many events reached JS, and its values went as one array.
  const big = calls.filter((c) => c.count * native.LAYOUT.COMMAND_VALS > max);
  assert.ok(big.length > 0, `one batch of more than ${max / 2} messages (calls: ${calls.map((c) => c.count).join(',')})`);
  assert.ok(big.every((c) => c.array), 'beyond MAX_SPREAD_VALS the values go as one array');
  assert.ok(calls.filter((c) => c.count * native.LAYOUT.COMMAND_VALS <= max).every((c) => !c.array),
    'up to MAX_SPREAD_VALS they go as arguments');
});

test('a batch of a few messages goes as arguments: each echoed, empty ones too', async () => {
  const parts = [frame(OP.TEXT, ''), frame(OP.TEXT, 'a'), frame(OP.BINARY, Buffer.alloc(0)), frame(OP.TEXT, 'é€😀'),
    frame(OP.BINARY, Buffer.from([0, 255]))];
  const got = await burst(Buffer.concat(parts), parts.length);
  assert.deepEqual(got.map((g) => [g.op, g.data.toString('utf8')]),
    [[OP.TEXT, ''], [OP.TEXT, 'a'], [OP.BINARY, ''], [OP.TEXT, 'é€😀'], [OP.BINARY, '\u0000\ufffd']]);
});
