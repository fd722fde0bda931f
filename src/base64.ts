// rawToBase64(): standard base64 of a byte array, as httpuv's rawToBase64 returns it.
// Pure TypeScript on the JS thread; Buffer does the encoding.

import { argumentError, rangeError } from './validate.js';

/**
 * Encodes bytes as standard base64 (RFC 4648 §4: alphabet `A-Z a-z 0-9 + /`, `=` padding, no line
 * breaks), like httpuv's `rawToBase64`. An empty input gives `""`.
 *
 * @param x - A `Uint8Array` (a `Buffer` is one) or an array of integers 0–255 (R's raw vector).
 * @returns The base64 text.
 * @throws TypeError naming `x` when it is neither, or when an element is not a number;
 *   RangeError naming the element (`x[i]`) when it is not an integer from 0 to 255.
 */
export function rawToBase64(x: Uint8Array | readonly number[]): string {
  if (x instanceof Uint8Array) {
    return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
  }
  if (!Array.isArray(x)) throw argumentError('x', 'a Uint8Array or an array of integers 0-255', x);
  const bytes = Buffer.allocUnsafe(x.length);
  for (let i = 0; i < x.length; i++) {
    const v: unknown = x[i];
    if (typeof v !== 'number') throw argumentError(`x[${i}]`, 'an integer from 0 to 255', v);
    if (!Number.isInteger(v) || v < 0 || v > 255) throw rangeError(`x[${i}]`, 'an integer from 0 to 255', v);
    bytes[i] = v;
  }
  return bytes.toString('base64');
}
