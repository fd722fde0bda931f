// Issue 15, scope 1 / acceptance 1: HTTP and WebSocket no longer depend on each other. A
// transport (src-native/transport/transport.h: the socket side) owns one protocol handler at a
// time; the HTTP connection hands the socket to a WebSocket handler at the upgrade and never
// names the session's type again; the WebSocket session reaches its socket only through the
// Transport interface. These checks read the C++ sources (comments and string literals stripped)
// so that a change that points a dependency back fails `npm test`, not a later review.
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

test('src-native/ws includes nothing from http/, loop/, binding/, uv.h or napi.h', () => {
  const ws = sources('ws');
  assert.ok(ws.some((s) => s.file === 'ws/ws_session.cc'), 'the session lives in ws/');
  for (const s of ws) {
    for (const inc of s.includes) {
      assert.ok(!/^(http|loop|binding)\//.test(inc) && inc !== 'uv.h' && inc !== 'napi.h',
        `${s.file} includes ${inc}: ws/ may use the transport interface (transport/transport.h), ` +
        'never the HTTP connection, the server or libuv');
    }
  }
});

test('src-native/ws names no HTTP connection, server, registry or libuv call', () => {
  for (const s of sources('ws')) {
    const bad = uses(s, /\b(Connection|ServerRegistry|Server|ServerLimits|ServerStats|Parser|ParserDelegate|uv_\w+)\b/);
    assert.deepEqual(bad, [], `${s.file} reaches past the transport: ${[...new Set(bad)].join(', ')}`);
  }
});

// What the HTTP side may know of WebSockets: the upgrade hand-off only (is this a WebSocket
// upgrade, the handshake's answer, the session factory and what it is given).
const handOffHeaders = new Set(['ws/handshake.h', 'ws/upgrade.h', 'ws/ws_limits.h', 'ws/ws_counters.h']);
const handOffNames = new Set(['IsWebSocketUpgrade', 'HandshakeOptions', 'HandshakeResult', 'EvaluateHandshake',
  'BuildAcceptResponse', 'NewSession', 'SessionEnv']);

test('src-native/http includes from ws/ only the upgrade hand-off', () => {
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

test('src-native/transport is pure and knows no protocol', () => {
  const t = sources('transport');
  for (const f of ['transport.h', 'events.h', 'receive_budget.h']) {
    assert.ok(t.some((s) => s.file === `transport/${f}`), `transport/${f} exists (shared by http/ and ws/)`);
  }
  for (const s of t) {
    for (const inc of s.includes) {
      assert.ok(!/^(ws|http|static|binding|loop)\//.test(inc) && inc !== 'uv.h' && inc !== 'napi.h',
        `${s.file} includes ${inc}: the transport interface depends on no protocol`);
    }
    const bad = uses(s, /\b(WsSession|Connection|Server\w*|Parser\w*|Request|ResponseSpec)\b/);
    assert.deepEqual(bad, [], `${s.file} names a protocol's types: ${[...new Set(bad)].join(', ')}`);
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
  for (const s of [...sources('ws'), ...sources('transport')]) {
    const reached = [...includeClosure(s.file)].filter((f) => /^(http|static|binding|loop)\//.test(f));
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
