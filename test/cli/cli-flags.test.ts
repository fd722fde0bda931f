// `node-httpuv serve` as a user runs it (issue 18, item 6): each flag in a child process, with
// real clients. Ports: -p takes one from randomPort(); the tests that leave -p out get 7446 or,
// when 7446 is taken (by another test or anything else on the machine), the port the CLI says.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { listServers, randomPort, startServer, type WebServer } from '../../src/index.js';
import { hasProgram, pollUntil, withTimeout } from '../helpers/tools.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-cli-'));
const SITE = path.join(TMP, 'site');
fs.mkdirSync(path.join(SITE, 'sub'), { recursive: true });
fs.mkdirSync(path.join(SITE, 'files'));
fs.writeFileSync(path.join(SITE, 'index.html'), '<p>site index</p>\n');
fs.writeFileSync(path.join(SITE, 'sub', 'index.html'), '<p>sub index</p>\n');
fs.writeFileSync(path.join(SITE, 'data.txt'), 'data\n');
fs.writeFileSync(path.join(SITE, 'files', 'a.txt'), 'a\n');
fs.writeFileSync(path.join(SITE, 'files', '.hidden'), 'h\n');
const BIG_SIZE = 48 * 1024 * 1024;
fs.writeFileSync(path.join(SITE, 'big.bin'), Buffer.alloc(BIG_SIZE, 7));
const DEFAULT_PORT = 7446;

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(TMP, { recursive: true, force: true });
  assert.equal(listServers().length, 0, 'servers left running');
});

interface Cli {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

/** The environment of a child: colour variables removed unless `env` sets them. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  // Node's colour detection (tty.hasColors) also says no on an unknown CI (CI set) and reads
  // TMUX/COLORTERM/TEAMCITY_VERSION: the children see none of the runner's, so a pty means colours.
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'NODE_DISABLE_COLORS', 'CI', 'CI_NAME', 'TMUX', 'COLORTERM', 'TEAMCITY_VERSION']) delete e[k];
  return { ...e, ...env };
}

function spawnCli(file: string, args: string[], env: Record<string, string> = {}): Cli {
  assert.ok(fs.existsSync(CLI), `${CLI} missing: run npm run build:ts`);
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(env) });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
  const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
  return { child, out: () => out, err: () => err, exit };
}

function cli(args: string[], env: Record<string, string> = {}): Cli {
  return spawnCli(process.execPath, [CLI, ...args], env);
}

const URL_RE = /http:\/\/(127\.0\.0\.1|\[::1\]):(\d+)/;

/** Waits for the URL on stdout; returns [url, port]. */
async function urlOf(c: Cli): Promise<[string, number]> {
  const m = await pollUntil(() => {
    if (c.child.exitCode !== null) throw new Error(`the CLI exited: ${c.err()}`);
    return URL_RE.exec(c.out());
  }, 15_000, `the URL (stdout ${JSON.stringify(c.out())}, stderr ${JSON.stringify(c.err())})`);
  return [m[0], Number(m[2])];
}

/** Interrupts the CLI and expects a clean exit. */
async function stop(c: Cli, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  c.child.kill(signal);
  const [code, sig] = await withTimeout(c.exit, 10_000, `CLI exit after ${signal}`);
  assert.deepEqual([code, sig], [0, null], `exits 0 by itself; stderr ${c.err()}`);
}

/** Runs the CLI to its end (a usage error, --help, --version). */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const c = cli(args, env);
  const [code] = await withTimeout(c.exit, 15_000, `node-httpuv ${args.join(' ')}`);
  return { code, out: c.out(), err: c.err() };
}

/**
 * Runs `fn` on a started CLI, then stops it with SIGINT and expects a clean exit. When `fn` fails,
 * the CLI is killed instead, so that its failure is the one reported.
 */
async function using(c: Cli, fn: () => Promise<void>): Promise<void> {
  let ok = false;
  try {
    await fn();
    ok = true;
  } finally {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      if (ok) await stop(c);
      else c.child.kill('SIGKILL');
    }
  }
}

