// Headless Chromium's EventSource against node-httpuv (issue 17): a page opens an EventSource on a
// streamed `call` response (gzip on: Chromium asks for it) and on a Hono streamSSE endpoint
// through app.fetch; events arrive one by one with their ids and names, and closing the
// EventSource stops the server's generator.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listServers, startServer, type Response, type WebServer } from '../../src/index.js';
import { makeHonoApp } from '../fixtures/apps/hono-app.js';
import { pollUntil } from '../helpers/tools.js';

const CHROMIUM = '/usr/bin/chromium';
after(() => assert.deepEqual(listServers(), []));

const page = `<!doctype html><meta charset="utf-8"><title>sse</title><script>
function collect(url, n) {
  return new Promise((resolve) => {
    const out = { events: [], opened: false };
    const es = new EventSource(url);
    es.onopen = () => { out.opened = true; };
    const on = (e) => {
      out.events.push({ type: e.type, id: e.lastEventId, data: e.data });
      if (out.events.length === n) { es.close(); resolve(out); }
    };
    es.onmessage = on;
    es.addEventListener('tick', on);
    es.onerror = () => { out.error = true; };
  });
}
</script>`;

test('Chromium EventSource: a streamed call response and a Hono streamSSE endpoint', { timeout: 90000 }, async (t) => {
  if (!fs.existsSync(CHROMIUM)) { t.skip(`${CHROMIUM} not installed`); return; }
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    t.skip('playwright-core is not installed');
    return;
  }
  let generatorDone = false;
  let acceptEncoding = '';
  const hono = makeHonoApp();
  const server = startServer('127.0.0.1', 0, {
    call: (req): Response => {
      if (req.PATH_INFO === '/') return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: page };
      acceptEncoding = req.HEADERS['accept-encoding'] ?? '';
      return {
        status: 200,
        headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
        body: (async function* () {
          try {
            for (let i = 0; ; i++) {
              yield `id: ${i}\ndata: message ${i}\n\n`;
              await new Promise((r) => setTimeout(r, 20));
            }
          } finally {
            generatorDone = true;
          }
        })(),
      };
    },
  }) as WebServer;
  const honoServer = startServer('127.0.0.1', 0, { fetch: hono.fetch }) as WebServer;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-chromium-'));
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  const context = await playwright.chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    env: env as Record<string, string>,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const p = await context.newPage();
    await p.goto(`http://127.0.0.1:${server.getPort()}/`);
    type Out = { events: { type: string; id: string; data: string }[]; opened: boolean; error?: boolean };
    const a = await p.evaluate(() => (window as unknown as { collect(u: string, n: number): Promise<unknown> }).collect('/events', 5)) as Out;
    assert.equal(a.opened, true);
    assert.deepEqual(a.events, [0, 1, 2, 3, 4].map((i) => ({ type: 'message', id: String(i), data: `message ${i}` })));
    assert.match(acceptEncoding, /gzip/, 'Chromium asked for gzip: the events came compressed, flushed per event');
    await pollUntil(() => generatorDone, 10000, 'the generator to stop once the EventSource closed');
    // The Hono server is another origin: CORS-free because the page is fetched from it too.
    await p.goto(`http://127.0.0.1:${honoServer.getPort()}/nowhere`);
    await p.setContent(page);
    const b = await p.evaluate((u) => (window as unknown as { collect(u: string, n: number): Promise<unknown> }).collect(u, 3),
      `http://127.0.0.1:${honoServer.getPort()}/sse?n=3`) as Out;
    assert.deepEqual(b.events, [0, 1, 2].map((i) => ({ type: 'tick', id: String(i), data: `event ${i}` })));
  } finally {
    await context.close();
    await server.stop();
    await honoServer.stop();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
});
