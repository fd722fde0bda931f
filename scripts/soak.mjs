#!/usr/bin/env node
// Soak test (no leak of memory or fds under hours of mixed traffic): `npm run soak -- --minutes N [--no-ws]`.
// One server in a child process (scripts/soak-server.cjs, the compiled dist/), driven from this
// process for N minutes with mixed loopback traffic: keep-alive GETs, pipelined batches, uploads
// above the body spill threshold (temp files), static downloads, and WebSocket churn (connect,
// echo a few messages, close). Every 10 s prints the child's RSS, open fds (/proc/<pid>/fd),
// Node's active resource count (process.getActiveResourcesInfo) and server counters. At the end: RSS growth from the end of
// warm-up to the end of the run, and the fd delta after the load stops and connections close.
// Exits 1 when RSS grows more than 5 % after warm-up, fds do not return to baseline (±2),
// or any request failed.
import { fork } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const minutes = Number(opt('--minutes', '10'));
const withWs = !args.includes('--no-ws');
if (!(minutes > 0)) {
  console.error('usage: npm run soak -- --minutes N [--no-ws] [--warmup-s S] [--v8-default]');
  process.exit(2);
}
const durationMs = minutes * 60_000;
// Warm-up: allocator pools, JIT and zlib/temp-file paths reach their steady state.
const warmupMs = Number(opt('--warmup-s', String(Math.min(60, Math.max(20, durationMs / 4000))))) * 1000;
if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) {
  console.error('soak: dist/ is missing; run `npm run build` first');
  process.exit(2);
}

