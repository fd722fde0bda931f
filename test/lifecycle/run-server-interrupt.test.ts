// runServer resolves after interrupt() or SIGINT, with the server stopped.
import assert from 'node:assert/strict';
import test from 'node:test';
import { interrupt, listServers, runServer } from '../../src/index.js';
import type { WebServer } from '../../src/index.js';
import { spawnFixture } from '../helpers/child.js';
import { httpRequest } from '../helpers/clients.js';
import { finalNoServersTest } from '../helpers/server.js';
import { withTimeout, NO_SIGNALS } from '../helpers/tools.js';

test('in process: runServer serves, interrupt() resolves it and stops the server', async () => {
  const p = runServer('127.0.0.1', 0, () => ({ status: 200, body: 'running' }));
  const servers = listServers();
  assert.equal(servers.length, 1);
  const port = (servers[0] as WebServer).getPort();
  assert.equal((await httpRequest(port)).text, 'running');
  interrupt();
  await withTimeout(p, 3000, 'runServer resolves after interrupt()');
  assert.equal(listServers().length, 0);
  assert.equal(servers[0].isRunning(), false);
  await assert.rejects(httpRequest(port, { timeoutMs: 2000 }), 'nothing listens any more');
});

test('in process: interrupt() from inside call', async () => {
  const p = runServer('127.0.0.1', 0, () => { setImmediate(interrupt); return { status: 200, body: 'bye' }; });
  const port = (listServers()[0] as WebServer).getPort();
  assert.equal((await httpRequest(port)).text, 'bye');
  await withTimeout(p, 3000, 'runServer resolves');
  assert.equal(listServers().length, 0);
});

test('child: SIGINT resolves runServer, the child exits by itself', { skip: NO_SIGNALS }, async (t) => {
  const child = spawnFixture('run-server');
  t.after(() => child.kill());
  const [, port] = await child.waitLine(/^READY (\d+)$/);
  assert.notEqual(port, '-1', 'runServer listed its server');
  assert.equal((await httpRequest(Number(port), { path: '/x' })).text, 'run /x');
  child.proc.kill('SIGINT');
  await child.waitLine(/^RESOLVED 0$/, 5000);
  const exit = await child.waitExit(5000);
  assert.equal(exit.timedOut, false, 'child did not exit after SIGINT');
  assert.equal(exit.signal, null, 'exited normally, not killed by the signal');
  assert.equal(exit.code, 0, child.stderr);
});

test('child: interrupt() from a request resolves runServer, the child exits', async (t) => {
  const child = spawnFixture('run-server');
  t.after(() => child.kill());
  const [, port] = await child.waitLine(/^READY (\d+)$/);
  assert.equal((await httpRequest(Number(port), { path: '/interrupt' })).text, 'run /interrupt');
  await child.waitLine(/^RESOLVED 0$/, 5000);
  const exit = await child.waitExit(5000);
  assert.equal(exit.timedOut, false, 'child did not exit');
  assert.equal(exit.code, 0, child.stderr);
});

finalNoServersTest();
