// Streamed response bodies (issue 17): what an app may return as `body` to stream it, and the one
// reading interface the pump (stream-pump.ts) uses over both kinds of source. Types for apps live
// here, apart from response.ts, so the streaming additions stay in one place.
import type { BinaryData } from './bytes.js';

/** One piece of a streamed body: text (sent as UTF-8) or bytes. */
export type StreamChunk = string | BinaryData;

/**
 * A response body produced over time, sent as it is produced (one flush per chunk, so each
 * Server-Sent Event reaches the client when it is yielded):
 * - any async iterable of {@link StreamChunk}: an `async function*`, a Node `Readable`;
 * - a WHATWG `ReadableStream` (what `new Response(stream)` and Hono's `streamSSE` carry).
 *
 * It leaves as HTTP/1.1 chunked transfer; with a `Content-Length` header of the app's own, as
 * exactly that many bytes (the server enforces it: a stream that is longer or shorter is cut short
 * and logged); to an HTTP/1.0 client, delimited by closing the connection. Compressible types
 * are gzipped (when the server's `gzip` option is on and the client accepts it) with a flush after
 * every chunk. The next chunk is read only when the connection can take it (backpressure), a
 * client that goes away ends the iteration (`return()` on the iterator, `cancel()` on the
 * stream), and a source that throws ends the response as a truncated message (never as a valid
 * end), logged at ERROR. `stop()` lets open streams run until its grace period ends, then cuts
 * them short.
 */
export type StreamBody = AsyncIterable<StreamChunk> | ReadableStream<StreamChunk>;

/** @internal The pump's view of a streamed body. */
export interface StreamSource {
  /** The next chunk (`done` at the end); rejects when the app's source fails. */
  read(): Promise<IteratorResult<unknown>>;
  /** Stops the source early (client gone, server stopped, a bad chunk); never throws. */
  cancel(reason?: unknown): void;
}

function swallow(p: unknown): void {
  if (p !== null && typeof p === 'object' && typeof (p as Promise<unknown>).then === 'function') {
    (p as Promise<unknown>).then(undefined, () => undefined);
  }
}

/**
 * @internal The source of a streamed body, or null when `v` is not one. A `ReadableStream` is
 * read through its reader (so `cancel()` reaches the stream); anything else with
 * `Symbol.asyncIterator` through its iterator. Opening it locks a ReadableStream.
 */
export function openStreamSource(v: object): StreamSource | null {
  const rs = v as { getReader?: unknown; [Symbol.asyncIterator]?: unknown };
  if (typeof rs.getReader === 'function' && typeof (v as ReadableStream).cancel === 'function') {
    const reader = (v as ReadableStream<unknown>).getReader();
    return {
      read: () => reader.read(),
      cancel: (reason) => {
        try {
          swallow(reader.cancel(reason));
        } catch { /* already released */ }
      },
    };
  }
  if (typeof rs[Symbol.asyncIterator] === 'function') {
    const it = (v as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    let ended = false;
    return {
      read: () => it.next(),
      cancel: () => {
        if (ended) return;
        ended = true;
        try {
          if (typeof it.return === 'function') swallow(it.return());
        } catch { /* a return() that throws: nothing more to stop */ }
      },
    };
  }
  return null;
}