// V8's young generation starts small and doubles under sustained allocation (4 → 8 → 16 → 32 MiB
// here, the last step after ~100 s of this load): a bounded, one-time step that would land after
// any short warm-up and read as growth. The server starts with it at its full size, so what the
// RSS comparison sees is what the server keeps, not V8's sizing (`--v8-default` turns this off).
const execArgv = args.includes('--v8-default') ? [] : ['--min-semi-space-size=16', '--max-semi-space-size=16'];
const child = fork(path.join(root, 'scripts', 'soak-server.cjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
const ready = await new Promise((resolve, reject) => {
  child.once('message', resolve);
  child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
});
const { port } = ready;
const pid = child.pid;

const procRss = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};
const procFds = () => fs.readdirSync(`/proc/${pid}/fd`).length;
const childInfo = () => new Promise((resolve) => {
  const onMsg = (m) => { if (m && m.kind === 'info') { child.off('message', onMsg); resolve(m); } };
  child.on('message', onMsg);
  child.send('info');
  setTimeout(() => { child.off('message', onMsg); resolve(null); }, 2000);
});

const counts = { get: 0, pipelined: 0, upload: 0, static: 0, ws: 0, wsMessages: 0, errors: 0 };
const errors = [];
const fail = (what, e) => {
  counts.errors++;
  if (errors.length < 20) errors.push(`${what}: ${e && e.message ? e.message : e}`);
};

let running = true;
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function request(method, p, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, agent,
      headers: body ? { 'content-length': body.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout ${method} ${p}`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function keepAliveLoop() {
  while (running) {
    try {
      const r = await request('GET', '/hello');
      if (r.status !== 200 || r.body.toString() !== 'hello') throw new Error(`GET /hello → ${r.status}`);
      counts.get++;
    } catch (e) { fail('keep-alive GET', e); }
  }
}

async function uploadLoop() {
  while (running) {
    const body = crypto.randomBytes(48 * 1024 + (counts.upload % 4096)); // above the 16 KiB spill threshold
    try {
      const r = await request('POST', '/upload', body);
      const want = crypto.createHash('sha1').update(body).digest('hex');
      if (r.status !== 200 || r.body.toString() !== want) throw new Error(`upload → ${r.status} ${r.body.toString().slice(0, 60)}`);
      counts.upload++;
    } catch (e) { fail('upload', e); }
  }
}

async function staticLoop() {
  while (running) {
    try {
      const r = await request('GET', '/static/file.bin');
      if (r.status !== 200 || r.body.length !== 256 * 1024) throw new Error(`static → ${r.status} ${r.body.length} B`);
      counts.static++;
    } catch (e) { fail('static', e); }
  }
}

// Ten pipelined GETs in one write on a fresh connection, all ten answers read, then close.
function pipelinedOnce() {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error('pipelined timeout')); }, 10_000);
    s.setEncoding('latin1');
    s.on('connect', () => {
      let out = '';
      for (let i = 0; i < 9; i++) out += `GET /p${i} HTTP/1.1\r\nHost: a\r\n\r\n`;
      out += 'GET /p9 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n';
      s.write(out);
    });
    s.on('data', (d) => { buf += d; });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('close', () => {
      clearTimeout(timer);
      const n = (buf.match(/HTTP\/1\.1 200 /g) || []).length;
      if (n === 10) resolve(); else reject(new Error(`pipelined: ${n}/10 answers`));
    });
  });
}
async function pipelineLoop() {
  while (running) {
    try { await pipelinedOnce(); counts.pipelined++; } catch (e) { fail('pipelined', e); }
  }
}

async function wsLoop() {
  const { WebSocket } = require('ws');
  while (running) {
    try {
      await new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: counts.ws % 2 === 0 });
        let got = 0;
        const timer = setTimeout(() => { ws.terminate(); reject(new Error('ws timeout')); }, 10_000);
        ws.on('open', () => { for (let i = 0; i < 5; i++) ws.send(`message ${i} `.repeat(50)); });
        ws.on('message', () => { got++; counts.wsMessages++; if (got === 5) ws.close(1000); });
        ws.on('close', () => { clearTimeout(timer); got === 5 ? resolve() : reject(new Error(`ws: ${got}/5 echoes`)); });
        ws.on('error', (e) => { clearTimeout(timer); reject(e); });
      });
      counts.ws++;
    } catch (e) { fail('websocket', e); }
  }
}

const MiB = 1024 * 1024;
const baseFds = procFds();
const baseRss = procRss();
console.log(`soak: ${minutes} min against pid ${pid} port ${port}, warm-up ${warmupMs / 1000} s, ` +
  `WebSocket churn ${withWs ? 'on' : 'off'}; idle baseline RSS ${(baseRss / MiB).toFixed(1)} MiB, fds ${baseFds}`);

const started = Date.now();
const loops = [keepAliveLoop(), keepAliveLoop(), uploadLoop(), staticLoop(), pipelineLoop()];
if (withWs) loops.push(wsLoop(), wsLoop());

const samples = []; // { t, rss }
const natives = []; // { t, native }: RSS minus JS heap and external memory, every 10 s
let last = { ...counts };
// js_heap = V8 heapTotal ((new) = its young generation), ext = external + ArrayBuffers: RSS minus these is roughly native memory
// (the addon, libuv, zlib, malloc arenas), which tells a JS-heap step from a native leak.
const header = 't_s  rss_MiB  js_heap  (new)  ext_MiB  fds  node_resrc  conns_open  req_total  req/s  ws_total  errors';
console.log(header);
await new Promise((resolve) => {
  const every = setInterval(async () => {
    const t = Date.now() - started;
    samples.push({ t, rss: procRss() });
    if (samples.length % 10 === 0 || t >= durationMs) {
      const info = await childInfo();
      const done = counts.get + counts.pipelined * 10 + counts.upload + counts.static;
      const before = last.get + last.pipelined * 10 + last.upload + last.static;
      last = { ...counts };
      if (info?.mem) natives.push({ t, native: procRss() - info.mem.heapTotal - info.mem.external - info.mem.arrayBuffers });
      const heap = info?.mem ? (info.mem.heapTotal / MiB).toFixed(1) : '?';
      const ext = info?.mem ? ((info.mem.external + info.mem.arrayBuffers) / MiB).toFixed(1) : '?';
      console.log(`${String(Math.round(t / 1000)).padStart(4)}  ${(procRss() / MiB).toFixed(1).padStart(7)}  ` +
        `${heap.padStart(7)}  ${(info?.newSpace ? (info.newSpace / MiB).toFixed(1) : '?').padStart(5)}  ${ext.padStart(7)}  ` +
        `${String(procFds()).padStart(3)}  ${String(info ? info.handles : '?').padStart(10)}  ` +
        `${String(info?.stats?.connectionsOpen ?? '?').padStart(10)}  ${String(info?.stats?.requestsTotal ?? '?').padStart(9)}  ` +
        `${String(Math.round((done - before) / 10)).padStart(5)}  ${String(info?.stats?.websocketsTotal ?? '?').padStart(8)}  ${counts.errors}`);
    }
    if (t >= durationMs) {
      clearInterval(every);
      resolve();
    }
  }, 1000);
});
running = false;
await Promise.all(loops);
agent.destroy();

// RSS: mean over the 10 s after warm-up vs mean over the last 10 s of load.
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const warm = samples.filter((s) => s.t >= warmupMs && s.t < warmupMs + 10_000).map((s) => s.rss);
const end = samples.filter((s) => s.t >= durationMs - 10_000).map((s) => s.rss);
const warmRss = mean(warm);
const endRss = mean(end);
const growth = warmRss > 0 ? ((endRss - warmRss) / warmRss) * 100 : NaN;

// The same comparison for the native estimate (10 s samples: the first after warm-up vs the mean
// of the last two), to tell JS heap expansion from native growth when RSS fails the limit.
const nWarm = natives.find((x) => x.t >= warmupMs);
const nEnd = mean(natives.slice(-2).map((x) => x.native));
const nativeGrowth = nWarm ? ((nEnd - nWarm.native) / nWarm.native) * 100 : NaN;

// fds: wait for every connection to close, then compare with the idle baseline.
let fds = procFds();
let info = await childInfo();
const settleEnd = Date.now() + 15_000;
while ((fds > baseFds + 2 || (info?.stats?.connectionsOpen ?? 0) > 0) && Date.now() < settleEnd) {
  await new Promise((r) => setTimeout(r, 250));
  fds = procFds();
  info = await childInfo();
}
const total = counts.get + counts.pipelined * 10 + counts.upload + counts.static;
console.log(`\nsoak summary: ${((Date.now() - started) / 1000).toFixed(0)} s, ${total} HTTP requests ` +
  `(${counts.get} keep-alive, ${counts.pipelined * 10} pipelined, ${counts.upload} uploads > spill, ${counts.static} static), ` +
  `${counts.ws} WebSocket sessions (${counts.wsMessages} echoes), ${counts.errors} errors`);
console.log(`RSS: idle ${(baseRss / MiB).toFixed(1)} MiB, after warm-up ${(warmRss / MiB).toFixed(1)} MiB, ` +
  `end ${(endRss / MiB).toFixed(1)} MiB → growth ${growth.toFixed(2)} % (limit 5 %); ` +
  `native estimate (RSS − JS heap − external) ${nWarm ? (nWarm.native / MiB).toFixed(1) : '?'} → ` +
  `${(nEnd / MiB).toFixed(1)} MiB (${nativeGrowth.toFixed(1)} %, informative)`);
console.log(`fds: baseline ${baseFds}, after the load ${fds} → delta ${fds - baseFds} (limit ±2); ` +
  `connections open ${info?.stats?.connectionsOpen ?? '?'}, Node active resources ${info?.handles ?? '?'}`);
for (const e of errors) console.log(`  error: ${e}`);
child.send('stop');
await new Promise((r) => child.once('exit', r));
const ok = growth <= 5 && Math.abs(fds - baseFds) <= 2 && counts.errors === 0;
console.log(ok ? 'soak: PASS' : 'soak: FAIL');
process.exit(ok ? 0 : 1);
