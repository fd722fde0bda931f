// stop() drains: the listener closes at once, idle connections close at once,
// requests already received finish within the grace period and are answered with
// `Connection: close`, the grace period ending cuts the rest off, and a late answer is logged.
// WebSockets: test/regressions/issue-14-stop-ws-1001; runServer and signals:
// test/lifecycle/run-server-signals.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import test from 'node:test';
import { listServers, service, startServer, stopAllServers, stopServer } from '../../src/index.js';
import type { App, Response, WebServer } from '../../src/index.js';
import { RawConn, get, parseResponses, saysClose } from '../helpers/clients.js';
import { captureLog } from '../helpers/log-capture.js';
import { finalNoServersTest } from '../helpers/server.js';
import { deferred, pace, pollUntil, withTimeout } from '../helpers/tools.js';

/** Tracks when a Promise settled (Date.now()), or 0 while pending. */
function settledAt(p: Promise<unknown>): { readonly at: number } {
  const r = { at: 0 };
  void p.then(() => { r.at = Date.now(); }, () => { r.at = Date.now(); });
  return r;
}

/** Resolves when `c` receives a complete response or closes; returns the responses. */
async function answerOrClose(c: RawConn, ms: number): Promise<ReturnType<typeof parseResponses>['responses']> {
  await c.waitFor((d, closed) => closed || parseResponses(d).responses.length > 0, ms, 'an answer or a close');
  return parseResponses(c.data).responses;
}

/**
 * A server whose call holds every request until `answer` settles (resolving `called` first), and
 * one client whose GET `path` has reached the app. On a failure before that both are cleaned up.
 */
async function heldRequest(answer: Promise<Response>, path: string): Promise<{ s: WebServer; conn: RawConn }> {
  const called = deferred();
  const s = startServer('127.0.0.1', 0, () => { called.resolve(); return answer; });
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write(get(path));
    await withTimeout(called.promise, 3000, 'call reached');
  } catch (e) {
    conn.destroy();
    await s.stop({ graceMs: 0 });
    throw e;
  }
  return { s, conn };
}

