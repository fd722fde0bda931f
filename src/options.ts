// Server options: the public shape, validation (unknown keys throw) and defaults.
import type { NativeServerOptions } from './native.js';
import { checkLogger, type Logger } from './log.js';
import { argumentError, assertBoolean, assertInteger, assertKnownKeys, isPlainObject, rangeError, unsupportedError } from './validate.js';

/** WebSocket options of a server. */
export interface WebSocketOptions {
  /** Negotiate permessage-deflate when the client offers it (default true). */
  perMessageDeflate?: boolean;
  /** Largest message accepted, in bytes, after decompression (default 16 MiB); beyond: close 1009. */
  maxMessageSize?: number;
  /**
   * Bytes that may wait unsent per WebSocket (default 16 MiB): past it `send()` returns false and
   * drops the message, and a peer that leaves more than this of our output (messages, pongs, close
   * frames) unread is not read from until it catches up; one that reads none of it for
   * `sendTimeoutMs` is closed (1006).
   */
  sendQueueLimit?: number;
  /**
   * Bytes of received data that may wait for JavaScript per connection (default 1 MiB): messages
   * (and, for HTTP, the request head and in-memory body) that the I/O thread has read but your
   * handlers have not handled yet. Past it the server stops reading from that connection (TCP
   * backpressure, as a Node stream's highWaterMark) and resumes once JS has handled half of it.
   * One message larger than the limit still gets through, alone.
   */
  receiveQueueLimit?: number;
  /** Send a ping after this many idle milliseconds (default 0 = off). */
  pingIntervalMs?: number;
  /** Close when a ping gets no pong within this many milliseconds (default 30000). */
  pingTimeoutMs?: number;
  /** How long to wait for the peer's close frame before closing the socket (default 5000). */
  closeTimeoutMs?: number;
  /** Subprotocols the server speaks (default none); the first one the client offers that is listed here is chosen. */
  protocols?: string[];
}

/** Options of `startServer` / `startPipeServer`; every key is optional. */
export interface ServerOptions {
  /** Do not log start-up failures (they still throw). */
  quiet?: boolean;
  /**
   * Largest request line + header section in bytes (default 81920), every byte counted:
   * whitespace around values and line endings included; a chunked body's trailer section has
   * the same budget. Beyond: 431.
   */
  maxHeaderSize?: number;
  /** Most header fields per request (default 2000); beyond: 431. */
  maxHeaders?: number;
  /** Longest request-target in bytes (default 16384); beyond: 414. */
  maxRequestTargetSize?: number;
  /** Largest request body in bytes (default 0 = unlimited); beyond: 413. */
  maxBodySize?: number;
  /** Bodies larger than this many bytes are kept in a temporary file (default 1 MiB). */
  bodySpillThreshold?: number;
  /** Time allowed for the request line and headers, in ms (default 60000); then 408. */
  headersTimeoutMs?: number;
  /**
   * Time allowed for the whole request (headers and body), in ms (default 300000); then 408. Time
   * the server spends not reading because the app has not consumed a streamed body yet (see
   * `streamRequestBodies`) is not counted: a slow consumer never gets its client a 408, while a
   * client that sends its body slowly still does.
   */
  requestTimeoutMs?: number;
  /**
   * Idle time allowed between keep-alive requests, in ms (default 5000, as Node's http). Behind
   * a proxy or load balancer, set it above the proxy's idle timeout (e.g. 65000 under a 60 s one).
   */
  keepAliveTimeoutMs?: number;
  /**
   * Time a response, or a WebSocket's queued output, may go without the client reading any of
   * it, in ms (default 60000, as nginx's send_timeout); then the connection is closed (a
   * WebSocket's onClose sees 1006). 0 disables it.
   */
  sendTimeoutMs?: number;
  /** Most simultaneous connections (default 0 = unlimited); extra ones are closed. */
  maxConnections?: number;
  /**
   * Set SO_REUSEPORT so several processes can listen on one port (default false). Linux and
   * macOS only: `true` on Windows (which has no SO_REUSEPORT) throws a `RangeError` with code
   * `ERR_HTTPUV_UNSUPPORTED_ON_PLATFORM`.
   */
  reusePort?: boolean;
  /** gzip dynamic responses when the client accepts it (default true). */
  gzip?: boolean;
  /** WebSocket options. */
  websocket?: WebSocketOptions;
  /**
   * Put the error's message in the body of the 500 sent when `call` or `onHeaders` throws or
   * rejects (default true, as R's httpuv: `ERROR: <message>`; a malformed response gets
   * `Internal Server Error: <reason>`). `false` sends `Internal Server Error` alone, so that no
   * error text (paths, SQL, secrets) reaches clients; the log line keeps the full error either way.
   */
  exposeErrors?: boolean;
  /**
   * Where this server's log lines go: its access lines, its app errors (with the request's
   * method, path and id), and the I/O thread's lines about its connections. A function
   * `(level, message, fields)` or an object with level methods called as pino's,
   * `logger.info(fields, message)`; see README "Errors and logging". Default: the process-wide logger
   * (`setLogger()`), else stderr. `logLevel()` still decides which lines are written.
   */
  logger?: Logger;
  /**
   * With an `app.fetch` handler: while the server runs, `globalThis.Response` is node-httpuv's
   * compatible `Response` (default true), as @hono/node-server's `overrideGlobalObjects` does.
   * `new Response(text)` then keeps its body as given instead of building a stream for it (the
   * original's constructor costs more than node-httpuv's whole request); every member the app
   * reads behaves as the original's, and `instanceof Response` holds for both kinds. The original
   * comes back when the last such server has stopped. `false` leaves the global alone.
   */
  fetchGlobals?: boolean;
  /**
   * `call` gets requests whose body is chunked or over 64 KiB as soon as their headers are in, and
   * reads the body as it arrives through `rook.input.readAsync()` or `for await` (default false:
   * `call` runs once the whole body is in, as in R's httpuv). The connection is read only as fast
   * as the app reads. Always on for `app.fetch` (`request.body`).
   */
  streamRequestBodies?: boolean;
}

