// Streamed request bodies (issue 17): the `rook.input` of a request whose body streams (app.fetch,
// or the streamRequestBodies option, for chunked bodies and bodies over 64 KiB). The app gets the
// request once its headers are in and reads the body as it arrives with `await readAsync()` or
// `for await (const chunk of input)`; for app.fetch, `request.body` is a ReadableStream over it.
// Backpressure to the socket: every byte handed to the app is credited back to the I/O thread
// (BODY_CREDIT), which stops reading the connection while more than the receive queue limit
// (websocket.receiveQueueLimit, 1 MiB by default) of handed-over bytes are unread.
import type { InputStream } from './rook.js';

function streamedError(what: string): TypeError {
  const e = new TypeError(`rook.input.${what}(): this request's body is streamed and has not fully arrived; ` +
    'read it with `await input.readAsync()` or `for await (const chunk of input)`');
  (e as { code?: string }).code = 'ERR_HTTPUV_BODY_STREAMING';
  return e;
}

export class StreamingBody implements InputStream {
  readonly #credit: (bytes: number) => void;
  #chunks: Buffer[] = [];
  #consumed = false;  // the app has taken bytes (a whole-body read() is no longer possible)
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  /** `credit(bytes)`: the app consumed `bytes` (the I/O thread may read that much more). */
  constructor(credit: (bytes: number) => void) {
    this.#credit = credit;
  }

  /** @internal The next bytes arrived. */
  _push(chunk: Buffer): void {
    if (this.#ended || this.#error !== null) return;
    this.#chunks.push(chunk);
    this.#notify();
  }

  /** @internal The body is complete. */
  _end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** @internal The request ended before its body did (client gone, 413, server stopped). */
  _fail(err: Error): void {
    if (this.#ended || this.#error !== null) return;
    this.#error = err;
    this.#chunks = [];
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #take(n: number): Buffer {
    let out: Buffer;
    const first = this.#chunks[0];
    if (n < 0 || n >= first.length) {
      out = this.#chunks.shift() as Buffer;
      if (n < 0) {
        const all = [out, ...this.#chunks];
        this.#chunks = [];
        out = all.length === 1 ? all[0] : Buffer.concat(all);
      }
    } else {
      out = first.subarray(0, n);
      this.#chunks[0] = first.subarray(n);
    }
    this.#consumed = true;
    this.#credit(out.length);
    return out;
  }

  async #until(ready: () => boolean): Promise<void> {
    while (!ready() && !this.#ended && this.#error === null) {
      await new Promise<void>((resolve) => { this.#wake = resolve; });
    }
    if (this.#error !== null) throw this.#error;
  }

  /**
   * Reads up to `n` bytes as soon as any have arrived (all of the rest when `n` is negative or
   * omitted, once the body is complete); an empty Buffer at the end. Rejects when the request
   * ended before its body did.
   */
  async readAsync(n = -1): Promise<Buffer> {
    await this.#until(() => (n < 0 ? false : this.#chunks.length > 0));
    if (this.#chunks.length === 0) return Buffer.alloc(0);
    return this.#take(n === 0 ? 0 : n);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      await this.#until(() => this.#chunks.length > 0);
      if (this.#chunks.length === 0) return;
      yield this.#take(Number.MAX_SAFE_INTEGER);
    }
  }

  /** The whole body, once it has fully arrived and nothing was read asynchronously; else a TypeError. */
  read(n = -1): Buffer {
    if (!this.#ended || this.#consumed) throw streamedError('read');
    if (this.#chunks.length === 0) return Buffer.alloc(0);
    const all = Buffer.concat(this.#chunks);
    const out = n < 0 || n >= all.length ? all : all.subarray(0, n);
    this.#chunks = out.length < all.length ? [all.subarray(out.length)] : [];
    this.#consumed = true;
    this.#credit(out.length);
    return out;
  }

  read_lines(): string[] {
    throw streamedError('read_lines');
  }

  rewind(): void {
    throw streamedError('rewind');
  }

  /** A WHATWG ReadableStream over the body (app.fetch's `request.body`). */
  toWebStream(): ReadableStream<Uint8Array> {
    const it = this[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      pull: async (ctl) => {
        const r = await it.next();
        if (r.done === true) ctl.close();
        else ctl.enqueue(new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.byteLength));
      },
      cancel: () => { void it.return?.(); },
    }, { highWaterMark: 0 });
  }

  /** Nothing to release: the chunks are memory. */
  dispose(): void {}
}
