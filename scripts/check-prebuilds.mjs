#!/usr/bin/env node
// package.json "prepack" (and `npm run check-prebuilds`): refuses to let `npm pack` / `npm publish`
// make a tarball that lacks a prebuilt binary for a supported target, or holds one built for the
// wrong machine (checked from the file header: ELF e_machine, Mach-O cputype, PE machine).
// `npm run prebuild:all` makes them all.
//
// Escape for local development packs: HTTPUV_PACK_ALLOW_MISSING_PREBUILDS=1 turns missing
// prebuilds into a warning (a wrong-machine binary still fails). Such a tarball installs only where
// a prebuild is there or a compiler is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// target -> [file name, format, machine]
export const REQUIRED = {
  'linux-x64': ['node-httpuv.glibc.node', 'elf', 'x86-64'],
  'linux-arm64': ['node-httpuv.glibc.node', 'elf', 'aarch64'],
  'darwin-x64': ['node-httpuv.node', 'macho', 'x86-64'],
  'darwin-arm64': ['node-httpuv.node', 'macho', 'aarch64'],
  'win32-x64': ['node-httpuv.node', 'pe', 'x86-64'],
};

// Returns [format, machine] read from a binary's first bytes, or null.
export function binaryKind(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4096);
    const n = fs.readSync(fd, b, 0, b.length, 0);
    if (n >= 20 && b.readUInt32BE(0) === 0x7f454c46) {
      const m = b.readUInt16LE(18);
      return ['elf', m === 62 ? 'x86-64' : m === 183 ? 'aarch64' : `e_machine ${m}`];
    }
    if (n >= 8 && b.readUInt32LE(0) === 0xfeedfacf) {
      const cpu = b.readUInt32LE(4);
      return ['macho', cpu === 0x01000007 ? 'x86-64' : cpu === 0x0100000c ? 'aarch64' : `cputype 0x${cpu.toString(16)}`];
    }
    if (n >= 64 && b.toString('latin1', 0, 2) === 'MZ') {
      const pe = b.readUInt32LE(60);
      if (pe + 6 <= n && b.toString('latin1', pe, pe + 4) === 'PE\0\0') {
        const m = b.readUInt16LE(pe + 4);
        return ['pe', m === 0x8664 ? 'x86-64' : m === 0xaa64 ? 'aarch64' : `machine 0x${m.toString(16)}`];
      }
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

function main() {
  const allowMissing = process.env.HTTPUV_PACK_ALLOW_MISSING_PREBUILDS === '1';
  const missing = [];
  const wrong = [];
  for (const [target, [name, format, machine]] of Object.entries(REQUIRED)) {
    // The usual name is `name`; any *.node that node-gyp-build would load counts (prebuildify
    // names a Windows build node.napi.node, for one).
    const dir = path.join(root, 'prebuilds', target);
    const found = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
    if (found.length === 0) {
      missing.push(`prebuilds/${target}/${name}`);
      continue;
    }
    for (const f of found) {
      const kind = binaryKind(path.join(dir, f));
      if (!kind || kind[0] !== format || kind[1] !== machine) {
        wrong.push(`prebuilds/${target}/${f} is ${kind ? kind.join(' ') : 'not a binary'}, not ${format} ${machine}`);
      } else {
        console.log(`check-prebuilds: prebuilds/${target}/${f}: ${format} ${machine}, ${(fs.statSync(path.join(dir, f)).size / 1024).toFixed(0)} KiB`);
      }
    }
  }
  for (const w of wrong) console.error(`check-prebuilds: ${w}`);
  if (missing.length) {
    const say = allowMissing ? console.warn : console.error;
    say(`check-prebuilds: ${allowMissing ? 'warning: ' : ''}missing ${missing.join(', ')}`);
    if (!allowMissing) {
      console.error('check-prebuilds: `npm run prebuild:all` builds them; for a local development pack without them set ' +
        'HTTPUV_PACK_ALLOW_MISSING_PREBUILDS=1 (the tarball then needs a compiler where no prebuild matches).');
    }
  }
  return wrong.length || (missing.length && !allowMissing) ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
