// process.exit() with live servers and clients mid-request: 60 child
// processes, 4 variants (exit inside `call`, from a client's data handler, on a timer, during
// stop()), each with a request waiting in JS, a half-sent request, a pipelined keep-alive
// flood, static files and a pipe server. Each must exit with its own code: no crash, no hang.
import { emulatedCount } from '../helpers/emulation.js';
import { underEmulation } from '../helpers/tools.js';
import test from 'node:test';
import assert from 'node:assert/strict';
import { CRASH_RE, explain, pool, runChild } from './stress-helpers.js';

// Under emulation (qemu) 8 children, 2 at a time: each emulated child takes seconds to start; the
// four variants are all still covered, twice.
const RUNS = emulatedCount(60, 8);
const LANES = emulatedCount(6, 2);

test(`process.exit() with live servers and clients mid-request, ${RUNS}x`,
  { skip: underEmulation('60 child processes under Wine: a child can take over the 20 s deadline to start and exit') }, async () => {
  const results = await pool(RUNS, LANES, (i) => runChild(['exit', String(3 + (i % 5)), String(i % 4)], 20000));
  const bad = results.filter((r, i) =>
    r.timedOut || r.signal !== null || r.code !== 3 + (i % 5) || CRASH_RE.test(r.stderr));
  assert.equal(bad.length, 0, `${bad.length}/${RUNS} children did not exit cleanly:\n${bad.slice(0, 3).map(explain).join('\n---\n')}`);
});
