// Issue 14, class 1: static rules were matched on the path as sent while the file was resolved
// from a normalised path, so `GET //private/secret.txt` was served from the static root despite
// `'/private': excludeStaticPath()`, and the same trick passed a `validation` rule. Fixed by
// construction: ServeStatic normalises the path once (decode once, drop empty and "." segments,
// refuse "..") and both the rule lookup and the file lookup (index.html, .br/.gz siblings) read
// that one string; excluded and validated prefixes also match case-insensitively, and a name that
// resolves elsewhere (symlink, stored case) must pass the rules for where it lands.
// Raw sockets: every target below is sent byte for byte (fetch would normalise it).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { excludeStaticPath, staticPath } from '../../src/index.js';
import { rulesServerForFile, send, TOKEN, TOKEN_HEADER } from '../helpers/static-rules.js';
import { symlinksWork } from '../helpers/tools.js';

const fx = rulesServerForFile('httpuv-issue14-rules-');

const ENCODINGS = [[], ['Accept-Encoding: gzip, br'], ['Accept-Encoding: br'], ['Accept-Encoding: gzip;q=1, br;q=0.1']];

/** Sends `target` as GET and HEAD with each Accept-Encoding; checks the status and the markers. */
async function check(target: string, statuses: number[], headers: string[] = [], forbidGuarded = true): Promise<void> {
  for (const method of ['GET', 'HEAD']) {
    for (const enc of ENCODINGS) {
      const r = await send(fx.port, method, target, [...headers, ...enc]);
      const label = `${method} ${target} ${enc.join(' ')} ${headers.join(' ')}`;
      assert.ok(!r.text.includes(fx.tree.secret), `${label}: a file under an excluded path was served:\n${r.text}`);
      if (forbidGuarded) assert.ok(!r.text.includes(fx.tree.guarded), `${label}: the validation was passed:\n${r.text}`);
      assert.ok(statuses.includes(r.status), `${label}: status ${r.status}, want ${statuses.join('/')}`);
    }
  }
}

test('an excluded prefix reaches the app under every spelling of its path', async () => {
  const toApp = [
    '/private/secret.txt', '//private/secret.txt', '///private//secret.txt', '/./private/secret.txt',
    '/%2e/private/secret.txt', '/%2E/./private/secret.txt', '/%70rivate/secret.txt',
    '/%70%72%69%76%61%74%65/%73ecret.txt', '/private%2fsecret.txt', '/%2fprivate/secret.txt',
    '/%2F/private%2F%2Fsecret.txt', '/private', '/private/', '//private/', '/private/.', '/private/./',
    '/private/secret.txt?x=1', '//private/secret.txt?/index.html', '/./private?a/../b',
    'http://h//private/secret.txt', 'http://h/./private/secret.txt', 'HTTP://h/%2e/private/secret.txt',
    'http://h:1//%70rivate/', '/private/sub/deep.txt', '//private/sub//deep.txt', '/private/secret.txt.gz',
    '/private/secret.txt.br', '/private/../pub/a.txt', '/private/%2e%2e/index.html',
    // Case variants: the rule matches them case-insensitively (www/PRIVATE is a symlink to
    // private/, standing in for a case-insensitive file system).
    '/PRIVATE/secret.txt', '/Private/secret.txt', '/pRiVaTe/secret.txt', '/%50RIVATE/secret.txt',
    '//PRIVATE/./secret.txt', '/PRIVATE/', '/PRIVATE',
    // A single excluded file, and an excluded directory configured as '//pub/secret-dir/'.
    '/pub/excluded.txt', '//pub/excluded.txt', '/pub/./excluded.txt', '/pub%2fexcluded.txt', '/PUB/Excluded.TXT',
    '/pub/secret-dir/x.txt', '/pub//secret-dir/x.txt', '/pub/secret-dir/', '/PUB/SECRET-DIR/x.txt',
    '/pub/%C5%BFecret-dir/x.txt', // U+017F LONG S folds to "s"
  ];
  for (const t of toApp) await check(t, [299]);
});

test('".." and other refused paths are 400, never a file', async () => {
  for (const t of [
    '/pub/../private/secret.txt', '/pub/%2e%2e/private/secret.txt', '/pub/..%2fprivate/secret.txt',
    '/pub/%2E%2E%2Fprivate%2Fsecret.txt', '/x/..%5c..%5cprivate/secret.txt', '/pub/..\\private/secret.txt',
    '/private%00/secret.txt', '/%ZZ/private/secret.txt', '/pub/%c0%ae%c0%ae/private/secret.txt',
    'http://h/pub/../private/secret.txt', '/guarded/../private/secret.txt',
  ]) {
    await check(t, [400, 403]);
  }
  // Without a validation rule in the way, exactly 400.
  await check('/pub/../private/secret.txt', [400]);
});

