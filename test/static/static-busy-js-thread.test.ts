// The headline test of static files: they are served by the I/O thread, so they keep flowing
// while the application's JS thread is blocked. The server runs in a child process
// (test/fixtures/apps/static-busy.js) whose JS thread then spins for 2 s: a static GET (new
// connection each time) completes in under 200 ms during the spin, while a dynamic GET only
// completes after the spin ends. Under emulation (qemu) the spin, the bound and the waits are
// scaled together (a 20 s spin, statics under 2 s): the same proof at emulated speed.
import { scaled, waitMs } from '../helpers/emulation.js';
import { underEmulation } from '../helpers/tools.js';
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { listServers } from '../../src/index.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'apps', 'static-busy.js');
const MODULE = path.resolve(__dirname, '..', '..', 'src', 'index.js');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-busy-'));
const BUSY_MS = scaled(2000);
const STATIC_BOUND_MS = scaled(200);
const children: ChildProcess[] = [];

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(TMP, { recursive: true, force: true });
  assert.equal(listServers().length, 0, 'servers left running');
});

type Msg = { event: string; [k: string]: unknown };

/** Resolves with the child's next message of kind `event`, or rejects after `ms`. */
function nextMessage(child: ChildProcess, event: string, ms: number): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`child sent no ${event} within ${waitMs(ms)} ms`)); }, waitMs(ms));
    const onMsg = (m: Msg) => { if (m?.event === event) { cleanup(); resolve(m); } };
    const onExit = (code: number | null) => { cleanup(); reject(new Error(`child exited (${code}) before ${event}`)); };
    const cleanup = () => { clearTimeout(timer); child.off('message', onMsg); child.off('exit', onExit); };
    child.on('message', onMsg);
    child.on('exit', onExit);
  });
}

interface Timed { status: number; body: Buffer; started: number; done: number }

function timedGet(port: number, p: string): Promise<Timed> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), started, done: Date.now() }));
    });
    req.setTimeout(waitMs(10_000), () => req.destroy(new Error(`timeout ${p}`)));
    req.on('error', reject);
  });
}

test(`static GETs complete in < ${STATIC_BOUND_MS} ms while the JS thread is busy; a dynamic GET waits`,
  { skip: underEmulation('a 200 ms latency bound') }, async () => {
  const big = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 8)) & 0xff;
  fs.writeFileSync(path.join(TMP, 'one-mib.bin'), big);
  fs.writeFileSync(path.join(TMP, 'small.txt'), 'small static file\n');

  const child = fork(FIXTURE, [], { env: { ...process.env, HTTPUV_MODULE: MODULE, STATIC_DIR: TMP }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  const ready = await nextMessage(child, 'ready', 10_000);
  const port = ready.port as number;
  assert.ok(port > 0);

  // Both paths work while the JS thread is idle.
  const warmStatic = await timedGet(port, '/static/small.txt');
  assert.equal(warmStatic.body.toString(), 'small static file\n');
  const warmDynamic = await timedGet(port, '/dynamic');
  assert.equal(warmDynamic.status, 200);
  assert.match(warmDynamic.body.toString(), /^dynamic \/dynamic/);

  const busyStart = nextMessage(child, 'busy-start', 5000);
  const busyEnd = nextMessage(child, 'busy-end', BUSY_MS + 10_000);
  child.send({ cmd: 'busy', ms: BUSY_MS });
  await busyStart;
  const dynamic = timedGet(port, '/dynamic');

  const statics: Timed[] = [];
  for (let i = 0; i < 8; i++) {
    statics.push(await timedGet(port, i % 2 === 0 ? '/static/small.txt' : '/static/one-mib.bin'));
  }
  const end = await busyEnd;
  const dyn = await dynamic;

  const spinStart = end.start as number;
  const spinEnd = end.end as number;
  assert.ok(spinEnd - spinStart >= BUSY_MS, 'the child spun for the whole time');
  for (const [i, s] of statics.entries()) {
    assert.equal(s.status, 200, `static #${i}`);
    assert.ok(s.done - s.started < STATIC_BOUND_MS, `static #${i} took ${s.done - s.started} ms while JS was busy`);
    assert.ok(s.done < spinEnd, `static #${i} completed during the busy loop`);
  }
  assert.equal(statics[0].body.toString(), 'small static file\n');
  assert.ok(statics[1].body.equals(big), 'the 1 MiB file arrived intact');

  assert.equal(dyn.status, 200);
  assert.ok(dyn.done >= spinEnd - 5, `dynamic GET finished ${spinEnd - dyn.done} ms before the busy loop ended`);
  const answeredAt = Number(/at (\d+)$/.exec(dyn.body.toString())?.[1]);
  assert.ok(answeredAt >= spinEnd, 'call ran only after the busy loop');
  assert.ok(dyn.done - dyn.started > BUSY_MS / 2, `dynamic GET took only ${dyn.done - dyn.started} ms`);

  const stopped = nextMessage(child, 'stopped', 10_000);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.send({ cmd: 'stop' });
  assert.equal((await stopped).left, 0, 'the child has no servers left');
  assert.equal(await exited, 0);
});
