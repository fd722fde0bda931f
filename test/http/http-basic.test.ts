// The Rook environment field by field (as R httpuv fills it), basic responses (test-app.R 1–3,
// test-http-parse.R 5–6) and the response wire format: one write, the server frames every body.
import assert from 'node:assert/strict';
import test from 'node:test';
import { listServers, startServer, stopAllServers } from '../../src/index.js';
import type { RookRequest } from '../../src/index.js';
import { RawConn, fetchText, finalResponses, httpRequest, parseResponses, rawRequest } from '../helpers/clients.js';
import { finalNoServersTest, recordingApp, withServer } from '../helpers/server.js';
import type { Seen } from '../helpers/server.js';

/** Sends `request` on a fresh connection and returns what the app saw and the response. */
async function seeOne(request: string): Promise<{ seen: Seen; raw: Buffer; conn: RawConn; port: number }> {
  const { app, seen } = recordingApp();
  return withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(request);
      await conn.responses(1);
      assert.equal(seen.length, 1);
      return { seen: seen[0], raw: conn.data, conn, port: server.getPort() };
    } finally {
      conn.destroy();
    }
  });
}

test('CGI fields: method, SCRIPT_NAME, PATH_INFO (not decoded), QUERY_STRING with "?"', async () => {
  const { seen } = await seeOne('GET /a%20b/c.txt?x=1&y=%20z HTTP/1.1\r\nHost: example\r\n\r\n');
  assert.equal(seen.env.REQUEST_METHOD, 'GET');
  assert.equal(seen.env.SCRIPT_NAME, '');
  assert.equal(seen.env.PATH_INFO, '/a%20b/c.txt');
  assert.equal(seen.env.QUERY_STRING, '?x=1&y=%20z');
  const none = await seeOne('GET /p HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(none.seen.env.QUERY_STRING, '');
  const bare = await seeOne('GET /p? HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(bare.seen.env.QUERY_STRING, '?');
  assert.equal(bare.seen.env.PATH_INFO, '/p');
  const two = await seeOne('GET /p?a?b HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(two.seen.env.QUERY_STRING, '?a?b', 'split at the first "?"');
});

test('methods reach the app by name', async () => {
  for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const { seen } = await seeOne(`${m} /m HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n`);
    assert.equal(seen.method, m);
  }
});

test('SERVER_NAME, SERVER_PORT, REMOTE_ADDR, REMOTE_PORT are strings from the sockets', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write('GET / HTTP/1.1\r\nHost: other.example:99\r\n\r\n');
      await conn.responses(1);
      const env = seen[0].env;
      assert.equal(env.SERVER_NAME, '127.0.0.1');
      assert.equal(env.SERVER_PORT, String(server.getPort()));
      assert.equal(env.REMOTE_ADDR, '127.0.0.1');
      assert.equal(env.REMOTE_PORT, String(conn.localPort));
    } finally {
      conn.destroy();
    }
  });
});

test('rook.* fields and CONTENT_TYPE / CONTENT_LENGTH', async () => {
  let req: RookRequest | undefined;
  await withServer((r) => { req = r; return { status: 200, body: '' }; }, async ({ server, url: base }) => {
    await fetchText(`${base}/x`, { method: 'POST', body: 'hello', headers: { 'Content-Type': 'text/plain' } });
    assert.ok(req);
    assert.equal(req['rook.version'], '1.1-0');
    assert.equal(req['rook.url_scheme'], 'http');
    assert.equal(typeof req['rook.errors'].cat, 'function');
    assert.equal(typeof req['rook.errors'].flush, 'function');
    assert.equal(req.CONTENT_TYPE, 'text/plain');
    assert.equal(req.CONTENT_LENGTH, '5');
    assert.equal(req.HTTP_CONTENT_LENGTH, '5');
    await fetchText(`${base}/y`);
    assert.equal(req.CONTENT_TYPE, undefined);
    assert.equal(req.CONTENT_LENGTH, undefined);
    assert.equal(req['rook.input'].read().length, 0, 'no body → empty read');
    assert.deepEqual(req['rook.input'].read_lines(), []);
  });
});

