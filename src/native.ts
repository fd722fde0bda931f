// Loads the native addon and declares its whole surface: the single place to update when the
// C++ exports change (src-native/binding/exports.cc; the wire's constants in binding/wire.h).
//
// The wire between the threads, as TS sees it (the C++ side's one description is
// src-native/binding/wire.h). Every number below is a name the addon exports at load
// (`binding.EVENT`, `binding.COMMAND`, …); no other file writes these numbers or positions down.
//
// Events, I/O thread → JS, read by dispatch.ts: a batch is [nums, vals], nums a Float64Array of
// LAYOUT.EVENT_NUMS numbers per event, vals LAYOUT.EVENT_VALS values per event (unset slots are
// undefined). The init() callback gets them as its arguments, (nums, v0, v1, …), or as
// (nums, valsArray) beyond LAYOUT.MAX_SPREAD_VALS values; events_take returns [nums, valsArray].
// Per EVENT kind, nums | vals:
//   REQUEST / HEADERS / WS_OPEN: [kind, id, bodyFd (-1, or an unlinked temp file's fd now owned by
//       JS), bodyLength] | [packed, body (REQUEST: a Buffer or unset; WS_OPEN: the chosen
//       subprotocol, "" for none)]. packed is one latin1 string joined by NUL:
//       serverId NUL id NUL httpMinor NUL remotePort NUL localPort NUL method NUL target NUL
//       remoteAddr NUL localAddr (NUL name NUL value)*   (split by unpackRequest: `parts`)
//   WS_MESSAGE:    [kind, id, binary (0/1), 0] | [data (a Buffer if binary, else a string)]
//   WS_CLOSE:      [kind, id, code, 0] | [reason]
//   SERVER_CLOSED: [kind, serverId, 0, 0] | []
//   REQUEST_ENDED: [kind, id, serverId, REQUEST_ENDED code] | []
//   LOG:           [kind, serverId (0: none), LOG_LEVEL, 0] | [text]
//   ACCESS:        [kind, id, status, bodyBytes] | [packed] (posted only while INFO is on):
//       serverId NUL method NUL target NUL remoteAddr NUL elapsedUs NUL static ("1"/"0")
//   REQUEST_STREAM: as REQUEST without a body (bodyFd -1, bodyLength 0): the body streams as
//   BODY_CHUNK:    [kind, id, 0, 0] | [data (a Buffer)]   and then
//   BODY_END:      [kind, id, 0, 0] | []   (see request-body.ts)
//   STREAM_ACK:    [kind, id, chunks, 0] | [] (request id's streamed response: `chunks` more
//                  STREAM_CHUNKs were taken and the queued output is below its bound; see
//                  stream-pump.ts)
//
// Commands, JS → I/O thread, written by outbox.ts: commands_send(nums, count, v0, v1, …), `count`
// commands of LAYOUT.COMMAND_NUMS numbers in the Float64Array and LAYOUT.COMMAND_VALS values each,
// as arguments (one array instead, commands_send(nums, count, vals), beyond LAYOUT.MAX_SPREAD_VALS
// values):
//   RESPONSE:     [kind, id, status, flags] | [headers ("name NUL value …", or ""), body (a string
//                 or a Uint8Array over an ordinary ArrayBuffer, see bytes.ts; the file's path
//                 for a FILE body; null for none)], flags = BODY kind | RESPONSE_FLAG.GZIP |
//                 RESPONSE_FLAG.FILE_OWNED (the outbox encodes a NativeResponse into this).
//                 BODY.STREAM: body null; the head leaves now, the body follows as:
//   STREAM_CHUNK: [kind, id, 0, 0] | [data (a string or a Uint8Array), –]
//   STREAM_END:   [kind, id, 0, 0] | [–, –] (the body is complete)
//   STREAM_ABORT: [kind, id, 0, 0] | [–, –] (the app's stream failed: the message is cut short)
//   BODY_CREDIT:  [kind, id, bytes, 0] | [–, –] (the app read `bytes` of request id's streamed body)
//   WS_TEXT / WS_BINARY: [kind, id, 0, 0] | [data, –]
//   WS_CLOSE:     [kind, id, code, 0] | [reason, –]
//   WS_CLOSE_ACK: [kind, id, 0, 0] | [–, –] (JS has handled the socket's close event; the I/O
//                 thread now answers the peer's close, after every send queued before it)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StreamSource } from './stream-body.js';

