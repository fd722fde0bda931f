// The process-wide log level (httpuv's logLevel) and the one function that writes log lines.
// Native code never prints: it posts log events, and dispatch.ts hands them to log() here.

const LEVELS = ['OFF', 'ERROR', 'WARN', 'INFO', 'DEBUG'] as const;
/** A log level name, from least to most verbose. */
export type LogLevelName = (typeof LEVELS)[number];

let current: LogLevelName = 'ERROR';
let onChange: ((level: LogLevelName) => void) | undefined;

/** @internal Lets the native layer follow the level (it only posts lines that would print). */
export function setLevelListener(f: (level: LogLevelName) => void): void {
  onChange = f;
  f(current);
}

/**
 * Gets or sets the log level (default `"ERROR"`). With no argument, returns the current level;
 * with one, sets it and returns the previous level. Throws a RangeError for anything else.
 */
export function logLevel(level?: LogLevelName): LogLevelName {
  const previous = current;
  if (level === undefined) return previous;
  if (typeof level !== 'string' || !(LEVELS as readonly string[]).includes(level)) {
    const e = new RangeError(`level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
    (e as { code?: string }).code = 'ERR_OUT_OF_RANGE';
    throw e;
  }
  current = level;
  onChange?.(level);
  return previous;
}

/** Numeric rank of a level: OFF=0 … DEBUG=4. */
export function levelRank(level: LogLevelName): number {
  return LEVELS.indexOf(level);
}

export function isLogEnabled(level: Exclude<LogLevelName, 'OFF'>): boolean {
  return levelRank(level) <= levelRank(current);
}

/** Writes one line to stderr when `level` is enabled. */
export function log(level: Exclude<LogLevelName, 'OFF'>, message: string): void {
  if (!isLogEnabled(level)) return;
  process.stderr.write(`[node-httpuv] ${level}: ${message}\n`);
}

/**
 * Text for a thrown value in a log line or an error body: its stack (or message) for an Error,
 * `String(v)` otherwise. Never throws, whatever the app threw (a Proxy whose traps throw, an
 * object whose toString throws, a Symbol).
 */
export function errorText(err: unknown, stack = true): string {
  try {
    if (err instanceof Error) {
      const s = stack ? err.stack : undefined;
      return String(typeof s === 'string' ? s : err.message);
    }
    return String(err);
  } catch {
    try {
      return Object.prototype.toString.call(err);
    } catch {
      return '(a value that cannot be printed)';
    }
  }
}
