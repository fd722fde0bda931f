// Helpers for the lifecycle stress tests (stress-*.test.ts): run stress-child.js in child
// processes, many at once (fd and thread counts: helpers/proc.ts).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { waitMs } from '../helpers/emulation.js';

/** The compiled child script (build-test/test/lifecycle/stress-child.js). */
export const CHILD = path.join(__dirname, 'stress-child.js');

export interface ChildResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * Runs `node stress-child.js ...args`; kills it (SIGKILL) after `timeoutMs` (a hang detector:
 * waitMs, so longer under emulation) and says so.
 */
export function runChild(args: string[], timeoutMs = 20000, env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, waitMs(timeoutMs));
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ args, code, signal, stdout, stderr, timedOut, ms: Date.now() - t0 });
    });
  });
}

/** Runs `count` jobs, at most `concurrency` at a time; results in job order. */
export async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await job(i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** One line about a child run for assertion messages. */
export function explain(r: ChildResult): string {
  return `args=${r.args.join(' ')} code=${r.code} signal=${r.signal} timedOut=${r.timedOut} ms=${r.ms}\n` +
    `stdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`;
}

/** Signs of a native crash or runtime abort in a child's stderr. */
export const CRASH_RE = /FATAL ERROR|Assertion failed|Segmentation fault|Aborted|core dumped|double free|heap-use-after-free|terminate called|napi_fatal|Check failed|ERROR: ThreadSanitizer|ERROR: AddressSanitizer/i;
