// runServer drains on SIGINT and SIGTERM: a request in flight when the signal
// comes is answered, then the child exits 0 by itself; a second signal during the drain stops at
// once; the signal listeners are gone afterwards. Also in process: the listeners runServer adds.
import assert from 'node:assert/strict';
import test from 'node:test';
import { interrupt, listServers, runServer } from '../../src/index.js';
import type { WebServer } from '../../src/index.js';
import { spawnFixture, type Child } from '../helpers/child.js';
import { RawConn, get, saysClose } from '../helpers/clients.js';
import { finalNoServersTest } from '../helpers/server.js';
import { pollUntil, withTimeout, NO_SIGNALS } from '../helpers/tools.js';

async function startChild(t: { after(f: () => void): void }): Promise<[Child, number]> {
  const child = spawnFixture('run-server');
  t.after(() => child.kill());
  const [, port] = await child.waitLine(/^READY (\d+)$/);
  assert.notEqual(port, '-1');
  return [child, Number(port)];
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`child: ${signal} while a request is in flight: the client gets its answer, the child exits 0`, { skip: NO_SIGNALS }, async (t) => {
    const [child, port] = await startChild(t);
    const conn = await RawConn.connect(port);
    try {
      await conn.write(get('/slow'));
      await child.waitLine(/^CALLED \/slow$/);
      child.proc.kill(signal);
      const [r] = await conn.responses(1, 5000);
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), 'run /slow');
      assert.ok(saysClose(r), 'Connection: close during the drain');
      await child.waitLine(/^RESOLVED 0$/, 5000);
      await child.waitLine(/^LISTENERS 0 0$/, 1000);
      const exit = await child.waitExit(5000);
      assert.equal(exit.timedOut, false, 'child did not exit');
      assert.equal(exit.signal, null, `exited by itself, not killed by ${signal}`);
      assert.equal(exit.code, 0, child.stderr);
    } finally {
      conn.destroy();
    }
  });
}

test('child: a second SIGTERM during the drain stops at once; the child exits 0', { skip: NO_SIGNALS }, async (t) => {
  const [child, port] = await startChild(t);
  const conn = await RawConn.connect(port);
  try {
    await conn.write(get('/never'));
    await child.waitLine(/^CALLED \/never$/);
    child.proc.kill('SIGTERM');
    // The drain is under way (the handler never answers; the default grace is 5 s): the port is
    // closed and the client still connected. Then the second signal.
    await pollUntil(refused(port), 3000, 'the listener closed');
    assert.equal(conn.closed, false, 'in-flight client still connected during the drain');
    const t0 = Date.now();
    child.proc.kill('SIGTERM');
    const exit = await child.waitExit(4000);
    assert.equal(exit.timedOut, false, 'child did not exit after the second signal');
    assert.ok(Date.now() - t0 < 3000, `exited at once (${Date.now() - t0} ms)`);
    assert.equal(exit.signal, null);
    assert.equal(exit.code, 0, child.stderr);
    assert.ok(await conn.waitClose(2000), 'the unanswered client was cut off');
    assert.equal(conn.data.length, 0);
  } finally {
    conn.destroy();
  }
});

/** A predicate for pollUntil: true once a connection to `port` is refused. */
function refused(port: number): () => Promise<boolean> {
  return () => RawConn.connect(port).then((c) => { c.destroy(); return false; }, () => true);
}

test('in process: runServer listens for SIGINT and SIGTERM while running and removes both listeners after', async () => {
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  const p = runServer('127.0.0.1', 0, () => ({ status: 200, body: 'x' }));
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], [before[0] + 1, before[1] + 1]);
  const [s] = listServers() as WebServer[];
  assert.ok(s);
  interrupt();
  await withTimeout(p, 5000, 'runServer settles');
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);
  assert.equal(s.isRunning(), false);
});

finalNoServersTest();
