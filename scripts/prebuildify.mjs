#!/usr/bin/env node
// `npm run prebuildify`: builds the N-API prebuild for this platform into prebuilds/<platform>-<arch>/
// with `prebuildify --napi --strip --tag-libc` (one N-API build serves every runtime). prebuildify always runs
// `node-gyp rebuild` in its working directory, which would wipe build/ (the developer's own
// build, and build/ of anyone sharing the tree); so the native sources are staged into a temp
// directory, prebuildify runs there, and only its output lands in prebuilds/ here (--out).
// Extra arguments are passed on to prebuildify (e.g. --arch, --target).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-prebuildify-'));
try {
  for (const f of ['binding.gyp', 'package.json', 'src-native', 'deps', 'scripts/list-sources.js']) {
    fs.cpSync(path.join(root, f), path.join(stage, f), { recursive: true });
  }
  // node-addon-api and node-gyp are resolved from the stage at configure time.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  const bin = path.join(root, 'node_modules', 'prebuildify', 'bin.js');
  const extra = process.argv.slice(2);
  // With --napi and no target, prebuildify picks the newest Node that node-abi knows and
  // fetches its headers; the binary is the same for any N-API target, so build against the
  // running Node (whose headers node-gyp already has, or finds through npm's `nodedir`).
  const target = extra.some((a) => /^(--target|-t)\b/.test(a)) ? [] : ['--target', `node@${process.versions.node}`];
  const args = [bin, '--napi', '--strip', '--tag-libc', ...target, '--out', root, ...extra, stage];
  const env = { ...process.env, JOBS: process.env.JOBS ?? String(Math.max(1, os.cpus().length)) };
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`prebuildify failed (exit ${r.status ?? r.signal})`);
    process.exitCode = 1;
  } else {
    const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
    for (const f of fs.readdirSync(dir)) console.log(`prebuild: ${path.join(dir, f)}`);
  }
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
