// Connection cap: with maxConnections 10, what happens to the 11th and later
// connections. Observed behaviour, asserted so a change is noticed: the server accepts the extra
// connection and closes it at once without writing anything (no 503), logging a WARN line; the
// capped connections keep working; once they go away, new connections are served again.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, listServers } from '../../src/index.js';
import { timedGet, watch, type Watched } from './hostile-util.js';
import { pollUntil } from '../helpers/tools.js';

after(() => assert.deepEqual(listServers(), []));

test('maxConnections 10: extra connections are closed without a response; capacity comes back', async () => {
  const server = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'ok' }),
    { maxConnections: 10, headersTimeoutMs: 30_000, keepAliveTimeoutMs: 30_000 });
  const held: Watched[] = [];
  const extra: Watched[] = [];
  try {
    const port = server.getPort();
    for (let i = 0; i < 10; i++) held.push(await watch(port));
    await pollUntil(() => (server.stats()?.connectionsOpen ?? 0) === 10, 2000, '10 open connections');
    for (let i = 0; i < 20; i++) {
      const c = await watch(port);
      c.socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      extra.push(c);
    }
    await pollUntil(() => extra.every((c) => c.closedAt !== null), 3000, 'the extra connections to be closed');
    const answered = extra.filter((c) => c.received.length > 0).length;
    const errors = [...new Set(extra.map((c) => c.error ?? 'clean EOF'))];
    console.log(`connection cap: 20 extra connections closed, ${answered} got bytes, close kinds: ${errors.join(', ')}; ` +
      `stats: ${JSON.stringify(server.stats())}`);
    assert.equal(answered, 0, 'an extra connection got a response');
    // The held connections still work.
    const h = held[0];
    h.socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await pollUntil(() => h.received.includes('\r\n\r\nok'), 2000, 'a held connection to be answered');
    for (const c of held) c.socket.destroy();
    await pollUntil(() => (server.stats()?.connectionsOpen ?? 1) === 0, 3000, 'the held connections to close');
    const r = await timedGet(port);
    assert.equal(r.status, 200);
  } finally {
    for (const c of [...held, ...extra]) c.socket.destroy();
    await server.stop();
  }
});
