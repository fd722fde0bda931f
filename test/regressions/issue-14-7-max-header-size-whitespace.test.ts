// Issue 14, class 7(b): `maxHeaderSize` summed the spans llhttp reported (names, values, the
// target), so whitespace before a header value, line endings and empty headers were free:
// 8 MB of spaces passed a 1 KiB limit. Now every byte llhttp consumes in the header section
// counts (request line, names, values, optional whitespace, CRLFs; the same for a chunked
// body's trailer section), by feeding llhttp at most the remaining budget (parser.cc Execute).
// Each case: 431 (414 for a long target) before much more than the limit was read, the app not
// called, the connection closed.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { ServerOptions } from '../../src/index.js';
import { RawConn, finalResponses, preview, saysClose } from '../helpers/clients.js';
import { finalNoServersTest, recordingApp, withServer } from '../helpers/server.js';

const LIMIT = 1024;

interface Outcome {
  status: number | undefined;
  called: number;
  closed: boolean;
  close: boolean;
  bytesIn: number;
  data: string;
  text: string;
}

/**
 * Sends `head` then `filler` repeated up to `fillerBytes` (in 64 KiB writes, stopping once the
 * server answered or closed) then `tail`, and reports what the server did.
 */
async function send(head: string, filler = '', fillerBytes = 0, tail = '',
                    options: ServerOptions = { maxHeaderSize: LIMIT }): Promise<Outcome> {
  const { app, seen } = recordingApp();
  return withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      const answered = (): boolean => conn.closed || finalResponses(conn.data).length >= 1;
      try {
        await conn.write(head);
        if (fillerBytes > 0) {
          const piece = filler.repeat(Math.ceil(65536 / filler.length));
          for (let sent = 0; sent < fillerBytes && !answered(); sent += piece.length) await conn.write(piece);
        }
        if (!answered()) await conn.write(tail);
      } catch {
        // the server closed while we were still writing: what it answered is the result
      }
      await conn.waitFor((d, c) => c || finalResponses(d).length >= 1, 10000, 'a response').catch(() => undefined);
      const [r] = finalResponses(conn.data);
      if (r !== undefined && r.status !== 200) await conn.waitClose(5000);
      return {
        status: r?.status, called: seen.length, closed: conn.closed, close: r !== undefined && saysClose(r),
        bytesIn: server.stats()?.bytesIn ?? -1, data: preview(conn.data, 200), text: conn.text,
      };
    } finally {
      conn.destroy();
    }
  }, options);
}

function refused(o: Outcome, code = 431): void {
  assert.equal(o.status, code, o.data);
  assert.equal(o.called, 0, 'the app is not called');
  assert.ok(o.close, 'Connection: close');
  assert.ok(o.closed, 'the connection is closed');
  // One read (64 KiB) may arrive before the answer; never the megabytes that follow.
  assert.ok(o.bytesIn < 256 * 1024, `read ${o.bytesIn} bytes before answering`);
}

const START = 'GET / HTTP/1.1\r\nHost: a\r\n';

test('8 MB of spaces before a header value: 431 after reading about one read', async () => {
  refused(await send(`${START}X-A:`, ' ', 8 * 1024 * 1024, 'v\r\n\r\n'));
});

test('tabs before a header value, and spaces and tabs mixed: 431', async () => {
  refused(await send(`${START}X-A:`, '\t', 1024 * 1024, 'v\r\n\r\n'));
  refused(await send(`${START}X-A:`, ' \t', 1024 * 1024, 'v\r\n\r\n'));
  // Just over the limit, in one write (nothing is read after the answer there).
  refused(await send(`${START}X-A:${' '.repeat(LIMIT)}v\r\n\r\n`));
});

test('whitespace before an empty value (no value span at all): 431', async () => {
  refused(await send(`${START}X-A:`, ' ', 1024 * 1024, '\r\n\r\n'));
});

