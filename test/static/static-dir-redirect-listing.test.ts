// The static path options added for the CLI (issue 18, item 6), answered on the I/O thread:
// redirectDirectories (301 from /dir to /dir/, query kept, no open redirect), directoryListing
// (an escaped HTML list that shows only what a request could get) and spaFallback. httpuv's
// behaviour stays the default for staticPaths: /dir is served as /dir/, no listing, no fallback.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, listServers, staticPath, excludeStaticPath, type App, type WebServer } from '../../src/index.js';
import { rawRequest, parseResponses, type ParsedResponse } from '../helpers/clients.js';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-dirs-'));
const WWW = path.join(TMP, 'www');
const OUTSIDE = path.join(TMP, 'outside');
for (const d of ['sub', 'noidx/inner', 'noidx/private', 'noidx/locked', 'noidx/.git', 'evil.com', 'caf\u00e9', 'app']) {
  fs.mkdirSync(path.join(WWW, d), { recursive: true });
}
fs.mkdirSync(OUTSIDE);
fs.writeFileSync(path.join(WWW, 'index.html'), '<p>root index</p>\n');
fs.writeFileSync(path.join(WWW, 'sub', 'index.html'), '<p>sub index</p>\n');
fs.writeFileSync(path.join(WWW, 'app', 'index.html'), '<p>app index</p>\n');
fs.writeFileSync(path.join(WWW, 'data.txt'), 'data\n');
const NASTY = 'a<b>&"\'.txt';
const WIN = process.platform === 'win32';
// '<', '>' and '"' cannot be in a Windows file name; the listing test below is POSIX-only.
if (!WIN) fs.writeFileSync(path.join(WWW, 'noidx', NASTY), 'nasty\n');
/** Symbolic links; where they cannot be made (Wine, Windows without the privilege) the tree has none. */
function link(target: string, p: string): void {
  try { fs.symlinkSync(target, p); } catch (e) { if (!WIN) throw e; }
}
fs.writeFileSync(path.join(WWW, 'noidx', 'plain.txt'), '0123456789');
fs.writeFileSync(path.join(WWW, 'noidx', 'sp ace%.txt'), 'space\n');
fs.writeFileSync(path.join(WWW, 'noidx', '.env'), 'SECRET=1\n');
fs.writeFileSync(path.join(WWW, 'noidx', 'private', 'p.txt'), 'private\n');
fs.writeFileSync(path.join(WWW, 'noidx', 'locked', 'l.txt'), 'locked\n');
fs.writeFileSync(path.join(OUTSIDE, 'secret.txt'), 'outside\n');
link(OUTSIDE, path.join(WWW, 'noidx', 'escape'));
link(path.join(OUTSIDE, 'secret.txt'), path.join(WWW, 'noidx', 'escape.txt'));
link('../sub', path.join(WWW, 'noidx', 'linksub'));
link('.env', path.join(WWW, 'noidx', 'env-link'));

after(() => {
  fs.rmSync(TMP, { recursive: true, force: true });
  assert.equal(listServers().length, 0, 'servers left running');
});

/** One request on its own connection, as the bytes say (fetch would normalise the target). */
async function get(port: number, target: string, extra = '', method = 'GET'): Promise<ParsedResponse> {
  const r = await rawRequest(port, `${method} ${target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${extra}\r\n`);
  const [res] = parseResponses(r.data, { head: [method === 'HEAD'] }).responses;
  assert.ok(res, `an answer to ${method} ${target}: ${r.text}`);
  return res;
}

async function withStatic(app: App, fn: (port: number, s: WebServer) => Promise<void>): Promise<void> {
  const s = startServer('127.0.0.1', 0, app);
  try {
    await fn(s.getPort(), s);
  } finally {
    await s.stop();
  }
}

test('httpuv default: /dir is served as /dir/ (no redirect, no listing, no SPA fallback)', async () => {
  await withStatic({ staticPaths: { '/': WWW } }, async (port) => {
    const r = await get(port, '/sub');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), '<p>sub index</p>\n');
    assert.equal((await get(port, '/noidx/')).status, 404);
    assert.equal((await get(port, '/app/route')).status, 404);
  });
});

