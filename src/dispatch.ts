// Receives event batches from the I/O thread (one JS call per batch) and routes each event:
// requests to app.call / app.onHeaders, WebSocket events to their WebSocket, server-closed to
// its server, logs to log(). App errors never escape: they become a 500 or a close, logged.
//
// Per-request state lives here, keyed by ids the I/O side never reuses, and is freed on every
// path: an answer, a request-ended event (client gone, error answer, refused upgrade), a
// WebSocket's close, and its server's closing. An answer or a continue for a request no longer
// tracked (its connection or server is gone) is dropped here, never sent, and logged: at DEBUG
// when the client left, at WARN when its server's stop cut it off (grace period over, graceMs 0).
import * as fs from 'node:fs';
import { native, unpackRequest, type EventBatch, type NativeResponse, type RequestEvent } from './native.js';
import { batch, queueResponse, queueWsCloseAck } from './outbox.js';
import { serversById, type ServerRecord } from './registry.js';
import { attachBody, buildRequest, type BuiltRequest } from './rook.js';
import { prepareResponse, ResponseError } from './response.js';
import { WebSocket } from './websocket.js';
import { errorText, log, setLevelListener, type LogLevelName } from './log.js';

// The event layout is described once, at the top of native.ts.
const K = native.EVENT;
const ENDED = native.REQUEST_ENDED;
const EVENT_NUMS = native.LAYOUT.EVENT_NUMS;
const EVENT_VALS = native.LAYOUT.EVENT_VALS;

// Requests the app may still answer → their server: from their headers or request event until
// the answer, their request-ended event, or their server's close.
const liveRequests = new Map<number, ServerRecord>();
// Requests whose onHeaders ran and whose body has not come yet: the Rook env to complete.
const pendingHeaders = new Map<number, BuiltRequest>();
// Open WebSockets, for their message and close events. (Every pendingHeaders id is also in
// liveRequests; a server's closing, which is rare, walks these maps.)
const sockets = new Map<number, { ws: WebSocket; server: ServerRecord }>();
// LOG events' levels → names (an unknown level logs at INFO).
const LEVEL_NAMES: (Exclude<LogLevelName, 'OFF'> | undefined)[] = [];
for (const name of ['ERROR', 'WARN', 'INFO', 'DEBUG'] as const) LEVEL_NAMES[native.LOG_LEVEL[name]] = name;
LEVEL_NAMES[native.LOG_LEVEL.OFF] = 'ERROR';
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

// The request was answered, or ended without an answer: free what JS holds for it.
function forgetRequest(id: number): void {
  liveRequests.delete(id);
  pendingHeaders.delete(id);
}

// The server closed: everything of it still tracked is dropped (its WebSockets normally had
// their close event already; one still open is closed as 1006).
function forgetServer(server: ServerRecord): void {
  for (const [id, owner] of liveRequests) {
    if (owner === server) forgetRequest(id);
  }
  for (const [id, s] of sockets) {
    if (s.server !== server) continue;
    sockets.delete(id);
    s.ws._closed(1006, '');
  }
}

/** Logs an answer or continue dropped because request `id` is no longer tracked. */
function logDropped(server: ServerRecord, id: number, what: string): void {
  if (server.cutByStop.delete(id)) {
    // Nothing the app answers is lost silently at stop (issue 14, class 8).
    log('WARN', `${what} to request ${id} dropped: its server was stopped before the app answered ` +
      '(the grace period of stop() ended, or graceMs was 0)');
  } else {
    log('DEBUG', `${what} to request ${id} dropped: its connection or server is gone`);
  }
}

/**
 * The one way an answer leaves for the I/O thread: only for a request `server` still tracks,
 * once. A late answer (the client left, or the server stopped) is dropped and logged (see
 * logDropped); an owned file it named is deleted.
 */
function respond(server: ServerRecord, id: number, r: NativeResponse): void {
  if (liveRequests.get(id) !== server) {
    logDropped(server, id, 'answer');
    if (r.file !== null && r.fileOwned) fs.unlink(r.file, () => {});
    return;
  }
  forgetRequest(id);
  queueResponse(id, r);
}

// onHeaders returned nothing: read the body, if the request is still there.
function continueRequest(server: ServerRecord, id: number): void {
  if (liveRequests.get(id) !== server) {
    logDropped(server, id, 'continue');
    return;
  }
  native.request_continue(id);
}

/**
 * @internal Test hook: how many requests, pending onHeaders environments and WebSockets this
 * environment's dispatcher tracks (all 0 once every server has closed).
 */
export function _debugCounts(): { requests: number; pendingHeaders: number; sockets: number } {
  return { requests: liveRequests.size, pendingHeaders: pendingHeaders.size, sockets: sockets.size };
}

// Never throws, whatever the app threw (errorText is safe): the 500 must go out.
function sendError(server: ServerRecord, id: number, err: unknown, where: string): void {
  let internal = false;
  try {
    internal = err instanceof ResponseError;
  } catch {
    // a Proxy whose getPrototypeOf trap throws: not ours
  }
  log('ERROR', `${where} ${internal ? 'returned a bad response' : 'threw'}: ${errorText(err, !internal)}`);
  // httpuv's format for app errors ("ERROR: <message>"); a malformed response gets a plain text.
  const body = internal ? `Internal Server Error: ${errorText(err, false)}` : `ERROR: ${errorText(err, false)}`;
  respond(server, id, {
    status: 500, headers: ['Content-Type', 'text/plain; charset=UTF-8'], body, file: null, fileOwned: false, gzip: false,
  });
}

