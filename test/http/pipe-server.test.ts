// startPipeServer on a Unix socket in a temp dir (a named pipe on Windows, as libuv and Node's
// net use them): REMOTE_ADDR "" and REMOTE_PORT 0 as R httpuv; pipe servers are listed and
// stoppable.
import { underEmulation } from '../helpers/tools.js';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { listServers, startPipeServer, stopAllServers } from '../../src/index.js';
import { RawConn, get, httpRequest } from '../helpers/clients.js';
import { finalNoServersTest, recordingApp } from '../helpers/server.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-pipe-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
const windows = process.platform === 'win32';
/** A fresh local socket name: a path in the temp dir, or a named pipe on Windows. */
function sockName(base: string): string {
  return windows ? `\\\\.\\pipe\\httpuv-test-${process.pid}-${path.basename(dir)}-${base}` : path.join(dir, base);
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path: socketPath });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

test('requests over the pipe; Rook fields for pipes; listed; stop works', async () => {
  const sock = sockName('a.sock');
  const { app, seen } = recordingApp();
  const s = startPipeServer(sock, null, app);
  try {
    assert.equal(s.getName(), sock);
    assert.equal(s.getMask(), -1);
    assert.equal(s.isRunning(), true);
    assert.deepEqual(listServers(), [s]);
    const r = await httpRequest(0, { socketPath: sock, path: '/p?q=1' });
    assert.equal(r.status, 200);
    assert.equal(r.text, 'GET /p?q=1');
    const env = seen[0].env;
    assert.equal(env.REMOTE_ADDR, '');
    assert.equal(env.REMOTE_PORT, '0');
    assert.equal(env.SERVER_NAME, '');
    assert.equal(env.SERVER_PORT, '0');
    // keep-alive over the pipe
    const conn = await RawConn.connect({ socketPath: sock });
    try {
      await conn.write(get('/1') + get('/2'));
      const res = await conn.responses(2);
      assert.deepEqual(res.map((x) => x.body.toString()), ['GET /1', 'GET /2']);
    } finally {
      conn.destroy();
    }
  } finally {
    await s.stop();
  }
  assert.equal(s.isRunning(), false);
  assert.equal(listServers().length, 0);
  assert.equal(await canConnect(sock), false, 'nothing listens after stop');
});

test('a relative name is resolved; mask 0o077 gives a 0700 socket file', {
  skip: windows ? 'POSIX only: Windows named pipes are not files (no relative name, no mode)' : false,
}, async () => {
  const prev = process.cwd();
  process.chdir(dir);
  let s;
  try {
    s = startPipeServer('rel.sock', 0o077, () => ({ status: 200, body: 'm' }));
  } finally {
    process.chdir(prev);
  }
  try {
    const full = path.join(fs.realpathSync(dir), 'rel.sock');
    assert.equal(fs.realpathSync(path.dirname(s.getName())), path.dirname(full));
    assert.equal(s.getMask(), 0o077);
    const st = fs.statSync(s.getName());
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o700);
    assert.equal((await httpRequest(0, { socketPath: s.getName() })).text, 'm');
  } finally {
    await s.stop();
  }
});

test('an open keep-alive connection is closed by stop; stopAllServers covers pipes', async () => {
  const sock = sockName('b.sock');
  const s = startPipeServer(sock, undefined, () => ({ status: 200, body: 'x' }));
  const conn = await RawConn.connect({ socketPath: sock });
  try {
    await conn.write(get('/'));
    await conn.responses(1);
    await stopAllServers();
    assert.equal(s.isRunning(), false);
    assert.ok(await conn.waitClose(2000), 'connection closed by stop');
  } finally {
    conn.destroy();
  }
  assert.equal(listServers().length, 0);
});

test('a path already in use → Error (EADDRINUSE), nothing listed',
  { skip: underEmulation('a second named pipe server on the same name is not refused under Wine 8 (FILE_FLAG_FIRST_PIPE_INSTANCE); real Windows refuses it') }, async () => {
  const sock = sockName('c.sock');
  const s = startPipeServer(sock, null, () => ({ status: 200 }));
  try {
    assert.throws(() => startPipeServer(sock, null, () => ({ status: 200 }), { quiet: true }),
      (e: unknown) => e instanceof Error && (e as NodeJS.ErrnoException).code === 'EADDRINUSE');
    assert.deepEqual(listServers(), [s]);
  } finally {
    await s.stop();
  }
});

test('win32: a name that is not \\\\.\\pipe\\… is a TypeError, a mask a RangeError naming the platform', {
  skip: windows ? false : 'Windows only (named pipes)',
}, () => {
  assert.throws(() => startPipeServer(path.join(dir, 'x.sock'), null, () => ({ status: 200 })),
    (e: unknown) => e instanceof TypeError && /name must be a named pipe path on win32/.test(e.message));
  assert.throws(() => startPipeServer(sockName('m'), 0o077, () => ({ status: 200 })),
    (e: unknown) => e instanceof RangeError && /mask is not supported on win32/.test(e.message) &&
      (e as NodeJS.ErrnoException).code === 'ERR_HTTPUV_UNSUPPORTED_ON_PLATFORM');
  assert.equal(listServers().length, 0);
});

finalNoServersTest();
