// Headless Chromium (Debian `chromium` + playwright-core) loads a page served by the
// `node-httpuv serve` CLI: the script runs and changes the DOM, the stylesheet applies, the PNG
// decodes. Skips with a message when /usr/bin/chromium (or playwright-core) is absent.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { listServers } from '../../src/index.js';
import { pollUntil } from '../helpers/tools.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const CHROMIUM = '/usr/bin/chromium';
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-browser-'));
const children: ChildProcess[] = [];

function loadPlaywright(): typeof import('playwright-core') | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('playwright-core') as typeof import('playwright-core');
  } catch {
    return null;
  }
}
const playwright = loadPlaywright();
const skip = !fs.existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install chromium); skipping the browser test`
  : playwright === null ? 'playwright-core is not installed; skipping the browser test' : false;

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(TMP, { recursive: true, force: true });
  assert.equal(listServers().length, 0, 'servers left running');
});

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A valid RGB PNG of width × height, a gradient. */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter method, no interlace
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0);
    for (let x = 0; x < width; x++) rows.push((x * 40) & 0xff, (y * 60) & 0xff, 200);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]);
}

function site(dir: string): void {
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>node-httpuv browser test</title>
<link rel="stylesheet" href="assets/style.css">
<script src="assets/app.js" defer></script></head>
<body><p id="out">script did not run</p><p id="styled">styled</p>
<img id="img" src="assets/pixel.png" alt="generated"></body></html>
`);
  fs.writeFileSync(path.join(dir, 'assets', 'style.css'), '#styled { color: rgb(255, 0, 0); font-weight: 700; }\n');
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), `document.getElementById('out').textContent = 'script ran: ' + (1 + 2);\n`);
  fs.writeFileSync(path.join(dir, 'assets', 'pixel.png'), png(5, 3));
}

test('Chromium renders a page, its script, stylesheet and image served by `node-httpuv serve`', { skip, timeout: 60_000 }, async () => {
  const dir = path.join(TMP, 'site');
  site(dir);
  assert.ok(fs.existsSync(CLI), `${CLI} missing: run npx tsc -p tsconfig.json`);
  // No --port: 7446, or a free port when 7446 is taken (the CLI's default; port 0 is refused).
  const child = spawn(process.execPath, [CLI, 'serve', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let log = '';
  child.stdout?.on('data', (c: Buffer) => { log += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { log += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await pollUntil(() => {
    assert.equal(child.exitCode, null, `the CLI exited without printing a URL: ${log}`);
    return /http:\/\/127\.0\.0\.1:\d+/.exec(log)?.[0];
  }, 10_000, 'the CLI to print its URL', 20);

  const userDataDir = fs.mkdtempSync(path.join(TMP, 'profile-'));
  const context = await playwright!.chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const statuses = new Map<string, number>();
    const errors: string[] = [];
    page.on('response', (r) => statuses.set(new URL(r.url()).pathname, r.status()));
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${url}/`, { waitUntil: 'load', timeout: 20_000 });
    assert.equal(res?.status(), 200);
    assert.equal(await page.title(), 'node-httpuv browser test');
    await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'script did not run', undefined, { timeout: 10_000 });
    assert.equal(await page.textContent('#out'), 'script ran: 3');
    const style = await page.evaluate(() => {
      const cs = getComputedStyle(document.getElementById('styled')!);
      return [cs.color, cs.fontWeight];
    });
    assert.deepEqual(style, ['rgb(255, 0, 0)', '700']);
    const img = await page.evaluate(() => {
      const i = document.getElementById('img') as HTMLImageElement;
      return [i.complete, i.naturalWidth, i.naturalHeight];
    });
    assert.deepEqual(img, [true, 5, 3]);
    for (const p of ['/', '/assets/style.css', '/assets/app.js', '/assets/pixel.png']) assert.equal(statuses.get(p), 200, p);
    assert.deepEqual(errors, []);
    // A reload revalidates (If-None-Match / If-Modified-Since) and still renders.
    await page.reload({ waitUntil: 'load' });
    assert.equal(await page.textContent('#out'), 'script ran: 3');
  } finally {
    await context.close();
  }
  assert.match(log, /GET \/assets\/app\.js/, 'the CLI logged the requests');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  const code = await exited;
  clearTimeout(timer);
  assert.equal(code, 0, 'the CLI exits cleanly on SIGINT');
});
