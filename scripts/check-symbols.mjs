#!/usr/bin/env node
// Verifies that the built addon exports no llhttp_ symbols (the vendored llhttp is
// built with hidden visibility so the addon never binds to the runtime's own llhttp), and that
// it does not carry its own copy of libuv or zlib. Exit code 1 on any finding.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const candidates = [join(root, 'build', 'Release', 'httpuv.node'), join(root, 'build', 'Debug', 'httpuv.node')];
const prebuilds = join(root, 'prebuilds');
if (existsSync(prebuilds)) {
  for (const d of readdirSync(prebuilds)) {
    for (const f of readdirSync(join(prebuilds, d))) if (f.endsWith('.node')) candidates.push(join(prebuilds, d, f));
  }
}
const files = candidates.filter((f) => existsSync(f));
if (files.length === 0) {
  console.error('check-symbols: no built addon found (run npm install or npm run build first)');
  process.exit(1);
}
let bad = 0;
for (const f of files) {
  const defined = execFileSync('nm', ['-D', '--defined-only', f], { encoding: 'utf8' }).split('\n');
  const leaks = defined.filter((l) => / (llhttp_|uv_|deflate|inflate)/.test(l));
  const undef = execFileSync('nm', ['-D', '--undefined-only', f], { encoding: 'utf8' });
  const bindsLlhttp = /\bllhttp_/.test(undef);
  if (leaks.length > 0 || bindsLlhttp) {
    bad++;
    console.error(`check-symbols: ${f}`);
    for (const l of leaks) console.error(`  exports ${l.trim()}`);
    if (bindsLlhttp) console.error('  imports llhttp_* symbols (would bind to the runtime\'s llhttp)');
  } else {
    console.log(`check-symbols: ${f}: ok (no llhttp_/uv_/zlib exports, no llhttp imports)`);
  }
}
process.exit(bad === 0 ? 0 : 1);
