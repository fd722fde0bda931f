// Issue 14, class 6: a `{ file }` response body is the app's choice of path, and the I/O thread
// opened it with a plain blocking open(O_RDONLY). A FIFO blocked that open until a writer came:
// every server of the process hung and stop() never settled. Now only a regular file is sent
// (stat, then open with O_NONBLOCK|O_NOCTTY, fstat); a FIFO, a device, a socket, a directory or a
// missing path is a prompt, logged 500, and the other servers keep answering.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { listServers, logLevel, startServer, staticPath, type Response, type WebServer } from '../../src/index.js';
import { RawConn } from '../helpers/clients.js';
import { withTimeout } from '../helpers/tools.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-i14-file-'));
const fifo = path.join(dir, 'fifo');
let hasFifo = true;
try {
  execFileSync('mkfifo', [fifo], { stdio: 'ignore' });
} catch {
  hasFifo = false;
}
const noFifo = hasFifo ? false : 'mkfifo is not available';

const previousLevel = logLevel('OFF');
after(() => {
  logLevel(previousLevel);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(listServers(), []);
});

// On the old code the I/O thread sits in open() on the FIFO; a writer opening it lets that
// open return, so that a failing run still ends. No-op on fixed code.
function releaseFifoReader(p: string): void {
  try {
    const fd = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    fs.closeSync(fd);
  } catch {
    // ENXIO: nobody is blocked reading it
  }
}

async function get(port: number, target: string, method = 'GET'): Promise<{ status: number; text: string }> {
  const c = await RawConn.connect(port);
  try {
    await c.write(`${method} ${target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    const [r] = await c.responses(1, 5000, [method === 'HEAD']);
    return { status: r.status, text: r.body.toString('latin1') };
  } finally {
    c.destroy();
  }
}

function fileServer(file: () => string): WebServer {
  return startServer('127.0.0.1', 0, {
    call: (): Response => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: { file: file() } }),
  });
}

test('a FIFO as a file body: a prompt 500, another server still answers, stop() settles', { skip: noFifo }, async () => {
  const a = fileServer(() => fifo);
  const b = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'alive' }));
  try {
    for (let i = 0; i < 3; i++) {
      const r = await withTimeout(get(a.getPort(), `/f${i}`), 5000, 'the answer for a FIFO body');
      assert.equal(r.status, 500);
      const alive = await withTimeout(get(b.getPort(), '/'), 5000, 'the other server');
      assert.equal(alive.status, 200);
      assert.equal(alive.text, 'alive');
    }
    const head = await withTimeout(get(a.getPort(), '/h', 'HEAD'), 5000, 'HEAD for a FIFO body');
    assert.equal(head.status, 500);
    assert.equal(head.text, '');
  } finally {
    releaseFifoReader(fifo);
    await withTimeout(Promise.all([a.stop(), b.stop()]), 10_000, 'stop() of both servers');
  }
});

test('a symlink to a FIFO is refused; a symlink to a regular file is followed', { skip: noFifo }, async () => {
  const regular = path.join(dir, 'regular.txt');
  fs.writeFileSync(regular, 'regular contents');
  const toFifo = path.join(dir, 'to-fifo');
  const toRegular = path.join(dir, 'to-regular');
  fs.symlinkSync(fifo, toFifo);
  fs.symlinkSync(regular, toRegular);
  const s = startServer('127.0.0.1', 0, (req) => ({
    status: 200, body: { file: req.PATH_INFO === '/fifo' ? toFifo : toRegular },
  }));
  try {
    assert.equal((await withTimeout(get(s.getPort(), '/fifo'), 5000, 'symlink to FIFO')).status, 500);
    const ok = await withTimeout(get(s.getPort(), '/regular'), 5000, 'symlink to a file');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'regular contents');
  } finally {
    releaseFifoReader(fifo);
    await withTimeout(s.stop(), 10_000, 'stop()');
  }
});

test('devices, directories, sockets, missing and odd paths are a 500, never a hang', async () => {
  const win = process.platform === 'win32';
  // A listening local socket: a named pipe on Windows.
  const sockPath = win ? `\\\\.\\pipe\\httpuv-i14-${process.pid}` : path.join(dir, 'sock');
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(sockPath, r));
  const missing = path.join(dir, 'does-not-exist');
  const cases: Record<string, string> = {
    '/zero': '/dev/zero',
    '/urandom': '/dev/urandom',
    '/null': '/dev/null',
    '/dir': dir,
    '/root': '/',
    '/socket': sockPath,
    '/missing': missing,
    '/empty': '',
    '/nul': path.join(dir, 'a\0b'),
    // Windows devices (a device opens like a file there; judged on the handle).
    ...(win ? { '/NUL': 'NUL', '/dev-nul': '\\\\.\\NUL', '/CON': 'CON', '/nul-txt': path.join(dir, 'nul.txt') } : {}),
  };
  const s = startServer('127.0.0.1', 0, (req) => ({ status: 200, body: { file: cases[req.PATH_INFO] } }));
  const other = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'alive' }));
  try {
    for (const target of Object.keys(cases)) {
      if (!fs.existsSync(cases[target]) && target !== '/missing' && target !== '/empty' && target !== '/nul' &&
          !(win && /^\/(NUL|dev-nul|CON|nul-txt|socket)$/.test(target))) continue;
      const r = await withTimeout(get(s.getPort(), target), 5000, `the answer for ${target}`);
      assert.equal(r.status, 500, `${target} → ${r.status} ${r.text.slice(0, 80)}`);
    }
    assert.equal((await get(other.getPort(), '/')).text, 'alive');
  } finally {
    listener.close();
    await withTimeout(Promise.all([s.stop(), other.stop()]), 10_000, 'stop()');
  }
});

test('a file deleted between the answer and the send is a 500; a regular file still works', async () => {
  const file = path.join(dir, 'vanishing.txt');
  const s = startServer('127.0.0.1', 0, (req) => {
    fs.writeFileSync(file, 'here');
    if (req.PATH_INFO === '/gone') {
      // The answer is returned now; the file is gone before the I/O thread opens it.
      const res: Response = { status: 200, body: { file } };
      fs.unlinkSync(file);
      return res;
    }
    return { status: 200, body: { file } };
  });
  try {
    assert.equal((await withTimeout(get(s.getPort(), '/gone'), 5000, 'deleted file')).status, 500);
    const ok = await withTimeout(get(s.getPort(), '/ok'), 5000, 'regular file');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'here');
  } finally {
    await withTimeout(s.stop(), 10_000, 'stop()');
  }
});

test('a one-file static path replaced by a FIFO after staticPath() is not served and blocks nothing', { skip: noFifo }, async () => {
  const file = path.join(dir, 'static-one.txt');
  fs.writeFileSync(file, 'static');
  const sp = staticPath(file);
  const s = startServer('127.0.0.1', 0, { staticPaths: { '/one': sp } });
  try {
    const ok = await withTimeout(get(s.getPort(), '/one'), 5000, 'static file');
    assert.equal(ok.status, 200);
    fs.unlinkSync(file);
    execFileSync('mkfifo', [file]);
    const r = await withTimeout(get(s.getPort(), '/one'), 5000, 'static FIFO');
    assert.notEqual(r.status, 200);
  } finally {
    releaseFifoReader(file);
    await withTimeout(s.stop(), 10_000, 'stop()');
  }
});
