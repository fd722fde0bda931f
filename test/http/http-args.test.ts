// Argument validation: TypeError / RangeError naming the argument,
// unknown option keys, EADDRINUSE.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import test from 'node:test';
import {
  listServers, logLevel, runServer, service, startPipeServer, startServer, stopServer,
} from '../../src/index.js';
import type { App, ServerOptions } from '../../src/index.js';
import { finalNoServersTest } from '../helpers/server.js';

const app: App = { call: () => ({ status: 200 }) };
type Ctor = typeof TypeError | typeof RangeError;

function throwsNaming(f: () => unknown, cls: Ctor, name: string | RegExp, label: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `${label}: expected ${cls.name}, got ${String(e)}`);
    assert.ok(e.constructor === cls, `${label}: expected exactly ${cls.name}, got ${e.constructor.name}`);
    const re = typeof name === 'string' ? new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) : name;
    assert.match(e.message, re, `${label}: message should name ${String(name)}`);
    return true;
  }, label);
}

test('startServer: host', () => {
  throwsNaming(() => startServer(123 as unknown as string, 0, app), TypeError, 'host', 'host number');
  throwsNaming(() => startServer('localhost', 0, app), TypeError, 'host', 'host name');
  throwsNaming(() => startServer('::/0', 0, app), TypeError, 'host', 'CIDR');
  throwsNaming(() => startServer('10.0.0.500', 0, app), TypeError, 'host', 'bad IPv4');
  assert.equal(listServers().length, 0);
});

test('startServer: port', () => {
  throwsNaming(() => startServer('127.0.0.1', '80' as unknown as number, app), TypeError, 'port', 'string port');
  throwsNaming(() => startServer('127.0.0.1', -1, app), RangeError, 'port', 'negative');
  throwsNaming(() => startServer('127.0.0.1', 65536, app), RangeError, 'port', 'too big');
  throwsNaming(() => startServer('127.0.0.1', 1.5, app), RangeError, 'port', 'fraction');
  throwsNaming(() => startServer('127.0.0.1', NaN, app), RangeError, 'port', 'NaN');
  assert.equal(listServers().length, 0);
});

test('startServer: app', () => {
  throwsNaming(() => startServer('127.0.0.1', 0, null as unknown as App), TypeError, 'app', 'null');
  throwsNaming(() => startServer('127.0.0.1', 0, 'x' as unknown as App), TypeError, 'app', 'string');
  throwsNaming(() => startServer('127.0.0.1', 0, { call: 5 } as unknown as App), TypeError, /call/, 'call not a function');
  throwsNaming(() => startServer('127.0.0.1', 0, { onHeaders: 'x' } as unknown as App), TypeError, /onHeaders/, 'onHeaders');
  throwsNaming(() => startServer('127.0.0.1', 0, { onWSOpen: {} } as unknown as App), TypeError, /onWSOpen/, 'onWSOpen');
  assert.equal(listServers().length, 0);
});

test('startServer: options', () => {
  const bad = (o: unknown): ServerOptions => o as ServerOptions;
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ bogusKey: 1 })), TypeError, 'bogusKey', 'unknown key');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ websocket: { nope: true } })), TypeError, 'nope', 'unknown ws key');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ gzip: 'yes' })), TypeError, 'gzip', 'gzip type');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ quiet: 1 })), TypeError, 'quiet', 'quiet type');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ maxHeaderSize: '1' })), TypeError, 'maxHeaderSize', 'type');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ maxHeaderSize: -1 })), RangeError, 'maxHeaderSize', 'negative');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ headersTimeoutMs: 1.5 })), RangeError, 'headersTimeoutMs', 'fraction');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ maxBodySize: -5 })), RangeError, 'maxBodySize', 'negative');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ sendTimeoutMs: -1 })), RangeError, 'sendTimeoutMs', 'negative');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad({ sendTimeoutMs: '5' })), TypeError, 'sendTimeoutMs', 'type');
  throwsNaming(() => startServer('127.0.0.1', 0, app, bad('fast')), TypeError, 'options', 'not an object');
  assert.equal(listServers().length, 0);
});

test('startPipeServer: name and mask', () => {
  throwsNaming(() => startPipeServer(5 as unknown as string, null, app), TypeError, 'name', 'name number');
  throwsNaming(() => startPipeServer('', null, app), TypeError, 'name', 'empty name');
  throwsNaming(() => startPipeServer('/tmp/x.sock', 'x' as unknown as number, app), TypeError, 'mask', 'mask string');
  throwsNaming(() => startPipeServer('/tmp/x.sock', 0o1000, app), RangeError, 'mask', 'mask too big');
  throwsNaming(() => startPipeServer('/tmp/x.sock', -2, app), RangeError, 'mask', 'mask negative');
  throwsNaming(() => startPipeServer('/tmp/x.sock', null, app, { nope: 1 } as unknown as ServerOptions),
    TypeError, 'nope', 'unknown key');
  assert.equal(listServers().length, 0);
});

test('service: a non-number timeoutMs → TypeError', () => {
  throwsNaming(() => service('x' as unknown as number), TypeError, 'timeoutMs', 'service string');
  assert.equal(service(0), true);
});

test('service: a negative timeoutMs → RangeError (as port -1 is)', () => {
  throwsNaming(() => service(-1), RangeError, 'timeoutMs', 'service negative');
});

test('service: NaN timeoutMs → RangeError (as port NaN is)', () => {
  throwsNaming(() => service(NaN), RangeError, 'timeoutMs', 'service NaN');
});

test('logLevel: RangeError on anything else; returns the previous level', () => {
  throwsNaming(() => logLevel('LOUD' as never), RangeError, /level/, 'unknown level');
  throwsNaming(() => logLevel(5 as never), RangeError, /level/, 'number level');
  const prev = logLevel();
  assert.ok(['OFF', 'ERROR', 'WARN', 'INFO', 'DEBUG'].includes(prev));
  assert.equal(logLevel('DEBUG'), prev, 'returns the previous level');
  assert.equal(logLevel(prev), 'DEBUG');
  assert.equal(logLevel(), prev);
});

test('stopServer: not a server → TypeError', () => {
  throwsNaming(() => stopServer({} as never), TypeError, 'server', 'not a server');
});

test('runServer with bad arguments throws or rejects with a TypeError', async () => {
  await assert.rejects(async () => runServer('localhost', 0, app), TypeError);
  assert.equal(listServers().length, 0);
});

test('port in use (by another server or by a node net server) → Error with code EADDRINUSE', async () => {
  const s = startServer('127.0.0.1', 0, app, { quiet: true });
  try {
    assert.throws(() => startServer('127.0.0.1', s.getPort(), app, { quiet: true }),
      (e: unknown) => e instanceof Error && (e as NodeJS.ErrnoException).code === 'EADDRINUSE');
    assert.deepEqual(listServers(), [s], 'the failed start is not listed');
  } finally {
    await s.stop();
  }
  const other = net.createServer();
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  try {
    const port = (other.address() as net.AddressInfo).port;
    assert.throws(() => startServer('127.0.0.1', port, app, { quiet: true }),
      (e: unknown) => (e as NodeJS.ErrnoException).code === 'EADDRINUSE');
    // a free port still works afterwards
    const ok = startServer('127.0.0.1', 0, app, { quiet: true });
    await ok.stop();
  } finally {
    await new Promise((r) => other.close(r));
  }
  assert.equal(listServers().length, 0);
});

finalNoServersTest();
