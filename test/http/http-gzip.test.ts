// gzip of dynamic responses: negotiation with q-values, size and type
// thresholds, the app's Content-Encoding, Vary; bodies decompressed and compared.
import assert from 'node:assert/strict';
import test from 'node:test';
import { gunzipSync } from 'node:zlib';
import { RawConn, httpRequest, parseResponses, rawRequest } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import type { Response, RookRequest } from '../../src/index.js';

const TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(100); // 4500 bytes

function app(req: RookRequest): Response {
  const q = new URLSearchParams(req.QUERY_STRING.slice(1));
  const size = Number(q.get('size') ?? TEXT.length);
  const headers: Record<string, string> = { 'Content-Type': q.get('type') ?? 'text/plain' };
  if (q.get('enc')) headers['Content-Encoding'] = q.get('enc') ?? '';
  return { status: 200, headers, body: 'a'.repeat(Math.max(0, size - TEXT.length)) + TEXT.slice(0, size) };
}

async function get(port: number, path: string, ae?: string) {
  return httpRequest(port, { path, headers: ae === undefined ? {} : { 'Accept-Encoding': ae } });
}

function expectGzip(r: { headers: Record<string, unknown>; body: Buffer }, plain: string): void {
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.match(String(r.headers.vary ?? ''), /accept-encoding/i);
  assert.equal(gunzipSync(r.body).toString(), plain);
}

function expectPlain(r: { headers: Record<string, unknown>; body: Buffer }, plain: string): void {
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.body.toString(), plain);
}

test('Accept-Encoding negotiation (q-values honoured)', async () => {
  await withServer(app, async ({ server }) => {
    const p = server.getPort();
    const yes = ['gzip', 'gzip, deflate, br', 'br;q=1, gzip;q=0.5', 'GZIP', 'gzip;q=1.0', '*', 'identity, gzip'];
    const no = ['gzip;q=0', 'gzip; q=0.000', 'identity', 'deflate', 'br', '', 'xgzipx', '*;q=0', 'gzip;q=0, *'];
    const bad: string[] = [];
    for (const ae of yes) {
      try { expectGzip(await get(p, '/', ae), TEXT); } catch (e) { bad.push(`${JSON.stringify(ae)} should gzip: ${(e as Error).message}`); }
    }
    for (const ae of no) {
      try { expectPlain(await get(p, '/', ae), TEXT); } catch (e) { bad.push(`${JSON.stringify(ae)} should not gzip: ${(e as Error).message}`); }
    }
    assert.deepEqual(bad, []);
    expectPlain(await get(p, '/'), TEXT);
  });
});

test('bodies under 1 KiB are not compressed; 1 KiB and more are', async () => {
  await withServer(app, async ({ server }) => {
    const p = server.getPort();
    const small = await get(p, '/?size=1023', 'gzip');
    expectPlain(small, TEXT.slice(0, 1023));
    assert.equal(small.headers['content-length'], '1023');
    expectGzip(await get(p, '/?size=1024', 'gzip'), TEXT.slice(0, 1024));
    const big = 200000;
    const r = await get(p, `/?size=${big}`, 'gzip');
    assert.equal(gunzipSync(r.body).length, big);
  });
});

test('compressible types are gzipped, incompressible ones are not', async () => {
  await withServer(app, async ({ server }) => {
    const p = server.getPort();
    for (const t of ['text/html; charset=utf-8', 'application/json', 'text/css', 'image/svg+xml']) {
      expectGzip(await get(p, `/?type=${encodeURIComponent(t)}`, 'gzip'), TEXT);
    }
    for (const t of ['image/png', 'image/jpeg', 'application/zip', 'video/mp4']) {
      expectPlain(await get(p, `/?type=${encodeURIComponent(t)}`, 'gzip'), TEXT);
    }
  });
});

test('the app set Content-Encoding: passed through, never gzipped again', async () => {
  await withServer(app, async ({ server }) => {
    const r = await get(server.getPort(), '/?enc=br', 'gzip');
    assert.equal(r.headers['content-encoding'], 'br');
    assert.equal(r.body.toString(), TEXT);
  });
});

test('gzip: false turns it off', async () => {
  await withServer(app, async ({ server }) => {
    expectPlain(await get(server.getPort(), '/', 'gzip'), TEXT);
  }, { gzip: false });
});

test('gzipped responses keep the keep-alive connection framed', async () => {
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      const req = 'GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n';
      await conn.write(req + req + 'GET /?size=10 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n');
      const res = await conn.responses(3);
      assert.equal(gunzipSync(res[0].body).toString(), TEXT);
      assert.equal(gunzipSync(res[1].body).toString(), TEXT);
      assert.equal(res[2].body.toString(), TEXT.slice(0, 10));
      assert.equal(parseResponses(conn.data).rest.length, 0);
      for (const r of res.slice(0, 2)) assert.ok(r.chunked || r.get('content-length') === String(r.body.length));
    } finally {
      conn.destroy();
    }
  });
});

test('HTTP/1.0 client: a gzipped response is never chunked (close-delimited or Content-Length)', async () => {
  await withServer(app, async ({ server }) => {
    const raw = await rawRequest(server.getPort(), 'GET / HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n');
    assert.ok(raw.closed);
    const end = raw.data.indexOf('\r\n\r\n');
    const head = raw.data.subarray(0, end).toString('latin1');
    assert.doesNotMatch(head, /^transfer-encoding:/im, head);
    const body = raw.data.subarray(end + 4);
    const cl = /^content-length:\s*(\d+)/im.exec(head);
    if (cl) assert.equal(body.length, Number(cl[1]));
    const plain = /^content-encoding:\s*gzip/im.test(head) ? gunzipSync(body).toString() : body.toString();
    assert.equal(plain, TEXT);
  });
});

finalNoServersTest();
