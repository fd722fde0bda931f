// R httpuv's encodeURI/encodeURIComponent/decodeURI/decodeURIComponent (test-utils.R).
import test from 'node:test';
import assert from 'node:assert/strict';
import { decodeURI, decodeURIComponent, encodeURI, encodeURIComponent } from '../../src/uri.js';

const utf8Str = 'abc \u00e5 \u4e2d\r\n';
const utf8StrEncoded = 'abc%20%C3%A5%20%E4%B8%AD%0D%0A';
const reservedStr = ',/?:@';
const reservedStrEncoded = '%2C%2F%3F%3A%40';

test('test-utils.R: UTF-8 text round-trips through all four functions', () => {
  assert.equal(encodeURI(utf8Str), utf8StrEncoded);
  assert.equal(encodeURIComponent(utf8Str), utf8StrEncoded);
  assert.equal(decodeURI(utf8StrEncoded), utf8Str);
  assert.equal(decodeURIComponent(utf8StrEncoded), utf8Str);
});

test('test-utils.R: reserved characters differ between the URI and component forms', () => {
  assert.equal(encodeURI(reservedStr), reservedStr);
  assert.equal(encodeURIComponent(reservedStr), reservedStrEncoded);
  assert.equal(decodeURI(reservedStrEncoded), reservedStrEncoded);
  assert.equal(decodeURIComponent(reservedStrEncoded), reservedStr);
});

test('test-utils.R: decoding text that is not encoded is the identity', () => {
  assert.equal(decodeURI(utf8Str), utf8Str);
  assert.equal(decodeURIComponent(utf8Str), utf8Str);
  assert.equal(decodeURI(reservedStr), reservedStr);
  assert.equal(decodeURIComponent(reservedStr), reservedStr);
});

test('test-utils.R: vector input', () => {
  assert.deepEqual(encodeURI([reservedStr, utf8Str]), [reservedStr, utf8StrEncoded]);
  assert.deepEqual(encodeURIComponent([reservedStr, utf8Str]), [reservedStrEncoded, utf8StrEncoded]);
  assert.deepEqual(decodeURI([reservedStrEncoded, utf8StrEncoded]), [reservedStrEncoded, utf8Str]);
  assert.deepEqual(decodeURIComponent([reservedStrEncoded, utf8StrEncoded]), [reservedStr, utf8Str]);
});

test('test-utils.R: NA (null) maps to null, alone and inside arrays', () => {
  for (const f of [encodeURI, encodeURIComponent, decodeURI, decodeURIComponent]) {
    assert.equal(f(null), null);
    assert.deepEqual(f(['a b', null, '']), [f('a b'), null, '']);
    assert.deepEqual(f([]), []);
  }
});

test('test-utils.R: "å" encodes to its UTF-8 bytes (both R encodings give %C3%A5)', () => {
  assert.equal(encodeURI('\u00e5'), '%C3%A5');
  assert.equal(encodeURIComponent('\u00e5'), '%C3%A5');
  // The same character written as a combining-free code point or from latin1 bytes is the same JS string.
  assert.equal(encodeURI(Buffer.from([0xe5]).toString('latin1')), '%C3%A5');
});

test('encodeURI keeps the unreserved and reserved sets, escapes # and everything else', () => {
  const unreserved = 'ABCXYZabcxyz0189-_.!~*\'()';
  assert.equal(encodeURI(unreserved), unreserved);
  assert.equal(encodeURIComponent(unreserved), unreserved);
  assert.equal(encodeURI(';,/?:@&=+$'), ';,/?:@&=+$');
  assert.equal(encodeURIComponent(';,/?:@&=+$'), '%3B%2C%2F%3F%3A%40%26%3D%2B%24');
  // `#` differs from JavaScript's encodeURI.
  assert.equal(encodeURI('a#b'), 'a%23b');
  assert.equal(globalThis.encodeURI('a#b'), 'a#b');
  assert.equal(encodeURI(' "%<>[]{|}^`\\'), '%20%22%25%3C%3E%5B%5D%7B%7C%7D%5E%60%5C');
});

test('encoding: every byte is two uppercase, zero-padded hex digits', () => {
  assert.equal(encodeURIComponent('\u0000\u0001\u000f\u007f'), '%00%01%0F%7F');
  assert.equal(encodeURIComponent('\u00ff'), '%C3%BF');
  assert.equal(encodeURI('\u{1F600}'), '%F0%9F%98%80');
  assert.equal(encodeURI(''), '');
});

