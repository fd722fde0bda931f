// Outside programs (curl) and small waiting utilities shared by the test tiers.
import { waitMs } from './emulation.js';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

/**
 * A `skip` value for tests that send POSIX signals to a child: Windows cannot deliver SIGINT or
 * SIGTERM to another process (libuv's kill terminates it), so they run on POSIX only.
 */
export const NO_SIGNALS: string | false = process.platform === 'win32'
  ? 'POSIX only: Windows cannot send SIGINT/SIGTERM to another process (child.kill() terminates it)'
  : false;

/**
 * A `skip` value for a timing-bound test under emulation (the Wine leg sets
 * HTTPUV_UNDER_EMULATION=wine): `reason` says what is too slow or too different there.
 */
export function underEmulation(reason: string): string | false {
  const emu = process.env.HTTPUV_UNDER_EMULATION;
  return emu ? `timing-bound under ${emu}: ${reason}` : false;
}

let linksWork: boolean | undefined;
/**
 * Whether this system lets the tests make symbolic links (Wine 8 reports success and makes
 * none; Windows without developer mode refuses). Tests that build trees of links skip without.
 */
export function symlinksWork(): boolean {
  if (linksWork !== undefined) return linksWork;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-links-'));
  try {
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    fs.symlinkSync('f', path.join(dir, 'l'));
    linksWork = fs.lstatSync(path.join(dir, 'l')).isSymbolicLink() && fs.readFileSync(path.join(dir, 'l'), 'utf8') === 'x';
  } catch {
    linksWork = false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return linksWork;
}
/** A `skip` value for tests that need symbolic links (see symlinksWork). */
export function NEEDS_LINKS(): string | false {
  return symlinksWork() ? false : 'needs symbolic links, which this system does not make (Wine 8, or Windows without the privilege)';
}

const known = new Map<string, boolean>();

/** True when `name` is an executable on PATH (h2o prog_exists). */
export function hasProgram(name: string): boolean {
  let v = known.get(name);
  if (v === undefined) {
    v = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
    known.set(name, v);
  }
  return v;
}

/** Skips the test (returns true) when `name` is not installed. */
export function skipWithout(t: TestContext, name: string): boolean {
  if (hasProgram(name)) return false;
  t.skip(`${name} not installed`);
  return true;
}

export interface CurlResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs curl with `args` (no shell); kills it after `timeoutMs`. */
/** The environment for outside programs: without a sanitizer runtime preloaded for node. */
export function outsideEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  return env;
}

export function runCurl(args: string[], timeoutMs = 15000): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'], env: outsideEnv() });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { err += d.toString('latin1'); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
  });
}

/**
 * Polls `pred` every `stepMs` until it returns a truthy value and returns that value; throws after
 * `timeoutMs` naming `what`. The tests' one way to wait for a condition with a deadline (or await
 * an event): never a bare sleep.
 */
export async function pollUntil<T>(pred: () => T | Promise<T>, timeoutMs: number, what: string,
                                   stepMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + waitMs(timeoutMs);
  for (;;) {
    const v = await pred();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Polls `read` every `stepMs` until its value has stayed the same for `quietMs` (the server has
 * finished reacting: stopped reading, stopped answering) and returns that value; throws after
 * `timeoutMs` naming `what`. A deadline on a condition, for when "done" has no event of its own.
 */
export async function pollUntilSteady<T>(read: () => T, quietMs: number, timeoutMs: number, what: string,
                                         stepMs = 20): Promise<T> {
  const deadline = Date.now() + waitMs(timeoutMs);
  let last = JSON.stringify(read());
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, stepMs));
    const v = read();
    const now = JSON.stringify(v);
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return v;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last ${now})`);
  }
}

/** Rejects with a message naming `what` if `p` does not settle within `timeoutMs`. */
export function withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), waitMs(timeoutMs));
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A promise with its resolve function exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/**
 * A delay that is part of the input under test, never a wait for server state: a slow client's
 * pacing (slowloris, a flood's sampling interval while the peer holds it back), or an app's own
 * latency. To wait for something to happen use pollUntil or an awaited event.
 */
export function pace(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A timed measurement window: the test measures what happens over a span of time (CPU burnt by a
 * saturated server, requests served meanwhile), for which no event exists; `why` documents that
 * at the call site. Not for waiting on the server: use pollUntil or an awaited event.
 */
export function measurementWindow(ms: number, why: string): Promise<void> {
  void why;
  return new Promise((r) => setTimeout(r, ms));
}

/** Regular files this process has open (from /proc/self/fd), as "fd -> target" strings. */
export function openRegularFiles(): string[] {
  const out: string[] = [];
  if (process.platform === 'win32') {
    // No /proc: the files the server opens itself are its spilled request bodies, which exist
    // in the temp directory (FILE_FLAG_DELETE_ON_CLOSE) exactly while a handle is open on them.
    try {
      for (const f of fs.readdirSync(os.tmpdir())) {
        if (f.startsWith('node-httpuv-body-')) out.push(path.join(os.tmpdir(), f));
      }
    } catch { /* no temp dir: nothing open there */ }
    return out.sort();
  }
  let fds: string[];
  try { fds = fs.readdirSync('/proc/self/fd'); } catch { return out; }
  for (const fd of fds) {
    let target: string;
    try { target = fs.readlinkSync(`/proc/self/fd/${fd}`); } catch { continue; }
    if (!target.startsWith('/') || target.startsWith('/dev/') || target.startsWith('/proc/')) continue;
    if (target.includes('node_modules') || target.endsWith('.node')) continue;
    out.push(`${fd} -> ${target}`);
  }
  return out.sort();
}
