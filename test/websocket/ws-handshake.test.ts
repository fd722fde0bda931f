// The opening handshake over raw sockets: every required header missing or wrong, and the good
// cases (statuses, Sec-WebSocket-Accept, subprotocols, permessage-deflate offers, split/early bytes).
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { listServers, type App } from '../../src/index.js';
import { pollUntil } from '../helpers/tools.js';
import { frame, OP, RawWs, rawHttp, upgradeRequest, wsOpen, roundTrip, wsClosed } from './ws-helpers.js';
import { withServer } from '../helpers/server.js';

after(() => assert.deepEqual(listServers(), []));

function countingApp(): App & { opened: number } {
  const app = {
    opened: 0,
    call: () => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'plain' }),
    onWSOpen(ws: { onMessage(f: (b: boolean, m: string | Buffer) => void): void; send(m: string | Buffer): boolean }) {
      app.opened++;
      ws.onMessage((_b, m) => ws.send(m));
    },
  };
  return app as App & { opened: number };
}

test('valid upgrade: 101, RFC sample Sec-WebSocket-Accept, no Content-Length, onWSOpen once', async () => {
  const app = countingApp();
  await withServer(app, async ({ port }) => {
    const r = await rawHttp(port, upgradeRequest());
    assert.equal(r.status, 101, r.raw);
    assert.equal(r.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.equal(r.headers['upgrade']?.toLowerCase(), 'websocket');
    assert.match(r.headers['connection'] ?? '', /upgrade/i);
    assert.equal(r.headers['content-length'], undefined);
    assert.equal(r.headers['transfer-encoding'], undefined);
    assert.equal(r.headers['sec-websocket-extensions'], undefined);
    assert.equal(r.headers['sec-websocket-protocol'], undefined);
  });
  assert.equal(app.opened, 1);
});

const refused: [string, string, number[], (h: Record<string, string>) => void][] = [
  ['POST', upgradeRequest('', { method: 'POST' }), [405], () => {}],
  ['HTTP/1.0', upgradeRequest('', { version: '1.0' }), [400], () => {}],
  ['no Sec-WebSocket-Key', upgradeRequest('', { key: null }), [400], () => {}],
  ['8-byte key', upgradeRequest('', { key: Buffer.alloc(8, 1).toString('base64') }), [400], () => {}],
  ['key that is not base64', upgradeRequest('', { key: '!!!!!!!!!!!!!!!!!!!!!!==' }), [400], () => {}],
  ['Sec-WebSocket-Version: 12', upgradeRequest('', { wsVersion: '12' }), [400, 426],
    (h) => assert.equal(h['sec-websocket-version'], '13')],
  ['no Sec-WebSocket-Version', upgradeRequest('', { wsVersion: null }), [400, 426],
    (h) => assert.equal(h['sec-websocket-version'], '13')],
  ['Sec-WebSocket-Protocol: foo;bar', upgradeRequest('Sec-WebSocket-Protocol: foo;bar\r\n'), [400], () => {}],
];
for (const [name, req, statuses, check] of refused) {
  test(`refused: ${name} → ${statuses.join('/')}, onWSOpen not called`, async () => {
    const app = countingApp();
    await withServer(app, async ({ port }) => {
      const r = await rawHttp(port, req);
      assert.ok(statuses.includes(r.status), `status ${r.status}: ${r.head}`);
      check(r.headers);
    });
    assert.equal(app.opened, 0);
  });
}

test('Upgrade: foo (with WebSocket headers) is not accepted as a WebSocket', async () => {
  const app = countingApp();
  await withServer(app, async ({ port }) => {
    const r = await rawHttp(port, upgradeRequest().replace('Upgrade: websocket', 'Upgrade: foo'));
    assert.notEqual(r.status, 101);
    // §2.5 asks for 400; the server serves unknown Upgrades as plain HTTP (RFC 9110 §7.8).
    assert.ok(r.status === 400 || (r.status === 200 && r.raw.endsWith('plain')), r.head);
  });
  assert.equal(app.opened, 0);
});

test('Connection: keep-alive without the upgrade token is a plain HTTP request for call()', async () => {
  const app = countingApp();
  await withServer(app, async ({ port }) => {
    const r = await rawHttp(port, upgradeRequest().replace('Connection: Upgrade', 'Connection: close'));
    assert.equal(r.status, 200, r.head);
    assert.ok(r.raw.endsWith('plain'));
  });
  assert.equal(app.opened, 0);
});

test('Connection: close, Upgrade (proxy quirk, httpuv #153) is accepted', async () => {
  await withServer(countingApp(), async ({ port }) => {
    const r = await rawHttp(port, upgradeRequest().replace('Connection: Upgrade', 'Connection: close, Upgrade'));
    assert.equal(r.status, 101, r.head);
  });
});

const ext = (v: string) => upgradeRequest(`Sec-WebSocket-Extensions: ${v}\r\n`);
test('permessage-deflate offers', async () => {
  await withServer(countingApp(), async ({ port }) => {
    let r = await rawHttp(port, ext('permessage-deflate; client_max_window_bits'));
    assert.equal(r.status, 101);
    assert.match(r.headers['sec-websocket-extensions'] ?? '', /^permessage-deflate/);
    r = await rawHttp(port, ext('permessage-deflate; server_max_window_bits=16'));
    assert.ok(r.status === 400 || (r.status === 101 && r.headers['sec-websocket-extensions'] === undefined), r.head);
    r = await rawHttp(port, ext('permessage-deflate; server_max_window_bits=8'));
    assert.equal(r.status, 101, 'server_max_window_bits=8 must not crash');
    assert.ok(!/server_max_window_bits=8/.test(r.headers['sec-websocket-extensions'] ?? ''), r.head);
    r = await rawHttp(port, ext('permessage-deflate; server_max_window_bits=8, permessage-deflate'));
    assert.equal(r.status, 101);
    assert.equal(r.headers['sec-websocket-extensions'], 'permessage-deflate', 'second offer accepted');
    for (const bad of ['permessage-deflate; server_no_context_takeover=1', 'permessage-deflate; client_max_window_bits=7',
      'permessage-deflate; server_no_context_takeover; server_no_context_takeover', 'permessage-deflate; foo=bar']) {
      r = await rawHttp(port, ext(bad));
      assert.ok(r.status === 400 || (r.status === 101 && r.headers['sec-websocket-extensions'] === undefined), `${bad}: ${r.head}`);
    }
    r = await rawHttp(port, ext('permessage-deflate;;'));
    assert.ok(r.status === 400 || r.status === 101, 'bad syntax answered, no crash');
  });
  await withServer(countingApp(), async ({ port }) => {
    const r = await rawHttp(port, ext('permessage-deflate'));
    assert.equal(r.status, 101);
    assert.equal(r.headers['sec-websocket-extensions'], undefined, 'perMessageDeflate: false declines');
  }, { websocket: { perMessageDeflate: false } });
});

test('server_max_window_bits=8 offered by a real client: declined, messages still flow', async () => {
  await withServer(countingApp(), async ({ port }) => {
    const c = await wsOpen(port, { perMessageDeflate: { serverMaxWindowBits: 8, threshold: 0 } });
    assert.equal((await roundTrip(c, 'x'.repeat(5000))).data.toString(), 'x'.repeat(5000));
    c.close();
    await wsClosed(c);
  });
});

test('subprotocol chosen from options.websocket.protocols', async () => {
  let seen = '';
  const app: App = { onWSOpen(ws) { seen = ws.protocol; ws.onMessage((_b, m) => ws.send(m)); } };
  await withServer(app, async ({ port }) => {
    let r = await rawHttp(port, upgradeRequest('Sec-WebSocket-Protocol: chat, superchat\r\n'));
    assert.equal(r.status, 101);
    assert.equal(r.headers['sec-websocket-protocol'], 'superchat');
    r = await rawHttp(port, upgradeRequest('Sec-WebSocket-Protocol: other\r\n'));
    assert.equal(r.status, 101);
    assert.equal(r.headers['sec-websocket-protocol'], undefined);
    r = await rawHttp(port, upgradeRequest('Sec-WebSocket-Protocol: chat, chat\r\n'));
    assert.ok(r.status === 400 || (r.status === 101 && r.headers['sec-websocket-protocol'] === undefined), r.head);
    const c = await wsOpen(port, {}, ['chat', 'superchat']);
    assert.equal(c.protocol, 'superchat');
    c.close();
    await wsClosed(c);
    assert.equal(seen, 'superchat');
  }, { websocket: { protocols: ['superchat'] } });
});

test('1,000 header lines → 431/400; a 7 KiB extension header with 500 params answered fast', async () => {
  await withServer(countingApp(), async ({ port }) => {
    const many = Array.from({ length: 1000 }, (_, i) => `X-H${i}: v\r\n`).join('');
    let r = await rawHttp(port, upgradeRequest(many), 3000);
    assert.ok(r.status === 431 || r.status === 400 || r.status === 101, r.head);  // maxHeaders default 2000
    const params = Array.from({ length: 500 }, () => 'client_max_window_bits').join('; ');
    const t0 = Date.now();
    r = await rawHttp(port, ext(`permessage-deflate; ${params}`));
    assert.ok(r.status === 400 || (r.status === 101 && r.headers['sec-websocket-extensions'] === undefined), r.head);
    assert.ok(Date.now() - t0 < 1000, 'bounded parse time');
  });
  await withServer(countingApp(), async ({ port }) => {
    const many = Array.from({ length: 1000 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const r = await rawHttp(port, upgradeRequest(many), 3000);
    assert.ok(r.status === 431 || r.status === 400, r.head);
  }, { maxHeaders: 100 });
});

test('handshake and a masked text frame in the same write: 101 then the echo', async () => {
  await withServer(countingApp(), async ({ port }) => {
    const c = await RawWs.open(port, '', frame(OP.TEXT, 'early'));
    assert.ok(await c.until(() => c.data(OP.TEXT).length === 1));
    assert.equal(c.data(OP.TEXT)[0].data.toString(), 'early');
    c.destroy();
  });
});

test('handshake split byte by byte with a frame in the last write: 101 only after CRLFCRLF, frame once', async () => {
  await withServer(countingApp(), async ({ port }) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    let got = '';
    s.on('data', (d: Buffer) => { got += d.toString('latin1'); });
    await new Promise((r) => s.once('connect', r));
    const req = Buffer.from(upgradeRequest());
    for (let i = 0; i < req.length - 1; i++) {
      await new Promise<void>((r) => s.write(req.subarray(i, i + 1), () => r()));
      if (i % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(got, '', 'nothing before the final LF');
    s.write(Buffer.concat([req.subarray(req.length - 1), frame(OP.TEXT, 'once')]));
    await pollUntil(() => got.includes('once'), 3000, 'the echoed frame');
    assert.match(got, /^HTTP\/1\.1 101/);
    assert.equal(got.split('once').length - 1, 1, 'the frame is echoed exactly once');
    s.destroy();
  });
});
