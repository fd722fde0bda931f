// Issue 14, acceptance 3: a seeded property test of static-path rule matching against a real
// server. Thousands of request-targets are built from '/', '.', '..', "%2f", "%2e", "%5c", case
// changes, percent-encoded letters, prefixes of the configured rules, absolute-form and queries,
// around paths that name protected files (test/helpers/static-rules.ts: '/private' excluded,
// '/guarded' validated, an excluded single file and an excluded directory, symlinks and .gz/.br
// siblings leading into them). Property: no answer ever holds a byte of a file under an excluded
// path, nor of the validated path without exactly one correct header. The same targets go over
// raw sockets byte for byte. HTTPUV_RULES_SEED and HTTPUV_RULES_PATHS change the seed and the
// count (the libFuzzer target fuzz/targets/static_rules.cc is the long-running counterpart).
import test from 'node:test';
import assert from 'node:assert/strict';
import { rulesServerForFile, send, TOKEN, TOKEN_HEADER } from '../helpers/static-rules.js';
import { seededRng } from '../helpers/seeded-rng.js';

const SEED = Number(process.env.HTTPUV_RULES_SEED ?? 0x14c1a551);
const COUNT = Number(process.env.HTTPUV_RULES_PATHS ?? 3000);
const PARALLEL = 8;

const fx = rulesServerForFile('httpuv-issue14-prop-');

// Paths (as segments) that name protected and public files; the generator spells them badly.
const AIMS: string[][] = [
  ['private', 'secret.txt'], ['private', 'index.html'], ['private'], ['private', 'sub', 'deep.txt'],
  ['private', 'secret.txt.gz'], ['guarded', 'g.txt'], ['guarded'], ['guarded', 'g.txt.br'],
  ['pub', 'excluded.txt'], ['pub', 'secret-dir', 'x.txt'], ['pub', 'link-private', 'secret.txt'],
  ['pub', 'link-guarded', 'g.txt'], ['pub', 'to-excluded.txt'], ['secret-alias.txt'], ['PRIVATE', 'secret.txt'],
  ['Guarded', 'g.txt'], ['pub', 'b.txt'], ['pub', 'a.txt'], ['privatefoo', 'ok.txt'], ['files', 'f.txt'], ['index.html'],
];
const SEPARATORS = ['/', '/', '/', '//', '/./', '/%2e/', '/%2E/', '%2f', '%2F', '/%2f', '/.//', '%5c', '/%5C/'];
const NOISE = ['.', '..', '%2e%2e', '%2e', 'pub', 'x', '%00', '%ZZ', '~', ';', 'priv', 'privatefoo', 'guard', '%C5%BF', '%E2%84%AA'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function mangleSegment(r: () => number, seg: string): string {
  let out = '';
  for (const ch of seg) {
    const x = r();
    if (/[a-z]/i.test(ch) && x < 0.12) out += ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
    else if (x < 0.2) out += '%' + ch.charCodeAt(0).toString(16).padStart(2, '0')[r() < 0.5 ? 'toUpperCase' : 'toLowerCase']();
    else out += ch;
  }
  return out;
}

function generate(r: () => number): string {
  let t = '';
  if (r() < 0.8) {
    const aim = pick(r, AIMS);
    const segs = aim.map((s) => (r() < 0.35 ? mangleSegment(r, s) : s));
    // Detours: "x/..", "pub/%2e%2e", a "." segment, before any segment.
    const parts: string[] = [];
    for (const s of segs) {
      if (r() < 0.12) parts.push(pick(r, NOISE));
      if (r() < 0.06) parts.push(pick(r, ['pub', 'x']), pick(r, ['..', '%2e%2e', '%2E%2e']));
      parts.push(s);
    }
    t = (r() < 0.5 ? pick(r, SEPARATORS) : '/') + parts.map((p, i) => (i === 0 ? p : pick(r, SEPARATORS) + p)).join('');
    if (r() < 0.15) t += pick(r, ['/', '/.', '//', '%2f', '/%2e']);
  } else {
    const n = 1 + Math.floor(r() * 8);
    for (let i = 0; i < n; i++) {
      t += pick(r, SEPARATORS);
      t += r() < 0.5 ? pick(r, NOISE) : mangleSegment(r, pick(r, pick(r, AIMS)));
    }
  }
  if (!t.startsWith('/')) t = '/' + t;
  if (r() < 0.1) t += pick(r, ['?x=1', '?/../private', '?', '?%2f']);
  if (r() < 0.1) t = pick(r, ['http://h', 'HTTP://h:80', 'http://127.0.0.1']) + t;
  return t;
}

interface Case {
  method: string;
  target: string;
  headers: string[];
  tokenOk: boolean;
}

function makeCase(r: () => number): Case {
  const headers: string[] = [];
  const tok = Math.floor(r() * 4);
  if (tok === 1 || tok === 3) headers.push(`${TOKEN_HEADER}: ${TOKEN}`);
  if (tok === 2) headers.push(`${TOKEN_HEADER}: ${TOKEN}x`);
  if (tok === 3) headers.push(`${TOKEN_HEADER.toUpperCase()}: ${TOKEN}`);
  const enc = pick(r, ['', 'gzip, br', 'br', 'gzip', 'gzip;q=0.5, br;q=0.1']);
  if (enc) headers.push(`Accept-Encoding: ${enc}`);
  return { method: r() < 0.85 ? 'GET' : 'HEAD', target: generate(r), headers, tokenOk: tok === 1 };
}

test(`property: ${COUNT} generated paths (seed ${SEED}) never reach a file under an excluded or validated path`, async () => {
  const r = seededRng(SEED);
  const cases = Array.from({ length: COUNT }, () => makeCase(r));
  const statuses = new Map<number, number>();
  let publicServed = 0;
  let guardedWithToken = 0;
  const findings: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const a = await send(fx.port, c.method, c.target, c.headers);
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      if (a.text.includes(fx.tree.pub)) publicServed++;
      if (a.text.includes(fx.tree.guarded)) guardedWithToken++;
      if (a.text.includes(fx.tree.secret) || (!c.tokenOk && a.text.includes(fx.tree.guarded))) {
        findings.push(`${c.method} ${c.target} [${c.headers.join('; ')}] → ${a.text.slice(0, 300)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  assert.equal(findings.length, 0, `${findings.length} of ${COUNT} paths reached a protected file; the first ones:\n` +
    findings.slice(0, 20).join('\n'));
  const seen = [...statuses.keys()].sort();
  for (const s of seen) assert.ok([200, 299, 400, 403, 404].includes(s), `unexpected status ${s} (${statuses.get(s)}×)`);
  // The generator explores both sides of every rule (else the property would hold vacuously).
  assert.ok(publicServed > COUNT / 50, `public files served: ${publicServed}`);
  assert.ok(guardedWithToken > 0, 'the validated path was passed with its header at least once');
  for (const s of [200, 299, 400, 403, 404]) assert.ok((statuses.get(s) ?? 0) > 0, `no ${s} among ${JSON.stringify([...statuses])}`);
});
