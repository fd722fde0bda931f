// Child process (and Worker) side of the lifecycle stress tests (stress-*.test.ts). Modes:
//   exit <code> <variant>   live servers + clients mid-request, then process.exit(code)
//   terminate <n>           n Workers with live servers and clients, each worker.terminate()d
//   two-workers <rounds>    servers in two Workers (and the main thread) answering concurrently
//   cycles <n>              n start/stop cycles; prints fd and thread counts before/after
//   echo-bodies             POSTs bodies and echoes them back (run with NODE_HTTPUV_COPY_BUFFERS=1)
// Results are printed as one JSON line prefixed with "RESULT ". node --test also runs this file
// (it lives under test/): without a mode it does nothing.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  startServer, startPipeServer, listServers, type WebServer, type RookRequest, type Response,
} from '../../src/index.js';
import { fdCount, threadCount } from '../helpers/proc.js';
import { waitMs } from '../helpers/emulation.js';
import { pace } from '../helpers/tools.js';

const WWW = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'www');

function result(obj: unknown): void {
  process.stdout.write(`RESULT ${JSON.stringify(obj)}\n`);
}

/** A local socket name: a path in the temp dir, a named pipe on Windows. */
function localSocket(base: string): string {
  return process.platform === 'win32' ? `\\\\.\\pipe\\${base}` : path.join(os.tmpdir(), base);
}

/** One request with Connection: close over a raw socket; resolves with the whole answer. */
function request(port: number, target: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`timeout ${target}`)); }, timeoutMs);
    s.setEncoding('latin1');
    s.on('connect', () => s.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    s.on('data', (d: string) => { data += d; });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('close', () => { clearTimeout(timer); resolve(data); });
  });
}

/** Resolves true when nothing listens on the port any more (connect refused). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', () => resolve(true));
  });
}

/** Live clients against `hang` (whose call never answers) and `echo`: one request waiting in
 *  JS, one with half its headers sent, and a keep-alive flood of pipelined requests (plus static
 *  files) that keeps events flowing both ways. Returns the sockets (for cleanup). */
function liveClients(hangPort: number, echoPort: number, onFloodData?: () => void): net.Socket[] {
  const socks: net.Socket[] = [];
  const open = (port: number, first: string, more?: string) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.on('connect', () => s.write(first));
    if (more !== undefined) {
      s.on('data', () => {
        onFloodData?.();
        if (!s.destroyed) s.write(more);
      });
    }
    socks.push(s);
  };
  open(hangPort, 'GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
  open(hangPort, 'POST /partial HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
  open(echoPort, 'GET /half HTTP/1.1\r\nHost: x\r\nX-Half: ');
  const flood = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n';
  open(echoPort, flood, flood);
  open(echoPort, flood, flood);
  const stat = 'GET /www/data.txt HTTP/1.1\r\nHost: x\r\n\r\n';
  open(echoPort, stat, stat);
  return socks;
}

interface Pair { hang: WebServer; echo: WebServer; hangCalls: { n: number; first?: () => void } }

function startPair(tag: string): Pair {
  const hangCalls: Pair['hangCalls'] = { n: 0 };
  const hang = startServer('127.0.0.1', 0, {
    call: () => {
      hangCalls.n++;
      hangCalls.first?.();
      return new Promise<Response>(() => {});  // never answers: the request stays mid-flight
    },
  }, { quiet: true });
  const echo = startServer('127.0.0.1', 0, {
    call: (req: RookRequest) => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: `${tag} ${req.PATH_INFO}` }),
    staticPaths: { '/www': WWW },
  }, { quiet: true });
  return { hang, echo, hangCalls };
}

// --- exit <code> <variant> -----------------------------------------------------------------
async function modeExit(code: number, variant: number): Promise<void> {
  const p = startPair('main');
  // A pipe server too, so that teardown also closes a pipe listener.
  const pipe = startPipeServer(localSocket(`httpuv-stress-${process.pid}-${Math.random().toString(36).slice(2)}.sock`), undefined,
    { call: () => ({ status: 200, body: 'pipe' }) }, { quiet: true });
  void pipe;
  let floods = 0;
  switch (variant % 4) {
    case 0:  // exit inside the app's call, while other requests are in flight
      p.hangCalls.first = () => process.exit(code);
      liveClients(p.hang.getPort(), p.echo.getPort());
      break;
    case 1:  // exit from a client's data handler, responses streaming in both directions
      liveClients(p.hang.getPort(), p.echo.getPort(), () => { if (++floods === 20) process.exit(code); });
      break;
    case 2:  // exit on a timer, a few ms into the traffic
      liveClients(p.hang.getPort(), p.echo.getPort());
      setTimeout(() => process.exit(code), 1 + Math.floor(Math.random() * 15));
      break;
    case 3:  // exit while stop() of every server is under way
      liveClients(p.hang.getPort(), p.echo.getPort(), () => {
        if (++floods === 10) {
          for (const s of listServers()) void s.stop();
          process.exit(code);
        }
      });
      break;
  }
  setTimeout(() => { console.error('exit mode: process.exit was never reached'); process.exit(99); }, waitMs(10000)).unref();
}

