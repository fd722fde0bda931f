// WebServer / PipeServer and the functions that start, list, stop and run them, plus service()
// and interrupt(). Each server lives on this environment's I/O thread; these objects are handles.
import * as path from 'node:path';
import { dispatcher, native, outbox } from './runtime.js';
import { normalizeApp, type App, type NormalizedApp } from './app.js';
import { resolveOptions, type ResolvedOptions, type ServerOptions } from './options.js';
import { serversById } from './registry.js';
import { acquireGlobalResponse, releaseGlobalResponse } from './fetch-response.js';
import { ipFamily } from './ip.js';
import { log } from './log.js';
import {
  argumentError, assertInteger, assertKnownKeys, assertString, isPlainObject, rangeError, unsupportedError,
} from './validate.js';
import type { RookRequest } from './rook.js';
import type { Response } from './response.js';
import type { NativeStaticEntry, ServerStats } from './native.js';
import {
  mergeStaticPathOptions, normalizeKey, normalizeStaticPaths, resolveStaticPaths, staticPathOptions,
  type StaticPath, type StaticPathOptions, type StaticPathOptionsInput,
} from './static-paths.js';

const running: Server[] = [];
/** Servers whose stop() was called and that have not closed yet (they may be draining). */
const stopping = new Set<Server>();

/** Options of `server.stop()`, `stopServer()` and `stopAllServers()`. */
export interface StopOptions {
  /**
   * How long requests already received may take to finish, in ms (default 5000, at most
   * 4294967295). New connections are refused at once either way. `0` closes every connection
   * at once: requests in the app's hands are cut off (their answers are dropped and logged).
   */
  graceMs?: number;
}

/** The default grace period of `stop()`: Node's `server.close()` waits without a bound; we bound it. */
const DEFAULT_STOP_GRACE_MS = 5000;
const MAX_GRACE_MS = 0xFFFFFFFF;

/** Validates stop options where they are passed; returns the grace period in ms. */
function graceOf(options: StopOptions | undefined): number {
  if (options === undefined) return DEFAULT_STOP_GRACE_MS;
  if (!isPlainObject(options)) throw argumentError('options', 'a plain object or undefined', options);
  assertKnownKeys('options', options, ['graceMs']);
  const g = options.graceMs;
  if (g === undefined) return DEFAULT_STOP_GRACE_MS;
  assertInteger('options.graceMs', g, 0, MAX_GRACE_MS);
  return g;
}

/** Common base of WebServer and PipeServer. */
export abstract class Server {
  readonly #id: number;
  #running = true;
  #done = false;
  /** Date.now() by which the current stop's drain ends (Infinity until stop() is called). */
  #stopBy = Infinity;
  readonly #closed: Promise<void>;
  #paths: Map<string, StaticPath>;
  #pathOptions: StaticPathOptions;
  /** @internal */
  readonly app: NormalizedApp;

  /** @internal */
  constructor(id: number, app: NormalizedApp, opts: ResolvedOptions, statics: PreparedStatics) {
    this.#id = id;
    this.app = app;
    this.#paths = statics.paths;
    this.#pathOptions = statics.options;
    let resolveClosed!: () => void;
    this.#closed = new Promise<void>((resolve) => { resolveClosed = resolve; });
    const globals = app.fetch !== undefined && opts.fetchGlobals;
    if (globals) acquireGlobalResponse();
    const closed = (): void => {
      if (globals) releaseGlobalResponse();
      this.#done = true;
      stopping.delete(this);
      resolveClosed();
    };
    serversById.set(id, {
      id, app, gzip: opts.gzip, sendQueueLimit: opts.native.websocket.sendQueueLimit, closed,
      cutByStop: new Set(), exposeErrors: opts.exposeErrors, logger: opts.logger,
    });
    running.push(this);
  }

  /** @internal The native server id. */
  get id(): number {
    return this.#id;
  }

  /** True from start until `stop()` is called. */
  isRunning(): boolean {
    return this.#running;
  }

