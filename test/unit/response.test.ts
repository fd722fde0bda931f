// App responses → NativeResponse records (src/response.ts), alone: no addon, no server.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareResponse, releaseResponse, ResponseError } from '../../src/response.js';
import { addonLoaded } from './fake-binding.js';

test('each body shape gives one NativeResponse: none, string, bytes, file', () => {
  assert.deepEqual(prepareResponse({ status: 204 }, undefined, true),
    { status: 204, headers: [], body: null, file: null, fileOwned: false, gzip: false });
  assert.deepEqual(prepareResponse({ status: 200, headers: { A: 1, B: true }, body: 'hi' }, undefined, true),
    { status: 200, headers: ['A', '1', 'B', 'true'], body: 'hi', file: null, fileOwned: false, gzip: false });
  const r = prepareResponse({ status: 200, body: Buffer.from('ab') }, undefined, false);
  assert.ok(r.body instanceof Uint8Array);
  assert.deepEqual([...(r.body as Uint8Array)], [97, 98]);
  assert.deepEqual(prepareResponse({ status: 200, headers: [['Set-Cookie', 'a'], ['Set-Cookie', 'b']],
    body: { file: '/x', owned: true } }, undefined, false),
  { status: 200, headers: ['Set-Cookie', 'a', 'Set-Cookie', 'b'], body: null, file: '/x', fileOwned: true, gzip: false });
});

test('gzip is decided here: compressible and big enough, Vary added, q-values honoured', () => {
  const big = 'x'.repeat(2000);
  const yes = prepareResponse({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: big }, 'gzip', true);
  assert.equal(yes.gzip, true);
  assert.deepEqual(yes.headers, ['Content-Type', 'text/plain', 'Vary', 'Accept-Encoding']);
  assert.equal(prepareResponse({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: big }, 'gzip;q=0', true).gzip, false);
  assert.equal(prepareResponse({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'small' }, 'gzip', true).gzip, false);
  assert.equal(prepareResponse({ status: 200, headers: { 'Content-Type': 'image/png' }, body: big }, 'gzip', true).gzip, false);
  assert.equal(prepareResponse({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: big }, 'gzip', false).gzip, false);
});

test('a malformed response is a ResponseError naming what is wrong', () => {
  assert.throws(() => prepareResponse(undefined, undefined, false), (e: unknown) => e instanceof ResponseError && /returned nothing/.test((e as Error).message));
  assert.throws(() => prepareResponse({ status: 101 }, undefined, false), /invalid response status/);
  assert.throws(() => prepareResponse({ status: 200, headers: { 'Bad Name': 'x' } }, undefined, false), /invalid header name/);
  assert.throws(() => prepareResponse({ status: 200, headers: { A: 'x\r\ny' } }, undefined, false), /not allowed in a header value/);
  assert.throws(() => prepareResponse({ status: 200, body: 42 }, undefined, false), /body must be/);
  assert.throws(() => prepareResponse({ status: 200, body: { file: 'a\0b' } }, undefined, false), /without NUL/);
});

test('header names and values checked once are remembered, and a bad one is still refused after good ones', () => {
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(prepareResponse({ status: 200, headers: { 'X-Same': 'v 1' } }, undefined, false).headers, ['X-Same', 'v 1']);
  }
  assert.throws(() => prepareResponse({ status: 200, headers: { 'X-Same': 'v 1\r\nInjected: 1' } }, undefined, false), ResponseError);
  assert.throws(() => prepareResponse({ status: 200, headers: { 'X Same': 'v 1' } }, undefined, false), ResponseError);
  const long = 'a'.repeat(5000);
  assert.deepEqual(prepareResponse({ status: 200, headers: { 'X-Long': long } }, undefined, false).headers, ['X-Long', long]);
  assert.throws(() => prepareResponse({ status: 200, headers: { 'X-Long': long + '\u0100' } }, undefined, false), ResponseError);
  // Past the bound of remembered values (1024), checking goes on as before.
  for (let i = 0; i < 1500; i++) prepareResponse({ status: 200, headers: { [`X-N${i}`]: `v${i}` } }, undefined, false);
  assert.throws(() => prepareResponse({ status: 200, headers: { 'X-N1': 'v\u0000' } }, undefined, false), ResponseError);
});

test('an owned file of a refused response is deleted; releaseResponse deletes one once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-unit-'));
  try {
    const refused = path.join(dir, 'refused');
    fs.writeFileSync(refused, 'x');
    assert.throws(() => prepareResponse({ status: 'x', body: { file: refused, owned: true } }, undefined, false), ResponseError);
    const released = path.join(dir, 'released');
    fs.writeFileSync(released, 'x');
    const r = prepareResponse({ status: 200, body: { file: released, owned: true } }, undefined, false);
    releaseResponse(r);
    assert.equal(r.fileOwned, false);
    const deadline = Date.now() + 5000;
    while ((fs.existsSync(refused) || fs.existsSync(released)) && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(fs.existsSync(refused), false);
    assert.equal(fs.existsSync(released), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(addonLoaded(), false);
});
