// permessage-deflate round trips with the ws client: default offer, context takeover off either
// side, window bits 9/15, compressible and incompressible data, fragmented compressed messages.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import type WebSocketClient from 'ws';
import { listServers } from '../../src/index.js';
import { echoApp, wsClosed, wsOpen, roundTrip } from './ws-helpers.js';
import { withServer } from '../helpers/server.js';

after(() => assert.deepEqual(listServers(), []));

const text = (n: number) => {
  const words = ['alpha', 'beta', 'gamma', 'δέλτα', 'epsilon', '{"k":1}', 'zeta\n'];
  const parts: string[] = [];
  let len = 0;
  while (len < n) { const w = words[crypto.randomInt(words.length)] + ' '; parts.push(w); len += Buffer.byteLength(w); }
  return parts.join('');
};

const offers: [string, WebSocketClient.PerMessageDeflateOptions, RegExp][] = [
  ['default', {}, /^permessage-deflate/],
  ['client_no_context_takeover', { clientNoContextTakeover: true }, /client_no_context_takeover/],
  ['server_no_context_takeover', { serverNoContextTakeover: true }, /server_no_context_takeover/],
  ['both no_context_takeover', { serverNoContextTakeover: true, clientNoContextTakeover: true }, /server_no_context_takeover.*client_no_context_takeover/],
  ['client_max_window_bits=9', { clientMaxWindowBits: 9 }, /client_max_window_bits=9/],
  ['server_max_window_bits=9', { serverMaxWindowBits: 9 }, /server_max_window_bits=9/],
  ['both window bits 15', { serverMaxWindowBits: 15, clientMaxWindowBits: 15 }, /server_max_window_bits=15/],
];

for (const [name, pmd, expect] of offers) {
  test(`compressed round trips: ${name}`, async () => {
    await withServer(echoApp, async ({ port }) => {
      const c = await wsOpen(port, { perMessageDeflate: { threshold: 0, ...pmd }, maxPayload: 0 });
      assert.equal(c.extensions, 'permessage-deflate');
      const upgrade = await new Promise<string>((resolve) => {
        const d = new (c.constructor as typeof WebSocketClient)(`ws://127.0.0.1:${port}/`, { perMessageDeflate: { threshold: 0, ...pmd } });
        d.on('upgrade', (res) => resolve(String(res.headers['sec-websocket-extensions'])));
        d.on('open', () => d.terminate());
      });
      assert.match(upgrade, expect);
      for (let i = 0; i < 30; i++) {
        const n = [10, 200, 5000, 70000, 300000][i % 5];
        const t = text(n);
        assert.equal((await roundTrip(c, t)).data.toString(), t);
        const b = i % 2 ? crypto.randomBytes(n) : Buffer.alloc(n, i);
        assert.ok((await roundTrip(c, b)).data.equals(b));
      }
      const got = new Promise<Buffer>((resolve) => c.once('message', (d: Buffer) => resolve(Buffer.from(d))));
      const big = Buffer.from(text(100000));
      for (let o = 0; o < big.length; o += 4096) c.send(big.subarray(o, o + 4096), { fin: o + 4096 >= big.length, binary: false, compress: true });
      assert.ok((await got).equals(big), 'fragmented compressed message');
      const closed = wsClosed(c);
      c.close(1000);
      assert.equal((await closed).code, 1000);
    });
  });
}

test('one 16 MiB compressible message is echoed', async () => {
  await withServer(echoApp, async ({ port }) => {
    const c = await wsOpen(port, { perMessageDeflate: { threshold: 0 }, maxPayload: 0 });
    const m = Buffer.from(text(16 * 1024 * 1024 - 64));
    const r = await roundTrip(c, m, { binary: true });
    assert.ok(r.data.equals(m));
    c.close();
    await wsClosed(c);
  });
});