function send(server: ServerRecord, id: number, built: BuiltRequest, res: unknown, where: string): void {
  let r;
  try {
    r = prepareResponse(res, built.req.HEADERS['accept-encoding'], server.gzip);
  } catch (err) {
    sendError(server, id, err, where);
    return;
  }
  respond(server, id, r);
}

function finish(built: BuiltRequest): void {
  built.body?.dispose();
}

function runCall(server: ServerRecord, id: number, built: BuiltRequest): void {
  const call = server.app.call;
  if (call === undefined) {
    respond(server, id, NOT_FOUND);
    finish(built);
    return;
  }
  let result: unknown;
  try {
    result = call(built.req);
  } catch (err) {
    sendError(server, id, err, 'app.call');
    finish(built);
    return;
  }
  if (isThenable(result)) {
    Promise.resolve(result).then(
      (res) => { send(server, id, built, res, 'app.call'); finish(built); },
      (err: unknown) => { sendError(server, id, err, 'app.call (rejected)'); finish(built); });
    return;
  }
  send(server, id, built, result, 'app.call');
  finish(built);
}

function onHeadersAnswer(server: ServerRecord, id: number, built: BuiltRequest, res: unknown): void {
  if (res === undefined || res === null) {
    continueRequest(server, id);
    return;
  }
  send(server, id, built, res, 'app.onHeaders');
}

function onRequestEvent(ev: RequestEvent, kind: number): void {
  const u = unpackRequest(ev);
  const server = serversById.get(u.serverId);
  const id = u.id;
  if (server === undefined) {
    // The server was stopped while this event was queued; release a spilled body.
    if (ev[3] >= 0) buildRequest(ev, u, false);
    return;
  }
  if (kind !== K.WS_OPEN) liveRequests.set(id, server);
  if (kind === K.HEADERS) {
    const built = buildRequest(ev, u, false);
    pendingHeaders.set(id, built);
    const onHeaders = server.app.onHeaders;
    if (onHeaders === undefined) {
      continueRequest(server, id);
      return;
    }
    let result: unknown;
    try {
      result = onHeaders(built.req);
    } catch (err) {
      sendError(server, id, err, 'app.onHeaders');
      return;
    }
    if (isThenable(result)) {
      Promise.resolve(result).then(
        (res) => onHeadersAnswer(server, id, built, res),
        (err: unknown) => { sendError(server, id, err, 'app.onHeaders (rejected)'); });
      return;
    }
    onHeadersAnswer(server, id, built, result);
    return;
  }
  if (kind === K.WS_OPEN) {
    const seen = pendingHeaders.get(id);
    pendingHeaders.delete(id);
    liveRequests.delete(id);  // no answer is due any more: the id now names the WebSocket
    // Without onHeaders the request object is built only if the app reads ws.request.
    const request = seen !== undefined ? seen.req : () => buildRequest(ev, unpackRequest(ev), false).req;
    const ws = new WebSocket(id, request, typeof ev[2] === 'string' ? ev[2] : '', server.sendQueueLimit);
    sockets.set(id, { ws, server });
    const open = server.app.onWSOpen;
    if (open !== undefined) {
      try {
        open(ws);
      } catch (err) {
        log('ERROR', `app.onWSOpen threw: ${errorText(err)}`);
        ws.close(1011, 'server error');
      }
    }
    return;
  }
  // A complete request.
  let built = pendingHeaders.get(id);
  if (built !== undefined) {
    pendingHeaders.delete(id);
    attachBody(built, ev);
  } else {
    built = buildRequest(ev, u, true);
  }
  runCall(server, id, built);
}

/** Handles one batch of native events, in order. */
export function handleBatch(events: EventBatch): void {
  batch(() => handleEvents(events));
}

function handleEvents(batch: EventBatch): void {
  const [nums, vals] = batch;
  const n = nums.length / EVENT_NUMS;
  for (let i = 0; i < n; i++) {
    const o = i * EVENT_NUMS;
    const v = i * EVENT_VALS;
    const kind = nums[o];
    try {
      switch (kind) {
        case K.REQUEST:
        case K.HEADERS:
        case K.WS_OPEN:
          onRequestEvent([kind, vals[v] as string, (vals[v + 1] ?? null) as Buffer | null, nums[o + 2], nums[o + 3]], kind);
          break;
        case K.WS_MESSAGE:
          sockets.get(nums[o + 1])?.ws._message(nums[o + 2] !== 0, vals[v] as string | Buffer);
          break;
        case K.WS_CLOSE: {
          const id = nums[o + 1];
          const s = sockets.get(id);
          sockets.delete(id);
          s?.ws._closed(nums[o + 2], vals[v] as string);
          // After the sends made by this batch's message handlers: let the I/O thread answer.
          queueWsCloseAck(id);
          break;
        }
        case K.SERVER_CLOSED: {
          const serverId = nums[o + 1];
          const server = serversById.get(serverId);
          serversById.delete(serverId);
          if (server !== undefined) forgetServer(server);
          native.server_closed(serverId);
          server?.closed();
          break;
        }
        case K.REQUEST_ENDED: {
          const id = nums[o + 1];
          if (nums[o + 3] === ENDED.STOPPED) liveRequests.get(id)?.cutByStop.add(id);
          forgetRequest(id);
          break;
        }
        case K.LOG:
          log(LEVEL_NAMES[nums[o + 2]] ?? 'INFO', vals[v] as string);
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

native.init(handleBatch);
setLevelListener((level) => native.log_level_set(native.LOG_LEVEL[level]));
