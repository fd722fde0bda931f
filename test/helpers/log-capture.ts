// Captures node-httpuv's log lines (log.ts writes them to process.stderr) at a chosen level,
// for tests that check something is logged rather than lost silently.
import { logLevel, type LogLevelName } from '../../src/index.js';

export interface LogCapture {
  /** Everything written to stderr since the capture began. */
  readonly text: string;
  /** The captured lines that node-httpuv wrote at `level` (e.g. "WARN"). */
  lines(level: Exclude<LogLevelName, 'OFF'>): string[];
  /** Puts process.stderr.write and the log level back. */
  restore(): void;
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
    lines(l) { return out.split('\n').filter((x) => x.startsWith(`[node-httpuv] ${l}: `)); },
    restore() {
      process.stderr.write = orig;
      logLevel(previous);
    },
  };
}
