// Headless Chromium opens a page served by node-httpuv, connects a WebSocket to the same server,
// round-trips text and binary and closes cleanly: 1000 seen by both sides.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listServers, startServer, type WebServer } from '../../src/index.js';
import { pollUntil } from '../helpers/tools.js';

const CHROMIUM = '/usr/bin/chromium';
after(() => assert.deepEqual(listServers(), []));

const page = `<!doctype html><meta charset="utf-8"><title>ws</title><script>
window.result = new Promise((resolve) => {
  const out = { messages: [] };
  const ws = new WebSocket('ws://' + location.host + '/socket');
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => { ws.send('héllo from chromium'); ws.send(new Uint8Array([0, 1, 2, 253, 254, 255]).buffer); };
  ws.onmessage = (e) => {
    out.messages.push(typeof e.data === 'string' ? { text: e.data } : { binary: Array.from(new Uint8Array(e.data)) });
    if (out.messages.length === 2) ws.close(1000, 'page done');
  };
  ws.onclose = (e) => { out.code = e.code; out.reason = e.reason; out.wasClean = e.wasClean; resolve(out); };
  ws.onerror = () => { out.error = true; };
});
</script>`;

test('Chromium: page + WebSocket round trip text and binary, clean close 1000', { timeout: 60000 }, async (t) => {
  if (!fs.existsSync(CHROMIUM)) { t.skip(`${CHROMIUM} not installed`); return; }
  const { chromium } = await import('playwright-core');
  const serverCloses: (number | undefined)[] = [];
  const server = startServer('127.0.0.1', 0, {
    call: (req) => (req.PATH_INFO === '/'
      ? { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: page }
      : { status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'not found' }),
    onWSOpen(ws) {
      ws.onMessage((_binary, msg) => ws.send(msg));
      ws.onClose((code) => serverCloses.push(code));
    },
  }) as WebServer;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-chromium-'));
  const env = { ...process.env };
  delete env.LD_PRELOAD;  // sanitizer runs preload their runtime; not for the browser
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    env: env as Record<string, string>,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const p = await context.newPage();
    await p.goto(`http://127.0.0.1:${server.getPort()}/`);
    const r = await p.evaluate(() => (window as unknown as { result: Promise<unknown> }).result) as
      { messages: { text?: string; binary?: number[] }[]; code: number; reason: string; wasClean: boolean; error?: boolean };
    assert.deepEqual(r.messages, [{ text: 'héllo from chromium' }, { binary: [0, 1, 2, 253, 254, 255] }]);
    assert.equal(r.code, 1000);
    assert.equal(r.wasClean, true);
    assert.equal(r.error, undefined);
    await pollUntil(() => serverCloses.length > 0, 5000, "the server's onClose");
    assert.deepEqual(serverCloses, [1000]);
  } finally {
    await context.close();
    await server.stop();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
});
