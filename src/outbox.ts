// Commands for the I/O thread (responses, WebSocket sends and closes) are queued here and sent in
// one native call per batch of events, or per microtask checkpoint otherwise: one lock and one
// wake-up of the I/O thread for many commands. Order is kept, so a WebSocket's sends and its
// close leave in the order the app made them.
import { native, type NativeResponse } from './native.js';
import { errorText, log } from './log.js';

// The command layout is described once, at the top of native.ts.
const C = native.COMMAND;
const BODY = native.BODY;
const FLAG = native.RESPONSE_FLAG;
const NUMS = native.LAYOUT.COMMAND_NUMS;
let nums = new Float64Array(NUMS * 256);
let count = 0;
let vals: unknown[] = [];
let scheduled = false;
let holding = 0;

/**
 * Sends every queued command now. Never throws: every value was validated and normalised when it
 * was queued (response.ts, websocket.ts), and the addon converts each command on its own (one it
 * cannot read becomes a logged 500 or a dropped WebSocket command, never the loss of the batch).
 * Anything else that still escaped would be a bug in the addon; it is logged, not thrown into a
 * microtask (which would end the process).
 */
export function flush(): void {
  scheduled = false;
  if (count === 0) return;
  const n = count;
  const v = vals;
  count = 0;
  vals = [];
  try {
    native.commands_send(nums, n, v);
  } catch (err) {
    log('ERROR', `internal error sending ${n} command(s) to the I/O thread: ${errorText(err)}`);
  }
}

function push(kind: number, id: number, a: number, b: number, v0: unknown, v1: unknown): void {
  const o = count * NUMS;
  if (o + NUMS > nums.length) {
    const bigger = new Float64Array(nums.length * 2);
    bigger.set(nums);
    nums = bigger;
  }
  nums[o] = kind;
  nums[o + 1] = id;
  nums[o + 2] = a;
  nums[o + 3] = b;
  vals.push(v0, v1);
  count++;
  if (!scheduled && holding === 0) {
    scheduled = true;
    queueMicrotask(flush);
  }
}

/** Runs `f` with flushing held back, then flushes once (a batch of events). */
export function batch(f: () => void): void {
  holding++;
  try {
    f();
  } finally {
    holding--;
    if (holding === 0) flush();
  }
}

/** Queues the answer to request `id`: encodes `r` into a RESPONSE command. */
export function queueResponse(id: number, r: NativeResponse): void {
  const file = r.file;
  let flags: number;
  let body: unknown;
  if (file !== null) {
    flags = BODY.FILE | (r.fileOwned ? FLAG.FILE_OWNED : 0);
    body = file;
  } else {
    body = r.body;
    flags = body !== null ? BODY.MEMORY : BODY.NONE;
  }
  if (r.gzip) flags |= FLAG.GZIP;
  const headers = r.headers;
  push(C.RESPONSE, id, r.status, flags, headers.length === 0 ? '' : headers.join('\0'), body);
}

/** Queues a WebSocket message. */
export function queueWsSend(id: number, binary: boolean, data: string | Uint8Array): void {
  push(binary ? C.WS_BINARY : C.WS_TEXT, id, 0, 0, data, undefined);
}

/** Queues the acknowledgement of a WebSocket's close event. */
export function queueWsCloseAck(id: number): void {
  push(C.WS_CLOSE_ACK, id, 0, 0, undefined, undefined);
}

/** Queues a WebSocket close. */
export function queueWsClose(id: number, code: number, reason: string): void {
  push(C.WS_CLOSE, id, code, 0, reason, undefined);
}
