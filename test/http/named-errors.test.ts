// Runtime errors that name the fix (issue 18, scope 4): unknown app keys and options with a
// "did you mean", Express-style handlers, a port in use, error log lines that name the request,
// and exposeErrors keeping error text out of 500 bodies.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import test from 'node:test';
import { listServers, startPipeServer, startServer, setLogger, type App, type LogFields } from '../../src/index.js';
import { captureLog } from '../helpers/log-capture.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';

type Loose = Parameters<typeof startServer>[2];
const start = (app: unknown, options?: unknown): void => {
  const s = startServer('127.0.0.1', 0, app as Loose, options as never);
  void s.stop();
};

function throwsType(f: () => unknown, ...patterns: RegExp[]): TypeError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TypeError, `expected a TypeError, got ${String(caught)}`);
  for (const p of patterns) assert.match(caught.message, p);
  assert.equal(listServers().length, 0, 'nothing started');
  return caught;
}

// ---- unknown app keys ---------------------------------------------------------------------

test('an unknown app key throws a TypeError listing the known keys, with a did-you-mean', () => {
  const e = throwsType(() => start({ onWsOpen: () => {} }),
    /^app has unknown key: onWsOpen; did you mean onWSOpen\?/,
    /known: call, fetch, onHeaders, onWSOpen, staticPaths, staticPathOptions\)/);
  assert.equal((e as { code?: string }).code, 'ERR_INVALID_ARG_VALUE');
  throwsType(() => start({ handler: () => ({ status: 200 }) }), /unknown key: handler; did you mean call\?/);
  // (fetch is an App key since issue 17: the web-standard handler)
  throwsType(() => start({ onRequest: () => ({ status: 200 }) }), /unknown key: onRequest; did you mean call\?/);
  throwsType(() => start({ onHeader: () => null }), /did you mean onHeaders\?/);
  throwsType(() => start({ static: { '/a': '/tmp' } }), /did you mean staticPaths\?/);
  throwsType(() => start({ onHeaders: () => null, zzz: 1, onwsopen: () => {}, handler: () => {} }),
    /^app has unknown keys: onwsopen, handler; did you mean onwsopen → onWSOpen, handler → call\?/);
  // an app with no App key at all would answer nothing: every unknown key is named
  throwsType(() => start({ qqqq: 1, rrrr: 2 }), /^app has unknown keys: qqqq, rrrr \(known: /);
  // startPipeServer and runServer validate the same way
  throwsType(() => startPipeServer('/tmp/node-httpuv-never.sock', null, { onWsOpen() {} } as never), /did you mean onWSOpen/);
});

test('a plain-object app may carry state of its own beside its App keys', async () => {
  const app = {
    sockets: [] as unknown[],
    count: 0,
    helper: () => 'not an App key',
    all: () => 'near "call", but call is there',
    call(): { status: number; body: string } { app.count++; return { status: 200, body: `n=${app.count}` }; },
  };
  await withServer(app as App, async ({ url }) => {
    assert.equal(await (await fetch(url)).text(), 'n=1');
  });
  // state whose name is close to an App key but whose value is not a handler is state too
  await withServer({ onWSOpen: () => {}, cell: 1, handlers: [] } as App, async ({ url }) => {
    assert.equal((await fetch(url)).status, 404);
  });
});

test('a class-instance app may carry members of its own, but not a mis-cased App key', async () => {
  class WithHelpers {
    handler = 'mine';
    routes = new Map<string, string>();
    call(): { status: number; body: string } { return { status: 200, body: this.handler }; }
    helper(): void {}
  }
  await withServer(new WithHelpers() as App, async ({ url }) => {
    assert.equal(await (await fetch(url)).text(), 'mine');
  });
  class Miscased {
    onWsOpen(): void {}
  }
  throwsType(() => start(new Miscased()), /app has a member onWsOpen but no onWSOpen; did you mean onWSOpen\?/);
});

// ---- unknown options ---------------------------------------------------------------------

