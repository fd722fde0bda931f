// A stand-in for the native addon, for unit tests of the TypeScript core (dispatch, outbox,
// websocket): it records the commands the core sends and lets a test feed event batches in, with
// no addon, no I/O thread and no socket. Its wire constants deliberately differ from the real
// addon's, so a test passes only if the core uses the names the binding exports, never numbers
// of its own. The layouts are the ones described at the top of src/native.ts.
import type { NativeBinding, EventBatch, NativeServerOptions, NativeStaticEntry, ServerStats } from '../../src/native.js';
import type { NormalizedApp } from '../../src/app.js';
import type { ServerRecord } from '../../src/registry.js';
import { type LogLevelName } from '../../src/log.js';

const EVENT = {
  REQUEST: 11, HEADERS: 12, WS_OPEN: 13, WS_MESSAGE: 14, WS_CLOSE: 15, SERVER_CLOSED: 16, LOG: 17, REQUEST_ENDED: 18,
  ACCESS: 19, STREAM_ACK: 29, REQUEST_STREAM: 30, BODY_CHUNK: 31, BODY_END: 32,
};
const COMMAND = {
  RESPONSE: 20, WS_TEXT: 21, WS_BINARY: 22, WS_CLOSE: 23, WS_CLOSE_ACK: 24, STREAM_CHUNK: 25, STREAM_END: 26, STREAM_ABORT: 27, BODY_CREDIT: 28,
};
const BODY = { NONE: 0, MEMORY: 1, FILE: 2, STREAM: 3 };
const STREAM = { WINDOW: 1000 };
const RESPONSE_FLAG = { GZIP: 16, FILE_OWNED: 32 };
const REQUEST_ENDED = { GONE: 5, STOPPED: 6, CLIENT_EOF: 7 };
const LOG_LEVEL = { OFF: 0, ERROR: 41, WARN: 42, INFO: 43, DEBUG: 44 };
const LAYOUT = { EVENT_NUMS: 4, EVENT_VALS: 2, COMMAND_NUMS: 4, COMMAND_VALS: 2, MAX_SPREAD_VALS: 8 };

export type CommandName = keyof typeof COMMAND;

/** One command as the fake received it, decoded by name. */
export interface SentCommand {
  kind: CommandName;
  id: number;
  a: number;
  b: number;
  v0: unknown;
  v1: unknown;
}

/** A RESPONSE command decoded: status, headers as pairs, body kind by name, flags. */
export interface SentResponse {
  id: number;
  status: number;
  headers: [string, string][];
  bodyKind: 'NONE' | 'MEMORY' | 'FILE' | 'STREAM';
  body: unknown;
  gzip: boolean;
  fileOwned: boolean;
}

export interface FakeBinding extends NativeBinding {
  /** commands_send calls whose values came as one array (more than LAYOUT.MAX_SPREAD_VALS). */
  arraySends: number;
  /** Every commands_send call: how many commands each carried. */
  readonly sends: number[];
  /** Every command received, in order. */
  readonly commands: SentCommand[];
  readonly continued: number[];
  readonly serverClosed: number[];
  /** What ws_buffered answers. */
  buffered: number;
  /** When set, commands_send throws this (after recording nothing). */
  failWith: Error | null;
  responses(): SentResponse[];
}

export function fakeBinding(): FakeBinding {
  const kindName = new Map<number, CommandName>(
    Object.entries(COMMAND).map(([k, v]) => [v, k as CommandName]));
  const bodyName = new Map<number, 'NONE' | 'MEMORY' | 'FILE' | 'STREAM'>(
    Object.entries(BODY).map(([k, v]) => [v, k as 'NONE' | 'MEMORY' | 'FILE' | 'STREAM']));
  const fake: FakeBinding = {
    EVENT, COMMAND, BODY, RESPONSE_FLAG, REQUEST_ENDED, LOG_LEVEL, LAYOUT, STREAM,
    LISTEN: { TCP: 50, PIPE: 51 },
    sends: [],
    arraySends: 0,
    commands: [],
    continued: [],
    serverClosed: [],
    buffered: 0,
    failWith: null,
    init(_onEvents: (nums: Float64Array, ...vals: unknown[]) => void): void {},
    server_start(_kind: number, _where: string, _portOrMask: number, _options: NativeServerOptions,
                 _reusePort: boolean): [number, number] {
      throw new Error('fake binding: no servers');
    },
    server_stop(): void {},
    server_closed(id: number): void { fake.serverClosed.push(id); },
    server_stats(): ServerStats | undefined { return undefined; },
    commands_send(nums: Float64Array, count: number, ...args: unknown[]): void {
      if (fake.failWith !== null) throw fake.failWith;
      // The values come as arguments, or as one array beyond LAYOUT.MAX_SPREAD_VALS of them.
      const vals = args.length === 1 && Array.isArray(args[0]) ? args[0] as unknown[] : args;
      if (vals !== args) fake.arraySends++;
      fake.sends.push(count);
      for (let i = 0; i < count; i++) {
        const o = i * LAYOUT.COMMAND_NUMS;
        const v = i * LAYOUT.COMMAND_VALS;
        const kind = kindName.get(nums[o]);
        if (kind === undefined) throw new Error(`fake binding: unknown command kind ${nums[o]}`);
        fake.commands.push({ kind, id: nums[o + 1], a: nums[o + 2], b: nums[o + 3], v0: vals[v], v1: vals[v + 1] });
      }
    },
    request_continue(id: number): void { fake.continued.push(id); },
    ws_buffered(): number { return fake.buffered; },
    events_take(): EventBatch | undefined { return undefined; },
    events_done(): void {},
    port_available(): boolean { return true; },
    log_level_set(): void {},
    static_paths_set(_serverId: number, _entries: NativeStaticEntry[]): void {},
    debug_memory() { return { mallocInUse: -1, socketTransport: 0, http1Handler: 0, wsSession: 0 }; },
    responses(): SentResponse[] {
      return fake.commands.filter((c) => c.kind === 'RESPONSE').map((c) => {
        const flat = c.v0 === '' ? [] : String(c.v0).split('\0');
        const headers: [string, string][] = [];
        for (let i = 0; i < flat.length; i += 2) headers.push([flat[i], flat[i + 1]]);
        const bodyKind = bodyName.get(c.b & 3);
        if (bodyKind === undefined) throw new Error(`fake binding: bad flags ${c.b}`);
        return {
          id: c.id, status: c.a, headers, bodyKind, body: c.v1,
          gzip: (c.b & RESPONSE_FLAG.GZIP) !== 0, fileOwned: (c.b & RESPONSE_FLAG.FILE_OWNED) !== 0,
        };
      });
    },
  };
  return fake;
}