/** Event kinds (C++ `EventKind`, transport/events.h). */
export interface EventKinds {
  REQUEST: number;
  HEADERS: number;
  WS_OPEN: number;
  WS_MESSAGE: number;
  WS_CLOSE: number;
  SERVER_CLOSED: number;
  LOG: number;
  /** A request JS was told about ended without its answer (code: {@link RequestEndedCodes}). */
  REQUEST_ENDED: number;
  /** A request was answered: its access-log line (only while logLevel is INFO or DEBUG). */
  ACCESS: number;
  /** A streamed response's chunks were taken (count in slot 2): JS may send more. */
  STREAM_ACK: number;
  /** A request whose body streams: its headers now (as REQUEST, without a body). */
  REQUEST_STREAM: number;
  /** The next bytes of a streamed request body. */
  BODY_CHUNK: number;
  /** A streamed request body is complete. */
  BODY_END: number;
}

/** Command kinds (C++ `CommandKind`, binding/wire.h). */
export interface CommandKinds {
  RESPONSE: number;
  WS_TEXT: number;
  WS_BINARY: number;
  WS_CLOSE: number;
  WS_CLOSE_ACK: number;
  /** The next chunk of a streamed response. */
  STREAM_CHUNK: number;
  /** A streamed response is complete. */
  STREAM_END: number;
  /** A streamed response failed: cut short, never ended as if complete. */
  STREAM_ABORT: number;
  /** The app read bytes of a streamed request body: the connection may read as much more. */
  BODY_CREDIT: number;
}

/** Body kinds of a RESPONSE command: the low bits of its flags. */
export interface BodyKinds {
  NONE: number;
  MEMORY: number;
  FILE: number;
  /** The body follows as STREAM_CHUNK commands. */
  STREAM: number;
}

/** The other bits of a RESPONSE command's flags. */
export interface ResponseFlags {
  GZIP: number;
  FILE_OWNED: number;
}

/** Codes of a REQUEST_ENDED event. */
export interface RequestEndedCodes {
  /** Client gone, error answer, refused upgrade: a late answer is logged at DEBUG. */
  GONE: number;
  /** The server's stop cut it off (grace period over, graceMs 0): a late answer is a WARN. */
  STOPPED: number;
  /**
   * Not an end: the client closed its side while JS holds the request. Its answer is still sent;
   * an app.fetch Request's signal aborts.
   */
  CLIENT_EOF: number;
}

/** Streamed responses: JS sends at most WINDOW bytes (UTF-16 units for strings) ahead of STREAM_ACK. */
export interface StreamConstants {
  WINDOW: number;
}

/** server_start's first argument. */
export interface ListenKinds {
  TCP: number;
  PIPE: number;
}

/** Log levels of LOG events and log_level_set (the names are log.ts's level names). */
export interface LogLevels {
  OFF: number;
  ERROR: number;
  WARN: number;
  INFO: number;
  DEBUG: number;
}

/** Slots per event and per command (see the layouts at the top of this file). */
export interface WireLayout {
  EVENT_NUMS: number;
  EVENT_VALS: number;
  COMMAND_NUMS: number;
  COMMAND_VALS: number;
  /** At most this many values go as separate arguments of one call (events or commands). */
  MAX_SPREAD_VALS: number;
}

/** [kind, packed, body, bodyFd, bodyLength]: a request, headers or ws-open event, rebuilt by
 *  dispatch.ts from a batch's slots (layout at the top of this file). */
export type RequestEvent = [number, string, Buffer | null, number, number];

/** The fields of a request event's packed string, split. */
export interface UnpackedRequest {
  serverId: number;
  id: number;
  /** The packed fields in order (layout at the top of this file): [5] method, [9..] headers. */
  parts: string[];
}

/** Splits a request event's packed string. */
export function unpackRequest(ev: RequestEvent): UnpackedRequest {
  // An indexOf/slice loop rather than split('\0'): split goes through the runtime (a C++ call,
  // then a handle-allocated substring per field), the loop stays in optimised code (issue 19's
  // S1 profile: split was a sixth of the JS thread's work per request).
  const packed = ev[1];
  const parts: string[] = [];
  let from = 0;
  for (;;) {
    const nul = packed.indexOf('\0', from);
    if (nul < 0) break;
    parts.push(packed.slice(from, nul));
    from = nul + 1;
  }
  parts.push(packed.slice(from));
  return { serverId: Number(parts[0]), id: Number(parts[1]), parts };
}
/** A batch of events: [nums, vals] (layout at the top of this file). */
export type EventBatch = [Float64Array, unknown[]];

