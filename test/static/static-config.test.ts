// Static path configuration through the public API (staticPaths and staticPathOptions, as R
// httpuv shapes them, in an options object): argument validation, defaults, what the getters return, server-level options vs a
// path's own (the path wins), validation arrays, configured headers replacing ours, and changes
// that reach an already open keep-alive connection on its next request.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import {
  startServer, listServers, staticPath, excludeStaticPath, staticPathOptions, StaticPath, type App,
} from '../../src/index.js';
import { withServer } from '../helpers/server.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const WWW = path.join(ROOT, 'test', 'fixtures', 'www');

after(() => assert.equal(listServers().length, 0, 'servers left running'));

function get(port: number, p: string, headers: Record<string, string> = {}, agent: http.Agent | false = false): Promise<{ status: number; headers: http.IncomingHttpHeaders; rawHeaders: string[]; text: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, text }));
    }).on('error', reject);
  });
}

test('staticPath / staticPathOptions / excludeStaticPath: shapes, defaults and argument errors', () => {
  const sp = staticPath(WWW);
  assert.ok(sp instanceof StaticPath);
  assert.equal(sp.path, fs.realpathSync(WWW));
  assert.deepEqual({ ...sp.options }, { indexhtml: null, fallthrough: null, htmlCharset: null, headers: null, validation: null, redirectDirectories: null, directoryListing: null, spaFallback: null, exclude: false });
  assert.deepEqual({ ...staticPathOptions() }, { indexhtml: true, fallthrough: false, htmlCharset: 'utf-8', headers: {}, validation: [], redirectDirectories: false, directoryListing: false, spaFallback: false, exclude: false });
  const ex = excludeStaticPath();
  assert.equal(ex.path, '');
  assert.equal(ex.options.exclude, true);
  assert.equal(staticPath(path.join(WWW, 'data.txt')).path, fs.realpathSync(path.join(WWW, 'data.txt')), 'a single file is allowed');

  assert.throws(() => staticPath(''), TypeError);
  assert.throws(() => staticPath(42 as unknown as string), TypeError);
  assert.throws(() => staticPath(path.join(WWW, 'no-such-dir')), (e: Error & { code?: string }) => e.code === 'ENOENT' && /path/.test(e.message));
  assert.throws(() => staticPath(WWW, { indexhtml: 'yes' } as never), /options\.indexhtml/);
  assert.throws(() => staticPath(WWW, { nope: 1 } as never), (e: Error) => e instanceof TypeError && /nope/.test(e.message));
  assert.throws(() => staticPath(WWW, { headers: { 'Bad Name': 'x' } }), TypeError);
  assert.throws(() => staticPath(WWW, { headers: { 'X-A': 'a\r\nInjected: 1' } }), TypeError);
  assert.throws(() => staticPath(WWW, { headers: { 'Content-Length': '5' } }), TypeError);
  assert.throws(() => staticPath(WWW, { headers: { 'X-A': 5 } } as never), TypeError);
  assert.throws(() => staticPath(WWW, { htmlCharset: 'utf 8' }), TypeError);
  for (const bad of ['Test-Validation == aaa', '"a" = "b"', '"a" == b', '"a" == "b" extra', '"a\\nb" == "c"']) {
    assert.throws(() => staticPath(WWW, { validation: bad }), (e: Error) => e instanceof TypeError && /validation/.test(e.message), bad);
  }
  assert.deepEqual(staticPath(WWW, { validation: '' }).options.validation, [], '"" means no validation');
  assert.deepEqual(staticPath(WWW, { validation: ["'A' == 'b'", '"C"=="d"'] }).options.validation, ["'A' == 'b'", '"C"=="d"']);
  assert.throws(() => staticPathOptions({ exclude: 'x' } as never), TypeError);
  assert.throws(() => startServer('127.0.0.1', 0, { staticPaths: { '/a': 42 } as never }), TypeError);
  assert.throws(() => startServer('127.0.0.1', 0, { staticPaths: { '/a': WWW, 'a/': WWW } }), TypeError, 'two keys meaning /a');
  assert.throws(() => startServer('127.0.0.1', 0, { staticPaths: { '/a': WWW }, staticPathOptions: { bogus: 1 } as never }), TypeError);
  assert.equal(listServers().length, 0);
});

test('getters, and setters on a running and a stopped server', async () => {
  const s = startServer('127.0.0.1', 0, { staticPaths: { 'x/': WWW }, staticPathOptions: { htmlCharset: 'latin1' } });
  const paths = s.getStaticPaths();
  assert.deepEqual(Object.keys(paths ?? {}), ['/x']);
  assert.ok(paths?.['/x'] instanceof StaticPath);
  assert.equal(s.getStaticPathOptions()?.htmlCharset, 'latin1');
  assert.deepEqual(Object.keys(s.setStaticPath({ y: WWW, '/z': staticPath(WWW) }) ?? {}).sort(), ['/x', '/y', '/z']);
  assert.deepEqual(Object.keys(s.removeStaticPath('/y') ?? {}).sort(), ['/x', '/z']);
  assert.throws(() => s.setStaticPath({ '/w': 5 } as never), TypeError);
  assert.throws(() => s.setStaticPathOption({ indexhtml: 1 } as never), TypeError);
  assert.throws(() => s.removeStaticPath(5 as never), TypeError);
  assert.deepEqual(Object.keys(s.getStaticPaths() ?? {}).sort(), ['/x', '/z'], 'a failed call changes nothing');
  assert.equal(s.setStaticPathOption({ fallthrough: true })?.fallthrough, true);
  await s.stop();
  assert.equal(s.getStaticPaths(), null);
  assert.equal(s.getStaticPathOptions(), null);
  assert.equal(s.setStaticPath({ '/q': WWW }), null);
});

