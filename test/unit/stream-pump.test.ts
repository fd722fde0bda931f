// The streamed-response pump (src/stream-pump.ts) and the streamed request body
// (src/request-body.ts) alone, over the fake binding's outbox: the window (at most STREAM.WINDOW
// bytes sent ahead of the acknowledgements), the end and the abort, a client that leaves, and a
// request body read as it arrives with its credit.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Outbox } from '../../src/outbox.js';
import { StreamPump } from '../../src/stream-pump.js';
import { openStreamSource } from '../../src/stream-body.js';
import { StreamingBody } from '../../src/request-body.js';
import { fakeBinding } from './fake-binding.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function settleAll(): Promise<void> {
  for (let i = 0; i < 5; i++) await turn();
}

test('many small chunks in flight: the window counts each one until its acknowledgement (the ring of sizes grows)', async () => {
  const fake = fakeBinding();
  const out = new Outbox(fake);
  const sizes: number[] = [];
  for (let i = 0; i < 500; i++) sizes.push(1 + (i % 7));
  const total = sizes.reduce((a, b) => a + b, 0);
  const src = openStreamSource((async function* () { for (const n of sizes) yield 'y'.repeat(n); })())!;
  let done = false;
  const pump = new StreamPump(out, 9, src, () => { done = true; }, 1000);
  pump.start();
  await settleAll();
  const sent = (): number => fake.commands.filter((c) => c.kind === 'STREAM_CHUNK').length;
  const bytes = (k: number): number => sizes.slice(0, k).reduce((a, b) => a + b, 0);
  // More than 64 chunks are in flight at once (the ring grows), never past the window.
  assert.ok(sent() > 64, `${sent()} chunks in flight`);
  assert.ok(bytes(sent() - 1) < 1000, 'the window was full only after the last chunk');
  let acked = 0;
  for (const step of [3, 70, 1, 150, 200, 500]) {
    acked = Math.min(acked + step, sent());
    pump.ack(step);
    await settleAll();
    assert.ok(bytes(sent() - 1) - bytes(acked) < 1000, `after ${acked} acknowledged, ${sent()} sent`);
  }
  pump.ack(500);
  await settleAll();
  assert.equal(sent(), 500);
  assert.equal(bytes(500), total);
  assert.equal(done, true);
});

test('the pump sends chunks until the window is full, then only as acknowledgements come', async () => {
  const fake = fakeBinding();
  const out = new Outbox(fake);
  let produced = 0;
  const src = openStreamSource((async function* () { for (let i = 0; i < 10; i++) { produced++; yield 'x'.repeat(300); } })())!;
  let done = false;
  const pump = new StreamPump(out, 7, src, () => { done = true; }, 1000);
  pump.start();
  await settleAll();
  const chunks = () => fake.commands.filter((c) => c.kind === 'STREAM_CHUNK').length;
  assert.equal(chunks(), 4, '4 × 300 bytes reach the 1000-byte window');
  assert.ok(produced <= 5, `the source was read ahead by at most one chunk (${produced})`);
  pump.ack(2);
  await settleAll();
  assert.equal(chunks(), 6);
  pump.ack(10);
  await settleAll();
  assert.equal(chunks(), 10);
  assert.equal(done, false, 'the window is full again: the end is not read yet');
  pump.ack(4);
  await settleAll();
  assert.deepEqual(fake.commands.slice(-1).map((c) => [c.kind, c.id]), [['STREAM_END', 7]]);
  assert.equal(done, true);
});

test('a source that throws ends with STREAM_ABORT; gone() returns the iterator', async () => {
  const fake = fakeBinding();
  const out = new Outbox(fake);
  const bad = openStreamSource((async function* () { yield 'a'; throw new Error('boom'); })())!;
  new StreamPump(out, 1, bad, () => {}, 1000).start();
  let returned = false;
  const endless = openStreamSource((async function* () {
    try { for (;;) { yield 'b'; await turn(); } } finally { returned = true; }
  })())!;
  const p2 = new StreamPump(out, 2, endless, () => {}, 1000);
  p2.start();
  await settleAll();
  p2.gone();
  await settleAll();
  assert.ok(fake.commands.some((c) => c.kind === 'STREAM_ABORT' && c.id === 1));
  assert.equal(fake.commands.some((c) => c.id === 2 && (c.kind === 'STREAM_END' || c.kind === 'STREAM_ABORT')), false);
  assert.equal(returned, true);
});

test('a streamed request body: reads wait for the bytes, each read is credited, the end and a failure', async () => {
  const credits: number[] = [];
  const body = new StreamingBody((n) => credits.push(n));
  assert.throws(() => body.read(), { code: 'ERR_HTTPUV_BODY_STREAMING' });
  const first = body.readAsync(3);
  body._push(Buffer.from('hello'));
  assert.equal((await first).toString(), 'hel');
  body._push(Buffer.from(' world'));
  const seen: string[] = [];
  const it = body[Symbol.asyncIterator]();
  seen.push(String((await it.next()).value));
  body._end();
  const last = await it.next();
  seen.push(String(last.value));
  assert.deepEqual(seen, ['lo', ' world']);
  assert.equal((await it.next()).done, true);
  assert.deepEqual(credits, [3, 2, 6]);
  const failing = new StreamingBody(() => {});
  const pending = failing.readAsync();
  failing._fail(new Error('gone'));
  await assert.rejects(pending, /gone/);
  const whole = new StreamingBody(() => {});
  whole._push(Buffer.from('ab'));
  whole._end();
  assert.equal(whole.read().toString(), 'ab', 'a body that fully arrived and was not read async reads whole');
});
