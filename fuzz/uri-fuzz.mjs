// Seeded property-based fuzzer for the URI functions of src/uri.ts (compiled: dist/uri.js).
// @jazzer.js/core was tried first: 4.0.0's prebuilt addon needs glibc 2.38 (Debian 12 has 2.36)
// and 2.1.0 downloads its binary from GitHub at install time, which is unreachable here.
// Usage: node fuzz/uri-fuzz.mjs <seconds> [seed]. Prints execs, execs/s and V8 block coverage of
// dist/uri.js; exits 1 with the failing input saved under fuzz/findings/ on a property violation.
//
// Properties, for random strings mixing ASCII, reserved characters, '%' escapes (valid,
// invalid, truncated), BMP and astral characters and lone surrogates:
//  P1 no function throws on any string, array of strings/nulls, or null;
//  P2 decodeURIComponent(encodeURIComponent(x)) === x.toWellFormed(), same for decodeURI∘encodeURI;
//  P3 encode output is ASCII from the documented kept set plus %XX with uppercase hex;
//  P4 for well-formed x, encodeURIComponent equals JavaScript's, and encodeURI equals JavaScript's
//     with '#' escaped;
//  P5 where JavaScript's decodeURIComponent succeeds, ours gives the same string;
//  P6 decoding a string without '%' is the identity; vectorised calls map element-wise.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? 10);
const seed = Number(process.argv[3] ?? (Date.now() & 0x7fffffff));
const uriPath = path.join(root, 'dist', 'uri.js');

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
const uri = await import(pathToFileURL(uriPath).href);

// xorshift32: reproducible from the printed seed.
let state = seed || 1;
function rnd() {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state;
}
const pick = (a) => a[rnd() % a.length];
const HEX = '0123456789abcdefABCDEF';
const PIECES = [
  () => String.fromCharCode(0x20 + rnd() % 95),
  () => pick([';', ',', '/', '?', ':', '@', '&', '=', '+', '$', '#', '%', ' ', '\0', '\n']),
  () => '%' + HEX[rnd() % 22] + HEX[rnd() % 22],
  () => '%' + pick(['2f', '2F', '23', '25', '00', 'C3%A9', 'c0%ae', 'FF', 'E2%82', 'F0%9F%98%80', 'zz', '4', '']),
  () => String.fromCharCode(0x80 + rnd() % 0x780),
  () => String.fromCharCode(0x800 + rnd() % 0xd000),
  () => String.fromCodePoint(0x10000 + rnd() % 0xfffff),
  () => String.fromCharCode(0xd800 + rnd() % 0x800), // lone surrogate
  () => 'é', () => '😀',
];
function randomString() {
  const n = rnd() % 24;
  let s = '';
  for (let i = 0; i < n; i++) s += pick(PIECES)();
  return s;
}

const KEEP_URI = /^(?:[A-Za-z0-9\-_.!~*'();,/?:@&=+$]|%[0-9A-F]{2})*$/;
const KEEP_COMPONENT = /^(?:[A-Za-z0-9\-_.!~*'()]|%[0-9A-F]{2})*$/;

function fail(what, input, detail) {
  const hex = [...input].map((c) => c.codePointAt(0).toString(16).padStart(4, '0')).join(' ');
  const body = JSON.stringify({ property: what, seed, input, codePoints: hex, detail }, null, 2);
  const dir = path.join(root, 'fuzz', 'findings');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `uri-${crypto.createHash('sha1').update(input).digest('hex').slice(0, 12)}.json`);
  fs.writeFileSync(file, body + '\n');
  console.error(`uri fuzz: property ${what} violated (seed ${seed})\n${body}\nreproducer: ${path.relative(root, file)}`);
  process.exit(1);
}

function check(x) {
  let ec, e, dc, d;
  try {
    ec = uri.encodeURIComponent(x);
    e = uri.encodeURI(x);
    dc = uri.decodeURIComponent(x);
    d = uri.decodeURI(x);
  } catch (err) {
    fail('P1 throws', x, String(err && err.stack));
  }
  if (typeof dc !== 'string' || typeof d !== 'string') fail('P1 result type', x, { dc, d });
  const wf = x.toWellFormed();
  if (!KEEP_COMPONENT.test(ec)) fail('P3 encodeURIComponent alphabet', x, ec);
  if (!KEEP_URI.test(e)) fail('P3 encodeURI alphabet', x, e);
  const rc = uri.decodeURIComponent(ec);
  if (rc !== wf) fail('P2 decodeURIComponent(encodeURIComponent(x))', x, { ec, rc });
  const r = uri.decodeURI(e);
  if (r !== wf) fail('P2 decodeURI(encodeURI(x))', x, { e, r });
  if (x.isWellFormed()) {
    const js = globalThis.encodeURIComponent(x);
    if (ec !== js) fail('P4 encodeURIComponent vs JavaScript', x, { ours: ec, js });
    const jsu = globalThis.encodeURI(x).replaceAll('#', '%23');
    if (e !== jsu) fail('P4 encodeURI vs JavaScript', x, { ours: e, js: jsu });
  }
  let jsd;
  try { jsd = globalThis.decodeURIComponent(x); } catch { jsd = undefined; }
  if (jsd !== undefined && x.isWellFormed() && dc !== jsd) {
    fail('P5 decodeURIComponent vs JavaScript', x, { ours: dc, js: jsd });
  }
  if (!x.includes('%') && (dc !== wf || d !== wf)) fail('P6 identity without %', x, { dc, d });
}

function checkVector(xs) {
  const withNull = [...xs, null];
  let out;
  try { out = uri.decodeURIComponent(withNull); } catch (err) { fail('P1 vector throws', xs.join('\u0001'), String(err)); }
  if (!Array.isArray(out) || out.length !== withNull.length || out[out.length - 1] !== null) {
    fail('P6 vector shape', xs.join('\u0001'), out);
  }
  for (let i = 0; i < xs.length; i++) {
    if (out[i] !== uri.decodeURIComponent(xs[i])) fail('P6 vector element', xs[i], out[i]);
  }
  if (uri.encodeURI(null) !== null) fail('P6 null', '', 'encodeURI(null)');
}

const deadline = Date.now() + seconds * 1000;
let execs = 0;
const started = Date.now();
let lastReport = started;
while (Date.now() < deadline) {
  for (let i = 0; i < 500; i++) {
    check(randomString());
    execs++;
  }
  checkVector([randomString(), randomString(), randomString()]);
  execs++;
  if (Date.now() - lastReport >= 10000) {
    lastReport = Date.now();
    console.log(`#${execs} execs/s: ${Math.round(execs / ((lastReport - started) / 1000))}`);
  }
}
const elapsed = (Date.now() - started) / 1000;

// Block coverage of dist/uri.js: share of V8 coverage ranges with a non-zero count.
const { result } = await session.post('Profiler.takePreciseCoverage');
const script = result.find((s) => s.url.endsWith('/dist/uri.js'));
let covered = 0, total = 0;
for (const fn of script ? script.functions : []) {
  for (const r of fn.ranges) {
    total++;
    if (r.count > 0) covered++;
  }
}
session.disconnect();
console.log(`\nfuzz uri: ok execs=${execs} execs/s=${Math.round(execs / elapsed)} seed=${seed}` +
  ` block_coverage=${covered}/${total} (${total ? ((100 * covered) / total).toFixed(1) : '?'}%)`);
