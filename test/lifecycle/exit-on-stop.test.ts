// A process whose servers are all stopped exits by itself: the
// I/O thread, threadsafe function and handles hold no reference after stop.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { spawnFixture } from '../helpers/child.js';
import { RawConn, get, httpRequest } from '../helpers/clients.js';
import { finalNoServersTest } from '../helpers/server.js';

const EXIT_DEADLINE_MS = 5000;

test('serves one request, stops, exits with code 0', async (t) => {
  const child = spawnFixture('exit-on-stop', ['after-request']);
  t.after(() => child.kill());
  const [, port] = await child.waitLine(/^READY (\d+)$/);
  const r = await httpRequest(Number(port), { path: '/one' });
  assert.equal(r.text, 'bye /one');
  await child.waitLine(/^STOPPED 0$/);
  const exit = await child.waitExit(EXIT_DEADLINE_MS);
  assert.equal(exit.timedOut, false, `child still running ${EXIT_DEADLINE_MS} ms after stop`);
  assert.equal(exit.code, 0, child.stderr);
});

test('start then immediate stop without any request: exits', async (t) => {
  const child = spawnFixture('exit-on-stop', ['immediate']);
  t.after(() => child.kill());
  await child.waitLine(/^STOPPED 0$/);
  const exit = await child.waitExit(EXIT_DEADLINE_MS);
  assert.equal(exit.timedOut, false, 'child did not exit');
  assert.equal(exit.code, 0, child.stderr);
});

test('stopAllServers with two servers: exits', async (t) => {
  const child = spawnFixture('exit-on-stop', ['stop-all']);
  t.after(() => child.kill());
  const [, a, b] = await child.waitLine(/^READY (\d+) (\d+)$/);
  assert.equal((await httpRequest(Number(b))).text, 'b');
  assert.equal((await httpRequest(Number(a))).text, 'a');
  await child.waitLine(/^STOPPED 0$/);
  const exit = await child.waitExit(EXIT_DEADLINE_MS);
  assert.equal(exit.timedOut, false, 'child did not exit');
  assert.equal(exit.code, 0, child.stderr);
});

test('a client holding a keep-alive connection does not keep the child alive after stop', async (t) => {
  const child = spawnFixture('exit-on-stop', ['keepalive-open']);
  t.after(() => child.kill());
  const [, port] = await child.waitLine(/^READY (\d+)$/);
  const conn = await RawConn.connect(Number(port));
  try {
    await conn.write(get('/ka'));
    await conn.responses(1);
    await child.waitLine(/^STOPPED 0$/);
    assert.ok(await conn.waitClose(3000), 'stop closed the open connection');
    const exit = await child.waitExit(EXIT_DEADLINE_MS);
    assert.equal(exit.timedOut, false, 'child did not exit');
    assert.equal(exit.code, 0, child.stderr);
  } finally {
    conn.destroy();
  }
});

test('a pipe server started and stopped: exits', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-exit-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const child = spawnFixture('exit-on-stop', ['pipe', process.platform === 'win32'
    ? `\\\\.\\pipe\\httpuv-exit-${process.pid}-${path.basename(dir)}` : path.join(dir, 's.sock')]);
  t.after(() => child.kill());
  await child.waitLine(/^STOPPED 0$/);
  const exit = await child.waitExit(EXIT_DEADLINE_MS);
  assert.equal(exit.timedOut, false, 'child did not exit');
  assert.equal(exit.code, 0, child.stderr);
});

test('process.exit() while a server drains: it exits at once, the held client is cut off', async (t) => {
  const child = spawnFixture('exit-on-stop', ['exit-while-draining']);
  t.after(() => child.kill());
  const [, port] = await child.waitLine(/^READY (\d+)$/);
  const conn = await RawConn.connect(Number(port));
  try {
    await conn.write(get('/never'));
    await child.waitLine(/^DRAINING$/);
    const exit = await child.waitExit(EXIT_DEADLINE_MS);
    assert.equal(exit.timedOut, false, 'child did not exit');
    assert.equal(exit.signal, null, child.stderr);
    assert.equal(exit.code, 3, child.stderr);
    assert.ok(await conn.waitClose(3000), 'the client was cut off');
    assert.equal(conn.data.length, 0);
  } finally {
    conn.destroy();
  }
});

test('worker.terminate() while its server drains: terminates at once, the process exits', async (t) => {
  const child = spawnFixture('exit-on-stop', ['worker-while-draining']);
  t.after(() => child.kill());
  const [, port] = await child.waitLine(/^READY (\d+)$/);
  const conn = await RawConn.connect(Number(port));
  try {
    await conn.write(get('/never'));
    await child.waitLine(/^TERMINATED 1 0$/);
    assert.ok(await conn.waitClose(3000), 'the client was cut off');
    const exit = await child.waitExit(EXIT_DEADLINE_MS);
    assert.equal(exit.timedOut, false, 'child did not exit');
    assert.equal(exit.code, 0, child.stderr);
  } finally {
    conn.destroy();
  }
});

finalNoServersTest();
