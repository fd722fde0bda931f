// The I/O thread's scheduling priority (NODE_HTTPUV_IO_NICE, README "I/O thread priority"): on
// Linux it starts with the JS thread's nice value plus the offset (default -8) when the OS allows
// it, keeps the JS thread's value silently when it does not, and a bad value is a RangeError.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnFixture } from '../helpers/child.js';

const linux = process.platform === 'linux';
const skip = linux ? false : 'thread nice values are set on Linux only';

/** Whether this process may lower a thread's nice value to `v` (CAP_SYS_NICE or RLIMIT_NICE). */
function mayLowerTo(v: number): boolean {
  const status = readFileSync('/proc/self/status', 'utf8');
  const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)![1]}`);
  if ((capEff >> 23n) & 1n) return true; // CAP_SYS_NICE
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const m = /Max nice priority\s+(\S+)/.exec(limits);
  const soft = m === null || m[1] === 'unlimited' ? 0 : Number(m[1]);
  return 20 - v <= soft;
}

async function runFixture(env: Record<string, string>): Promise<{ js: number; io: number[] }> {
  const child = spawnFixture('io-nice', [], env);
  const m = await child.waitLine(/^THREADS (.*)$/);
  const body = await child.waitLine(/^BODY (.*)$/);
  assert.equal(body[1], '200 ok');
  await child.waitLine(/^STOPPED$/);
  const exit = await child.waitExit(10000);
  assert.deepEqual([exit.code, exit.signal], [0, null], child.stderr);
  return JSON.parse(m[1]) as { js: number; io: number[] };
}

const clamp = (v: number): number => Math.min(19, Math.max(-20, v));

test('by default the I/O thread runs 8 nice levels above the JS thread when the OS allows it', { skip }, async () => {
  const env: Record<string, string> = { NODE_HTTPUV_IO_NICE: '' };
  const r = await runFixture(env);
  assert.equal(r.io.length, 1, 'one httpuv-io thread per environment');
  const wanted = clamp(r.js - 8);
  assert.equal(r.io[0], mayLowerTo(wanted) ? wanted : r.js);
});

test('NODE_HTTPUV_IO_NICE=0 keeps the JS thread\'s nice value; a positive value lowers the priority', { skip }, async () => {
  const same = await runFixture({ NODE_HTTPUV_IO_NICE: '0' });
  assert.deepEqual(same.io, [same.js]);
  // Raising a nice value needs no privilege, so this holds for every user.
  const lower = await runFixture({ NODE_HTTPUV_IO_NICE: '5' });
  assert.deepEqual(lower.io, [clamp(lower.js + 5)]);
});

test('a bad NODE_HTTPUV_IO_NICE makes startServer throw a RangeError naming it', async () => {
  // One child per value, all at once (each is a Node start: seconds under emulation).
  await Promise.all(['abc', '1.5', '-21', '20', '0x10'].map(async (bad) => {
    const child = spawnFixture('io-nice', [], { NODE_HTTPUV_IO_NICE: bad });
    const m = await child.waitLine(/^ERROR (.*)$/);
    assert.match(m[1], /^RangeError ERR_OUT_OF_RANGE .*NODE_HTTPUV_IO_NICE must be an integer from -20 to 19/, bad);
    assert.ok(m[1].includes(JSON.stringify(bad)), `the message shows the value ${bad}`);
    const exit = await child.waitExit(10000);
    assert.equal(exit.code, 0, child.stderr);
  }));
});