test('an unknown option names the one meant', () => {
  throwsType(() => start(() => null, { keepAliveTimeout: 1000 }),
    /options has unknown option: keepAliveTimeout; did you mean keepAliveTimeoutMs\? \(known: .*keepAliveTimeoutMs/);
  throwsType(() => start(() => null, { websocket: { maxMessageBytes: 5 } }),
    /options.websocket has unknown option: maxMessageBytes; did you mean maxMessageSize\?/);
  throwsType(() => start(() => null, { exposeError: false }), /did you mean exposeErrors\?/);
});

// ---- Express-style handlers ----------------------------------------------------------------

test('an Express-style (req, res) handler is refused at start with the Rook contract', () => {
  const e = throwsType(() => start((req: unknown, res: { end(s: string): void }) => { res.end(String(req)); }),
    /^app is declared with 2 parameters, like a Node\/Express handler \(req, res\)/,
    /takes one argument, the Rook request/, /returns the response \{ status, headers, body \}/,
    /there is no res to write to/, /\(req\) => \(\{ status: 200, body: text \}\)/);
  assert.equal((e as { code?: string }).code, 'ERR_INVALID_ARG_VALUE');
  throwsType(() => start({ call: (_req: unknown, _res: unknown) => undefined }), /^app\.call is declared with 2 parameters/);
  throwsType(() => start({ call: (_req: unknown, _res: unknown, _next: unknown) => undefined }), /^app\.call is declared with 3 parameters/);
  throwsType(() => start({ onHeaders: (_req: unknown, _res: unknown) => undefined }),
    /^app\.onHeaders is declared with 2 parameters.*an httpuv onHeaders takes one argument/);
  throwsType(() => start(async (_req: unknown, _res: unknown) => undefined), /declared with 2 parameters/);
});

test('one-parameter handlers, defaults and rest parameters are accepted', async () => {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const withDefault = (req: { PATH_INFO: string }, prefix = '>') => ({ status: 200, body: prefix + req.PATH_INFO });
  await withServer(withDefault as never, async ({ url }) => {
    assert.equal(await (await fetch(`${url}/x`)).text(), '>/x');
  });
  const rest = (...args: unknown[]) => ({ status: 200, body: String(args.length) });
  await withServer(rest as never, async ({ url }) => {
    assert.equal(await (await fetch(url)).text(), '1');
  });
});

// ---- a port in use -------------------------------------------------------------------------

test('EADDRINUSE: the error keeps its code and suggests port 0 or randomPort()', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    let caught: unknown;
    try {
      startServer('127.0.0.1', port, () => null, { quiet: true });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof Error);
    const err = caught as NodeJS.ErrnoException;
    assert.equal(err.code, 'EADDRINUSE');
    assert.equal(err.syscall, 'listen');
    assert.match(err.message, new RegExp(`^listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}`));
    assert.match(err.message, /pass port 0/);
    assert.match(err.message, /server\.getPort\(\)/);
    assert.match(err.message, /randomPort\(\)/);
    assert.equal(listServers().length, 0);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

// ---- error log lines name the request ------------------------------------------------------

test('an app error is logged with the request method, path, query and id', async () => {
  const log = captureLog('ERROR');
  try {
    await withServer({
      call(req) {
        if (req.PATH_INFO === '/sync') throw new Error('sync failure');
        if (req.PATH_INFO === '/bad') return { status: 'x' } as never;
        return Promise.reject(new Error('async failure'));
      },
      onHeaders(req) {
        if (req.PATH_INFO === '/early') throw new Error('headers failure');
        return null;
      },
    }, async ({ url }) => {
      assert.equal((await fetch(`${url}/sync?a=1`)).status, 500);
      assert.equal((await fetch(`${url}/async`, { method: 'POST', body: 'x' })).status, 500);
      assert.equal((await fetch(`${url}/bad`)).status, 500);
      assert.equal((await fetch(`${url}/early`)).status, 500);
    });
  } finally {
    log.restore();
  }
  const lines = log.lines('ERROR');
  const find = (re: RegExp): string => {
    const l = lines.find((x) => re.test(x));
    assert.ok(l !== undefined, `no line matching ${re}:\n${lines.join('\n')}`);
    return l;
  };
  find(/^\[node-httpuv\] ERROR: app\.call threw: Error: sync failure \(request \d+: GET \/sync\?a=1\)$/);
  find(/app\.call \(rejected\) threw: Error: async failure \(request \d+: POST \/async\)$/);
  find(/app\.call returned a bad response: invalid response status .* \(request \d+: GET \/bad\)$/);
  find(/app\.onHeaders threw: Error: headers failure \(request \d+: GET \/early\)$/);
});

test('app errors reach options.logger with fields (requestId, method, path, err)', async () => {
  const got: Array<[string, string, LogFields]> = [];
  await withServer(() => { throw new Error('for the logger'); }, async ({ url, server }) => {
    assert.equal((await fetch(`${url}/p?q=1`)).status, 500);
    assert.equal(got.length, 1);
    const [level, message, fields] = got[0];
    assert.equal(level, 'ERROR');
    assert.match(message, /^app\.call threw: Error: for the logger \(request \d+: GET \/p\?q=1\)\n {4}at /);
    assert.equal(fields.method, 'GET');
    assert.equal(fields.path, '/p');
    assert.equal(fields.query, '?q=1');
    assert.equal(fields.serverId, server.id);
    assert.equal(typeof fields.requestId, 'number');
    assert.match(message, new RegExp(`\\(request ${fields.requestId}: `));
    assert.ok(fields.err instanceof Error && fields.err.message === 'for the logger');
  }, { logger: (level, message, fields) => { got.push([level, message, fields]); } });
});

// ---- exposeErrors --------------------------------------------------------------------------

const secretApp: App = {
  call(req) {
    if (req.PATH_INFO === '/reject') return Promise.reject(new Error('secret-db-password'));
    if (req.PATH_INFO === '/bad') return { status: 200, headers: { 'X-Secret-Header\n': 'v' }, body: 'b' };
    throw new Error('secret-db-password');
  },
};

test('exposeErrors (default true, as R): the 500 body carries "ERROR: <message>"', async () => {
  const log = captureLog('OFF');
  try {
    await withServer(secretApp, async ({ url }) => {
      const r = await fetch(`${url}/throw`);
      assert.equal(r.status, 500);
      assert.equal(r.headers.get('content-type'), 'text/plain; charset=UTF-8');
      assert.equal(await r.text(), 'ERROR: secret-db-password');
      assert.equal(await (await fetch(`${url}/reject`)).text(), 'ERROR: secret-db-password');
      assert.match(await (await fetch(`${url}/bad`)).text(), /^Internal Server Error: invalid header name/);
    });
  } finally {
    log.restore();
  }
});

test('exposeErrors: false keeps the error text out of 500 bodies, and in the log', async () => {
  const log = captureLog('ERROR');
  try {
    await withServer(secretApp, async ({ url }) => {
      for (const p of ['/throw', '/reject', '/bad']) {
        const r = await fetch(`${url}${p}`);
        assert.equal(r.status, 500);
        const body = await r.text();
        assert.equal(body, 'Internal Server Error\n', p);
      }
    }, { exposeErrors: false });
  } finally {
    log.restore();
  }
  const lines = log.lines('ERROR');
  assert.equal(lines.filter((l) => l.includes('secret-db-password')).length, 2, lines.join('\n'));
  assert.ok(lines.some((l) => l.includes('invalid header name')), lines.join('\n'));
});

test('exposeErrors and logger are validated like every option', () => {
  throwsType(() => start(() => null, { exposeErrors: 'no' }), /^options\.exposeErrors must be a boolean, got string "no"/);
  throwsType(() => start(() => null, { logger: 'pino' }), /^options\.logger must be a function \(level, message, fields\) or an object/);
  throwsType(() => start(() => null, { logger: {} }), /^options\.logger must be a function/);
  throwsType(() => start(() => null, { logger: { info: 1 } }), /^options\.logger\.info must be a function, got number/);
  assert.throws(() => setLogger('x' as never), /^TypeError: logger must be a function/);
});

finalNoServersTest();