/** Serves SITE on a port from randomPort() with `args`; runs `fn`; stops with SIGINT. */
async function withCli(args: string[], fn: (base: string, c: Cli) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const port = randomPort(20000, 40000, '127.0.0.1');
  const c = cli(['serve', SITE, '-p', String(port), ...args], env);
  await using(c, async () => {
    const [url, p] = await urlOf(c);
    assert.equal(p, port);
    await fn(url, c);
  });
}

// ---- --version, --help, usage errors -----------------------------------------------------------

test('--version / -v print the package version and exit 0', async () => {
  for (const args of [['--version'], ['-v'], ['serve', '--version'], ['serve', SITE, '-v']]) {
    const r = await run(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.equal(r.out, `${VERSION}\n`, args.join(' '));
    assert.equal(r.err, '');
  }
});

test('--help lists every option and exits 0', async () => {
  for (const args of [['--help'], ['-h'], ['serve', '--help']]) {
    const r = await run(args);
    assert.equal(r.code, 0);
    for (const flag of ['-p, --port', '-H, --host', '--list', '--cors', '-s, --spa', '--no-index', '--no-redirect',
      '-o, --open', '-q, --quiet', '--no-color', '-v, --version', '-h, --help']) {
      assert.ok(r.out.includes(flag), `--help mentions ${flag}`);
    }
    assert.match(r.out, /Usage: node-httpuv serve \[DIR\]/);
    assert.match(r.out, /NO_COLOR/);
  }
});

test('an unknown option is named, with the closest known one; usage errors exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['serve', SITE, '--prot', '8080'], /unknown option --prot \(did you mean --port\?\)/],
    [['serve', SITE, '--lst'], /unknown option --lst \(did you mean --list\?\)/],
    [['serve', SITE, '--cros'], /unknown option --cros \(did you mean --cors\?\)/],
    [['serve', SITE, '--hots=127.0.0.1'], /unknown option --hots \(did you mean --host\?\)/],
    [['serve', SITE, '--single'], /unknown option --single \(did you mean --spa\?\)/],
    [['serve', SITE, '--xyzzy'], /unknown option --xyzzy\n/],
    [['serve', SITE, '-x'], /unknown option -x/],
    [['serv', SITE], /unknown command "serv" \(did you mean serve\?\)/],
    [['serve', SITE, '-p'], /--port needs a value/],
    [['serve', SITE, '--port', '0'], /--port must be an integer from 1 to 65535, got "0"/],
    [['serve', SITE, '-p', '65536'], /--port must be an integer from 1 to 65535/],
    [['serve', SITE, '--list=yes'], /--list takes no value/],
    [['serve', path.join(TMP, 'nope')], /does not exist/],
    [['serve', path.join(SITE, 'data.txt')], /is not a directory/],
    [['serve', SITE, SITE], /unexpected argument/],
  ];
  await Promise.all(cases.map(async ([args, re]) => {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re, args.join(' '));
    assert.match(r.err, /--help/, 'points to --help');
    assert.equal(r.out, '');
  }));
});

// ---- -p / -H ---------------------------------------------------------------------------------------

test('-p/--port and -H/--host: the address and port given, in every spelling', async () => {
  for (const spell of [(p: number) => ['-p', String(p), '-H', '127.0.0.1'], (p: number) => [`--port=${p}`, '--host=127.0.0.1'],
    (p: number) => [`-p${p}`, '--host', '127.0.0.1']]) {
    const port = randomPort(20000, 40000, '127.0.0.1');
    const c = cli(['serve', SITE, ...spell(port)]);
    await using(c, async () => {
      const [url, p] = await urlOf(c);
      assert.equal(url, `http://127.0.0.1:${port}`);
      assert.equal(p, port);
      assert.equal(await (await fetch(`${url}/data.txt`)).text(), 'data\n');
    });
  }
});

