// App-supplied binary data (a response body, a WebSocket message) → a Uint8Array over an ordinary
// ArrayBuffer, the one byte form the addon reads. Done when the value is handed over, so the
// command flush (src/outbox.ts) never meets a value it cannot read: a bad value fails the one
// call that passed it, never a whole batch of other commands.
import { isAnyArrayBuffer, isSharedArrayBuffer } from 'node:util/types';

/**
 * Binary data accepted as a response body or a WebSocket message: any `ArrayBufferView` (Buffer,
 * Uint8Array, any other typed array, DataView; its bytes as laid out in memory), an
 * `ArrayBuffer` or a `SharedArrayBuffer`. Like Node's `socket.write()` and `res.end()`, which
 * take any ArrayBufferView.
 */
export type BinaryData = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

// `detached` exists from V8 11.4 (Node 21); Node 20 needs the probe: a typed array cannot be
// made over a detached buffer. Only zero-length buffers can be detached, so the cost is nil.
function isDetached(b: ArrayBuffer): boolean {
  if (b.byteLength !== 0) return false;
  const flag = (b as { detached?: unknown }).detached;
  if (typeof flag === 'boolean') return flag;
  try {
    new Uint8Array(b);
    return false;
  } catch {
    return true;
  }
}

/**
 * The bytes of `v` as a Uint8Array over a non-shared ArrayBuffer, or `null` when `v` is not
 * binary data. A Uint8Array (Buffer) over an ordinary ArrayBuffer is returned as is; other views
 * are re-viewed as bytes without a copy; data in a SharedArrayBuffer is copied now (another
 * thread may change it, and the addon reads only ordinary buffers). Throws a TypeError naming
 * `name` for a detached buffer (its data was transferred away: sending nothing would hide it).
 */
export function toBytes(v: unknown, name: string): Uint8Array | null {
  let buffer: ArrayBufferLike;
  let offset: number;
  let length: number;
  if (ArrayBuffer.isView(v)) {
    buffer = v.buffer;
    offset = v.byteOffset;
    length = v.byteLength;
  } else if (isAnyArrayBuffer(v)) {
    buffer = v;
    offset = 0;
    length = v.byteLength;
  } else {
    return null;
  }
  if (isSharedArrayBuffer(buffer)) {
    const copy = new Uint8Array(length);
    copy.set(new Uint8Array(buffer, offset, length));
    return copy;
  }
  if (length === 0 && isDetached(buffer as ArrayBuffer)) {
    const e = new TypeError(`${name} is a view of a detached ArrayBuffer (its contents were transferred)`);
    (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
  if (v instanceof Uint8Array) return v;
  return new Uint8Array(buffer, offset, length);
}
