#!/usr/bin/env node
// `npm run check-symbols`: what the built addon and every prebuild in prebuilds/ export and import.
// Exit code 1 on any finding.
//
// Every binary (ELF and Mach-O through llvm-nm/llvm-objdump; PE read here):
//   - exports no llhttp_, uv_ or zlib symbol (both are vendored with hidden visibility, and libuv
//     is the host's), and imports no llhttp_ or zlib symbol (it must never bind to the host's).
// Prebuilds, in addition (what a host may be asked for is only N-API and libuv, plus the OS's C
// library):
//   - export only the N-API entry points (napi_register_module_v1,
//     node_api_module_get_api_version_v1);
//   - Linux: need no GLIBC_ version above 2.28 and no libstdc++ (GLIBCXX_/CXXABI_) at all (zig
//     links libc++ in statically); prints the highest versions found;
//   - macOS: every undefined symbol is napi_*/node_api_*/uv_* (looked up in the host process) or
//     bound to an OS library (libSystem, the system libc++); arm64 ones carry a code signature
//     (llvm-objdump).
// Tools: llvm-nm (any architecture and format; `apt-get install llvm`), else GNU nm for this
// machine's own ELF binaries. A binary no available tool can read is a finding, not a skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
const llvmObjdump = ['llvm-objdump', 'llvm-objdump-14', 'llvm-objdump-15', 'llvm-objdump-16'].find(hasTool);

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

