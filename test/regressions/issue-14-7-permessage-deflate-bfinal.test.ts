// Issue 14, class 7(a): RFC 7692 §7.2.3.4 lets a sender end a compressed message with a deflate
// block that has BFINAL set. The server appended the 00 00 FF FF tail after such a message too,
// which began a stored block that never ended, so the *next* compressed message failed with
// 1007. Now a message whose stream ended gets no tail, and the next bytes start a new stream
// that keeps the LZ77 window (context takeover), so a later message may still refer back.
// Raw client: messages compressed by Node's zlib with Z_FINISH (deflateRawSync's default, which
// ends in a BFINAL block with nothing after it), several in a row, with and without
// back-references, under every context-takeover offer.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { startServer, type WebSocket } from '../../src/index.js';
import { finalNoServersTest } from '../helpers/server.js';
import { OP, RawWs, frame } from '../websocket/ws-helpers.js';

const RSV1 = 4; // frame()'s rsv is bits RSV1..RSV3 as 4/2/1

interface Session {
  ws: RawWs;
  received: Array<string | Buffer>;
  closes: Array<[number, string]>;
  response: string;
  done: () => Promise<void>;
}

async function open(offer: string): Promise<Session> {
  const received: Array<string | Buffer> = [];
  const closes: Array<[number, string]> = [];
  const server = startServer('127.0.0.1', 0, {
    onWSOpen(s: WebSocket) {
      s.onMessage((_binary, msg) => { received.push(msg); s.send(`ok ${received.length}`); });
      s.onClose((code?: number, reason?: string) => { closes.push([code ?? 0, reason ?? '']); });
    },
  });
  let ws: RawWs;
  try {
    ws = await RawWs.open(server.getPort(), `Sec-WebSocket-Extensions: ${offer}\r\n`);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    ws, received, closes, response: ws.response,
    done: async () => { ws.destroy(); await server.stop(); },
  };
}

/** Sends compressed payloads as RSV1 text frames (all in one write) and waits for every ack. */
async function sendAll(s: Session, payloads: Buffer[], binary = false): Promise<void> {
  await s.ws.write(Buffer.concat(payloads.map((p) => frame(binary ? OP.BINARY : OP.TEXT, p, { rsv: RSV1 }))));
  const ok = await s.ws.until(() => s.ws.data(OP.TEXT).length >= payloads.length || s.ws.remoteClose !== null, 5000);
  assert.ok(ok, 'acks arrived');
  assert.equal(s.ws.remoteClose, null,
    `the server closed with ${s.ws.remoteClose?.code} ${s.ws.remoteClose?.reason.toString()}`);
  assert.deepEqual(s.ws.data(OP.TEXT).map((e) => e.data.toString()),
    payloads.map((_p, i) => `ok ${i + 1}`));
}

/** Z_FINISH (BFINAL, nothing after it), a fresh stream per message. */
const finish = (text: string): Buffer => zlib.deflateRawSync(Buffer.from(text));

/** Z_FINISH with the last 32 KiB of what was sent before as dictionary: refers back into it. */
function finishWithHistory(): (text: string) => Buffer {
  let history = Buffer.alloc(0);
  return (text: string) => {
    const b = Buffer.from(text);
    const z = history.length > 0
      ? zlib.deflateRawSync(b, { dictionary: history.subarray(Math.max(0, history.length - 32768)) })
      : zlib.deflateRawSync(b);
    history = Buffer.concat([history, b]);
    return z;
  };
}

/** What ws and browsers send: Z_SYNC_FLUSH and the 00 00 FF FF tail removed (a fresh stream). */
function syncFlushed(text: string): Buffer {
  const z = zlib.deflateRawSync(Buffer.from(text), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  assert.deepEqual([...z.subarray(z.length - 4)], [0, 0, 0xff, 0xff]);
  return z.subarray(0, z.length - 4);
}

function texts(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(`message ${i}: ` + 'the quick brown fox jumps over the lazy dog, κόσμε € '.repeat(20 + i * 7));
  }
  out.push('x');
  out.push('');
  return out;
}

