// Workers: worker.terminate() with live servers and clients mid-request,
// 60 times (4 child processes x 15, in parallel), and servers in two Workers at once answering
// concurrently with the main thread's. The env cleanup hook must close the Worker's listeners
// before terminate() settles, leave the main thread's servers alone and leak no thread.
import { emulated } from '../helpers/emulation.js';
import { underEmulation } from '../helpers/tools.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { CRASH_RE, explain, pool, runChild, type ChildResult } from './stress-helpers.js';
import { HAS_PROC } from '../helpers/proc.js';

function parse(r: ChildResult): Record<string, unknown> {
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no RESULT line: ${explain(r)}`);
  return JSON.parse(line.slice(7)) as Record<string, unknown>;
}

function assertClean(r: ChildResult): void {
  assert.ok(!r.timedOut && r.code === 0 && r.signal === null && !CRASH_RE.test(r.stderr), explain(r));
}

// Under emulation (qemu): one child of 4 Workers for the 4 x 15, and one two-workers child of one
// round for 2 x 5: every Worker start is seconds of emulated JIT; the counts are load.
const TERMINATE = emulated ? { children: 1, workers: 4 } : { children: 4, workers: 15 };
const TWO = emulated ? { children: 1, rounds: 1 } : { children: 2, rounds: 5 };

test(`worker.terminate() with live servers and clients, ${TERMINATE.children * TERMINATE.workers}x`, { skip: !HAS_PROC && 'needs /proc' }, async () => {
  const results = await pool(TERMINATE.children, TERMINATE.children, () => runChild(['terminate', String(TERMINATE.workers)], 40000));
  for (const r of results) {
    assertClean(r);
    const out = parse(r) as { failures: string[]; threadsAfterFirst: number; threadsEnd: number; left: number };
    assert.deepEqual(out.failures, []);
    assert.equal(out.left, 0);
    // Every Worker's I/O thread was joined: no growth after the first iteration.
    assert.ok(out.threadsEnd <= out.threadsAfterFirst + 1, `threads ${out.threadsAfterFirst} -> ${out.threadsEnd}`);
  }
});

test('servers in two Workers at once answer concurrently (with the main thread)',
  { skip: underEmulation('a child with two Workers under Wine takes over its 40 s deadline') }, async () => {
  const results = await pool(TWO.children, TWO.children, () => runChild(['two-workers', String(TWO.rounds)], 40000));
  for (const r of results) {
    assertClean(r);
    const out = parse(r) as { failures: string[]; answered: number; left: number };
    assert.deepEqual(out.failures, []);
    assert.equal(out.answered, TWO.rounds * 30 * 3);
    assert.equal(out.left, 0);
  }
});
