// httpuv's tests/testthat/test-static-paths.R translated, with the
// expectations node-httpuv changes (405 + Allow for POST/PUT, mime-db types) and static_files.h's
// policies (backslash → never served). Real servers on 127.0.0.1:0; node:http and raw sockets.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  listServers, staticPath, excludeStaticPath, staticPathOptions, type App,
} from '../../src/index.js';
import { withServer } from '../helpers/server.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const WWW = path.join(ROOT, 'test', 'fixtures', 'www');
const www = (p: string): Buffer => fs.readFileSync(path.join(WWW, p));
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-static-'));
const CONTENT_1 = path.join(TMP, 'content_1');
fs.mkdirSync(CONTENT_1);
fs.writeFileSync(path.join(CONTENT_1, 'index.html'), '<html>content_1</html>\n');

interface Res { status: number; headers: http.IncomingHttpHeaders; body: Buffer; text: string }

function request(port: number, p: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${p}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Writes raw bytes, reads until the server closes; returns the status line and the rest. */
function raw(port: number, target: string): Promise<{ statusLine: string; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`raw timeout: ${target}`)); }, 5000);
    sock.on('connect', () => sock.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', () => { /* a reset after the response is fine; close follows */ });
    sock.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks).toString('latin1');
      const end = all.indexOf('\r\n\r\n');
      const head = end < 0 ? all : all.slice(0, end);
      resolve({ statusLine: head.split('\r\n')[0], head, body: end < 0 ? '' : all.slice(end + 4) });
    });
  });
}

const rApp = (status: number, body: (p: string) => string) => ({
  call: (req: { PATH_INFO: string }) => ({ status, headers: { 'Test-Code-Path': 'R' }, body: body(req.PATH_INFO) }),
});
const r404 = rApp(404, (p) => `404 file not found: ${p}`);

after(() => {
  fs.rmSync(TMP, { recursive: true, force: true });
  assert.equal(listServers().length, 0, 'servers left running');
});

test('Basic static file serving', async () => {
  const app: App = {
    ...r404,
    staticPaths: { '/': WWW, '/1': WWW, '/2/': WWW, '3': WWW, '4/': WWW },
    staticPathOptions: staticPathOptions({ headers: { 'Test-Code-Path': 'C++' } }),
  };
  await withServer(app, async ({ port, server: s }) => {
    assert.deepEqual(Object.keys(s.getStaticPaths() ?? {}).sort(), ['/', '/1', '/2', '/3', '/4']);
    const r = await request(port, '/');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, www('index.html'));
    assert.equal(r.headers['content-length'], String(www('index.html').length));
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['test-code-path'], 'C++');
    const date = Date.parse(String(r.headers.date));
    assert.ok(Math.abs(Date.now() - date) < 60_000, `Date ${r.headers.date}`);

    const sub = await request(port, '/subdir');
    assert.equal(sub.status, 200);
    assert.deepEqual(sub.body, www('subdir/index.html'));
    assert.equal(sub.headers['content-length'], String(www('subdir/index.html').length));

    for (const p of ['/1', '/1/', '/1/index.html', '/2', '/2/', '/3', '/4/index.html']) {
      const x = await request(port, p);
      assert.equal(x.status, 200, p);
      assert.deepEqual(x.body, www('index.html'), p);
      assert.equal(x.headers['content-type'], 'text/html; charset=utf-8', p);
    }
    for (const p of ['/foo', '/foo/bar']) {
      const x = await request(port, p);
      assert.equal(x.status, 404, p);
      assert.equal(x.text, '404 Not Found\n');
      assert.equal(x.headers['content-length'], '14');
      assert.equal(x.headers['test-code-path'], undefined, 'error responses carry no configured headers');
    }
    assert.equal((await request(port, '/mtcars.csv')).headers['content-type'], 'text/csv');
    assert.equal((await request(port, '/data.txt')).headers['content-type'], 'text/plain');
  });
});

