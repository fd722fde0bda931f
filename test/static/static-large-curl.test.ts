// Large files are streamed (20 MiB compared by sha256, parallel downloads, a 128 MiB sparse file
// without the server's memory growing by its size), and the same static assertions run through
// two independent clients: node:http and curl (h2o's run_with_curl; skipped without curl).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { startServer, listServers, staticPath, type WebServer } from '../../src/index.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const WWW = path.join(ROOT, 'test', 'fixtures', 'www');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-large-'));
const BIG = path.join(TMP, 'files', 'big.bin');
const SPARSE = path.join(TMP, 'files', 'sparse.bin');
const MiB = 1024 * 1024;
let bigHash = '';
let server: WebServer;
let port = 0;

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

before(() => {
  fs.mkdirSync(path.dirname(BIG), { recursive: true });
  const big = crypto.randomBytes(20 * MiB);
  fs.writeFileSync(BIG, big);
  bigHash = sha256(big);
  fs.writeFileSync(path.join(TMP, 'secret.txt'), 'SECRET\n');
  fs.closeSync(fs.openSync(SPARSE, 'w'));
  fs.truncateSync(SPARSE, 128 * MiB);
  server = startServer('127.0.0.1', 0, {
    call: () => ({ status: 299, body: 'app' }),
    staticPaths: { '/f': path.join(TMP, 'files'), '/www': staticPath(WWW, { headers: { 'Cache-Control': 'no-cache' } }) },
  });
  port = server.getPort();
});

after(async () => {
  await server.stop();
  fs.rmSync(TMP, { recursive: true, force: true });
  assert.equal(listServers().length, 0, 'servers left running');
});

/** Streams a download into a hash; returns status, byte count, hash. */
function download(p: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number; hash: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers, agent: false }, (res) => {
      const h = crypto.createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; h.update(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, hash: h.digest('hex'), headers: res.headers }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout ${p}`)));
    req.on('error', reject);
  });
}

test('a 20 MiB file arrives intact (sha256), also 4 at once', async () => {
  const one = await download('/f/big.bin');
  assert.equal(one.status, 200);
  assert.equal(one.headers['content-length'], String(20 * MiB));
  assert.equal(one.bytes, 20 * MiB);
  assert.equal(one.hash, bigHash);
  const many = await Promise.all(Array.from({ length: 4 }, () => download('/f/big.bin')));
  for (const m of many) assert.equal(m.hash, bigHash);
});

test('ranges deep inside the large file', async () => {
  const big = fs.readFileSync(BIG);
  for (const [a, b] of [[10 * MiB, 10 * MiB + 15], [1, 5 * MiB], [20 * MiB - 3, 20 * MiB - 1]]) {
    const r = await download('/f/big.bin', { Range: `bytes=${a}-${b}` });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], `bytes ${a}-${b}/${20 * MiB}`);
    assert.equal(r.hash, sha256(big.subarray(a, b + 1)));
  }
});

test('a 128 MiB (sparse) file is streamed: server memory does not grow by its size', async () => {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  try {
    const r = await download('/f/sparse.bin');
    assert.equal(r.status, 200);
    assert.equal(r.bytes, 128 * MiB);
    const zeros = crypto.createHash('sha256');
    const mib = Buffer.alloc(MiB);
    for (let i = 0; i < 128; i++) zeros.update(mib);
    assert.equal(r.hash, zeros.digest('hex'), 'all zeros');
  } finally {
    clearInterval(sampler);
  }
  assert.ok(peak - before < 64 * MiB, `rss grew by ${Math.round((peak - before) / MiB)} MiB while serving 128 MiB`);
});

// ---- the same assertions through node:http and curl -----------------------------------------

interface Res { status: number; headers: Record<string, string>; body: Buffer }
interface Req { path: string; method?: string; headers?: Record<string, string>; compressed?: boolean }
type Client = (r: Req) => Promise<Res>;

const nodeClient: Client = (r) => new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port, path: r.path, method: r.method ?? 'GET', headers: { ...r.headers, ...(r.compressed ? { 'Accept-Encoding': 'br, gzip' } : {}) }, agent: false }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      let body = Buffer.concat(chunks);
      const enc = res.headers['content-encoding'];
      if (r.compressed && enc === 'br') body = zlib.brotliDecompressSync(body);
      if (r.compressed && enc === 'gzip') body = zlib.gunzipSync(body);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
      resolve({ status: res.statusCode ?? 0, headers, body });
    });
  });
  req.on('error', reject);
  req.end();
});

let curlRun = 0;
const curlClient: Client = (r) => new Promise((resolve, reject) => {
  const n = curlRun++;
  const hfile = path.join(TMP, `curl-${n}.h`);
  const bfile = path.join(TMP, `curl-${n}.b`);
  const args = ['-s', '--path-as-is', '--max-time', '20', '-D', hfile, '-o', bfile];
  if (r.method === 'HEAD') args.push('-I');
  else if (r.method) args.push('-X', r.method);
  if (r.compressed) args.push('--compressed');
  for (const [k, v] of Object.entries(r.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(`http://127.0.0.1:${port}${r.path}`);
  execFile('curl', args, { env: { ...process.env, LD_PRELOAD: '' } }, (err) => {
    if (err && !fs.existsSync(hfile)) return reject(err);
    const blocks = fs.readFileSync(hfile, 'latin1').trim().split(/\r\n\r\n/);
    const lines = blocks[blocks.length - 1].split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      const k = l.slice(0, i).toLowerCase();
      headers[k] = headers[k] ? `${headers[k]}, ${l.slice(i + 1).trim()}` : l.slice(i + 1).trim();
    }
    let body = fs.existsSync(bfile) ? fs.readFileSync(bfile) : Buffer.alloc(0);
    // curl -I writes the header block to the output file too: what remains would be a body.
    if (r.method === 'HEAD') body = Buffer.from(body.toString('latin1').replace(fs.readFileSync(hfile, 'latin1'), ''), 'latin1');
    resolve({ status: Number(lines[0].split(' ')[1]), headers, body });
  });
});

