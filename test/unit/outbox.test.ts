// The outbox alone (src/outbox.ts) over a fake binding: batching, the RESPONSE encoding of a
// NativeResponse, and that a failing send never throws.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Outbox } from '../../src/outbox.js';
import type { NativeResponse } from '../../src/native.js';
import { addonLoaded, captureLog, fakeBinding, settle } from './fake-binding.js';

function res(over: Partial<NativeResponse>): NativeResponse {
  return { status: 200, headers: [], body: null, file: null, fileOwned: false, gzip: false, ...over };
}

test('commands queued in one tick leave in one commands_send, in order, at the microtask checkpoint', async () => {
  const fake = fakeBinding();
  const out = new Outbox(fake);
  out.queueWsSend(1, false, 'a');
  out.queueWsSend(1, true, new Uint8Array([7]));
  out.queueWsClose(1, 1000, 'done');
  out.queueWsCloseAck(2);
  assert.deepEqual(fake.sends, [], 'nothing sent synchronously');
  await settle();
  assert.deepEqual(fake.sends, [4]);
  assert.deepEqual(fake.commands.map((c) => [c.kind, c.id, c.a]),
    [['WS_TEXT', 1, 0], ['WS_BINARY', 1, 0], ['WS_CLOSE', 1, 1000], ['WS_CLOSE_ACK', 2, 0]]);
  assert.equal(fake.commands[2].v0, 'done');
  out.queueWsSend(3, false, 'b');
  await settle();
  assert.deepEqual(fake.sends, [4, 1], 'a later tick is its own send');
});

test('batch(f) holds every command f queues (nested too) and sends them once at the end', () => {
  const fake = fakeBinding();
  const out = new Outbox(fake);
  out.batch(() => {
    out.queueWsSend(1, false, 'x');
    out.batch(() => out.queueWsSend(2, false, 'y'));
    assert.deepEqual(fake.sends, [], 'the inner batch does not flush');
    out.queueWsSend(3, false, 'z');
  });
  assert.deepEqual(fake.sends, [3]);
  assert.deepEqual(fake.commands.map((c) => c.id), [1, 2, 3]);
});

test('more commands than the initial buffer holds: all of them arrive, intact', () => {
  const fake = fakeBinding();
  const out = new Outbox(fake);
  out.batch(() => {
    for (let i = 0; i < 1000; i++) out.queueWsClose(i, 1000 + (i % 7), `r${i}`);
  });
  assert.deepEqual(fake.sends, [1000]);
  fake.commands.forEach((c, i) => {
    assert.equal(c.kind, 'WS_CLOSE');
    assert.equal(c.id, i);
    assert.equal(c.a, 1000 + (i % 7));
    assert.equal(c.v0, `r${i}`);
  });
});

test('a NativeResponse is encoded by name: body kinds, gzip and owned-file flags, packed headers', () => {
  const fake = fakeBinding();
  const out = new Outbox(fake);
  const bytes = new Uint8Array([1, 2, 3]);
  out.batch(() => {
    out.queueResponse(1, res({ status: 204 }));
    out.queueResponse(2, res({ status: 200, headers: ['A', '1', 'B', '2'], body: 'text', gzip: true }));
    out.queueResponse(3, res({ body: bytes }));
    out.queueResponse(4, res({ file: '/tmp/f', fileOwned: true }));
    out.queueResponse(5, res({ file: '/tmp/g' }));
    out.queueResponse(6, res({ body: '' }));
  });
  assert.deepEqual(fake.responses(), [
    { id: 1, status: 204, headers: [], bodyKind: 'NONE', body: null, gzip: false, fileOwned: false },
    { id: 2, status: 200, headers: [['A', '1'], ['B', '2']], bodyKind: 'MEMORY', body: 'text', gzip: true, fileOwned: false },
    { id: 3, status: 200, headers: [], bodyKind: 'MEMORY', body: bytes, gzip: false, fileOwned: false },
    { id: 4, status: 200, headers: [], bodyKind: 'FILE', body: '/tmp/f', gzip: false, fileOwned: true },
    { id: 5, status: 200, headers: [], bodyKind: 'FILE', body: '/tmp/g', gzip: false, fileOwned: false },
    { id: 6, status: 200, headers: [], bodyKind: 'MEMORY', body: '', gzip: false, fileOwned: false },
  ]);
  assert.equal(fake.commands[0].v0, '', 'no headers: an empty string, not an array');
});

test('a commands_send that throws never escapes: logged, and the next batch goes out', async () => {
  const log = captureLog('ERROR');
  try {
    const fake = fakeBinding();
    const out = new Outbox(fake);
    fake.failWith = new Error('bad entry');
    assert.doesNotThrow(() => out.batch(() => out.queueWsSend(1, false, 'lost')));
    out.queueWsSend(2, false, 'lost too');
    await settle();  // the microtask flush must not throw either (it would end the process)
    assert.equal(log.lines('ERROR').length, 2);
    assert.match(log.lines('ERROR')[0], /internal error sending 1 command\(s\) to the I\/O thread: .*bad entry/);
    fake.failWith = null;
    out.batch(() => out.queueWsSend(3, false, 'kept'));
    assert.deepEqual(fake.commands.map((c) => [c.id, c.v0]), [[3, 'kept']]);
  } finally {
    log.restore();
  }
});

test('flush with nothing queued sends nothing', () => {
  const fake = fakeBinding();
  const out = new Outbox(fake);
  out.flush();
  out.batch(() => {});
  assert.deepEqual(fake.sends, []);
  assert.equal(addonLoaded(), false);
});

test('values go to commands_send as arguments up to LAYOUT.MAX_SPREAD_VALS, as one array beyond, intact either way', () => {
  // The fake's MAX_SPREAD_VALS is 8: four commands (8 values) still go as arguments, five as an array.
  for (const [count, arrays] of [[1, 0], [4, 0], [5, 1], [300, 1]] as const) {
    const fake = fakeBinding();
    const out = new Outbox(fake);
    out.batch(() => {
      for (let i = 0; i < count; i++) {
        if (i % 3 === 0) out.queueWsSend(i, false, `t${i}`, 2 + String(i).length);
        else if (i % 3 === 1) out.queueWsSend(i, true, new Uint8Array([i & 0xff]));
        else out.queueWsCloseAck(i);
      }
    });
    assert.deepEqual(fake.sends, [count], `${count} commands`);
    assert.equal(fake.arraySends, arrays, `${count} commands: values as ${arrays ? 'an array' : 'arguments'}`);
    fake.commands.forEach((c, i) => {
      assert.equal(c.id, i);
      if (i % 3 === 0) assert.deepEqual([c.kind, c.v0, c.v1], ['WS_TEXT', `t${i}`, undefined]);
      else if (i % 3 === 1) assert.deepEqual([c.kind, c.v0], ['WS_BINARY', new Uint8Array([i & 0xff])]);
      else assert.deepEqual([c.kind, c.v0, c.v1], ['WS_CLOSE_ACK', undefined, undefined]);
    });
  }
});