test('encoding: a lone surrogate does not throw (encoded as U+FFFD)', () => {
  assert.throws(() => globalThis.encodeURI('\ud800'), URIError);
  assert.equal(encodeURI('\ud800'), '%EF%BF%BD');
  assert.equal(encodeURIComponent('a\udfffb'), 'a%EF%BF%BDb');
});

test('encoding agrees with JavaScript apart from #', () => {
  const sample = 'Hello wörld/?x=1&y=2#frag ~!*\'()[]';
  assert.equal(encodeURI(sample), globalThis.encodeURI(sample).replace('#', '%23'));
  assert.equal(encodeURIComponent(sample), globalThis.encodeURIComponent(sample));
});

test('decodeURI keeps reserved escapes in their original case but decodes %23', () => {
  assert.equal(decodeURI('%2f%2F'), '%2f%2F');
  assert.equal(decodeURIComponent('%2f%2F'), '//');
  assert.equal(decodeURI('%3b%2c%3f%3a%40%26%3d%2b%24'), '%3b%2c%3f%3a%40%26%3d%2b%24');
  assert.equal(decodeURI('a%23b'), 'a#b');
  assert.equal(globalThis.decodeURI('a%23b'), 'a%23b');
  assert.equal(decodeURIComponent('a%23b'), 'a#b');
});

test('decoding: hex digits in either case', () => {
  assert.equal(decodeURIComponent('%c3%a5%C3%A5'), '\u00e5\u00e5');
  assert.equal(decodeURI('%41%61'), 'Aa');
});

test('decoding: invalid escapes are kept verbatim and their two characters consumed', () => {
  assert.equal(decodeURIComponent('%zz'), '%zz');
  assert.equal(decodeURIComponent('%%41'), '%%41');
  assert.equal(decodeURIComponent('%4g%41'), '%4gA');
  assert.equal(decodeURI('%G1x'), '%G1x');
  // Non-ASCII after `%`: its UTF-8 bytes are copied back together (é is two bytes, both consumed).
  assert.equal(decodeURIComponent('%\u00e9%41'), '%\u00e9A');
  assert.equal(decodeURIComponent('%a\u00e9z'), '%a\u00e9z');
});

test('decoding: characters in the last two positions are emitted as is', () => {
  assert.equal(decodeURIComponent('%4'), '%4');
  assert.equal(decodeURIComponent('%'), '%');
  assert.equal(decodeURIComponent('%41%'), 'A%');
  assert.equal(decodeURIComponent('%41%4'), 'A%4');
  assert.equal(decodeURIComponent('ab%'), 'ab%');
  assert.equal(decodeURIComponent('%41'), 'A');
});

test('decoding: + is not a space, and nothing ever throws', () => {
  assert.equal(decodeURIComponent('a+b'), 'a+b');
  assert.equal(decodeURI('a+b%20c'), 'a+b c');
  assert.throws(() => globalThis.decodeURIComponent('%E0%A4%A'), URIError);
  assert.doesNotThrow(() => decodeURIComponent('%E0%A4%A'));
});

test('decoding: invalid UTF-8 becomes U+FFFD; %00 gives NUL', () => {
  assert.equal(decodeURIComponent('%FF'), '\ufffd');
  assert.equal(decodeURIComponent('a%C3b'), 'a\ufffdb');
  assert.equal(decodeURIComponent('a%00b'), 'a\u0000b');
});

test('decode(encode(x)) is the identity for component encoding', () => {
  const samples = ['', 'plain', utf8Str, '/a b/c?d=e&f#g', '100%', '%41', '\u{1F600}\u4e2d', ';,/?:@&=+$#'];
  for (const s of samples) {
    assert.equal(decodeURIComponent(encodeURIComponent(s)), s);
    assert.equal(decodeURI(encodeURI(s)), s);
  }
});

test('bad argument types throw a TypeError naming value', () => {
  for (const f of [encodeURI, encodeURIComponent, decodeURI, decodeURIComponent] as ((v: unknown) => unknown)[]) {
    for (const bad of [undefined, 1, true, {}, Buffer.from('a'), Symbol('x')]) {
      assert.throws(() => f(bad), (e: unknown) => e instanceof TypeError && /^value/.test(e.message));
    }
    assert.throws(() => f(['a', 1]), (e: unknown) => e instanceof TypeError && /^value\[1\]/.test(e.message));
    assert.throws(() => f(['a', undefined]), TypeError);
  }
});
