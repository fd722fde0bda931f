// rawToBase64, as R httpuv's.
import test from 'node:test';
import assert from 'node:assert/strict';
import { rawToBase64 } from '../../src/base64.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

test('RFC 4648 §10 test vectors, as arrays and as Uint8Array', () => {
  const vectors: [string, string][] = [
    ['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
  ];
  for (const [plain, encoded] of vectors) {
    assert.equal(rawToBase64(ascii(plain)), encoded);
    assert.equal(rawToBase64(Uint8Array.from(ascii(plain))), encoded);
  }
});

test('raw() gives ""', () => {
  assert.equal(rawToBase64([]), '');
  assert.equal(rawToBase64(new Uint8Array(0)), '');
});

test('standard alphabet with + and /, padding, no line breaks', () => {
  assert.equal(rawToBase64([0xfb, 0xff]), '+/8=');
  assert.equal(rawToBase64([0xfb, 0xef, 0xbe]), '++++');
  assert.equal(rawToBase64([0xff, 0xff, 0xff]), '////');
  assert.equal(rawToBase64([0, 0, 0]), 'AAAA');
  const long = rawToBase64(new Uint8Array(300).fill(7));
  assert.equal(long.length, 400);
  assert.doesNotMatch(long, /[\r\n]/);
});

test('manual example: set.seed(100); rawToBase64(as.raw(runif(19, 0, 256)))', () => {
  // The 19 bytes R draws, written out so the test does not depend on R's RNG.
  const bytes = [0x4e, 0x41, 0x8d, 0x0e, 0x77, 0x7b, 0xcf, 0x5e, 0x8b, 0x2b, 0x9f, 0xe1, 0x47, 0x66, 0xc3,
    0xab, 0x34, 0x5b, 0x5c];
  assert.equal(rawToBase64(bytes), 'TkGNDnd7z16LK5/hR2bDqzRbXA==');
});

test('Buffers and views with an offset encode only their own bytes', () => {
  assert.equal(rawToBase64(Buffer.from('foobar')), 'Zm9vYmFy');
  const backing = new Uint8Array(ascii('xxfooxx'));
  assert.equal(rawToBase64(backing.subarray(2, 5)), 'Zm9v');
});

test('all 256 byte values agree with Buffer', () => {
  const all = Array.from({ length: 256 }, (_, i) => i);
  assert.equal(rawToBase64(all), Buffer.from(all).toString('base64'));
});

test('bad input: TypeError / RangeError naming x', () => {
  for (const bad of [undefined, null, 'abc', 12, {}, new Uint16Array(2), new ArrayBuffer(2)]) {
    assert.throws(() => rawToBase64(bad as unknown as number[]), (e: unknown) => e instanceof TypeError && /^x /.test(e.message));
  }
  assert.throws(() => rawToBase64(['a'] as unknown as number[]), (e: unknown) => e instanceof TypeError && /^x\[0\]/.test(e.message));
  for (const v of [256, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => rawToBase64([0, v]), (e: unknown) => e instanceof RangeError && /^x\[1\]/.test(e.message));
  }
});
