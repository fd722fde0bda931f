// The standalone C++ drivers in test/native/cpp/ (the WebSocket layer: handshake, frame parser and
// writer, permessage-deflate; the static-file engine: resolution, negotiation, MIME, the file
// tree) as part of `npm test`. Each is compiled under ASan + UBSan by its script
// (scripts/test-native-pure.sh, scripts/test-static-pure.sh, also `npm run test:native-pure`) and
// run; a compile error, a failed check or a sanitizer report fails the test. They need only a
// C++17 compiler (g++, or $CXX): without one the tests skip with a message, as the curl and
// chromium tests do. Compiled drivers are kept in build-test/native-pure/ under a hash of their
// inputs, so only the first run after a change pays the compile (about a minute for the
// WebSocket driver on one core); a run of an already built driver takes about a second.
// scripts/run-tests.mjs runs this file alone, before the others, with a 20-minute timeout (the
// per-file timeout of the rest is shorter than a compile on a loaded machine, and the compile
// would take CPU from the timing-sensitive server tests).
// Each driver's counts go to the test output (diagnostics) and to build-test/native-pure/counts.txt,
// which `.ci/run` prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasProgram, outsideEnv } from '../helpers/tools.js';

// build-test/test/native/ → the repository root.
const root = path.resolve(__dirname, '..', '..', '..');
const buildDir = path.join(root, 'build-test', 'native-pure');
const countsFile = path.join(buildDir, 'counts.txt');
const cxx = process.env.CXX || 'g++';

interface Counts {
  tests: number;
  checks: number;
  failedChecks: number;
  failedTests: number;
}

/** Runs `script` with the build cache in build-test/native-pure/. */
function runScript(script: string): Promise<{ code: number | null; output: string }> {
  const env = { ...outsideEnv(), HTTPUV_PURE_BUILD_DIR: buildDir };
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'scripts', script), [], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** The drivers' last line: "N tests, C checks, F failed checks, T failed tests". */
function parseCounts(output: string): Counts | null {
  const m = /^(\d+) tests, (\d+) checks, (\d+) failed checks, (\d+) failed tests$/m.exec(output);
  if (!m) return null;
  return { tests: +m[1], checks: +m[2], failedChecks: +m[3], failedTests: +m[4] };
}

const drivers: Array<{ name: string; script: string; minTests: number }> = [
  { name: 'ws_pure_test', script: 'test-native-pure.sh', minTests: 40 },
  { name: 'static_files_test', script: 'test-static-pure.sh', minTests: 16 },
  { name: 'http_stream_pure_test', script: 'test-stream-pure.sh', minTests: 7 },
];

fs.mkdirSync(buildDir, { recursive: true });
fs.rmSync(countsFile, { force: true });

for (const d of drivers) {
  test(`C++ driver ${d.name} (${d.script}) passes under ASan + UBSan`, { timeout: 15 * 60_000 }, async (t) => {
    if (!hasProgram(cxx)) {
      const msg = `${d.name}: skipped, ${cxx} not installed (the C++ drivers need a C++17 compiler)`;
      fs.appendFileSync(countsFile, msg + '\n');
      t.skip(msg);
      return;
    }
    const t0 = Date.now();
    const { code, output } = await runScript(d.script);
    const counts = parseCounts(output);
    const failedLines = output.split('\n').filter((l) => /^FAIL |failed|ERROR|runtime error/.test(l));
    const line = counts
      ? `${d.name}: ${counts.tests} tests, ${counts.checks} checks, ${counts.failedChecks} failed checks, ` +
        `${counts.failedTests} failed tests, exit ${code} (${((Date.now() - t0) / 1000).toFixed(1)} s)`
      : `${d.name}: no summary line, exit ${code}`;
    fs.appendFileSync(countsFile, line + '\n');
    t.diagnostic(line);
    const tail = output.split('\n').slice(-60).join('\n');
    assert.equal(code, 0, `${d.script} exited with ${code}\n${failedLines.slice(0, 40).join('\n')}\n--- last lines ---\n${tail}`);
    assert.ok(counts, `${d.script}: no "N tests, C checks, ..." line\n${tail}`);
    assert.equal(counts.failedChecks, 0);
    assert.equal(counts.failedTests, 0);
    // A driver that silently ran nothing (a main() that lost its calls) is a failure too.
    assert.ok(counts.tests >= d.minTests, `${d.name} ran ${counts.tests} tests, expected at least ${d.minTests}`);
  });
}
