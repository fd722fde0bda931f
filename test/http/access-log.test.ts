// The access log and pluggable loggers with a real server (issue 18, scope 5): one INFO line per
// answered request, dynamic and static, with method, path, status, bytes as sent, duration and
// the request id (the same id as the request's error line); nothing when INFO is off; the I/O
// thread's lines about a server reach that server's logger; stderr lines carry a timestamp.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import test from 'node:test';
import WebSocketClient from 'ws';
import { logLevel, setLogger, type LogFields, type LogLineLevel } from '../../src/index.js';
import { captureLog } from '../helpers/log-capture.js';
import { RawConn } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import { pollUntil } from '../helpers/tools.js';

const WWW = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'www');

interface Line { level: LogLineLevel; message: string; fields: LogFields }

function recorder(): { lines: Line[]; logger: (level: LogLineLevel, message: string, fields: LogFields) => void } {
  const lines: Line[] = [];
  return { lines, logger: (level, message, fields) => { lines.push({ level, message, fields }); } };
}

const accessOf = (lines: Line[]): Line[] => lines.filter((l) => l.fields.status !== undefined);

async function pollAccess(rec: { lines: Line[] }, n: number, what: string): Promise<Line[]> {
  await pollUntil(() => accessOf(rec.lines).length >= n, 5000, what);
  return accessOf(rec.lines);
}

async function atLevel<T>(level: 'INFO' | 'ERROR', f: () => Promise<T>): Promise<T> {
  const prev = logLevel(level);
  try {
    return await f();
  } finally {
    logLevel(prev);
  }
}

test('dynamic and static requests each get one access line with method, path, status, bytes, duration, id', async () => {
  const rec = recorder();
  await atLevel('INFO', () => withServer({
    call: (req) => ({ status: req.PATH_INFO === '/made' ? 201 : 200, headers: { 'Content-Type': 'text/plain' }, body: 'hello' }),
    staticPaths: { '/static': WWW },
  }, async ({ url }) => {
    assert.equal(await (await fetch(`${url}/made?x=1`, { method: 'POST', body: 'abc' })).text(), 'hello');
    const file = await (await fetch(`${url}/static/data.txt`)).text();
    assert.equal(file, fs.readFileSync(path.join(WWW, 'data.txt'), 'utf8'));
    assert.equal((await fetch(`${url}/static/nope.txt`)).status, 404);
    const lines = await pollAccess(rec, 3, 'three access lines');
    assert.equal(lines.length, 3);
    const [dyn, stat, missing] = lines;
    assert.equal(dyn.level, 'INFO');
    assert.match(dyn.message, /^POST \/made\?x=1 201 5 bytes \d+\.\d\d ms \(request \d+, app, 127\.0\.0\.1\)$/);
    assert.equal(dyn.fields.method, 'POST');
    assert.equal(dyn.fields.path, '/made');
    assert.equal(dyn.fields.query, '?x=1');
    assert.equal(dyn.fields.status, 201);
    assert.equal(dyn.fields.bytes, 5);
    assert.equal(dyn.fields.static, false);
    assert.equal(dyn.fields.remoteAddr, '127.0.0.1');
    assert.ok(typeof dyn.fields.durationMs === 'number' && dyn.fields.durationMs >= 0 && dyn.fields.durationMs < 5000);
    assert.ok(typeof dyn.fields.requestId === 'number' && dyn.fields.requestId > 0);
    assert.match(stat.message, /^GET \/static\/data\.txt 200 \d+ bytes .* \(request \d+, static, 127\.0\.0\.1\)$/);
    assert.equal(stat.fields.static, true);
    assert.equal(stat.fields.bytes, fs.statSync(path.join(WWW, 'data.txt')).size);
    assert.equal(missing.fields.status, 404);
    assert.equal(missing.fields.static, true);
    assert.ok(stat.fields.requestId! > dyn.fields.requestId!);
  }, { logger: rec.logger }));
});

test('bytes are the body as sent: after gzip, 0 for HEAD; the 404 of an app without call is logged', async () => {
  const rec = recorder();
  const big = 'x'.repeat(5000);
  await atLevel('INFO', () => withServer({
    call: () => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: big }),
  }, async ({ port }) => {
    const gz = await new Promise<{ length: number; encoding?: string }>((resolve, reject) => {
      http.get({ port, host: '127.0.0.1', path: '/gz', headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => { n += c.length; });
        res.on('end', () => resolve({ length: n, encoding: res.headers['content-encoding'] }));
      }).on('error', reject);
    });
    assert.equal(gz.encoding, 'gzip');
    const head = await fetch(`http://127.0.0.1:${port}/head`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const lines = await pollAccess(rec, 2, 'two access lines');
    assert.equal(lines[0].fields.bytes, gz.length, 'gzip: the compressed size');
    assert.ok(gz.length < 5000);
    assert.equal(lines[1].fields.method, 'HEAD');
    assert.equal(lines[1].fields.bytes, 0);
  }, { logger: rec.logger }));
  const rec2 = recorder();
  await atLevel('INFO', () => withServer({ staticPaths: { '/s': WWW } }, async ({ url }) => {
    assert.equal((await fetch(`${url}/other`)).status, 404);
    const [l] = await pollAccess(rec2, 1, 'an access line');
    assert.equal(l.fields.status, 404);
    assert.equal(l.fields.static, false);
  }, { logger: rec2.logger }));
});

