#!/usr/bin/env node
// `npm run test:pack`: packs the tarball, checks what is in it, installs
// it into a temp project with no C++ toolchain reachable (PATH holds only node/npm/npx/sh/env),
// and runs an HTTP request and a WebSocket round-trip through the installed package, once with
// require('node-httpuv') and once with import('node-httpuv'), plus the CLI's bin entry.
// Needs prebuilds/<platform>-<arch>/ (made by `npm run prebuildify` if missing) and network
// access to the npm registry for the package's dependencies and `ws`.
// Prints "N passed, N failed" at the end; exit code 1 on any failure.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
let passed = 0;
let failed = 0;
let skipped = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  return r;
}

function which(name, PATH) {
  for (const dir of PATH.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return null;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-pack-'));
try {
  // 1. A prebuild for this machine, and a fresh dist/.
  const plat = `${process.platform}-${process.arch}`;
  const pbDir = path.join(root, 'prebuilds', plat);
  const newest = (p) => {
    const st = fs.statSync(p);
    if (!st.isDirectory()) return st.mtimeMs;
    return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
  };
  const prebuilds = fs.existsSync(pbDir) ? fs.readdirSync(pbDir).filter((f) => f.endsWith('.node')) : [];
  const sourcesTime = Math.max(...['src-native', 'deps', 'binding.gyp'].map((f) => newest(path.join(root, f))));
  const stale = prebuilds.length === 0 ||
    prebuilds.some((f) => fs.statSync(path.join(pbDir, f)).mtimeMs < sourcesTime);
  if (stale) {
    console.log(`# no prebuild in ${pbDir}, or older than the native sources: running npm run prebuild:all -- --targets ${plat}`);
    const r = run('npm', ['run', 'prebuild:all', '--', '--targets', plat], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run prebuild:all failed');
  }
  const tsc = run('npm', ['run', 'build:ts'], { cwd: root });
  if (tsc.status !== 0) throw new Error(`npm run build:ts failed:\n${tsc.stdout}${tsc.stderr}`);

  // The prepack check (npm pack below skips scripts): every target's prebuild, each for the right
  // machine. HTTPUV_PACK_ALLOW_MISSING_PREBUILDS=1 makes a missing one a warning (local packs).
  const pre = run(process.execPath, [path.join(root, 'scripts', 'check-prebuilds.mjs')], { cwd: root });
  process.stdout.write(pre.stdout);
  process.stdout.write(pre.stderr);
  check('prepack check: a prebuild for every target, each for its machine', pre.status === 0);

  // 2. npm pack (scripts already ran above; --ignore-scripts keeps stdout pure JSON).
  const pack = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const info = JSON.parse(pack.stdout)[0];
  const tarball = path.join(work, info.filename);
  const files = info.files.map((f) => f.path);
  console.log(`# packed ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} KiB`);
  const has = (p) => files.includes(p);
  const hasUnder = (dir) => files.some((f) => f.startsWith(dir));
  for (const p of ['package.json', 'README.md', 'LICENSE', 'binding.gyp', 'scripts/list-sources.js',
    'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts', 'dist/cli.js',
    'src-native/addon.cc', 'deps/llhttp.gyp', 'deps/llhttp/LICENSE', 'deps/llhttp/include/llhttp.h',
    'deps/zlib.gyp', 'deps/zlib/LICENSE', 'deps/zlib/zlib.h']) {
    check(`tarball has ${p}`, has(p));
  }
  check(`tarball has prebuilds/${plat}/*.node`, files.some((f) => f.startsWith(`prebuilds/${plat}/`) && f.endsWith('.node')));
  check('tarball has src-native/**/*.h', files.some((f) => f.startsWith('src-native/') && f.endsWith('.h')));
  for (const dir of ['test/', 'build/', 'build-test/', 'node_modules/', 'fuzz/', '.ci/', 'src/']) {
    check(`tarball has no ${dir}`, !hasUnder(dir), hasUnder(dir) ? files.filter((f) => f.startsWith(dir)).slice(0, 3).join(', ') : '');
  }
  check('tarball has no .tgz or .o files', !files.some((f) => /\.(tgz|o|a)$/.test(f)));
  const cli = fs.readFileSync(path.join(root, 'dist', 'cli.js'), 'utf8');
  check('dist/cli.js starts with a shebang', cli.startsWith('#!/usr/bin/env node'));

  // 3. A PATH without any compiler, make or python: a bin dir of symlinks to what npm needs.
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  const realPath = process.env.PATH ?? '';
  for (const tool of ['node', 'npm', 'npx', 'sh', 'env']) {
    const p = tool === 'node' ? process.execPath : which(tool, realPath);
    if (p) fs.symlinkSync(p, path.join(bin, tool));
  }
  const env = { ...process.env, PATH: bin };
  for (const k of Object.keys(env)) {
    // Nothing may point node-gyp at a toolchain or make npm build from source on purpose.
    if (/^(CC|CXX|LINK|AR|MAKE|PYTHON|npm_config_python|npm_config_build_from_source)$/i.test(k)) delete env[k];
  }
  const tools = ['g++', 'gcc', 'cc', 'c++', 'clang', 'clang++', 'make', 'python3', 'python'];
  const reachable = tools.filter((t) => which(t, env.PATH));
  const shProbe = run('sh', ['-c', tools.map((t) => `command -v ${t}`).join(' || ')], { env });
  check('no compiler, make or python on the install PATH', reachable.length === 0 && shProbe.status !== 0,
    reachable.join(', ') || shProbe.stdout.trim());

  // 4. Install the tarball (and the ws client) into a temp project.
  const proj = path.join(work, 'consumer');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'httpuv-pack-consumer', version: '1.0.0', private: true }));
  const inst = run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball, 'ws@^8'], { cwd: proj, env });
  check('npm install of the tarball without a compiler', inst.status === 0, inst.status === 0 ? '' : `${inst.stdout}\n${inst.stderr}`.slice(-3000));
  const pkgDir = path.join(proj, 'node_modules', 'node-httpuv');
  check('installed package did not build from source (no build/)', !fs.existsSync(path.join(pkgDir, 'build')));
  const resolved = run('node', ['-e', "console.log(require('node-gyp-build').resolve(require('path').dirname(require.resolve('node-httpuv/package.json'))))"], { cwd: proj, env });
  check('node-gyp-build resolves the prebuild', resolved.status === 0 && resolved.stdout.includes(`prebuilds${path.sep}${plat}`), resolved.stdout.trim() || resolved.stderr.trim());

  // 5. The same round-trips through require() and import().
  const body = (load) => `
${load}
const { WebSocket: WsClient } = ws;
const server = httpuv.startServer('127.0.0.1', 0, {
  call: (req) => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'hello ' + req.PATH_INFO }),
  onWSOpen: (sock) => sock.onMessage((binary, msg) => sock.send(msg)),
});
const port = server.getPort();
const res = await fetch('http://127.0.0.1:' + port + '/packed');
const text = await res.text();
if (res.status !== 200 || text !== 'hello /packed') throw new Error('HTTP got ' + res.status + ' ' + text);
console.log('HTTP ok');
const wsResult = await new Promise((resolve) => {
  const c = new WsClient('ws://127.0.0.1:' + port + '/echo');
  const timer = setTimeout(() => { c.terminate(); resolve('SKIP: no answer to the WebSocket upgrade within 5 s'); }, 5000);
  c.on('unexpected-response', (_req, r) => { clearTimeout(timer); c.terminate(); resolve('SKIP: WebSocket upgrade refused (HTTP ' + r.statusCode + '): onWSOpen not available in this build'); });
  c.on('error', (e) => { clearTimeout(timer); resolve('FAIL: ' + e.message); });
  c.on('open', () => c.send('ping round-trip'));
  c.on('message', (m) => { clearTimeout(timer); c.close(1000); resolve(String(m) === 'ping round-trip' ? 'WS ok' : 'FAIL: echo ' + m); });
});
console.log(wsResult);
await server.stop();
if (httpuv.listServers().length !== 0) throw new Error('servers left');
`;
  fs.writeFileSync(path.join(proj, 'cjs.cjs'),
    `(async () => {${body("const httpuv = require('node-httpuv'); const ws = require('ws');")}})().catch((e) => { console.error(e); process.exit(1); });\n`);
  fs.writeFileSync(path.join(proj, 'esm.mjs'),
    `${body("const httpuv = await import('node-httpuv'); const ws = await import('ws'); const { startServer } = await import('node-httpuv'); if (typeof startServer !== 'function' || httpuv.default.startServer !== startServer) throw new Error('ESM named/default exports');")}\n`);
  for (const [label, file] of [['require', 'cjs.cjs'], ['import', 'esm.mjs']]) {
    const r = run('node', [file], { cwd: proj, env, timeout: 30000 });
    const out = `${r.stdout}${r.stderr}`.trim();
    check(`${label}('node-httpuv'): HTTP request`, r.status === 0 && r.stdout.includes('HTTP ok'), r.status === 0 ? '' : out);
    const wsLine = r.stdout.split('\n').find((l) => /^(WS ok|SKIP|FAIL)/.test(l)) ?? '(no WebSocket result)';
    if (wsLine.startsWith('SKIP')) {
      skipped++;
      console.log(`skip ${label}('node-httpuv'): WebSocket round-trip — ${wsLine}`);
    } else {
      check(`${label}('node-httpuv'): WebSocket round-trip`, wsLine === 'WS ok', wsLine);
    }
  }

  // Negative control: forcing a source build with the same PATH must fail (the toolchain really
  // is out of reach for npm's install scripts, so the install above used the prebuild).
  const proj2 = path.join(work, 'from-source');
  fs.mkdirSync(proj2);
  fs.writeFileSync(path.join(proj2, 'package.json'), JSON.stringify({ name: 'httpuv-pack-from-source', version: '1.0.0', private: true }));
  const src = run('npm', ['install', '--no-audit', '--no-fund', '--build-from-source', tarball], { cwd: proj2, env });
  check('a forced source build fails on that PATH (control)', src.status !== 0,
    src.status === 0 ? 'npm install --build-from-source succeeded: a compiler is reachable' : '');

  // No prebuild for this platform and no compiler: our own message, not node-gyp's.
  const bare = path.join(work, 'no-prebuild', 'node_modules', 'node-httpuv');
  fs.mkdirSync(path.dirname(bare), { recursive: true });
  fs.cpSync(pkgDir, bare, { recursive: true });
  fs.rmSync(path.join(bare, 'prebuilds', plat), { recursive: true, force: true });
  fs.symlinkSync(path.join(proj, 'node_modules', 'node-gyp-build'), path.join(work, 'no-prebuild', 'node_modules', 'node-gyp-build'), 'dir');
  const noPb = run('node', [path.join(bare, 'scripts', 'install.js')], { cwd: bare, env });
  const msg = `${noPb.stdout}${noPb.stderr}`;
  check('no matching prebuild and no compiler: the install fails with our short message', noPb.status !== 0 &&
    msg.includes('node-httpuv: cannot install') && msg.includes(plat) && msg.includes('npm rebuild node-httpuv') &&
    !/gyp (ERR|info)|Traceback|find Python/.test(msg) && msg.trim().split('\n').length <= 6, msg.trim());

  // A source build where a compiler is: one line while it compiles, every core, no objects left.
  if (!process.env.HTTPUV_PACK_SKIP_SOURCE_BUILD) {
    const t = Date.now();
    const sb = run('npm', ['rebuild', 'node-httpuv', '--build-from-source', '--foreground-scripts'], { cwd: proj, env: { ...process.env, npm_config_loglevel: 'notice' } });
    const out = `${sb.stdout}${sb.stderr}`;
    const ours = out.split('\n').filter((l) => l.startsWith('node-httpuv:'));
    const left = fs.existsSync(path.join(pkgDir, 'build')) ? fs.readdirSync(path.join(pkgDir, 'build'), { recursive: true }).map(String) : [];
    check(`npm rebuild --build-from-source compiles quietly (${((Date.now() - t) / 1000).toFixed(0)} s): our lines only, with the job count`,
      sb.status === 0 && ours.length === 2 && /compiling the addon from source \(node-gyp, \d+ jobs\)/.test(ours[0]) && !/gyp info|CXX\(target\)/.test(out),
      sb.status === 0 ? ours.join(' | ') : out.slice(-2000));
    check('the source build leaves build/Release/httpuv.node and nothing else (no object files)',
      left.sort().join(',') === ['Release', path.join('Release', 'httpuv.node')].sort().join(','), left.slice(0, 10).join(', '));
    const again = run('node', ['cjs.cjs'], { cwd: proj, env, timeout: 30000 });
    check('the source-built addon serves the HTTP round-trip', again.status === 0 && again.stdout.includes('HTTP ok'), `${again.stdout}${again.stderr}`.trim());
  }

  // 6. The CLI's bin entry.
  const cliBin = path.join(proj, 'node_modules', '.bin', 'node-httpuv');
  const help = fs.existsSync(cliBin) ? run(cliBin, ['--help'], { cwd: proj, env }) : null;
  check('bin node-httpuv --help', help !== null && help.status === 0 && /Usage: node-httpuv serve/.test(help.stdout),
    help ? `${help.stdout}${help.stderr}`.trim().slice(0, 300) : 'no .bin/node-httpuv');
} catch (err) {
  failed++;
  console.log(`FAIL ${err.stack ?? err}`);
} finally {
  if (keep) console.log(`# kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;
