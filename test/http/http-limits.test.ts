// Limits: header section 80 KiB → 431, request-target
// 16 KiB → 414, 2000 headers → 431, and the same limits lowered through options.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { ServerOptions } from '../../src/index.js';
import { RawConn, finalResponses, get, preview, rawRequest, saysClose } from '../helpers/clients.js';
import { finalNoServersTest, recordingApp, withServer } from '../helpers/server.js';

async function status(input: string, options?: ServerOptions): Promise<{ status: number | undefined; called: number; closed: boolean; close: boolean }> {
  const { app, seen } = recordingApp();
  return withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(input).catch(() => undefined);
      await conn.waitFor((d, c) => c || finalResponses(d).length >= 1, 3000, 'a response').catch(() => undefined);
      const [r] = finalResponses(conn.data);
      if (r !== undefined && r.status !== 200) await conn.waitClose(2000);
      return { status: r?.status, called: seen.length, closed: conn.closed, close: r !== undefined && saysClose(r) };
    } finally {
      conn.destroy();
    }
  }, options);
}

const req = (target: string, headers = ''): string => `GET ${target} HTTP/1.1\r\nHost: a\r\n${headers}\r\n`;
const rejected = (s: { status: number | undefined; called: number; closed: boolean; close: boolean }, code: number): void => {
  assert.equal(s.status, code);
  assert.equal(s.called, 0, 'app not called');
  assert.ok(s.close, 'Connection: close');
  assert.ok(s.closed, 'socket closed');
};

test('header section: 80,000-byte header accepted; above 80 KiB → 431', async () => {
  assert.equal((await status(req('/', `X-Big: ${'v'.repeat(80000)}\r\n`))).status, 200);
  rejected(await status(req('/', `X-Big: ${'v'.repeat(82 * 1024)}\r\n`)), 431);
  rejected(await status(req('/', Array.from({ length: 12 }, (_, i) => `X-${i}: ${'v'.repeat(7000)}\r\n`).join(''))), 431);
});

test('request-target: 16,000 bytes accepted; 20 KiB → 414', async () => {
  assert.equal((await status(req(`/${'a'.repeat(16000)}`))).status, 200);
  rejected(await status(req(`/${'a'.repeat(20 * 1024)}`)), 414);
  rejected(await status(req(`/?${'q'.repeat(20 * 1024)}`)), 414);
});

test('header count: 1990 accepted, 2001 → 431', async () => {
  const hs = (n: number): string => Array.from({ length: n }, (_, i) => `h${i}: v\r\n`).join('');
  assert.equal((await status(req('/', hs(1990)))).status, 200);
  rejected(await status(req('/', hs(2001))), 431);
});

test('options lower the limits: maxHeaderSize, maxRequestTargetSize, maxHeaders', async () => {
  assert.equal((await status(req('/', `X: ${'v'.repeat(500)}\r\n`), { maxHeaderSize: 1024 })).status, 200);
  rejected(await status(req('/', `X: ${'v'.repeat(2000)}\r\n`), { maxHeaderSize: 1024 }), 431);
  assert.equal((await status(req(`/${'a'.repeat(90)}`), { maxRequestTargetSize: 100 })).status, 200);
  rejected(await status(req(`/${'a'.repeat(200)}`), { maxRequestTargetSize: 100 }), 414);
  assert.equal((await status(req('/', 'a: 1\r\nb: 2\r\n'), { maxHeaders: 10 })).status, 200);
  const eleven = Array.from({ length: 11 }, (_, i) => `h${i}: v\r\n`).join('');
  rejected(await status(req('/', eleven), { maxHeaders: 10 }), 431);
});

test('over-limit header built from small writes → 431 before the header section ends (8.2 #11)', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ');
      for (let i = 0; i < 200 && !conn.closed && conn.data.length === 0; i++) {
        await conn.write('v'.repeat(16)).catch(() => undefined);
      }
      await conn.waitFor((d, c) => c || d.length > 0, 3000, '431');
      const [r] = finalResponses(conn.data);
      assert.equal(r?.status, 431, preview(conn.data));
      assert.ok(await conn.waitClose(2000));
      assert.equal(seen.length, 0);
    } finally {
      conn.destroy();
    }
  }, { maxHeaderSize: 1024 });
});

test('a 431 does not parse the bytes that follow', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const raw = await rawRequest(server.getPort(), req('/', `X: ${'v'.repeat(2000)}\r\n`) + req('/second'));
    assert.equal(finalResponses(raw.data).length, 1, preview(raw.data));
    assert.equal(seen.length, 0);
  }, { maxHeaderSize: 1024 });
});

test('chunk extensions: 3000 bytes on each of 3 chunks is fine (per-chunk budget, 8.2 #16)', async () => {
  const ext = `;e=${'x'.repeat(3000)}`;
  const body = `2${ext}\r\nab\r\n2${ext}\r\ncd\r\n2${ext}\r\nef\r\n0\r\n\r\n`;
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(`POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${body}`);
      const [r] = await conn.responses(1);
      assert.equal(r.status, 200);
      assert.equal(seen[0].body.toString(), 'abcdef');
    } finally {
      conn.destroy();
    }
  });
});

test('maxConnections: connections beyond the limit are closed; the others are served', async () => {
  const { app } = recordingApp();
  await withServer(app, async ({ server }) => {
    const a = await RawConn.connect(server.getPort());
    const b = await RawConn.connect(server.getPort());
    try {
      await a.write(get('/a'));
      await b.write(get('/b'));
      await a.responses(1);
      await b.responses(1);
      const c = await RawConn.connect(server.getPort());
      try {
        await c.write(get('/c')).catch(() => undefined);
        await c.waitFor((d, closed) => closed || d.length > 0, 3000, 'refusal');
        const [r] = finalResponses(c.data);
        assert.ok(c.closed || (r !== undefined && r.status === 503), preview(c.data));
        if (r !== undefined) assert.notEqual(r.status, 200);
      } finally {
        c.destroy();
      }
      await a.write(get('/a2'));
      assert.equal((await a.responses(2))[1].status, 200, 'existing connections still served');
    } finally {
      a.destroy();
      b.destroy();
    }
  }, { maxConnections: 2 });
});

finalNoServersTest();
