// Issue 14, class 6: `{ file, owned: true }` hands the file to the server, which deleted it only
// when it opened it for sending. A response that was dropped (client gone, stale id, server
// stopped) or refused (a malformed response, a file that is not regular) left the file on disk
// for ever. Now the file's ownership lives in the response itself (ResponseFile in the addon,
// releaseResponse in TS): every way a response ends deletes it.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listServers, logLevel, startServer, type App, type Response } from '../../src/index.js';
import { RawConn } from '../helpers/clients.js';
import { deferred, pollUntil, withTimeout } from '../helpers/tools.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-i14-owned-'));
const previousLevel = logLevel('OFF');
after(() => {
  logLevel(previousLevel);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(listServers(), []);
});

let counter = 0;
function ownedFile(contents = 'owned contents'): string {
  const p = path.join(dir, `owned-${++counter}.txt`);
  fs.writeFileSync(p, contents);
  return p;
}

async function gone(p: string, what: string): Promise<void> {
  await pollUntil(() => !fs.existsSync(p), 5000, `${what}: ${p} deleted`);
}

async function exchange(port: number, head: string, isHead = false): Promise<{ status: number; body: string }> {
  const c = await RawConn.connect(port);
  try {
    await c.write(head);
    const [r] = await c.responses(1, 5000, [isHead]);
    return { status: r.status, body: r.body.toString() };
  } finally {
    c.destroy();
  }
}

const GET = (p: string): string => `GET ${p} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`;

test('sent, HEAD, 204 and 304: the owned file is deleted after each', async () => {
  let file = '';
  const s = startServer('127.0.0.1', 0, (req) => {
    file = ownedFile();
    const status = req.PATH_INFO === '/304' ? 304 : req.PATH_INFO === '/204' ? 204 : 200;
    return { status, body: { file, owned: true } };
  });
  try {
    const r = await exchange(s.getPort(), GET('/'));
    assert.equal(r.status, 200);
    assert.equal(r.body, 'owned contents');
    await gone(file, 'sent');
    const h = await exchange(s.getPort(), 'HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', true);
    assert.equal(h.status, 200);
    await gone(file, 'HEAD');
    assert.equal((await exchange(s.getPort(), GET('/304'))).status, 304);
    await gone(file, '304');
    assert.equal((await exchange(s.getPort(), GET('/204'))).status, 204);
    await gone(file, '204');
  } finally {
    await s.stop();
  }
});

test('a response refused with a 500 (bad header, bad status, non-regular file) deletes its owned file', async () => {
  const files: Record<string, string> = {};
  const make: Record<string, (f: string) => unknown> = {
    '/bad-header': (f) => ({ status: 200, headers: { 'X-A': 'a\r\nSet-Cookie: x' }, body: { file: f, owned: true } }),
    '/wide-header': (f) => ({ status: 200, headers: { 'X-A': 'caf\u010d' }, body: { file: f, owned: true } }),
    '/bad-status': (f) => ({ status: 99, body: { file: f, owned: true } }),
    '/bad-header-name': (f) => ({ status: 200, headers: [['Bad Name', 'v']], body: { file: f, owned: true } }),
    '/throwing-status': (f) => ({ get status(): never { throw new Error('no status'); }, body: { file: f, owned: true } }),
  };
  const s = startServer('127.0.0.1', 0, (req) => {
    const f = ownedFile();
    files[req.PATH_INFO] = f;
    return make[req.PATH_INFO](f) as Response;
  });
  try {
    for (const target of Object.keys(make)) {
      assert.equal((await exchange(s.getPort(), GET(target))).status, 500, target);
      await gone(files[target], target);
    }
  } finally {
    await s.stop();
  }
});

test('an owned FIFO is answered with a 500 and deleted', async (t) => {
  const fifo = path.join(dir, 'owned-fifo');
  try {
    execFileSync('mkfifo', [fifo], { stdio: 'ignore' });
  } catch {
    t.skip('mkfifo is not available');
    return;
  }
  const s = startServer('127.0.0.1', 0, () => ({ status: 200, body: { file: fifo, owned: true } }));
  try {
    const r = await withTimeout(exchange(s.getPort(), GET('/')), 5000, 'the answer');
    assert.equal(r.status, 500);
    await gone(fifo, 'owned FIFO');
  } finally {
    try {
      fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    } catch {
      // nobody reading (fixed code)
    }
    await withTimeout(s.stop(), 10_000, 'stop()');
  }
});