// --- Worker side ---------------------------------------------------------------------------
function workerMain(): void {
  const { role, tag } = workerData as { role: string; tag: string };
  if (role === 'live') {
    const p = startPair(tag);
    p.hangCalls.first = () => parentPort!.postMessage({ type: 'hang-call' });
    parentPort!.postMessage({ type: 'ports', hang: p.hang.getPort(), echo: p.echo.getPort() });
  } else if (role === 'answer') {
    const s = startServer('127.0.0.1', 0, {
      call: (req: RookRequest) => ({ status: 200, body: `${tag} ${req.PATH_INFO}` }),
    }, { quiet: true });
    parentPort!.postMessage({ type: 'port', port: s.getPort() });
    parentPort!.on('message', async (m: string) => {
      if (m === 'stop') {
        await s.stop();
        parentPort!.postMessage({ type: 'stopped', left: listServers().length });
        parentPort!.close();  // nothing else keeps the worker alive: it must end by itself
      }
    });
  }
}

function onceMessage<T>(w: Worker, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: { type: string }) => {
      if (m.type === type) { w.off('message', onMsg); w.off('error', reject); resolve(m as T); }
    };
    w.on('message', onMsg);
    w.once('error', reject);
  });
}

// --- terminate <n> -------------------------------------------------------------------------
async function modeTerminate(n: number): Promise<void> {
  // The main thread serves too: terminating Workers must not disturb its servers.
  const mine = startServer('127.0.0.1', 0, { call: () => ({ status: 200, body: 'main alive' }) }, { quiet: true });
  const failures: string[] = [];
  let threadsAfterFirst = 0;
  for (let i = 0; i < n; i++) {
    const w = new Worker(__filename, { workerData: { role: 'live', tag: `w${i}` } });
    const ports = await onceMessage<{ hang: number; echo: number }>(w, 'ports');
    const hangCall = onceMessage(w, 'hang-call');
    const socks = liveClients(ports.hang, ports.echo);
    if (i % 2 === 0) await hangCall;  // half the time: terminate with a request inside JS
    else await pace(Math.floor(Math.random() * 5));  // or at a random moment (the input)
    const code = await w.terminate();
    if (code !== 1) failures.push(`iteration ${i}: terminate() gave exit code ${code}`);
    // The env cleanup hook closed the Worker's listeners before terminate() settled.
    for (const port of [ports.hang, ports.echo]) {
      if (!(await refused(port))) failures.push(`iteration ${i}: port ${port} still accepts after terminate()`);
    }
    for (const s of socks) s.destroy();
    const alive = await request(mine.getPort(), '/');
    if (!alive.endsWith('main alive')) failures.push(`iteration ${i}: main server answered ${JSON.stringify(alive)}`);
    if (i === 0) threadsAfterFirst = threadCount();
  }
  await mine.stop();
  const threadsEnd = threadCount();
  result({ failures, threadsAfterFirst, threadsEnd, left: listServers().length });
}

