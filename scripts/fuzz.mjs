#!/usr/bin/env node
// Runs one fuzz target for a bounded time: `npm run fuzz -- <target> <seconds> [libFuzzer args…]`,
// `npm run fuzz -- --all <seconds>` (one after another, never two at once), `npm run fuzz -- --list`.
// Native targets are libFuzzer + ASan/UBSan binaries built by fuzz/build.sh (clang-14); `uri` is a
// seeded property-based fuzzer in fuzz/uri-fuzz.mjs over the compiled dist/uri.js. Exit status is
// non-zero when a target finds something; reproducers land in fuzz/findings/.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fuzzDir = path.join(root, 'fuzz');

// name → sources that must exist (native) or the runner (js).
const TARGETS = {
  http_parser: { kind: 'native', needs: ['src-native/http/parser.cc'], dict: 'http.dict',
    about: 'httpuv::Parser (llhttp + limits + pause/resume), whole vs split vs byte-wise' },
  static_path: { kind: 'native', needs: ['src-native/static/static_files.cc'], dict: 'static.dict',
    about: 'ServeStatic on a temp tree with escaping symlinks: no fd outside the root' },
  static_rules: { kind: 'native', needs: ['src-native/static/static_files.cc'], dict: 'static_rules.dict',
    about: 'static-path rules (excluded, validated) vs /, ., .., %2f, %2e, %5c, case: no protected file served' },
  ws_frames: { kind: 'native',
    needs: ['src-native/ws/frame_parser.cc', 'src-native/ws/frame_writer.cc', 'src-native/ws/permessage_deflate.cc',
      'src-native/util/utf8.cc', 'src-native/util/byte_kernels.cc'],
    dict: 'ws.dict', about: 'WebSocket frame parser (+ deflate, UTF-8): the invariants in fuzz/targets/ws_frames.cc' },
  byte_kernels: { kind: 'native', needs: ['src-native/util/byte_kernels.cc', 'src-native/util/utf8.cc'],
    about: 'unmask + ASCII kernels and the UTF-8 validator, differential against byte-wise references' },
  pmd_inflate: { kind: 'native', needs: ['src-native/ws/permessage_deflate.cc'],
    about: 'permessage-deflate inflate: bounded output, no crash on corrupt streams' },
  uri: { kind: 'js', needs: ['src/uri.ts'],
    about: 'encodeURI/decodeURI(-Component): round trips, never throws, agrees with JS built-ins' },
};

function available(name) {
  const t = TARGETS[name];
  const missing = t.needs.filter((f) => !fs.existsSync(path.join(root, f)));
  // A native harness exists only once its file is written.
  if (t.kind === 'native' && !fs.existsSync(path.join(fuzzDir, 'targets', `${name}.cc`))) {
    missing.push(`fuzz/targets/${name}.cc`);
  }
  return missing;
}

function usage(code) {
  process.stderr.write('usage: npm run fuzz -- <target> <seconds> [libFuzzer args…]\n' +
    '       npm run fuzz -- --all <seconds>\n       npm run fuzz -- --list\n');
  process.exit(code);
}

function run(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let tail = '';
    const keep = (d) => {
      tail = (tail + d.toString('latin1')).slice(-200000);
    };
    child.stdout.on('data', (d) => { process.stdout.write(d); keep(d); });
    child.stderr.on('data', (d) => { process.stderr.write(d); keep(d); });
    child.on('close', (code, signal) => resolve({ code: code ?? 128, signal, tail }));
  });
}