test('Missing file fallthrough', async () => {
  await withServer({ ...r404, staticPaths: { '/': staticPath(WWW, { indexhtml: false, fallthrough: true }) } }, async ({ port }) => {
    const r = await request(port, '/');
    assert.equal(r.status, 404);
    assert.equal(r.headers['test-code-path'], 'R');
    assert.equal(r.text, '404 file not found: /');
    const f = await request(port, '/no-such-file.txt');
    assert.equal(f.headers['test-code-path'], 'R');
    assert.equal((await request(port, '/data.txt')).status, 200);
  });
});

test('Longer paths override shorter ones', async () => {
  const app: App = {
    ...r404,
    staticPaths: {
      '/': WWW,
      '/a': staticPath(WWW, { indexhtml: false }),
      '/a/b': staticPath(WWW, { indexhtml: null }),
      '/a/b/c': staticPath(WWW, { indexhtml: true }),
    },
  };
  await withServer(app, async ({ port }) => {
    assert.equal((await request(port, '/')).status, 200);
    const a = await request(port, '/a/');
    assert.equal(a.status, 404);
    assert.equal(a.text, '404 Not Found\n');
    const b = await request(port, '/a/b');
    assert.equal(b.status, 200, '/a/b inherits the server default (true), not /a');
    assert.deepEqual(b.body, www('index.html'));
    assert.deepEqual((await request(port, '/a/b/c')).body, www('index.html'));
  });
});

test('Options and option inheritance', async () => {
  const app: App = {
    ...r404,
    staticPaths: {
      '/default': WWW,
      '/override': staticPath(WWW, { indexhtml: false, fallthrough: true, htmlCharset: 'ISO-8859-1', headers: { 'Test-Code-Path': 'C++2' } }),
      '/unset': staticPath(WWW, { htmlCharset: '', headers: {} }),
    },
    staticPathOptions: staticPathOptions({ indexhtml: true, fallthrough: false, headers: { 'Test-Code-Path': 'C++' } }),
  };
  await withServer(app, async ({ port }) => {
    const d = await request(port, '/default');
    assert.equal(d.status, 200);
    assert.equal(d.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(d.headers['test-code-path'], 'C++');

    const o = await request(port, '/override');
    assert.equal(o.status, 404);
    assert.equal(o.headers['test-code-path'], 'R');
    assert.equal(o.text, '404 file not found: /override');
    const oi = await request(port, '/override/index.html');
    assert.equal(oi.status, 200);
    assert.equal(oi.headers['test-code-path'], 'C++2');
    assert.equal(oi.headers['content-type'], 'text/html; charset=ISO-8859-1');

    for (const p of ['/unset', '/unset/index.html']) {
      const u = await request(port, p);
      assert.equal(u.status, 200, p);
      assert.equal(u.headers['test-code-path'], undefined, p);
      assert.equal(u.headers['content-type'], 'text/html', p);
    }
  });
});

test('Excluding subpaths', async () => {
  const app: App = {
    ...rApp(403, (p) => `403 excluded: ${p}`),
    staticPaths: {
      '/': WWW,
      '/exclude': excludeStaticPath(),
      '/subdi': excludeStaticPath(),
      '/a': WWW,
      '/a/exclude': excludeStaticPath(),
      '/a/mtcars.csv': excludeStaticPath(),
    },
  };
  await withServer(app, async ({ port, server: s }) => {
    assert.equal((await request(port, '/')).status, 200);
    assert.equal((await request(port, '/subdir')).status, 200);
    for (const p of ['/exclude', '/exclude/index.html', '/exclude/subdir', '/exclude/subdir/index.html']) {
      const r = await request(port, p);
      assert.equal(r.status, 403, p);
      assert.equal(r.headers['test-code-path'], 'R', p);
    }
    s.setStaticPath({ 'exclude/include': WWW });
    const inc = await request(port, '/exclude/include');
    assert.equal(inc.status, 200);
    assert.deepEqual(inc.body, www('index.html'));
    s.setStaticPath({ 'exclude/subdir': path.join(WWW, 'exclude', 'subdir') });
    const sub = await request(port, '/exclude/subdir');
    assert.equal(sub.status, 200);
    assert.deepEqual(sub.body, www('exclude/subdir/index.html'));
    assert.equal((await request(port, '/exclude')).headers['test-code-path'], 'R', '/exclude itself still excluded');

    const missing = await request(port, '/nonexistent.txt');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['test-code-path'], undefined);
    s.setStaticPathOption({ fallthrough: true });
    const ft = await request(port, '/nonexistent.txt');
    assert.equal(ft.status, 403);
    assert.equal(ft.headers['test-code-path'], 'R');
    s.setStaticPathOption({ fallthrough: false });
    assert.equal((await request(port, '/nonexistent.txt')).status, 404);

    assert.equal((await request(port, '/subdir')).status, 200, 'no partial match with /subdi');
    assert.equal((await request(port, '/a/')).status, 200);
    const file = await request(port, '/a/mtcars.csv');
    assert.equal(file.status, 403, 'a single excluded file');
    assert.equal(file.headers['test-code-path'], 'R');
    assert.equal((await request(port, '/a/data.txt')).status, 200);
    assert.equal((await request(port, '/file/nonexistent.txt')).status, 404);
  });
});

