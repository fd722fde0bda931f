#!/usr/bin/env node
// package.json "install" (runs in the installed package's folder at `npm install`). Runs on the
// installing machine only; never at run time.
//
// 1. A prebuilt binary in prebuilds/ that matches this platform, or an earlier build in
//    build/Release, and loads (tried in a child process, as node-gyp-build does): nothing to do,
//    nothing printed.
// 2. None: when python3, make and a C++ compiler are there, compile from source with node-gyp on
//    every core, printing one line (the full node-gyp output only with `npm install --verbose`,
//    `--foreground-scripts --loglevel verbose` or HTTPUV_BUILD_VERBOSE=1, or when the build fails),
//    then delete the object files, keeping build/Release/httpuv.node only (when installed under
//    node_modules/; a development clone keeps build/ for incremental builds).
// 3. No toolchain: fail with a short message that names the platform that was looked for and how
//    to build from source, instead of node-gyp's Python or compiler error.
// `npm install --build-from-source` (npm_config_build_from_source) skips step 1.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const PREFIX = 'node-httpuv:';
const env = process.env;
const verbose = env.HTTPUV_BUILD_VERBOSE === '1' || /^(verbose|silly)$/.test(env.npm_config_loglevel || '');

function fromSourceWanted() {
  const v = env.npm_config_build_from_source;
  return v === 'true' || v === '1' || v === 'node-httpuv';
}

function libcName() {
  if (process.platform !== 'linux') return '';
  const report = process.report && typeof process.report.getReport === 'function' ? process.report.getReport() : null;
  const glibc = report && report.header && report.header.glibcVersionRuntime;
  return glibc ? `glibc ${glibc}` : 'musl';
}

function platformLabel() {
  const libc = libcName();
  return `${process.platform}-${process.arch}${libc ? ` (${libc})` : ''}`;
}

function shipped() {
  try {
    return fs.readdirSync(path.join(root, 'prebuilds')).sort();
  } catch {
    return [];
  }
}

// Loads the addon the way the package does at run time, in a child process.
function prebuiltLoads() {
  const code = `require(${JSON.stringify(require.resolve('node-gyp-build'))})(${JSON.stringify(root)})`;
  // As at run time: a build/Release/httpuv.node already there (a development clone) counts too.
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  const line = `${r.stderr || ''}`.split('\n').map((l) => l.trim()).find((l) => /^\w*Error: /.test(l)) || '';
  return { ok: r.status === 0, why: line.replace(/^\w*Error: /, '') };
}

function onPath(name) {
  const exts = process.platform === 'win32' ? (env.PATHEXT || '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      try {
        fs.accessSync(path.join(dir, name + ext), fs.constants.X_OK);
        return true;
      } catch { /* next */ }
    }
  }
  return false;
}

// What node-gyp needs and cannot find: [] when a build can be tried. On Windows node-gyp finds
// Visual Studio itself, so only Python is checked there.
function missingTools() {
  const missing = [];
  const python = env.npm_config_python || env.PYTHON;
  if (!(python && fs.existsSync(python)) && !onPath('python3') && !onPath('python')) missing.push('python3');
  if (process.platform !== 'win32') {
    if (!onPath('make')) missing.push('make');
    const cxx = env.CXX ? env.CXX.split(' ')[0] : '';
    if (!(cxx && (onPath(cxx) || fs.existsSync(cxx))) && !['c++', 'g++', 'clang++'].some(onPath)) {
      missing.push('a C++17 compiler (g++ or clang++)');
    }
  }
  return missing;
}

function howToBuild() {
  const steps = {
    linux: 'Debian/Ubuntu: apt-get install python3 make g++; Fedora/RHEL: dnf install python3 make gcc-c++; Alpine: apk add python3 make g++',
    darwin: 'xcode-select --install (the Command Line Tools bring clang++ and make; python3 comes with them)',
    win32: 'Visual Studio Build Tools with the "Desktop development with C++" workload, and Python 3',
  };
  return steps[process.platform] || 'python3, make and a C++17 compiler';
}

function nodeGypCommand() {
  if (env.npm_config_node_gyp && fs.existsSync(env.npm_config_node_gyp)) return [process.execPath, env.npm_config_node_gyp];
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch { /* not installed beside us */ }
  // npm's own copy: beside npm-cli.js (npm_execpath), or beside the npm found on PATH.
  const npmClis = [env.npm_execpath];
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    const p = dir && path.join(dir, 'npm');
    if (p && fs.existsSync(p)) {
      try { npmClis.push(fs.realpathSync(p)); } catch { /* dangling */ }
    }
  }
  for (const cli of npmClis) {
    if (!cli) continue;
    const bundled = path.join(path.dirname(cli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (fs.existsSync(bundled)) return [process.execPath, bundled];
  }
  return [process.platform === 'win32' ? 'node-gyp.cmd' : 'node-gyp'];
}

// Keeps build/Release/httpuv.node; removes object files, makefiles and the rest of build/.
function pruneBuild() {
  const build = path.join(root, 'build');
  const addon = path.join(build, 'Release', 'httpuv.node');
  if (!fs.existsSync(addon)) return;
  const keep = fs.readFileSync(addon);
  fs.rmSync(build, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(addon), { recursive: true });
  fs.writeFileSync(addon, keep, { mode: 0o755 });
}

function main() {
  const label = platformLabel();
  let reason = 'npm_config_build_from_source is set';
  if (!fromSourceWanted()) {
    const r = prebuiltLoads();
    if (r.ok) return 0;
    reason = shipped().length
      ? `no prebuilt binary for ${label} loads (the package carries ${shipped().join(', ')})${r.why ? `: ${r.why}` : ''}`
      : `the package carries no prebuilt binaries (looked for ${label})`;
  }
  const missing = missingTools();
  if (missing.length) {
    console.error([
      `${PREFIX} cannot install: ${reason},`,
      `and building from source needs ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not on PATH.`,
      `To build from source, install the toolchain (${howToBuild()}),`,
      'then run `npm rebuild node-httpuv` (or install again).',
    ].join('\n'));
    return 1;
  }
  const jobs = Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  console.log(`${PREFIX} ${reason}; compiling the addon from source (node-gyp, ${jobs} jobs)...`);
  const [cmd, ...pre] = nodeGypCommand();
  const t0 = Date.now();
  const r = spawnSync(cmd, [...pre, 'rebuild', '--jobs', String(jobs), ...(verbose ? ['--verbose'] : [])], {
    cwd: root,
    stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    shell: process.platform === 'win32' && cmd.endsWith('.cmd'),
    windowsHide: true,
  });
  if (r.status !== 0) {
    if (!verbose) {
      const out = `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n');
      console.error(out.slice(-60).join('\n'));
    }
    console.error(`${PREFIX} the source build failed (${r.error ? r.error.message : `exit ${r.status}`}); the lines above are the end of its output.`);
    console.error(`${PREFIX} toolchain: ${howToBuild()}. Full output: npm rebuild node-httpuv --foreground-scripts --loglevel verbose`);
    return 1;
  }
  // In a development clone, build/ keeps its objects and makefiles (node-gyp build reuses them).
  if (root.split(path.sep).includes('node_modules')) pruneBuild();
  console.log(`${PREFIX} built build/Release/httpuv.node in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return 0;
}

process.exitCode = main();