test('a 500 access line has the id of the request\'s error line; a 413 refused by the I/O thread is logged', async () => {
  const rec = recorder();
  await atLevel('INFO', () => withServer(() => { throw new Error('kaput'); }, async ({ url }) => {
    assert.equal((await fetch(`${url}/fail`)).status, 500);
    const r = await fetch(`${url}/big`, { method: 'POST', body: 'y'.repeat(2000) });
    assert.equal(r.status, 413);
    await pollUntil(() => accessOf(rec.lines).length >= 2, 5000, 'two access lines');
    const error = rec.lines.find((l) => l.level === 'ERROR');
    assert.ok(error !== undefined);
    const [a500, a413] = accessOf(rec.lines);
    assert.equal(a500.fields.status, 500);
    assert.equal(a500.fields.requestId, error.fields.requestId);
    assert.match(error.message, new RegExp(`\\(request ${a500.fields.requestId}: GET /fail\\)`));
    assert.equal(a413.fields.status, 413);
    assert.equal(a413.fields.path, '/big');
  }, { logger: rec.logger, maxBodySize: 1000 }));
});

test('a WebSocket upgrade is logged as 101', async () => {
  const rec = recorder();
  await atLevel('INFO', () => withServer({ onWSOpen: (ws) => { ws.close(1000, 'bye'); } }, async ({ port }) => {
    const client = new WebSocketClient(`ws://127.0.0.1:${port}/chat`);
    await new Promise<void>((resolve, reject) => { client.on('close', () => resolve()); client.on('error', reject); });
    const [l] = await pollAccess(rec, 1, 'an access line');
    assert.equal(l.fields.status, 101);
    assert.equal(l.fields.path, '/chat');
  }, { logger: rec.logger }));
});

test('with logLevel ERROR (the default) there is no access line at all', async () => {
  const rec = recorder();
  await atLevel('ERROR', () => withServer({
    call: () => ({ status: 200, body: 'x' }), staticPaths: { '/s': WWW },
  }, async ({ url }) => {
    for (let i = 0; i < 5; i++) await (await fetch(`${url}/d${i}`)).text();
    await (await fetch(`${url}/s/data.txt`)).text();
    // Turn INFO on: the next request is logged, and nothing of the earlier ones arrives late.
    logLevel('INFO');
    await (await fetch(`${url}/after`)).text();
    await pollUntil(() => accessOf(rec.lines).length >= 1, 5000, 'the access line after INFO');
    assert.deepEqual(accessOf(rec.lines).map((l) => l.fields.path), ['/after']);
  }, { logger: rec.logger }));
});

test('an I/O-thread line about a server reaches its logger with its server id', async () => {
  const rec = recorder();
  await atLevel('INFO', () => withServer(() => ({ status: 200 }), async ({ port, server }) => {
    const conn = await RawConn.connect(port);
    try {
      await conn.write('GARBAGE\r\n\r\n');
      await pollUntil(() => rec.lines.some((l) => /bad request/.test(l.message)), 5000, 'the bad request line');
    } finally {
      conn.destroy();
    }
    const l = rec.lines.find((x) => /bad request/.test(x.message))!;
    assert.equal(l.level, 'INFO');
    assert.equal(l.fields.serverId, server.id);
  }, { logger: rec.logger }));
});

test('stderr lines carry an ISO timestamp; setLogger takes the lines of servers without a logger', async () => {
  const cap = captureLog('INFO');
  try {
    await withServer(() => ({ status: 204 }), async ({ url }) => {
      await fetch(`${url}/ts`);
      await pollUntil(() => cap.lines('INFO').some((l) => l.includes('GET /ts 204')), 5000, 'the access line on stderr');
    });
  } finally {
    cap.restore();
  }
  assert.match(cap.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[node-httpuv\] INFO: GET \/ts 204 0 bytes /m);
  const rec = recorder();
  const old = setLogger(rec.logger);
  try {
    await atLevel('INFO', () => withServer(() => ({ status: 200, body: 'ok' }), async ({ url }) => {
      await (await fetch(`${url}/global`)).text();
      await pollUntil(() => accessOf(rec.lines).length >= 1, 5000, 'the access line at the process-wide logger');
    }));
  } finally {
    setLogger(old);
  }
  assert.equal(accessOf(rec.lines)[0].fields.path, '/global');
});

finalNoServersTest();