test('a path\'s own option beats the server-level one, also after setStaticPathOption', async () => {
  const app: App = {
    call: () => ({ status: 299, body: 'app' }),
    staticPaths: { '/own': staticPath(WWW, { indexhtml: true, htmlCharset: 'ascii', headers: { 'X-Own': '1' } }), '/inherit': WWW },
  };
  await withServer(app, async ({ port, server: s }) => {
    s.setStaticPathOption({ indexhtml: false, htmlCharset: 'latin1', headers: { 'X-Server': '1' }, fallthrough: true });
    const own = await get(port, '/own');
    assert.equal(own.status, 200);
    assert.equal(own.headers['content-type'], 'text/html; charset=ascii');
    assert.equal(own.headers['x-own'], '1');
    assert.equal(own.headers['x-server'], undefined, 'headers are replaced as a whole, not merged');
    const inh = await get(port, '/inherit');
    assert.equal(inh.status, 299, 'inherits indexhtml false + fallthrough true');
    const file = await get(port, '/inherit/index.html');
    assert.equal(file.headers['content-type'], 'text/html; charset=latin1');
    assert.equal(file.headers['x-server'], '1');
  });
});

test('several validation rules must all match', async () => {
  await withServer({ staticPaths: { '/': staticPath(WWW, { validation: ['"X-A" == "1"', '"X-B" == "two words"'] }) } }, async ({ port }) => {
    assert.equal((await get(port, '/data.txt', { 'X-A': '1' })).status, 403);
    assert.equal((await get(port, '/data.txt', { 'X-B': 'two words' })).status, 403);
    assert.equal((await get(port, '/data.txt', { 'X-A': '1', 'X-B': 'two words' })).status, 200);
  });
});

test('configured Content-Type / ETag / Last-Modified replace the computed ones (no duplicates)', async () => {
  const headers = { 'Content-Type': 'application/x-custom', ETag: '"mine"', 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' };
  await withServer({ staticPaths: { '/': staticPath(WWW, { headers }) } }, async ({ port }) => {
    const r = await get(port, '/data.txt');
    const count = (n: string) => r.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === n).length;
    assert.equal(r.headers['content-type'], 'application/x-custom');
    assert.equal(count('content-type'), 1);
    assert.equal(r.headers.etag, '"mine"');
    assert.equal(count('etag'), 1);
    assert.equal(count('last-modified'), 1);
    assert.equal((await get(port, '/data.txt', { 'If-None-Match': '"mine"' })).status, 304, 'the configured ETag validates');
  });
});

test('changes reach an open keep-alive connection on its next request', async () => {
  const app: App = { call: () => ({ status: 299, body: 'app' }), staticPaths: { '/k': WWW } };
  await withServer(app, async ({ port, server: s }) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ports = new Set<number>();
      agent.on('free', (sock) => ports.add(sock.localPort ?? 0));
      assert.equal((await get(port, '/k/data.txt', {}, agent)).status, 200);
      s.setStaticPath({ '/k': excludeStaticPath() });
      assert.equal((await get(port, '/k/data.txt', {}, agent)).status, 299);
      s.removeStaticPath('/k');
      assert.equal((await get(port, '/k/data.txt', {}, agent)).status, 299);
      s.setStaticPath({ '/k': staticPath(WWW, { headers: { 'X-V': '2' } }) });
      const again = await get(port, '/k/data.txt', {}, agent);
      assert.equal(again.headers['x-v'], '2');
      assert.equal(ports.size, 1, 'all on one connection');
    } finally {
      agent.destroy();
    }
  });
});

test('reconfiguring while requests are in flight never yields anything but 200 or the app', async () => {
  const app: App = { call: () => ({ status: 299, body: 'app' }), staticPaths: { '/r': WWW } };
  await withServer(app, async ({ port, server: s }) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    let stop = false;
    const flipper = (async () => {
      let i = 0;
      while (!stop) {
        if (i++ % 2) s.setStaticPath({ '/r': WWW }); else s.removeStaticPath('/r');
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      for (let round = 0; round < 25; round++) {
        const rs = await Promise.all(Array.from({ length: 16 }, () => get(port, '/r/data.txt', {}, agent)));
        for (const r of rs) {
          assert.ok(r.status === 200 || r.status === 299, String(r.status));
          if (r.status === 200) assert.equal(r.text, 'This is a text file.\n');
        }
      }
    } finally {
      stop = true;
      await flipper;
      agent.destroy();
    }
  });
});
