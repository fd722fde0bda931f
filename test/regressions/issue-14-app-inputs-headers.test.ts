// Issue 14, class 6: header values go on the wire one latin1 byte per character, and
// `staticPath(dir, { headers })` only refused CR, LF and NUL before that conversion: U+010D
// ("č") lost its high byte and became CR, U+0A0A became LF, so a configured header could inject
// another header into every static response. Now every header value (static paths, server-level
// static options, validation rules, app responses) is checked as it will be sent: HTAB, SP, VCHAR
// and U+0080–U+00FF only. A bad value is a TypeError naming the argument where it is passed, or a
// logged 500 for an app response; the bytes on the wire never carry an injected header.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  listServers, logLevel, startServer, staticPath, staticPathOptions, type Response,
} from '../../src/index.js';
import { native } from '../../src/runtime.js';
import { RawConn } from '../helpers/clients.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-i14-headers-'));
fs.writeFileSync(path.join(dir, 'a.txt'), 'static a');
const previousLevel = logLevel('OFF');
after(() => {
  logLevel(previousLevel);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(listServers(), []);
});

// Values whose latin1 conversion would put a control character (or another header) on the wire.
const BAD_VALUES: Record<string, string> = {
  'U+010D (low byte CR)': 'x\u010dInjected: yes',
  'U+0A0A (low bytes LF)': 'x\u0a0aInjected: yes',
  'U+010A (low byte LF)': 'x\u010aInjected: yes',
  'U+0100 (low byte NUL)': 'x\u0100y',
  'U+4E2D (CJK)': '\u4e2d\u6587',
  'emoji': 'x\u{1F600}',
  CR: 'x\rInjected: yes',
  LF: 'x\nInjected: yes',
  CRLF: 'x\r\nInjected: yes',
  NUL: 'x\0y',
  'other control (0x01)': 'x\x01y',
  DEL: 'x\x7fy',
};

function assertNamedTypeError(f: () => unknown, argName: RegExp, label: string): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof TypeError, `${label}: a TypeError, got ${String(err)}`);
    assert.match(err.message, argName, label);
    return true;
  }, label);
}

test('staticPath(dir, { headers }) refuses values the wire cannot carry, naming the header', () => {
  for (const [label, v] of Object.entries(BAD_VALUES)) {
    assertNamedTypeError(() => staticPath(dir, { headers: { 'X-Custom': v } }), /options\.headers\["X-Custom"\]/, label);
  }
});

test('staticPathOptions, setStaticPath, setStaticPathOption and app staticPathOptions refuse them too', async () => {
  for (const [label, v] of Object.entries(BAD_VALUES)) {
    assertNamedTypeError(() => staticPathOptions({ headers: { 'X-Custom': v } }), /options\.headers/, label);
    assertNamedTypeError(() => staticPathOptions({ validation: `"X-Key" == "${v.replace(/["\\]/g, '')}"` }),
      /options\.validation/, `validation ${label}`);
    assert.throws(() => startServer('127.0.0.1', 0, {
      staticPaths: { '/s': dir }, staticPathOptions: { headers: { 'X-Custom': v } },
    }), TypeError, `app staticPathOptions ${label}`);
  }
  assert.equal(listServers().length, 0);
  const s = startServer('127.0.0.1', 0, { staticPaths: { '/s': dir } });
  try {
    for (const [label, v] of Object.entries(BAD_VALUES)) {
      assert.throws(() => s.setStaticPathOption({ headers: { 'X-Custom': v } }), TypeError, `setStaticPathOption ${label}`);
    }
  } finally {
    await s.stop();
  }
});

