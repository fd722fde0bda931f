// The argument checks every public function uses (src/validate.ts).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  argumentError, assertBoolean, assertFunction, assertInteger, assertKnownKeys, assertPlainObject, assertString,
  describe, isHttpToken, isPlainObject, rangeError, valueError,
} from '../../src/validate.js';

test('describe gives short, safe descriptions', () => {
  assert.equal(describe(null), 'null');
  assert.equal(describe(undefined), 'undefined');
  assert.equal(describe('ab'), 'string "ab"');
  assert.equal(describe('x'.repeat(50)), `string "${'x'.repeat(40)}…"`);
  assert.equal(describe(3), 'number 3');
  assert.equal(describe(true), 'boolean true');
  assert.equal(describe(10n), 'bigint 10');
  assert.equal(describe(() => 1), 'function');
  assert.equal(describe([1]), 'array');
  assert.equal(describe(Buffer.from('a')), 'Buffer');
  assert.equal(describe({}), 'object (Object)');
  assert.equal(describe(new Map()), 'object (Map)');
  assert.equal(describe(Symbol('s')), 'symbol');
});

test('argumentError / rangeError / valueError: one message shape, a code', () => {
  const t = argumentError('port', 'an integer', 'x');
  assert.ok(t instanceof TypeError);
  assert.equal(t.message, 'port must be an integer, got string "x"');
  assert.equal((t as { code?: string }).code, 'ERR_INVALID_ARG_TYPE');
  const r = rangeError('port', 'an integer from 0 to 65535', 70000);
  assert.ok(r instanceof RangeError);
  assert.equal(r.message, 'port must be an integer from 0 to 65535, got number 70000');
  assert.equal((r as { code?: string }).code, 'ERR_OUT_OF_RANGE');
  const v = valueError('validation', 'a rule', 'x');
  assert.ok(v instanceof TypeError);
  assert.equal(v.message, 'validation must be a rule, got string "x"');
  assert.equal((v as { code?: string }).code, 'ERR_INVALID_ARG_VALUE');
});

test('isPlainObject', () => {
  assert.ok(isPlainObject({}));
  assert.ok(isPlainObject(Object.create(null)));
  assert.ok(isPlainObject(Object.freeze({ a: 1 })));
  for (const v of [null, undefined, [], new Map(), new Date(), 'x', 1, () => 1, new (class A {})()]) {
    assert.ok(!isPlainObject(v), describe(v));
  }
});

test('assertString / assertBoolean / assertFunction / assertPlainObject', () => {
  assertString('s', '');
  assert.throws(() => assertString('s', 1), { name: 'TypeError', message: 's must be a string, got number 1' });
  assertBoolean('b', false);
  assert.throws(() => assertBoolean('b', 0), TypeError);
  assertFunction('f', () => 1);
  assert.throws(() => assertFunction('f', {}), TypeError);
  assertPlainObject('o', {});
  assert.throws(() => assertPlainObject('o', []), /^TypeError: o must be a plain object, got array$/);
});

test('assertInteger: TypeError for non-numbers, RangeError for out-of-range or fractional', () => {
  assertInteger('n', 0);
  assertInteger('n', 5, 5, 5);
  assertInteger('n', -3);
  assert.throws(() => assertInteger('n', '1'), TypeError);
  assert.throws(() => assertInteger('n', 1n), TypeError);
  assert.throws(() => assertInteger('n', 1.5), RangeError);
  assert.throws(() => assertInteger('n', NaN), RangeError);
  assert.throws(() => assertInteger('n', Infinity), RangeError);
  assert.throws(() => assertInteger('n', 4, 5), { name: 'RangeError', message: /^n must be an integer from 5 to/ });
  assert.throws(() => assertInteger('n', 6, 0, 5), { message: 'n must be an integer from 0 to 5, got number 6' });
});

test('assertKnownKeys names every unknown key', () => {
  assertKnownKeys('options', { a: 1 }, ['a', 'b']);
  assertKnownKeys('options', {}, []);
  assert.throws(() => assertKnownKeys('options', { a: 1, x: 2 }, ['a']), (e: unknown) =>
    e instanceof TypeError && e.message === 'options has unknown option: x (known: a)' &&
    (e as { code?: string }).code === 'ERR_INVALID_ARG_VALUE');
  assert.throws(() => assertKnownKeys('options', { x: 1, y: 2 }, ['a', 'b']), /unknown options: x, y \(known: a, b\)/);
});

test('isHttpToken', () => {
  for (const ok of ['Content-Type', 'x', "!#$%&'*+-.^_`|~09AZaz", 'utf-8']) assert.ok(isHttpToken(ok), ok);
  for (const bad of ['', 'a b', 'a:b', 'a\r', 'é', '(a)', 'a"b', 'a/b', 'a,b']) assert.ok(!isHttpToken(bad), bad);
});
