// Static containment against the names Windows reads differently from what they spell (issue 16,
// scope 1 and acceptance 2): reserved device names (CON, NUL, COM1, LPT1… with extensions and
// trailing spaces), alternate data streams ("file::$DATA", "file:stream"), 8.3 short names
// ("PRIVAT~1"), trailing dots and spaces, drive letters and UNC paths ("C:", "\\?\", "\\server"),
// '\' as a separator and its percent-encoding %5C, case variants of an excluded path, and
// junctions/links that lead out of the root. Sent with raw sockets, byte for byte, GET and HEAD.
// The invariant is checked on every platform (on Linux these are plain, absent names): no answer
// carries a byte of a file outside the root or under an excluded path. On Windows each of these
// names must also be refused outright (404, 400, or the app for an excluded path), never a file.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { excludeStaticPath, listServers, startServer, type WebServer } from '../../src/index.js';
import { send } from '../helpers/static-rules.js';

const windows = process.platform === 'win32';
const tag = crypto.randomBytes(6).toString('hex');
const OUTSIDE = `OUTx${tag}`;  // in files outside the root
const EXCLUDED = `EXCx${tag}`; // in files under the excluded /private
const PUBLIC = `PUBx${tag}`;
let base = '';
let www = '';
let server: WebServer;
let port = 0;
let junction = false;  // whether a junction/link out of the root could be made here

before(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-wintrav-'));
  www = path.join(base, 'www');
  const write = (p: string, s: string): void => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, s);
  };
  write(path.join(www, 'index.html'), `<p>${PUBLIC} index</p>\n`);
  write(path.join(www, 'public.txt'), `${PUBLIC} public\n`);
  write(path.join(www, 'Long Directory Name', 'file.txt'), `${PUBLIC} long\n`);
  write(path.join(www, 'private', 'secret.txt'), `${EXCLUDED} secret\n`);
  write(path.join(www, 'private', 'index.html'), `${EXCLUDED} index\n`);
  write(path.join(www, 'private', 'Long Secret Name.txt'), `${EXCLUDED} long\n`);
  write(path.join(base, 'outside-secret.txt'), `${OUTSIDE} beside the root\n`);
  write(path.join(base, 'www-secret', 'leak.txt'), `${OUTSIDE} sibling\n`);
  try {
    // A junction on Windows (no privilege needed), a directory symlink elsewhere.
    fs.symlinkSync(base, path.join(www, 'junction-out'), windows ? 'junction' : 'dir');
    junction = fs.existsSync(path.join(www, 'junction-out', 'outside-secret.txt'));
  } catch {
    junction = false;  // Wine 8 cannot create junctions or symbolic links
  }
  server = startServer('127.0.0.1', 0, {
    call: () => ({ status: 299, headers: { 'X-Answered-By': 'app' }, body: 'the app answered\n' }),
    staticPaths: { '/': www, '/private': excludeStaticPath() },
  });
  port = server.getPort();
});

after(async () => {
  await server.stop();
  fs.rmSync(base, { recursive: true, force: true });
  assert.deepEqual(listServers(), []);
});

/** `base` as request-path segments: "C:\x\y" → "C:/x/y", "/tmp/x" → "tmp/x". */
function baseAsUrl(): string {
  return base.replace(/\\/g, '/').replace(/^\/+/, '');
}

