// What node-httpuv's static files add to httpuv: Range/206/416, strong ETag
// with If-None-Match / If-Match / If-Range, Accept-Ranges, precompressed .br/.gz siblings with
// Vary, case-insensitive extensions and mime-db types, HEAD without a body, 405 + Allow, the
// request-body rules (httpuv #247/#248) and Upgrade handling (#215). Real server, node:http (no
// transparent decompression) and raw sockets.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { startServer, listServers, staticPath, type WebServer } from '../../src/index.js';
import { pollUntil } from '../helpers/tools.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const WWW = path.join(ROOT, 'test', 'fixtures', 'www');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-static-feat-'));
const ALPHA = 'abcdefghijklmnopqrstuvwxyz';
let server: WebServer;
let port = 0;

interface Res { status: number; headers: http.IncomingHttpHeaders; body: Buffer; text: string }

function request(p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('latin1') });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${p}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes, collects everything until the server closes (or `ms` passes). */
function raw(data: string | Buffer, ms = 5000, headOnly = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('raw request: no close within deadline')); }, ms);
    sock.on('connect', () => sock.write(data));
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      if (headOnly && Buffer.concat(chunks).includes('\r\n\r\n')) sock.destroy();
    });
    sock.on('error', () => { /* reset after an answer: close follows */ });
    sock.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')); });
  });
}

before(() => {
  fs.writeFileSync(path.join(TMP, 'alpha.txt'), ALPHA);
  fs.writeFileSync(path.join(TMP, 'empty.txt'), '');
  fs.writeFileSync(path.join(TMP, 'big.txt'), 'x'.repeat(4096));
  for (const name of ['Page.HTML', 'IMAGE.PNG', 'style.CsS', 'app.Js', 'page.html', 'image.png', 'style.css', 'app.js']) {
    fs.writeFileSync(path.join(TMP, name), name);
  }
  fs.mkdirSync(path.join(TMP, 'mime'));
  server = startServer('127.0.0.1', 0, {
    call: (req) => ({ status: 418, headers: { 'Test-Code-Path': 'JS' }, body: `app: ${req.PATH_INFO}` }),
    staticPaths: { '/t': TMP, '/www': WWW, '/cache': staticPath(TMP, { headers: { 'Cache-Control': 'max-age=60', 'X-Extra': '1' } }) },
  }, { gzip: true });
  port = server.getPort();
});

after(async () => {
  await server.stop();
  fs.rmSync(TMP, { recursive: true, force: true });
  assert.equal(listServers().length, 0, 'servers left running');
});

test('a plain 200 carries Accept-Ranges, a strong ETag and Last-Modified', async () => {
  const r = await request('/t/alpha.txt');
  assert.equal(r.status, 200);
  assert.equal(r.text, ALPHA);
  assert.equal(r.headers['accept-ranges'], 'bytes');
  assert.match(String(r.headers.etag), /^"[^"]+"$/, 'strong ETag');
  assert.equal(r.headers['last-modified'], new Date(Math.floor(fs.statSync(path.join(TMP, 'alpha.txt')).mtimeMs / 1000) * 1000).toUTCString());
  assert.equal((await request('/t/alpha.txt')).headers.etag, r.headers.etag, 'ETag is stable');
  assert.notEqual((await request('/t/empty.txt')).headers.etag, r.headers.etag);
});

test('single ranges: 206 with Content-Range', async () => {
  const cases: [string, string, string][] = [
    ['bytes=0-0', 'a', 'bytes 0-0/26'],
    ['bytes=-1', 'z', 'bytes 25-25/26'],
    ['bytes=3-5', 'def', 'bytes 3-5/26'],
    ['bytes=20-', 'uvwxyz', 'bytes 20-25/26'],
    ['bytes=-100', ALPHA, 'bytes 0-25/26'],
    ['bytes=24-1000', 'yz', 'bytes 24-25/26'],
    ['bytes=0-18446744073709551616', ALPHA, 'bytes 0-25/26'],
  ];
  for (const [range, body, cr] of cases) {
    const r = await request('/t/alpha.txt', { Range: range });
    assert.equal(r.status, 206, range);
    assert.equal(r.text, body, range);
    assert.equal(r.headers['content-range'], cr, range);
    assert.equal(r.headers['content-length'], String(body.length), range);
    assert.equal(r.headers['content-type'], 'text/plain', range);
  }
});