/**
 * One answer for the I/O thread, built once (response.ts, or dispatch for its own 404 and 500)
 * and encoded into a RESPONSE command by the outbox. `body` and `file` are never both set.
 */
export interface NativeResponse {
  status: number;
  /** Flat [name, value, …], already validated for the wire. */
  headers: string[];
  /** An in-memory body: a string (sent as UTF-8) or bytes in an ordinary ArrayBuffer; null for none. */
  body: string | Uint8Array | null;
  /** A file body's path (null for none). */
  file: string | null;
  /** The file is handed over: deleted once opened, and on every path where it is not sent. */
  fileOwned: boolean;
  gzip: boolean;
  /**
   * A streamed body (stream-body.ts): sent as BODY.STREAM, then pumped chunk by chunk by
   * stream-pump.ts. Absent (or null) for every other body: the fast path never looks further.
   */
  stream?: StreamSource | null;
}

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
  /** Request bodies over 64 KiB or chunked go to the app as they arrive (REQUEST_STREAM). */
  streamBodies: boolean;
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
  redirectDirectories: boolean;
  directoryListing: boolean;
  spaFallback: boolean;
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

/** The addon's exports. */
export interface NativeBinding {
  EVENT: EventKinds;
  COMMAND: CommandKinds;
  BODY: BodyKinds;
  RESPONSE_FLAG: ResponseFlags;
  REQUEST_ENDED: RequestEndedCodes;
  LISTEN: ListenKinds;
  STREAM: StreamConstants;
  LOG_LEVEL: LogLevels;
  LAYOUT: WireLayout;
  /** The batch callback: (nums, v0, v1, …), or (nums, vals) beyond LAYOUT.MAX_SPREAD_VALS values. */
  init(onEvents: (nums: Float64Array, ...vals: unknown[]) => void): void;
  /** kind LISTEN.TCP (host, port) or LISTEN.PIPE (name, mask). Returns [serverId, boundPort]. */
  server_start(kind: number, where: string, portOrMask: number, options: NativeServerOptions,
               reusePort: boolean): [number, number];
  /** Closes the listener now and drains connections for up to graceMs (0: closes them now). */
  server_stop(id: number, graceMs: number): void;
  server_closed(id: number): void;
  server_stats(id: number): ServerStats | undefined;
  /**
   * `count` commands for the I/O thread (layout at the top of this file): their values as the
   * arguments after `count`, or as one array beyond LAYOUT.MAX_SPREAD_VALS values.
   */
  commands_send(nums: Float64Array, count: number, ...vals: unknown[]): void;
  request_continue(id: number): void;
  /** Bytes sent and not yet written to the socket. */
  ws_buffered(id: number): number;
  events_take(timeoutMs: number): EventBatch | undefined;
  /** The batch from the last events_take has been handled (its connections may read again). */
  events_done(): void;
  port_available(host: string, port: number): boolean;
  /** A LOG_LEVEL. */
  log_level_set(level: number): void;
  static_paths_set(serverId: number, entries: NativeStaticEntry[]): void;
  /**
   * Tests only (regressions/issue-15-5-idle-connection-memory): malloc's bytes in use in this
   * process (glibc; -1 elsewhere) and the byte sizes of the objects an idle connection holds.
   */
  debug_memory(): DebugMemory;
}

/** What `debug_memory()` reports (tests only). */
export interface DebugMemory {
  /** Bytes malloc has handed out and not taken back, whole process (glibc's mallinfo); -1 without glibc. */
  mallocInUse: number;
  /** sizeof(SocketTransport): every connection's transport. */
  socketTransport: number;
  /** sizeof(Http1Handler): an HTTP connection's protocol handler. */
  http1Handler: number;
  /** sizeof(WsSession): a WebSocket's protocol handler (replaces the Http1Handler at the upgrade). */
  wsSession: number;
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

/**
 * Loads the addon. Called once, by runtime.ts, which wires what it returns into the dispatcher,
 * the outbox and the servers; nothing else loads it (the core modules take the binding as an
 * argument, so the unit tests can pass a fake).
 */
export function loadBinding(): NativeBinding {
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