const KEYS = ['quiet', 'maxHeaderSize', 'maxHeaders', 'maxRequestTargetSize', 'maxBodySize',
  'bodySpillThreshold', 'headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs',
  'sendTimeoutMs', 'maxConnections', 'reusePort', 'gzip', 'websocket', 'exposeErrors', 'logger',
  'fetchGlobals', 'streamRequestBodies'] as const;
const WS_KEYS = ['perMessageDeflate', 'maxMessageSize', 'sendQueueLimit', 'receiveQueueLimit', 'pingIntervalMs',
  'pingTimeoutMs', 'closeTimeoutMs', 'protocols'] as const;

const U32 = 0xffffffff;
const MAX_BYTES = Number.MAX_SAFE_INTEGER;

/** Resolved options: what the server and the addon use. */
export interface ResolvedOptions {
  quiet: boolean;
  reusePort: boolean;
  gzip: boolean;
  exposeErrors: boolean;
  /** The server's own logger, or null for the process-wide one. */
  logger: Logger | null;
  fetchGlobals: boolean;
  streamRequestBodies: boolean;
  native: Omit<NativeServerOptions, 'hasOnHeaders' | 'hasOnWSOpen' | 'staticPaths' | 'streamBodies'>;
}

function int(name: string, v: unknown, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  assertInteger(name, v, min, max);
  return v;
}

function bool(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  assertBoolean(name, v);
  return v;
}

/** The I/O thread's nice value relative to the JS thread's, when it is not set in the environment. */
export const DEFAULT_IO_NICE = -8;

/**
 * NODE_HTTPUV_IO_NICE: how much the I/O thread's nice value differs from the JS thread's when it
 * starts (Linux; -20..19, default -8, 0 keeps the JS thread's). Read when a server starts, which
 * starts the thread if this environment has none running. A bad value is a RangeError naming it.
 */
export function ioNiceFromEnv(): number {
  const raw = process.env.NODE_HTTPUV_IO_NICE;
  if (raw === undefined || raw === '') return DEFAULT_IO_NICE;
  const v = /^\s*[+-]?\d{1,3}\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(v >= -20 && v <= 19)) {
    throw rangeError('the environment variable NODE_HTTPUV_IO_NICE', 'an integer from -20 to 19', raw);
  }
  return v;
}

/**
 * NODE_HTTPUV_IO_STACK_KB (test-only): the I/O thread's stack size in KiB (64–65536), applied
 * when a server start creates the thread. Unset or empty = libuv's default (RLIMIT_STACK, or
 * 2 MiB on Linux when that is unlimited). The stack-depth regression tests
 * (test/regressions/issue-14-5-*) run servers with a small stack to prove that no client can make the I/O thread recurse deeply. A bad value
 * is a RangeError naming it.
 */
