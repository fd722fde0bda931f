// Issue 14, class 2, in Workers: each JS environment has its own I/O thread and server registry,
// and each restarts its I/O thread when its last server stops. A late answer from a stopped
// server must not reach a client of the environment's next server, in every Worker at once and
// on the main thread alongside them (ids come from one process-wide counter).
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { listServers, startServer } from '../../src/index.js';
import { RawConn } from '../helpers/clients.js';
import { deferred } from '../helpers/tools.js';

const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`;

// One restart cycle: server A leaves a request in the app's hands and stops; server B starts;
// A's answer is released before B's. Returns what B's client received.
async function lateAnswerAfterRestart(tag: string): Promise<string> {
  const lateA = deferred<string>();
  const aCalled = deferred();
  const a = startServer('127.0.0.1', 0, () => {
    aCalled.resolve();
    return lateA.promise.then((b) => ({ status: 200, body: b }));
  });
  const ca = await RawConn.connect(a.getPort());
  await ca.write(GET('/a'));
  await aCalled.promise;
  ca.destroy();
  await a.stop({ graceMs: 0 });  // no drain: the old generation ends now
  const answerB = deferred<string>();
  const bCalled = deferred();
  const b = startServer('127.0.0.1', 0, () => {
    bCalled.resolve();
    return answerB.promise.then((x) => ({ status: 200, body: x }));
  });
  try {
    const cb = await RawConn.connect(b.getPort());
    await cb.write(GET('/b'));
    await bCalled.promise;
    lateA.resolve(`stale ${tag}`);
    await new Promise((r) => setImmediate(r));
    answerB.resolve(`fresh ${tag}`);
    const [r] = await cb.responses(1, 10000);
    cb.destroy();
    return r.body.toString();
  } finally {
    await b.stop();
  }
}

async function cycles(tag: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await lateAnswerAfterRestart(`${tag}${i}`));
  return out;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'ids-restart') {
  const tag = (workerData as { tag: string }).tag;
  cycles(tag, 3).then(
    (bodies) => parentPort!.postMessage({ bodies, left: listServers().length }),
    (err: unknown) => parentPort!.postMessage({ error: String((err as Error)?.stack ?? err) }));
} else {
  after(() => assert.deepEqual(listServers(), []));

  test('late answers after restarts reach nobody, in two Workers and the main thread at once', async () => {
    const workers = ['W1', 'W2'].map((tag) => {
      const w = new Worker(__filename, { workerData: { role: 'ids-restart', tag } });
      return new Promise<{ bodies?: string[]; left?: number; error?: string }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
    });
    const mine = await cycles('M', 3);
    const theirs = await Promise.all(workers);
    assert.deepEqual(mine, ['fresh M0', 'fresh M1', 'fresh M2']);
    for (const [i, r] of theirs.entries()) {
      const tag = `W${i + 1}`;
      assert.equal(r.error, undefined, r.error);
      assert.deepEqual(r.bodies, [`fresh ${tag}0`, `fresh ${tag}1`, `fresh ${tag}2`]);
      assert.equal(r.left, 0);
    }
  });
}
