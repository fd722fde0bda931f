// The dispatcher alone (src/dispatch.ts), driven by a fake binding: event batches go in, the
// commands that come out are checked. No addon, no I/O thread, no socket.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Dispatcher } from '../../src/dispatch.js';
import { Outbox } from '../../src/outbox.js';
import type { ServerRecord } from '../../src/registry.js';
import type { RookRequest } from '../../src/rook.js';
import type { WebSocket } from '../../src/websocket.js';
import {
  addonLoaded, captureLog, eventBatch, fakeBinding, fakeServer, settle, type FakeBinding,
} from './fake-binding.js';
import type { NormalizedApp } from '../../src/app.js';

function setup(app: Partial<NormalizedApp>, gzip = false): {
  fake: FakeBinding; d: Dispatcher; server: ReturnType<typeof fakeServer>; servers: Map<number, ServerRecord>;
} {
  const fake = fakeBinding();
  const servers = new Map<number, ServerRecord>();
  const server = fakeServer(7, app, gzip);
  servers.set(7, server);
  const d = new Dispatcher(fake, new Outbox(fake), servers);
  return { fake, d, server, servers };
}

test('a request → app.call → exactly one RESPONSE command, sent with the batch', () => {
  const seen: RookRequest[] = [];
  const { fake, d } = setup({
    call: (req) => {
      seen.push(req);
      return { status: 201, headers: { 'X-A': '1', 'Content-Type': 'text/plain' }, body: 'made' };
    },
  });
  d.handleBatch(eventBatch([{
    kind: 'REQUEST', id: 100, serverId: 7, method: 'POST', target: '/p?q=1', headers: [['X-In', 'v']],
    body: Buffer.from('payload'),
  }]));
  // Sent before handleBatch returned: one commands_send for the whole batch.
  assert.deepEqual(fake.sends, [1]);
  assert.deepEqual(fake.responses(), [{
    id: 100, status: 201, headers: [['X-A', '1'], ['Content-Type', 'text/plain']], bodyKind: 'MEMORY', body: 'made',
    gzip: false, fileOwned: false,
  }]);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].REQUEST_METHOD, 'POST');
  assert.equal(seen[0].PATH_INFO, '/p');
  assert.equal(seen[0].QUERY_STRING, '?q=1');
  assert.equal(seen[0].HEADERS['x-in'], 'v');
  assert.equal(seen[0]['rook.input'].read().toString(), 'payload');
  assert.deepEqual(d.debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 0 });
});

test('several requests in one batch: one commands_send carrying every answer, in order', () => {
  const { fake, d } = setup({ call: (req) => ({ status: 200, body: req.PATH_INFO }) });
  d.handleBatch(eventBatch([1, 2, 3].map((i) => ({ kind: 'REQUEST' as const, id: i, serverId: 7, target: `/${i}` }))));
  assert.deepEqual(fake.sends, [3]);
  assert.deepEqual(fake.responses().map((r) => [r.id, r.body]), [[1, '/1'], [2, '/2'], [3, '/3']]);
});

test('a promise answer leaves once it settles; an app without call gets a 404', async () => {
  let resolve!: (v: { status: number; body: string }) => void;
  const { fake, d } = setup({ call: () => new Promise((r) => { resolve = r; }) });
  d.handleBatch(eventBatch([{ kind: 'REQUEST', id: 5, serverId: 7 }]));
  assert.equal(fake.commands.length, 0);
  resolve({ status: 200, body: 'later' });
  await settle();
  assert.deepEqual(fake.responses().map((r) => [r.id, r.status, r.body]), [[5, 200, 'later']]);

  const none = setup({});
  none.d.handleBatch(eventBatch([{ kind: 'REQUEST', id: 6, serverId: 7 }, { kind: 'REQUEST', id: 8, serverId: 7 }]));
  assert.deepEqual(none.fake.responses().map((r) => [r.id, r.status, r.body, r.headers]), [
    [6, 404, '404 Not Found\n', [['Content-Type', 'text/plain']]],
    [8, 404, '404 Not Found\n', [['Content-Type', 'text/plain']]],
  ]);
});

