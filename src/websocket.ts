// The WebSocket handed to app.onWSOpen: onMessage/onClose callbacks, send and close. Frames,
// masking, fragmentation, deflate and the close handshake all happen on the I/O thread.
import type { NativeBinding } from './native.js';
import type { Outbox } from './outbox.js';
import type { RookRequest } from './rook.js';
import { errorText, log } from './log.js';
import { argumentError, assertInteger, rangeError } from './validate.js';
import { toBytes, type BinaryData } from './bytes.js';

/** @internal What a WebSocket sends through: its environment's outbox and bufferedAmount counter. */
export interface WsLink {
  readonly outbox: Outbox;
  readonly binding: Pick<NativeBinding, 'ws_buffered'>;
}

type MessageHandler = (binary: boolean, message: string | Buffer) => void;
type CloseHandler = (code?: number, reason?: string) => void;

/** A server-side WebSocket connection (httpuv's WebSocket class). */
export class WebSocket {
  /** The subprotocol chosen from `options.websocket.protocols` ("" when none). */
  readonly protocol: string;
  readonly #link: WsLink;
  readonly #id: number;
  #open = true;
  #state: 1 | 2 | 3 = 1;
  readonly #sendQueueLimit: number;
  #knownBuffered = 0;
  #sentSinceCheck = 0;
  // The upgrade request's Rook environment, built on first use: most apps never read it, and an
  // idle WebSocket should cost little memory (S5 in the benchmarks).
  #request: RookRequest | (() => RookRequest);
  // One handler (the common case) is kept without an array.
  #onMessage: MessageHandler | MessageHandler[] | null = null;
  #onClose: CloseHandler | CloseHandler[] | null = null;

  /** @internal Created by the server; never construct directly. */
  constructor(link: WsLink, id: number, request: RookRequest | (() => RookRequest), protocol = '',
    sendQueueLimit = 16 * 1024 * 1024) {
    this.#link = link;
    this.#id = id;
    this.#sendQueueLimit = sendQueueLimit;
    this.#request = request;
    this.protocol = protocol;
  }

  /** The Rook environment of the upgrade request (the same object on every read). */
  get request(): RookRequest {
    const r = this.#request;
    if (typeof r !== 'function') return r;
    const built = r();
    this.#request = built;
    return built;
  }

  /** 1 OPEN, 2 CLOSING (close() called, waiting for the peer), 3 CLOSED — as the browser API. */
  get readyState(): 1 | 2 | 3 {
    return this.#state;
  }

  /** Adds a message callback: `f(binary, message)`, message a string for text, a Buffer for binary. */
  onMessage(f: (binary: boolean, message: string | Buffer) => void): void {
    if (typeof f !== 'function') throw argumentError('f', 'a function', f);
    const h = this.#onMessage;
    this.#onMessage = h === null ? f : typeof h === 'function' ? [h, f] : [...h, f];
  }

  /** Adds a close callback, called once when the connection is closed (by either side). */
  onClose(f: (code?: number, reason?: string) => void): void {
    if (typeof f !== 'function') throw argumentError('f', 'a function', f);
    const h = this.#onClose;
    this.#onClose = h === null ? f : typeof h === 'function' ? [h, f] : [...h, f];
  }

  /**
   * Sends a text (string) or binary message. Binary data is any ArrayBufferView (Buffer, typed
   * array, DataView: its bytes), an ArrayBuffer or a SharedArrayBuffer (shared memory is copied
   * now, as for response bodies); anything else, or a view of a detached buffer, is a TypeError
   * naming `message`. Returns false, and drops the message, when it would push `bufferedAmount`
   * past `options.websocket.sendQueueLimit` (backpressure: wait for `bufferedAmount` to fall) or
   * when the socket is closed.
   */
  send(message: string | BinaryData): boolean {
    let data: string | Uint8Array;
    if (typeof message === 'string') {
      data = message;
    } else {
      const bytes = toBytes(message, 'message');
      if (bytes === null) {
        throw argumentError('message', 'a string or binary data (an ArrayBufferView, ArrayBuffer or SharedArrayBuffer)', message);
      }
      data = bytes;
    }
    const binary = typeof data !== 'string';
    if (!this.#open || this.#state !== 1) return false;
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    // Ask the I/O thread's counter only when this message could reach the limit: the counter
    // never exceeds what was sent since it was last read plus what it said then.
    if (this.#knownBuffered + this.#sentSinceCheck + size > this.#sendQueueLimit) {
      this.#knownBuffered = this.#buffered();
      this.#sentSinceCheck = 0;
      if (this.#knownBuffered + size > this.#sendQueueLimit) return false;
    }
    this.#sentSinceCheck += size;
    this.#link.outbox.queueWsSend(this.#id, binary, data, size);
    return true;
  }

  /** Bytes passed to `send()` that are not yet written to the socket (as the browser API). */
  get bufferedAmount(): number {
    return this.#open ? this.#buffered() : 0;
  }

  // The exact figure: messages still in this thread's outbox are not counted yet (the counter is
  // raised when a batch is handed to the binding), so hand the outbox over first, then read it.
  #buffered(): number {
    this.#link.outbox.flush();
    return this.#link.binding.ws_buffered(this.#id);
  }

  /** Starts the close handshake with `code` (1000, or 3000–4999) and a reason of ≤ 123 bytes. */
  close(code = 1000, reason = ''): void {
    assertInteger('code', code, 1000, 4999);
    if (!(code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014 && code !== 1012 &&
          code !== 1013 && code !== 1014) || code >= 3000)) {
      throw rangeError('code', 'a close code an endpoint may send (1000–1003, 1007–1011, 3000–4999)', code);
    }
    if (typeof reason !== 'string') throw argumentError('reason', 'a string', reason);
    if (Buffer.byteLength(reason) > 123) throw rangeError('reason', 'at most 123 bytes of UTF-8', reason);
    if (!this.#open || this.#state !== 1) return;
    this.#state = 2;
    this.#link.outbox.queueWsClose(this.#id, code, reason);
  }

  /** True until the connection is closed. */
  isOpen(): boolean {
    return this.#open;
  }

  /** @internal */
  _message(binary: boolean, data: string | Buffer): void {
    const h = this.#onMessage;
    if (h === null) return;
    if (typeof h === 'function') {
      try {
        h(binary, data);
      } catch (err) {
        this.#messageFailed(err);
      }
      return;
    }
    for (const f of h) {
      try {
        f(binary, data);
      } catch (err) {
        this.#messageFailed(err);
        return;
      }
    }
  }

  // httpuv: a failing handler closes the socket with 1011 and skips the other handlers.
  #messageFailed(err: unknown): void {
    log('ERROR', `WebSocket onMessage callback threw: ${errorText(err)}`);
    this.close(1011, 'Error executing onWSMessage');
  }

  /** @internal */
  _closed(code: number, reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    this.#state = 3;
    const h = this.#onClose;
    this.#onClose = null;
    this.#onMessage = null;
    const all = h === null ? [] : typeof h === 'function' ? [h] : h;
    for (const f of all) {
      try {
        f(code, reason);
      } catch (err) {
        log('ERROR', `WebSocket onClose callback threw: ${errorText(err)}`);
      }
    }
  }
}
