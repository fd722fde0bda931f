// Every example in examples/ runs (issue 18, acceptance 1): each starts as a user would start it
// (`node examples/<file>` from the repository, importing the package by its name, `node-httpuv`,
// which resolves to dist/ through package.json "exports"), on a free port (PORT=0), is talked
// to with fetch, node:http or ws, and is stopped; the examples that promise a graceful stop are
// stopped by a signal and must answer the request in progress and exit 0.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import WebSocketClient from 'ws';
import { Child } from '../helpers/child.js';
import { pollUntil } from '../helpers/tools.js';
import { finalNoServersTest } from '../helpers/server.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');

interface Running {
  child: Child;
  url: string;
}

/** Starts `examples/<file>` on a free port; resolves once it has printed its URL. */
async function start(file: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Running> {
  const proc = spawn(process.execPath, [...nodeArgs, path.join(EXAMPLES, file)], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '0', ...env },
  });
  const child = new Child(proc);
  const m = await child.waitLine(/Listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
  return { child, url: m[1] };
}

/** Stops an example: SIGTERM, then waits for its exit (SIGKILL after a deadline). */
async function stop(r: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: string | null }> {
  if (!r.child.exit) r.child.proc.kill(signal);
  const e = await r.child.waitExit(15_000);
  assert.equal(e.timedOut, false, `examples: the child did not exit after ${signal}; stderr ${r.child.stderr}`);
  return e;
}

/** Runs `fn` against a started example and always stops it; the exit must be clean or by SIGTERM. */
async function withExample(file: string, fn: (r: Running) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const r = await start(file, env);
  try {
    await fn(r);
  } finally {
    const e = await stop(r);
    assert.ok(e.code === 0 || e.signal === 'SIGTERM', `${file} exited with ${JSON.stringify(e)}; stderr ${r.child.stderr}`);
  }
}

async function json(res: Response): Promise<unknown> {
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return res.json();
}

