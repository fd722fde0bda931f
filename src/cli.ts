#!/usr/bin/env node
// `npx node-httpuv serve [DIR] [options]`: serves a folder with runStaticServer from the I/O
// thread. Prints the URL on stdout (even with --quiet), one access line per request with its
// status, size and time (stdout; coloured when stdout is a terminal, never when NO_COLOR is set),
// notices and errors on stderr. Stops cleanly on Ctrl-C or SIGTERM: downloads in progress may
// finish (up to 5 s, stop()'s default grace period), a second signal stops at once.
//
// Exit codes: 0 after a clean stop, --help or --version; 2 for a usage error (unknown option,
// bad value, missing directory); 1 when the server cannot start (a port given with -p in use,
// a host name that does not resolve, no permission).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lookup } from 'node:dns/promises';
import { DEFAULT_STATIC_PORT, openBrowser, runStaticServer } from './static-server.js';
import { runUntilInterrupted, type WebServer } from './server.js';
import { logLevel, setLogger, type LogFunction } from './log.js';
import { ipFamily } from './ip.js';
import { suggestName } from './validate.js';

const USAGE = `Usage: node-httpuv serve [DIR] [options]

Serves DIR (default: the current directory) over HTTP from node-httpuv's I/O thread.

Options:
  -p, --port PORT   port, 1 to 65535 (default ${DEFAULT_STATIC_PORT}; when it is taken, a free port is
                    chosen and a line says so; a PORT given here that is taken is an error)
  -H, --host HOST   address or host name to listen on (default 127.0.0.1; "localhost" and other
                    names are resolved to an address, IPv4 first; 0.0.0.0 for every interface)
      --list        list the files of a directory that has no index.html
      --cors        send Access-Control-Allow-Origin: * with every file, listing and redirect
  -s, --spa         single-page app: a missing path without an extension gets /index.html
      --no-index    do not serve index.html for directories
      --no-redirect serve /dir as /dir/ instead of answering 301 to /dir/
  -o, --open        open the URL in a browser
  -q, --quiet       print only the URL (no access lines)
      --no-color    no colours (also NO_COLOR=1; FORCE_COLOR=1 forces them when not a terminal)
  -v, --version     print the version and exit
  -h, --help        print this help and exit

Access lines: time, method, path, status, bytes sent, duration (from the request's headers to
its answer). Ctrl-C or SIGTERM stops the server after requests in progress
finish (at most 5 s); a second Ctrl-C stops it at once.
`;

/** A usage error: exit code 2 with the message and a pointer to --help. */
class UsageError extends Error {}

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

// ---- options -------------------------------------------------------------------------------

interface CliOptions {
  dir: string;
  host: string;
  port: number | undefined;
  open: boolean;
  indexhtml: boolean;
  redirect: boolean;
  list: boolean;
  cors: boolean;
  spa: boolean;
  quiet: boolean;
  noColor: boolean;
}

type Flag = { long: string; short?: string; value?: boolean; set: (o: CliOptions, v: string) => void };

function parsePort(v: string, flag: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
    throw new UsageError(`${flag} must be an integer from 1 to 65535, got ${JSON.stringify(v)} ` +
      `(leave it out to use ${DEFAULT_STATIC_PORT}, or a free port when ${DEFAULT_STATIC_PORT} is taken)`);
  }
  return Number(v);
}

const FLAGS: Flag[] = [
  { long: '--port', short: '-p', value: true, set: (o, v) => { o.port = parsePort(v, '--port'); } },
  { long: '--host', short: '-H', value: true, set: (o, v) => { o.host = v; } },
  { long: '--list', set: (o) => { o.list = true; } },
  { long: '--cors', set: (o) => { o.cors = true; } },
  { long: '--spa', short: '-s', set: (o) => { o.spa = true; } },
  { long: '--no-index', set: (o) => { o.indexhtml = false; } },
  { long: '--no-redirect', set: (o) => { o.redirect = false; } },
  { long: '--open', short: '-o', set: (o) => { o.open = true; } },
  { long: '--quiet', short: '-q', set: (o) => { o.quiet = true; } },
  { long: '--no-color', set: (o) => { o.noColor = true; } },
];
const ALL_NAMES = [...FLAGS.flatMap((f) => (f.short ? [f.long, f.short] : [f.long])), '--version', '-v', '--help', '-h'];

// Other servers' names for our options (lower case), for "did you mean".
const SYNONYMS: Record<string, string> = {
  '--listen': '--port', '--address': '--host', '--directory-listing': '--list', '--single': '--spa',
  '--silent': '--quiet', '--no-colour': '--no-color',
};

