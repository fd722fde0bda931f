// randomPort with R httpuv's semantics, driven by a fake availability probe.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRandomPort, UNSAFE_PORTS } from '../../src/random-port.js';
import { seededRng } from '../helpers/seeded-rng.js';


function recorder(available: (port: number) => boolean = () => true) {
  const calls: [number, string][] = [];
  const probe = (port: number, host: string): boolean => {
    calls.push([port, host]);
    return available(port);
  };
  return { calls, probe };
}

test('UNSAFE_PORTS is httpuv\'s list of 67 ports, sorted and frozen', () => {
  assert.equal(UNSAFE_PORTS.length, 67);
  assert.deepEqual([...UNSAFE_PORTS].sort((a, b) => a - b), [...UNSAFE_PORTS]);
  assert.equal(new Set(UNSAFE_PORTS).size, 67);
  assert.ok(Object.isFrozen(UNSAFE_PORTS));
  for (const p of [1, 22, 25, 6000, 6665, 6669, 6697, 2049, 4045]) assert.ok(UNSAFE_PORTS.includes(p), String(p));
  assert.equal(UNSAFE_PORTS[0], 1);
  assert.equal(UNSAFE_PORTS[66], 6697);
});

test('defaults: 20 distinct random ports within 1024..49151, host 127.0.0.1', () => {
  const { calls, probe } = recorder(() => false);
  const randomPort = createRandomPort(probe, seededRng(1));
  assert.throws(() => randomPort(), (e: Error & { code?: string }) =>
    e.code === 'ERR_HTTPUV_UNAVAILABLE_PORT' && e.message === 'Cannot find an available port.');
  assert.equal(calls.length, 20);
  assert.equal(new Set(calls.map(([p]) => p)).size, 20);
  for (const [port, host] of calls) {
    assert.ok(port >= 1024 && port <= 49151);
    assert.ok(!UNSAFE_PORTS.includes(port));
    assert.equal(host, '127.0.0.1');
  }
});

test('returns the first available candidate', () => {
  const { calls, probe } = recorder();
  const randomPort = createRandomPort(probe, seededRng(2));
  const port = randomPort();
  assert.equal(calls.length, 1);
  assert.equal(port, calls[0][0]);
  const { calls: c2, probe: p2 } = recorder((p) => p % 2 === 0);
  const port2 = createRandomPort(p2, seededRng(3))(2000, 3000, '::1', 50);
  assert.equal(port2 % 2, 0);
  assert.equal(c2[c2.length - 1][0], port2);
  assert.equal(c2[0][1], '::1');
});

test('unsafe ports are never tried', () => {
  const { calls, probe } = recorder(() => false);
  const randomPort = createRandomPort(probe, seededRng(4));
  assert.throws(() => randomPort(6660, 6700, '127.0.0.1', 100));
  const tried = calls.map(([p]) => p);
  assert.equal(tried.length, 41 - 6);
  for (const p of [6665, 6666, 6667, 6668, 6669, 6697]) assert.ok(!tried.includes(p));
});

test('n < 2 tries every valid port in ascending order (httpuv)', () => {
  const { calls, probe } = recorder(() => false);
  const randomPort = createRandomPort(probe, () => { throw new Error('must not sample'); });
  assert.throws(() => randomPort(1, 30, '127.0.0.1', 1), { code: 'ERR_HTTPUV_UNAVAILABLE_PORT' });
  const expected = Array.from({ length: 30 }, (_, i) => i + 1).filter((p) => !UNSAFE_PORTS.includes(p));
  assert.deepEqual(calls.map(([p]) => p), expected);
});

test('n is capped at the number of valid ports; a range with one valid port is scanned', () => {
  const { calls, probe } = recorder(() => false);
  const randomPort = createRandomPort(probe, seededRng(5));
  assert.throws(() => randomPort(8000, 8009, '127.0.0.1', 20));
  assert.deepEqual(calls.map(([p]) => p).sort((a, b) => a - b), [8000, 8001, 8002, 8003, 8004, 8005, 8006, 8007, 8008, 8009]);
  const r2 = recorder();
  assert.equal(createRandomPort(r2.probe)(8080, 8080), 8080);
  assert.equal(createRandomPort(recorder().probe)(22, 23 + 1), 24); // 22 and 23 are unsafe
});

test('min and max are clamped to 1..65535', () => {
  const { calls, probe } = recorder(() => false);
  const randomPort = createRandomPort(probe, seededRng(6));
  assert.throws(() => randomPort(-100, 5, '127.0.0.1', 1));
  assert.deepEqual(calls.map(([p]) => p), [2, 3, 4, 5]);
  const r2 = recorder(() => false);
  assert.throws(() => createRandomPort(r2.probe, seededRng(7))(65530, 70000, '127.0.0.1', 1));
  assert.deepEqual(r2.calls.map(([p]) => p), [65530, 65531, 65532, 65533, 65534, 65535]);
});

test('a range with only unsafe ports has no candidates', () => {
  const { calls, probe } = recorder();
  assert.throws(() => createRandomPort(probe)(1, 1), { code: 'ERR_HTTPUV_UNAVAILABLE_PORT' });
  assert.equal(calls.length, 0);
});

test('a probe that throws counts as unavailable; only true counts as available', () => {
  let i = 0;
  const randomPort = createRandomPort((port) => {
    i++;
    if (port === 3000) throw new Error('boom');
    return (port === 3002 ? true : (1 as unknown as boolean));
  });
  assert.equal(randomPort(3000, 3005, '127.0.0.1', 1), 3002);
  assert.equal(i, 3);
});

test('sampling is uniform-ish and without replacement', () => {
  const counts = new Map<number, number>();
  const randomPort = createRandomPort((port) => {
    counts.set(port, (counts.get(port) ?? 0) + 1);
    return false;
  }, seededRng(8));
  for (let k = 0; k < 200; k++) assert.throws(() => randomPort(5000, 5009, '127.0.0.1', 5));
  assert.equal(counts.size, 10);
  for (const c of counts.values()) assert.ok(c > 60 && c < 140, String(c)); // expected 100 each
});

test('argument validation names the argument', () => {
  const randomPort = createRandomPort(() => true);
  const check = (f: () => unknown, type: ErrorConstructor, name: string): void => {
    assert.throws(f, (e: unknown) => e instanceof type && (e as Error).message.startsWith(name + ' '));
  };
  check(() => randomPort('1' as unknown as number), TypeError, 'min');
  check(() => randomPort(1.5), RangeError, 'min');
  check(() => randomPort(NaN), RangeError, 'min');
  check(() => randomPort(1024, null as unknown as number), TypeError, 'max');
  check(() => randomPort(1024, 2000.5), RangeError, 'max');
  check(() => randomPort(1024, 2000, 5 as unknown as string), TypeError, 'host');
  check(() => randomPort(1024, 2000, 'localhost'), TypeError, 'host');
  check(() => randomPort(1024, 2000, '127.0.0.1', 0), RangeError, 'n');
  check(() => randomPort(1024, 2000, '127.0.0.1', 2.5), RangeError, 'n');
  check(() => randomPort(1024, 2000, '127.0.0.1', '3' as unknown as number), TypeError, 'n');
  check(() => randomPort(3000, 2000), RangeError, 'min');
  check(() => randomPort(70000), RangeError, 'min');
  check(() => randomPort(1024, 0), RangeError, 'min');
  assert.throws(() => createRandomPort(undefined as unknown as () => boolean), TypeError);
  // undefined takes the default, as in R
  assert.equal(typeof randomPort(undefined, undefined, undefined, undefined), 'number');
});
