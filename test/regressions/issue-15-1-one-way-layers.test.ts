// Issue 15, scope 1 / acceptance 1: one-way layers. A transport (src-native/transport: the
// socket side, SocketTransport over libuv, and the pure Transport / ProtocolHandler interfaces)
// owns one protocol handler at a time; the HTTP/1.1 handler hands the socket to a WebSocket
// handler at the upgrade (ws/upgrade.h) and never names the session's type; the WebSocket session
// reaches its socket only through the Transport interface; the transport knows no protocol.
// These checks read the C++ sources (comments and string literals stripped) so that a change that
// points a dependency back, or regrows one file past the house-style limit, fails `npm test`, not
// a later review.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';

const root = path.join(__dirname, '..', '..', '..');
const native = path.join(root, 'src-native');

interface Source { file: string; includes: string[]; code: string }

/** The C++ files of a src-native folder: their #include targets and their code without comments
 * or string/char literals (so `"Connection: close"` or a comment naming a type is not a use). */
function sources(folder: string): Source[] {
  const dir = path.join(native, folder);
  return fs.readdirSync(dir)
    .filter((f) => /\.(h|cc|inc)$/.test(f) && !f.endsWith('mime_types.inc'))
    .map((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const includes = [...text.matchAll(/^\s*#\s*include\s*[<"]([^>"]+)[>"]/gm)].map((m) => m[1]);
      return { file: `${folder}/${f}`, includes, code: stripCpp(text) };
    });
}

function stripCpp(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const n = text[i + 1];
    if (c === '/' && n === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && n === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === '\'') {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i++;
      out += c + c;
    } else if (c === '#' && /^#\s*include/.test(text.slice(i, i + 12))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function uses(src: Source, pattern: RegExp): string[] {
  return [...src.code.matchAll(new RegExp(pattern.source, 'g'))].map((m) => m[0]);
}

// The transport files ws/ may include: the pure interfaces, never the uv socket or the loop state.
const pureTransport = new Set(['transport/transport.h', 'transport/events.h', 'transport/receive_budget.h',
  'transport/socket_counters.h']);

test('src-native/ws includes from outside ws/ only util/ and the pure transport interface', () => {
  const ws = sources('ws');
  assert.ok(ws.some((s) => s.file === 'ws/ws_session.cc'), 'the session lives in ws/');
  for (const s of ws) {
    // zlib/zlib.h is the vendored library (deps/zlib), not a project layer.
    for (const inc of s.includes.filter((x) => x.includes('/') && x !== 'zlib/zlib.h')) {
      assert.ok(/^(ws|util)\//.test(inc) || pureTransport.has(inc),
        `${s.file} includes ${inc}: ws/ may use the transport interface (transport/transport.h), ` +
        'never the HTTP handler, the socket transport, the server or libuv');
    }
    for (const inc of s.includes) {
      assert.ok(inc !== 'uv.h' && inc !== 'napi.h', `${s.file} includes ${inc}`);
    }
  }
});

test('src-native/ws names no HTTP connection, server, registry or libuv call', () => {
  for (const s of sources('ws')) {
    const bad = uses(s, /\b(Connection|Http1Handler|SocketTransport|IoContext|ServerRegistry|Server|ServerLimits|ServerStats|Parser|ParserDelegate|uv_\w+)\b/);
    assert.deepEqual(bad, [], `${s.file} reaches past the transport: ${[...new Set(bad)].join(', ')}`);
  }
});

// What the HTTP side may know of WebSockets: the upgrade hand-off only, one header (is this a
// WebSocket upgrade, the handshake's answer, the session factory and what it is given).
const handOffHeaders = new Set(['ws/upgrade.h']);
const handOffNames = new Set(['IsWebSocketUpgrade', 'HandshakeOptions', 'HandshakeResult', 'EvaluateHandshake',
  'BuildAcceptResponse', 'NewSession', 'SessionEnv']);

test('src-native/http includes from ws/ only the upgrade hand-off (ws/upgrade.h)', () => {
  for (const s of sources('http')) {
    for (const inc of s.includes.filter((x) => x.startsWith('ws/'))) {
      assert.ok(handOffHeaders.has(inc), `${s.file} includes ${inc}: http/ may include only ` +
        [...handOffHeaders].join(', '));
    }
  }
});

test('src-native/http names no WebSocket internals beyond the upgrade hand-off', () => {
  for (const s of sources('http')) {
    const wsNames = uses(s, /\bws::\w+/).map((x) => x.slice(4)).filter((x) => !handOffNames.has(x));
    assert.deepEqual(wsNames, [], `${s.file} uses ws:: names outside the hand-off`);
    const internals = uses(s, /\b(WsSession|FrameParser|FrameSink|PerMessageDeflate|FrameHeader|kWebSocket|WsSend|WsClose|WsCloseAck|CloseForShutdown|OnCloseAck)\b/);
    assert.deepEqual(internals, [], `${s.file} names WebSocket internals: ${[...new Set(internals)].join(', ')}`);
  }
});

test('src-native/transport knows no protocol; its interfaces are pure', () => {
  const t = sources('transport');
  for (const f of ['transport.h', 'events.h', 'receive_budget.h', 'socket_transport.h', 'io_context.h']) {
    assert.ok(t.some((s) => s.file === `transport/${f}`), `transport/${f} exists (shared by http/ and ws/)`);
  }
  for (const s of t) {
    for (const inc of s.includes) {
      assert.ok(!/^(ws|http|static|binding)\//.test(inc) && inc !== 'napi.h' &&
        (!inc.startsWith('loop/') || inc === 'loop/thread_check.h'),
      `${s.file} includes ${inc}: the transport depends on no protocol (and of loop/ only on thread_check.h)`);
      if (pureTransport.has(s.file)) {
        assert.ok(inc !== 'uv.h' && !inc.startsWith('loop/'), `${s.file} is a pure interface but includes ${inc}`);
      }
    }
    const bad = uses(s, /\b(WsSession|Http1Handler|Connection|Server\w*|Parser\w*|Request|ResponseSpec|FrameParser|llhttp\w*)\b/);
    assert.deepEqual(bad, [], `${s.file} names a protocol's types: ${[...new Set(bad)].join(', ')}`);
    const kinds = uses(s, /\bProtocolKind::\w+/);
    assert.deepEqual(kinds, [], `${s.file} looks at a handler's kind: the transport treats every handler alike`);
  }
});

test('the socket (uv stream, reads, writes, timer, close) is the transport\'s alone: http/ and ws/ make no stream calls', () => {
  const streamCalls = /\b(uv_read_start|uv_read_stop|uv_write|uv_try_write|uv_shutdown|uv_close|uv_timer_\w+|uv_fileno|uv_tcp_nodelay|sendfile|uv_stream_t)\b/;
  for (const s of [...sources('http').filter((x) => !/^http\/server\./.test(x.file)), ...sources('ws')]) {
    const bad = uses(s, streamCalls);
    assert.deepEqual(bad, [], `${s.file} touches the socket directly: ${[...new Set(bad)].join(', ')}`);
  }
  for (const s of sources('http').filter((x) => /^http\/http1_/.test(x.file))) {
    assert.ok(!s.includes.includes('uv.h'), `${s.file} includes uv.h: the HTTP handler speaks through SocketTransport`);
  }
});

test('Connection is gone: its successors are the transport (socket) and the HTTP/1.1 handler', () => {
  for (const folder of ['binding', 'http', 'ws', 'transport', 'loop']) {
    for (const s of sources(folder)) {
      const bad = uses(s, /\bConnection\b/);
      assert.deepEqual(bad, [], `${s.file} still names Connection`);
    }
  }
  assert.ok(!fs.existsSync(path.join(native, 'http', 'connection.h')));
});

test('no C++ file in src-native is over 700 lines (house style; generated tables excepted)', () => {
  const long: string[] = [];
  (function walk(dir: string): void {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (/\.(h|cc)$/.test(ent.name)) {
        const lines = fs.readFileSync(p, 'utf8').split('\n').length - 1;
        if (lines > 700) long.push(`${path.relative(native, p)} (${lines})`);
      }
    }
  })(native);
  assert.deepEqual(long, [], 'split these files by concern');
});

test('src-native/platform includes nothing of ours (the OS layer under every other)', () => {
  const p = sources('platform');
  assert.ok(p.some((s) => s.file === 'platform/file.h'));
  for (const s of p) {
    for (const inc of s.includes) {
      assert.ok(!/^(http|ws|loop|binding|static|transport|util)\//.test(inc) && inc !== 'napi.h' &&
        (inc !== 'uv.h' || s.file.endsWith('_win.cc')),
      `${s.file} includes ${inc}: platform/ sits under every layer (uv.h only in *_win.cc)`);
    }
  }
});

test('the WebSocket session is unit-tested against a fake transport (test:native-pure)', () => {
  const script = fs.readFileSync(path.join(root, 'scripts', 'test-native-pure.sh'), 'utf8');
  assert.match(script, /ws_session/, 'test-native-pure.sh builds ws/ws_session.cc without libuv');
  const t = fs.readFileSync(path.join(root, 'test', 'native', 'cpp', 'ws_pure_session_transport_test.cc'), 'utf8');
  assert.match(t, /struct FakeTransport : Transport/);
});

/** Every header a file reaches through #include "…" (quoted includes resolved under src-native). */
function includeClosure(file: string): Set<string> {
  const seen = new Set<string>();
  const todo = [file];
  while (todo.length > 0) {
    const f = todo.pop()!;
    const text = fs.readFileSync(path.join(native, f), 'utf8');
    for (const m of text.matchAll(/^\s*#\s*include\s*"([^"]+)"/gm)) {
      if (!seen.has(m[1]) && fs.existsSync(path.join(native, m[1]))) {
        seen.add(m[1]);
        todo.push(m[1]);
      }
    }
  }
  return seen;
}

test('src-native/ws and src-native/transport reach nothing in http/ even through other headers', () => {
  for (const s of sources('ws')) {
    const reached = [...includeClosure(s.file)].filter((f) => !/^(ws|util|platform)\//.test(f) && !pureTransport.has(f));
    assert.deepEqual(reached, [], `${s.file} reaches ${reached.join(', ')} through its includes`);
  }
  for (const s of sources('transport')) {
    const reached = [...includeClosure(s.file)]
      .filter((f) => /^(ws|http|static|binding|loop)\//.test(f) && f !== 'loop/thread_check.h');
    assert.deepEqual(reached, [], `${s.file} reaches ${reached.join(', ')} through its includes`);
  }
});

test('no RTTI routing in src-native: commands reach a handler through its route and kind tag', () => {
  for (const folder of ['binding', 'http', 'ws', 'transport', 'loop', 'static', 'util']) {
    for (const s of sources(folder)) {
      const bad = uses(s, /\b(dynamic_cast|typeid)\b/);
      assert.deepEqual(bad, [], `${s.file} uses ${bad.join(', ')}`);
    }
  }
});
