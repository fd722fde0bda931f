// Upgrade requests and the app hooks: onHeaders may refuse an upgrade, ws.request is the Rook
// env of the upgrade request, an app without onWSOpen serves the upgrade request as plain HTTP.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { listServers, type App, type RookRequest } from '../../src/index.js';
import { pollUntil } from '../helpers/tools.js';
import { rawHttp, upgradeRequest, wsClosed, wsOpen, roundTrip } from './ws-helpers.js';
import { withServer } from '../helpers/server.js';

after(() => assert.deepEqual(listServers(), []));

test('onHeaders returning a response refuses the upgrade; null lets it through', async () => {
  let opened = 0;
  const app: App = {
    onHeaders: (req) => (req.PATH_INFO === '/forbidden' ? { status: 403, headers: { 'Content-Type': 'text/plain' }, body: 'no' } : null),
    onWSOpen(ws) { opened++; ws.onMessage((_b, m) => ws.send(m)); },
  };
  await withServer(app, async ({ port }) => {
    const r = await rawHttp(port, upgradeRequest().replace('GET /chat', 'GET /forbidden'));
    assert.equal(r.status, 403, r.head);
    assert.equal(r.headers['upgrade'], undefined);
    assert.equal(opened, 0);
    const ok = await rawHttp(port, upgradeRequest());
    assert.equal(ok.status, 101);
  });
  assert.equal(opened, 1);
});

test('an async onHeaders can refuse or allow', async () => {
  const app: App = {
    onHeaders: async (req) => (req.HEADERS['x-token'] === 'yes' ? null : { status: 401, headers: {}, body: '' }),
    onWSOpen(ws) { ws.onMessage((_b, m) => ws.send(m)); },
  };
  await withServer(app, async ({ port }) => {
    assert.equal((await rawHttp(port, upgradeRequest())).status, 401);
    assert.equal((await rawHttp(port, upgradeRequest('X-Token: yes\r\n'))).status, 101);
  });
});

test('ws.request is the Rook env of the upgrade request', async () => {
  let req: RookRequest | undefined;
  const app: App = { onWSOpen(ws) { req = ws.request; ws.onMessage((_b, m) => ws.send(m)); } };
  await withServer(app, async ({ port }) => {
    const c = await wsOpen(port, { headers: { 'X-Custom': 'abc' } });
    assert.equal((await roundTrip(c, 'x')).data.toString(), 'x');
    c.close();
    await wsClosed(c);
    assert.ok(req);
    assert.equal(req.REQUEST_METHOD, 'GET');
    assert.equal(req.PATH_INFO, '/ws');
    assert.equal(req.REMOTE_ADDR, '127.0.0.1');
    assert.equal(req.SERVER_PORT, String(port));
    assert.equal(req.HEADERS['x-custom'], 'abc');
    assert.equal(req.HEADERS['upgrade']?.toLowerCase(), 'websocket');
    assert.ok(req.HEADERS['sec-websocket-key']);
  });
});

test('ws.request read late is the upgrade request, the same object on every read; with onHeaders it is the object onHeaders saw', async () => {
  const got: { first?: RookRequest; second?: RookRequest; fromHeaders?: RookRequest; sameAsHeaders?: boolean }[] = [];
  for (const withHeaders of [false, true]) {
    const rec: (typeof got)[number] = {};
    got.push(rec);
    const app: App = {
      ...(withHeaders ? { onHeaders: (req: RookRequest) => { rec.fromHeaders = req; return undefined; } } : {}),
      onWSOpen(ws) {
        ws.onMessage((_b, m) => {
          // Read only once a message arrives: long after the open event was handled.
          rec.first = ws.request;
          rec.second = ws.request;
          rec.sameAsHeaders = ws.request === rec.fromHeaders;
          ws.send(m);
        });
      },
    };
    await withServer(app, async ({ port }) => {
      const c = await wsOpen(port, { headers: { 'X-Late': 'yes' } });
      assert.equal((await roundTrip(c, 'late')).data.toString(), 'late');
      c.close();
      await wsClosed(c);
    });
    assert.ok(rec.first);
    assert.equal(rec.first, rec.second);
    assert.equal(rec.first.REQUEST_METHOD, 'GET');
    assert.equal(rec.first.HEADERS['x-late'], 'yes');
    assert.equal(rec.first.HTTP_X_LATE, 'yes');
    assert.equal(rec.first['rook.input'].read().length, 0);
    assert.equal(rec.sameAsHeaders, withHeaders);
  }
});

test('query string of the upgrade request is in ws.request', async () => {
  let req: RookRequest | undefined;
  const app: App = { onWSOpen(ws) { req = ws.request; } };
  await withServer(app, async ({ port }) => {
    const r = await rawHttp(port, upgradeRequest().replace('GET /chat', 'GET /chat/room?x=1&y=2'));
    assert.equal(r.status, 101);
    await pollUntil(() => req, 3000, 'onWSOpen');
    assert.equal(req?.PATH_INFO, '/chat/room');
    assert.match(req?.QUERY_STRING ?? '', /x=1&y=2/);
  });
});

test('an app without onWSOpen serves the upgrade request as plain HTTP by call', async () => {
  const seen: string[] = [];
  const app: App = { call: (req) => { seen.push(req.HEADERS['upgrade'] ?? ''); return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'plain' }; } };
  await withServer(app, async ({ port }) => {
    const r = await rawHttp(port, upgradeRequest());
    assert.equal(r.status, 200, r.head);
    assert.ok(r.raw.endsWith('plain'));
    assert.deepEqual(seen, ['websocket']);
  });
});