test('spaces after a header value: 431', async () => {
  refused(await send(`${START}X-A: v`, ' ', 1024 * 1024, '\r\n\r\n'));
});

test('many empty and near-empty headers (their names alone fit the limit): 431', async () => {
  refused(await send(`${START}${'X:\r\n'.repeat(400)}\r\n`));
  refused(await send(`${START}${'X: \r\n'.repeat(300)}\r\n`));
  refused(await send(`${START}${'X-Y:    \t  z\r\n'.repeat(80)}\r\n`));
});

test('the limit is exact: a header section of exactly maxHeaderSize bytes passes, one more byte is 431', async () => {
  // Header section = request line through the empty line that ends it.
  const make = (size: number): string =>
    `${START}X-Pad:${' '.repeat(size - `${START}X-Pad:v\r\n\r\n`.length)}v\r\n\r\n`;
  const exact = make(LIMIT);
  assert.equal(exact.length, LIMIT);
  const ok = await send(exact);
  assert.equal(ok.status, 200, ok.data);
  assert.equal(ok.called, 1);
  refused(await send(make(LIMIT + 1)));
});

test('obs-fold (a header line continued on the next) is refused, whatever its length', async () => {
  const short = await send(`${START}X-A: a\r\n b\r\n\r\n`);
  assert.equal(short.status, 400, short.data);
  assert.equal(short.called, 0);
  assert.ok(short.closed);
  const long = await send(`${START}X-A: a\r\n`, ' b\r\n', 1024 * 1024, '\r\n');
  assert.ok(long.status === 400 || long.status === 431, long.data);
  assert.equal(long.called, 0);
  assert.ok(long.closed);
});

test('a long request line: 414 when the target passes maxRequestTargetSize, else 431', async () => {
  refused(await send(`GET /${'a'.repeat(4000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
    '', 0, '', { maxHeaderSize: 8192, maxRequestTargetSize: 1000 }), 414);
  refused(await send(`GET /${'a'.repeat(4000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
    '', 0, '', { maxHeaderSize: LIMIT, maxRequestTargetSize: 8192 }), 431);
  // Streamed: a target growing without end.
  refused(await send('GET /', 'a', 4 * 1024 * 1024, ' HTTP/1.1\r\nHost: a\r\n\r\n',
    { maxHeaderSize: 8192, maxRequestTargetSize: 2048 }), 414);
  refused(await send('GET /', 'a', 4 * 1024 * 1024, ' HTTP/1.1\r\nHost: a\r\n\r\n',
    { maxHeaderSize: LIMIT, maxRequestTargetSize: 65536 }), 431);
});

test('whitespace in a chunked body\'s trailer section counts against maxHeaderSize too', async () => {
  const head = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T:';
  refused(await send(head, ' ', 1024 * 1024, 'v\r\n\r\n'));
  const ok = await send(`${head} v\r\n\r\n`);
  assert.equal(ok.status, 200, ok.data);
});

test('pipelined: a request within the limit is answered, the next one over it gets 431', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(`${START}\r\n${START}X-A:${' '.repeat(4 * LIMIT)}v\r\n\r\n`);
      const rs = await conn.responses(2, 5000);
      assert.deepEqual(rs.map((r) => r.status), [200, 431]);
      assert.equal(seen.length, 1);
      assert.ok(await conn.waitClose(5000), 'the connection is closed');
    } finally {
      conn.destroy();
    }
  }, { maxHeaderSize: LIMIT });
});

test('the default limit (80 KiB) still takes an 80,000-byte header; spaces count there too', async () => {
  const ok = await send(`${START}X-Big: ${'v'.repeat(80000)}\r\n\r\n`, '', 0, '', {});
  assert.equal(ok.status, 200, ok.data);
  refused(await send(`${START}X-A:`, ' ', 4 * 1024 * 1024, 'v\r\n\r\n', {}));
});

finalNoServersTest();