/** A GET on a new connection each time (so that SO_REUSEPORT can pick another process). */
function getFresh(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false, headers: { Connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Opens a ws client and collects its text messages as parsed JSON. */
async function chatClient(url: string, name: string): Promise<{ ws: WebSocketClient; seen: { from: string; text: string }[] }> {
  const ws = new WebSocketClient(`${url.replace('http:', 'ws:')}/chat?name=${encodeURIComponent(name)}`);
  const seen: { from: string; text: string }[] = [];
  ws.on('message', (data) => { seen.push(JSON.parse(String(data)) as { from: string; text: string }); });
  await new Promise<void>((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return { ws, seen };
}

test('examples/README.md lists every example, and every listed file exists', () => {
  const readme = fs.readFileSync(path.join(EXAMPLES, 'README.md'), 'utf8');
  const listed = new Set([...readme.matchAll(/\]\(([^)#]+\.m?[jt]s)\)/g)].map((m) => m[1]));
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'public') walk(full);   // public/: the apps' static files
      else if (e.isFile() && /\.m?[jt]s$/.test(e.name)) files.push(path.relative(EXAMPLES, full).split(path.sep).join('/'));
    }
  };
  walk(EXAMPLES);
  assert.deepEqual([...listed].sort(), files.sort());
  for (const f of listed) assert.ok(fs.existsSync(path.join(EXAMPLES, f)), `examples/${f} is listed but missing`);
});

test('hello.mjs answers with the path', async () => {
  await withExample('hello.mjs', async ({ url }) => {
    const res = await fetch(`${url}/some/where?x=1`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.equal(await res.text(), 'Hello from /some/where\n');
  });
});

test('json-api.mjs: routing, a JSON POST body, query filters and the error statuses', async () => {
  await withExample('json-api.mjs', async ({ url }) => {
    const api = `${url}/api/todos`;
    const post = (body: string, type = 'application/json'): Promise<Response> =>
      fetch(api, { method: 'POST', headers: { 'Content-Type': type }, body });
    let res = await post(JSON.stringify({ title: 'milk' }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), '/api/todos/1');
    assert.deepEqual(await json(res), { id: 1, title: 'milk', done: false });
    res = await post(JSON.stringify({ title: 'bread' }));
    assert.equal(res.status, 201);
    assert.deepEqual(await json(await fetch(api)), [
      { id: 1, title: 'milk', done: false }, { id: 2, title: 'bread', done: false }]);
    assert.equal((await json(await fetch(`${api}?done=false`)) as unknown[]).length, 2);
    assert.deepEqual(await json(await fetch(`${api}?done=true`)), []);
    assert.deepEqual(await json(await fetch(`${api}/2`)), { id: 2, title: 'bread', done: false });
    res = await fetch(`${api}/2`, { method: 'DELETE' });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    res = await fetch(`${api}/2`);
    assert.equal(res.status, 404);
    assert.deepEqual(await json(res), { error: 'no such todo' });
    res = await fetch(`${api}/1`, { method: 'PUT' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, DELETE');
    await res.body?.cancel();
    res = await post('{not json');
    assert.equal(res.status, 400);
    assert.deepEqual(await json(res), { error: 'the body is not valid JSON' });
    res = await post('title=milk', 'application/x-www-form-urlencoded');
    assert.equal(res.status, 415);
    await res.body?.cancel();
    res = await fetch(`${url}/elsewhere`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
});

test('chat/server.mjs: serves its page and broadcasts each message to everyone', async () => {
  await withExample('chat/server.mjs', async ({ url }) => {
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /new WebSocket\(/);
    const ada = await chatClient(url, 'Ada');
    await pollUntil(() => ada.seen.some((m) => m.text === 'Ada joined (1 here)'), 10_000, 'Ada sees her own join');
    const bob = await chatClient(url, 'Bob');
    await pollUntil(() => ada.seen.some((m) => m.text === 'Bob joined (2 here)'), 10_000, 'Ada sees Bob join');
    bob.ws.send('hello, Ada');
    const said = (s: { seen: { from: string; text: string }[] }): boolean =>
      s.seen.some((m) => m.from === 'Bob' && m.text === 'hello, Ada');
    await pollUntil(() => said(ada) && said(bob), 10_000, 'both receive the message');
    bob.ws.close();
    await pollUntil(() => ada.seen.some((m) => m.text === 'Bob left'), 10_000, 'Ada sees Bob leave');
    ada.ws.close();
    await new Promise<void>((resolve) => { if (ada.ws.readyState === ada.ws.CLOSED) resolve(); else ada.ws.once('close', () => resolve()); });
  });
});

test('static-site/server.mjs: files from the I/O thread, /api from call()', async () => {
  await withExample('static-site/server.mjs', async ({ url }) => {
    let res = await fetch(`${url}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Static files and an API/);
    res = await fetch(`${url}/assets/style.css`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=86400');
    await res.body?.cancel();
    res = await fetch(`${url}/app.js`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), null);
    await res.body?.cancel();
    const t = await json(await fetch(`${url}/api/time`)) as { now: string; visits: number };
    assert.equal(t.visits, 1);
    assert.ok(!Number.isNaN(Date.parse(t.now)));
    res = await fetch(`${url}/api/other`);
    assert.equal(res.status, 404);
    assert.equal(await res.text(), 'No route for /api/other\n');
    res = await fetch(`${url}/missing.txt`);   // a static 404, not call()'s
    assert.equal(res.status, 404);
    assert.doesNotMatch(await res.text(), /No route/);
  });
});

test('async-handler.mjs: awaited lookups, concurrent requests, a throw is a 500', async () => {
  await withExample('async-handler.mjs', async ({ url, child }) => {
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(`${url}/users/${(i % 3) + 1}`)));
    const statuses = answers.map((r) => r.status);
    assert.deepEqual(statuses, Array.from({ length: 10 }, (_, i) => (i % 3 === 2 ? 404 : 200)));
    assert.deepEqual(await json(answers[0]), { id: 1, name: 'Ada' });
    for (const r of answers.slice(1)) await r.body?.cancel();
    const res = await fetch(`${url}/fail`);
    assert.equal(res.status, 500);
    await res.body?.cancel();
    await pollUntil(() => /something went wrong/.test(child.stderr), 10_000, 'the error is logged on stderr');
    assert.equal((await fetch(`${url}/users/2`)).status, 200, 'the server goes on after the 500');
  });
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`graceful-shutdown.mjs: ${signal} drains (the request in progress is answered), then exit 0`, async () => {
    const r = await start('graceful-shutdown.mjs');
    try {
      const slow = fetch(`${r.url}/slow`);
      await r.child.waitLine(/slow request started/, 10_000);
      r.child.proc.kill(signal);
      const res = await slow;
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('connection'), 'close');
      assert.equal(await res.text(), 'finished, even though the server was asked to stop\n');
      const e = await r.child.waitExit(15_000);
      assert.deepEqual(e, { code: 0, signal: null, timedOut: false }, r.child.stderr);
      assert.ok(r.child.lines.includes('Stopped cleanly'), JSON.stringify(r.child.lines));
    } finally {
      r.child.kill();
    }
  });
}

test('worker-thread.mjs: the server runs in a Worker; SIGTERM stops it and the process exits 0', async () => {
  const r = await start('worker-thread.mjs');
  try {
    const res = await fetch(`${r.url}/x`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^Hello from worker thread [1-9]\d*: \/x\n$/);
    const e = await stop(r);
    assert.deepEqual(e, { code: 0, signal: null, timedOut: false }, r.child.stderr);
    assert.ok(r.child.lines.includes('Worker stopped'), JSON.stringify(r.child.lines));
  } finally {
    r.child.kill();
  }
});

test('reuse-port.mjs: two processes share one port; SIGTERM to the primary stops them all', async (t) => {
  if (process.platform !== 'linux') {
    t.skip('SO_REUSEPORT spreads connections between processes only on Linux (BSD and macOS let the last process take them)');
    return;
  }
  const r = await start('reuse-port.mjs', { WORKERS: '2' });
  try {
    const pids = new Set<string>();
    await pollUntil(async () => {
      const body = await getFresh(`${r.url}/`);
      const m = /^Answered by process (\d+): \/\n$/.exec(body);
      assert.ok(m, body);
      pids.add(m[1]);
      return pids.size >= 2;
    }, 20_000, 'answers from two processes');
    const e = await stop(r);
    assert.deepEqual(e, { code: 0, signal: null, timedOut: false }, r.child.stderr);
    assert.ok(r.child.lines.includes('All workers stopped'), JSON.stringify(r.child.lines));
    for (const pid of pids) {
      assert.throws(() => process.kill(Number(pid), 0), /ESRCH/, `worker ${pid} is still running`);
    }
  } finally {
    r.child.kill();
  }
});

test('from-express/server.mjs: the Express app\'s static files and JSON routes, moved over', async () => {
  await withExample('from-express/server.mjs', async ({ url }) => {
    let res = await fetch(`${url}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<h1>Books<\/h1>/);
    assert.deepEqual(await json(await fetch(`${url}/api/books`)), [{ id: 1, title: 'Dune' }]);
    res = await fetch(`${url}/api/books`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: 'Emma' }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(await json(res), { id: 2, title: 'Emma' });
    assert.deepEqual(await json(await fetch(`${url}/api/books/2`)), { id: 2, title: 'Emma' });
    res = await fetch(`${url}/api/books/99`);
    assert.equal(res.status, 404);
    assert.deepEqual(await json(res), { error: 'not found' });
    res = await fetch(`${url}/api/books`, { method: 'POST', body: '{oops' });
    assert.equal(res.status, 400);
    await res.body?.cancel();
    res = await fetch(`${url}/nothing-here.html`);   // a missing file falls through to the routes
    assert.equal(res.status, 404);
    assert.equal(await res.text(), 'Cannot GET /nothing-here.html\n');
  });
});

test('typescript/server.mts type-checks against the package types, and runs once compiled', async () => {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const check = spawnSync(process.execPath, [tsc, '-p', path.join(EXAMPLES, 'typescript')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(check.status, 0, `tsc -p examples/typescript:\n${check.stdout}${check.stderr}`);
  // Compiled into build-test/ (inside the package, so `node-httpuv` still resolves to itself).
  const out = path.join(ROOT, 'build-test', 'examples', 'typescript');
  const emit = spawnSync(process.execPath, [tsc, '-p', path.join(EXAMPLES, 'typescript'), '--noEmit', 'false',
    '--outDir', out], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(emit.status, 0, `${emit.stdout}${emit.stderr}`);
  const r = await start(path.relative(EXAMPLES, path.join(out, 'server.mjs')));
  try {
    const body = await json(await fetch(`${r.url}/greet?name=Ada`, { headers: { 'User-Agent': 'test' } }));
    assert.deepEqual(body, { greeting: 'Hello, Ada!', path: '/greet', userAgent: 'test' });
    assert.equal((await fetch(`${r.url}/nope`)).status, 404);
  } finally {
    await stop(r);
  }
});

finalNoServersTest();