test('context takeover: several BFINAL-terminated messages in a row (fresh streams)', async () => {
  const s = await open('permessage-deflate');
  try {
    assert.match(s.response, /Sec-WebSocket-Extensions: permessage-deflate/i);
    const t = texts(6);
    for (const z of t.map(finish)) assert.equal(z[0] & 1, 1, 'the first block is final');
    await sendAll(s, t.map(finish));
    assert.deepEqual(s.received, t);
    assert.deepEqual(s.closes, []);
  } finally {
    await s.done();
  }
});

test('context takeover: BFINAL messages that refer back into earlier messages (dictionary)', async () => {
  const s = await open('permessage-deflate');
  try {
    const t = texts(6);
    const z = t.map(finishWithHistory());
    // The back-references are real: the second message alone does not inflate.
    assert.throws(() => zlib.inflateRawSync(z[1]));
    await sendAll(s, z);
    assert.deepEqual(s.received, t);
  } finally {
    await s.done();
  }
});

test('context takeover: the RFC 7692 §7.2.3.4 bytes with and without the trailing 0x00, then a back-reference', async () => {
  const s = await open('permessage-deflate');
  try {
    await sendAll(s, [
      Buffer.from('f348cdc9c90700', 'hex'), // "Hello", BFINAL, nothing after it
      Buffer.from('f348cdc9c9070000', 'hex'), // the RFC's form: BFINAL block, then 0x00
      Buffer.from('f200110000', 'hex'), // "Hello" as a reference into the window (§7.2.3.2)
      Buffer.from('f348cdc9c90700', 'hex'),
    ]);
    assert.deepEqual(s.received, ['Hello', 'Hello', 'Hello', 'Hello']);
  } finally {
    await s.done();
  }
});

for (const offer of ['permessage-deflate; client_no_context_takeover',
  'permessage-deflate; server_no_context_takeover',
  'permessage-deflate; client_no_context_takeover; server_no_context_takeover']) {
  test(`${offer}: BFINAL messages in a row`, async () => {
    const s = await open(offer);
    try {
      for (const param of offer.split('; ')) assert.ok(s.response.includes(param), `${param} accepted`);
      const t = texts(5);
      await sendAll(s, t.map(finish));
      assert.deepEqual(s.received, t);
    } finally {
      await s.done();
    }
  });
}

test('BFINAL messages interleaved with sync-flushed ones, binary, and one fragmented over frames', async () => {
  const s = await open('permessage-deflate');
  try {
    const t = texts(4);
    const payloads = [finish(t[0]), syncFlushed(t[1]), finish(t[2]), syncFlushed(t[3]), finish(t[0])];
    await sendAll(s, payloads, true);
    assert.deepEqual(s.received.map((b) => Buffer.from(b).toString()), [t[0], t[1], t[2], t[3], t[0]]);
    // A BFINAL message cut into 3-byte continuation frames, then a compressed one.
    const z = finish(t[1]);
    const frames: Buffer[] = [frame(OP.TEXT, z.subarray(0, 3), { fin: false, rsv: RSV1 })];
    for (let i = 3; i < z.length; i += 3) frames.push(frame(OP.CONT, z.subarray(i, i + 3), { fin: i + 3 >= z.length }));
    frames.push(frame(OP.TEXT, finish(t[2]), { rsv: RSV1 }));
    await s.ws.write(Buffer.concat(frames));
    assert.ok(await s.ws.until(() => s.received.length === 7 || s.ws.remoteClose !== null, 5000));
    assert.equal(s.ws.remoteClose, null);
    assert.deepEqual(s.received.slice(5), [t[1], t[2]]);
  } finally {
    await s.done();
  }
});

test('corrupt bytes after a final block still fail the connection with 1007', async () => {
  const s = await open('permessage-deflate');
  try {
    await s.ws.write(frame(OP.TEXT, Buffer.concat([finish('fine'), Buffer.from('ffffffff', 'hex')]), { rsv: RSV1 }));
    const c = await s.ws.closed(5000);
    assert.equal(c.code, 1007);
  } finally {
    await s.done();
  }
});

finalNoServersTest();
