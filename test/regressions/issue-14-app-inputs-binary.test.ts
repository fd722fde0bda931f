// Issue 14, class 6: a body or ws.send() argument that was a Uint8Array over a SharedArrayBuffer
// threw inside the command flush (Napi::TypedArray::ArrayBuffer() refuses shared memory), out of
// a microtask: the process exited and the other responses of that batch were lost. Now binary
// data is normalised when it is handed over (any ArrayBufferView, ArrayBuffer or
// SharedArrayBuffer; shared memory copied), the addon converts each command on its own, and a
// malformed response (throwing getters, a Proxy, a Symbol header, a BigInt status) is a logged
// 500 that costs no other response.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocketClient from 'ws';
import { listServers, logLevel, startServer, type Response, type WebSocket } from '../../src/index.js';
import { RawConn } from '../helpers/clients.js';
import { withTimeout } from '../helpers/tools.js';

const previousLevel = logLevel('OFF');
after(() => {
  logLevel(previousLevel);
  assert.deepEqual(listServers(), []);
});

function sabWith(text: string): SharedArrayBuffer {
  const b = Buffer.from(text);
  const sab = new SharedArrayBuffer(b.length);
  new Uint8Array(sab).set(b);
  return sab;
}

function detachedView(): Uint8Array {
  const u = new Uint8Array(8);
  structuredClone(u.buffer, { transfer: [u.buffer] });
  return u;
}

// Every body kind the app may pass, with the bytes that must arrive (null: a 500 is expected).
function bodies(): Record<string, [unknown, Buffer | null]> {
  const base = Buffer.from('0123456789');
  const f64 = new Float64Array([1.5, -2]);
  return {
    '/sab-view': [new Uint8Array(sabWith('shared hello')), Buffer.from('shared hello')],
    '/sab-offset': [new Uint8Array(sabWith('xxSHAREDyy'), 2, 6), Buffer.from('SHARED')],
    '/sab': [sabWith('bare sab'), Buffer.from('bare sab')],
    '/sab-dataview': [new DataView(sabWith('dv over sab')), Buffer.from('dv over sab')],
    '/arraybuffer': [new Uint8Array(Buffer.from('array buffer')).buffer, Buffer.from('array buffer')],
    '/dataview': [new DataView(new Uint8Array(Buffer.from('abcdef')).buffer, 1, 3), Buffer.from('bcd')],
    '/float64': [f64, Buffer.from(f64.buffer)],
    '/slice': [base.subarray(3, 7), Buffer.from('3456')],
    '/int16-offset': [new Int16Array(new Uint8Array([9, 9, 1, 2, 3, 4]).buffer, 2, 2), Buffer.from([1, 2, 3, 4])],
    '/detached': [detachedView(), null],
    '/number': [42, null],
    '/object': [{ notAFile: true }, null],
  };
}

