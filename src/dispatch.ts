// Receives event batches from the I/O thread (one JS call per batch) and routes each event:
// requests to app.call / app.onHeaders, WebSocket events to their WebSocket, server-closed to
// its server, logs to log(). App errors never escape: they become a 500 or a close, logged.
//
// Per-request state lives here, keyed by ids the I/O side never reuses, and is freed on every
// path: an answer, a request-ended event (client gone, error answer, refused upgrade), a
// WebSocket's close, and its server's closing. An answer or a continue for a request no longer
// tracked (its connection or server is gone) is dropped here, never sent, and logged: at DEBUG
// when the client left, at WARN when its server's stop cut it off (grace period over, graceMs 0).
//
// The binding, the outbox and the server registry are passed in (runtime.ts wires the ones this
// environment uses; the unit tests a fake binding). The event layout is described once, at the
// top of native.ts.
import * as fs from 'node:fs';
import {
  unpackRequest, type EventBatch, type EventKinds, type NativeBinding, type NativeResponse, type RequestEvent,
} from './native.js';
import type { Outbox } from './outbox.js';
import type { ServerRecord } from './registry.js';
import { attachBody, attachStreamingBody, buildRequest, splitTarget, type BuiltRequest } from './rook.js';
import { StreamingBody } from './request-body.js';
import { prepareResponse, releaseResponse, ResponseError } from './response.js';
import { StreamPump } from './stream-pump.js';
import { FetchBuilt, fromWebResponse, toWebRequest } from './fetch.js';
import type { HttpuvRequest } from './fetch-request.js';
import { WebSocket, type WsLink } from './websocket.js';
import { errorText, log, type LogFields, type LogLevelName } from './log.js';
import type { RookRequest } from './rook.js';

/** What the dispatcher needs of the binding. */
export type DispatchBinding = Pick<NativeBinding,
  'EVENT' | 'REQUEST_ENDED' | 'LOG_LEVEL' | 'LAYOUT' | 'STREAM' | 'request_continue' | 'server_closed' | 'ws_buffered'>;

// 404 for an app without `call`: read only by the outbox, so one record serves every request.
const NOT_FOUND: NativeResponse = {
  status: 404, headers: ['Content-Type', 'text/plain'], body: '404 Not Found\n', file: null, fileOwned: false, gzip: false,
};

