// Commands for the I/O thread (responses, WebSocket sends and closes) are queued here and sent in
// one native call per batch of events, or per microtask checkpoint otherwise: one lock and one
// wake-up of the I/O thread for many commands. Order is kept, so a WebSocket's sends and its
// close leave in the order the app made them.
import { native } from './native.js';
import { errorText, log } from './log.js';

// Each command is 4 numbers in `nums` and 2 values in `vals` (src-native/binding/exports.cc
// CommandsSend reads the numbers straight from the typed array's memory):
//   0 response: [0, id, status, flags] | [headers "name NUL value …" or "", body (string or a
//               Uint8Array over an ordinary ArrayBuffer: see bytes.ts)], flags =
//               bodyKind (0 none, 1 memory, 2 file) | 4 gzip | 8 file owned; for bodyKind 2
//               the body slot holds the file path
//   1 / 2 WebSocket text / binary message: [type, id, 0, 0] | [data, –]
//   3 WebSocket close: [3, id, code, 0] | [reason, –]
//   4 WebSocket close acknowledged: [4, id, 0, 0] (JS has handled the socket's close event; the
//     I/O thread now answers the peer's close, after every send queued before this command)
const NUMS = 4;
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

function push(type: number, id: number, a: number, b: number, v0: unknown, v1: unknown): void {
  let o = count * NUMS;
  if (o + NUMS > nums.length) {
    const bigger = new Float64Array(nums.length * 2);
    bigger.set(nums);
    nums = bigger;
  }
  nums[o++] = type;
  nums[o++] = id;
  nums[o++] = a;
  nums[o] = b;
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

/** Queues a response (see `PreparedResponse` in response.ts). */
export function queueResponse(id: number, status: number, headers: string[], bodyKind: 0 | 1 | 2,
                              body: string | Uint8Array | null, filePath: string | null,
                              fileOwned: boolean, gzip: boolean): void {
  const flags = bodyKind | (gzip ? 4 : 0) | (fileOwned ? 8 : 0);
  push(0, id, status, flags, headers.length === 0 ? '' : headers.join('\0'), bodyKind === 2 ? filePath : body);
}

/** Queues a WebSocket message. */
export function queueWsSend(id: number, binary: boolean, data: string | Uint8Array): void {
  push(binary ? 2 : 1, id, 0, 0, data, undefined);
}

/** Queues the acknowledgement of a WebSocket's close event. */
export function queueWsCloseAck(id: number): void {
  push(4, id, 0, 0, undefined, undefined);
}

/** Queues a WebSocket close. */
export function queueWsClose(id: number, code: number, reason: string): void {
  push(3, id, code, 0, reason, undefined);
}