async function request(port: number, target: string): Promise<{ status: number; body: Buffer }> {
  const c = await RawConn.connect(port);
  try {
    await c.write(`GET ${target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    const [r] = await c.responses(1, 5000);
    return { status: r.status, body: r.body };
  } finally {
    c.destroy();
  }
}

test('every kind of binary body is delivered as its bytes (SharedArrayBuffer copied); bad ones are a 500', async () => {
  const table = bodies();
  const s = startServer('127.0.0.1', 0, (req) => ({ status: 200, body: table[req.PATH_INFO][0] as Response['body'] }));
  try {
    for (const [target, [, want]] of Object.entries(table)) {
      const r = await withTimeout(request(s.getPort(), target), 5000, target);
      if (want === null) {
        assert.equal(r.status, 500, target);
      } else {
        assert.equal(r.status, 200, target);
        assert.deepEqual(r.body, want, target);
      }
    }
  } finally {
    await s.stop();
  }
});

// Responses answered in one tick leave in one command batch: one bad entry must not cost the rest.
async function batchTest(bad: () => unknown, badStatus: number): Promise<void> {
  const N = 51;
  const answers = new Map<string, () => void>();
  const s = startServer('127.0.0.1', 0, (req) => new Promise<Response>((resolve) => {
    const n = req.PATH_INFO.slice(1);
    answers.set(n, () => resolve(n === '25'
      ? bad() as Response
      : { status: 200, body: `answer ${n}` }));
    if (answers.size === N) for (const f of answers.values()) f();
  }));
  const conns: RawConn[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const c = await RawConn.connect(s.getPort());
      conns.push(c);
      await c.write(`GET /${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
    }
    const results = await withTimeout(Promise.all(conns.map((c) => c.responses(1, 10_000))), 15_000, 'all answers');
    results.forEach(([r], i) => {
      if (i === 25) {
        assert.equal(r.status, badStatus, 'the bad entry');
      } else {
        assert.equal(r.status, 200, `answer ${i}`);
        assert.equal(r.body.toString(), `answer ${i}`);
      }
    });
  } finally {
    for (const c of conns) c.destroy();
    await s.stop();
  }
}

test('50 good responses and one SharedArrayBuffer body in the same batch: all 51 delivered', async () => {
  await batchTest(() => ({ status: 200, body: new Uint8Array(sabWith('answer 25')) }), 200);
});

test('50 good responses and one malformed response in the same batch: 50 delivered, the bad one a 500', async () => {
  const hostile: Array<() => unknown> = [
    () => ({ status: 200, get body(): never { throw new Error('body getter'); } }),
    () => ({ get status(): never { throw new Error('status getter'); }, body: 'x' }),
    () => ({ status: 200, headers: { get 'X-A'(): never { throw new Error('header getter'); } }, body: 'x' }),
    () => new Proxy({}, { get() { throw new Error('proxy trap'); } }),
    () => new Proxy({}, { getPrototypeOf() { throw new Error('proto trap'); }, get() { throw new Error('trap'); } }),
    () => ({ status: 200, headers: { 'X-A': Symbol('s') }, body: 'x' }),
    () => ({ status: 200n, body: 'x' }),
    () => ({ status: 200, headers: { 'X-A': { toString() { throw new Error('toString'); } } }, body: 'x' }),
    () => ({ status: 200, body: detachedView() }),
    () => ({ status: 200, body: { file: 42 } }),
  ];
  for (const h of hostile) await batchTest(h, 500);
});

test('an app that throws a value whose printing throws still gets its 500; the process lives', async () => {
  const nasty = [
    new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('proto'); } }),
    { toString() { throw new Error('toString'); } },
    Symbol('thrown'),
  ];
  let i = 0;
  const s = startServer('127.0.0.1', 0, {
    call: (req) => {
      const v = nasty[Number(req.PATH_INFO.slice(2)) % nasty.length];
      if (req.PATH_INFO.startsWith('/a')) return Promise.reject(v);
      throw v;
    },
  });
  try {
    for (const p of ['/s0', '/s1', '/s2', '/a0', '/a1', '/a2']) {
      const r = await withTimeout(request(s.getPort(), p), 5000, p);
      assert.equal(r.status, 500, p);
      i++;
    }
    assert.equal(i, 6);
  } finally {
    await s.stop();
  }
});

test('ws.send: SharedArrayBuffer views, DataView, typed arrays and ArrayBuffers arrive as their bytes', async () => {
  const f64 = new Float64Array([3.25]);
  const messages: Array<[unknown, Buffer]> = [
    [new Uint8Array(sabWith('sab view')), Buffer.from('sab view')],
    [new Uint8Array(sabWith('..off..'), 2, 3), Buffer.from('off')],
    [sabWith('bare sab'), Buffer.from('bare sab')],
    [new DataView(new Uint8Array(Buffer.from('dataview')).buffer), Buffer.from('dataview')],
    [f64, Buffer.from(f64.buffer)],
    [Buffer.from('0123456789').subarray(2, 5), Buffer.from('234')],
    [new Uint8Array(Buffer.from('ab')).buffer, Buffer.from('ab')],
  ];
  const errors: string[] = [];
  const s = startServer('127.0.0.1', 0, {
    onWSOpen(ws: WebSocket) {
      ws.onMessage(() => {
        for (const [m] of messages) ws.send(m as Uint8Array);
        for (const bad of [detachedView(), 42, { length: 1 }, null]) {
          try {
            ws.send(bad as Uint8Array);
            errors.push('no error');
          } catch (err) {
            errors.push(err instanceof TypeError && /message/.test(err.message) ? 'TypeError' : String(err));
          }
        }
        ws.send('done');
      });
    },
  });
  const client = new WebSocketClient(`ws://127.0.0.1:${s.getPort()}/`);
  try {
    const got: Buffer[] = [];
    await withTimeout(new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('open', () => client.send('go'));
      client.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary && data.toString() === 'done') resolve();
        else got.push(Buffer.from(data));
      });
    }), 5000, 'the messages');
    assert.deepEqual(got, messages.map(([, want]) => want));
    assert.deepEqual(errors, ['TypeError', 'TypeError', 'TypeError', 'TypeError']);
  } finally {
    client.terminate();
    await s.stop();
  }
});