test('names that resolve into an excluded path (symlinks, .gz/.br siblings) are not served', async () => {
  for (const t of ['/pub/link-private/secret.txt', '/pub/link-private/', '/secret-alias.txt', '/pub/to-excluded.txt',
    '//pub/link-private/sub/deep.txt', '/PUB/link-private/secret.txt']) {
    await check(t, [404, 299]);
  }
  await check('/pub/link-private/secret.txt', [404]);
  // pub/b.txt.gz is a link to private/secret.txt.gz: b.txt is served, but never that sibling.
  for (const enc of ['gzip', 'gzip, br', 'br;q=0.5, gzip']) {
    const r = await send(fx.port, 'GET', '/pub/b.txt', [`Accept-Encoding: ${enc}`]);
    assert.equal(r.status, 200, enc);
    assert.ok(r.text.endsWith(`${fx.tree.pub} b\n`), `identity representation for ${enc}: ${r.text}`);
    assert.doesNotMatch(r.text, /content-encoding/i);
  }
});

test('a validated path nested under the static root asks for its header under every spelling', async () => {
  const spellings = [
    '/guarded/g.txt', '//guarded/g.txt', '/./guarded/g.txt', '/%2e/guarded/g.txt', '/%67uarded/g.txt',
    '/guarded%2fg.txt', 'http://h//guarded/g.txt', '/guarded/g.txt?x=1', '/guarded', '/guarded/', '//guarded//',
    '/GUARDED/g.txt', '/Guarded/g.txt', '/gUARDED/', '/pub/link-guarded/g.txt', '/pub/link-guarded/',
  ].filter((t) => symlinksWork() || !t.includes('link-'));  // no links made (Wine): those names are absent
  for (const bad of [[], [`${TOKEN_HEADER}: nope`], [`${TOKEN_HEADER}: ${TOKEN}`, `${TOKEN_HEADER}: ${TOKEN}`]]) {
    for (const t of spellings) await check(t, [403], bad);
  }
  // The br sibling of a public file is a link into guarded/: absent without the header.
  const br = await send(fx.port, 'GET', '/pub/b.txt', ['Accept-Encoding: br']);
  assert.ok(br.text.endsWith(`${fx.tree.pub} b\n`) && !br.text.includes(fx.tree.guarded), br.text);
  // With the header: the same file under each spelling.
  for (const t of ['//guarded/g.txt', '/./guarded/g.txt', '/%67uarded/g.txt', '/Guarded/g.txt', '/pub/link-guarded/g.txt']
    .filter((x) => symlinksWork() || !x.includes('link-'))) {
    const r = await send(fx.port, 'GET', t, [`${TOKEN_HEADER}: ${TOKEN}`]);
    assert.equal(r.status, 200, t);
    assert.ok(r.text.endsWith(`${fx.tree.guarded} plain\n`), `${t}: ${r.text}`);
  }
});

test('rules match whole segments; keys are normalised like request paths', async () => {
  const ok = await send(fx.port, 'GET', '/privatefoo/ok.txt');
  assert.equal(ok.status, 200, '"/privatefoo" is not under "/private"');
  assert.ok(ok.text.endsWith(`${fx.tree.pub} privatefoo\n`));
  assert.equal((await send(fx.port, 'GET', '/privatefoo')).status, 404, 'static 404 (no index), not the app');
  assert.equal((await send(fx.port, 'GET', '/private.txt')).status, 404);
  assert.equal((await send(fx.port, 'GET', '/private;x/secret.txt')).status, 404);
  for (const t of ['/files/f.txt', '/files//f.txt', '//files/./f.txt', 'http://h/files/f.txt']) {
    const r = await send(fx.port, 'GET', t);
    assert.equal(r.status, 200, t);
    assert.ok(r.text.endsWith(`${fx.tree.pub} f\n`), t);
  }
  assert.ok((await send(fx.port, 'GET', '/pub/a.txt', ['Accept-Encoding: gzip'])).text.endsWith(`${fx.tree.pub} a gz\n`));
});

test('setStaticPath/removeStaticPath normalise keys; ".." in a key is refused', async () => {
  assert.throws(() => fx.server.setStaticPath({ '/a/../private': staticPath(fx.tree.www) }), (e: unknown) =>
    e instanceof TypeError && /paths key/.test(e.message) && /\.\./.test(e.message));
  // A key spelled with an empty or "." segment means the normalised prefix (it used to be a rule
  // that no request could match: fatal for an excluded path).
  fx.server.setStaticPath({ '//x/./y/': staticPath(path.join(fx.tree.base, 'files')), '/pub//./b.txt': excludeStaticPath() });
  try {
    assert.ok(Object.keys(fx.server.getStaticPaths() ?? {}).includes('/x/y'));
    const r = await send(fx.port, 'GET', '/x/y/f.txt');
    assert.equal(r.status, 200);
    assert.equal((await send(fx.port, 'GET', '//pub/b.txt')).status, 299);
  } finally {
    fx.server.removeStaticPath('/x/y/');
    fx.server.removeStaticPath('pub/b.txt');
  }
  const keys = Object.keys(fx.server.getStaticPaths() ?? {});
  assert.ok(!keys.includes('/x/y') && !keys.includes('/pub/b.txt'), `removeStaticPath normalises its key: ${keys.join(' ')}`);
  assert.equal((await send(fx.port, 'GET', '/pub/b.txt')).status, 200);
});