async function sameAssertions(client: Client): Promise<void> {
  const data = fs.readFileSync(path.join(WWW, 'data.txt'));
  const get = await client({ path: '/www/data.txt' });
  assert.equal(get.status, 200);
  assert.deepEqual(get.body, data);
  assert.equal(get.headers['content-type'], 'text/plain');
  assert.equal(get.headers['content-length'], String(data.length));
  assert.equal(get.headers['accept-ranges'], 'bytes');
  assert.equal(get.headers['cache-control'], 'no-cache');

  const head = await client({ path: '/www/data.txt', method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], String(data.length));

  const range = await client({ path: '/www/data.txt', headers: { Range: 'bytes=5-8' } });
  assert.equal(range.status, 206);
  assert.deepEqual(range.body, data.subarray(5, 9));
  assert.equal(range.headers['content-range'], `bytes 5-8/${data.length}`);

  const notModified = await client({ path: '/www/data.txt', headers: { 'If-None-Match': get.headers.etag } });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body.length, 0);

  const hello = fs.readFileSync(path.join(WWW, 'precompressed', 'hello.txt'));
  const comp = await client({ path: '/www/precompressed/hello.txt', compressed: true });
  assert.equal(comp.status, 200);
  assert.ok(['br', 'gzip'].includes(comp.headers['content-encoding']), `content-encoding ${comp.headers['content-encoding']}`);
  assert.equal(comp.headers.vary, 'Accept-Encoding');
  assert.deepEqual(comp.body, hello);

  const post = await client({ path: '/www/data.txt', method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');

  for (const p of ['/f/../secret.txt', '/f/%2e%2e/secret.txt', '/f/..%2fsecret.txt']) {
    const t = await client({ path: p });
    assert.equal(t.status, 400, p);
    assert.ok(!t.body.includes('SECRET'), p);
  }
  const missing = await client({ path: '/www/nope' });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.toString(), '404 Not Found\n');

  const big = await client({ path: '/f/big.bin' });
  assert.equal(big.status, 200);
  assert.equal(sha256(big.body), bigHash);
}

test('static assertions with node:http', async () => {
  await sameAssertions(nodeClient);
});

test('the same static assertions with curl', async (t) => {
  const hasCurl = await new Promise<boolean>((resolve) => execFile('curl', ['--version'], { env: { ...process.env, LD_PRELOAD: '' } }, (e) => resolve(!e)));
  if (!hasCurl) {
    t.skip('curl is not installed (apt-get install curl); skipping the curl run');
    return;
  }
  await sameAssertions(curlClient);
});
