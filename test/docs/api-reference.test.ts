// The generated API reference (issue 18, scope 2): `npm run docs` builds docs/api/ from the TSDoc
// in src/ with TypeDoc and fails on any warning (a public type that refers to an unexported one,
// a broken {@link}). Its first run installs TypeDoc into tools/typedoc/ (npm ci from the lockfile).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

test('npm run docs builds docs/api/ from src/ without a warning', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'docs.mjs')], {
    cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, `npm run docs failed:\n${out}`);
  assert.doesNotMatch(out, /\[warning\]|\[error\]/, out);
  const index = path.join(ROOT, 'docs', 'api', 'index.html');
  assert.ok(fs.existsSync(index), 'docs/api/index.html was not written');
  // Every runtime export has a page (functions/ or classes/), so the reference covers the API.
  const pages = new Set<string>();
  for (const dir of ['functions', 'classes', 'interfaces', 'types']) {
    const d = path.join(ROOT, 'docs', 'api', dir);
    if (fs.existsSync(d)) for (const f of fs.readdirSync(d)) pages.add(f.replace(/\.html$/, ''));
  }
  for (const name of ['startServer', 'runServer', 'staticPath', 'randomPort', 'WebSocket', 'WebServer',
    'App', 'RookRequest', 'ServerOptions', 'Response']) {
    assert.ok(pages.has(name), `docs/api has no page for ${name} (pages: ${[...pages].sort().join(', ')})`);
  }
});