  /**
   * Stops the server, draining it first (like Node's `server.close()` followed by
   * `closeIdleConnections()`, with a bound):
   *
   * - the listener closes at once: new connections are refused and the port can be bound again
   *   right away (`isRunning()` is false and `listServers()` leaves it out from this call on);
   * - connections with no request in progress close at once: idle keep-alive connections,
   *   connections that sent nothing, and those still sending a request's line and headers;
   * - a request whose headers have arrived goes on for up to `options.graceMs` (default 5000):
   *   its body is read, `call` runs, and its answer is sent with `Connection: close`; nothing
   *   more is read from that connection (a pipelined request behind it is not answered);
   * - open WebSockets get close 1001 ("server shutting down"); `onClose` reports 1001;
   * - when the grace period ends, connections still open are closed; an answer the app gives
   *   later is dropped and logged at WARN (`logLevel('WARN')` shows it).
   *
   * `graceMs: 0` closes every connection at once (WebSockets still get 1001). The Promise
   * resolves once the listener and every connection are closed, i.e. after the drain, at most
   * about `graceMs` after the call. Calling it again returns the same Promise; a call with a
   * shorter grace period (e.g. `{ graceMs: 0 }` on a second Ctrl-C) brings the end closer.
   * Throws a TypeError or RangeError naming `options.graceMs` for a bad value.
   */
  stop(options?: StopOptions): Promise<void> {
    const grace = graceOf(options);
    if (this.#running) {
      this.#running = false;
      const i = running.indexOf(this);
      if (i >= 0) running.splice(i, 1);
      stopping.add(this);
      this.#stopBy = Date.now() + grace;
      // What the app queued before calling stop() (a response, ws.send('bye'), ws.close(4000))
      // reaches the I/O thread before the stop does, so it is not overtaken by the close 1001.
      outbox.flush();
      native.server_stop(this.#id, grace);
    } else if (!this.#done && Date.now() + grace < this.#stopBy) {
      this.#stopBy = Date.now() + grace;
      outbox.flush();
      native.server_stop(this.#id, grace);
    }
    return this.#closed;
  }

  /**
   * Counters kept by the I/O thread (connections, requests static vs JS, bytes, WebSockets, queue
   * depths). Cheap to call; null once the server has closed.
   */
  stats(): ServerStats | null {
    return native.server_stats(this.#id) ?? null;
  }

  /** The static paths (`{ "/url": staticPath }`), or null once stopped. */
  getStaticPaths(): Record<string, StaticPath> | null {
    if (!this.#running) return null;
    return Object.fromEntries(this.#paths);
  }

  /**
   * Adds or replaces static paths (`{ "/url": "dir" | staticPath(...) }`) on the running server;
   * takes effect for the next request. Returns the static paths (null once stopped).
   */
  setStaticPath(paths: Record<string, string | StaticPath>): Record<string, StaticPath> | null {
    if (!this.#running) return null;
    const add = normalizeStaticPaths(paths, 'paths');
    const next = new Map(this.#paths);
    for (const [k, v] of add) next.set(k, v);
    this.#push(next, this.#pathOptions);
    return this.getStaticPaths();
  }

  /**
   * Removes the static path with this URL key, normalised as the keys of `setStaticPath` are
   * (`"/a/"` and `"a"` remove `"/a"`). Returns the remaining static paths.
   */
  removeStaticPath(path: string): Record<string, StaticPath> | null {
    assertString('path', path);
    if (!this.#running) return null;
    const next = new Map(this.#paths);
    next.delete(normalizeKey(path) ?? path);
    this.#push(next, this.#pathOptions);
    return this.getStaticPaths();
  }

  /** The server-level static path options, or null once stopped. */
  getStaticPathOptions(): StaticPathOptions | null {
    if (!this.#running) return null;
    return this.#pathOptions;
  }

  /** Changes server-level static path options (e.g. `{ fallthrough: true }`) for every path. */
  setStaticPathOption(options: Omit<StaticPathOptionsInput, 'exclude'>): StaticPathOptions | null {
    if (!this.#running) return null;
    const next = mergeStaticPathOptions(this.#pathOptions, options, 'options');
    this.#push(this.#paths, next);
    return this.getStaticPathOptions();
  }

  #push(paths: Map<string, StaticPath>, options: StaticPathOptions): void {
    const entries = resolveStaticPaths(paths, options);
    native.static_paths_set(this.#id, entries);
    this.#paths = paths;
    this.#pathOptions = options;
  }
}

/** @internal Static configuration validated before the native start. */
export interface PreparedStatics {
  paths: Map<string, StaticPath>;
  options: StaticPathOptions;
  entries: NativeStaticEntry[];
}

function prepareStatics(app: NormalizedApp): PreparedStatics {
  const paths = normalizeStaticPaths(app.staticPaths ?? {}, 'app.staticPaths');
  const options = mergeStaticPathOptions(staticPathOptions(), app.staticPathOptions ?? {}, 'app.staticPathOptions');
  return { paths, options, entries: resolveStaticPaths(paths, options) };
}

/** A TCP server (from `startServer`). */
export class WebServer extends Server {
  readonly #host: string;
  readonly #port: number;

  /** @internal */
  constructor(id: number, app: NormalizedApp, opts: ResolvedOptions, statics: PreparedStatics,
              host: string, port: number) {
    super(id, app, opts, statics);
    this.#host = host;
    this.#port = port;
  }

  /** The host the server was started on, as given. */
  getHost(): string {
    return this.#host;
  }

  /** The port the server listens on (the one actually bound when 0 was asked). */
  getPort(): number {
    return this.#port;
  }
}

/** A Unix domain socket server (from `startPipeServer`). */
export class PipeServer extends Server {
  readonly #name: string;
  readonly #mask: number;

  /** @internal */
  constructor(id: number, app: NormalizedApp, opts: ResolvedOptions, statics: PreparedStatics,
              name: string, mask: number) {
    super(id, app, opts, statics);
    this.#name = name;
    this.#mask = mask;
  }

  /** The socket path (absolute). */
  getName(): string {
    return this.#name;
  }

  /** The umask used while binding, or -1 when none was given. */
  getMask(): number {
    return this.#mask;
  }
}

/** A bare `call` function, accepted wherever an App is. */
export type CallFunction = (req: RookRequest) => Response | Promise<Response> | undefined | null;
/**
 * A bare `call` function as the app parameter sees it. Its members are there for TypeScript's
 * sake only: `call?: object` hides Function.prototype.call (a generic method whose `R` would
 * otherwise be mixed into the contextual type of an app literal's `call`, leaving `req` untyped),
 * and the other App keys, `undefined` here, make every App key a member of `App | AppFunction`,
 * so that a misspelt key in an app literal gets a "Did you mean 'onWSOpen'?". Any function of
 * type {@link CallFunction} is one.
 */
export interface AppFunction {
  (req: RookRequest): Response | Promise<Response> | undefined | null;
  /** For TypeScript only (hides `Function.prototype.call`); every function has it. */
  call?: object;
  /** For TypeScript only: a bare function has no `onHeaders`. */
  onHeaders?: undefined;
  /** For TypeScript only: a bare function has no `onWSOpen`. */
  onWSOpen?: undefined;
  /** For TypeScript only: a bare function has no `staticPaths`. */
  staticPaths?: undefined;
  /** For TypeScript only: a bare function has no `staticPathOptions`. */
  staticPathOptions?: undefined;
}

/**
 * What `startServer`, `startPipeServer` and `runServer` take as the app: an {@link App} object or
 * a bare `call` function. One non-generic type and one signature, so that TypeScript checks an
 * app literal against it (and the options against {@link ServerOptions}) and names a misspelt
 * key with a "Did you mean" rather than reporting that no overload matches.
 */
export type AppArg = App | AppFunction;

/**
 * The message of a failed listen: Node's `listen EADDRINUSE: address already in use
 * 127.0.0.1:8080`, plus, for a TCP port in use, what to do about it.
 */
function listenError(err: unknown, kind: number): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    err.message += kind === native.LISTEN.TCP
      ? ' (another server is listening on this port: stop it, choose another port, or pass port 0 ' +
        'to let the system pick a free one, read back with server.getPort(); randomPort() also ' +
        'finds a free port; reusePort: true shares a port between processes on Linux)'
      : ' (a file already exists at this socket path: remove it if no server uses it, or choose another path)';
  } else if (code === 'EACCES' && kind === native.LISTEN.TCP) {
    err.message += ' (ports below 1024 need privileges: choose a port from 1024 up, or port 0)';
  } else if (code === 'EADDRNOTAVAIL') {
    err.message += ' (this address is not one of this machine\'s: use 127.0.0.1, ::1, 0.0.0.0 or ::)';
  }
  return err;
}

function startNative(kind: number, where: string, portOrMask: number, app: NormalizedApp,
                     options: ResolvedOptions, statics: PreparedStatics): [number, number] {
  try {
    return native.server_start(kind, where, portOrMask, {
      ...options.native,
      hasOnHeaders: app.onHeaders !== undefined,
      hasOnWSOpen: app.onWSOpen !== undefined,
      streamBodies: app.fetch !== undefined || options.streamRequestBodies,
      staticPaths: statics.entries,
    }, options.reusePort);
  } catch (err) {
    listenError(err, kind);
    if (!options.quiet) log('ERROR', `cannot start server on ${where}: ${(err as Error).message}`, {}, options.logger);
    throw err;
  }
}

/**
 * Starts an HTTP/WebSocket server on `host` (an IPv4 or IPv6 literal) and `port` (0 picks a
 * free port; `getPort()` tells which). Throws `Error` with `code: 'EADDRINUSE'` when taken (its
 * message suggests port 0 or `randomPort()`). `app` is an {@link App} or a bare `call` function;
 * an unknown app key or an Express-style `(req, res)` handler is a TypeError saying what to write.
 * The first server of a JS environment starts its I/O thread, at the JS thread's nice value
 * plus `NODE_HTTPUV_IO_NICE` (default -8) where the OS allows it (Linux; README "I/O thread
 * priority"); a bad value of that variable is a `RangeError`.
 */
export function startServer(host: string, port: number, app: AppArg, options?: ServerOptions): WebServer {
  assertString('host', host);
  if (ipFamily(host) === -1) {
    const e = new TypeError(`host must be an IPv4 or IPv6 address literal (no host names), got ${JSON.stringify(host)}`);
    (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
  assertInteger('port', port, 0, 65535);
  const a = normalizeApp(app);
  const opts = resolveOptions(options);
  const statics = prepareStatics(a);
  const [id, bound] = startNative(native.LISTEN.TCP, host, port, a, opts, statics);
  return new WebServer(id, a, opts, statics, host, bound);
}

/**
 * Starts a server on a local socket: a Unix domain socket `name` (a path, resolved against the
 * working directory) on Linux and macOS, a named pipe on Windows, as libuv and Node's `net` use
 * them (`name` must then be `\\.\pipe\NAME` or `\\?\pipe\NAME`, else a `TypeError`).
 * `mask` (e.g. 0o077), when given, is the umask applied while the socket file is created;
 * null/undefined leaves the umask alone. Windows named pipes have no file mode: a `mask` there
 * is a `RangeError` (code `ERR_HTTPUV_UNSUPPORTED_ON_PLATFORM`).
 */
export function startPipeServer(name: string, mask: number | null | undefined, app: AppArg,
                                options?: ServerOptions): PipeServer {
  assertString('name', name);
  if (name.length === 0) throw argumentError('name', 'a non-empty socket path', name);
  if (mask !== null && mask !== undefined) assertInteger('mask', mask, 0, 0o777);
  const windows = process.platform === 'win32';
  const m = mask === null || mask === undefined ? -1 : mask;
  const a = normalizeApp(app);
  const opts = resolveOptions(options);
  // Windows checks come after the app and options ones, so a bad app or option is reported
  // the same way on every platform.
  if (windows && !/^\\\\[.?]\\pipe\\[^\\]/i.test(name)) {
    throw argumentError('name', 'a named pipe path on win32 (\\\\.\\pipe\\NAME)', name);
  }
  if (windows && mask !== null && mask !== undefined) {
    throw unsupportedError('mask', 'named pipes have no file mode (pass null)');
  }
  const full = windows ? name : path.resolve(name);
  const statics = prepareStatics(a);
  const [id] = startNative(native.LISTEN.PIPE, full, m, a, opts, statics);
  return new PipeServer(id, a, opts, statics, full, m);
}

/** Stops a server (see `Server.stop`; the same options). */
export function stopServer(server: Server, options?: StopOptions): Promise<void> {
  if (!(server instanceof Server)) throw argumentError('server', 'a WebServer or PipeServer', server);
  return server.stop(options);
}

/**
 * Stops every running server with the same options (see `Server.stop`), and applies them to
 * servers already draining too (`{ graceMs: 0 }` ends their drains now); resolves when all are
 * closed. Bad options throw before any server is stopped.
 */
export function stopAllServers(options?: StopOptions): Promise<void> {
  graceOf(options);
  return Promise.all([...running, ...stopping].map((s) => s.stop(options))).then(() => undefined);
}

/** The running servers, in start order. */
export function listServers(): Server[] {
  return [...running];
}

// ---- foreground running ----------------------------------------------------------------------

const waiters = new Set<() => void>();

/**
 * Ends a foreground `runServer` / `runStaticServer`: their servers stop with `stop()`'s default
 * drain, and their Promises settle once the servers have stopped.
 */
export function interrupt(): void {
  const all = [...waiters];
  waiters.clear();
  for (const w of all) w();
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * @internal Waits for interrupt(), SIGINT or SIGTERM, then stops `server` with the default grace
 * period (requests in progress finish). A second SIGINT or SIGTERM during that drain stops it at
 * once. The signal listeners are removed once the server has stopped, so a later signal gets
 * Node's default behaviour again.
 */
export function runUntilInterrupted(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    let draining = false;
    const onSignal = (): void => {
      if (draining) void server.stop({ graceMs: 0 });
      else interrupt();
    };
    const done = (): void => {
      for (const sig of STOP_SIGNALS) process.removeListener(sig, onSignal);
      resolve();
    };
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
    waiters.add(() => {
      draining = true;
      server.stop().then(done, done);
    });
  });
}

/**
 * Starts a server and keeps it running until `interrupt()` is called or the process gets SIGINT
 * or SIGTERM; then stops it with `stop()`'s default drain (a second signal stops it at once).
 * The Promise resolves once the server is stopped.
 */
export function runServer(host: string, port: number, app: AppArg, options?: ServerOptions): Promise<void> {
  const server = startServer(host, port, app, options);
  return runUntilInterrupted(server);
}

/**
 * Runs queued request callbacks synchronously: waits up to `timeoutMs` (default 0: don't wait)
 * for events from the I/O thread and handles them before returning, so a long synchronous loop
 * can keep serving. Promises returned by `call` still settle only when the JS thread gets back
 * to its event loop. Returns true.
 */
export function service(timeoutMs = 0): boolean {
  if (typeof timeoutMs !== 'number') throw argumentError('timeoutMs', 'a number', timeoutMs);
  if (Number.isNaN(timeoutMs) || timeoutMs < 0) throw rangeError('timeoutMs', 'a non-negative number', timeoutMs);
  const ms = Number.isFinite(timeoutMs) ? Math.floor(timeoutMs) : 2 ** 31 - 1;
  const batch = native.events_take(ms);
  if (batch !== undefined) {
    try {
      dispatcher.handleBatch(batch);
    } finally {
      native.events_done();  // its connections' receive queues are handled: they may read again
    }
  }
  return true;
}
