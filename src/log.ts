// The process-wide log level (httpuv's logLevel), the loggers lines go to, and the one function
// that writes log lines. Native code never prints: it posts log events (and access events when
// INFO is on), and dispatch.ts hands them to log() here.

/** A log level name, from least to most verbose. */
export type LogLevelName = 'OFF' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';
const LEVELS: readonly LogLevelName[] = ['OFF', 'ERROR', 'WARN', 'INFO', 'DEBUG'];
/** The level of one log line. */
export type LogLineLevel = Exclude<LogLevelName, 'OFF'>;

/**
 * Structured data of a log line, for loggers that keep fields (pino, winston). Which members are
 * set depends on the line: a request's lines carry `requestId`, `method` and `path`; access lines
 * also `status`, `bytes`, `durationMs`, `remoteAddr` and `static`; an app error its `err`.
 */
export interface LogFields {
  /** The id of the server the line is about (`server.id`), when it is about one. */
  serverId?: number;
  /** The request's id (unique in the process); the same id in its access line and its errors. */
  requestId?: number;
  /** The request method. */
  method?: string;
  /** The request target's path (without the query). */
  path?: string;
  /** The query, with its leading `?` (`""` for none), as `QUERY_STRING`. */
  query?: string;
  /** Access lines: the response status. */
  status?: number;
  /** Access lines: the response body's size in bytes as sent (after gzip; 0 for HEAD, 204, 304). */
  bytes?: number;
  /** Access lines: from the request's headers to its response leaving, in milliseconds. */
  durationMs?: number;
  /** Access lines: the client's address. */
  remoteAddr?: string;
  /** Access lines: true when a static path answered (on the I/O thread), false for the app. */
  static?: boolean;
  /** App errors: what the app threw or rejected with. */
  err?: unknown;
}

/**
 * A function that receives every log line that `logLevel()` lets through: its level, the text
 * (as it would be printed, without the timestamp and prefix) and its fields.
 */
export type LogFunction = (level: LogLineLevel, message: string, fields: LogFields) => void;

/**
 * A logger object with level methods, called as pino and bunyan take them:
 * `logger.error(fields, message)`. (For winston, whose methods take the message first, pass a
 * {@link LogFunction}: `(level, msg, fields) => winston.log(level.toLowerCase(), msg, fields)`.)
 * A level whose method is missing goes to stderr.
 */
export interface LoggerObject {
  /** Receives ERROR lines. */
  error?(fields: LogFields, message: string): unknown;
  /** Receives WARN lines. */
  warn?(fields: LogFields, message: string): unknown;
  /** Receives INFO lines (the access log among them). */
  info?(fields: LogFields, message: string): unknown;
  /** Receives DEBUG lines. */
  debug?(fields: LogFields, message: string): unknown;
}

/** Where log lines go: a {@link LogFunction} or a {@link LoggerObject}. */
export type Logger = LogFunction | LoggerObject;

let current: LogLevelName = 'ERROR';
let onChange: ((level: LogLevelName) => void) | undefined;
let processLogger: Logger | null = null;

/** @internal Lets the native layer follow the level (it only posts lines that would print). */
export function setLevelListener(f: (level: LogLevelName) => void): void {
  onChange = f;
  f(current);
}

/**
 * Gets or sets the log level (default `"ERROR"`). With no argument, returns the current level;
 * with one, sets it and returns the previous level. Throws a RangeError for anything else.
 * `"INFO"` turns on the access log (one line per answered request, static or dynamic).
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

export function isLogEnabled(level: LogLineLevel): boolean {
  return levelRank(level) <= levelRank(current);
}

const METHOD = { ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug' } as const;

/**
 * @internal Checks a logger given by the app: a function, or an object with at least one of the
 * methods error, warn, info, debug (each one present must be a function). `name` names the
 * argument in the TypeError.
 */
export function checkLogger(name: string, v: unknown): Logger {
  if (typeof v === 'function') return v as LogFunction;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    let any = false;
    for (const m of Object.values(METHOD)) {
      const f = o[m];
      if (f === undefined) continue;
      if (typeof f !== 'function') {
        const e = new TypeError(`${name}.${m} must be a function, got ${typeof f}`);
        (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
        throw e;
      }
      any = true;
    }
    if (any) return o as LoggerObject;
  }
  const e = new TypeError(`${name} must be a function (level, message, fields) or an object with ` +
    `error/warn/info/debug methods (a pino or console-like logger), got ${v === null ? 'null' : typeof v}`);
  (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
  throw e;
}

/**
 * Sets the process-wide logger: every log line that `logLevel()` lets through and that no
 * server's own `options.logger` takes goes to it (lines of the I/O thread, of stopped servers,
 * of servers started without a logger). `null` puts back the default, stderr. Returns the
 * previous logger (null for stderr). A TypeError for anything but a function, a logger object
 * or null.
 */
export function setLogger(logger: Logger | null): Logger | null {
  const previous = processLogger;
  processLogger = logger === null ? null : checkLogger('logger', logger);
  return previous;
}

function writeStderr(level: LogLineLevel, message: string): void {
  process.stderr.write(`${new Date().toISOString()} [node-httpuv] ${level}: ${message}\n`);
}

function deliver(logger: Logger, level: LogLineLevel, message: string, fields: LogFields): void {
  try {
    if (typeof logger === 'function') {
      logger(level, message, fields);
      return;
    }
    const f = logger[METHOD[level]];
    if (typeof f === 'function') {
      f.call(logger, fields, message);
      return;
    }
  } catch (err) {
    writeStderr(level, message);
    writeStderr('ERROR', `the logger threw: ${errorText(err)}`);
    return;
  }
  writeStderr(level, message);
}

/**
 * Logs one line when `level` is enabled: to `logger` (a server's `options.logger`) when given,
 * else to the process-wide logger (`setLogger`), else to stderr as
 * `<ISO time> [node-httpuv] LEVEL: message`. A logger that throws gets its line written to
 * stderr instead, with what it threw.
 */
export function log(level: LogLineLevel, message: string, fields?: LogFields, logger?: Logger | null): void {
  if (!isLogEnabled(level)) return;
  const to = logger ?? processLogger;
  if (to === null) writeStderr(level, message);
  else deliver(to, level, message, fields ?? {});
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