test('a throwing call and a malformed answer become a logged 500', async () => {
  const log = captureLog('ERROR');
  try {
    const { fake, d } = setup({
      call: (req) => {
        if (req.PATH_INFO === '/throw') throw new Error('boom');
        return { status: 99 } as never;
      },
    });
    d.handleBatch(eventBatch([{ kind: 'REQUEST', id: 1, serverId: 7, target: '/throw' },
      { kind: 'REQUEST', id: 2, serverId: 7, target: '/bad' }]));
    const [a, b] = fake.responses();
    assert.equal(a.status, 500);
    assert.equal(a.body, 'ERROR: boom');
    assert.equal(b.status, 500);
    assert.match(String(b.body), /^Internal Server Error: invalid response status/);
    assert.equal(log.lines('ERROR').length, 2);
  } finally {
    log.restore();
  }
});

test('onHeaders returning nothing → continue; the body then comes as a request and goes to call', () => {
  const calls: string[] = [];
  const { fake, d } = setup({
    onHeaders: (req) => { calls.push(`headers ${req.PATH_INFO}`); return undefined; },
    call: (req) => { calls.push(`call ${req['rook.input'].read().toString()}`); return { status: 200 }; },
  });
  d.handleBatch(eventBatch([{ kind: 'HEADERS', id: 9, serverId: 7, target: '/up', method: 'PUT' }]));
  assert.deepEqual(fake.continued, [9]);
  assert.equal(fake.commands.length, 0);
  assert.deepEqual(d.debugCounts(), { requests: 1, pendingHeaders: 1, sockets: 0 });
  d.handleBatch(eventBatch([{ kind: 'REQUEST', id: 9, serverId: 7, target: '/up', method: 'PUT', body: Buffer.from('b') }]));
  assert.deepEqual(calls, ['headers /up', 'call b']);
  assert.deepEqual(fake.responses().map((r) => [r.id, r.status, r.bodyKind]), [[9, 200, 'NONE']]);
  assert.deepEqual(d.debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 0 });
});

test('without onHeaders a headers event continues at once; an onHeaders answer is the response', () => {
  const plain = setup({ call: () => ({ status: 200 }) });
  plain.d.handleBatch(eventBatch([{ kind: 'HEADERS', id: 3, serverId: 7 }]));
  assert.deepEqual(plain.fake.continued, [3]);

  const { fake, d } = setup({ onHeaders: () => ({ status: 413, body: 'too big' }), call: () => ({ status: 200 }) });
  d.handleBatch(eventBatch([{ kind: 'HEADERS', id: 4, serverId: 7 }]));
  assert.deepEqual(fake.continued, []);
  assert.deepEqual(fake.responses().map((r) => [r.id, r.status, r.body]), [[4, 413, 'too big']]);
  assert.deepEqual(d.debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 0 });
});

test('a late answer for an ended request is dropped: DEBUG when the client left, WARN when a stop cut it off', async () => {
  const log = captureLog('DEBUG');
  try {
    const resolvers = new Map<number, (v: { status: number }) => void>();
    const { fake, d, server } = setup({
      call: (req) => new Promise((r) => { resolvers.set(Number(req.HEADERS['x-n']), r); }),
    });
    d.handleBatch(eventBatch([
      { kind: 'REQUEST', id: 21, serverId: 7, headers: [['X-N', '21']] },
      { kind: 'REQUEST', id: 22, serverId: 7, headers: [['X-N', '22']] },
      { kind: 'REQUEST', id: 23, serverId: 7, headers: [['X-N', '23']] },
    ]));
    d.handleBatch(eventBatch([
      { kind: 'REQUEST_ENDED', id: 21, serverId: 7 },
      { kind: 'REQUEST_ENDED', id: 22, serverId: 7, stopped: true },
    ]));
    assert.deepEqual(d.debugCounts(), { requests: 1, pendingHeaders: 0, sockets: 0 });
    for (const id of [21, 22, 23]) resolvers.get(id)!({ status: 200 });
    await settle();
    // Only the request still live is answered.
    assert.deepEqual(fake.responses().map((r) => r.id), [23]);
    assert.ok(log.lines('DEBUG').some((l) => /answer to request 21 dropped: its connection or server is gone/.test(l)));
    assert.ok(log.lines('WARN').some((l) => /answer to request 22 dropped: its server was stopped/.test(l)));
    assert.equal(server.cutByStop.size, 0, 'the WARN consumed the mark');
    // A continue for an ended request is dropped too.
    d.handleBatch(eventBatch([{ kind: 'REQUEST_ENDED', id: 30, serverId: 7 }]));
    assert.deepEqual(fake.continued, []);
  } finally {
    log.restore();
  }
});

