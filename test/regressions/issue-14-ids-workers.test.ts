// Issue 14, class 2, in Workers: each JS environment has its own I/O thread and server registry,
// and each restarts its I/O thread when its last server stops. A late answer from a stopped
// server must not reach a client of the environment's next server, in every Worker at once and
// on the main thread alongside them (ids come from one process-wide counter).
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { listServers } from '../../src/index.js';
import { lateAnswerAfterRestart } from '../helpers/late-answer.js';

async function cycles(tag: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await lateAnswerAfterRestart(`stale ${tag}${i}`, `fresh ${tag}${i}`, 10000));
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
