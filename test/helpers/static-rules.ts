// Fixture for the static-rule tests (test/regressions/issue-14-static-rules-*):
// a static root whose `private/` is excluded and whose `guarded/` is a validated static path, with
// precompressed siblings and symlinks that lead into both, every protected file holding a marker
// that must never appear in an answer; and a raw-socket client that sends a request-target byte
// for byte (fetch and node:http normalise paths).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { excludeStaticPath, listServers, staticPath, startServer, type StaticPathOptionsInput, type WebServer } from '../../src/index.js';
import { symlinksWork } from './tools.js';
import { rawRequest } from './clients.js';

export const TOKEN_HEADER = 'X-Token';
export const TOKEN = 'let-me-in';

export interface RulesTree {
  base: string;
  www: string;
  /** In every file under an excluded path (and their .gz/.br): never in any answer. */
  secret: string;
  /** In every file under the validated path: only in answers to requests with the token. */
  guarded: string;
  /** In the public files (to show that the tests do reach files). */
  pub: string;
  remove(): void;
}

export function makeRulesTree(prefix: string): RulesTree {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const www = path.join(base, 'www');
  const tag = crypto.randomBytes(6).toString('hex');
  const secret = `Sx${tag}`;
  const guarded = `Gx${tag}`;
  const pub = `Px${tag}`;
  const write = (rel: string, s: string): void => {
    const p = path.join(www, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, s);
  };
  write('index.html', `<p>${pub} index</p>\n`);
  fs.mkdirSync(path.join(base, 'files'));
  fs.writeFileSync(path.join(base, 'files', 'f.txt'), `${pub} f\n`);
  write('pub/a.txt', `${pub} a\n`);
  write('pub/a.txt.gz', `${pub} a gz\n`);
  write('pub/a.txt.br', `${pub} a br\n`);
  write('pub/b.txt', `${pub} b\n`);
  write('pub/excluded.txt', `${secret} single excluded file\n`);
  write('pub/secret-dir/x.txt', `${secret} excluded dir with a trailing-slash key\n`);
  write('privatefoo/ok.txt', `${pub} privatefoo\n`);
  write('private/secret.txt', `${secret} plain\n`);
  write('private/secret.txt.gz', `${secret} gz\n`);
  write('private/secret.txt.br', `${secret} br\n`);
  write('private/index.html', `${secret} index\n`);
  write('private/sub/deep.txt', `${secret} deep\n`);
  write('guarded/g.txt', `${guarded} plain\n`);
  write('guarded/g.txt.gz', `${guarded} gz\n`);
  write('guarded/g.txt.br', `${guarded} br\n`);
  write('guarded/index.html', `${guarded} index\n`);
  // Names that reach the protected directories another way. "PRIVATE" and "Guarded" stand in for
  // what a case-insensitive file system does with those spellings (this runs on Linux).
  // Where links cannot be made (Wine 8, Windows without the privilege), or where the name exists
  // already in another case (a case-insensitive file system: PRIVATE is private), the tree has
  // none; the tests then skip the link names (symlinksWork()).
  const link = (target: string, p: string): void => {
    try { fs.symlinkSync(target, p); } catch (e) { if (symlinksWork() && process.platform !== 'win32') throw e; }
  };
  link('private', path.join(www, 'PRIVATE'));
  link('guarded', path.join(www, 'Guarded'));
  link('../private', path.join(www, 'pub', 'link-private'));
  link('../guarded', path.join(www, 'pub', 'link-guarded'));
  link('private/secret.txt', path.join(www, 'secret-alias.txt'));
  link('excluded.txt', path.join(www, 'pub', 'to-excluded.txt'));
  // A public file whose precompressed siblings are links into the protected directories.
  link('../private/secret.txt.gz', path.join(www, 'pub', 'b.txt.gz'));
  link('../guarded/g.txt.br', path.join(www, 'pub', 'b.txt.br'));
  return { base, www, secret, guarded, pub, remove: () => fs.rmSync(base, { recursive: true, force: true }) };
}

/**
 * `/` → www; `/private` excluded; `/guarded` a validated static path nested under the root;
 * `/files/` (a key with a trailing slash) → a public directory beside www; `/pub/excluded.txt` (one file) and
 * `//pub/secret-dir/` (a key with an empty segment and a trailing slash) excluded. `pathOptions`:
 * the server-level static path options (every path inherits them).
 */
export function startRulesServer(t: RulesTree, pathOptions?: StaticPathOptionsInput): WebServer {
  return startServer('127.0.0.1', 0, {
    ...(pathOptions ? { staticPathOptions: pathOptions } : {}),
    call: () => ({ status: 299, headers: { 'X-Answered-By': 'app' }, body: 'the app answered\n' }),
    staticPaths: {
      '/': t.www,
      '/private': excludeStaticPath(),
      '/guarded': staticPath(path.join(t.www, 'guarded'), { validation: `"${TOKEN_HEADER}" == "${TOKEN}"` }),
      '/files/': staticPath(path.join(t.base, 'files')),
      '/pub/excluded.txt': excludeStaticPath(),
      '//pub/secret-dir/': excludeStaticPath(),
    },
  });
}

export interface RawAnswer {
  status: number;
  text: string;
}

/** One request on its own connection (Connection: close); `target` is sent as latin1 bytes. */
export async function send(port: number, method: string, target: string, headers: string[] = []): Promise<RawAnswer> {
  const req = `${method} ${target} HTTP/1.1\r\nHost: x\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`;
  const r = await rawRequest(port, Buffer.from(req, 'latin1'), { timeoutMs: 5000 });
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(r.text);
  return { status: m ? Number(m[1]) : 0, text: r.text };
}

export interface RulesFixture {
  readonly tree: RulesTree;
  readonly server: WebServer;
  readonly port: number;
}

/** The rules tree and its server for one test file: made before its tests, stopped and removed
 * after them (checking that no server is left). Read the fields inside tests only. */
export function rulesServerForFile(prefix: string): RulesFixture {
  let tree: RulesTree | undefined;
  let server: WebServer | undefined;
  before(() => {
    tree = makeRulesTree(prefix);
    server = startRulesServer(tree);
  });
  after(async () => {
    await server?.stop();
    tree?.remove();
    assert.deepEqual(listServers(), []);
  });
  return {
    get tree() { return tree!; },
    get server() { return server!; },
    get port() { return server!.getPort(); },
  };
}
