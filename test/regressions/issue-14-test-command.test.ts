// Issue 14 item 9: `npm test` passed a directory to `node --test`, which Node 21 and later do not
// search (the run found no test file and failed at once under Node 22, 24 and 26). The test
// script now lists the files itself (scripts/run-tests.mjs); this checks that the README's
// command goes through it and that the list it would run is every compiled test file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const testDir = path.join(root, 'build-test', 'test');

function compiledTests(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) compiledTests(full, out);
    else if (e.name.endsWith('.test.js')) out.push(path.relative(root, full));
  }
  return out;
}

test('the test script runs scripts/run-tests.mjs, never a bare directory', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.test, /^node scripts\/run-tests\.mjs\b/);
  assert.doesNotMatch(pkg.scripts.test, /--test\b[^&|]*build-test\/test\/?(\s|$)/);
});

test('run-tests.mjs --list names every compiled test file, this one included', () => {
  const listed = execFileSync(process.execPath, ['scripts/run-tests.mjs', '--list'], { cwd: root, encoding: 'utf8' })
    .trim().split('\n').sort();
  const expected = compiledTests(testDir).sort();
  assert.deepEqual(listed, expected);
  assert.ok(listed.some((f) => f.endsWith(path.join('regressions', 'issue-14-test-command.test.js'))));
  assert.ok(listed.length > 50, `only ${listed.length} files listed`);
});

test('run-tests.mjs filters by path words and refuses unknown options', () => {
  const only = execFileSync(process.execPath, ['scripts/run-tests.mjs', '--list', 'unit/'], { cwd: root, encoding: 'utf8' })
    .trim().split('\n');
  assert.ok(only.length > 0 && only.every((f) => f.includes(`${path.sep}unit${path.sep}`)), only.join(', '));
  assert.throws(() => execFileSync(process.execPath, ['scripts/run-tests.mjs', '--bogus'], { cwd: root, stdio: 'pipe' }));
});
