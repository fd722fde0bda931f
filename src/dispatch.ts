// Receives event batches from the I/O thread (one JS call per batch) and routes each event:
// requests to app.call / app.onHeaders, WebSocket events to their WebSocket, server-closed to
// its server, logs to log(). App errors never escape: they become a 500 or a close, logged.
import { native, unpackRequest, type EventBatch, type RequestEvent } from './native.js';
import { batch, queueResponse as respond, queueWsCloseAck } from './outbox.js';
import { serversById, type ServerRecord } from './registry.js';
import { attachBody, buildRequest, type BuiltRequest } from './rook.js';
import { prepareResponse, ResponseError } from './response.js';
import { WebSocket } from './websocket.js';
import { errorText, log, setLevelListener, type LogLevelName } from './log.js';

const K = native.EVENT;


const pendingHeaders = new Map<number, BuiltRequest>();
const sockets = new Map<number, WebSocket>();
const LEVEL_NAMES: Exclude<LogLevelName, 'OFF'>[] = ['ERROR', 'ERROR', 'WARN', 'INFO', 'DEBUG'];

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

// Never throws, whatever the app threw (errorText is safe): the 500 must go out.
function sendError(id: number, err: unknown, where: string): void {
  let internal = false;
  try {
    internal = err instanceof ResponseError;
  } catch {
    // a Proxy whose getPrototypeOf trap throws: not ours
  }
  log('ERROR', `${where} ${internal ? 'returned a bad response' : 'threw'}: ${errorText(err, !internal)}`);
  // httpuv's format for app errors ("ERROR: <message>"); a malformed response gets a plain text.
  const body = internal ? `Internal Server Error: ${errorText(err, false)}` : `ERROR: ${errorText(err, false)}`;
  respond(id, 500, ['Content-Type', 'text/plain; charset=UTF-8'], 1, body, null, false, false);
}

function send(server: ServerRecord, id: number, built: BuiltRequest, res: unknown, where: string): void {
  let p;
  try {
    p = prepareResponse(res, built.req.HEADERS['accept-encoding'], server.gzip);
  } catch (err) {
    sendError(id, err, where);
    return;
  }
  respond(id, p.status, p.headers, p.bodyKind, p.body, p.filePath, p.fileOwned, p.gzip);
}

function finish(built: BuiltRequest): void {
  built.body?.dispose();
}

function runCall(server: ServerRecord, id: number, built: BuiltRequest): void {
  const call = server.app.call;
  if (call === undefined) {
    respond(id, 404, ['Content-Type', 'text/plain'], 1, '404 Not Found\n', null, false, false);
    finish(built);
    return;
  }
  let result: unknown;
  try {
    result = call(built.req);
  } catch (err) {
    sendError(id, err, 'app.call');
    finish(built);
    return;
  }
  if (isThenable(result)) {
    Promise.resolve(result).then(
      (res) => { send(server, id, built, res, 'app.call'); finish(built); },
      (err: unknown) => { sendError(id, err, 'app.call (rejected)'); finish(built); });
    return;
  }
  send(server, id, built, result, 'app.call');
  finish(built);
}

function onHeadersAnswer(server: ServerRecord, id: number, built: BuiltRequest, res: unknown): void {
  if (res === undefined || res === null) {
    native.request_continue(id);
    return;
  }
  pendingHeaders.delete(id);
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
  if (kind === K.HEADERS) {
    const built = buildRequest(ev, u, false);
    pendingHeaders.set(id, built);
    const onHeaders = server.app.onHeaders;
    if (onHeaders === undefined) {
      native.request_continue(id);
      return;
    }
    let result: unknown;
    try {
      result = onHeaders(built.req);
    } catch (err) {
      pendingHeaders.delete(id);
      sendError(id, err, 'app.onHeaders');
      return;
    }
    if (isThenable(result)) {
      Promise.resolve(result).then(
        (res) => onHeadersAnswer(server, id, built, res),
        (err: unknown) => { pendingHeaders.delete(id); sendError(id, err, 'app.onHeaders (rejected)'); });
      return;
    }
    onHeadersAnswer(server, id, built, result);
    return;
  }
  if (kind === K.WS_OPEN) {
    const seen = pendingHeaders.get(id);
    pendingHeaders.delete(id);
    // Without onHeaders the request object is built only if the app reads ws.request.
    const request = seen !== undefined ? seen.req : () => buildRequest(ev, unpackRequest(ev), false).req;
    const ws = new WebSocket(id, request, typeof ev[2] === 'string' ? ev[2] : '', server.sendQueueLimit);
    sockets.set(id, ws);
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
  const n = nums.length >> 2;
  for (let i = 0; i < n; i++) {
    const o = i << 2;
    const v = i << 1;
    const kind = nums[o];
    try {
      switch (kind) {
        case K.REQUEST:
        case K.HEADERS:
        case K.WS_OPEN:
          onRequestEvent([kind, vals[v] as string, (vals[v + 1] ?? null) as Buffer | null, nums[o + 2], nums[o + 3]], kind);
          break;
        case K.WS_MESSAGE:
          sockets.get(nums[o + 1])?._message(nums[o + 2] !== 0, vals[v] as string | Buffer);
          break;
        case K.WS_CLOSE: {
          const id = nums[o + 1];
          const ws = sockets.get(id);
          sockets.delete(id);
          ws?._closed(nums[o + 2], vals[v] as string);
          // After the sends made by this batch's message handlers: let the I/O thread answer.
          queueWsCloseAck(id);
          break;
        }
        case K.SERVER_CLOSED: {
          const serverId = nums[o + 1];
          const server = serversById.get(serverId);
          serversById.delete(serverId);
          native.server_closed(serverId);
          server?.closed();
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
setLevelListener((rank) => native.log_level_set(rank));
