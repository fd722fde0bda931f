// Memory of a child process, from /proc (Linux): the current and peak resident set size.
import * as fs from 'node:fs';

export interface Rss {
  /** VmRSS in bytes. */
  rss: number;
  /** VmHWM (peak RSS since the process started) in bytes. */
  peak: number;
}

/** The RSS figures of process `pid`, or null when /proc is not available (not Linux). */
export function readRss(pid: number): Rss | null {
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
