// The restart scenario of issue 14, class 2 (request ids reused after an I/O thread restart), in
// one place for the main-thread test (test/regressions/issue-14-ids-restart) and the Worker test
// (issue-14-ids-workers): server A leaves a request in the app's hands and stops with no drain;
// server B starts (a new I/O thread generation); A's late answer is released before B's own.
import { startServer } from '../../src/index.js';
import { RawConn } from './clients.js';
import { deferred } from './tools.js';

export const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`;

/** Lets the app's pending Promise callbacks and the outbox flush run, so that a command queued by
 * resolving one Promise leaves before the next (commands reach the I/O thread in order). */
export const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** One restart cycle; resolves with the body B's client received (`fresh` unless A's `stale`
 * answer leaked to it). */
export async function lateAnswerAfterRestart(stale: string, fresh: string, timeoutMs: number): Promise<string> {
  const lateA = deferred<string>();
  const aCalled = deferred();
  const a = startServer('127.0.0.1', 0, () => {
    aCalled.resolve();
    return lateA.promise.then((b) => ({ status: 200, body: b }));
  });
  const ca = await RawConn.connect(a.getPort());
  await ca.write(GET('/a'));
  await aCalled.promise;
  ca.destroy();  // the client of A leaves; A's request stays in the app's hands
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
    lateA.resolve(stale);  // A's answer leaves first…
    await turn();
    answerB.resolve(fresh);  // …then B's own
    const [r] = await cb.responses(1, timeoutMs);
    cb.destroy();
    return r.body.toString();
  } finally {
    await b.stop();
  }
}