test('-H localhost is resolved to an address (IPv4 first) and served there', async () => {
  const port = randomPort(20000, 40000, '127.0.0.1');
  const c = cli(['serve', SITE, '-H', 'localhost', '-p', String(port)]);
  await using(c, async () => {
    const [url] = await urlOf(c);
    assert.ok(url === `http://127.0.0.1:${port}` || url === `http://[::1]:${port}`, url);
    assert.match(c.out(), /\(localhost\)/, 'the name given is shown next to the address');
    assert.equal(await (await fetch(`${url}/data.txt`)).text(), 'data\n');
  });
  const r = await run(['serve', SITE, '-H', 'no-such-host.invalid']);
  assert.equal(r.code, 1);
  assert.match(r.err, /cannot resolve --host "no-such-host\.invalid"/);
});

test('a port given with -p that is in use is an error (exit 1) naming the port', async () => {
  const holder = startServer('127.0.0.1', 0, () => ({ status: 200, headers: {}, body: '' }));
  try {
    const r = await run(['serve', SITE, '-p', String(holder.getPort())]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`port ${holder.getPort()} is in use on 127\\.0\\.0\\.1: choose another with -p`));
    assert.doesNotMatch(r.out, URL_RE, 'no URL printed');
  } finally {
    await holder.stop();
  }
});

test('the default port busy: another port is chosen and a line says so', async () => {
  // Hold 7446 when it is free; when something else on the machine holds it, it is busy anyway.
  let holder: WebServer | undefined;
  try {
    holder = startServer('127.0.0.1', DEFAULT_PORT, () => ({ status: 200, headers: {}, body: '' }));
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'EADDRINUSE');
  }
  const c = cli(['serve', SITE]);
  try {
    await using(c, async () => {
      const [url, port] = await urlOf(c);
      if (holder !== undefined || port !== DEFAULT_PORT) {
        assert.notEqual(port, DEFAULT_PORT);
        assert.match(c.err(), new RegExp(`Port ${DEFAULT_PORT} is in use; serving on port ${port} instead\\.`));
      } else {
        // 7446 was held by another process that let it go before the CLI started.
        assert.doesNotMatch(c.err(), /is in use/);
      }
      assert.equal(await (await fetch(`${url}/data.txt`)).text(), 'data\n');
    });
  } finally {
    await holder?.stop();
  }
});

// ---- --quiet, access lines, timings, colours ----------------------------------------------------

test('--quiet prints the URL and nothing else', async () => {
  await withCli(['--quiet'], async (url, c) => {
    assert.equal((await fetch(`${url}/data.txt`)).status, 200);
    assert.equal((await fetch(`${url}/nope`)).status, 404);
    assert.equal(c.out(), `${url}\n`, 'stdout: the URL line only');
    assert.equal(c.err(), '');
  });
});

