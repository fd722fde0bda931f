// A call that throws, rejects, returns nothing or garbage → 500, and the same keep-alive
// connection still answers the next request.
import assert from 'node:assert/strict';
import test from 'node:test';
import { RawConn, get, preview } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import type { App } from '../../src/index.js';

const cases: Array<[string, () => unknown]> = [
  ['throws', () => { throw new Error('boom-sync'); }],
  ['throws a non-Error', () => { throw 'a string'; }],
  ['rejects', () => Promise.reject(new Error('boom-async'))],
  ['returns undefined', () => undefined],
  ['returns null', () => null],
  ['returns a number', () => 42],
  ['returns a string', () => 'hello'],
  ['resolves to undefined', () => Promise.resolve(undefined)],
  ['status is a string', () => ({ status: 'x', body: 'b' })],
  ['status is missing', () => ({ body: 'b' })],
  ['status 99', () => ({ status: 99, body: 'b' })],
  ['status 1000', () => ({ status: 1000, body: 'b' })],
  ['status 200.5', () => ({ status: 200.5, body: 'b' })],
  ['header value is an object', () => ({ status: 200, headers: { 'X-O': {} }, body: 'b' })],
  ['header value is undefined', () => ({ status: 200, headers: { 'X-U': undefined }, body: 'b' })],
  ['header value is a function', () => ({ status: 200, headers: { 'X-F': () => 1 }, body: 'b' })],
  ['header pairs are not pairs', () => ({ status: 200, headers: [['X-A']], body: 'b' })],
  ['header name has a space', () => ({ status: 200, headers: { 'Bad Name': 'v' }, body: 'b' })],
  ['body is a number', () => ({ status: 200, body: 12345 })],
  ['body is a plain object', () => ({ status: 200, body: { nope: 1 } })],
];

function appFor(bad: () => unknown): App {
  return {
    call(req) {
      if (req.PATH_INFO === '/good') return { status: 200, body: 'good' };
      return bad() as never;
    },
  };
}

for (const [name, bad] of cases) {
  test(`call ${name} → 500, then the connection answers /good`, async () => {
    await withServer(appFor(bad), async ({ server }) => {
      const conn = await RawConn.connect(server.getPort());
      try {
        await conn.write(get('/bad'));
        const [r] = await conn.responses(1, 3000);
        assert.equal(r.status, 500, preview(conn.data));
        await conn.write(get('/good'));
        const res = await conn.responses(2, 3000);
        assert.equal(res[1].status, 200);
        assert.equal(res[1].body.toString(), 'good');
      } finally {
        conn.destroy();
      }
    });
  });
}

test('the 500 body names the error message (httpuv: "ERROR: <msg>")', async () => {
  await withServer(appFor(() => { throw new Error('distinctive-message'); }), async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/bad'));
      const [r] = await conn.responses(1);
      assert.match(r.body.toString(), /distinctive-message/);
    } finally {
      conn.destroy();
    }
  });
});

test('CR/LF in a header value never splits the response', async () => {
  await withServer(appFor(() => ({ status: 200, headers: { 'X-Inj': 'a\r\nInjected: 1' }, body: 'b' })), async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/bad') + get('/good'));
      const res = await conn.responses(2);
      assert.equal(res[0].get('injected'), undefined, res[0].head);
      assert.equal(res[1].body.toString(), 'good');
    } finally {
      conn.destroy();
    }
  });
});

test('onHeaders that throws → 500; call is not run', async () => {
  let called = 0;
  await withServer({ onHeaders: () => { throw new Error('boom in headers'); }, call: () => { called++; return { status: 200 }; } },
    async ({ server }) => {
      const conn = await RawConn.connect(server.getPort());
      try {
        await conn.write(get('/x'));
        const [r] = await conn.responses(1);
        assert.equal(r.status, 500);
        assert.equal(called, 0);
      } finally {
        conn.destroy();
      }
    });
});

test('unknown status codes are sent with some reason phrase (418, 299)', async () => {
  await withServer((req) => ({ status: Number(req.PATH_INFO.slice(1)), body: 'x' }), async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/418') + get('/299'));
      const res = await conn.responses(2);
      assert.deepEqual(res.map((r) => r.status), [418, 299]);
    } finally {
      conn.destroy();
    }
  });
});

finalNoServersTest();
