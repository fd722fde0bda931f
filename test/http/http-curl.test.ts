// The same basic assertions through curl, an independent HTTP implementation (skipped without curl).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { gunzipSync } from 'node:zlib';
import { finalNoServersTest, recordingApp, withServer } from '../helpers/server.js';
import { runCurl, skipWithout } from '../helpers/tools.js';
import type { Response } from '../../src/index.js';

const BIG = 'curl body text '.repeat(200);

function curlApp() {
  return recordingApp((req, s): Response => {
    if (s.path === '/big') return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: BIG };
    if (s.path === '/echo') return { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: s.body };
    return { status: 200, headers: { 'Content-Type': 'text/plain', 'X-Method': req.REQUEST_METHOD },
      body: `${s.method} ${s.path}${s.query}` };
  });
}

/** Splits curl -i output (possibly several responses) into status codes, headers text and the last body. */
function splitI(out: Buffer): { statuses: number[]; head: string; body: Buffer } {
  let pos = 0;
  const statuses: number[] = [];
  let head = '';
  for (;;) {
    const end = out.indexOf('\r\n\r\n', pos, 'latin1');
    if (end < 0 || !out.toString('latin1', pos, pos + 5).startsWith('HTTP/')) break;
    head = out.toString('latin1', pos, end);
    statuses.push(Number(head.split(' ')[1]));
    pos = end + 4;
    if (statuses[statuses.length - 1] >= 200) break;
  }
  return { statuses, head, body: out.subarray(pos) };
}

test('curl GET with a query string', async (t) => {
  if (skipWithout(t, 'curl')) return;
  const { app, seen } = curlApp();
  await withServer(app, async ({ url: base }) => {
    const r = await runCurl(['-sS', '-i', `${base}/path/x?a=1&b=%20`]);
    assert.equal(r.code, 0, r.stderr);
    const { statuses, head, body } = splitI(r.stdout);
    assert.deepEqual(statuses, [200]);
    assert.match(head, /^Content-Type: text\/plain$/im);
    assert.equal(body.toString(), 'GET /path/x?a=1&b=%20');
    assert.equal(seen[0].env.HTTP_USER_AGENT?.toString().startsWith('curl/'), true);
  });
});

test('curl POST body, HEAD, HTTP/1.0', async (t) => {
  if (skipWithout(t, 'curl')) return;
  const { app, seen } = curlApp();
  await withServer(app, async ({ url: base }) => {
    const post = await runCurl(['-sS', '--data-binary', 'payload=1', `${base}/echo`]);
    assert.equal(post.stdout.toString(), 'payload=1');
    assert.equal(seen[0].env.CONTENT_TYPE, 'application/x-www-form-urlencoded');
    const head = await runCurl(['-sS', '-I', `${base}/h`]);
    assert.equal(head.code, 0, head.stderr);
    assert.match(head.stdout.toString(), /^HTTP\/1\.1 200/);
    assert.match(head.stdout.toString(), /^X-Method: HEAD$/im);
    const h10 = await runCurl(['-sS', '-i', '--http1.0', `${base}/ten`]);
    const s = splitI(h10.stdout);
    assert.deepEqual(s.statuses, [200]);
    assert.equal(s.body.toString(), 'GET /ten');
  });
});

test('curl --compressed decodes gzip; without it the body is gzip', async (t) => {
  if (skipWithout(t, 'curl')) return;
  await withServer(curlApp().app, async ({ url: base }) => {
    const dec = await runCurl(['-sS', '--compressed', `${base}/big`]);
    assert.equal(dec.stdout.toString(), BIG);
    const raw = await runCurl(['-sS', '-H', 'Accept-Encoding: gzip', `${base}/big`]);
    assert.equal(gunzipSync(raw.stdout).toString(), BIG);
  });
});

test('curl upload with Expect: 100-continue', async (t) => {
  if (skipWithout(t, 'curl')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-curl-'));
  try {
    const f = path.join(dir, 'up.bin');
    const data = Buffer.alloc(300000, 7);
    fs.writeFileSync(f, data);
    await withServer(curlApp().app, async ({ url: base }) => {
      const r = await runCurl(['-sS', '-i', '-H', 'Expect: 100-continue', '--data-binary', `@${f}`, `${base}/echo`]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.toString('latin1').startsWith('HTTP/1.1 100 Continue\r\n'), 'interim 100 first');
      const s = splitI(r.stdout);
      assert.deepEqual(s.statuses, [100, 200]);
      assert.ok(s.body.equals(data));
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('curl reuses the keep-alive connection for two URLs', async (t) => {
  if (skipWithout(t, 'curl')) return;
  const { app, seen } = curlApp();
  await withServer(app, async ({ url: base }) => {
    const r = await runCurl(['-sS', '-v', `${base}/one`, `${base}/two`]);
    assert.equal(r.stdout.toString(), 'GET /oneGET /two');
    assert.match(r.stderr, /Re-using existing connection/i);
    assert.equal(seen[0].env.REMOTE_PORT, seen[1].env.REMOTE_PORT);
  });
});

finalNoServersTest();
