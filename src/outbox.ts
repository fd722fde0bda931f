// Commands for the I/O thread (responses, WebSocket sends and closes) are queued here and sent in
// one native call per batch of events, or per microtask checkpoint otherwise: one lock and one
// wake-up of the I/O thread for many commands. Order is kept, so a WebSocket's sends and its
// close leave in the order the app made them. The command layout is described once, at the top
// of native.ts; the binding is passed in (runtime.ts builds the one this environment uses).
import type { CommandKinds, NativeBinding, NativeResponse } from './native.js';
import { errorText, log } from './log.js';

/** What the outbox needs of the binding. */
export type OutboxBinding = Pick<NativeBinding, 'commands_send' | 'COMMAND' | 'BODY' | 'RESPONSE_FLAG' | 'LAYOUT'>;

/** The command queue of one JS environment. */
export class Outbox {
  private readonly binding: OutboxBinding;
  private readonly cmd: CommandKinds;
  private readonly bodyNone: number;
  private readonly bodyMemory: number;
  private readonly bodyFile: number;
  private readonly bodyStream: number;
  private readonly flagGzip: number;
  private readonly flagFileOwned: number;
  private readonly stride: number;
  private readonly maxSpread: number;
  private nums: Float64Array;
  private count = 0;
  private vals: unknown[] = [];
  private scheduled = false;
  private lazyScheduled = false;
  private holding = 0;

  constructor(binding: OutboxBinding) {
    this.binding = binding;
    this.cmd = binding.COMMAND;
    this.bodyNone = binding.BODY.NONE;
    this.bodyMemory = binding.BODY.MEMORY;
    this.bodyFile = binding.BODY.FILE;
    this.bodyStream = binding.BODY.STREAM;
    this.flagGzip = binding.RESPONSE_FLAG.GZIP;
    this.flagFileOwned = binding.RESPONSE_FLAG.FILE_OWNED;
    this.stride = binding.LAYOUT.COMMAND_NUMS;
    this.maxSpread = binding.LAYOUT.MAX_SPREAD_VALS;
    this.nums = new Float64Array(this.stride * 256);
  }

  /**
   * Sends every queued command now. Never throws: every value was validated and normalised when
   * it was queued (response.ts, websocket.ts), and the addon converts each command on its own
   * (one it cannot read becomes a logged 500 or a dropped WebSocket command, never the loss of the
   * batch). Anything else that still escaped would be a bug in the addon; it is logged, not thrown
   * into a microtask (which would end the process). A bound function: it is queued as a microtask.
   */
  readonly flush = (): void => {
    this.scheduled = false;
    const n = this.count;
    if (n === 0) return;
    const v = this.vals;
    this.count = 0;
    this.vals = [];
    try {
      // The values as arguments: the binding reads each without a napi_get_element.
      if (v.length <= this.maxSpread) this.binding.commands_send(this.nums, n, ...v);
      else this.binding.commands_send(this.nums, n, v);
    } catch (err) {
      log('ERROR', `internal error sending ${n} command(s) to the I/O thread: ${errorText(err)}`);
    }
  };

  // A stream chunk's flush waits for the end of this turn of the event loop (setImmediate), so the
  // chunks a stream produces in one turn (64 SSE events written in a loop) cross in one call.
  private readonly lazyFlush = (): void => {
    this.lazyScheduled = false;
    this.flush();
  };

  private push(kind: number, id: number, a: number, b: number, v0: unknown, v1: unknown, lazy = false): void {
    const stride = this.stride;
    const o = this.count * stride;
    let nums = this.nums;
    if (o + stride > nums.length) {
      const bigger = new Float64Array(nums.length * 2);
      bigger.set(nums);
      this.nums = nums = bigger;
    }
    nums[o] = kind;
    nums[o + 1] = id;
    nums[o + 2] = a;
    nums[o + 3] = b;
    // Two stores at the end rather than push(v0, v1): a two-argument push is a builtin call.
    const vals = this.vals;
    const k = vals.length;
    vals[k] = v0;
    vals[k + 1] = v1;
    this.count++;
    if (this.scheduled || this.holding !== 0) return;
    if (lazy) {
      if (!this.lazyScheduled) {
        this.lazyScheduled = true;
        setImmediate(this.lazyFlush);
      }
      return;
    }
    this.scheduled = true;
    queueMicrotask(this.flush);
  }

  /** Runs `f` with flushing held back, then flushes once (a batch of events). */
  batch(f: () => void): void {
    this.hold();
    try {
      f();
    } finally {
      this.release();
    }
  }

  /** Holds flushing back until the matching release() (a batch of events). */
  hold(): void {
    this.holding++;
  }

  /** Ends a hold(); the last one flushes what was queued meanwhile. */
  release(): void {
    this.holding--;
    if (this.holding === 0) this.flush();
  }

  /** Queues the answer to request `id`: encodes `r` into a RESPONSE command. */
  queueResponse(id: number, r: NativeResponse): void {
    const file = r.file;
    let flags: number;
    let body: unknown;
    if (file !== null) {
      flags = this.bodyFile | (r.fileOwned ? this.flagFileOwned : 0);
      body = file;
    } else if (r.stream != null) {
      flags = this.bodyStream;
      body = null;
    } else {
      body = r.body;
      flags = body !== null ? this.bodyMemory : this.bodyNone;
    }
    if (r.gzip) flags |= this.flagGzip;
    const headers = r.headers;
    this.push(this.cmd.RESPONSE, id, r.status, flags, headers.length === 0 ? '' : headers.join('\0'), body);
  }

  /** Queues the next chunk of request `id`'s streamed response. */
  queueStreamChunk(id: number, data: string | Uint8Array): void {
    this.push(this.cmd.STREAM_CHUNK, id, 0, 0, data, undefined, true);
  }

  /** Queues the end of request `id`'s streamed response (`abort`: cut short, it failed). */
  queueStreamEnd(id: number, abort: boolean): void {
    this.push(abort ? this.cmd.STREAM_ABORT : this.cmd.STREAM_END, id, 0, 0, undefined, undefined);
  }

  /** Queues the credit for `bytes` of request `id`'s streamed body that the app has read. */
  queueBodyCredit(id: number, bytes: number): void {
    this.push(this.cmd.BODY_CREDIT, id, bytes, 0, undefined, undefined, true);
  }

  /**
   * Queues a WebSocket message. `utf8Length`: a text message's UTF-8 size (Buffer.byteLength),
   * which lets the binding write the string once, into a buffer of that size (0: not measured;
   * the binding then measures it itself).
   */
  queueWsSend(id: number, binary: boolean, data: string | Uint8Array, utf8Length = 0): void {
    this.push(binary ? this.cmd.WS_BINARY : this.cmd.WS_TEXT, id, binary ? 0 : utf8Length, 0, data, undefined);
  }

  /** Queues the acknowledgement of a WebSocket's close event. */
  queueWsCloseAck(id: number): void {
    this.push(this.cmd.WS_CLOSE_ACK, id, 0, 0, undefined, undefined);
  }

  /** Queues a WebSocket close. */
  queueWsClose(id: number, code: number, reason: string): void {
    this.push(this.cmd.WS_CLOSE, id, code, 0, reason, undefined);
  }
}