test('redirectDirectories: 301 from /dir to /dir/ with the query kept; files and /dir/ are served', async () => {
  await withStatic({ staticPaths: { '/': staticPath(WWW, { redirectDirectories: true }) } }, async (port) => {
    let r = await get(port, '/sub');
    assert.equal(r.status, 301);
    assert.equal(r.get('location'), '/sub/');
    r = await get(port, '/sub?a=1&b=%20x&c=/d');
    assert.equal(r.status, 301);
    assert.equal(r.get('location'), '/sub/?a=1&b=%20x&c=/d', 'the query string is kept as sent');
    r = await get(port, '/sub?');
    assert.equal(r.get('location'), '/sub/?');
    r = await get(port, '/sub', '', 'HEAD');
    assert.equal(r.status, 301);
    assert.equal(r.get('location'), '/sub/');
    assert.equal(r.body.length, 0);
    r = await get(port, '/sub/');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), '<p>sub index</p>\n');
    assert.equal((await get(port, '/data.txt')).status, 200, 'a file is never redirected');
    assert.equal((await get(port, '/')).status, 200, '/ is never redirected');
    assert.equal((await get(port, '/missing')).status, 404);
    // A non-ASCII name comes back percent-encoded.
    r = await get(port, '/caf%C3%A9');
    assert.equal(r.status, 301);
    assert.equal(r.get('location'), '/caf%C3%A9/');
    // Through fetch (follows the redirect).
    const f = await fetch(`http://127.0.0.1:${port}/sub?x=1`);
    assert.equal(f.status, 200);
    assert.equal(f.url, `http://127.0.0.1:${port}/sub/?x=1`);
    assert.equal(await f.text(), '<p>sub index</p>\n');
  });
});

test('redirectDirectories: no open redirect (the Location is one path on this host)', async () => {
  await withStatic({ staticPaths: { '/': staticPath(WWW, { redirectDirectories: true }) } }, async (port) => {
    // Every spelling that reaches the directory "evil.com" redirects to /evil.com/, never to a
    // scheme-relative "//evil.com" or "/\evil.com".
    for (const target of ['//evil.com', '///evil.com', '/%2F%2Fevil.com', '/%2fevil.com', '/./evil.com', '//./evil.com',
      '/.//evil.com', 'http://other.example//evil.com', '//evil.com?next=//x']) {
      const r = await get(port, target);
      assert.equal(r.status, 301, target);
      const loc = r.get('location') ?? '';
      assert.ok(loc.startsWith('/evil.com/'), `${target} → ${loc}`);
      assert.ok(!loc.startsWith('//') && !loc.includes('\\'), `${target} → ${loc}`);
    }
    assert.equal((await get(port, '//evil.com?next=//x')).get('location'), '/evil.com/?next=//x');
    for (const target of ['/\\evil.com', '/%5Cevil.com', '/%5C%5Cevil.com']) {
      assert.equal((await get(port, target)).status, 400, `${target}: a backslash is refused, not redirected`);
    }
    // What RFC 3986 does not allow in a query (a backslash, quotes, '<', '>', bytes above 0x7e)
    // is percent-encoded, so the header stays one line of URI characters.
    const r = await get(port, '/sub?q=%C3%A9&r=a"b\\c<d>|');
    assert.equal(r.get('location'), '/sub/?q=%C3%A9&r=a%22b%5Cc%3Cd%3E%7C');
    const raw = await rawRequest(port, Buffer.concat([Buffer.from('GET /sub?x=\u00e9'), Buffer.from(' HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')]));
    const loc = /\r\nLocation: ([^\r]*)/.exec(raw.text)?.[1];
    if (loc !== undefined) assert.equal(loc, '/sub/?x=%C3%A9', 'a raw UTF-8 byte in the query (if the parser takes it)');
  });
});

test('redirectDirectories: under a static path prefix, inherited from staticPathOptions, with the configured headers', async () => {
  await withStatic({
    staticPaths: { '/docs': WWW, '/other': staticPath(WWW, { redirectDirectories: false }), '/docs/noidx/private': excludeStaticPath() },
    staticPathOptions: { redirectDirectories: true, headers: { 'Access-Control-Allow-Origin': '*' } },
    call: () => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'from the app' }),
  }, async (port, s) => {
    let r = await get(port, '/docs');
    assert.equal(r.status, 301);
    assert.equal(r.get('location'), '/docs/');
    assert.equal(r.get('access-control-allow-origin'), '*', 'configured headers go with the 301');
    r = await get(port, '/docs/sub');
    assert.equal(r.get('location'), '/docs/sub/');
    assert.equal((await get(port, '/other/sub')).status, 200, "the path's own false wins");
    r = await get(port, '/docs/noidx/private');
    assert.equal(r.body.toString(), 'from the app', 'an excluded path goes to the app, not redirected');
    s.setStaticPathOption({ redirectDirectories: false });
    assert.equal((await get(port, '/docs/sub')).status, 200, 'setStaticPathOption turns it off');
    assert.equal(s.getStaticPathOptions()?.redirectDirectories, false);
  });
});

