// Request events → Rook environments (src/rook.ts), alone: events built in the packed layout of
// src/native.ts, no addon.
import test from 'node:test';
import assert from 'node:assert/strict';
import { unpackRequest, type RequestEvent } from '../../src/native.js';
import { attachBody, buildRequest } from '../../src/rook.js';
import { addonLoaded } from './fake-binding.js';

function event(method: string, target: string, headers: [string, string][], body: Buffer | null = null): RequestEvent {
  const fields = ['3', '77', '1', '40001', '8080', method, target, '10.0.0.2', '10.0.0.1'];
  for (const [n, v] of headers) fields.push(n, v);
  return [1, fields.join('\0'), body, -1, body === null ? 0 : body.length];
}

test('the packed fields land in the CGI-style members; repeated headers join as httpuv does', () => {
  const ev = event('GET', '/a/b?x=1&y', [['Host', 'h'], ['Accept', 'a'], ['accept', 'b'], ['X-Empty', ''],
    ['Content-Type', 'text/plain'], ['Content-Length', '0']]);
  const u = unpackRequest(ev);
  assert.equal(u.serverId, 3);
  assert.equal(u.id, 77);
  const { req, body } = buildRequest(ev, u, true);
  assert.equal(body, null);
  assert.equal(req.REQUEST_METHOD, 'GET');
  assert.equal(req.PATH_INFO, '/a/b');
  assert.equal(req.QUERY_STRING, '?x=1&y');
  assert.equal(req.SERVER_NAME, '10.0.0.1');
  assert.equal(req.SERVER_PORT, '8080');
  assert.equal(req.REMOTE_ADDR, '10.0.0.2');
  assert.equal(req.REMOTE_PORT, '40001');
  assert.equal(req.HEADERS.accept, 'a,b');
  assert.equal(req.HTTP_ACCEPT, 'a,b');
  assert.equal(req.HEADERS['x-empty'], '');
  assert.equal(req.CONTENT_TYPE, 'text/plain');
  assert.equal(req.CONTENT_LENGTH, '0');
  assert.equal(req['rook.input'].read().length, 0);
});

test('an absolute-form target keeps only its path and query', () => {
  const ev = event('GET', 'http://example.com:81/p?q', []);
  const { req } = buildRequest(ev, unpackRequest(ev), true);
  assert.equal(req.PATH_INFO, '/p');
  assert.equal(req.QUERY_STRING, '?q');
});

test('rook.input reads, reads lines and rewinds; a body attached after onHeaders replaces the empty one', () => {
  const ev = event('POST', '/', [], Buffer.from('one\r\ntwo\nthree'));
  const { req } = buildRequest(ev, unpackRequest(ev), true);
  const input = req['rook.input'];
  assert.deepEqual(input.read_lines(2), ['one', 'two']);
  assert.equal(input.read().toString(), 'three');
  input.rewind();
  assert.equal(input.read(3).toString(), 'one');

  const headersOnly = event('POST', '/', []);
  const built = buildRequest(headersOnly, unpackRequest(headersOnly), false);
  assert.equal(built.req['rook.input'].read().length, 0);
  attachBody(built, event('POST', '/', [], Buffer.from('late body')));
  assert.equal(built.req['rook.input'].read().toString(), 'late body');
  assert.equal(addonLoaded(), false);
});

test('unpackRequest splits the packed fields exactly as split("\\0") would: empty fields anywhere, NUL runs, no NUL', () => {
  const ev = (packed: string): RequestEvent => [1, packed, null, -1, 0];
  const samples = ['', '\0', '\0\0', 'a', '7\0', '\0x', '7\x001\0\0\0GET\0/\0\0\0Host\0', 'only-one-field',
    ['7', '12', '1', '40000', '8080', 'GET', '/a?b', '127.0.0.1', '::1', 'X-Empty', '', 'X-Latin1', 'caf\u00e9'].join('\0')];
  // Random strings over {a, é, NUL} of every length up to 12.
  let seed = 19;
  for (let n = 0; n <= 12; n++) {
    for (let k = 0; k < 20; k++) {
      let s = '';
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        s += ['a', '\u00e9', '\0'][seed % 3];
      }
      samples.push(s);
    }
  }
  for (const s of samples) {
    const u = unpackRequest(ev(s));
    assert.deepEqual(u.parts, s.split('\0'), JSON.stringify(s));
    assert.equal(u.serverId, Number(s.split('\0')[0]));
  }
});