async function runNative(name, seconds, extra) {
  const b = spawnSync(path.join(fuzzDir, 'build.sh'), [name], { stdio: 'inherit' });
  if (b.status !== 0) {
    process.stderr.write(`fuzz: build of ${name} failed (status ${b.status})\n`);
    return 2;
  }
  const work = path.join(fuzzDir, 'out', 'corpus', name);
  const seeds = path.join(fuzzDir, 'corpus', name);
  const findings = path.join(fuzzDir, 'findings');
  const tmp = path.join(fuzzDir, 'out', `tmp-${process.pid}`);
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(findings, { recursive: true });
  fs.mkdirSync(tmp, { recursive: true });
  const t = TARGETS[name];
  const args = [`-max_total_time=${seconds}`, '-timeout=5', '-rss_limit_mb=2048',
    '-print_final_stats=1', `-artifact_prefix=${findings}/${name}-`];
  if (t.dict) args.push(`-dict=${path.join(fuzzDir, t.dict)}`);
  args.push(...extra, work);
  if (fs.existsSync(seeds)) args.push(seeds);
  const symbolizer = ['/usr/bin/llvm-symbolizer-14', '/usr/lib/llvm-14/bin/llvm-symbolizer']
    .find((p) => fs.existsSync(p));
  const env = { ...process.env, TMPDIR: tmp,
    ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1:symbolize=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' };
  if (symbolizer) env.ASAN_SYMBOLIZER_PATH = env.UBSAN_SYMBOLIZER_PATH = symbolizer;
  const started = Date.now();
  const r = await run(path.join(fuzzDir, 'out', name), args, { env, cwd: root });
  fs.rmSync(tmp, { recursive: true, force: true });
  const secs = (Date.now() - started) / 1000;
  const stat = (k) => (r.tail.match(new RegExp(`stat::${k}:\\s+(\\d+)`)) || [])[1];
  const lines = r.tail.split('\n').filter((l) => /\bcov: \d+/.test(l));
  const last = lines[lines.length - 1] || '';
  const cov = (last.match(/cov: (\d+)/) || [])[1];
  const ft = (last.match(/ft: (\d+)/) || [])[1];
  const corp = (last.match(/corp: (\d+)/) || [])[1];
  const found = r.code !== 0;
  const artifact = (r.tail.match(/Test unit written to (\S+)/) || [])[1];
  console.log(`\nfuzz ${name}: ${found ? 'FINDING' : 'ok'} execs=${stat('number_of_executed_units') ?? '?'}` +
    ` execs/s=${stat('average_exec_per_sec') ?? '?'} cov=${cov ?? '?'} ft=${ft ?? '?'}` +
    ` corpus=${corp ?? '?'} peak_rss_mb=${stat('peak_rss_mb') ?? '?'} wall_s=${secs.toFixed(0)}` +
    (artifact ? ` reproducer=${path.relative(root, artifact)}` : ''));
  return found ? (r.code || 1) : 0;
}

async function runJs(name, seconds, extra) {
  // dist/ is the compiled src/; rebuild when src/uri.ts is newer.
  const dist = path.join(root, 'dist', 'uri.js');
  const srcTs = path.join(root, 'src', 'uri.ts');
  if (!fs.existsSync(dist) || fs.statSync(srcTs).mtimeMs > fs.statSync(dist).mtimeMs) {
    const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) return 2;
  }
  const r = await run(process.execPath, [path.join(fuzzDir, 'uri-fuzz.mjs'), String(seconds), ...extra],
    { cwd: root });
  return r.code;
}

async function runTarget(name, seconds, extra) {
  const missing = available(name);
  if (missing.length > 0) {
    process.stderr.write(`fuzz: target ${name} is not available yet (missing ${missing.join(', ')})\n`);
    return 3;
  }
  return TARGETS[name].kind === 'native' ? runNative(name, seconds, extra) : runJs(name, seconds, extra);
}

const argv = process.argv.slice(2);
if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help') usage(argv.length === 0 ? 2 : 0);
if (argv[0] === '--list') {
  for (const name of Object.keys(TARGETS)) {
    const missing = available(name);
    process.stdout.write(name + '\n');
    process.stderr.write(`  ${name}: ${TARGETS[name].about}` +
      (missing.length ? ` [not available yet: missing ${missing.join(', ')}]` : '') + '\n');
  }
  process.exit(0);
}
const seconds = Number(argv[1]);
if (!Number.isInteger(seconds) || seconds <= 0) usage(2);
if (argv[0] === '--all') {
  let worst = 0;
  for (const name of Object.keys(TARGETS)) {
    if (available(name).length > 0) {
      process.stderr.write(`fuzz: skipping ${name} (not available yet)\n`);
      continue;
    }
    const code = await runTarget(name, seconds, argv.slice(2));
    if (code !== 0) worst = code;
  }
  process.exit(worst);
}
if (!(argv[0] in TARGETS)) {
  process.stderr.write(`fuzz: unknown target ${argv[0]}; known: ${Object.keys(TARGETS).join(', ')}\n`);
  process.exit(2);
}
process.exit(await runTarget(argv[0], seconds, argv.slice(2)));
