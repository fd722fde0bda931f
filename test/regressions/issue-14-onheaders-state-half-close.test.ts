// Issue 14, class 4: a client that half-closes (sends FIN) while onHeaders runs kept its socket
// until requestTimeoutMs: once onHeaders let the request through, the parser waited for a body
// that could never come. Expected: after the continue, a body that is still incomplete is
// answered 400 and the connection closed at once; a complete body (or none) goes to call and its
// answer is written, then the connection closes; an onHeaders answer is written, then closed.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { listServers, startServer, type Response } from '../../src/index.js';
import { _debugCounts } from '../../src/runtime.js';
import { RawConn, type ParsedResponse } from '../helpers/clients.js';
import { deferred, pollUntil } from '../helpers/tools.js';

after(() => assert.deepEqual(listServers(), []));

const TIMEOUT = { requestTimeoutMs: 30000, headersTimeoutMs: 30000 };

interface Outcome { response: ParsedResponse; closeMs: number; calls: number }

// Sends `request`, half-closes while onHeaders is pending, makes sure the server has read the
// FIN (a request on another connection sent after it has been answered), then lets onHeaders
// settle with `answer`. Returns the answer and how long after onHeaders settled the server
// closed the connection.
async function halfCloseDuringOnHeaders(request: string, answer: Response | null): Promise<Outcome> {
  const gate = deferred<Response | null>();
  const seen = deferred();
  let calls = 0;
  const s = startServer('127.0.0.1', 0, {
    onHeaders: (req) => {
      if (req.PATH_INFO === '/probe') return { status: 204, body: '' };
      seen.resolve();
      return gate.promise;
    },
    call: (req) => { calls++; return { status: 200, body: `call saw ${req['rook.input'].read().length} bytes` }; },
  }, TIMEOUT);
  try {
    const c = await RawConn.connect(s.getPort());
    try {
      await c.write(request);
      await seen.promise;
      await new Promise<void>((r) => c.socket.end(r));
      const probe = await RawConn.connect(s.getPort());
      await probe.write('GET /probe HTTP/1.1\r\nHost: a\r\n\r\n');
      await probe.responses(1, 5000);
      probe.destroy();
      assert.equal(c.closed, false, 'the server waits for onHeaders');
      const t0 = Date.now();
      gate.resolve(answer);
      const [response] = await c.responses(1, 5000);
      assert.ok(await c.waitClose(5000), 'the server closes the half-closed connection');
      const closeMs = Date.now() - t0;
      await pollUntil(() => _debugCounts().requests === 0 && _debugCounts().pendingHeaders === 0, 5000,
        'the request\'s JS state to be freed');
      return { response, closeMs, calls };
    } finally {
      c.destroy();
    }
  } finally {
    await s.stop();
  }
}

test('Content-Length body never sent, onHeaders continues: 400 and closed at once', async () => {
  const o = await halfCloseDuringOnHeaders('POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n', null);
  assert.equal(o.response.status, 400);
  assert.ok(o.closeMs < 5000, `closed after ${o.closeMs} ms`);
  assert.equal(o.calls, 0);
});

test('part of a Content-Length body sent, onHeaders continues: 400 and closed at once', async () => {
  const o = await halfCloseDuringOnHeaders('POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc', null);
  assert.equal(o.response.status, 400);
  assert.equal(o.calls, 0);
});

test('an unfinished chunked body, onHeaders continues: 400 and closed at once', async () => {
  const o = await halfCloseDuringOnHeaders(
    'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', null);
  assert.equal(o.response.status, 400);
  assert.equal(o.calls, 0);
});

test('Expect: 100-continue and no body, onHeaders continues: 400 and closed at once', async () => {
  const o = await halfCloseDuringOnHeaders(
    'POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n', null);
  assert.equal(o.response.status, 400);
  assert.equal(o.calls, 0);
});

test('a complete body before the FIN: call answers, then the connection closes', async () => {
  const o = await halfCloseDuringOnHeaders('POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789', null);
  assert.equal(o.response.status, 200);
  assert.equal(o.response.body.toString(), 'call saw 10 bytes');
  assert.equal(o.calls, 1);
});

test('no body (GET): call answers, then the connection closes', async () => {
  const o = await halfCloseDuringOnHeaders('GET /g HTTP/1.1\r\nHost: a\r\n\r\n', null);
  assert.equal(o.response.status, 200);
  assert.equal(o.response.body.toString(), 'call saw 0 bytes');
});

test('onHeaders answers after the FIN: its answer, then the connection closes', async () => {
  const o = await halfCloseDuringOnHeaders('POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n',
    { status: 403, body: 'no' });
  assert.equal(o.response.status, 403);
  assert.equal(o.response.body.toString(), 'no');
  assert.equal(o.calls, 0);
});
