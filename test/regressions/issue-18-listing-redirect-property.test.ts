// Issue 18 (item 6): the directory options (redirectDirectories, directoryListing, spaFallback)
// on the rules fixture of issue 14 (test/helpers/static-rules.ts: an excluded '/private', a
// validated '/guarded', excluded single files and directories, symlinks and case twins leading
// into them), every option on for every path and indexhtml off, so that every directory lists.
// Properties, with and without the validation header:
//  1. a crawl from "/" that follows every listing link and every redirect never gets a byte of a
//     protected file, nor of the validated path without its header;
//  2. a listing only shows what a request could get: every link answers 200 (or a 301 to its
//     own path with a slash), never the app (299, excluded), 403 or 404;
//  3. every Location is one path on this host (one leading '/', no backslash), also for seeded,
//     mangled spellings of the directories ("//", "/%2f", "%2e" detours, case, queries).
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { listServers, type WebServer } from '../../src/index.js';
import { makeRulesTree, send, startRulesServer, TOKEN, TOKEN_HEADER, type RulesTree } from '../helpers/static-rules.js';
import { seededRng } from '../helpers/seeded-rng.js';

const SEED = Number(process.env.HTTPUV_RULES_SEED ?? 0x18d1);
const MANGLED = Number(process.env.HTTPUV_RULES_PATHS ?? 600);

let tree: RulesTree;
let server: WebServer;
let port = 0;

before(() => {
  tree = makeRulesTree('httpuv-issue18-dirs-');
  server = startRulesServer(tree, { redirectDirectories: true, directoryListing: true, spaFallback: true, indexhtml: false });
  port = server.getPort();
});

after(async () => {
  await server.stop();
  tree.remove();
  assert.deepEqual(listServers(), []);
});

function hrefs(text: string): string[] {
  return text.includes('<title>Index of ') ? [...text.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]!) : [];
}

function location(text: string): string | undefined {
  return /\r\nLocation: ([^\r]*)\r\n/i.exec(text)?.[1];
}

/** Leaks in an answer: a protected file's marker, or the validated one's without the header. */
function leak(text: string, withToken: boolean): boolean {
  return text.includes(tree.secret) || (!withToken && text.includes(tree.guarded));
}

for (const withToken of [false, true]) {
  test(`crawl of every listing and redirect ${withToken ? 'with' : 'without'} the validation header: no leak, every link answers`, async () => {
    const headers = withToken ? [`${TOKEN_HEADER}: ${TOKEN}`] : [];
    const seen = new Set<string>(['/']);
    const queue = ['/'];
    const findings: string[] = [];
    let listings = 0;
    let files = 0;
    while (queue.length > 0) {
      const target = queue.shift()!;
      const a = await send(port, 'GET', target, headers);
      if (leak(a.text, withToken)) findings.push(`${target}: leaked ${a.text.slice(0, 200)}`);
      if (a.status === 301) {
        const loc = location(a.text) ?? '';
        if (!/^\/(?!\/)/.test(loc) || loc.includes('\\')) findings.push(`${target}: Location ${loc}`);
        if (loc !== `${target}/`) findings.push(`${target}: a listed link redirects elsewhere (${loc})`);
        if (!seen.has(loc)) { seen.add(loc); queue.push(loc); }
        continue;
      }
      if (a.status !== 200) {
        findings.push(`${target}: a listed link answers ${a.status}`);
        continue;
      }
      const links = hrefs(a.text);
      if (links.length > 0 || a.text.includes('<title>Index of ')) listings++;
      else files++;
      for (const h of links) {
        if (!seen.has(h)) { seen.add(h); queue.push(h); }
      }
    }
    assert.deepEqual(findings, []);
    // The crawl reached the public tree (and, with the header, the validated one).
    assert.ok(seen.has('/pub/') && seen.has('/pub/a.txt') && seen.has('/privatefoo/'), [...seen].join(' '));
    assert.ok(!seen.has('/private/') && !seen.has('/PRIVATE/') && !seen.has('/secret-alias.txt') &&
      !seen.has('/pub/excluded.txt') && !seen.has('/pub/to-excluded.txt') && !seen.has('/pub/secret-dir/') &&
      !seen.has('/pub/link-private/'), `no protected name is listed: ${[...seen].join(' ')}`);
    assert.equal(seen.has('/guarded/'), withToken, 'the validated directory is listed only with its header');
    assert.ok(listings >= 3 && files >= 3, `listings ${listings}, files ${files}`);
  });
}

// Directories spelled badly, without their trailing slash (so redirects are due).
const DIRS = [['private'], ['private', 'sub'], ['guarded'], ['pub'], ['pub', 'secret-dir'], ['pub', 'link-private'],
  ['pub', 'link-guarded'], ['PRIVATE'], ['Guarded'], ['privatefoo'], ['files']];
const SEPARATORS = ['/', '/', '//', '/./', '/%2f', '%2F', '/%2e/', '///'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function spell(r: () => number): string {
  const segs = pick(r, DIRS).map((s) => [...s].map((ch) => {
    const x = r();
    if (/[a-z]/i.test(ch) && x < 0.1) return ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
    if (x < 0.18) return '%' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    return ch;
  }).join(''));
  let t = '';
  for (const s of segs) {
    if (r() < 0.1) t += pick(r, SEPARATORS) + pick(r, ['x', 'pub']) + '/' + pick(r, ['..', '%2e%2e']);
    t += pick(r, SEPARATORS) + s;
  }
  if (!t.startsWith('/')) t = '/' + t;
  if (r() < 0.3) t += pick(r, ['?next=//evil.example', '?a=1&b=/c', '?', '?%2f%2fx']);
  if (r() < 0.1) t = 'http://h' + t;
  return t;
}

test(`${MANGLED} seeded spellings of the directories (seed ${SEED}): every Location stays on this host, no leak behind it`, async () => {
  const r = seededRng(SEED);
  const findings: string[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < MANGLED; i++) {
    const target = spell(r);
    const withToken = r() < 0.5;
    const headers = withToken ? [`${TOKEN_HEADER}: ${TOKEN}`] : [];
    const a = await send(port, r() < 0.85 ? 'GET' : 'HEAD', target, headers);
    statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    if (leak(a.text, withToken)) findings.push(`${target}: leaked`);
    if (a.status !== 301) continue;
    const loc = location(a.text) ?? '';
    if (!/^\/(?!\/)/.test(loc) || loc.includes('\\') || /[^\x21-\x7e]/.test(loc)) {
      findings.push(`${target}: Location ${JSON.stringify(loc)}`);
      continue;
    }
    const b = await send(port, 'GET', loc, headers);
    if (leak(b.text, withToken)) findings.push(`${target} → ${loc}: leaked`);
    if (b.status === 301) findings.push(`${target} → ${loc}: redirected again`);
  }
  assert.deepEqual(findings, []);
  for (const s of statuses.keys()) assert.ok([200, 299, 301, 400, 403, 404].includes(s), `status ${s}`);
  assert.ok((statuses.get(301) ?? 0) > MANGLED / 10, `some redirects: ${JSON.stringify([...statuses])}`);
  assert.ok((statuses.get(299) ?? 0) > 0, `some excluded: ${JSON.stringify([...statuses])}`);
});
