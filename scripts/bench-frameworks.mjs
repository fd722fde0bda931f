#!/usr/bin/env node
// `npm run bench:frameworks` (issue 17): the same Hono app (test/fixtures/apps/hono-app.ts) on
// node-httpuv and on @hono/node-server (node:http), in one run. Each server is pinned to CPU 0 with
// taskset and the load (wrk, one thread) to CPU 1. Scenarios:
//   hello  GET /             wrk -c50: requests/s
//   sse    GET /sse?n=64     wrk -c50: responses/s × 64 = SSE events/s (each one a chunk)
//   big    GET /generated?mib=100 with a client that reads slowly (256 KiB, then a 10 ms pause):
//          the server's RSS growth over its idle RSS (target < 32 MiB for node-httpuv)
// Besides the rates it prints the server's CPU time per request or event (user + sys of the whole
// process, from /proc), which a busy machine disturbs less than a rate: compare ratios of one run.
// Options: --seconds=N (default 5 per measurement), --only=hello,sse,big.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let seconds = 5;
let only = new Set(['hello', 'sse', 'big']);
for (const a of process.argv.slice(2)) {
  let m;
  if ((m = /^--seconds=(\d+)$/.exec(a))) seconds = Number(m[1]);
  else if ((m = /^--only=(.+)$/.exec(a))) only = new Set(m[1].split(','));
  else { console.error(`unknown argument ${a}`); process.exit(2); }
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
for (const cmd of ['wrk', 'taskset']) {
  if (!have(cmd)) { console.error(`bench:frameworks needs ${cmd} (apt-get install ${cmd === 'wrk' ? 'wrk' : 'util-linux'})`); process.exit(1); }
}
const twoCpus = os.cpus().length >= 2;
const serverCpu = '0';
const loadCpu = twoCpus ? '1' : '0';
const clk = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;

function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);  // utime + stime, all threads
}
function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startServer(kind) {
  const child = spawn('taskset', ['-c', serverCpu, process.execPath, path.join(root, 'scripts', 'bench-frameworks-server.cjs'), kind],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`${kind}: no PORT line within 15 s`)), 15000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /PORT (\d+)/.exec(out);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => reject(new Error(`${kind} exited (${code})`)));
  });
  return { child, port, pid: child.pid };
}

function wrk(port, target, secs, conns = 50) {
  const r = spawnSync('taskset', ['-c', loadCpu, 'wrk', '-t1', `-c${conns}`, `-d${secs}s`, `http://127.0.0.1:${port}${target}`],
    { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const n = /(\d+) requests in/.exec(r.stdout);
  const errs = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(r.stdout);
  return { rps: m ? Number(m[1]) : 0, requests: n ? Number(n[1]) : 0, errors: errs ? errs[0] : '' };
}

async function measure(srv, target, perRequest) {
  wrk(srv.port, target, 1);  // warm-up (JIT)
  const before = cpuTicks(srv.pid);
  const r = wrk(srv.port, target, seconds);
  const cpuUs = ((cpuTicks(srv.pid) - before) / clk) * 1e6;
  return { rate: r.rps * perRequest, cpuPer: r.requests > 0 ? cpuUs / (r.requests * perRequest) : NaN, errors: r.errors };
}

// 100 MiB generated, read 256 KiB at a time with a 10 ms pause: the server's RSS growth.
async function slowBig(srv) {
  await sleep(200);
  const idle = rssKiB(srv.pid);
  let peak = idle;
  const sampler = setInterval(() => { try { peak = Math.max(peak, rssKiB(srv.pid)); } catch { /* gone */ } }, 20);
  const t0 = Date.now();
  const got = await new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let total = 0;
    let since = 0;
    sock.on('connect', () => sock.write('GET /generated?mib=100 HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n'));
    sock.on('data', (c) => {
      total += c.length;
      since += c.length;
      if (since >= 256 * 1024) {
        since = 0;
        sock.pause();
        setTimeout(() => sock.resume(), 10);
      }
    });
    sock.on('end', () => resolve(total));
    sock.on('error', reject);
  });
  clearInterval(sampler);
  return { mib: got / 1048576, secs: (Date.now() - t0) / 1000, idleMiB: idle / 1024, growthMiB: (peak - idle) / 1024 };
}

const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`bench:frameworks  ${new Date().toISOString()}  node ${process.version}  ${os.cpus().length} CPUs ` +
  `(server on CPU ${serverCpu}, wrk on CPU ${loadCpu})  load average before: ${load}  ${seconds} s per measurement`);
const results = {};
for (const kind of ['httpuv', 'node-server']) {
  const srv = await startServer(kind);
  const res = {};
  try {
    if (only.has('hello')) res.hello = await measure(srv, '/', 1);
    if (only.has('sse')) res.sse = await measure(srv, '/sse?n=64', 64);
    if (only.has('big')) res.big = await slowBig(srv);
  } finally {
    srv.child.kill('SIGKILL');
  }
  results[kind] = res;
}
const a = results.httpuv;
const b = results['node-server'];
const f = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log('');
console.log('scenario            node-httpuv           @hono/node-server     ratio (rate)  ratio (CPU per op, lower is better)');
if (a.hello) {
  console.log(`hello  req/s        ${f(a.hello.rate).padEnd(10)} ${f(a.hello.cpuPer, 1).padStart(6)} µs   ` +
    `${f(b.hello.rate).padEnd(10)} ${f(b.hello.cpuPer, 1).padStart(6)} µs   ${(a.hello.rate / b.hello.rate).toFixed(2)}x         ` +
    `${(a.hello.cpuPer / b.hello.cpuPer).toFixed(2)}   (target >= 1.5x)`);
}
if (a.sse) {
  console.log(`sse    events/s     ${f(a.sse.rate).padEnd(10)} ${f(a.sse.cpuPer, 2).padStart(6)} µs   ` +
    `${f(b.sse.rate).padEnd(10)} ${f(b.sse.cpuPer, 2).padStart(6)} µs   ${(a.sse.rate / b.sse.rate).toFixed(2)}x         ` +
    `${(a.sse.cpuPer / b.sse.cpuPer).toFixed(2)}   (target >= 1.0x)`);
}
if (a.big) {
  for (const [name, r] of [['node-httpuv', a.big], ['@hono/node-server', b.big]]) {
    console.log(`big    ${name.padEnd(18)} ${f(r.mib, 1)} MiB in ${f(r.secs, 1)} s, slow reader; RSS idle ${f(r.idleMiB, 1)} MiB, ` +
      `growth ${f(r.growthMiB, 1)} MiB${name === 'node-httpuv' ? ' (target < 32 MiB)' : ''}`);
  }
}
for (const [kind, r] of Object.entries(results)) {
  for (const [s, v] of Object.entries(r)) if (v.errors) console.log(`note: ${kind} ${s}: ${v.errors}`);
}
console.log(`load average after: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
