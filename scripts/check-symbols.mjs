#!/usr/bin/env node
// Verifies that the built addon exports no llhttp_ symbols (the vendored llhttp is
// built with hidden visibility so the addon never binds to the runtime's own llhttp), and that
// it exports no libuv or zlib symbol, and imports no zlib symbol (zlib is vendored in deps/zlib). Exit code 1 on any finding.
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
  // zlib is vendored (deps/zlib): the addon must not import any zlib name from its host.
  const zlibImports = undef.split('\n').filter((l) => / U (Cr_z_)?(deflate|inflate|crc32|adler32|compress|uncompress|zlib|zError|get_crc_table)\w*/.test(l));
  if (leaks.length > 0 || bindsLlhttp || zlibImports.length > 0) {
    bad++;
    console.error(`check-symbols: ${f}`);
    for (const l of leaks) console.error(`  exports ${l.trim()}`);
    if (bindsLlhttp) console.error('  imports llhttp_* symbols (would bind to the runtime\'s llhttp)');
    for (const l of zlibImports) console.error(`  imports ${l.trim()} (zlib must come from deps/zlib)`);
  } else {
    console.log(`check-symbols: ${f}: ok (no llhttp_/uv_/zlib exports, no llhttp or zlib imports)`);
  }
}
process.exit(bad === 0 ? 0 : 1);
