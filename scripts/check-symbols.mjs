#!/usr/bin/env node
// `npm run check-symbols`: what the built addon and every prebuild in prebuilds/ export and import.
// Exit code 1 on any finding.
//
// Every binary (ELF, Mach-O; PE is left to the Windows recipe's own check, see the hook below):
//   - exports no llhttp_, uv_ or zlib symbol (both are vendored with hidden visibility, and libuv
//     is the host's), and imports no llhttp_ or zlib symbol (it must never bind to the host's).
// Prebuilds, in addition (what a host may be asked for is only N-API and libuv, plus the OS's C
// library):
//   - export only the N-API entry points (napi_register_module_v1,
//     node_api_module_get_api_version_v1);
//   - Linux: need no GLIBC_ version above 2.28 and no libstdc++ (GLIBCXX_/CXXABI_) at all (zig
//     links libc++ in statically); prints the highest versions found;
//   - macOS: every undefined symbol is napi_*/node_api_*/uv_* (looked up in the host process) or
//     bound to an OS library (libSystem, the system libc++). Exports are only warned about for
//     Mach-O (zig 0.11's linker exports hidden symbols; see below).
// Tools: llvm-nm (any architecture and format; `apt-get install llvm`), else GNU nm for this
// machine's own ELF binaries. A binary no available tool can read is a finding, not a skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryKind } from './check-prebuilds.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GLIBC_MAX = [2, 28];
const ENTRY_POINTS = new Set(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
const ZLIB = /^(Cr_z_)?(deflate\w*|inflate\w*|crc32\w*|adler32\w*|compress\w*|uncompress\w*|zlibVersion|zlibCompileFlags|zError|get_crc_table|gz\w+|z_errmsg)$/;
const FORBIDDEN_EXPORT = (s) => /^(llhttp_|uv_)/.test(s) || ZLIB.test(s);

const hasTool = (t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0;
const llvmNm = ['llvm-nm', 'llvm-nm-14', 'llvm-nm-15', 'llvm-nm-16'].find(hasTool);

const candidates = [];
for (const c of ['Release', 'Debug']) candidates.push({ file: join(root, 'build', c, 'httpuv.node'), prebuild: false });
const prebuilds = join(root, 'prebuilds');
if (existsSync(prebuilds)) {
  for (const d of readdirSync(prebuilds).sort()) {
    for (const f of readdirSync(join(prebuilds, d))) if (f.endsWith('.node')) candidates.push({ file: join(prebuilds, d, f), prebuild: true });
  }
}
const files = candidates.filter((c) => existsSync(c.file));
if (files.length === 0) {
  console.error('check-symbols: no built addon found (run npm install, npm run build or npm run prebuild:all first)');
  process.exit(1);
}

function nm(file, args, elfHost) {
  const tool = llvmNm ?? (elfHost ? 'nm' : null);
  if (!tool) throw new Error('no llvm-nm to read this binary (apt-get install llvm)');
  return execFileSync(tool, [...args, file], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter(Boolean);
}

const verCmp = (a, b) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

let bad = 0;
for (const { file, prebuild } of files) {
  const name = relative(root, file);
  const problems = [];
  const notes = [];
  const kind = binaryKind(file);
  try {
    if (!kind) throw new Error('not an ELF, Mach-O or PE binary');
    if (kind[0] === 'elf') {
      const elfHost = process.platform === 'linux' && kind[1] === (process.arch === 'x64' ? 'x86-64' : process.arch === 'arm64' ? 'aarch64' : '');
      // `nm -D` lines: "addr T name" (defined) or "   U name@VERSION" (undefined).
      const lines = nm(file, ['-D'], elfHost).map((l) => l.trim().split(/\s+/));
      const defined = lines.filter((p) => p.length === 3 && !/^[Uw]$/.test(p[1])).map((p) => p[2]);
      const undef = lines.filter((p) => p.length === 2 && /^[Uw]$/.test(p[0])).map((p) => p[1]);
      for (const s of defined) if (FORBIDDEN_EXPORT(s.split('@')[0])) problems.push(`exports ${s}`);
      for (const s of undef) {
        const base = s.split('@')[0];
        if (/^llhttp_/.test(base) || ZLIB.test(base)) problems.push(`imports ${s}`);
      }
      const glibc = undef.map((s) => /@GLIBC_(\d+(?:\.\d+)*)/.exec(s)).filter(Boolean).map((m) => m[1].split('.').map(Number));
      const maxGlibc = glibc.sort(verCmp).pop();
      const cxx = undef.filter((s) => /@(GLIBCXX|CXXABI)_/.test(s));
      const maxCxx = cxx.map((s) => /@GLIBCXX_(\d+(?:\.\d+)*)/.exec(s)).filter(Boolean).map((m) => m[1].split('.').map(Number)).sort(verCmp).pop();
      notes.push(`highest GLIBC_${maxGlibc ? maxGlibc.join('.') : '-'}, GLIBCXX_${maxCxx ? maxCxx.join('.') : '- (none)'}`);
      if (prebuild) {
        const extra = defined.filter((s) => !ENTRY_POINTS.has(s));
        if (extra.length) problems.push(`exports more than the N-API entry points: ${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ` (+${extra.length - 8})` : ''}`);
        if (maxGlibc && verCmp(maxGlibc, GLIBC_MAX) > 0) problems.push(`needs GLIBC_${maxGlibc.join('.')} (> ${GLIBC_MAX.join('.')})`);
        if (cxx.length) problems.push(`needs the host's libstdc++ (${cxx.length} GLIBCXX_/CXXABI_ symbols)`);
      }
    } else if (kind[0] === 'macho') {
      // Exports: zig 0.11's Mach-O linker exports private-extern (hidden) symbols as well, so a
      // zig-built darwin prebuild exports its zlib, llhttp and libc++ symbols although every object
      // marks them hidden (`llvm-nm -m` on build-cross/darwin-*/ shows "private external").
      // Reported as a warning here; Xcode's ld honours hidden visibility, and the release workflow
      // ships the macOS prebuilds its native runners build. The imports below are checked strictly.
      const exported = nm(file, ['--extern-only', '--defined-only', '-j'], false).map((s) => s.replace(/^_/, ''));
      const leaked = exported.filter((s) => FORBIDDEN_EXPORT(s));
      const extra = exported.filter((s) => !ENTRY_POINTS.has(s));
      if (leaked.length || (prebuild && extra.length)) {
        console.warn(`check-symbols: warning: ${name}: exports ${extra.length} symbols besides the N-API entry points ` +
          `(${leaked.length} of them zlib/llhttp/uv), e.g. ${leaked.slice(0, 4).join(', ')}: zig 0.11's Mach-O linker ignores hidden visibility`);
      }
      // `-m` lines: "(undefined) external _malloc (from libSystem)" or "... (dynamically looked up)".
      const undef = nm(file, ['-m', '--undefined-only'], false);
      const libs = new Map();
      for (const l of undef) {
        const m = /external (\S+)(?: \((?:from (\S+)|dynamically looked up)\))?/.exec(l);
        if (!m) continue;
        const sym = m[1].replace(/^_/, '');
        const from = m[2] ?? 'host process';
        libs.set(from, (libs.get(from) ?? 0) + 1);
        if (/^llhttp_/.test(sym) || ZLIB.test(sym)) problems.push(`imports ${sym}`);
        else if (from === 'host process' && !/^(napi_|node_api_|uv_)/.test(sym)) problems.push(`looks up ${sym} in the host process (only napi_*/uv_* may be)`);
        else if (from !== 'host process' && !/^(libSystem|libc\+\+|libc\+\+abi)$/.test(from)) problems.push(`imports ${sym} from ${from} (not an OS library)`);
      }
      notes.push(`undefined: ${[...libs].map(([k, v]) => `${v} from ${k}`).join(', ')}`);
    } else {
      // Hook for the Windows recipe (platforms-win): PE exports/imports are checked there.
      notes.push('PE: checked by the Windows recipe');
    }
  } catch (e) {
    problems.push(e.message.split('\n')[0]);
  }
  if (problems.length) {
    bad++;
    console.error(`check-symbols: ${name} (${kind ? kind.join(' ') : '?'}): ${problems.length} finding(s)`);
    for (const p of problems.slice(0, 30)) console.error(`  ${p}`);
  } else {
    console.log(`check-symbols: ${name} (${kind.join(' ')}): ok; ${notes.join('; ')}`);
  }
}
process.exit(bad === 0 ? 0 : 1);
