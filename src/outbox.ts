// Commands for the I/O thread (responses, WebSocket sends and closes) are queued here and sent in
// one native call per batch of events, or per microtask checkpoint otherwise: one lock and one
// wake-up of the I/O thread for many commands. Order is kept, so a WebSocket's sends and its
// close leave in the order the app made them.
import { native } from './native.js';

// Flat triples [type, a, b] (src-native/binding/exports.cc CommandsSend reads them):
//   0 response: a = meta "id NUL status NUL bodyKind NUL gzip NUL owned NUL (NUL name NUL value)*",
//               b = body (string | Uint8Array | null; the file path for bodyKind 2)
//   1 / 2 WebSocket text / binary message: a = id, b = data
//   3 WebSocket close: a = id, b = "code NUL reason"
//   4 WebSocket close acknowledged: a = id (JS has handled the socket's close event; the I/O
//     thread now answers the peer's close, after every send queued before this command)
let queue: unknown[] = [];
let scheduled = false;
let holding = 0;

/** Sends every queued command now. */
export function flush(): void {
  scheduled = false;
  if (queue.length === 0) return;
  const batch = queue;
  queue = [];
  native.commands_send(batch);
}

function push(type: number, a: unknown, b: unknown): void {
  queue.push(type, a, b);
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
  const meta = `${id}\0${status}\0${bodyKind}\0${gzip ? 1 : 0}\0${fileOwned ? 1 : 0}\0`;
  push(0, headers.length === 0 ? meta : meta + '\0' + headers.join('\0'), bodyKind === 2 ? filePath : body);
}

/** Queues a WebSocket message. */
export function queueWsSend(id: number, binary: boolean, data: string | Uint8Array): void {
  push(binary ? 2 : 1, id, data);
}

/** Queues the acknowledgement of a WebSocket's close event. */
export function queueWsCloseAck(id: number): void {
  push(4, id, null);
}

/** Queues a WebSocket close. */
export function queueWsClose(id: number, code: number, reason: string): void {
  push(3, id, `${code}\0${reason}`);
}
