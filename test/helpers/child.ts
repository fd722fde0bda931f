// Fixture apps in child processes: readiness line on stdout, exit waiting, kill guard.
import { waitMs } from './emulation.js';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const live = new Set<ChildProcess>();
process.on('exit', () => { for (const c of live) c.kill('SIGKILL'); });

/** Absolute path of a compiled fixture app (test/fixtures/apps/<name>.js in build-test). */
export function fixturePath(name: string): string {
  return path.join(__dirname, '..', 'fixtures', 'apps', `${name}.js`);
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

export class Child {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  exit: ExitInfo | undefined;
  #waiters = new Set<() => void>();
  #partial = '';

  constructor(proc: ChildProcess) {
    this.proc = proc;
    live.add(proc);
    proc.stdout?.on('data', (d: Buffer) => {
      this.#partial += d.toString('utf8');
      const parts = this.#partial.split('\n');
      this.#partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.#notify();
    });
    proc.stderr?.on('data', (d: Buffer) => { this.stderr += d.toString('utf8'); });
    proc.on('exit', () => { live.delete(proc); });
    // 'close', not 'exit': 'exit' can come before the last stdout/stderr bytes have been read, and
    // a test that reads the child's output once it has exited would miss them.
    proc.on('close', (code, signal) => {
      this.exit = { code, signal, timedOut: false };
      this.#notify();
    });
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Waits for a stdout line matching `re`; returns its match. */
  waitLine(re: RegExp, timeoutMs = 10000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (const l of this.lines) {
          const m = l.match(re);
          if (m) { done(); resolve(m); return true; }
        }
        if (this.exit) {
          done();
          reject(new Error(`child exited (${JSON.stringify(this.exit)}) before printing ${re}; ` +
            `stdout ${JSON.stringify(this.lines)} stderr ${JSON.stringify(this.stderr.slice(-2000))}`));
          return true;
        }
        return false;
      };
      const done = (): void => { clearTimeout(timer); this.#waiters.delete(w); };
      const w = (): void => { check(); };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}; stdout ${JSON.stringify(this.lines)} ` +
          `stderr ${JSON.stringify(this.stderr.slice(-2000))}`));
      }, waitMs(timeoutMs));
      this.#waiters.add(w);
      check();
    });
  }

  /** Waits for the child to exit by itself; `timedOut` (and a SIGKILL) after `timeoutMs`. */
  waitExit(timeoutMs: number): Promise<ExitInfo> {
    return new Promise((resolve) => {
      if (this.exit) { resolve(this.exit); return; }
      const timer = setTimeout(() => {
        this.#waiters.delete(w);
        this.kill();
        resolve({ code: null, signal: null, timedOut: true });
      }, waitMs(timeoutMs));
      const w = (): void => {
        if (!this.exit) return;
        clearTimeout(timer);
        this.#waiters.delete(w);
        resolve(this.exit);
      };
      this.#waiters.add(w);
    });
  }

  /** Kill guard: SIGKILL if still running. */
  kill(): void {
    if (!this.exit && this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

/**
 * Runs fixture `name` with `args` in a child node process (HTTPUV_FIXTURE=1 marks a real run;
 * fixtures do nothing without it, so `node --test` on the folder does not start them).
 */
export function spawnFixture(name: string, args: string[] = [], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [fixturePath(name), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, HTTPUV_FIXTURE: '1' },
  });
  return new Child(proc);
}

/**
 * Starts fixture `name` (see spawnFixture) and waits for its `READY <port>` line; returns the
 * child and the port it listens on.
 */
export async function startFixture(name: string, args: string[] = [], env: Record<string, string> = {}):
  Promise<{ child: Child; port: number }> {
  const child = spawnFixture(name, args, env);
  const m = await child.waitLine(/^READY (\d+)/, 20000);
  return { child, port: Number(m[1]) };
}

/** Stops a fixture with SIGTERM and fails the test if it has not exited within 20 s. */
export async function stopFixture(child: Child): Promise<void> {
  child.proc.kill('SIGTERM');
  const e = await child.waitExit(20000);
  if (e.timedOut) throw new Error('the fixture did not stop');
}
