// Found by the hardening work (issue 7). A client that sends only empty lines ("\r\n") never
// starts a message: llhttp skips CRLF before a request line (RFC 9112 §2.2) without calling
// on_message_begin, so the connection stays in its idle phase, and Connection::OnRead re-arms the
// headers timeout on every read that arrives while idle with nothing buffered. One "\r\n" per
// (headersTimeoutMs - ε) therefore keeps a connection open forever, which is slowloris with two
// bytes: headersTimeoutMs does not bound it, and an idle keep-alive connection turns its
// keepAliveTimeoutMs into headersTimeoutMs the same way.
// Expected: the time before the first request line is bounded by headersTimeoutMs from the
// moment the connection (or its keep-alive idle period) began, whatever empty lines arrive.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { startServer, listServers } from '../../src/index.js';

const SAN = Boolean(process.env.HTTPUV_SANITIZER);

after(() => assert.deepEqual(listServers(), []));

function trickle(port: number, first: string, everyMs: number, forMs: number): Promise<number> {
  // Resolves with how long the server kept the connection open (capped at forMs + 1000).
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearInterval(timer);
      clearTimeout(cap);
      s.destroy();
      resolve(Date.now() - t0);
    };
    const cap = setTimeout(done, forMs + 1000);
    s.on('close', done);
    s.on('error', () => {});
    s.on('data', () => {});
    s.on('connect', () => {
      if (first) s.write(first);
      timer = setInterval(() => { if (!s.destroyed) s.write('\r\n'); }, everyMs);
    });
  });
}

test('CRLF every 300 ms must not keep a connection open past headersTimeoutMs',
  {},
  async () => {
    const server = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'ok' }), { headersTimeoutMs: 1000 });
    try {
      const lived = await trickle(server.getPort(), '', 300, 4000);
      assert.ok(lived <= 1000 + (SAN ? 5000 : 1000), `the connection lived ${lived} ms`);
    } finally {
      await server.stop();
    }
  });

test('CRLF after a keep-alive response must not stretch keepAliveTimeoutMs',
  {},
  async () => {
    const server = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'ok' }),
      { headersTimeoutMs: 10_000, keepAliveTimeoutMs: 500 });
    try {
      const lived = await trickle(server.getPort(), 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 300, 4000);
      assert.ok(lived <= 500 + (SAN ? 5000 : 1000), `the connection lived ${lived} ms`);
    } finally {
      await server.stop();
    }
  });
