// Found by the hardening work (issue 7, item 2: "slow read ... reaps the slow connections within
// the configured timeouts"). A client that asked for a large response and then stopped reading
// kept its connection (and the response's file descriptor) forever: no timer ran while a
// response was being written. Fixed by sendTimeoutMs (nginx's send_timeout): with no progress
// for that long, the connection is closed. This test stalls one reader on a static file and one
// on a dynamic body and expects both gone within a few timeouts, with the file descriptor freed.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, listServers } from '../../src/index.js';
import { fdCount } from '../helpers/proc.js';
import { pollUntil } from '../helpers/tools.js';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-stalled-'));
fs.writeFileSync(path.join(TMP, 'big.bin'), Buffer.alloc(32 * 1024 * 1024, 3));

after(() => {
  fs.rmSync(TMP, { recursive: true, force: true });
  assert.deepEqual(listServers(), []);
});

test('a client that stops reading a response is closed after sendTimeoutMs', async () => {
  const body = Buffer.alloc(16 * 1024 * 1024, 4);
  const server = startServer('127.0.0.1', 0, { call: () => ({ status: 200, body }), staticPaths: { '/f': TMP } },
    { sendTimeoutMs: 500 });
  const sockets: net.Socket[] = [];
  try {
    const port = server.getPort();
    const fdsBefore = fdCount();
    for (const target of ['/f/big.bin', '/dynamic']) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.pause(); // never reads
      s.write(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
      sockets.push(s);
    }
    const t0 = Date.now();
    await pollUntil(() => (server.stats()?.connectionsOpen ?? 0) >= 2, 5000, 'both connections open');
    assert.equal(server.stats()?.connectionsOpen, 2);
    await pollUntil(() => (server.stats()?.connectionsOpen ?? 0) === 0, process.env.HTTPUV_SANITIZER ? 20_000 : 8000,
      'the stalled readers to be closed');
    assert.ok(Date.now() - t0 >= 450, 'closed before the send timeout');
    for (const s of sockets) s.destroy();
    // The served file's descriptor and both sockets are released (the client sockets too, now).
    await pollUntil(() => fdCount() <= fdsBefore, 5000, `descriptors back to ${fdsBefore}`);
  } finally {
    for (const s of sockets) s.destroy();
    await server.stop();
  }
});