function corpus(): string[] {
  const b = baseAsUrl();
  const enc = (s: string): string => s.split('').map((c) => (/[A-Za-z0-9._~-]/.test(c) ? c : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  const bBack = b.replace(/\//g, '\\');
  return [
    // Reserved device names, with extensions, trailing spaces/dots, any case, in subdirectories.
    '/CON', '/con', '/Con.txt', '/con.html', '/NUL', '/nul.txt', '/NuL.tar.gz', '/AUX', '/PRN', '/PRN.log',
    '/COM1', '/com1.txt', '/COM9', '/COM0', '/LPT1', '/lpt9.log', '/COM%C2%B9', '/LPT%C2%B2.txt',
    '/CONIN$', '/CONOUT$', '/CON%20', '/CON%20.txt', '/CON.', '/nul%20%20.js', '/private/CON',
    '/private/nul.txt', '/%43ON', '/%4EUL.txt',
    // Alternate data streams.
    '/public.txt::$DATA', '/public.txt:$DATA', '/public.txt:stream', '/public.txt:stream:$DATA',
    '/private/secret.txt::$DATA', '/private/secret.txt:$DATA', '/PRIVATE/secret.txt::$DATA',
    '/private::$INDEX_ALLOCATION/secret.txt', '/private:$I30:$INDEX_ALLOCATION/secret.txt',
    '/private%3A%3A$INDEX_ALLOCATION/secret.txt', '/index.html%3A%3A%24DATA', '/private/secret.txt%3A%3A%24DATA',
    // 8.3 short names.
    '/PRIVAT~1/secret.txt', '/privat~1/secret.txt', '/PRIVAT~1/LONGSE~1.TXT', '/private/LONGSE~1.TXT',
    '/LONGDI~1/file.txt', '/PROGRA~1', '/%50RIVAT~1/secret.txt', '/PRIVAT%7E1/secret.txt',
    // Trailing dots and spaces.
    '/private./secret.txt', '/private%20/secret.txt', '/private.%20/secret.txt', '/private.../secret.txt',
    '/private/secret.txt.', '/private/secret.txt%20', '/private/secret.txt.%20.', '/PRIVATE./secret.txt',
    '/public.txt.', '/public.txt%20',
    // Drive letters, UNC and device paths (the outside file by its absolute name, too).
    '/C:/Windows/win.ini', '/c:%5CWindows%5Cwin.ini', '/C:', '/C:.', `/${b}/outside-secret.txt`,
    `/${enc(bBack)}%5Coutside-secret.txt`, `//${b}/outside-secret.txt`, '/Z:/etc/passwd', '/Z:%2Fetc%2Fpasswd',
    '/%5C%5C%3F%5CC:%5CWindows%5Cwin.ini', '/%5C%5C.%5CC:%5CWindows%5Cwin.ini', '/%5C%5Clocalhost%5Cc$%5CWindows%5Cwin.ini',
    '//localhost/c$/Windows/win.ini', '/\\\\?\\C:\\Windows\\win.ini', '/\\\\localhost\\c$\\Windows\\win.ini',
    '/%5C%5C.%5Cpipe%5Cx', '/%5C%5C.%5CGLOBALROOT%5CDevice%5CNull', '/GLOBALROOT/Device/Null',
    // '\' as a separator, raw and encoded, and mixed with "..".
    '/..\\outside-secret.txt', '/%5C..%5Coutside-secret.txt', '/..%5Coutside-secret.txt', '/private%5Csecret.txt',
    '/private\\secret.txt', '/%5Cprivate%5Csecret.txt', '/x/..%5C..%5Cwww-secret%5Cleak.txt', '/.%5Cprivate/secret.txt',
    '/%2e%2e%5coutside-secret.txt', '/..%2F..%5Coutside-secret.txt',
    // Case variants of the excluded path (case-insensitive file systems: Windows, macOS).
    '/PRIVATE/secret.txt', '/Private/SECRET.TXT', '/pRiVaTe/secret.txt', '/PRIVATE/', '/PRIVATE', '/%50RIVATE/secret.txt',
    '/private/Long%20Secret%20Name.txt', '/PRIVATE/long%20secret%20name.TXT', '/%C5%BFecret/../private/secret.txt',
    // Junctions / links out of the root, and back into the excluded directory through them.
    '/junction-out/outside-secret.txt', '/JUNCTION-OUT/outside-secret.txt', '/junction-out/www-secret/leak.txt',
    '/junction-out/www/private/secret.txt', '/junction-out/www/public.txt', '/junction-out/', '/junction-out',
  ];
}

test('Windows traversal corpus: never a byte outside the root or under an excluded path', async () => {
  const list = corpus();
  let checked = 0;
  for (const target of list) {
    for (const method of ['GET', 'HEAD']) {
      for (const enc of [[], ['Accept-Encoding: gzip, br']]) {
        const r = await send(port, method, target, enc);
        const label = `${method} ${target} ${enc.join(' ')}`;
        assert.ok(!r.text.includes(OUTSIDE), `${label}: a file outside the root was served:\n${r.text}`);
        assert.ok(!r.text.includes(EXCLUDED), `${label}: a file under the excluded /private was served:\n${r.text}`);
        // 200 only for a public file reached through a link that stays in the root (POSIX:
        // junction-out/www/public.txt resolves to www/public.txt).
        assert.ok([299, 400, 404, 414].includes(r.status) || (r.status === 200 && target === '/junction-out/www/public.txt' &&
            (method === 'HEAD' || r.text.includes(PUBLIC))),
          `${label}: status ${r.status}:\n${r.text.slice(0, 300)}`);
        checked++;
      }
    }
  }
  console.log(`windows traversal corpus: ${list.length} targets, ${checked} requests; junction out of the root: ` +
    (junction ? 'made' : 'could not be made here (targets then name absent files)'));
});

test('the public files around the corpus are still served (the corpus refuses by name, not by accident)', async () => {
  for (const [target, body] of [['/public.txt', `${PUBLIC} public\n`], ['/', `<p>${PUBLIC} index</p>\n`],
    ['/Long%20Directory%20Name/file.txt', `${PUBLIC} long\n`]] as const) {
    const r = await send(port, 'GET', target);
    assert.equal(r.status, 200, target);
    assert.ok(r.text.endsWith(body), `${target}: ${r.text}`);
  }
  if (windows) {
    // A case-insensitive file system: another spelling of a public name is the same file.
    const r = await send(port, 'GET', '/PUBLIC.TXT');
    assert.equal(r.status, 200);
    assert.ok(r.text.endsWith(`${PUBLIC} public\n`));
  }
});

test('win32: each Windows-specific name is refused outright (404, or 400 for a backslash), never the file it aliases', {
  skip: windows ? false : 'Windows only: on other systems these are ordinary (absent) names',
}, async () => {
  for (const [target, want] of [
    ['/public.txt::$DATA', 404], ['/public.txt:$DATA', 404], ['/public.txt.', 404], ['/public.txt%20', 404],
    ['/index.html%3A%3A%24DATA', 404], ['/LONGDI~1/file.txt', 404], ['/CON', 404], ['/nul.txt', 404],
    ['/COM1', 404], ['/LPT1.log', 404], ['/CON%20.txt', 404], ['/C:/Windows/win.ini', 404],
    ['/%5C%5C%3F%5CC:%5CWindows%5Cwin.ini', 400], ['/private%5Csecret.txt', 400],
  ] as const) {
    for (const method of ['GET', 'HEAD']) {
      const r = await send(port, method, target);
      assert.equal(r.status, want, `${method} ${target}: ${r.text.slice(0, 200)}`);
      assert.ok(!r.text.includes(PUBLIC), `${method} ${target} served the file it aliases`);
    }
  }
});

test('excluded and case-folded: /PRIVATE… goes to the app on every platform', async () => {
  for (const t of ['/PRIVATE/secret.txt', '/Private/SECRET.TXT', '/private/secret.txt']) {
    const r = await send(port, 'GET', t);
    assert.equal(r.status, 299, t);
  }
});
