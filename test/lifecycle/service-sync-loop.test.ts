// service(timeoutMs) lets a synchronous JS loop keep serving.
import assert from 'node:assert/strict';
import test from 'node:test';
import { service, startServer } from '../../src/index.js';
import { spawnFixture } from '../helpers/child.js';
import { httpRequest } from '../helpers/clients.js';
import { finalNoServersTest } from '../helpers/server.js';

test('a child blocked in a service(50) loop answers requests while it loops', async (t) => {
  const child = spawnFixture('service-loop', ['5']);
  t.after(() => child.kill());
  const [, port] = await child.waitLine(/^READY (\d+)$/);
  for (let i = 1; i <= 5; i++) {
    const r = await httpRequest(Number(port), { path: `/r${i}`, timeoutMs: 5000 });
    assert.equal(r.status, 200);
    assert.equal(r.text, `served ${i} /r${i}`);
  }
  const [, handled, calls] = await child.waitLine(/^DONE (\d+) (\d+)$/);
  assert.equal(Number(handled), 5);
  assert.ok(Number(calls) >= 1);
  await child.waitLine(/^STOPPED$/);
  const exit = await child.waitExit(5000);
  assert.equal(exit.timedOut, false, 'child did not exit after stopping');
  assert.equal(exit.code, 0, child.stderr);
});

test('service(ms) with nothing queued returns true after about ms', () => {
  const s = startServer('127.0.0.1', 0, () => ({ status: 200 }));
  try {
    const t0 = Date.now();
    assert.equal(service(100), true);
    const took = Date.now() - t0;
    assert.ok(took >= 80 && took < 1000, `service(100) took ${took} ms`);
    const t1 = Date.now();
    assert.equal(service(0), true);
    assert.ok(Date.now() - t1 < 50, 'service(0) does not wait');
  } finally {
    void s.stop();
  }
});

test('service() without any server returns promptly', () => {
  const t0 = Date.now();
  assert.equal(service(20), true);
  assert.ok(Date.now() - t0 < 1000);
});

finalNoServersTest();
