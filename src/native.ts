// Loads the native addon and declares its whole surface: the single place to update when the
// C++ exports change (src-native/binding/exports.cc, event layouts in binding/to_js.cc).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Event kinds, exported by the addon at init (C++ `kEvent*`). */
export interface EventKinds {
  REQUEST: number;
  HEADERS: number;
  WS_OPEN: number;
  WS_MESSAGE: number;
  WS_CLOSE: number;
  SERVER_CLOSED: number;
  LOG: number;
  /** A request JS was told about ended without its answer (see binding/to_js.cc). */
  REQUEST_ENDED: number;
}

/** [kind, packed, body, bodyFd, bodyLength] (rebuilt by dispatch.ts from a batch's slots); packed = serverId NUL id NUL httpMinor NUL
 *  remotePort NUL localPort NUL method NUL target NUL remoteAddr NUL localAddr (NUL name NUL value)* */
export type RequestEvent = [number, string, Buffer | null, number, number];

/** The fields of a request event's packed string, split. */
export interface UnpackedRequest {
  serverId: number;
  id: number;
  parts: string[];  // parts[5] method, [6] target, [7] remoteAddr, [8] localAddr, [9..] headers
}

/** Splits a request event's packed string. */
export function unpackRequest(ev: RequestEvent): UnpackedRequest {
  const parts = ev[1].split('\0');
  return { serverId: Number(parts[0]), id: Number(parts[1]), parts };
}
/** A batch: [nums, vals], 4 numbers and 2 values per event (layouts in binding/to_js.cc). */
export type EventBatch = [Float64Array, unknown[]];

/** Resolved server options as the addon reads them. */
export interface NativeServerOptions {
  maxHeaderSize: number;
  maxHeaders: number;
  maxRequestTargetSize: number;
  maxBodySize: number;
  bodySpillThreshold: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  sendTimeoutMs: number;
  maxConnections: number;
  /** Nice offset of the I/O thread, applied when this start creates the thread. */
  ioNice: number;
  /** Stack size of the I/O thread in KiB (0 = libuv's default), applied when this start creates it. */
  ioStackKb: number;
  hasOnHeaders: boolean;
  hasOnWSOpen: boolean;
  staticPaths: NativeStaticEntry[];
  websocket: {
    perMessageDeflate: boolean;
    maxMessageSize: number;
    sendQueueLimit: number;
    receiveQueueLimit: number;
    pingIntervalMs: number;
    pingTimeoutMs: number;
    closeTimeoutMs: number;
    protocols: string[];
  };
}

/** One fully merged static path as the addon reads it (see static-paths.ts). */
export interface NativeStaticEntry {
  path: string;
  dir: string | null;
  indexhtml: boolean;
  fallthrough: boolean;
  htmlCharset: string;
  headers: string[];
  validation: string[];
}

/** Counters kept by the I/O thread for one server (see `Server.stats()`). */
export interface ServerStats {
  /** Connections open now. */
  connectionsOpen: number;
  /** Connections accepted since start. */
  connectionsTotal: number;
  /** Requests whose headers were parsed. */
  requestsTotal: number;
  /** Requests answered from the static paths on the I/O thread. */
  requestsStatic: number;
  /** Requests handed to JavaScript (`call`). */
  requestsJs: number;
  /** Bytes read from clients. */
  bytesIn: number;
  /** Bytes queued for clients. */
  bytesOut: number;
  /** WebSockets open now. */
  websocketsOpen: number;
  /** WebSockets opened since start. */
  websocketsTotal: number;
  /**
   * Connections not being read right now because JS has more than `websocket.receiveQueueLimit`
   * bytes of their data to handle, the peer leaves more than `websocket.sendQueueLimit` bytes of
   * output unread, or (HTTP) 256 KiB of pipelined input waits (read backpressure).
   */
  readsPaused: number;
  /** Events waiting for the JS thread (all servers of this thread). */
  eventQueueDepth: number;
  /** Commands waiting for the I/O thread (all servers of this thread). */
  commandQueueDepth: number;
}

export interface NativeBinding {
  EVENT: EventKinds;
  init(onEvents: (batch: EventBatch) => void): void;
  /** kind 0 = TCP (host, port), 1 = pipe (name, mask). Returns [serverId, boundPort]. */
  server_start(kind: 0 | 1, where: string, portOrMask: number, options: NativeServerOptions,
               reusePort: boolean): [number, number];
  /** Closes the listener now and drains connections for up to graceMs (0: closes them now). */
  server_stop(id: number, graceMs: number): void;
  server_closed(id: number): void;
  server_stats(id: number): ServerStats | undefined;
  /** `count` commands for the I/O thread, 4 numbers and 2 values each (layout in src/outbox.ts). */
  commands_send(nums: Float64Array, count: number, vals: unknown[]): void;
  request_continue(id: number): void;
  /** Bytes sent and not yet written to the socket. */
  ws_buffered(id: number): number;
  events_take(timeoutMs: number): EventBatch | undefined;
  /** The batch from the last events_take has been handled (its connections may read again). */
  events_done(): void;
  port_available(host: string, port: number): boolean;
  /** 0 OFF, 1 ERROR, 2 WARN, 3 INFO, 4 DEBUG. */
  log_level_set(level: number): void;
  static_paths_set(serverId: number, entries: NativeStaticEntry[]): void;
}

function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'node-httpuv') return dir;
      } catch { /* keep looking */ }
    }
    const up = path.dirname(dir);
    if (up === dir) return path.join(__dirname, '..');
    dir = up;
  }
}

function load(): NativeBinding {
  const root = packageRoot();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return gypBuild(root) as NativeBinding;
  } catch (err) {
    const e = new Error(
      `node-httpuv: cannot load the native addon for ${process.platform}-${process.arch} ` +
      `(Node ${process.versions.node}, N-API ${process.versions.napi}). Looked in ` +
      `${path.join(root, 'prebuilds')} and ${path.join(root, 'build', 'Release')}. ` +
      `Build it from source with \`npm rebuild node-httpuv\` (needs python3, make and a C++17 ` +
      `compiler). Cause: ${(err as Error).message}`);
    (e as { code?: string }).code = 'ERR_HTTPUV_NATIVE_LOAD';
    (e as { cause?: unknown }).cause = err;
    throw e;
  }
}

/** The loaded addon (one instance per JS environment). */
export const native: NativeBinding = load();