test('a late onHeaders continue for an ended request is dropped, not sent', async () => {
  let answer!: (v: undefined) => void;
  const { fake, d } = setup({ onHeaders: () => new Promise((r) => { answer = r; }) });
  d.handleBatch(eventBatch([{ kind: 'HEADERS', id: 40, serverId: 7 }]));
  d.handleBatch(eventBatch([{ kind: 'REQUEST_ENDED', id: 40, serverId: 7 }]));
  answer(undefined);
  await settle();
  assert.deepEqual(fake.continued, []);
  assert.deepEqual(fake.commands, []);
  assert.deepEqual(d.debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 0 });
});

test('WebSocket routing: open → onWSOpen, messages to their socket, sends and closes as commands', () => {
  const sockets = new Map<string, WebSocket>();
  const got: string[] = [];
  const { fake, d } = setup({
    onWSOpen: (ws) => {
      sockets.set(ws.request.PATH_INFO, ws);
      ws.onMessage((binary, msg) => {
        got.push(`${ws.request.PATH_INFO} ${binary ? 'bin' : 'text'} ${msg.toString()}`);
        ws.send(binary ? msg : `echo ${String(msg)}`);
      });
      ws.onClose((code, reason) => got.push(`${ws.request.PATH_INFO} closed ${code} ${reason}`));
    },
  });
  d.handleBatch(eventBatch([
    { kind: 'WS_OPEN', id: 50, serverId: 7, target: '/a', protocol: 'chat' },
    { kind: 'WS_OPEN', id: 51, serverId: 7, target: '/b' },
  ]));
  assert.equal(sockets.get('/a')!.protocol, 'chat');
  assert.deepEqual(d.debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 2 });
  d.handleBatch(eventBatch([
    { kind: 'WS_MESSAGE', id: 51, data: 'hi' },
    { kind: 'WS_MESSAGE', id: 50, data: Buffer.from([1, 2]) },
    { kind: 'WS_MESSAGE', id: 99, data: 'nobody' },  // unknown id: ignored
  ]));
  assert.deepEqual(got, ['/b text hi', '/a bin \u0001\u0002']);
  assert.deepEqual(fake.sends, [2], 'both echoes leave with the batch, in one call');
  assert.deepEqual(fake.commands.map((c) => [c.kind, c.id, typeof c.v0 === 'string' ? c.v0 : [...(c.v0 as Uint8Array)]]),
    [['WS_TEXT', 51, 'echo hi'], ['WS_BINARY', 50, [1, 2]]]);
  sockets.get('/a')!.close(4000, 'bye');
  d.handleBatch(eventBatch([{ kind: 'WS_CLOSE', id: 50, code: 4000, reason: 'bye' }]));
  assert.deepEqual(fake.commands.slice(2).map((c) => [c.kind, c.id, c.a, c.v0]),
    [['WS_CLOSE', 50, 4000, 'bye'], ['WS_CLOSE_ACK', 50, 0, undefined]]);
  assert.ok(got.includes('/a closed 4000 bye'));
  assert.equal(sockets.get('/a')!.readyState, 3);
  assert.equal(sockets.get('/a')!.send('late'), false);
  assert.deepEqual(d.debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 1 });
});

test('a WebSocket asks the binding for bufferedAmount and refuses a send past sendQueueLimit', async () => {
  let socket!: WebSocket;
  const { fake, d } = setup({ onWSOpen: (ws) => { socket = ws; } });
  d.handleBatch(eventBatch([{ kind: 'WS_OPEN', id: 60, serverId: 7 }]));
  assert.equal(socket.send('x'.repeat(1000)), true);
  // The I/O side has not written it yet: the next send would pass the limit (1024).
  fake.buffered = 1000;
  assert.equal(socket.bufferedAmount, 1000);
  assert.equal(socket.send('x'.repeat(100)), false, '1000 + 100 > sendQueueLimit 1024');
  fake.buffered = 0;  // written
  assert.equal(socket.send('x'.repeat(100)), true);
  await settle();  // outside a batch, sends leave at the microtask checkpoint
  assert.deepEqual(fake.commands.map((c) => [c.kind, String(c.v0).length]), [['WS_TEXT', 1000], ['WS_TEXT', 100]]);
});

