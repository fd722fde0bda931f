// Pumps one streamed response body (stream-body.ts) to the I/O thread, with backpressure end to
// end: at most a window (STREAM.WINDOW) of chunks are in flight (sent and not yet acknowledged); the I/O
// thread acknowledges chunks (EVENT.STREAM_ACK) only while the connection's queued output is below
// its bound, so a client that reads slowly stops the reading of the app's source, and the server
// holds a bounded amount whatever the stream's length. The dispatcher owns the pumps: it feeds
// them acknowledgements, and `gone()` when the request ends without them (client left, server
// stopped, a broken Content-Length).
import { toBytes } from './bytes.js';
import { errorText, log } from './log.js';
import type { Outbox } from './outbox.js';
import type { StreamSource } from './stream-body.js';


export class StreamPump {
  readonly id: number;
  private readonly outbox: Outbox;
  private readonly source: StreamSource;
  private readonly onDone: (pump: StreamPump) => void;
  // Sizes of the chunks in flight, oldest first (a ring: `count` of them from `head`; its length a
  // power of two, doubled when full), and their sum. (Array.prototype.shift per acknowledged
  // chunk cost more than the rest of the pump's work per chunk.)
  private sizes = new Float64Array(64);
  private head = 0;
  private count = 0;
  private inflight = 0;
  private pulling = false;
  private finished = false;
  // Bytes (UTF-16 units for strings) sent to the I/O thread and not acknowledged, at most: the
  // binding's STREAM.WINDOW (it acknowledges once half of it came in).
  private readonly window: number;

  constructor(outbox: Outbox, id: number, source: StreamSource, onDone: (pump: StreamPump) => void, window: number) {
    this.window = window;
    this.outbox = outbox;
    this.id = id;
    this.source = source;
    this.onDone = onDone;
  }

  /** Starts reading (the response's head has been queued). */
  start(): void {
    void this.pull();
  }

  /** The I/O thread took `chunks` more chunks and can take more. */
  ack(chunks: number): void {
    const sizes = this.sizes;
    const mask = sizes.length - 1;
    for (let i = 0; i < chunks && this.count > 0; i++) {
      this.inflight -= sizes[this.head];
      this.head = (this.head + 1) & mask;
      this.count--;
    }
    if (!this.pulling && !this.finished) void this.pull();
  }

  /** The request ended without us (client gone, server stopped): stop the app's source. */
  gone(): void {
    if (this.finished) return;
    this.finished = true;
    this.source.cancel();
    this.onDone(this);
  }

  private remember(size: number): void {
    let sizes = this.sizes;
    if (this.count === sizes.length) {
      const bigger = new Float64Array(sizes.length * 2);
      for (let i = 0; i < this.count; i++) bigger[i] = sizes[(this.head + i) & (sizes.length - 1)];
      this.sizes = sizes = bigger;
      this.head = 0;
    }
    sizes[(this.head + this.count) & (sizes.length - 1)] = size;
    this.count++;
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    this.finished = true;
    log('ERROR', `the streamed body of the response to request ${this.id} failed; the response was cut short: ${errorText(err)}`);
    this.outbox.queueStreamEnd(this.id, true);
    this.source.cancel(err);
    this.onDone(this);
  }

  private async pull(): Promise<void> {
    this.pulling = true;
    try {
      while (!this.finished && this.inflight < this.window) {
        const r = await this.source.read();
        if (this.finished) return;
        if (r.done === true) {
          this.finished = true;
          this.outbox.queueStreamEnd(this.id, false);
          this.onDone(this);
          return;
        }
        const v = r.value;
        let chunk: string | Uint8Array | null;
        if (typeof v === 'string') {
          chunk = v;
        } else {
          chunk = toBytes(v, 'a streamed body chunk');
          if (chunk === null) {
            throw new TypeError('a streamed body chunk must be a string or binary data (an ArrayBufferView or ' +
              `ArrayBuffer), got ${v === null ? 'null' : typeof v}`);
          }
        }
        const size = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
        if (size === 0) continue;  // an empty chunk carries nothing (and would end a chunked body)
        this.remember(size);
        this.inflight += size;
        this.outbox.queueStreamChunk(this.id, chunk);
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.pulling = false;
    }
  }
}