test('chunked request body: de-chunked, no CONTENT_LENGTH', async () => {
  const { seen } = await seeOne('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
  assert.equal(seen.body.toString(), 'abcde');
  assert.equal(seen.env.CONTENT_LENGTH, undefined);
});

test('rook.input: read(n), read_lines, rewind', async () => {
  const out: unknown[] = [];
  await withServer((req) => {
    const input = req['rook.input'];
    out.push(input.read(3).toString(), input.read().toString(), input.read().length);
    input.rewind();
    out.push(input.read_lines());
    input.rewind();
    out.push(input.read_lines(1), input.read(0).length);
    return { status: 200, body: 'ok' };
  }, async ({ server }) => {
    await httpRequest(server.getPort(), { method: 'POST', body: 'line1\nline2\r\nline3' });
  });
  assert.deepEqual(out, ['lin', 'e1\nline2\r\nline3', 0, ['line1', 'line2', 'line3'], ['line1'], 0]);
});

test('HTTP_* naming: upper case, "-" → "_", other characters kept; HEADERS lower-case names', async () => {
  const { seen } = await seeOne('GET / HTTP/1.1\r\nHost: a\r\nX-Foo-Bar: 1\r\nX.Dot: 2\r\nuser-AGENT: ua\r\n\r\n');
  assert.equal(seen.env.HTTP_X_FOO_BAR, '1');
  assert.equal(seen.env['HTTP_X.DOT'], '2');
  assert.equal(seen.env.HTTP_USER_AGENT, 'ua');
  assert.equal(seen.env.HTTP_HOST, 'a');
  assert.deepEqual(seen.headers, { host: 'a', 'x-foo-bar': '1', 'x.dot': '2', 'user-agent': 'ua' });
});

test('repeated headers join with "," (no space), any case; empty values do not add', async () => {
  const { seen } = await seeOne('GET / HTTP/1.1\r\nHost: a\r\nFoo: 1\r\nfoo: 2\r\nFOO: 3\r\n' +
    'Cookie: a=1\r\nCookie: b=2\r\nX-E:\r\nX-E: v\r\nX-F: w\r\nX-F:\r\nX-Empty:\r\n\r\n');
  assert.equal(seen.env.HTTP_FOO, '1,2,3');
  assert.equal(seen.headers.foo, '1,2,3');
  assert.equal(seen.env.HTTP_COOKIE, 'a=1,b=2');
  assert.equal(seen.headers['x-e'], 'v');
  assert.equal(seen.headers['x-f'], 'w');
  assert.equal(seen.headers['x-empty'], '');
  assert.equal(seen.env.HTTP_X_EMPTY, '');
});

test('header value whitespace: leading OWS stripped', async () => {
  const { seen } = await seeOne('GET / HTTP/1.1\r\nHost: a\r\nX-Sp:   padded value   \r\n\r\n');
  assert.ok(seen.headers['x-sp'].startsWith('padded value'), JSON.stringify(seen.headers['x-sp']));
});

test('My-Hdr and My_Hdr are distinct in HEADERS; in HTTP_* the later in sort order (my_hdr) wins', async () => {
  const { seen } = await seeOne('GET / HTTP/1.1\r\nHost: a\r\nMy_Hdr: under\r\nMy-Hdr: dash\r\n\r\n');
  assert.equal(seen.headers['my-hdr'], 'dash');
  assert.equal(seen.headers.my_hdr, 'under');
  assert.equal(seen.env.HTTP_MY_HDR, 'under');
});

test('absolute-form target (H50): PATH_INFO /x, QUERY_STRING ?y=1', async () => {
  const { seen } = await seeOne('GET http://a/x?y=1 HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(seen.path, '/x');
  assert.equal(seen.query, '?y=1');
});

test('80,000-byte header values and duplicated large headers are preserved (test-http-parse.R 5)', async () => {
  const big = 'x'.repeat(80000);
  const one = await seeOne(`GET / HTTP/1.1\r\nHost: a\r\ntest-header: ${big}\r\n\r\n`);
  assert.equal(one.seen.env.HTTP_TEST_HEADER, big);
  const a = 'a'.repeat(100);
  const b = 'b'.repeat(80000);
  const dup = await seeOne(`GET / HTTP/1.1\r\nHost: a\r\ntest-header: ${a}\r\ntest-header: ${b}\r\n\r\n`);
  assert.equal(dup.seen.env.HTTP_TEST_HEADER, `${a},${b}`);
  const rev = await seeOne(`GET / HTTP/1.1\r\nHost: a\r\ntest-header: ${b}\r\ntest-header: ${a}\r\n\r\n`);
  assert.equal(rev.seen.env.HTTP_TEST_HEADER, `${b},${a}`);
});

test('9,900-byte header names are preserved (test-http-parse.R 6)', async () => {
  const letters = 'abcdefgh'.split('');
  const lines = letters.map((l) => `${l.repeat(9900)}: ${l.toUpperCase()}\r\n`).join('');
  const { seen } = await seeOne(`GET / HTTP/1.1\r\nHost: a\r\n${lines}\r\n`);
  for (const l of letters) assert.equal(seen.headers[l.repeat(9900)], l.toUpperCase());
});

test('two servers, listServers, bodies, Content-Type and Content-Length (test-app.R 1)', async () => {
  const s1 = startServer('127.0.0.1', 0, () => ({ status: 200, headers: { 'Content-Type': 'text/html' }, body: 'server 1' }));
  try {
    assert.equal(listServers().length, 1);
    const s2 = startServer('127.0.0.1', 0, () => ({ status: 200, headers: { 'Content-Type': 'text/html' }, body: 'server 2' }));
    assert.equal(listServers().length, 2);
    assert.notEqual(s1.getPort(), s2.getPort());
    assert.equal(s1.getHost(), '127.0.0.1');
    const r1 = await httpRequest(s1.getPort());
    const r2 = await httpRequest(s2.getPort());
    assert.equal(r1.text, 'server 1');
    assert.equal(r2.text, 'server 2');
    assert.equal(r1.headers['content-type'], 'text/html');
    assert.equal(r1.headers['content-length'], '8');
    await s1.stop();
    assert.deepEqual(listServers(), [s2]);
  } finally {
    await stopAllServers();
  }
  assert.equal(listServers().length, 0);
});

test('absent, null or empty headers are fine (test-app.R 2)', async () => {
  for (const headers of [undefined, {}, []] as const) {
    await withServer(() => ({ status: 200, headers: headers as Record<string, string> | undefined }), async ({ server }) => {
      const r = await httpRequest(server.getPort());
      assert.equal(r.status, 200);
      assert.equal(r.body.length, 0);
    });
  }
});

test('Content-Length depends on the body (test-app.R 3)', async () => {
  await withServer((req) => {
    if (req.PATH_INFO === '/empty') return { status: 200, body: Buffer.alloc(0) };
    if (req.PATH_INFO === '/nobody') return { status: 204 };
    return { status: 200, body: 'abc' };
  }, async ({ server }) => {
    const raw = await rawRequest(server.getPort(), 'GET /empty HTTP/1.1\r\nHost: a\r\n\r\n' +
      'GET /nobody HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const res = finalResponses(raw.data);
    assert.equal(res.length, 3);
    assert.equal(res[0].get('content-length'), '0');
    assert.equal(res[1].status, 204);
    assert.equal(res[1].get('content-length'), undefined);
    assert.equal(res[2].get('content-length'), '3');
    assert.equal(res[2].body.toString(), 'abc');
  });
});

test('status line is HTTP/1.1 even for HTTP/1.0 clients; exactly one Date', async () => {
  await withServer(() => ({ status: 200, body: 'x' }), async ({ server }) => {
    const raw = await rawRequest(server.getPort(), 'GET / HTTP/1.0\r\n\r\n');
    const [r] = finalResponses(raw.data);
    assert.equal(r.version, 'HTTP/1.1');
    assert.equal(r.reason, 'OK');
    assert.equal(r.getAll('date').length, 1);
    assert.ok(Math.abs(Date.parse(r.get('date') ?? '') - Date.now()) < 60000);
  });
});

test('an app Date replaces the automatic one', async () => {
  const date = 'Mon, 01 Jan 2001 00:00:00 GMT';
  await withServer(() => ({ status: 200, headers: { Date: date }, body: 'x' }), async ({ server }) => {
    const raw = await rawRequest(server.getPort(), 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const [r] = finalResponses(raw.data);
    assert.deepEqual(r.getAll('date'), [date]);
  });
});

test('header values may be numbers; names keep their case', async () => {
  await withServer(() => ({ status: 201, headers: { 'X-Num': 5, 'x-MiXeD': 'v' }, body: '' }), async ({ server }) => {
    const raw = await rawRequest(server.getPort(), 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const [r] = parseResponses(raw.data).responses;
    assert.equal(r.status, 201);
    assert.equal(r.get('x-num'), '5');
    assert.ok(r.headers.some(([k, v]) => k === 'x-MiXeD' && v === 'v'), r.head);
  });
});

test('missing call → 404; a bare function is an app', async () => {
  await withServer({}, async ({ server }) => {
    const r = await httpRequest(server.getPort());
    assert.equal(r.status, 404);
  });
  await withServer(() => ({ status: 200, body: 'fn' }), async ({ url: base }) => {
    assert.equal((await fetchText(base)).text, 'fn');
  });
});

test('a class instance app: call runs with the instance as this', async () => {
  class MyApp {
    greeting = 'from class';
    call(): { status: number; body: string } { return { status: 200, body: this.greeting }; }
  }
  await withServer(new MyApp(), async ({ url: base }) => {
    assert.equal((await fetchText(base)).text, 'from class');
  });
});

test('absolute-form targets without a query or path', async () => {
  const a = await seeOne('GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(a.seen.path, '/x');
  assert.equal(a.seen.query, '');
  const b = await seeOne('GET http://a:8080/?q HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(b.seen.path, '/');
  assert.equal(b.seen.query, '?q');
});

test('a 40,000-byte header split at every offset 1…64 into two writes arrives whole (8.3 #29)', async () => {
  const value = 'v'.repeat(40000);
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      for (let k = 1; k <= 64; k++) {
        const head = `GET /${k} HTTP/1.1\r\nHost: a\r\nX-Big: `;
        const whole = `${head}${value}\r\n\r\n`;
        const cut = head.length - 32 + k; // around the name/value boundary
        await conn.write(whole.slice(0, cut));
        await conn.write(whole.slice(cut));
        await conn.responses(k);
      }
      assert.equal(seen.length, 64);
      for (const s of seen) assert.equal(s.headers['x-big'], value);
    } finally {
      conn.destroy();
    }
  });
});

test('Uint8Array and Buffer bodies are sent as bytes; strings as UTF-8', async () => {
  await withServer((req) => {
    if (req.PATH_INFO === '/u8') return { status: 200, body: new Uint8Array([0, 1, 2, 255]) };
    if (req.PATH_INFO === '/buf') return { status: 200, body: Buffer.from([9, 8, 7]) };
    return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'h\u00e9llo \u{1F600}' };
  }, async ({ server }) => {
    assert.deepEqual([...(await httpRequest(server.getPort(), { path: '/u8' })).body], [0, 1, 2, 255]);
    assert.deepEqual([...(await httpRequest(server.getPort(), { path: '/buf' })).body], [9, 8, 7]);
    const s = await httpRequest(server.getPort(), { path: '/s' });
    assert.equal(s.text, 'h\u00e9llo \u{1F600}');
    assert.equal(s.headers['content-length'], String(Buffer.byteLength('h\u00e9llo \u{1F600}')));
  });
});

test('an IPv6 loopback server answers', async (t) => {
  let s;
  try {
    s = startServer('::1', 0, (req) => ({ status: 200, body: `v6 ${req.PATH_INFO}` }), { quiet: true });
  } catch (e) {
    t.skip(`no IPv6 loopback here: ${(e as Error).message}`);
    return;
  }
  try {
    assert.ok(s.getPort() > 0);
    const r = await fetchText(`http://[::1]:${s.getPort()}/six`);
    assert.equal(r.text, 'v6 /six');
  } finally {
    await s.stop();
  }
});

finalNoServersTest();