test('the client went away before the answer: the owned file is deleted (call and onHeaders)', async () => {
  for (const via of ['call', 'onHeaders'] as const) {
    const asked = deferred();
    const answer = deferred<Response>();
    const handler = (): Promise<Response> => { asked.resolve(); return answer.promise; };
    const app: App = via === 'call' ? { call: handler } : { onHeaders: handler, call: () => ({ status: 200, body: 'x' }) };
    const s = startServer('127.0.0.1', 0, app);
    try {
      const c = await RawConn.connect(s.getPort());
      await c.write(GET('/'));
      await withTimeout(asked.promise, 5000, `${via} called`);
      c.socket.resetAndDestroy();
      const f = ownedFile();
      answer.resolve({ status: 200, body: { file: f, owned: true } });
      await gone(f, `client gone (${via})`);
    } finally {
      await s.stop();
    }
  }
});

test('onHeaders answering with an owned file: sent, then deleted', async () => {
  let file = '';
  const s = startServer('127.0.0.1', 0, {
    onHeaders: () => { file = ownedFile('from onHeaders'); return { status: 403, body: { file, owned: true } }; },
    call: () => ({ status: 200, body: 'never' }),
  });
  try {
    const r = await exchange(s.getPort(), GET('/'));
    assert.equal(r.status, 403);
    assert.equal(r.body, 'from onHeaders');
    await gone(file, 'onHeaders');
  } finally {
    await s.stop();
  }
});

test('an answer that comes after stop(): the owned file is deleted', async () => {
  const asked = deferred();
  const answer = deferred<Response>();
  const s = startServer('127.0.0.1', 0, () => { asked.resolve(); return answer.promise; });
  const c = await RawConn.connect(s.getPort());
  try {
    await c.write(GET('/'));
    await withTimeout(asked.promise, 5000, 'call');
    const stopped = s.stop();
    c.destroy();
    await withTimeout(stopped, 30_000, 'stop()');
    const f = ownedFile();
    answer.resolve({ status: 200, body: { file: f, owned: true } });
    await gone(f, 'answer after stop');
  } finally {
    c.destroy();
    await s.stop();
  }
});

test('an answer that comes after its server stopped while another server runs: deleted on the I/O thread', async () => {
  const asked = deferred();
  const answer = deferred<Response>();
  const a = startServer('127.0.0.1', 0, () => { asked.resolve(); return answer.promise; });
  const b = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'b alive' }));
  const c = await RawConn.connect(a.getPort());
  try {
    await c.write(GET('/'));
    await withTimeout(asked.promise, 5000, 'call');
    const stopped = a.stop();
    c.destroy();
    await withTimeout(stopped, 30_000, 'stop() of a');
    const f = ownedFile();
    answer.resolve({ status: 200, body: { file: f, owned: true } });
    await gone(f, 'answer for a stopped server');
    assert.equal((await exchange(b.getPort(), GET('/'))).body, 'b alive');
  } finally {
    c.destroy();
    await a.stop();
    await b.stop();
  }
});

test('many owned files answered in one batch to clients that are gone: all deleted', async () => {
  const N = 20;
  const answers: Array<(r: Response) => void> = [];
  const allAsked = deferred();
  const s = startServer('127.0.0.1', 0, () => new Promise<Response>((resolve) => {
    answers.push(resolve);
    if (answers.length === N) allAsked.resolve();
  }));
  const conns: RawConn[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const c = await RawConn.connect(s.getPort());
      conns.push(c);
      await c.write(GET(`/${i}`));
    }
    await withTimeout(allAsked.promise, 5000, 'all calls');
    for (const c of conns) c.socket.resetAndDestroy();
    const files = answers.map((resolve) => {
      const f = ownedFile();
      resolve({ status: 200, body: { file: f, owned: true } });
      return f;
    });
    for (const f of files) await gone(f, 'batch to gone clients');
  } finally {
    for (const c of conns) c.destroy();
    await s.stop();
  }
});