/** The known option closest to `name`, when it looks like a typo (or a synonym) of one. */
function suggest(name: string): string | undefined {
  const dashed = name.startsWith('--') ? name : `--${name.replace(/^-+/, '')}`;
  return suggestName(dashed, ALL_NAMES.filter((n) => n.startsWith('--')), SYNONYMS);
}

type Parsed = { kind: 'help' } | { kind: 'version' } | { kind: 'serve'; options: CliOptions };

function parseArgs(argv: string[]): Parsed {
  const [cmd, ...rest] = argv;
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') return { kind: 'help' };
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') return { kind: 'version' };
  if (cmd === undefined) throw new UsageError('missing command: node-httpuv serve [DIR] [options]');
  if (cmd !== 'serve') {
    const hint = cmd.startsWith('-') ? ' (options go after the command: node-httpuv serve [DIR] [options])'
      : suggestName(cmd, ['serve']) !== undefined ? ' (did you mean serve?)' : '';
    throw new UsageError(`unknown command ${JSON.stringify(cmd)}${hint}`);
  }
  const o: CliOptions = {
    dir: '.', host: '127.0.0.1', port: undefined, open: false, indexhtml: true, redirect: true,
    list: false, cors: false, spa: false, quiet: false, noColor: false,
  };
  let dir: string | undefined;
  let onlyPositional = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (onlyPositional || !a.startsWith('-') || a === '-') {
      if (dir !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(a)} (only one DIR is served)`);
      dir = a;
      continue;
    }
    if (a === '--') { onlyPositional = true; continue; }
    if (a === '--help' || a === '-h') return { kind: 'help' };
    if (a === '--version' || a === '-v') return { kind: 'version' };
    // --name=value, -p=8080, -p8080
    let name = a;
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      name = a.slice(0, eq);
      inline = a.slice(eq + 1);
    } else if (!a.startsWith('--') && a.length > 2) {
      name = a.slice(0, 2);
      inline = a[2] === '=' ? a.slice(3) : a.slice(2);
    }
    const flag = FLAGS.find((f) => f.long === name || f.short === name);
    if (flag === undefined) {
      const s = suggest(name);
      throw new UsageError(`unknown option ${name}${s ? ` (did you mean ${s}?)` : ''}`);
    }
    if (flag.value) {
      let v = inline;
      if (v === undefined) {
        v = rest[++i];
        if (v === undefined || (v.startsWith('-') && v.length > 1)) throw new UsageError(`${flag.long} needs a value`);
      }
      flag.set(o, v);
    } else {
      if (inline !== undefined) throw new UsageError(`${flag.long} takes no value, got ${JSON.stringify(a)}`);
      flag.set(o, '');
    }
  }
  if (dir !== undefined) o.dir = dir;
  let st: fs.Stats;
  try {
    st = fs.statSync(o.dir);
  } catch {
    throw new UsageError(`DIR ${JSON.stringify(o.dir)} does not exist`);
  }
  if (!st.isDirectory()) throw new UsageError(`DIR ${JSON.stringify(o.dir)} is not a directory`);
  return { kind: 'serve', options: o };
}

// ---- output --------------------------------------------------------------------------------

/**
 * Colours on stdout: FORCE_COLOR (other than 0/false) forces them; else NO_COLOR (any non-empty
 * value, no-color.org) or --no-color turns them off; else only when stdout is a terminal that
 * supports them (TERM not "dumb").
 */
function useColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, noColor: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && !noColor) return force !== '0' && force !== 'false';
  if (noColor || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (!stream.isTTY) return false;
  return typeof stream.hasColors === 'function' ? stream.hasColors() : env.TERM !== 'dumb';
}

type Paint = (code: string, text: string) => string;

function painter(on: boolean): Paint {
  return on ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (_code, text) => text;
}

function statusColour(status: number): string {
  if (status >= 500) return '31';  // red
  if (status >= 400) return '33';  // yellow
  if (status >= 300) return '36';  // cyan
  return '32';                     // green
}

function clock(): string {
  const d = new Date();
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** "0.42", "12.3", "250": the duration to the precision a person reads. */
function millis(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/**
 * The CLI's logger (setLogger): access lines (the fields of an INFO line with a status) become
 * "HH:MM:SS GET /path?q 200 1234 B 0.42 ms" on stdout; every other line goes to stderr as
 * "[node-httpuv] LEVEL: message".
 */
function cliLogger(paint: Paint): LogFunction {
  return (level, message, fields) => {
    const { method, path: p, query, status, bytes, durationMs } = fields;
    if (level === 'INFO' && method !== undefined && status !== undefined) {
      const took = durationMs === undefined ? '' : ` ${paint('2', `${millis(durationMs)} ms`)}`;
      process.stdout.write(`${paint('2', clock())} ${method} ${p ?? ''}${query ?? ''} ` +
        `${paint(statusColour(status), String(status))} ${bytes ?? 0} B${took}\n`);
      return;
    }
    const tag = paint(level === 'ERROR' ? '31' : level === 'WARN' ? '33' : '2', `[node-httpuv] ${level}:`);
    process.stderr.write(`${tag} ${message}\n`);
  };
}

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** Addresses a browser on this machine (and the network, for a wildcard host) can use. */
function urls(address: string, port: number): { local: string; network: string[] } {
  if (address !== '0.0.0.0' && address !== '::') return { local: `http://${urlHost(address)}:${port}`, network: [] };
  const network: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4' || (address === '::' && a.family === 'IPv6' && !a.address.startsWith('fe80'))) {
        network.push(`http://${urlHost(a.address)}:${port}`);
      }
    }
  }
  return { local: `http://${address === '::' ? '[::1]' : '127.0.0.1'}:${port}`, network };
}

