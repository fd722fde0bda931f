// Issue 14, class 2: request ids started again at 1 whenever the I/O thread restarted (the last
// server stopped, a new one started), so an answer that the old app produced late was delivered
// to a client of the new server (same id), and an onHeaders continue or answer for the old
// request steered the new one. Expected: ids never repeat within a process; a late answer or
// continue for a request whose server is gone is dropped (logged at DEBUG, or at WARN when the
// server's stop cut the request off), never delivered.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { listServers, startServer, type Response, type WebSocket } from '../../src/index.js';
import { RawConn } from '../helpers/clients.js';
import { GET, lateAnswerAfterRestart, turn } from '../helpers/late-answer.js';
import { captureLog } from '../helpers/log-capture.js';
import { deferred, pollUntil, withTimeout } from '../helpers/tools.js';
import WebSocketClient from 'ws';

after(() => assert.deepEqual(listServers(), []));

test('a late answer from a stopped server never reaches a client of the next server', async () => {
  const log = captureLog('DEBUG');
  let body: string;
  try {
    body = await lateAnswerAfterRestart('answer of A', 'answer of B', 5000);
  } finally {
    log.restore();
  }
  const lines = log.text;
  assert.equal(body, 'answer of B');
  // The client had half-closed, but its request was still in the app's hands when the stop cut it
  // off: that drop is logged at WARN (class 8); one for a request that ended otherwise, at DEBUG.
  assert.match(lines, /(DEBUG|WARN): .*dropped/, 'the late answer is logged');
});

test('several late answers from several stopped servers reach nobody', async () => {
  // Three generations of I/O thread; each old server leaves requests in the app's hands.
  const late: Array<(b: string) => void> = [];
  for (let gen = 0; gen < 2; gen++) {
    const called = deferred();
    let n = 0;
    const s = startServer('127.0.0.1', 0, () => {
      if (++n === 3) called.resolve();
      return new Promise<Response>((resolve) => late.push((b) => resolve({ status: 200, body: b })));
    });
    const conns = await Promise.all([0, 1, 2].map(() => RawConn.connect(s.getPort())));
    for (const c of conns) await c.write(GET('/old'));
    await called.promise;
    for (const c of conns) c.destroy();
    await s.stop({ graceMs: 0 });  // no drain: the old generation ends now
  }
  const pending: Array<(b: string) => void> = [];
  let called = 0;
  const b = startServer('127.0.0.1', 0, (req) => new Promise<Response>((resolve) => {
    called++;
    pending.push((x) => resolve({ status: 200, body: `${x} ${req.PATH_INFO}` }));
  }));
  try {
    const conns = await Promise.all([0, 1, 2, 3].map(() => RawConn.connect(b.getPort())));
    for (let i = 0; i < conns.length; i++) await conns[i].write(GET(`/new${i}`));
    await pollUntil(() => called === 4, 5000, 'the new server to see four requests');
    for (const f of late) f('stale');
    await turn();
    for (const f of pending) f('fresh');
    for (let i = 0; i < conns.length; i++) {
      const [r] = await conns[i].responses(1, 5000);
      assert.equal(r.body.toString(), `fresh /new${i}`);
      conns[i].destroy();
    }
  } finally {
    await b.stop();
  }
});

test('a late onHeaders answer from a stopped server does not answer the next server\'s client', async () => {
  const lateA = deferred<unknown>();
  const aSeen = deferred();
  const a = startServer('127.0.0.1', 0, {
    onHeaders: () => { aSeen.resolve(); return lateA.promise as Promise<null>; },
    call: () => ({ status: 200, body: 'call of A' }),
  });
  const ca = await RawConn.connect(a.getPort());
  await ca.write('POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n');
  await aSeen.promise;
  ca.destroy();
  await a.stop({ graceMs: 0 });  // no drain: the old generation ends now

  const bHeaders = deferred<unknown>();
  const bSeen = deferred();
  const b = startServer('127.0.0.1', 0, {
    onHeaders: () => { bSeen.resolve(); return bHeaders.promise as Promise<null>; },
    call: (req) => ({ status: 200, body: `call of B: ${req['rook.input'].read().toString()}` }),
  });
  try {
    const cb = await RawConn.connect(b.getPort());
    await cb.write('POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello');
    await bSeen.promise;
    lateA.resolve({ status: 403, body: 'onHeaders of A' });
    await turn();
    bHeaders.resolve(null);  // B lets its request through to call
    const [r] = await cb.responses(1, 5000);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'call of B: hello');
    cb.destroy();
  } finally {
    await b.stop();
  }
});

test('a late onHeaders continue from a stopped server does not let the next server\'s request through', async () => {
  const lateA = deferred<unknown>();
  const aSeen = deferred();
  const a = startServer('127.0.0.1', 0, {
    onHeaders: () => { aSeen.resolve(); return lateA.promise as Promise<null>; },
    call: () => ({ status: 200, body: 'call of A' }),
  });
  const ca = await RawConn.connect(a.getPort());
  await ca.write(GET('/a'));
  await aSeen.promise;
  ca.destroy();
  await a.stop({ graceMs: 0 });  // no drain: the old generation ends now

  const bHeaders = deferred<unknown>();
  const bSeen = deferred();
  let bCalls = 0;
  const b = startServer('127.0.0.1', 0, {
    onHeaders: () => { bSeen.resolve(); return bHeaders.promise as Promise<null>; },
    call: () => { bCalls++; return { status: 200, body: 'call of B' }; },
  });
  try {
    const cb = await RawConn.connect(b.getPort());
    await cb.write(GET('/b'));
    await bSeen.promise;
    lateA.resolve(null);  // A's continue: must not resume B's request
    await turn();
    bHeaders.resolve({ status: 401, body: 'refused by B' });
    const [r] = await cb.responses(1, 5000);
    assert.equal(r.status, 401);
    assert.equal(r.body.toString(), 'refused by B');
    assert.equal(bCalls, 0, 'B refused the request in onHeaders: its call never runs');
    cb.destroy();
  } finally {
    await b.stop();
  }
});

test('a WebSocket of a stopped server is closed and its sends reach no client of the next server', async () => {
  let oldWs: WebSocket | undefined;
  const a = startServer('127.0.0.1', 0, { onWSOpen: (ws) => { oldWs = ws; } });
  const ca = new WebSocketClient(`ws://127.0.0.1:${a.getPort()}/`);
  await new Promise((r, j) => { ca.once('open', r); ca.once('error', j); });
  await pollUntil(() => oldWs !== undefined, 5000, 'onWSOpen of A');
  ca.on('error', () => {});
  await a.stop();

  let newWs: WebSocket | undefined;
  const b = startServer('127.0.0.1', 0, { onWSOpen: (ws) => { newWs = ws; } });
  try {
    const cb = new WebSocketClient(`ws://127.0.0.1:${b.getPort()}/`);
    const got: string[] = [];
    cb.on('message', (m) => got.push(m.toString()));
    await new Promise((r, j) => { cb.once('open', r); cb.once('error', j); });
    await pollUntil(() => newWs !== undefined, 5000, 'onWSOpen of B');
    assert.equal(oldWs!.readyState, 3);
    assert.equal(oldWs!.send('from the old socket'), false);
    oldWs!.close();  // harmless on a closed socket
    await turn();
    newWs!.send('from B');
    await pollUntil(() => got.length > 0, 5000, 'a message on the new client');
    newWs!.close();
    await withTimeout(new Promise((r) => cb.once('close', r)), 5000, 'close of the new client');
    assert.deepEqual(got, ['from B']);
  } finally {
    await b.stop();
  }
});