test('unsatisfiable ranges: 416 with Content-Range bytes */size', async () => {
  for (const [file, range, size] of [['alpha.txt', 'bytes=26-', 26], ['alpha.txt', 'bytes=-0', 26], ['empty.txt', 'bytes=0-', 0], ['empty.txt', 'bytes=-5', 0]] as const) {
    const r = await request(`/t/${file}`, { Range: range });
    assert.equal(r.status, 416, `${file} ${range}`);
    assert.equal(r.headers['content-range'], `bytes */${size}`, `${file} ${range}`);
  }
});

test('invalid, foreign-unit and multi-range headers: full 200 or 416, never a multipart bomb', async () => {
  for (const range of ['bytes=5-2', 'items=0-1', 'bytes=abc', 'bytes=0-1,5-6', `bytes=${'0-0,'.repeat(1000)}0-0`]) {
    const r = await request('/t/alpha.txt', { Range: range });
    assert.ok(r.status === 200 || r.status === 416 || (r.status === 206 && /^multipart\/byteranges/.test(String(r.headers['content-type']))),
      `${range.slice(0, 20)} → ${r.status}`);
    if (r.status === 200) assert.equal(r.text, ALPHA);
    assert.ok(r.body.length <= 4 * ALPHA.length + 1024, 'bounded answer');
  }
});