export function ioStackKbFromEnv(): number {
  const raw = process.env.NODE_HTTPUV_IO_STACK_KB;
  if (raw === undefined || raw === '') return 0;
  const v = /^\s*\d{1,6}\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(v >= 64 && v <= 65536)) {
    throw rangeError('the environment variable NODE_HTTPUV_IO_STACK_KB', 'an integer from 64 to 65536', raw);
  }
  return v;
}

/** Validates `options` (TypeError/RangeError naming the key) and applies the defaults. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined || options === null) options = {};
  if (!isPlainObject(options)) throw argumentError('options', 'a plain object', options);
  const o = options;
  assertKnownKeys('options', o, KEYS);
  let ws: Record<string, unknown> = {};
  if (o.websocket !== undefined) {
    if (!isPlainObject(o.websocket)) throw argumentError('options.websocket', 'a plain object', o.websocket);
    ws = o.websocket;
    assertKnownKeys('options.websocket', ws, WS_KEYS);
  }
  let protocols: string[] = [];
  if (ws.protocols !== undefined) {
    if (!Array.isArray(ws.protocols) ||
        !ws.protocols.every((p) => typeof p === 'string' && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p))) {
      throw argumentError('options.websocket.protocols', 'an array of token strings', ws.protocols);
    }
    protocols = [...ws.protocols] as string[];
  }
  const reusePort = bool('options.reusePort', o.reusePort, false);
  if (reusePort && process.platform === 'win32') {
    throw unsupportedError('options.reusePort',
      'Windows has no SO_REUSEPORT (SO_REUSEADDR there lets a socket steal a bound port); ' +
      'run one listener per port, or several servers on different ports behind a proxy');
  }
  return {
    quiet: bool('options.quiet', o.quiet, false),
    reusePort,
    gzip: bool('options.gzip', o.gzip, true),
    exposeErrors: bool('options.exposeErrors', o.exposeErrors, true),
    logger: o.logger === undefined || o.logger === null ? null : checkLogger('options.logger', o.logger),
    fetchGlobals: bool('options.fetchGlobals', o.fetchGlobals, true),
    streamRequestBodies: bool('options.streamRequestBodies', o.streamRequestBodies, false),
    native: {
      maxHeaderSize: int('options.maxHeaderSize', o.maxHeaderSize, 80 * 1024, 1024, U32),
      maxHeaders: int('options.maxHeaders', o.maxHeaders, 2000, 1, U32),
      maxRequestTargetSize: int('options.maxRequestTargetSize', o.maxRequestTargetSize, 16 * 1024, 16, U32),
      maxBodySize: int('options.maxBodySize', o.maxBodySize, 0, 0, MAX_BYTES),
      bodySpillThreshold: int('options.bodySpillThreshold', o.bodySpillThreshold, 1024 * 1024, 0, MAX_BYTES),
      headersTimeoutMs: int('options.headersTimeoutMs', o.headersTimeoutMs, 60000, 0, U32),
      requestTimeoutMs: int('options.requestTimeoutMs', o.requestTimeoutMs, 300000, 0, U32),
      keepAliveTimeoutMs: int('options.keepAliveTimeoutMs', o.keepAliveTimeoutMs, 5000, 0, U32),
      sendTimeoutMs: int('options.sendTimeoutMs', o.sendTimeoutMs, 60000, 0, U32),
      maxConnections: int('options.maxConnections', o.maxConnections, 0, 0, U32),
      ioNice: ioNiceFromEnv(),
      ioStackKb: ioStackKbFromEnv(),
      websocket: {
        perMessageDeflate: bool('options.websocket.perMessageDeflate', ws.perMessageDeflate, true),
        maxMessageSize: int('options.websocket.maxMessageSize', ws.maxMessageSize, 16 * 1024 * 1024, 1, MAX_BYTES),
        sendQueueLimit: int('options.websocket.sendQueueLimit', ws.sendQueueLimit, 16 * 1024 * 1024, 1, MAX_BYTES),
        receiveQueueLimit: int('options.websocket.receiveQueueLimit', ws.receiveQueueLimit, 1024 * 1024, 1, MAX_BYTES),
        pingIntervalMs: int('options.websocket.pingIntervalMs', ws.pingIntervalMs, 0, 0, U32),
        pingTimeoutMs: int('options.websocket.pingTimeoutMs', ws.pingTimeoutMs, 30000, 0, U32),
        closeTimeoutMs: int('options.websocket.closeTimeoutMs', ws.closeTimeoutMs, 5000, 0, U32),
        protocols,
      },
    },
  };
}
