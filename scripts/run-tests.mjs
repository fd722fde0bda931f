#!/usr/bin/env node
// `npm test`'s runner: finds the compiled test files under build-test/test/ and hands them to
// `node --test` by name. Node 20 searches a directory given to --test, but Node 21 and later
// (22, 24, 26: the supported lines) take arguments as files or glob patterns and do not search a
// bare directory, and Node 20 does not expand globs: listing the files works on all of them.
// Usage: node scripts/run-tests.mjs [--list] [--concurrency=N] [--timeout=MS] [FILTER...]  — a FILTER keeps
// the files whose path under build-test/test/ contains it (`npm test -- http/ regressions/issue-14`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testDir = path.join(root, 'build-test', 'test');
if (!fs.existsSync(testDir)) {
  console.error(`run-tests: ${path.relative(root, testDir)} is missing; run \`npm run build:test\` first`);
  process.exit(1);
}

function collect(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, out);
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

let list = false;
let concurrency = 2;
let timeout = 120000;
const filters = [];
for (const arg of process.argv.slice(2)) {
  const m = /^--(concurrency|timeout)=(\d+)$/.exec(arg);
  if (arg === '--list') {
    list = true;
  } else if (m) {
    if (m[1] === 'concurrency') concurrency = Number(m[2]);
    else timeout = Number(m[2]);
  } else if (arg.startsWith('--')) {
    console.error(`run-tests: unknown option ${arg}`);
    process.exit(2);
  } else {
    filters.push(arg);
  }
}
const files = collect(testDir, [])
  .map((f) => path.relative(root, f))
  .filter((f) => filters.length === 0 ||
    filters.some((x) => path.relative('build-test/test', f).split(path.sep).join('/').includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no test files match ${JSON.stringify(filters)}`);
  process.exit(1);
}
if (list) {
  for (const f of files) console.log(f);
  process.exit(0);
}
// Files that run alone, before the others, with their own per-file timeout: the C++ drivers
// (native/native-pure) compile for about a minute per driver on a loaded core when their sources
// changed, longer than the per-file timeout, and the compile must not take CPU from the
// timing-sensitive server tests that would otherwise run beside it. Built drivers are cached, so
// later runs of that file take seconds.
const ALONE = [{ file: 'native/native-pure.test.js', timeout: 20 * 60_000 }];
const aloneOf = (f) => ALONE.find((a) => f.split(path.sep).join('/').endsWith(a.file));
let status = 0;
for (const f of files.filter(aloneOf)) {
  const t = Math.max(timeout, aloneOf(f).timeout);
  const r = spawnSync(process.execPath, ['--test', `--test-timeout=${t}`, f], { cwd: root, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) status = r.status ?? 1;
}
const rest = files.filter((f) => !aloneOf(f));
if (rest.length > 0) {
  const args = ['--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, ...rest];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
