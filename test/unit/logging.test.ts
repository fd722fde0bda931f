// Logging in the TS core (issue 18, scope 5), over the fake binding: access events become one
// INFO line with fields, lines of a server go to its options.logger, others to setLogger()'s or
// stderr (with an ISO timestamp), pino-style objects get (fields, message), and a logger that
// throws loses nothing.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Dispatcher } from '../../src/dispatch.js';
import { Outbox } from '../../src/outbox.js';
import type { ServerRecord } from '../../src/registry.js';
import { log, logLevel, setLogger, type LogFields, type Logger } from '../../src/log.js';
import { eventBatch, fakeBinding, fakeServer } from './fake-binding.js';

type Line = [string, string, LogFields];

function setup(logger?: Logger): { d: Dispatcher; servers: Map<number, ServerRecord> } {
  const fake = fakeBinding();
  const servers = new Map<number, ServerRecord>();
  const server = fakeServer(7, {});
  if (logger !== undefined) server.logger = logger;
  servers.set(7, server);
  return { d: new Dispatcher(fake, new Outbox(fake), servers), servers };
}

function stderrOf(f: () => void): string {
  const orig = process.stderr.write;
  let out = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  try {
    f();
  } finally {
    process.stderr.write = orig;
  }
  return out;
}

const access = {
  kind: 'ACCESS' as const, id: 41, serverId: 7, status: 200, bytes: 1234, method: 'GET', target: '/a/b?x=1',
  remoteAddr: '127.0.0.1', elapsedUs: 1520, static: false,
};

test('an access event is one INFO line with method, target, status, bytes, duration, id', () => {
  const prev = logLevel('INFO');
  try {
    const got: Line[] = [];
    const { d } = setup((level, message, fields) => { got.push([level, message, fields]); });
    d.handleBatch(eventBatch([access, { ...access, id: 42, static: true, status: 304, bytes: 0, target: '/s.css' }]));
    assert.deepEqual(got, [
      ['INFO', 'GET /a/b?x=1 200 1234 bytes 1.52 ms (request 41, app, 127.0.0.1)', {
        serverId: 7, requestId: 41, method: 'GET', path: '/a/b', query: '?x=1', status: 200, bytes: 1234,
        durationMs: 1.52, remoteAddr: '127.0.0.1', static: false,
      }],
      ['INFO', 'GET /s.css 304 0 bytes 1.52 ms (request 42, static, 127.0.0.1)', {
        serverId: 7, requestId: 42, method: 'GET', path: '/s.css', query: '', status: 304, bytes: 0,
        durationMs: 1.52, remoteAddr: '127.0.0.1', static: true,
      }],
    ]);
  } finally {
    logLevel(prev);
  }
});

test('stderr lines start with an ISO timestamp; a refused request (id 0) has no request id', () => {
  const prev = logLevel('INFO');
  try {
    const { d } = setup();
    const before = Date.now();
    const out = stderrOf(() => d.handleBatch(eventBatch([{ ...access, id: 0, status: 400, bytes: 25 }])));
    const m = /^(\S+) \[node-httpuv\] INFO: GET \/a\/b\?x=1 400 25 bytes 1\.52 ms \(app, 127\.0\.0\.1\)\n$/.exec(out);
    assert.ok(m !== null, out);
    const t = Date.parse(m[1]);
    assert.ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(m[1]) && t >= before - 1000 && t <= Date.now() + 1000, m[1]);
  } finally {
    logLevel(prev);
  }
});

test('an I/O-thread line about a server goes to its logger; one about none to the process-wide logger', () => {
  const prev = logLevel('DEBUG');
  const mine: Line[] = [];
  const global: Line[] = [];
  const old = setLogger((level, message, fields) => { global.push([level, message, fields]); });
  try {
    const { d } = setup((level, message, fields) => { mine.push([level, message, fields]); });
    d.handleBatch(eventBatch([
      { kind: 'LOG', level: 'INFO', text: 'request timed out', serverId: 7 },
      { kind: 'LOG', level: 'WARN', text: 'no server', serverId: 0 },
      { kind: 'LOG', level: 'DEBUG', text: 'a closed server', serverId: 99 },
    ]));
    assert.deepEqual(mine, [['INFO', 'request timed out', { serverId: 7 }]]);
    assert.deepEqual(global, [['WARN', 'no server', {}], ['DEBUG', 'a closed server', {}]]);
  } finally {
    setLogger(old);
    logLevel(prev);
  }
});

test('logLevel still decides: nothing reaches a logger above the level', () => {
  const prev = logLevel('ERROR');
  try {
    const got: Line[] = [];
    const { d } = setup((level, message, fields) => { got.push([level, message, fields]); });
    d.handleBatch(eventBatch([access, { kind: 'LOG', level: 'WARN', text: 'w', serverId: 7 }]));
    assert.deepEqual(got, []);
  } finally {
    logLevel(prev);
  }
});

test('a pino-style object gets logger[level](fields, message); a missing method falls back to stderr', () => {
  const prev = logLevel('DEBUG');
  const calls: unknown[][] = [];
  const pinoLike = {
    error(...a: unknown[]) { calls.push(['error', ...a]); },
    warn(...a: unknown[]) { calls.push(['warn', ...a]); },
    info(...a: unknown[]) { calls.push(['info', this === pinoLike, ...a]); },
  };
  const old = setLogger(pinoLike);
  try {
    const out = stderrOf(() => {
      log('ERROR', 'e', { requestId: 1 });
      log('INFO', 'i');
      log('DEBUG', 'no debug method');
    });
    assert.deepEqual(calls, [['error', { requestId: 1 }, 'e'], ['info', true, {}, 'i']]);
    assert.match(out, /^\S+Z \[node-httpuv\] DEBUG: no debug method\n$/);
  } finally {
    setLogger(old);
    logLevel(prev);
  }
});

test('a logger that throws: the line and the failure go to stderr, nothing escapes', () => {
  const prev = logLevel('ERROR');
  const old = setLogger(() => { throw new Error('logger broke'); });
  try {
    const out = stderrOf(() => log('ERROR', 'the line'));
    assert.match(out, /\[node-httpuv\] ERROR: the line\n/);
    assert.match(out, /\[node-httpuv\] ERROR: the logger threw: Error: logger broke/);
  } finally {
    setLogger(old);
    logLevel(prev);
  }
});

test('setLogger returns the previous logger and null restores stderr', () => {
  const f: Logger = () => {};
  const old = setLogger(f);
  try {
    assert.equal(setLogger(null), f);
    assert.equal(setLogger(null), null);
  } finally {
    setLogger(old);
  }
});
