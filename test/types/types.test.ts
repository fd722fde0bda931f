// Types test: `tsc` type-checks consumer.ts (require) and consumer.mts
// (import) against the built dist/*.d.ts through package.json "exports", and both consumers
// name every export of src/index.ts (so a new export without a consumer use fails here).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const HERE = path.join(ROOT, 'test', 'types');

function publicExports(): string[] {
  const src = fs.readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8');
  const names = new Set<string>();
  for (const m of src.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const raw of m[1].split(',')) {
      const item = raw.replace(/\/\/.*$/gm, '').trim().replace(/^type\s+/, '');
      if (!item) continue;
      const parts = item.split(/\s+as\s+/);
      names.add(parts[parts.length - 1].trim());
    }
  }
  for (const m of src.matchAll(/export\s+(?:declare\s+)?(?:async\s+)?(?:function|class|const|let|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g)) {
    names.add(m[1]);
  }
  return [...names].sort();
}

test('consumers use every public export of src/index.ts', () => {
  const names = publicExports();
  assert.ok(names.length > 20, `found only ${names.length} exports`);
  for (const file of ['consumer.ts', 'consumer.mts']) {
    const text = fs.readFileSync(path.join(HERE, file), 'utf8');
    const missing = names.filter((n) => !new RegExp(`\\b${n.replace(/\$/g, '\\$')}\\b`).test(text));
    assert.deepEqual(missing, [], `${file} does not use: ${missing.join(', ')}`);
  }
});

test('tsc type-checks the consumers against dist/*.d.ts (npm run test:types)', () => {
  assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'index.d.ts')), 'dist/ is not built (npm run build:ts)');
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(HERE, 'tsconfig.json')], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
