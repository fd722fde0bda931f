// Captures node-httpuv's log lines (log.ts writes them to process.stderr) at a chosen level,
// for tests that check something is logged rather than lost silently. Imports only src/log.ts,
// so unit tests over a fake binding use it without loading the addon.
import { logLevel, type LogLevelName } from '../../src/log.js';

export interface LogCapture {
  /** Everything written to stderr since the capture began. */
  readonly text: string;
  /**
   * The captured lines that node-httpuv wrote at `level` (e.g. "WARN"), without their leading
   * ISO timestamp: `[node-httpuv] WARN: message`.
   */
  lines(level: Exclude<LogLevelName, 'OFF'>): string[];
  /** Puts process.stderr.write and the log level back. */
  restore(): void;
}

/** The lines of `text` that node-httpuv wrote at `level`, each without its leading timestamp. */
export function logLines(text: string, level: string): string[] {
  return text.split('\n').flatMap((x) => {
    const m = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\[node-httpuv\] .*)$/.exec(x);
    return m !== null && m[1].startsWith(`[node-httpuv] ${level}: `) ? [m[1]] : [];
  });
}

/** Sets logLevel(`level`) and records stderr until `restore()`. */
export function captureLog(level: LogLevelName): LogCapture {
  const previous = logLevel(level);
  const orig = process.stderr.write;
  let out = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  return {
    get text() { return out; },
    lines(l) { return logLines(out, l); },
    restore() {
      process.stderr.write = orig;
      logLevel(previous);
    },
  };
}