test('latin1 values (U+0080–U+00FF), tabs and numbers are still accepted and sent as latin1 bytes', async () => {
  const sp = staticPath(dir, { headers: { 'X-Latin1': 'caf\u00e9\tok', 'X-Plain': 'a b' } });
  const s = startServer('127.0.0.1', 0, {
    staticPaths: { '/s': sp },
    call: () => ({ status: 200, headers: { 'X-Num': 42, 'X-Bool': true, 'X-Latin1': '\u00ff' }, body: 'dyn' }),
  });
  try {
    const c = await RawConn.connect(s.getPort());
    try {
      await c.write('GET /s/a.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /dyn HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      const [st, dyn] = await c.responses(2);
      assert.equal(st.status, 200);
      assert.deepEqual(st.headers.find(([n]) => n === 'X-Latin1'), ['X-Latin1', 'caf\u00e9\tok']);
      assert.equal(dyn.status, 200);
      assert.deepEqual(dyn.headers.find(([n]) => n === 'X-Num'), ['X-Num', '42']);
      assert.ok(c.data.includes(Buffer.from('X-Latin1: \xff\r\n', 'latin1')));
    } finally {
      c.destroy();
    }
  } finally {
    await s.stop();
  }
});

test('app responses with such header values are a logged 500, and nothing is injected on the wire', async () => {
  const entries = Object.entries(BAD_VALUES);
  const s = startServer('127.0.0.1', 0, (req): Response => {
    const i = Number(req.PATH_INFO.slice(1));
    const [, v] = entries[i];
    if (i % 3 === 0) return { status: 200, headers: [['X-Custom', v]], body: 'x' };
    if (i % 3 === 1) return { status: 200, headers: { 'X-Custom': [v] }, body: 'x' };
    return { status: 200, headers: { 'X-Custom': v }, body: 'x' };
  });
  const onHeaders = startServer('127.0.0.1', 0, {
    onHeaders: (req) => ({ status: 401, headers: { 'WWW-Authenticate': entries[Number(req.PATH_INFO.slice(1))][1] } }),
    call: () => ({ status: 200, body: 'never' }),
  });
  try {
    for (const server of [s, onHeaders]) {
      for (let i = 0; i < entries.length; i++) {
        const c = await RawConn.connect(server.getPort());
        try {
          await c.write(`GET /${i} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
          const [r] = await c.responses(1);
          assert.equal(r.status, 500, entries[i][0]);
          const head = c.text.slice(0, c.text.indexOf('\r\n\r\n'));
          assert.ok(!/injected/i.test(head), `${entries[i][0]}: ${JSON.stringify(head)}`);
          assert.ok(!r.headers.some(([n]) => /^x-custom$|^www-authenticate$/i.test(n)), entries[i][0]);
        } finally {
          c.destroy();
        }
      }
    }
  } finally {
    await s.stop();
    await onHeaders.stop();
  }
});

test('header names that are not tokens (including wide characters) are refused', async () => {
  for (const name of ['X\u010dY', 'X Y', 'X:Y', 'X\rY', '']) {
    assert.throws(() => staticPath(dir, { headers: { [name]: 'v' } }), TypeError, JSON.stringify(name));
  }
  const s = startServer('127.0.0.1', 0, (req): Response => ({
    status: 200, headers: [[decodeURIComponent(req.PATH_INFO.slice(1)), 'v']], body: 'x',
  }));
  try {
    for (const name of ['X\u010dY', 'X Y', 'X\u0a0aInjected']) {
      const c = await RawConn.connect(s.getPort());
      try {
        await c.write(`GET /${encodeURIComponent(name)} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
        const [r] = await c.responses(1);
        assert.equal(r.status, 500, JSON.stringify(name));
        const head = c.text.slice(0, c.text.indexOf('\r\n\r\n'));
        assert.ok(!/injected/i.test(head), JSON.stringify(head));
      } finally {
        c.destroy();
      }
    }
  } finally {
    await s.stop();
  }
});

test('the addon checks the converted bytes too: a static header that bypassed TS is refused, never sent', async () => {
  const s = startServer('127.0.0.1', 0, { staticPaths: { '/s': dir } });
  try {
    const entry = {
      path: '/s', dir: fs.realpathSync(dir), indexhtml: true, fallthrough: false, htmlCharset: 'utf-8',
      redirectDirectories: false, directoryListing: false, spaFallback: false, headers: ['X-Custom', 'x\u010dInjected: yes'], validation: [],
    };
    assert.throws(() => native.static_paths_set(s.id, [entry]), /node-httpuv internal error/);
    assert.throws(() => native.static_paths_set(s.id, [{ ...entry, headers: ['X-Custom', 'ok'], htmlCharset: 'a\rb' }]),
      /node-httpuv internal error/);
    const c = await RawConn.connect(s.getPort());
    try {
      await c.write('GET /s/a.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      const [r] = await c.responses(1);
      assert.equal(r.status, 200);
      assert.ok(!/injected/i.test(c.text), JSON.stringify(c.text));
    } finally {
      c.destroy();
    }
  } finally {
    await s.stop();
  }
});
