// HEAD: same status and headers as GET (incl. Content-Length), zero body bytes (H56, 8.3 #26).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { RawConn, httpRequest, parseResponses, preview } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import type { Response, RookRequest } from '../../src/index.js';

function app(req: RookRequest): Response {
  assert.ok(req.REQUEST_METHOD === 'GET' || req.REQUEST_METHOD === 'HEAD');
  return { status: 200, headers: { 'Content-Type': 'text/plain', 'X-Method': req.REQUEST_METHOD },
    body: 'x'.repeat(5000) };
}

test('HEAD has the GET headers and no body; the next pipelined request parses', async () => {
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n' +
        'GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
      const res = await conn.responses(3, 5000, [false, true, false]);
      const [g, h, after] = res;
      assert.equal(h.status, 200);
      assert.equal(h.body.length, 0);
      assert.equal(h.get('content-length'), g.get('content-length'));
      assert.equal(h.get('content-length'), '5000');
      assert.equal(h.get('content-type'), 'text/plain');
      assert.equal(h.get('x-method'), 'HEAD');
      assert.equal(after.body.length, 5000);
      assert.equal(parseResponses(conn.data, { head: [false, true, false] }).rest.length, 0, preview(conn.data));
    } finally {
      conn.destroy();
    }
  }, { gzip: false });
});

test('HEAD with Accept-Encoding: gzip sends no body bytes either', async () => {
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('HEAD / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\nGET /z HTTP/1.1\r\nHost: a\r\n\r\n');
      const res = await conn.responses(2, 5000, [true, false]);
      assert.equal(res[0].body.length, 0);
      assert.equal(res[1].status, 200);
      assert.equal(parseResponses(conn.data, { head: [true, false] }).rest.length, 0, preview(conn.data));
    } finally {
      conn.destroy();
    }
  });
});

test('node:http HEAD client agrees', async () => {
  await withServer(app, async ({ server }) => {
    const r = await httpRequest(server.getPort(), { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers['content-length'], '5000');
  }, { gzip: false });
});

test('HEAD with a file body: Content-Length of the file, no bytes of it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-head-'));
  try {
    const f = path.join(dir, 'f.txt');
    fs.writeFileSync(f, 'z'.repeat(3000));
    await withServer(() => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: { file: f } }), async ({ server }) => {
      const conn = await RawConn.connect(server.getPort());
      try {
        await conn.write('HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n');
        const res = await conn.responses(2, 5000, [true, false]);
        assert.equal(res[0].get('content-length'), '3000');
        assert.equal(res[1].body.length, 3000);
        assert.equal(parseResponses(conn.data, { head: [true, false] }).rest.length, 0, preview(conn.data));
      } finally {
        conn.destroy();
      }
    }, { gzip: false });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

finalNoServersTest();