test('HEAD ignores Range; If-Range by ETag and by date', async () => {
  const head = await request('/t/alpha.txt', { Range: 'bytes=0-0' }, 'HEAD');
  assert.ok(head.status === 200 || head.status === 206);
  assert.equal(head.body.length, 0);
  const { headers } = await request('/t/alpha.txt');
  const etag = String(headers.etag);
  assert.equal((await request('/t/alpha.txt', { Range: 'bytes=0-1', 'If-Range': etag })).status, 206);
  assert.equal((await request('/t/alpha.txt', { Range: 'bytes=0-1', 'If-Range': '"stale"' })).status, 200);
  assert.equal((await request('/t/alpha.txt', { Range: 'bytes=0-1', 'If-Range': `W/${etag}` })).status, 200, 'weak validators never satisfy If-Range');
  assert.equal((await request('/t/alpha.txt', { Range: 'bytes=0-1', 'If-Range': String(headers['last-modified']) })).status, 206);
  assert.equal((await request('/t/alpha.txt', { Range: 'bytes=0-1', 'If-Range': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status, 200);
});

test('If-None-Match → 304 (exact, weak, list, *), mismatch → 200; it beats If-Modified-Since', async () => {
  const first = await request('/cache/alpha.txt');
  const etag = String(first.headers.etag);
  for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
    const r = await request('/cache/alpha.txt', { 'If-None-Match': inm });
    assert.equal(r.status, 304, inm);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers.etag, etag);
    assert.equal(r.headers['cache-control'], 'max-age=60', '304 keeps Cache-Control');
    assert.equal(r.headers['x-extra'], undefined, '304 drops other configured headers');
    assert.equal(r.headers['content-length'], undefined);
  }
  assert.equal((await request('/cache/alpha.txt', { 'If-None-Match': '"nope"' })).status, 200);
  const future = 'Mon, 01 Jan 2035 00:00:00 GMT';
  assert.equal((await request('/cache/alpha.txt', { 'If-None-Match': '"nope"', 'If-Modified-Since': future })).status, 200,
    'If-None-Match is evaluated instead of If-Modified-Since');
  assert.equal((await request('/cache/alpha.txt', { 'If-None-Match': etag }, 'HEAD')).status, 304);
  assert.equal((await request('/cache/alpha.txt', { 'If-None-Match': etag, Range: 'bytes=0-0' })).status, 304);
});

test('If-Match / If-Unmodified-Since → 412', async () => {
  const etag = String((await request('/t/alpha.txt')).headers.etag);
  assert.equal((await request('/t/alpha.txt', { 'If-Match': etag })).status, 200);
  assert.equal((await request('/t/alpha.txt', { 'If-Match': '*' })).status, 200);
  assert.equal((await request('/t/alpha.txt', { 'If-Match': '"other"' })).status, 412);
  assert.equal((await request('/t/alpha.txt', { 'If-Unmodified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status, 412);
  assert.equal((await request('/t/alpha.txt', { 'If-Unmodified-Since': 'Mon, 01 Jan 2035 00:00:00 GMT' })).status, 200);
});

test('a changed file gets a new ETag; the old one no longer gives 304', async () => {
  const f = path.join(TMP, 'changing.txt');
  fs.writeFileSync(f, 'version one');
  const one = String((await request('/t/changing.txt')).headers.etag);
  fs.writeFileSync(f, 'version two!');
  const r = await request('/t/changing.txt', { 'If-None-Match': one });
  assert.equal(r.status, 200);
  assert.equal(r.text, 'version two!');
  assert.notEqual(r.headers.etag, one);
  // Same size, same content length, new inode via rename: still a new tag.
  const tmp = path.join(TMP, 'changing.new');
  fs.writeFileSync(tmp, 'version two?');
  const st = fs.statSync(f);
  fs.utimesSync(tmp, st.atime, st.mtime);
  const two = String(r.headers.etag);
  fs.renameSync(tmp, f);
  assert.notEqual((await request('/t/changing.txt')).headers.etag, two);
});

test('precompressed siblings chosen by Accept-Encoding, with Vary', async () => {
  const plain = fs.readFileSync(path.join(WWW, 'precompressed', 'hello.txt'));
  const cases: [string | undefined, string | undefined][] = [
    ['br, gzip', 'br'], ['gzip, br', 'br'], ['gzip', 'gzip'], ['gzip;q=1, br;q=0.5', 'gzip'], ['*', 'br'],
    ['br;q=0, gzip;q=0', undefined], ['identity', undefined], [undefined, undefined], ['deflate', undefined],
    ['BR', 'br'], ['gzip;q=0.5, identity;q=1', undefined],
  ];
  for (const [ae, coding] of cases) {
    const r = await request('/www/precompressed/hello.txt', ae === undefined ? {} : { 'Accept-Encoding': ae });
    const label = `Accept-Encoding: ${ae}`;
    assert.equal(r.status, 200, label);
    assert.equal(r.headers['content-encoding'], coding, label);
    assert.equal(r.headers.vary, 'Accept-Encoding', label);
    assert.equal(r.headers['content-type'], 'text/plain', label);
    assert.equal(r.headers['content-length'], String(r.body.length), label);
    const decoded = coding === 'br' ? zlib.brotliDecompressSync(r.body) : coding === 'gzip' ? zlib.gunzipSync(r.body) : r.body;
    assert.deepEqual(decoded, plain, label);
  }
  const [id, br, gz] = await Promise.all([undefined, 'br', 'gzip'].map((ae) =>
    request('/www/precompressed/hello.txt', ae ? { 'Accept-Encoding': ae } : {})));
  assert.equal(new Set([id.headers.etag, br.headers.etag, gz.headers.etag]).size, 3, 'one ETag per representation');
  assert.equal((await request('/www/precompressed/hello.txt', { 'Accept-Encoding': 'gzip', 'If-None-Match': String(id.headers.etag) })).status, 200,
    'the identity tag does not validate the gzip representation');
  assert.equal((await request('/www/precompressed/hello.txt', { 'Accept-Encoding': 'gzip', 'If-None-Match': String(gz.headers.etag) })).status, 304);
});

test('only a .gz sibling; Range applies to the chosen representation; HEAD', async () => {
  const br = await request('/www/precompressed/only-gz.js', { 'Accept-Encoding': 'br' });
  assert.equal(br.headers['content-encoding'], undefined);
  assert.equal(br.headers.vary, 'Accept-Encoding', 'Vary also when a sibling exists but was not chosen');
  assert.equal(br.headers['content-type'], 'text/javascript');
  const gz = await request('/www/precompressed/only-gz.js', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(zlib.gunzipSync(gz.body).toString(), fs.readFileSync(path.join(WWW, 'precompressed', 'only-gz.js'), 'utf8'));
  const gzSize = fs.statSync(path.join(WWW, 'precompressed', 'hello.txt.gz')).size;
  const part = await request('/www/precompressed/hello.txt', { 'Accept-Encoding': 'gzip', Range: 'bytes=0-9' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-encoding'], 'gzip');
  assert.equal(part.headers['content-range'], `bytes 0-9/${gzSize}`);
  const head = await request('/www/precompressed/hello.txt', { 'Accept-Encoding': 'br' }, 'HEAD');
  assert.equal(head.headers['content-encoding'], 'br');
  assert.equal(head.headers['content-length'], String(fs.statSync(path.join(WWW, 'precompressed', 'hello.txt.br')).size));
  assert.equal(head.body.length, 0);
});

test('a sibling added later is found within the memo time; one deleted is served as absent', async () => {
  // Sibling lookups are remembered per file for up to 1 s (SiblingMemo in static_files.h).
  const file = path.join(TMP, 'late.txt');
  fs.writeFileSync(file, 'late text');
  const before = await request('/t/late.txt', { 'Accept-Encoding': 'gzip' });
  assert.equal(before.headers['content-encoding'], undefined);
  assert.equal(before.headers.vary, undefined);
  fs.writeFileSync(file + '.gz', zlib.gzipSync('late text'));
  const t0 = Date.now();
  const now = await pollUntil(async () => {
    const r = await request('/t/late.txt', { 'Accept-Encoding': 'gzip' });
    return r.headers['content-encoding'] === 'gzip' ? r : null;
  }, 5000, 'the new .gz sibling to be served', 50);
  assert.ok(Date.now() - t0 < 2500, `found after ${Date.now() - t0} ms`);
  assert.equal(zlib.gunzipSync(now.body).toString(), 'late text');
  assert.equal(now.headers.vary, 'Accept-Encoding');
  // Deleted while remembered: the original is sent, never an error.
  fs.unlinkSync(file + '.gz');
  const gone = await request('/t/late.txt', { 'Accept-Encoding': 'gzip' });
  assert.equal(gone.status, 200);
  assert.equal(gone.headers['content-encoding'], undefined);
  assert.equal(gone.text, 'late text');
  // Replacing the file itself is seen at once (the memo is keyed by its identity).
  fs.writeFileSync(file + '.gz', zlib.gzipSync('new, longer text'));
  fs.writeFileSync(file, 'new, longer text');
  const replaced = await request('/t/late.txt', { 'Accept-Encoding': 'gzip' });
  assert.equal(replaced.headers['content-encoding'], 'gzip');
  assert.equal(zlib.gunzipSync(replaced.body).toString(), 'new, longer text');
});

test('no sibling: no Vary; static files are never gzipped on the fly (server gzip: true)', async () => {
  const r = await request('/t/big.txt', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.headers.vary, undefined);
  assert.equal(r.headers['content-length'], '4096');
});

test('case-insensitive extensions and mime-db types', async () => {
  const cases: [string, string][] = [
    ['Page.HTML', 'text/html; charset=utf-8'], ['page.html', 'text/html; charset=utf-8'],
    ['IMAGE.PNG', 'image/png'], ['image.png', 'image/png'], ['style.CsS', 'text/css'], ['style.css', 'text/css'],
    ['app.Js', 'text/javascript'], ['app.js', 'text/javascript'],
  ];
  for (const [name, type] of cases) assert.equal((await request(`/t/${name}`)).headers['content-type'], type, name);
  const types: Record<string, string> = {
    htm: 'text/html; charset=utf-8', mjs: 'text/javascript', json: 'application/json', csv: 'text/csv', txt: 'text/plain',
    svg: 'image/svg+xml', jpg: 'image/jpeg', gif: 'image/gif', wasm: 'application/wasm', woff2: 'font/woff2',
    mp4: 'video/mp4', pdf: 'application/pdf', xml: 'application/xml', md: 'text/markdown', webp: 'image/webp',
    map: 'application/json', ts: 'video/mp2t', zzunknown: 'application/octet-stream',
  };
  // Every extension that exactly one mime-db type claims must map to that type (a sample).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const db = require('mime-db') as Record<string, { extensions?: string[] }>;
  const claims = new Map<string, string[]>();
  for (const [type, e] of Object.entries(db)) for (const ext of e.extensions ?? []) claims.set(ext, [...(claims.get(ext) ?? []), type]);
  const single = [...claims].filter(([, t]) => t.length === 1).map(([ext, t]) => [ext, t[0]] as const).sort();
  for (let i = 0; i < single.length; i += Math.ceil(single.length / 60)) {
    const [ext, type] = single[i];
    if (!(ext in types)) types[ext] = type === 'text/html' ? 'text/html; charset=utf-8' : type;
  }
  for (const ext of Object.keys(types)) fs.writeFileSync(path.join(TMP, 'mime', `f.${ext}`), ext);
  for (const [ext, type] of Object.entries(types)) {
    assert.equal((await request(`/t/mime/f.${ext}`)).headers['content-type'], type, `.${ext}`);
  }
});

test('HEAD has the GET headers and no body (raw socket, pipelined with a GET)', async () => {
  const out = await raw('HEAD /t/alpha.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /t/alpha.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const first = out.indexOf('\r\n\r\n');
  assert.match(out.slice(0, first), /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(out.slice(0, first), /\r\ncontent-length: 26(\r\n|$)/i);
  const rest = out.slice(first + 4);
  assert.match(rest, /^HTTP\/1\.1 200 OK\r\n/, 'the next bytes after the HEAD headers are the second response');
  assert.ok(rest.endsWith(`\r\n\r\n${ALPHA}`), 'GET body follows');
  const h404 = await raw('HEAD /t/nope.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(h404, /^HTTP\/1\.1 404 /);
  assert.ok(h404.endsWith('\r\n\r\n'), 'HEAD 404 without body');
});

test('other methods: 405 with Allow; a body after it does not desynchronise the connection', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND']) {
    const r = await request('/t/alpha.txt', {}, method);
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD', method);
  }
  const out = await raw('POST /t/alpha.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /t/alpha.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(out, /^HTTP\/1\.1 405 /);
  const second = out.indexOf('HTTP/1.1', 5);
  if (second >= 0) assert.match(out.slice(second), /^HTTP\/1\.1 200 OK\r\n[\s\S]*abcdefghijklmnopqrstuvwxyz$/, 'next request answered correctly');
  assert.ok(!/HTTP\/1\.1 400/.test(out), 'body not parsed as a request');
});

test('request bodies on GET (httpuv #247/#248) and Upgrade (httpuv #215)', async () => {
  const cl0 = await raw('GET /t/alpha.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nUpgrade: h2c\r\nConnection: close\r\n\r\n');
  assert.match(cl0, /^HTTP\/1\.1 200 OK\r\n/, 'Content-Length: 0 and Upgrade: h2c still serve the file');
  assert.ok(cl0.endsWith(ALPHA));
  const cl5 = await raw('GET /t/alpha.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
  assert.match(cl5, /^HTTP\/1\.1 400 /, 'GET with a body');
  const te = await raw('GET /t/alpha.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
  assert.match(te, /^HTTP\/1\.1 400 /, 'GET with a chunked body');
  const ws = await raw('GET /t/alpha.txt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n', 3000, true);
  assert.match(ws, /^HTTP\/1\.1 \d{3} /, 'the upgrade gets an answer');
  assert.ok(!ws.includes(ALPHA), 'a WebSocket upgrade is never answered with the static file');
});

test('query strings are ignored for lookup', async () => {
  const r = await request('/t/alpha.txt?x=../../secret&y=%00');
  assert.equal(r.status, 200);
  assert.equal(r.text, ALPHA);
});
