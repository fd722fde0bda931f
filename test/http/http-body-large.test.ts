// Request bodies: 10 MiB through rook.input in chunks with rewind, the spill threshold,
// maxBodySize → 413 (Content-Length and chunked), interleaved uploads, aborted uploads.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import test from 'node:test';
import { RawConn, finalResponses, httpRequest, preview, saysClose } from '../helpers/clients.js';
import { finalNoServersTest, recordingApp, withServer } from '../helpers/server.js';
import { openRegularFiles, pollUntil } from '../helpers/tools.js';
import type { Response, RookRequest } from '../../src/index.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Reads the body in 64 KiB chunks, rewinds, reads it whole; answers "len sha". */
function chunkedReader(req: RookRequest): Response {
  const input = req['rook.input'];
  const h = createHash('sha256');
  let n = 0;
  for (let c = input.read(65536); c.length > 0; c = input.read(65536)) { h.update(c); n += c.length; }
  const first = h.digest('hex');
  input.rewind();
  const whole = input.read();
  if (sha(whole) !== first || whole.length !== n) return { status: 500, body: 'rewind mismatch' };
  return { status: 200, body: `${n} ${first}` };
}

test('10 MiB upload read through rook.input in chunks, rewound and read again', async () => {
  const body = randomBytes(10 * 1024 * 1024);
  await withServer(chunkedReader, async ({ server }) => {
    const r = await httpRequest(server.getPort(), { method: 'POST', body, timeoutMs: 30000 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, `${body.length} ${sha(body)}`);
  });
});

test('10 MiB chunked upload', async () => {
  const body = randomBytes(10 * 1024 * 1024);
  await withServer(chunkedReader, async ({ server }) => {
    const r = await httpRequest(server.getPort(), {
      method: 'POST', body, headers: { 'Transfer-Encoding': 'chunked' }, timeoutMs: 30000,
    });
    assert.equal(r.text, `${body.length} ${sha(body)}`);
  });
});

test('a body above bodySpillThreshold is read intact and its temporary file is gone after', async () => {
  const before = openRegularFiles();
  const body = randomBytes(40 * 1024);
  let during: string[] = [];
  await withServer((req) => { during = openRegularFiles(); return chunkedReader(req); }, async ({ server }) => {
    const r = await httpRequest(server.getPort(), { method: 'POST', body });
    assert.equal(r.text, `${body.length} ${sha(body)}`);
  }, { bodySpillThreshold: 1024 });
  assert.ok(during.length >= before.length);
  await pollUntil(() => openRegularFiles().length <= before.length, 2000,
    `spill files closed (before ${JSON.stringify(before)}, now ${JSON.stringify(openRegularFiles())})`);
});

test('maxBodySize: Content-Length above it → 413 before the body is sent, then close', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n');
      await conn.waitFor((d, c) => c || finalResponses(d).length >= 1, 3000, '413');
      const [r] = finalResponses(conn.data);
      assert.equal(r?.status, 413, preview(conn.data));
      assert.ok(saysClose(r));
      assert.ok(await conn.waitClose(3000));
    } finally {
      conn.destroy();
    }
    const ok = await httpRequest(server.getPort(), { method: 'POST', body: Buffer.alloc(1000, 97) });
    assert.equal(ok.status, 200, 'exactly at the limit is accepted');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].body.length, 1000);
  }, { maxBodySize: 1000 });
});

test('maxBodySize: a chunked body that passes it → 413 and close; app not called', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = `400\r\n${'a'.repeat(1024)}\r\n`;
      for (let i = 0; i < 70 && !conn.closed && conn.data.length === 0; i++) await conn.write(chunk).catch(() => undefined);
      await conn.waitFor((d, c) => c || finalResponses(d).length >= 1, 3000, '413');
      const [r] = finalResponses(conn.data);
      assert.equal(r?.status, 413, preview(conn.data));
      assert.ok(saysClose(r));
      assert.ok(await conn.waitClose(3000));
      assert.equal(seen.length, 0);
    } finally {
      conn.destroy();
    }
  }, { maxBodySize: 64 * 1024 });
});

test('two interleaved 1 MiB uploads on two connections each reach their own call (httpuv #8)', async () => {
  const a = randomBytes(1024 * 1024);
  const b = randomBytes(1024 * 1024);
  const { app, seen } = recordingApp((_r, s) => ({ status: 200, body: sha(s.body) }));
  await withServer(app, async ({ server }) => {
    const ca = await RawConn.connect(server.getPort());
    const cb = await RawConn.connect(server.getPort());
    try {
      const head = (p: string): string => `POST ${p} HTTP/1.1\r\nHost: a\r\nContent-Length: ${a.length}\r\n\r\n`;
      await ca.write(head('/a'));
      await cb.write(head('/b'));
      for (let i = 0; i < a.length; i += 4096) {
        await ca.write(a.subarray(i, i + 4096));
        await cb.write(b.subarray(i, i + 4096));
      }
      const [ra] = await ca.responses(1);
      const [rb] = await cb.responses(1);
      assert.equal(ra.body.toString(), sha(a));
      assert.equal(rb.body.toString(), sha(b));
      assert.equal(seen.length, 2);
    } finally {
      ca.destroy();
      cb.destroy();
    }
  });
});

test('client gone mid-body: app not called, spill file closed (8.2 #18)', async () => {
  const before = openRegularFiles();
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    await conn.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 40960\r\n\r\n');
    await conn.write(Buffer.alloc(20480, 98));
    conn.destroy();
    // the server must notice; a follow-up request proves it is still healthy
    const r = await httpRequest(server.getPort(), { path: '/after' });
    assert.equal(r.status, 200);
  }, { bodySpillThreshold: 1024 });
  assert.deepEqual(seen.map((s) => s.path), ['/after']);
  await pollUntil(() => openRegularFiles().length <= before.length, 2000, 'spill file closed');
});

test('a 10 MiB response body arrives intact (keep-alive framing kept)', async () => {
  const big = randomBytes(10 * 1024 * 1024);
  await withServer((req) => ({ status: 200, headers: { 'Content-Type': 'application/octet-stream' },
    body: req.PATH_INFO === '/big' ? big : 'small' }), async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\nGET /small HTTP/1.1\r\nHost: a\r\n\r\n');
      const res = await conn.responses(2, 30000);
      assert.equal(sha(res[0].body), sha(big));
      assert.equal(res[1].body.toString(), 'small');
    } finally {
      conn.destroy();
    }
  });
});

test('default bodySpillThreshold is 1 MiB: 512 KiB stays in memory, 2 MiB goes to a file', async () => {
  const seenFiles: Record<string, number> = {};
  let before: string[] = [];
  await withServer((req) => {
    seenFiles[req.PATH_INFO] = openRegularFiles().length - before.length;
    return chunkedReader(req);
  }, async ({ server }) => {
    for (const [p, n] of [['/small', 512 * 1024], ['/big', 2 * 1024 * 1024]] as const) {
      const body = randomBytes(n);
      before = openRegularFiles();
      const r = await httpRequest(server.getPort(), { method: 'POST', path: p, body });
      assert.equal(r.text, `${n} ${sha(body)}`);
    }
  });
  assert.equal(seenFiles['/small'], 0, 'no file for a body under the threshold');
  assert.ok(seenFiles['/big'] >= 1, 'a 2 MiB body is spilled to a file during call');
});

finalNoServersTest();