// ---- main ----------------------------------------------------------------------------------

async function resolveHost(host: string): Promise<string> {
  if (ipFamily(host) !== -1) return host;
  let found: { address: string; family: number }[];
  try {
    found = await lookup(host, { all: true });
  } catch (e) {
    throw new Error(`cannot resolve --host ${JSON.stringify(host)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const v4 = found.find((a) => a.family === 4);
  const pick = v4 ?? found[0];
  if (pick === undefined) throw new Error(`cannot resolve --host ${JSON.stringify(host)}: no address`);
  return pick.address;
}

async function serve(o: CliOptions): Promise<void> {
  const paint = painter(useColour(process.stdout, process.env, o.noColor));
  const address = await resolveHost(o.host);
  if (!o.quiet) {
    logLevel('INFO');
    setLogger(cliLogger(paint));
  }
  let server: WebServer;
  try {
    server = runStaticServer(o.dir, {
      host: address, port: o.port, background: true, quiet: true, browse: false,
      indexhtml: o.indexhtml, redirectDirectories: o.redirect, directoryListing: o.list,
      spaFallback: o.spa, headers: o.cors ? { 'Access-Control-Allow-Origin': '*' } : undefined,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_HTTPUV_UNAVAILABLE_PORT' || err.code === 'EADDRINUSE') {
      throw new Error(`port ${o.port} is in use on ${address}: choose another with -p, or leave -p out ` +
        `to use ${DEFAULT_STATIC_PORT} (or a free port when it is taken)`);
    }
    throw e;
  }
  // Signals are handled before the URL is printed: whoever reacts to the URL with Ctrl-C or
  // SIGTERM must never meet the default action (killed mid-request, exit by signal).
  const onFirstSignal = (): void => {
    if (!o.quiet) process.stderr.write('Stopping: requests in progress may finish (up to 5 s); press Ctrl + C again to stop now.\n');
  };
  process.once('SIGINT', onFirstSignal);
  process.once('SIGTERM', onFirstSignal);
  const stopped = runUntilInterrupted(server);
  const port = server.getPort();
  if (o.port === undefined && port !== DEFAULT_STATIC_PORT) {
    process.stderr.write(`Port ${DEFAULT_STATIC_PORT} is in use; serving on port ${port} instead.\n`);
  }
  const { local, network } = urls(address, port);
  if (o.quiet) {
    process.stdout.write(`${local}\n`);
  } else {
    const shownDir = path.resolve(o.dir);
    const hostNote = address !== o.host ? ` (${o.host})` : '';
    process.stdout.write(`Serving: '${shownDir}'\nView at: ${paint('1;36', local)}${hostNote}\n`);
    for (const u of network) process.stdout.write(`On your network: ${paint('36', u)}\n`);
    const features = [o.list && 'directory listing', o.cors && 'CORS', o.spa && 'SPA fallback'].filter(Boolean);
    if (features.length > 0) process.stdout.write(`With: ${features.join(', ')}\n`);
    process.stdout.write(`${paint('2', 'Press Ctrl + C to stop the server')}\n`);
  }
  if (o.open) openBrowser(local);
  await stopped;
  if (!o.quiet) process.stderr.write('Stopped.\n');
}

async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`node-httpuv: ${e.message}\nRun "node-httpuv --help" for the options.\n`);
    return 2;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    await serve(parsed.options);
    return 0;
  } catch (e) {
    process.stderr.write(`node-httpuv: ${(e as Error).message}\n`);
    return e instanceof TypeError || e instanceof RangeError ? 2 : 1;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: Error) => {
  process.stderr.write(`node-httpuv: ${e.stack ?? e.message}\n`);
  process.exitCode = 1;
});