test('Header validation', async () => {
  const app: App = {
    call: () => ({ status: 200, headers: { 'Test-Code-Path': 'R' }, body: '200 OK\n' }),
    staticPaths: {
      '/default': WWW,
      '/unset': staticPath(WWW, { validation: [] }),
      '/fallthrough': staticPath(WWW, { fallthrough: true }),
    },
    staticPathOptions: staticPathOptions({ validation: '"Test-Validation" == "aaa"', headers: { 'Test-Code-Path': 'C++' } }),
  };
  await withServer(app, async ({ port }) => {
    const no = await request(port, '/default');
    assert.equal(no.status, 403);
    assert.equal(no.text, '403 Forbidden\n');
    assert.equal(no.headers['test-code-path'], undefined);
    const yes = await request(port, '/default', { headers: { 'test-validation': 'aaa' } });
    assert.equal(yes.status, 200);
    assert.equal(yes.headers['test-code-path'], 'C++');
    assert.equal((await request(port, '/default', { headers: { 'tesT-ValidatioN': 'aaa' } })).status, 200, 'name is case-insensitive');
    assert.equal((await request(port, '/default', { headers: { 'Test-Validation': 'AAA' } })).status, 403, 'value is case-sensitive');
    assert.equal((await request(port, '/default', { headers: { 'Test-Validation': 'aaab' } })).status, 403);
    const un = await request(port, '/unset');
    assert.equal(un.status, 200);
    assert.equal(un.headers['test-code-path'], 'C++');

    const ftNo = await request(port, '/fallthrough/missingfile');
    assert.equal(ftNo.status, 403, 'validation precedes fallthrough');
    assert.equal(ftNo.headers['test-code-path'], undefined);
    const ftYes = await request(port, '/fallthrough/missingfile', { headers: { 'Test-Validation': 'aaa' } });
    assert.equal(ftYes.status, 200);
    assert.equal(ftYes.headers['test-code-path'], 'R');
    assert.equal(ftYes.text, '200 OK\n');
  });
});

test('Header validation: a repeated header fails (raw socket)', async () => {
  const app: App = { staticPaths: { '/': staticPath(WWW, { validation: '"X-V" == "aaa"' }) } };
  await withServer(app, async ({ port }) => {
    const send = (headers: string) => new Promise<string>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => sock.write(`GET /data.txt HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`));
      let out = '';
      sock.on('data', (c: Buffer) => { out += c.toString('latin1'); });
      sock.on('error', () => {});
      sock.on('close', () => resolve(out.split('\r\n')[0]));
    });
    assert.equal(await send('X-V: aaa\r\n'), 'HTTP/1.1 200 OK');
    assert.equal(await send('X-V: aaa\r\nX-V: aaa\r\n'), 'HTTP/1.1 403 Forbidden');
  });
});