/** Tries to connect; resolves with the error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve('connected'); });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

test('an async handler answering 300 ms after stop(): the client gets all of it with Connection: close; stop settles after', async () => {
  const called = deferred();
  const body = 'slow answer '.repeat(1000);
  const s = startServer('127.0.0.1', 0, async () => {
    called.resolve();
    await pace(300);  // the app's own latency (the input under test)
    return { status: 200, headers: { 'Content-Type': 'text/plain' }, body };
  });
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write(get('/slow'));
    await withTimeout(called.promise, 3000, 'call reached');
    const t0 = Date.now();
    const stopped = settledAt(s.stop());
    assert.equal(s.isRunning(), false);
    assert.deepEqual(listServers(), [], 'listServers drops it at once');
    const [r] = await conn.responses(1, 5000);
    const answeredAt = Date.now();
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), body, 'the whole body');
    assert.ok(saysClose(r), `Connection: close (${r.head})`);
    assert.ok(await conn.waitClose(3000), 'the connection closes after the answer');
    await pollUntil(() => stopped.at !== 0, 5000, 'stop settles');
    assert.ok(stopped.at >= answeredAt - 5, 'stop settled after the answer reached the client');
    assert.ok(stopped.at - t0 >= 250, `stop waited for the handler (${stopped.at - t0} ms)`);
  } finally {
    conn.destroy();
    await s.stop({ graceMs: 0 });
  }
});

test('an answer released by the test after stop(): not cut off, no matter how long before the grace ends', async () => {
  const release = deferred<Response>();
  const { s, conn } = await heldRequest(release.promise, '/held');
  try {
    const stopped = settledAt(s.stop({ graceMs: 20000 }));
    // The drain is under way: the in-flight client is still connected and stop() still pending.
    await pollUntil(async () => (await tryConnect(s.getPort())) === 'ECONNREFUSED', 2000, 'new connections refused');
    assert.equal(conn.closed, false, 'the in-flight client is not cut off');
    assert.equal(stopped.at, 0, 'stop() waits for the request');
    release.resolve({ status: 201, body: 'released' });
    const [r] = await conn.responses(1, 5000);
    assert.equal(r.status, 201);
    assert.equal(r.body.toString(), 'released');
    assert.ok(saysClose(r));
    await pollUntil(() => stopped.at !== 0, 5000, 'stop settles once the answer is out');
  } finally {
    conn.destroy();
    await s.stop({ graceMs: 0 });
  }
});

test('a sync handler that calls stop() itself: its answer arrives whole, with Connection: close', async () => {
  let stopping: Promise<void> | undefined;
  const s = startServer('127.0.0.1', 0, () => {
    stopping = s.stop();
    return { status: 200, body: 'inside' };
  });
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write(get('/'));
    const [r] = await conn.responses(1, 3000);
    assert.equal(r.body.toString(), 'inside');
    assert.ok(saysClose(r));
    assert.ok(await conn.waitClose(3000));
    assert.ok(stopping);
    await withTimeout(stopping, 3000, 'stop settles');
  } finally {
    conn.destroy();
  }
});

test('a sync handler run by service() after stop(): the request received before stop is answered', async () => {
  const seen: string[] = [];
  const s = startServer('127.0.0.1', 0, (req) => {
    seen.push(req.PATH_INFO);
    return { status: 200, body: `served ${req.PATH_INFO}` };
  });
  const conn = await RawConn.connect(s.getPort());
  let stopping: Promise<void> | undefined;
  try {
    // All synchronous from here to service(): the event loop cannot deliver the request, so it
    // is still queued for JS when stop() is called. socket.write hands the bytes to the kernel now.
    conn.socket.write(get('/sync'));
    const deadline = Date.now() + 5000;
    while ((s.stats()?.requestsJs ?? 0) < 1) {
      if (Date.now() > deadline) throw new Error('the request did not reach the I/O thread');
    }
    stopping = s.stop();
    assert.deepEqual(seen, [], 'not handled yet');
    while (seen.length === 0 && Date.now() < deadline) service(100);
    assert.deepEqual(seen, ['/sync'], 'service() ran the handler after stop()');
    const [r] = await conn.responses(1, 3000);
    assert.equal(r.body.toString(), 'served /sync');
    assert.ok(saysClose(r));
    await withTimeout(stopping, 3000, 'stop settles');
  } finally {
    conn.destroy();
    await s.stop({ graceMs: 0 });
  }
});

test('idle keep-alive, silent and half-sent connections close at once, long before the grace period ends', async () => {
  const release = deferred<Response>();
  const called = deferred();
  const s = startServer('127.0.0.1', 0, (req) => {
    if (req.PATH_INFO === '/slow') { called.resolve(); return release.promise; }
    return { status: 200, body: 'quick' };
  });
  const port = s.getPort();
  const idle = await RawConn.connect(port);
  const silent = await RawConn.connect(port);
  const partial = await RawConn.connect(port);
  const busy = await RawConn.connect(port);
  try {
    await idle.write(get('/'));
    const [first] = await idle.responses(1);
    assert.equal(saysClose(first), false, 'keep-alive before stop');
    await partial.write('GET /partial HTTP/1.1\r\nHost: a\r\n');  // headers not finished
    await busy.write(get('/slow'));
    await withTimeout(called.promise, 3000, 'slow call reached');
    await pollUntil(() => (s.stats()?.bytesIn ?? 0) >= 3 * get('/').length, 3000, 'the partial headers arrived');
    const t0 = Date.now();
    const stopped = settledAt(s.stop({ graceMs: 30000 }));
    for (const [name, c] of [['idle keep-alive', idle], ['silent', silent], ['partial headers', partial]] as const) {
      assert.ok(await c.waitClose(2000), `${name} connection closed`);
    }
    assert.ok(Date.now() - t0 < 2000, `closed within ${Date.now() - t0} ms of stop()`);
    assert.equal(idle.data.length, first.head.length + 4 + first.body.length, 'nothing more on the idle connection');
    assert.equal(partial.data.length, 0, 'no answer to a request whose headers never finished');
    assert.equal(busy.closed, false, 'the busy connection is still open');
    assert.equal(stopped.at, 0, 'stop waits for the busy connection');
    release.resolve({ status: 200, body: 'finally' });
    const [r] = await busy.responses(1);
    assert.equal(r.body.toString(), 'finally');
    assert.ok(saysClose(r));
    await pollUntil(() => stopped.at !== 0, 5000, 'stop settles');
  } finally {
    for (const c of [idle, silent, partial, busy]) c.destroy();
    await s.stop({ graceMs: 0 });
  }
});

test('busy keep-alive with a pipelined request behind the in-flight one: the first is answered, the second is not read', async () => {
  const release = deferred<Response>();
  const seen: string[] = [];
  const s = startServer('127.0.0.1', 0, (req) => {
    seen.push(req.PATH_INFO);
    if (req.PATH_INFO === '/first') return release.promise;
    return { status: 200, body: 'second' };
  });
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write(get('/first') + get('/second'));
    await pollUntil(() => seen.length === 1, 3000, 'first call');
    const stopping = s.stop();
    release.resolve({ status: 200, body: 'first' });
    await conn.waitFor((_d, closed) => closed, 5000, 'close');
    const rs = parseResponses(conn.data).responses;
    assert.equal(rs.length, 1, 'one answer only');
    assert.equal(rs[0].body.toString(), 'first');
    assert.ok(saysClose(rs[0]), 'the answer says the connection closes');
    assert.equal(parseResponses(conn.data).rest.length, 0);
    assert.deepEqual(seen, ['/first'], 'the pipelined request never reached the app');
    await withTimeout(stopping, 5000, 'stop settles');
  } finally {
    conn.destroy();
    await s.stop({ graceMs: 0 });
  }
});

test('a request whose headers arrived before stop(): its body is still read and the app answers', async () => {
  const bodies: string[] = [];
  const s = startServer('127.0.0.1', 0, (req) => {
    const b = req['rook.input'].read().toString();
    bodies.push(b);
    return { status: 200, body: `got ${b}` };
  });
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write('POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello');
    await pollUntil(() => (s.stats()?.requestsTotal ?? 0) === 1, 3000, 'the headers were parsed');
    const stopping = s.stop();
    await pollUntil(async () => (await tryConnect(s.getPort())) === 'ECONNREFUSED', 2000, 'listener closed');
    assert.equal(conn.closed, false, 'the upload is not cut off');
    await conn.write('world');
    const [r] = await conn.responses(1, 3000);
    assert.equal(r.body.toString(), 'got helloworld');
    assert.ok(saysClose(r));
    await withTimeout(stopping, 3000, 'stop settles');
    assert.deepEqual(bodies, ['helloworld']);
  } finally {
    conn.destroy();
    await s.stop({ graceMs: 0 });
  }
});

test('onHeaders still running at stop(): the request goes on to call and is answered', async () => {
  const releaseHeaders = deferred<undefined>();
  const headersSeen = deferred();
  const app: App = {
    onHeaders: () => { headersSeen.resolve(); return releaseHeaders.promise; },
    call: (req) => ({ status: 200, body: `call ${req['rook.input'].read().toString()}` }),
  };
  const s = startServer('127.0.0.1', 0, app);
  const conn = await RawConn.connect(s.getPort());
  try {
    await conn.write('POST /h HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc');
    await withTimeout(headersSeen.promise, 3000, 'onHeaders reached');
    const stopping = s.stop();
    releaseHeaders.resolve(undefined);
    const [r] = await conn.responses(1, 3000);
    assert.equal(r.body.toString(), 'call abc');
    assert.ok(saysClose(r));
    await withTimeout(stopping, 3000, 'stop settles');
  } finally {
    conn.destroy();
    await s.stop({ graceMs: 0 });
  }
});

test('grace expiring: a handler that never answers is cut off after graceMs; the late answer is logged, not sent', async () => {
  const log = captureLog('WARN');
  const late = deferred<Response>();
  const { s, conn } = await heldRequest(late.promise, '/never');
  try {
    const t0 = Date.now();
    await withTimeout(s.stop({ graceMs: 400 }), 5000, 'stop settles after the grace period');
    const waited = Date.now() - t0;
    assert.ok(waited >= 350, `stop waited for the grace period (${waited} ms)`);
    assert.ok(await conn.waitClose(2000), 'the client was cut off');
    assert.equal(conn.data.length, 0, 'no answer');
    assert.ok(log.lines('WARN').some((l) => /grace period of 400 ms ended; closing 1 connection.*1 with a request the app has not answered/.test(l)),
      `the I/O thread logged the cut-off request: ${log.text}`);
    late.resolve({ status: 200, body: 'too late' });
    await pollUntil(() => log.lines('WARN').some((l) => /answer to request \d+ dropped: its server was stopped/.test(l)),
      3000, 'the late answer logged');
    assert.equal(conn.data.length, 0);
  } finally {
    log.restore();
    conn.destroy();
  }
});

test('grace expiring with a rejected late answer, and with several connections at different stages', async () => {
  const log = captureLog('WARN');
  const late = deferred<Response>();
  const quick = deferred<Response>();
  let calls = 0;
  const s = startServer('127.0.0.1', 0, (req) => {
    calls++;
    return req.PATH_INFO === '/quick' ? quick.promise : late.promise;
  });
  const conns = await Promise.all([0, 1, 2].map(() => RawConn.connect(s.getPort())));
  try {
    await conns[0].write(get('/never'));
    await conns[1].write(get('/quick'));
    await pollUntil(() => calls === 2, 3000, 'two calls');
    const stopped = settledAt(s.stop({ graceMs: 500 }));
    assert.ok(await conns[2].waitClose(1000), 'the idle one closes at once');
    quick.resolve({ status: 200, body: 'in time' });
    const [r] = await conns[1].responses(1);
    assert.equal(r.body.toString(), 'in time');
    assert.ok(await conns[0].waitClose(3000), 'the unanswered one is cut off');
    await pollUntil(() => stopped.at !== 0, 3000, 'stop settles');
    late.reject(new Error('gave up'));
    await pollUntil(() => log.lines('ERROR').some((l) => /app\.call \(rejected\) threw: .*gave up/.test(l)), 3000,
      'the late rejection logged');
    await pollUntil(() => log.lines('WARN').some((l) => /answer to request \d+ dropped: its server was stopped/.test(l)),
      3000, 'its 500 dropped, logged');
    assert.equal(conns[0].data.length, 0);
  } finally {
    log.restore();
    for (const c of conns) c.destroy();
  }
});

test('graceMs: 0 behaves as stop() did before: in-flight requests are cut off at once', async () => {
  const log = captureLog('WARN');
  const late = deferred<Response>();
  const { s, conn } = await heldRequest(late.promise, '/x');
  try {
    const t0 = Date.now();
    await withTimeout(s.stop({ graceMs: 0 }), 3000, 'stop settles');
    assert.ok(Date.now() - t0 < 1000, 'at once');
    assert.ok(await conn.waitClose(2000));
    assert.equal(conn.data.length, 0);
    late.resolve({ status: 200, body: 'late' });
    await pollUntil(() => log.lines('WARN').some((l) => /answer to request \d+ dropped: its server was stopped/.test(l)),
      3000, 'the late answer logged');
  } finally {
    log.restore();
    conn.destroy();
  }
});

test('the port is free at once: a new server binds it right after stop() while the old one drains', async () => {
  const release = deferred<Response>();
  const { s: old, conn } = await heldRequest(release.promise, '/old');
  const port = old.getPort();
  let next: WebServer | undefined;
  try {
    const stopped = settledAt(old.stop());
    next = startServer('127.0.0.1', port, () => ({ status: 200, body: 'new server' }));
    assert.equal(next.getPort(), port);
    const fresh = await RawConn.connect(port);
    try {
      await fresh.write(get('/'));
      const [r] = await fresh.responses(1);
      assert.equal(r.body.toString(), 'new server');
    } finally {
      fresh.destroy();
    }
    assert.equal(stopped.at, 0, 'the old server is still draining');
    release.resolve({ status: 200, body: 'old server' });
    const [r] = await conn.responses(1);
    assert.equal(r.body.toString(), 'old server', 'the old connection is answered by the old app');
    await pollUntil(() => stopped.at !== 0, 5000, 'old stop settles');
  } finally {
    conn.destroy();
    await old.stop({ graceMs: 0 });
    await next?.stop();
  }
});

test('a second stop() with a shorter grace brings the end closer; a longer one does not delay it', async () => {
  const never = deferred<Response>();
  let calls = 0;
  const s = startServer('127.0.0.1', 0, () => { calls++; return never.promise; });
  const a = await RawConn.connect(s.getPort());
  try {
    await a.write(get('/a'));
    await pollUntil(() => calls === 1, 3000, 'call');
    const t0 = Date.now();
    const p = s.stop({ graceMs: 300 });
    assert.equal(s.stop({ graceMs: 60000 }), p, 'the same Promise');
    await withTimeout(p, 5000, 'the first, shorter deadline holds');
    assert.ok(Date.now() - t0 < 3000);
    assert.ok(await a.waitClose(1000));
  } finally {
    a.destroy();
  }
  const s2 = startServer('127.0.0.1', 0, () => { calls++; return never.promise; });
  const b = await RawConn.connect(s2.getPort());
  try {
    await b.write(get('/b'));
    await pollUntil(() => calls === 2, 3000, 'call');
    const p = s2.stop({ graceMs: 60000 });
    const t0 = Date.now();
    await withTimeout(stopServer(s2, { graceMs: 0 }), 3000, 'graceMs 0 ends the drain now');
    await p;
    assert.ok(Date.now() - t0 < 2000);
    assert.ok(await b.waitClose(1000));
  } finally {
    b.destroy();
  }
});

test('stopAllServers(options) passes them on, and reaches servers already draining', async () => {
  const never = deferred<Response>();
  let calls = 0;
  const app = (): Promise<Response> => { calls++; return never.promise; };
  const a = startServer('127.0.0.1', 0, app);
  const b = startServer('127.0.0.1', 0, app);
  const ca = await RawConn.connect(a.getPort());
  const cb = await RawConn.connect(b.getPort());
  try {
    await ca.write(get('/a'));
    await cb.write(get('/b'));
    await pollUntil(() => calls === 2, 3000, 'both calls');
    const draining = a.stop();  // default 5 s grace
    const t0 = Date.now();
    await withTimeout(stopAllServers({ graceMs: 0 }), 3000, 'stopAllServers settles');
    await withTimeout(draining, 1000, 'the draining server was ended too');
    assert.ok(Date.now() - t0 < 2000, `at once (${Date.now() - t0} ms)`);
    assert.ok(await ca.waitClose(1000) && await cb.waitClose(1000));
    assert.deepEqual(listServers(), []);
  } finally {
    ca.destroy();
    cb.destroy();
  }
});

test('stop options are validated where they are passed: TypeError/RangeError naming options.graceMs', async () => {
  const s = startServer('127.0.0.1', 0, () => ({ status: 200 }));
  try {
    const isRange = (e: unknown): boolean => e instanceof RangeError && /options\.graceMs/.test(e.message);
    const isType = (e: unknown): boolean => e instanceof TypeError && /options\.graceMs/.test(e.message);
    for (const bad of [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 32]) {
      assert.throws(() => s.stop({ graceMs: bad }), isRange, `graceMs ${bad}`);
      assert.throws(() => stopServer(s, { graceMs: bad }), isRange, `stopServer graceMs ${bad}`);
      assert.throws(() => stopAllServers({ graceMs: bad }), isRange, `stopAllServers graceMs ${bad}`);
    }
    for (const bad of ['100', null, true, {}, 10n]) {
      assert.throws(() => s.stop({ graceMs: bad as never }), isType, `graceMs ${String(bad)}`);
      assert.throws(() => stopAllServers({ graceMs: bad as never }), isType, `stopAllServers graceMs ${String(bad)}`);
    }
    for (const bad of ['fast', 5000, null, [], () => 1]) {
      assert.throws(() => s.stop(bad as never), (e: unknown) => e instanceof TypeError && /\boptions\b/.test((e as Error).message),
        `options ${String(bad)}`);
    }
    assert.throws(() => s.stop({ grace: 10 } as never), (e: unknown) => e instanceof TypeError && /grace/.test((e as Error).message));
    assert.equal(s.isRunning(), true, 'a bad call stops nothing');
    assert.deepEqual(listServers(), [s]);
    await withTimeout(s.stop({ graceMs: undefined }), 3000, 'undefined takes the default');
    assert.throws(() => s.stop({ graceMs: -5 }), isRange, 'still validated after the stop');
    await s.stop({});
  } finally {
    await s.stop({ graceMs: 0 });
  }
});

finalNoServersTest();