test('server closed: server_closed called once, its state dropped, an open socket closed as 1006', () => {
  const closes: number[] = [];
  const { fake, d, server, servers } = setup({
    onWSOpen: (ws) => ws.onClose((code) => closes.push(code ?? -1)),
    call: () => new Promise(() => {}),
  });
  d.handleBatch(eventBatch([
    { kind: 'WS_OPEN', id: 70, serverId: 7 },
    { kind: 'REQUEST', id: 71, serverId: 7 },
  ]));
  assert.deepEqual(d.debugCounts(), { requests: 1, pendingHeaders: 0, sockets: 1 });
  d.handleBatch(eventBatch([{ kind: 'SERVER_CLOSED', serverId: 7 }]));
  assert.deepEqual(fake.serverClosed, [7]);
  assert.equal(server.closedCalls, 1);
  assert.equal(servers.size, 0);
  assert.deepEqual(closes, [1006]);
  assert.deepEqual(d.debugCounts(), { requests: 0, pendingHeaders: 0, sockets: 0 });
  // Events for a server no longer registered are ignored.
  d.handleBatch(eventBatch([{ kind: 'REQUEST', id: 72, serverId: 7 }]));
  assert.deepEqual(fake.commands, []);
});

test('log events are written at the level the binding names', () => {
  const log = captureLog('DEBUG');
  try {
    const { d } = setup({});
    d.handleBatch(eventBatch([
      { kind: 'LOG', level: 'WARN', text: 'from io: warn' },
      { kind: 'LOG', level: 'DEBUG', text: 'from io: debug' },
    ]));
    assert.deepEqual(log.lines('WARN'), ['[node-httpuv] WARN: from io: warn']);
    assert.deepEqual(log.lines('DEBUG'), ['[node-httpuv] DEBUG: from io: debug']);
  } finally {
    log.restore();
  }
});

test('an unknown event kind is logged and the rest of the batch is still served', () => {
  const log = captureLog('ERROR');
  try {
    const { fake, d } = setup({ call: () => ({ status: 200 }) });
    const [nums, vals] = eventBatch([{ kind: 'REQUEST', id: 1, serverId: 7 }, { kind: 'REQUEST', id: 2, serverId: 7 }]);
    nums[0] = 999;
    d.handleBatch([nums, vals]);
    assert.deepEqual(fake.responses().map((r) => r.id), [2]);
    assert.ok(log.lines('ERROR').some((l) => /unknown native event kind 999/.test(l)));
  } finally {
    log.restore();
  }
});

test('the dispatcher never loaded the real addon', () => {
  assert.equal(addonLoaded(), false);
});

test('the binding callback takes a batch as arguments (nums, v0, v1, …) or as (nums, vals): same handling', () => {
  const make = (): ReturnType<typeof setup> => setup({ call: (req) => ({ status: 200, body: `${req.PATH_INFO}|${req['rook.input'].read().toString()}` }) });
  const events = [1, 2, 3].map((i) => ({ kind: 'REQUEST' as const, id: i, serverId: 7, target: `/${i}`, body: i === 2 ? Buffer.from('b') : undefined }));
  const spread = make();
  const [nums, vals] = eventBatch(events);
  spread.d.handleNative(nums, ...vals);
  const array = make();
  const [nums2, vals2] = eventBatch(events);
  array.d.handleNative(nums2, vals2);
  const expected = [[1, '/1|'], [2, '/2|b'], [3, '/3|']];
  assert.deepEqual(spread.fake.responses().map((r) => [r.id, r.body]), expected);
  assert.deepEqual(array.fake.responses().map((r) => [r.id, r.body]), expected);
  assert.deepEqual(spread.fake.sends, [3]);
  assert.deepEqual(array.fake.sends, [3]);
});
