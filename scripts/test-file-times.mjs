// A node:test reporter (`node --test --test-reporter=./scripts/test-file-times.mjs`): at the end,
// one line per test file, slowest first: the summed time of its top-level tests (its process's
// start and module loading not included), and its passed, failed and skipped counts. Used by
// scripts/test-packed.mjs next to the TAP reporter, so a slow emulated run shows where its time
// went. Runs in the node --test parent process.
import * as path from 'node:path';

export default async function* fileTimes(source) {
  const files = new Map();
  const row = (file) => {
    let r = files.get(file);
    if (!r) files.set(file, (r = { ms: 0, pass: 0, fail: 0, skip: 0 }));
    return r;
  };
  // A test declared by a helper (test/helpers/server.ts's finalNoServersTest) names the helper's
  // file: it belongs to the test file reported just before it (node --test reports each file's
  // tests together, in order, also when files run in parallel).
  let current = null;
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const d = ev.data;
    if (d.nesting !== 0 || !d.file) continue;
    if (/\.test\.[cm]?js$/.test(d.file) || current === null) current = path.relative(process.cwd(), d.file);
    const r = row(current);
    r.ms += d.details?.duration_ms ?? 0;
    if (d.skip !== undefined || d.todo !== undefined) r.skip++;
    else if (ev.type === 'test:pass') r.pass++;
    else r.fail++;
  }
  const sorted = [...files.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const total = sorted.reduce((s, [, r]) => s + r.ms, 0);
  yield `# per file (top-level tests' time, slowest first; ${files.size} files, ${(total / 1000).toFixed(0)} s in all)\n`;
  for (const [file, r] of sorted) {
    yield `${(r.ms / 1000).toFixed(1).padStart(7)} s  ${String(r.pass).padStart(3)} pass ${String(r.fail).padStart(2)} fail ${String(r.skip).padStart(2)} skip  ${file}\n`;
  }
}