function links(html: string): string[] {
  return [...html.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]);
}

test('directoryListing: escaped names, encoded links, no dotfiles, no symlinks out of the root, nothing excluded', {
  skip: WIN ? 'POSIX only: its fixture names a file with < > " and makes symbolic links' : false,
}, async () => {
  await withStatic({
    staticPaths: {
      '/': staticPath(WWW, { directoryListing: true }),
      '/noidx/private': excludeStaticPath(),
      '/noidx/locked': staticPath(path.join(WWW, 'noidx', 'locked'), { validation: '"X-Key" == "k"' }),
    },
  }, async (port) => {
    const r = await get(port, '/noidx/');
    assert.equal(r.status, 200);
    assert.equal(r.get('content-type'), 'text/html; charset=utf-8');
    const html = r.body.toString('utf8');
    assert.match(html, /<title>Index of \/noidx\/<\/title>/);
    assert.ok(html.includes('a&lt;b&gt;&amp;&quot;&#39;.txt'), 'the name is HTML-escaped');
    assert.ok(!html.includes(NASTY), 'never raw');
    const hrefs = links(html);
    assert.deepEqual(hrefs, ['/', '/noidx/inner/', '/noidx/linksub/', '/noidx/a%3Cb%3E%26%22%27.txt', '/noidx/plain.txt', '/noidx/sp%20ace%25.txt'],
      'parent, directories first, then files; no .env, .git, escape, escape.txt, env-link, private or locked');
    // Every link works.
    for (const h of hrefs.slice(1)) assert.equal((await get(port, h)).status, 200, h);
    assert.equal((await get(port, '/noidx/a%3Cb%3E%26%22%27.txt')).body.toString(), 'nasty\n');
    // With the validation header, the validated directory is listed too.
    const withKey = links((await get(port, '/noidx/', 'X-Key: k\r\n')).body.toString());
    assert.ok(withKey.includes('/noidx/locked/'));
    // A directory with index.html serves it; the listing is for the ones without.
    assert.equal((await get(port, '/sub/')).body.toString(), '<p>sub index</p>\n');
    // HEAD: the length of the page, no body.
    const h = await get(port, '/noidx/', '', 'HEAD');
    assert.equal(h.status, 200);
    assert.equal(Number(h.get('content-length')), r.body.length);
    assert.equal(h.body.length, 0);
    // Never outside the root.
    assert.equal((await get(port, '/noidx/escape/')).status, 404);
    assert.equal((await get(port, '/../')).status, 400);
    assert.equal((await get(port, '/noidx/.git/')).status, 404);
    // /noidx without the slash: listed too (absolute links work from either URL).
    assert.deepEqual(links((await get(port, '/noidx')).body.toString()), hrefs);
  });
});

test('directoryListing with indexhtml false lists the root; off by default gives 404', async () => {
  await withStatic({ staticPaths: { '/': staticPath(WWW, { directoryListing: true, indexhtml: false }) } }, async (port) => {
    const hrefs = links((await get(port, '/')).body.toString());
    assert.ok(!hrefs.includes('/'), 'no parent link at the top');
    assert.ok(hrefs.includes('/sub/') && hrefs.includes('/data.txt') && hrefs.includes('/index.html'));
    assert.ok(hrefs.includes('/caf%C3%A9/'));
  });
  await withStatic({ staticPaths: { '/': WWW } }, async (port) => {
    assert.equal((await get(port, '/noidx/')).status, 404);
  });
});

test('spaFallback: missing extension-less paths get the static path\'s index.html; files and other methods do not', async () => {
  await withStatic({ staticPaths: { '/': staticPath(WWW, { spaFallback: true }) } }, async (port) => {
    for (const p of ['/app/route', '/users/42', '/a/b/c/', '/noidx/missing']) {
      const r = await get(port, p);
      assert.equal(r.status, 200, p);
      assert.equal(r.body.toString(), '<p>root index</p>\n', p);
      assert.match(r.get('content-type') ?? '', /^text\/html/);
    }
    assert.equal((await get(port, '/missing.js')).status, 404, 'a name with an extension is a real 404');
    assert.equal((await get(port, '/app.v2/route.css')).status, 404);
    assert.equal((await get(port, '/data.txt')).body.toString(), 'data\n');
    assert.equal((await get(port, '/app/')).body.toString(), '<p>app index</p>\n', 'an existing index wins');
    assert.equal((await get(port, '/app/route', '', 'POST')).status, 405);
    assert.equal((await get(port, '/noidx/.env')).status, 404, 'dotfiles stay hidden');
  });
});
