// 1,000 start/stop cycles in one process with no fd or thread leak:
// every stop of the last server stops and joins the I/O thread, every start makes a new one
// (every 25th cycle also answers a request, every 100th is a pipe server). Counted from
// /proc/self/fd and /proc/self/task in the child, after a warm-up, with a little slack.
import test from 'node:test';
import assert from 'node:assert/strict';
import { CRASH_RE, explain, runChild } from './stress-helpers.js';
import { HAS_PROC } from '../helpers/proc.js';

test('1,000 start/stop cycles leak no fd and no thread', { skip: !HAS_PROC && 'needs /proc' }, async () => {
  const r = await runChild(['cycles', '1000'], 60000);
  assert.ok(!r.timedOut && r.code === 0 && r.signal === null && !CRASH_RE.test(r.stderr), explain(r));
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, explain(r));
  const out = JSON.parse(line.slice(7)) as {
    failures: string[]; fds0: number; fds1: number; threads0: number; threads1: number; left: number;
  };
  assert.deepEqual(out.failures, []);
  assert.equal(out.left, 0);
  assert.ok(out.fds1 - out.fds0 <= 2, `fds ${out.fds0} -> ${out.fds1}`);
  assert.ok(out.threads1 - out.threads0 <= 1, `threads ${out.threads0} -> ${out.threads1}`);
});
