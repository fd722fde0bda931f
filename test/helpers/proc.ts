// Figures of a process from /proc (Linux): resident memory, open file descriptors, threads. The
// one place the tests read /proc for them; HAS_PROC says whether they can.
import * as fs from 'node:fs';

/**
 * Whether /proc is there to read (Linux); tests that need it skip without it. (Under Wine a
 * Windows process sees the Linux host's /proc through drive Z:, which is not its own.)
 */
export const HAS_PROC = process.platform === 'linux' && fs.existsSync('/proc/self/fd') && fs.existsSync('/proc/self/task') &&
  fs.existsSync('/proc/self/status');

export interface Rss {
  /** VmRSS in bytes. */
  rss: number;
  /** VmHWM (peak RSS since the process started) in bytes. */
  peak: number;
}

/**
 * The RSS figures of process `pid`, or null when /proc is not available (not Linux), except for
 * this process on Windows, whose figures Node reports itself.
 */
export function readRss(pid: number): Rss | null {
  if (process.platform === 'win32') {
    // No /proc: this process's working set (libuv: GetProcessMemoryInfo), and its peak
    // (resourceUsage().maxRSS: PeakWorkingSetSize, in KiB). Other processes: unknown.
    if (pid !== process.pid) return null;
    return { rss: process.memoryUsage().rss, peak: process.resourceUsage().maxRSS * 1024 };
  }
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const kb = (name: string): number => {
    const m = text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

export const MiB = 1024 * 1024;

/** Open file descriptors of process `pid` (this one by default). */
export function fdCount(pid: number | 'self' = 'self'): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** Threads of process `pid` (this one by default). */
export function threadCount(pid: number | 'self' = 'self'): number {
  return fs.readdirSync(`/proc/${pid}/task`).length;
}