test('Dynamically changing paths', async () => {
  const app: App = { ...rApp(500, () => '500 Internal Server Error\n'), staticPaths: { '/static': WWW } };
  await withServer(app, async ({ port, server: s }) => {
    assert.equal((await request(port, '/static')).status, 200);
    s.setStaticPath({ '/static': staticPath(CONTENT_1, { indexhtml: false }) });
    assert.equal((await request(port, '/static')).status, 404);
    const c1 = await request(port, '/static/index.html');
    assert.equal(c1.status, 200);
    assert.equal(c1.text, '<html>content_1</html>\n');
    s.removeStaticPath('/static');
    assert.equal(Object.keys(s.getStaticPaths() ?? { x: 1 }).length, 0);
    const gone = await request(port, '/static');
    assert.equal(gone.status, 500);
    assert.equal(gone.text, '500 Internal Server Error\n');
    assert.equal(gone.headers['test-code-path'], 'R');
    s.setStaticPath({ '/static_new': WWW });
    const n = await request(port, '/static_new');
    assert.equal(n.status, 200);
    assert.deepEqual(n.body, www('index.html'));
  });
});

test('Dynamically changing options', async () => {
  const app: App = { ...rApp(500, () => '500 Internal Server Error\n'), staticPaths: { '/static': WWW } };
  await withServer(app, async ({ port, server: s }) => {
    assert.equal((await request(port, '/static')).status, 200);
    s.setStaticPathOption({ indexhtml: false });
    assert.equal(s.getStaticPathOptions()?.indexhtml, false);
    assert.equal((await request(port, '/static')).status, 404);
    s.setStaticPathOption({ fallthrough: true });
    const ft = await request(port, '/static');
    assert.equal(ft.status, 500);
    assert.equal(ft.headers['test-code-path'], 'R');
    s.setStaticPathOption({ indexhtml: true, headers: { 'Test-Headers': 'aaa' }, validation: '"Test-Validation" == "aaa"' });
    assert.equal((await request(port, '/static')).status, 403);
    const ok = await request(port, '/static', { headers: { 'Test-Validation': 'aaa' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['test-headers'], 'aaa');
    s.setStaticPathOption({ headers: {}, validation: [] });
    const plain = await request(port, '/static');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['test-headers'], undefined);
    const o = s.getStaticPathOptions();
    assert.deepEqual(o?.validation, []);
    assert.deepEqual(o?.headers, {});
  });
});

test('Escaped characters in paths', async () => {
  await withServer({ staticPaths: { '/static': WWW } }, async ({ port }) => {
    const r = await request(port, '/static/file%20with%20space.txt');
    assert.equal(r.status, 200);
    assert.equal(r.text, 'This is file content.\n');
  });
});

test('Paths with .. (raw requests)', async () => {
  await withServer({ ...r404, staticPaths: { '/static': WWW } }, async ({ port }) => {
    const root = await raw(port, '/');
    assert.equal(root.statusLine, 'HTTP/1.1 404 Not Found');
    assert.match(root.head, /\r\ntest-code-path: R/i);
    assert.equal((await raw(port, '/static')).statusLine, 'HTTP/1.1 200 OK');
    for (const p of ['/static/..', '/static/../', '/static/../static']) {
      assert.equal((await raw(port, p)).statusLine, 'HTTP/1.1 400 Bad Request', p);
    }
    for (const p of ['/static/..foo', '/static/foo..', '/static/foo../']) {
      const r = await raw(port, p);
      assert.equal(r.statusLine, 'HTTP/1.1 404 Not Found', p);
      assert.doesNotMatch(r.head, /test-code-path/i, `${p} answered by the static layer`);
    }
  });
});

test('Paths with backslash', async () => {
  const app: App = { ...rApp(400, () => 'R'), staticPaths: { '/static': WWW } };
  await withServer(app, async ({ port }) => {
    // Not under /static at a '/' boundary: these belong to the app, as in httpuv.
    for (const p of ['/static\\index.html', '/static%5cindex.html']) {
      const r = await raw(port, p);
      assert.equal(r.statusLine, 'HTTP/1.1 400 Bad Request', p);
      assert.match(r.head, /\r\ntest-code-path: R/i, p);
    }
    // Under /static: a backslash is a bad path (400 from the static layer, or the app's 400).
    for (const p of ['/static/..\\index.html', '/static/..%5cindex.html', '/static/sub\\index.html']) {
      const r = await raw(port, p);
      assert.equal(r.statusLine, 'HTTP/1.1 400 Bad Request', p);
      assert.ok(!r.body.includes('<html>'), `${p} served a file`);
    }
  });
});

test('HEAD, POST, PUT requests', async () => {
  await withServer({ staticPaths: { '/static': WWW } }, async ({ port }) => {
    const get = await request(port, '/static');
    const head = await request(port, '/static', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    const strip = (h: http.IncomingHttpHeaders) => { const { date: _d, ...rest } = h; return rest; };
    assert.deepEqual(strip(head.headers), strip(get.headers));
    assert.equal(head.headers['content-length'], String(www('index.html').length));
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const r = await request(port, '/static', { method });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD', method);
      assert.equal(r.text, '405 Method Not Allowed\n', method);
    }
  });
});

test('Last-Modified and If-Modified-Since headers', async () => {
  const headers = { ETag: 'abc', 'Cache-Control': 'max-age=12345', Other: 'xyz' };
  await withServer({ staticPaths: { '/static': staticPath(WWW, { headers }) } }, async ({ port }) => {
    const r = await request(port, '/static/data.txt');
    assert.equal(r.status, 200);
    const mtime = Math.floor(fs.statSync(path.join(WWW, 'data.txt')).mtimeMs / 1000);
    assert.equal(r.headers['last-modified'], new Date(mtime * 1000).toUTCString());
    const ims = async (d: string) => request(port, '/static/data.txt', { headers: { 'If-Modified-Since': d } });
    for (const d of [new Date(mtime * 1000), new Date((mtime + 1) * 1000)].map((x) => x.toUTCString())) {
      const x = await ims(d);
      assert.equal(x.status, 304, d);
      assert.equal(x.body.length, 0);
      assert.equal(x.headers['cache-control'], 'max-age=12345');
      assert.equal(x.headers.etag, 'abc');
      assert.equal(x.headers.other, undefined, '304 keeps only the cache headers');
      assert.equal(x.headers['content-type'], undefined);
      assert.ok(x.headers.date);
    }
    const older = await ims(new Date((mtime - 1) * 1000).toUTCString());
    assert.equal(older.status, 200);
    const { date: _a, ...h1 } = older.headers;
    const { date: _b, ...h2 } = r.headers;
    assert.deepEqual(h1, h2);
    assert.equal((await ims('Mon, 01 Jan 2038 12:00:00 GMT')).status, 304);
    assert.equal((await ims('Mon, 01 Jan 2038 12:100:00 GMT')).status, 200, 'malformed date ignored');
    const head = await request(port, '/static/data.txt', { method: 'HEAD', headers: { 'If-Modified-Since': 'Mon, 01 Jan 2038 12:00:00 GMT' } });
    assert.equal(head.status, 304);
  });
});

test('Paths with non-ASCII characters', async () => {
  await withServer({ staticPaths: { '/fü': path.join(WWW, 'fü'), '/foo': path.join(WWW, 'fü') } }, async ({ port }) => {
    const r = await request(port, '/f%C3%BC');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, www('fü/index.html'));
    const foo = await request(port, '/foo');
    assert.equal(foo.status, 200);
    assert.deepEqual(foo.body, www('fü/index.html'));
  });
});