// A PE32+ image's exports, imports and delay-load imports ({ exports: [name], imports:
// Map<dll, [name]>, delayImports: Map<dll, [name]> }). The delay-load descriptors are found from
// data directory 13 or, when the linker left that empty (binutils' ld with a dlltool -y import
// library does), by scanning the image for descriptors (attributes 1, a DLL name, a name table).
export function readPe(file) {
  const b = readFileSync(file);
  const pe = b.readUInt32LE(60);
  if (b.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a PE image');
  const nsec = b.readUInt16LE(pe + 6);
  const optSize = b.readUInt16LE(pe + 20);
  const opt = pe + 24;
  if (b.readUInt16LE(opt) !== 0x20b) throw new Error('not PE32+ (64-bit)');
  const dirs = opt + 112;
  const dir = (i) => [b.readUInt32LE(dirs + i * 8), b.readUInt32LE(dirs + i * 8 + 4)];
  const secs = [];
  for (let i = 0, o = opt + optSize; i < nsec; i++, o += 40) {
    secs.push({ va: b.readUInt32LE(o + 12), vsize: b.readUInt32LE(o + 8), raw: b.readUInt32LE(o + 20), rsize: b.readUInt32LE(o + 16) });
  }
  const off = (rva) => {
    for (const s of secs) if (rva >= s.va && rva < s.va + Math.max(s.vsize, s.rsize) && rva - s.va < s.rsize) return s.raw + rva - s.va;
    return -1;
  };
  const cstr = (rva) => {
    const o = off(rva);
    if (o < 0) return null;
    const end = b.indexOf(0, o);
    return end < 0 || end - o > 512 ? null : b.toString('latin1', o, end);
  };
  // Names of a 64-bit import lookup/name table (ordinal imports as #N).
  const nameTable = (rva) => {
    const names = [];
    for (let o = off(rva); o >= 0 && o + 8 <= b.length; o += 8) {
      const lo = b.readUInt32LE(o);
      const hi = b.readUInt32LE(o + 4);
      if (lo === 0 && hi === 0) break;
      if (hi & 0x80000000) names.push(`#${lo & 0xffff}`);
      else {
        const n = cstr(lo + 2);
        if (n === null) return null;
        names.push(n);
      }
      if (names.length > 100000) return null;
    }
    return names;
  };
  const exports = [];
  const [expRva, expSize] = dir(0);
  if (expRva && expSize) {
    const e = off(expRva);
    const count = b.readUInt32LE(e + 24);
    const namesAt = off(b.readUInt32LE(e + 32));
    for (let i = 0; i < count; i++) exports.push(cstr(b.readUInt32LE(namesAt + i * 4)));
  }
  const imports = new Map();
  const [impRva] = dir(1);
  for (let d = impRva ? off(impRva) : -1; d >= 0 && b.readUInt32LE(d + 12) !== 0; d += 20) {
    const lookup = b.readUInt32LE(d) || b.readUInt32LE(d + 16);
    imports.set(cstr(b.readUInt32LE(d + 12)), nameTable(lookup) ?? []);
  }
  const delayImports = new Map();
  const descriptor = (o) => {
    // ImgDelayDescr: grAttrs, rvaDLLName, rvaHmod, rvaIAT, rvaINT, rvaBoundIAT, rvaUnloadIAT, dwTimeStamp
    if (o + 32 > b.length || b.readUInt32LE(o) !== 1) return null;
    const dll = cstr(b.readUInt32LE(o + 4));
    if (!dll || !/^[\w.-]+\.(dll|exe)$/i.test(dll) || off(b.readUInt32LE(o + 12)) < 0) return null;
    const names = nameTable(b.readUInt32LE(o + 16));
    return names && names.length ? [dll, names] : null;
  };
  const [dlyRva] = dir(13);
  if (dlyRva) {
    for (let o = off(dlyRva), d; o >= 0 && (d = descriptor(o)); o += 32) delayImports.set(d[0], d[1]);
  } else {
    for (let o = 0; o + 32 <= b.length; o += 4) {
      if (b.readUInt32LE(o) !== 1) continue;
      const d = descriptor(o);
      if (d) delayImports.set(d[0], d[1]);
    }
  }
  return { exports, imports, delayImports };
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
      // Exports: only the N-API entry points (prebuilds; linked by ld64.lld with an exported
      // symbols list, see scripts/prebuild-all.mjs), and never a zlib, llhttp or uv name.
      const exported = nm(file, ['--extern-only', '--defined-only', '-j'], false).map((s) => s.replace(/^_/, ''));
      for (const s of exported) if (FORBIDDEN_EXPORT(s)) problems.push(`exports ${s}`);
      if (prebuild) {
        const extra = exported.filter((s) => !ENTRY_POINTS.has(s) && !FORBIDDEN_EXPORT(s));
        if (extra.length) problems.push(`exports more than the N-API entry points: ${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ` (+${extra.length - 8})` : ''}`);
        if (!exported.includes('napi_register_module_v1')) problems.push('does not export napi_register_module_v1');
      }
      // arm64 macOS runs no unsigned code: the linker's ad-hoc signature must be there.
      if (llvmObjdump) {
        const heads = execFileSync(llvmObjdump, ['--macho', '--private-headers', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
        const minos = /cmd LC_BUILD_VERSION[\s\S]*?minos (\S+)/.exec(heads);
        if (minos) notes.push(`macOS >= ${minos[1]}`);
        const signed = /cmd LC_CODE_SIGNATURE/.test(heads);
        if (kind[1] === 'aarch64' && !signed) problems.push('arm64 without a code signature (LC_CODE_SIGNATURE): macOS would refuse to load it');
        if (signed) notes.push('ad-hoc signed');
      } else if (kind[1] === 'aarch64') problems.push('no llvm-objdump to check the code signature (apt-get install llvm)');
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
      // PE (read here, no tool needed): exports only the N-API entry points; imports by name
      // only from Windows system DLLs, never from node.exe directly (that binds to an executable
      // of that name: a renamed host such as electron.exe would fail to load it); the delay-loaded
      // imports (resolved to the running process by src-native/platform/delay_load_win.cc) are
      // napi_*/node_api_*/uv_* only; no zlib or llhttp name is imported from anywhere.
      const pe = readPe(file);
      for (const s of pe.exports) if (FORBIDDEN_EXPORT(s)) problems.push(`exports ${s}`);
      if (prebuild) {
        const extra = pe.exports.filter((s) => !ENTRY_POINTS.has(s) && !FORBIDDEN_EXPORT(s));
        if (extra.length) problems.push(`exports more than the N-API entry points: ${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ` (+${extra.length - 8})` : ''}`);
        if (!pe.exports.includes('napi_register_module_v1')) problems.push('does not export napi_register_module_v1');
      }
      const SYSTEM_DLL = /^(kernel32|msvcrt|ucrtbase|api-ms-win-[\w-]+|ws2_32|userenv|advapi32|ntdll|iphlpapi|psapi|user32|shell32|ole32|dbghelp|bcrypt|secur32|mswsock)\.dll$/i;
      for (const [dll, names] of pe.imports) {
        if (!SYSTEM_DLL.test(dll)) problems.push(`imports ${names.length} names from ${dll} (not a Windows system DLL${/\.exe$/i.test(dll) ? '; a direct import of the host executable fails in a renamed host' : ''})`);
        for (const n of names) if (/^llhttp_/.test(n) || ZLIB.test(n)) problems.push(`imports ${n} from ${dll}`);
      }
      for (const [dll, names] of pe.delayImports) {
        for (const n of names) {
          if (!/^(napi_|node_api_|uv_)/.test(n)) problems.push(`delay-imports ${n} from ${dll} (only napi_*/uv_* may come from the host)`);
        }
      }
      if (prebuild && pe.delayImports.size === 0) problems.push('no delay-loaded host imports found (expected napi_* from node.exe, bound to the running process)');
      notes.push(`imports: ${[...pe.imports].map(([k, v]) => `${v.length} from ${k}`).join(', ')}; delay-loaded: ${[...pe.delayImports].map(([k, v]) => `${v.length} from ${k}`).join(', ') || 'none'}`);
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