// A `then` getter that throws (a hostile Proxy) makes the value not thenable: it is then checked
// as a response, and refused with a 500 if its other members throw too.
function isThenable(v: unknown): v is PromiseLike<unknown> {
  try {
    return v !== null && (typeof v === 'object' || typeof v === 'function') &&
      typeof (v as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

// `text` (an error's message, or its stack) with `(what)` at the end of its first line, so that
// the line that says what went wrong also says for which request.
function withRequest(text: string, what: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? `${text} (${what})` : `${text.slice(0, nl)} (${what})${text.slice(nl)}`;
}

function finish(built: BuiltRequest): void {
  built.body?.dispose();
}

/** Routes the events of one JS environment's I/O thread. */
export class Dispatcher {
  private readonly binding: DispatchBinding;
  private readonly outbox: Outbox;
  private readonly servers: Map<number, ServerRecord>;
  /** What every WebSocket made here uses to send (one object for all of them). */
  private readonly wsLink: WsLink;
  private readonly K: EventKinds;
  private readonly endedByStop: number;
  private readonly clientEof: number;
  private readonly eventNums: number;
  private readonly eventVals: number;
  // LOG events' levels → names (an unknown level logs at INFO).
  private readonly levelNames: (Exclude<LogLevelName, 'OFF'> | undefined)[] = [];
  // Requests the app may still answer → their server: from their headers or request event until
  // the answer, their request-ended event, or their server's close.
  private readonly liveRequests = new Map<number, ServerRecord>();
  // Requests whose onHeaders ran and whose body has not come yet: the Rook env to complete.
  private readonly pendingHeaders = new Map<number, BuiltRequest>();
  // Open WebSockets, for their message and close events. (Every pendingHeaders id is also in
  // liveRequests; a server's closing, which is rare, walks these maps.)
  private readonly sockets = new Map<number, { ws: WebSocket; server: ServerRecord }>();
  // Streamed responses being pumped (stream-pump.ts), by request id: from the answer to their end
  // or their request-ended event. `after` runs when the stream is over (frees the request body).
  private readonly streams = new Map<number, { pump: StreamPump; server: ServerRecord; after: (() => void) | null }>();
  // app.fetch requests whose client may still go away: their Request's AbortSignal, aborted by a
  // request-ended event (before the answer) or by the end of their streamed answer's client.
  private readonly aborts = new Map<number, HttpuvRequest>();
  // Streamed request bodies still arriving, by request id: from REQUEST_STREAM to BODY_END (or
  // the request's end: their reads then reject).
  private readonly bodies = new Map<number, StreamingBody>();
  private readonly streamDone = (pump: StreamPump): void => {
    const s = this.streams.get(pump.id);
    if (s === undefined || s.pump !== pump) return;
    this.streams.delete(pump.id);
    this.aborts.delete(pump.id);
    const body = this.bodies.get(pump.id);
    if (body !== undefined) {
      // A streamed answer over before its streamed body: the I/O thread drops the rest.
      this.bodies.delete(pump.id);
      body._fail(new Error('the request was answered before its body was read'));
    }
    s.after?.();
  };

  constructor(binding: DispatchBinding, outbox: Outbox, servers: Map<number, ServerRecord>) {
    this.binding = binding;
    this.outbox = outbox;
    this.servers = servers;
    this.wsLink = { outbox, binding };
    this.K = binding.EVENT;
    this.endedByStop = binding.REQUEST_ENDED.STOPPED;
    this.clientEof = binding.REQUEST_ENDED.CLIENT_EOF;
    this.eventNums = binding.LAYOUT.EVENT_NUMS;
    this.eventVals = binding.LAYOUT.EVENT_VALS;
    const levels = binding.LOG_LEVEL;
    for (const name of ['ERROR', 'WARN', 'INFO', 'DEBUG'] as const) this.levelNames[levels[name]] = name;
    this.levelNames[levels.OFF] = 'ERROR';
  }

  /** Handles one batch of native events, in order (a bound function). */
  readonly handleBatch = (events: EventBatch): void => {
    this.outbox.hold();
    try {
      this.handleEvents(events[0], events[1]);
    } finally {
      this.outbox.release();
    }
  };

  /**
   * The binding's batch callback (a bound function): the batch's values come as arguments,
   * (nums, v0, v1, …), or as one array, (nums, vals), when there are too many for the stack.
   */
  readonly handleNative = (nums: Float64Array, ...vals: unknown[]): void => {
    this.outbox.hold();
    try {
      // No event value is ever an array: one array argument is the whole batch's values.
      this.handleEvents(nums, vals.length === 1 && Array.isArray(vals[0]) ? vals[0] as unknown[] : vals);
    } finally {
      this.outbox.release();
    }
  };

  /**
   * @internal Test hook: how many requests, pending onHeaders environments and WebSockets this
   * dispatcher tracks (all 0 once every server has closed).
   */
  debugCounts(): { requests: number; pendingHeaders: number; sockets: number } {
    return {
      requests: this.liveRequests.size + this.streams.size + this.bodies.size, pendingHeaders: this.pendingHeaders.size, sockets: this.sockets.size,
    };
  }

  // The request was answered, or ended without an answer: free what JS holds for it.
  private forgetRequest(id: number): void {
    this.liveRequests.delete(id);
    this.pendingHeaders.delete(id);
  }

  // The server closed: everything of it still tracked is dropped (its WebSockets normally had
  // their close event already; one still open is closed as 1006).
  private forgetServer(server: ServerRecord): void {
    for (const [id, owner] of this.liveRequests) {
      if (owner !== server) continue;
      this.forgetRequest(id);
      this.requestGone(id);
    }
    for (const [id, s] of this.streams) {
      if (s.server === server) this.requestGone(id);
    }
    for (const [id, s] of this.sockets) {
      if (s.server !== server) continue;
      this.sockets.delete(id);
      s.ws._closed(1006, '');
    }
  }

  /** Logs an answer or continue dropped because request `id` is no longer tracked. */
  private logDropped(server: ServerRecord, id: number, what: string): void {
    if (server.cutByStop.delete(id)) {
      // Nothing the app answers is lost silently: an answer that a stop cut off is logged at WARN.
      log('WARN', `${what} to request ${id} dropped: its server was stopped before the app answered ` +
        '(the grace period of stop() ended, or graceMs was 0)', { serverId: server.id, requestId: id }, server.logger);
    } else {
      log('DEBUG', `${what} to request ${id} dropped: its connection or server is gone`,
        { serverId: server.id, requestId: id }, server.logger);
    }
  }

  /**
   * The one way an answer leaves for the I/O thread: only for a request `server` still tracks,
   * once. A late answer (the client left, or the server stopped) is dropped and logged (see
   * logDropped); an owned file it named is deleted.
   */
  private respond(server: ServerRecord, id: number, r: NativeResponse, after: (() => void) | null = null): void {
    if (this.liveRequests.get(id) !== server) {
      this.logDropped(server, id, 'answer');
      if (r.file !== null && r.fileOwned) fs.unlink(r.file, () => {});
      if (r.stream != null) r.stream.cancel();
      after?.();
      return;
    }
    this.forgetRequest(id);
    this.outbox.queueResponse(id, r);
    if (r.stream == null) {
      this.aborts.delete(id);
      const body = this.bodies.get(id);
      if (body !== undefined) {
        // Answered before its body was read: the rest is dropped by the I/O thread.
        this.bodies.delete(id);
        body._fail(new Error('the request was answered before its body was read'));
      }
      after?.();
      return;
    }
    const pump = new StreamPump(this.outbox, id, r.stream, this.streamDone, this.binding.STREAM.WINDOW);
    this.streams.set(id, { pump, server, after });
    pump.start();
  }

  // Request `id` ended without us (request-ended event, its server closed): a streamed answer
  // stops its source, an app.fetch Request's signal aborts.
  private requestGone(id: number): void {
    const body = this.bodies.get(id);
    if (body !== undefined) {
      this.bodies.delete(id);
      body._fail(new Error('the request ended before its body was complete (the client left, the body passed ' +
        'maxBodySize, or the server stopped)'));
    }
    this.abortRequest(id);  // first: the pump's end forgets the request
    this.streams.get(id)?.pump.gone();
  }

  private abortRequest(id: number): void {
    const request = this.aborts.get(id);
    if (request !== undefined) {
      this.aborts.delete(id);
      request._abort(new DOMException('the client closed the connection', 'AbortError'));
    }
  }

  // onHeaders returned nothing: read the body, if the request is still there.
  private continueRequest(server: ServerRecord, id: number): void {
    if (this.liveRequests.get(id) !== server) {
      this.logDropped(server, id, 'continue');
      return;
    }
    this.binding.request_continue(id);
  }

  // Never throws, whatever the app threw (errorText is safe): the 500 must go out. The log line
  // names the request (method, path, id: the id of its access line); the body carries the
  // error's message only when the server's exposeErrors is on (the default, as R's httpuv).
  private sendError(server: ServerRecord, id: number, err: unknown, where: string, req: RookRequest): void {
    let internal = false;
    try {
      internal = err instanceof ResponseError;
    } catch {
      // a Proxy whose getPrototypeOf trap throws: not ours
    }
    const fields: LogFields = {
      serverId: server.id, requestId: id, method: req.REQUEST_METHOD, path: req.PATH_INFO, query: req.QUERY_STRING, err,
    };
    log('ERROR', `${where} ${internal ? 'returned a bad response' : 'threw'}: ` +
      withRequest(errorText(err, !internal), `request ${id}: ${req.REQUEST_METHOD} ${req.PATH_INFO}${req.QUERY_STRING}`),
      fields, server.logger);
    // httpuv's format for app errors ("ERROR: <message>"); a malformed response gets a plain text.
    const body = server.exposeErrors === false ? 'Internal Server Error\n'
      : internal ? `Internal Server Error: ${errorText(err, false)}` : `ERROR: ${errorText(err, false)}`;
    this.respond(server, id, {
      status: 500, headers: ['Content-Type', 'text/plain; charset=UTF-8'], body, file: null, fileOwned: false, gzip: false,
    });
  }

  private send(server: ServerRecord, id: number, built: BuiltRequest, res: unknown, where: string,
               after: (() => void) | null = null): void {
    let r;
    // (A FetchBuilt answers these from the event's fields: its Rook environment is never built.)
    const fb = built instanceof FetchBuilt ? built : null;
    try {
      r = prepareResponse(res, fb !== null ? fb.header('accept-encoding') : built.req.HEADERS['accept-encoding'], server.gzip);
    } catch (err) {
      this.sendError(server, id, err, where, built.req);
      after?.();
      return;
    }
    if (r.stream != null && ((fb !== null ? fb.parts[5] : built.req.REQUEST_METHOD) === 'HEAD' || r.status === 204 || r.status === 304)) {
      // No body goes out: stop the app's source now; the head alone is the answer.
      releaseResponse(r);
    }
    this.respond(server, id, r, after);
  }

  // app.fetch: a Request in, a Response out (fetch.ts). The request body is freed once the answer
  // is over (a streamed answer may still read it).
  private runFetch(server: ServerRecord, id: number, built: BuiltRequest,
                   fetch: (request: Request) => unknown): void {
    const after = built.body !== null ? (): void => finish(built) : null;
    let request: HttpuvRequest;
    try {
      const b = built.body;
      request = toWebRequest(built, b === null ? null : b instanceof StreamingBody ? b.toWebStream() : b.read());
    } catch (err) {
      log('INFO', `app.fetch: request ${id} (${built.req.REQUEST_METHOD} ${built.req.PATH_INFO}) makes no valid Request: ${errorText(err, false)}`);
      this.respond(server, id, {
        status: 400, headers: ['Content-Type', 'text/plain; charset=UTF-8'], body: '400 Bad Request\n',
        file: null, fileOwned: false, gzip: false,
      }, after);
      return;
    }
    this.aborts.set(id, request);
    let result: unknown;
    try {
      result = fetch(request as unknown as Request);
    } catch (err) {
      this.aborts.delete(id);
      this.sendError(server, id, err, 'app.fetch', built.req);
      after?.();
      return;
    }
    const answer = (res: unknown): void => {
      let rook;
      try {
        rook = fromWebResponse(res);
      } catch (err) {
        this.aborts.delete(id);
        this.sendError(server, id, err, 'app.fetch', built.req);
        after?.();
        return;
      }
      if (rook instanceof Promise) {
        // A Blob body, or a runtime Response whose whole body is read ahead (fetch.ts).
        rook.then((r) => this.send(server, id, built, r, 'app.fetch', after), (err: unknown) => {
          this.aborts.delete(id);
          this.sendError(server, id, err, 'app.fetch (reading the Response body)', built.req);
          after?.();
        });
        return;
      }
      this.send(server, id, built, rook, 'app.fetch', after);
    };
    if (isThenable(result)) {
      Promise.resolve(result).then(answer, (err: unknown) => {
        this.aborts.delete(id);
        this.sendError(server, id, err, 'app.fetch (rejected)', built.req);
        after?.();
      });
      return;
    }
    answer(result);
  }

  private runCall(server: ServerRecord, id: number, built: BuiltRequest): void {
    const call = server.app.call;
    if (call === undefined) {
      const fetch = server.app.fetch;
      if (fetch !== undefined) {
        this.runFetch(server, id, built, fetch);
        return;
      }
      this.respond(server, id, NOT_FOUND);
      finish(built);
      return;
    }
    let result: unknown;
    try {
      result = call(built.req);
    } catch (err) {
      this.sendError(server, id, err, 'app.call', built.req);
      finish(built);
      return;
    }
    const after = built.body !== null ? (): void => finish(built) : null;
    if (isThenable(result)) {
      Promise.resolve(result).then(
        (res) => { this.send(server, id, built, res, 'app.call', after); },
        (err: unknown) => { this.sendError(server, id, err, 'app.call (rejected)', built.req); finish(built); });
      return;
    }
    this.send(server, id, built, result, 'app.call', after);
  }

  private onHeadersAnswer(server: ServerRecord, id: number, built: BuiltRequest, res: unknown): void {
    if (res === undefined || res === null) {
      this.continueRequest(server, id);
      return;
    }
    this.send(server, id, built, res, 'app.onHeaders');
  }

  private onRequestEvent(ev: RequestEvent, kind: number): void {
    const K = this.K;
    const u = unpackRequest(ev);
    const server = this.servers.get(u.serverId);
    const id = u.id;
    if (server === undefined) {
      // The server was stopped while this event was queued; release a spilled body.
      if (ev[3] >= 0) buildRequest(ev, u, false);
      return;
    }
    if (kind !== K.WS_OPEN) this.liveRequests.set(id, server);
    if (kind === K.HEADERS) {
      const built = buildRequest(ev, u, false);
      this.pendingHeaders.set(id, built);
      const onHeaders = server.app.onHeaders;
      if (onHeaders === undefined) {
        this.continueRequest(server, id);
        return;
      }
      let result: unknown;
      try {
        result = onHeaders(built.req);
      } catch (err) {
        this.sendError(server, id, err, 'app.onHeaders', built.req);
        return;
      }
      if (isThenable(result)) {
        Promise.resolve(result).then(
          (res) => this.onHeadersAnswer(server, id, built, res),
          (err: unknown) => { this.sendError(server, id, err, 'app.onHeaders (rejected)', built.req); });
        return;
      }
      this.onHeadersAnswer(server, id, built, result);
      return;
    }
    if (kind === K.WS_OPEN) {
      const seen = this.pendingHeaders.get(id);
      this.pendingHeaders.delete(id);
      this.liveRequests.delete(id);  // no answer is due any more: the id now names the WebSocket
      // Without onHeaders the request object is built only if the app reads ws.request.
      const request = seen !== undefined ? seen.req : () => buildRequest(ev, unpackRequest(ev), false).req;
      const ws = new WebSocket(this.wsLink, id, request, typeof ev[2] === 'string' ? ev[2] : '', server.sendQueueLimit);
      this.sockets.set(id, { ws, server });
      const open = server.app.onWSOpen;
      if (open !== undefined) {
        try {
          open(ws);
        } catch (err) {
          const [path, query] = splitTarget(u.parts[6]);
          log('ERROR', `app.onWSOpen threw: ${withRequest(errorText(err), `WebSocket ${id}: ${u.parts[5]} ${u.parts[6]}`)}`,
            { serverId: server.id, requestId: id, method: u.parts[5], path, query, err }, server.logger);
          ws.close(1011, 'server error');
        }
      }
      return;
    }
    // A complete request, or one whose body streams (REQUEST_STREAM).
    let built = this.pendingHeaders.get(id);
    if (kind === K.REQUEST_STREAM) {
      if (built !== undefined) this.pendingHeaders.delete(id);
      else built = buildRequest(ev, u, false);
      const body = new StreamingBody((bytes) => this.outbox.queueBodyCredit(id, bytes));
      this.bodies.set(id, body);
      attachStreamingBody(built, body);
    } else if (built !== undefined) {
      this.pendingHeaders.delete(id);
      attachBody(built, ev);
    } else if (server.app.call === undefined && server.app.fetch !== undefined) {
      built = new FetchBuilt(ev, u);  // app.fetch alone: no Rook environment unless asked for
    } else {
      built = buildRequest(ev, u, true);
    }
    this.runCall(server, id, built);
  }

  /**
   * One access-log line (INFO): `GET /a?b=1 200 12 bytes 0.42 ms (request 17, app, 127.0.0.1)`,
   * "static" for an answer from a static path; the fields carry the same values.
   */
  private onAccess(id: number, status: number, bytes: number, packed: string): void {
    const [serverIdText, method, target, remoteAddr, elapsedUs, isStatic] = packed.split('\0');
    const serverId = Number(serverIdText);
    const durationMs = Number(elapsedUs) / 1000;
    const [path, query] = splitTarget(target);
    const kind = isStatic === '1' ? 'static' : 'app';
    const message = `${method} ${target} ${status} ${bytes} bytes ${durationMs.toFixed(2)} ms ` +
      `(${id !== 0 ? `request ${id}, ` : ''}${kind}, ${remoteAddr})`;
    const fields: LogFields = {
      serverId, method, path, query, status, bytes, durationMs, remoteAddr, static: isStatic === '1',
    };
    if (id !== 0) fields.requestId = id;
    log('INFO', message, fields, this.servers.get(serverId)?.logger);
  }

  private handleEvents(nums: Float64Array, vals: unknown[]): void {
    const K = this.K;
    const stride = this.eventNums;
    const valStride = this.eventVals;
    const n = nums.length / stride;
    for (let i = 0; i < n; i++) {
      const o = i * stride;
      const v = i * valStride;
      const kind = nums[o];
      try {
        switch (kind) {
          case K.REQUEST:
          case K.REQUEST_STREAM:
          case K.HEADERS:
          case K.WS_OPEN:
            this.onRequestEvent([kind, vals[v] as string, (vals[v + 1] ?? null) as Buffer | null, nums[o + 2], nums[o + 3]], kind);
            break;
          case K.WS_MESSAGE:
            this.sockets.get(nums[o + 1])?.ws._message(nums[o + 2] !== 0, vals[v] as string | Buffer);
            break;
          case K.WS_CLOSE: {
            const id = nums[o + 1];
            const s = this.sockets.get(id);
            this.sockets.delete(id);
            s?.ws._closed(nums[o + 2], vals[v] as string);
            // After the sends made by this batch's message handlers: let the I/O thread answer.
            this.outbox.queueWsCloseAck(id);
            break;
          }
          case K.SERVER_CLOSED: {
            const serverId = nums[o + 1];
            const server = this.servers.get(serverId);
            this.servers.delete(serverId);
            if (server !== undefined) this.forgetServer(server);
            this.binding.server_closed(serverId);
            server?.closed();
            break;
          }
          case K.REQUEST_ENDED: {
            const id = nums[o + 1];
            if (nums[o + 3] === this.clientEof) {
              // The client closed its side: the answer still goes out; a Request's signal aborts.
              this.abortRequest(id);
              break;
            }
            if (nums[o + 3] === this.endedByStop) {
              this.liveRequests.get(id)?.cutByStop.add(id);
              if (this.streams.has(id)) log('INFO', `the streamed response to request ${id} was cut short: its server's stop ended it`);
            }
            this.forgetRequest(id);
            this.requestGone(id);
            break;
          }
          case K.STREAM_ACK:
            this.streams.get(nums[o + 1])?.pump.ack(nums[o + 2]);
            break;
          case K.BODY_CHUNK:
            this.bodies.get(nums[o + 1])?._push(vals[v] as Buffer);
            break;
          case K.BODY_END: {
            const id = nums[o + 1];
            this.bodies.get(id)?._end();
            this.bodies.delete(id);
            break;
          }
          case K.LOG: {
            const serverId = nums[o + 1];
            const server = serverId !== 0 ? this.servers.get(serverId) : undefined;
            log(this.levelNames[nums[o + 2]] ?? 'INFO', vals[v] as string,
              server !== undefined ? { serverId } : {}, server?.logger);
            break;
          }
          case K.ACCESS:
            this.onAccess(nums[o + 1], nums[o + 2], nums[o + 3], vals[v] as string);
            break;
          default:
            log('ERROR', `unknown native event kind ${kind}`);
        }
      } catch (err) {
        // Only a bug in this file can get here; keep serving the rest of the batch.
        log('ERROR', `internal error handling a native event: ${errorText(err)}`);
      }
    }
  }
}
