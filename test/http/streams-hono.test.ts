// A real Hono app (npm `hono`, test/fixtures/apps/hono-app.ts, unchanged Hono code) on node-httpuv
// through `{ fetch: app.fetch }` (issue 17): routing, JSON in and out, cookies, a streamSSE
// endpoint (with fetch and curl), an SSE loop that stops when the client leaves, a generated
// stream and a file download with its Content-Length.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { makeHonoApp } from '../fixtures/apps/hono-app.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import { pollUntil, runCurl, skipWithout } from '../helpers/tools.js';
import { RawConn, parseResponses } from '../helpers/clients.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-hono-'));
const file = path.join(dir, 'data.bin');
const fileBytes = crypto.randomBytes(3 * 1024 * 1024 + 17);
fs.writeFileSync(file, fileBytes);
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface SseEvent { event?: string; id?: string; data: string }

function parseSse(text: string): SseEvent[] {
  return text.split('\n\n').filter((b) => b.trim() !== '').map((block) => {
    const ev: SseEvent = { data: '' };
    for (const line of block.split('\n')) {
      const i = line.indexOf(':');
      const k = line.slice(0, i);
      const v = line.slice(i + 1).replace(/^ /, '');
      if (k === 'event') ev.event = v;
      else if (k === 'id') ev.id = v;
      else if (k === 'data') ev.data = v;
    }
    return ev;
  });
}

test('routing and JSON', async () => {
  const app = makeHonoApp({ downloadFile: file });
  await withServer({ fetch: app.fetch }, async ({ url }) => {
    const hello = await fetch(`${url}/`);
    assert.equal(hello.status, 200);
    assert.equal(await hello.text(), 'Hello Hono!');
    const j = await fetch(`${url}/json/world?q=42`);
    assert.match(j.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await j.json(), { hello: 'world', q: '42' });
    const post = await fetch(`${url}/echo`, { method: 'POST', body: JSON.stringify({ n: [1, 2, 3] }), headers: { 'Content-Type': 'application/json' } });
    assert.equal(post.status, 201);
    assert.deepEqual(await post.json(), { got: { n: [1, 2, 3] }, type: 'application/json' });
    const missing = await fetch(`${url}/nowhere`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), 'no such route');
    const cookies = await fetch(`${url}/cookies`);
    assert.deepEqual(cookies.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
  });
});

test('the app object itself, passed as the app (its fetch member)', async () => {
  const app = makeHonoApp();
  await withServer(app as unknown as { fetch: (r: Request) => Response }, async ({ url }) => {
    assert.equal(await (await fetch(`${url}/`)).text(), 'Hello Hono!');
  });
});

test('streamSSE: 64 events, read with fetch and with curl', async (t) => {
  const app = makeHonoApp();
  await withServer({ fetch: app.fetch }, async ({ url, port }) => {
    const r = await fetch(`${url}/sse`);
    assert.equal(r.headers.get('content-type'), 'text/event-stream');
    assert.equal(r.headers.get('transfer-encoding'), 'chunked');
    const events = parseSse(await r.text());
    assert.equal(events.length, 64);
    assert.deepEqual(events[5], { event: 'tick', id: '5', data: 'event 5' });
    // Raw: a chunked message, properly ended.
    const c = await RawConn.connect(port);
    await c.write('GET /sse?n=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await c.waitFor((_d, closed) => closed, 5000, 'the whole stream');
    const [raw] = parseResponses(c.data).responses;
    assert.equal(raw.chunked, true);
    assert.equal(parseSse(raw.body.toString()).length, 3);
    c.destroy();
    if (skipWithout(t, 'curl')) return;
    const cr = await runCurl(['-sS', '-N', '--fail', `${url}/sse?n=10`]);
    assert.equal(cr.code, 0, cr.stderr);
    assert.deepEqual(parseSse(cr.stdout.toString()).map((e) => e.data), Array.from({ length: 10 }, (_, i) => `event ${i}`));
  });
});

test('an SSE loop stops when the client leaves', async () => {
  let stoppedAfter = -1;
  const app = makeHonoApp({ onSseStopped: (n) => { stoppedAfter = n; } });
  await withServer({ fetch: app.fetch }, async ({ url }) => {
    const ac = new AbortController();
    const r = await fetch(`${url}/sse-forever`, { signal: ac.signal });
    const reader = r.body!.getReader();
    let text = '';
    while (!text.includes('tick 2')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    await pollUntil(() => stoppedAfter >= 0, 5000, "the handler's onAbort");
    assert.ok(stoppedAfter >= 3 && stoppedAfter < 200, `stopped after ${stoppedAfter} events`);
  });
});

test('a file download with its Content-Length, and a generated stream', async () => {
  const app = makeHonoApp({ downloadFile: file });
  await withServer({ fetch: app.fetch }, async ({ url }) => {
    const d = await fetch(`${url}/download`);
    assert.equal(d.status, 200);
    assert.equal(d.headers.get('content-length'), String(fileBytes.length));
    assert.equal(d.headers.get('transfer-encoding'), null);
    assert.match(d.headers.get('content-disposition') ?? '', /attachment/);
    assert.ok(Buffer.from(await d.arrayBuffer()).equals(fileBytes));
    const g = await fetch(`${url}/generated?mib=5`);
    const got = Buffer.from(await g.arrayBuffer());
    assert.equal(got.length, 5 * 1024 * 1024);
    assert.ok(got.every((b) => b === 0x61));
  });
});

finalNoServersTest();