/** A request as the I/O thread would describe it. */
export interface FakeRequest {
  id: number;
  serverId: number;
  method?: string;
  target?: string;
  headers?: [string, string][];
  body?: Buffer;
}

/** One event of a batch, by kind name. */
export type FakeEvent =
  | ({ kind: 'REQUEST' | 'HEADERS' } & FakeRequest)
  | ({ kind: 'WS_OPEN'; protocol?: string } & FakeRequest)
  | { kind: 'WS_MESSAGE'; id: number; data: string | Buffer }
  | { kind: 'WS_CLOSE'; id: number; code: number; reason?: string }
  | { kind: 'SERVER_CLOSED'; serverId: number }
  | { kind: 'REQUEST_ENDED'; id: number; serverId: number; stopped?: boolean }
  | { kind: 'LOG'; level: Exclude<LogLevelName, 'OFF'>; text: string; serverId?: number }
  | {
    kind: 'ACCESS'; id: number; serverId: number; status: number; bytes: number; method: string; target: string;
    remoteAddr: string; elapsedUs: number; static: boolean;
  };

function packed(r: FakeRequest): string {
  const fields = [String(r.serverId), String(r.id), '1', '40000', '8080', r.method ?? 'GET', r.target ?? '/',
    '127.0.0.1', '127.0.0.1'];
  for (const [n, v] of r.headers ?? []) fields.push(n, v);
  return fields.join('\0');
}

/** Builds an event batch in the layout of src/native.ts, with the fake's constants. */
export function eventBatch(events: FakeEvent[]): EventBatch {
  const nums = new Float64Array(events.length * LAYOUT.EVENT_NUMS);
  const vals: unknown[] = new Array(events.length * LAYOUT.EVENT_VALS);
  events.forEach((e, i) => {
    const o = i * LAYOUT.EVENT_NUMS;
    const v = i * LAYOUT.EVENT_VALS;
    nums[o] = EVENT[e.kind];
    switch (e.kind) {
      case 'REQUEST':
      case 'HEADERS':
      case 'WS_OPEN':
        nums[o + 1] = e.id;
        nums[o + 2] = -1;
        nums[o + 3] = e.kind === 'REQUEST' && e.body !== undefined ? e.body.length : 0;
        vals[v] = packed(e);
        if (e.kind === 'REQUEST' && e.body !== undefined) vals[v + 1] = e.body;
        if (e.kind === 'WS_OPEN') vals[v + 1] = e.protocol ?? '';
        break;
      case 'WS_MESSAGE':
        nums[o + 1] = e.id;
        nums[o + 2] = typeof e.data === 'string' ? 0 : 1;
        vals[v] = e.data;
        break;
      case 'WS_CLOSE':
        nums[o + 1] = e.id;
        nums[o + 2] = e.code;
        vals[v] = e.reason ?? '';
        break;
      case 'SERVER_CLOSED':
        nums[o + 1] = e.serverId;
        break;
      case 'REQUEST_ENDED':
        nums[o + 1] = e.id;
        nums[o + 2] = e.serverId;
        nums[o + 3] = e.stopped === true ? REQUEST_ENDED.STOPPED : REQUEST_ENDED.GONE;
        break;
      case 'LOG':
        nums[o + 1] = e.serverId ?? 0;
        nums[o + 2] = LOG_LEVEL[e.level];
        vals[v] = e.text;
        break;
      case 'ACCESS':
        nums[o + 1] = e.id;
        nums[o + 2] = e.status;
        nums[o + 3] = e.bytes;
        vals[v] = [String(e.serverId), e.method, e.target, e.remoteAddr, String(e.elapsedUs), e.static ? '1' : '0'].join('\0');
        break;
    }
  });
  return [nums, vals];
}

/** A server record as server.ts would register it, around `app`. */
export function fakeServer(id: number, app: Partial<NormalizedApp>, gzip = false): ServerRecord & { closedCalls: number } {
  const rec = {
    id, app: app as NormalizedApp, gzip, sendQueueLimit: 1024, cutByStop: new Set<number>(), closedCalls: 0,
    closed(): void { rec.closedCalls++; },
  };
  return rec;
}

// Records node-httpuv's log lines (one sink for every tier: test/helpers/log-capture.ts; it loads
// only src/log.ts, no addon).
export { captureLog } from '../helpers/log-capture.js';

/** Waits until pending promise callbacks and microtasks (queued flushes) have run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** True if the real addon was loaded in this process (the unit tests must never need it). */
export function addonLoaded(): boolean {
  return Object.keys(require.cache).some((k) => /[\\/]src[\\/]runtime\.js$/.test(k) || k.endsWith('.node'));
}