test('access lines: time, method, path, status, bytes and duration, on stdout', async () => {
  await withCli([], async (url, c) => {
    assert.match(c.out(), /^Serving: '.*site'\nView at: http:\/\/127\.0\.0\.1:\d+\n/);
    await fetch(`${url}/data.txt`).then((r) => r.text());
    await fetch(`${url}/nope.txt`).then((r) => r.text());
    await fetch(`${url}/sub`, { redirect: 'manual' }).then((r) => r.text());
    const lines = await pollUntil(() => {
      const l = c.out().split('\n').filter((x) => / (GET|HEAD) /.test(x));
      return l.length >= 3 ? l : undefined;
    }, 5000, 'three access lines');
    assert.match(lines[0], /^\d\d:\d\d:\d\d GET \/data\.txt 200 5 B \d+(\.\d+)? ms$/);
    assert.match(lines[1], /^\d\d:\d\d:\d\d GET \/nope\.txt 404 14 B \d+(\.\d+)? ms$/);
    assert.match(lines[2], /^\d\d:\d\d:\d\d GET \/sub 301 \d+ B \d+(\.\d+)? ms$/);
    assert.doesNotMatch(c.out(), /\x1b\[/, 'no colours on a pipe');
  });
});

test('colours: FORCE_COLOR forces them; NO_COLOR, --no-color and a pipe turn them off', async () => {
  const colouredStatus = /\x1b\[32m200\x1b\[0m/;
  const runOnce = async (args: string[], env: Record<string, string>): Promise<string> => {
    let out = '';
    await withCli(args, async (url, c) => {
      await fetch(`${url}/data.txt`).then((r) => r.text());
      await pollUntil(() => /GET \/data\.txt|data\.txt/.test(c.out()), 5000, 'the access line');
      out = c.out();
    }, env);
    return out;
  };
  assert.match(await runOnce([], { FORCE_COLOR: '1' }), colouredStatus);
  assert.doesNotMatch(await runOnce([], { FORCE_COLOR: '0' }), /\x1b\[/);
  assert.doesNotMatch(await runOnce([], { NO_COLOR: '1' }), /\x1b\[/);
  assert.doesNotMatch(await runOnce(['--no-color'], { FORCE_COLOR: '1' }), /\x1b\[/);
  assert.doesNotMatch(await runOnce([], {}), /\x1b\[/);
});

test('colours on a terminal (script(1) gives the CLI a pty), none with NO_COLOR', async (t) => {
  if (!hasProgram('script') || process.platform !== 'linux') {
    t.skip('needs util-linux script(1) on Linux');
    return;
  }
  const once = async (env: Record<string, string>): Promise<string> => {
    const port = randomPort(20000, 40000, '127.0.0.1');
    const cmd = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} serve ${JSON.stringify(SITE)} -p ${port}`;
    const c = spawnCli('script', ['-qfec', cmd, '/dev/null'], { TERM: 'xterm-256color', ...env });
    try {
      await pollUntil(() => c.out().includes(`:${port}`) || c.child.exitCode !== null, 15_000, 'the URL on the pty');
      await fetch(`http://127.0.0.1:${port}/data.txt`).then((r) => r.text());
      await pollUntil(() => /data\.txt.*\r?\n/.test(c.out()), 5000, 'the access line on the pty');
      return c.out();
    } finally {
      // SIGINT to the CLI itself (script's child, found through /proc), as Ctrl-C would.
      const kids = fs.readFileSync(`/proc/${c.child.pid}/task/${c.child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const k of kids) process.kill(Number(k), 'SIGINT');
      await withTimeout(c.exit, 10_000, 'script exit');
    }
  };
  const tty = await once({});
  assert.match(tty, /\x1b\[32m200\x1b\[0m/, 'the status is coloured on a terminal');
  assert.match(tty, /\x1b\[1;36mhttp:\/\/127\.0\.0\.1:\d+\x1b\[0m/, 'and the URL');
  assert.doesNotMatch(await once({ NO_COLOR: '1' }), /\x1b\[/, 'NO_COLOR wins over a terminal');
});

// ---- 301, --list, --cors, --spa, --no-index ----------------------------------------------------------

test('301 from /dir to /dir/ (query kept) by default; --no-redirect serves /dir as /dir/', async () => {
  await withCli([], async (url) => {
    const r = await fetch(`${url}/sub?x=1`, { redirect: 'manual' });
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), '/sub/?x=1');
    const followed = await fetch(`${url}/sub?x=1`);
    assert.equal(followed.url, `${url}/sub/?x=1`);
    assert.equal(await followed.text(), '<p>sub index</p>\n');
  });
  await withCli(['--no-redirect'], async (url) => {
    const r = await fetch(`${url}/sub`, { redirect: 'manual' });
    assert.equal(r.status, 200);
    assert.equal(await r.text(), '<p>sub index</p>\n');
  });
});

test('--list: a directory without index.html is listed (no dotfiles); without --list it is a 404', async () => {
  await withCli(['--list'], async (url) => {
    const r = await fetch(`${url}/files/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    const html = await r.text();
    assert.match(html, /<a href="\/files\/a\.txt">a\.txt<\/a>/);
    assert.doesNotMatch(html, /hidden/);
    assert.equal(await (await fetch(`${url}/`)).text(), '<p>site index</p>\n', 'index.html still wins');
  });
  await withCli([], async (url) => {
    assert.equal((await fetch(`${url}/files/`)).status, 404);
  });
});

test('--cors: Access-Control-Allow-Origin: * on files, listings and redirects; absent without it', async () => {
  await withCli(['--cors', '--list'], async (url) => {
    for (const [p, status] of [['/data.txt', 200], ['/files/', 200], ['/sub', 301]] as const) {
      const r = await fetch(`${url}${p}`, { redirect: 'manual' });
      assert.equal(r.status, status, p);
      assert.equal(r.headers.get('access-control-allow-origin'), '*', p);
    }
  });
  await withCli([], async (url) => {
    assert.equal((await fetch(`${url}/data.txt`)).headers.get('access-control-allow-origin'), null);
  });
});

test('--spa: unknown extension-less paths get /index.html; missing files stay 404', async () => {
  await withCli(['--spa'], async (url) => {
    const r = await fetch(`${url}/users/42`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), '<p>site index</p>\n');
    assert.equal((await fetch(`${url}/missing.js`)).status, 404);
    assert.equal(await (await fetch(`${url}/data.txt`)).text(), 'data\n');
  });
  await withCli([], async (url) => {
    assert.equal((await fetch(`${url}/users/42`)).status, 404);
  });
});

test('--no-index: directories do not serve index.html', async () => {
  await withCli(['--no-index'], async (url) => {
    assert.equal((await fetch(`${url}/`)).status, 404);
    assert.equal((await fetch(`${url}/data.txt`)).status, 200);
  });
});

// ---- SIGINT / SIGTERM ------------------------------------------------------------------------------

/** A download of big.bin that reads nothing after its first bytes until resumed. */
async function stalledDownload(port: number): Promise<{ received: () => number; resume: () => void; done: Promise<void> }> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  let received = 0;
  const first = new Promise<void>((resolve) => sock.once('data', () => resolve()));
  sock.on('data', (d: Buffer) => { received += d.length; });
  const done = new Promise<void>((resolve) => { sock.once('close', () => resolve()); });
  sock.on('error', () => { /* a cut download shows in `received` */ });
  sock.write('GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n');
  await first;
  sock.pause();
  return { received: () => received, resume: () => { sock.resume(); }, done };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} drains: a download in progress finishes, then the CLI exits 0`, async () => {
    await withCli([], async (url, c) => {
      const port = Number(new URL(url).port);
      const dl = await stalledDownload(port);
      c.child.kill(signal);
      await pollUntil(() => /Stopping/.test(c.err()), 15_000, 'the stopping line');
      assert.equal(c.child.exitCode, null, 'still running while the download is in progress');
      const t0 = Date.now();
      dl.resume();
      await withTimeout(dl.done, 10_000, 'the download');
      const [code, sig] = await withTimeout(c.exit, 10_000, 'the exit');
      assert.deepEqual([code, sig], [0, null]);
      assert.ok(Date.now() - t0 < 9000);
      assert.ok(dl.received() > BIG_SIZE, `the whole file arrived (${dl.received()} bytes)`);
      assert.match(c.err(), /Stopped\./);
    });
  });
}

test('a second Ctrl-C during the drain stops at once, cutting the download', async () => {
  await withCli([], async (url, c) => {
    const dl = await stalledDownload(Number(new URL(url).port));
    c.child.kill('SIGINT');
    await pollUntil(() => /Stopping/.test(c.err()), 15_000, 'the stopping line');
    const t0 = Date.now();
    c.child.kill('SIGINT');
    const [code] = await withTimeout(c.exit, 5000, 'the exit after the second SIGINT');
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 3000, `stopped at once (${Date.now() - t0} ms)`);
    dl.resume();
    await withTimeout(dl.done, 5000, 'the cut download');
    assert.ok(dl.received() < BIG_SIZE, `the download was cut (${dl.received()} of ${BIG_SIZE} bytes)`);
  });
});