// --- two-workers <rounds> ------------------------------------------------------------------
async function modeTwoWorkers(rounds: number): Promise<void> {
  const failures: string[] = [];
  let answered = 0;
  for (let r = 0; r < rounds; r++) {
    const workers = ['A', 'B'].map((tag) => new Worker(__filename, { workerData: { role: 'answer', tag } }));
    const ports = await Promise.all(workers.map((w) => onceMessage<{ port: number }>(w, 'port')));
    const mine = startServer('127.0.0.1', 0, { call: (req: RookRequest) => ({ status: 200, body: `M ${req.PATH_INFO}` }) }, { quiet: true });
    const targets: Array<[string, number]> = [['A', ports[0].port], ['B', ports[1].port], ['M', mine.getPort()]];
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      for (const [tag, port] of targets) {
        jobs.push(request(port, `/r${r}/${i}`).then((text) => {
          if (text.startsWith('HTTP/1.1 200') && text.endsWith(`${tag} /r${r}/${i}`)) answered++;
          else failures.push(`round ${r} ${tag} ${i}: ${JSON.stringify(text.slice(-80))}`);
        }, (e: Error) => { failures.push(`round ${r} ${tag} ${i}: ${e.message}`); }));
      }
    }
    await Promise.all(jobs);
    const exits = workers.map((w) => new Promise<number>((resolve) => w.once('exit', resolve)));
    const stopped = await Promise.all(workers.map((w) => {
      const m = onceMessage<{ left: number }>(w, 'stopped');
      w.postMessage('stop');
      return m;
    }));
    for (const s of stopped) if (s.left !== 0) failures.push(`round ${r}: a worker still lists ${s.left} servers`);
    // Once their servers are stopped the Workers end on their own (nothing keeps them alive).
    const deadline = setTimeout(() => { failures.push(`round ${r}: workers did not exit after stop`); for (const w of workers) void w.terminate(); }, waitMs(5000));
    const codes = await Promise.all(exits);
    clearTimeout(deadline);
    if (codes.some((c) => c !== 0)) failures.push(`round ${r}: worker exit codes ${codes.join(',')}`);
    await mine.stop();
  }
  result({ failures, answered, left: listServers().length });
}

// --- cycles <n> ----------------------------------------------------------------------------
async function modeCycles(n: number): Promise<void> {
  const failures: string[] = [];
  const app = { call: () => ({ status: 200, body: 'cycle' }) };
  const pipeName = localSocket(`httpuv-cycles-${process.pid}.sock`);
  const cycle = async (i: number) => {
    const s = i % 100 === 99 ? startPipeServer(pipeName, undefined, app, { quiet: true })
                             : startServer('127.0.0.1', 0, app, { quiet: true });
    if (i % 25 === 0 && 'getPort' in s) {
      const text = await request((s as WebServer).getPort(), `/c${i}`);
      if (!text.endsWith('cycle')) failures.push(`cycle ${i}: ${JSON.stringify(text.slice(-60))}`);
    }
    await s.stop();
  };
  // Warm-up: lets libuv's thread pool, lazy V8 threads and Node's own fds come into being.
  await fs.promises.readFile(__filename);
  for (let i = 0; i < 10; i++) await cycle(i);
  const fds0 = fdCount();
  const threads0 = threadCount();
  const t0 = Date.now();
  for (let i = 0; i < n; i++) await cycle(i);
  const ms = Date.now() - t0;
  // Closed client sockets are released by the next loop turn.
  await new Promise((r) => setImmediate(r));
  const fds1 = fdCount();
  const threads1 = threadCount();
  result({ failures, fds0, fds1, threads0, threads1, ms, left: listServers().length });
}

// --- echo-bodies ---------------------------------------------------------------------------
async function modeEchoBodies(): Promise<void> {
  const failures: string[] = [];
  const server = startServer('127.0.0.1', 0, {
    call: (req: RookRequest) => ({ status: 200, body: req['rook.input'].read() }),
  }, { quiet: true });
  let checked = 0;
  for (const size of [1, 100, 4096, 65536, 1 << 20]) {
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = (i * 31 + size) & 0xff;
    for (let k = 0; k < 5; k++) {
      const res = await fetch(`http://127.0.0.1:${server.getPort()}/echo`, { method: 'POST', body });
      const got = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200 || !got.equals(body)) failures.push(`size ${size}: status ${res.status}, ${got.length} bytes back`);
      else checked++;
    }
  }
  await server.stop();
  result({ failures, checked, copy: process.env.NODE_HTTPUV_COPY_BUFFERS ?? null, left: listServers().length });
}

async function main(): Promise<void> {
  const [mode, a, b] = process.argv.slice(2);
  switch (mode) {
    case 'exit': return modeExit(Number(a), Number(b));
    case 'terminate': return modeTerminate(Number(a));
    case 'two-workers': return modeTwoWorkers(Number(a));
    case 'cycles': return modeCycles(Number(a));
    case 'echo-bodies': return modeEchoBodies();
    default: return;  // run by node --test without a mode: nothing to do
  }
}

if (!isMainThread) {
  workerMain();
} else {
  main().catch((e) => { console.error(e); process.exit(98); });
}
