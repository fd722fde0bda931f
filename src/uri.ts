// encodeURI / encodeURIComponent / decodeURI / decodeURIComponent with R httpuv's semantics
// (src/httpuv.cpp doEncodeURI/doDecodeURI), which differ from JavaScript's built-ins of the same
// names. Pure TypeScript, runs on the JS thread; no native code and no I/O.

import { argumentError } from './validate.js';

// RFC 3986-ish "unreserved" set that is never escaped, as httpuv defines it.
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*\'()';
// Reserved characters: kept by encodeURI, escaped by encodeURIComponent, and left encoded by
// decodeURI. `#` is deliberately not in this set (httpuv's isReservedUrlChar).
const RESERVED = ';,/?:@&=+$';

function isIn(set: string, byte: number): boolean {
  return byte < 0x80 && set.includes(String.fromCharCode(byte));
}

function buildTable(keepReserved: boolean): readonly string[] {
  const table: string[] = [];
  for (let b = 0; b < 256; b++) {
    const keep = isIn(UNRESERVED, b) || (keepReserved && isIn(RESERVED, b));
    table.push(keep ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'));
  }
  return table;
}

const ENCODE_URI = buildTable(true);
const ENCODE_COMPONENT = buildTable(false);
const RESERVED_BYTE = new Uint8Array(256);
for (let b = 0; b < 256; b++) RESERVED_BYTE[b] = isIn(RESERVED, b) ? 1 : 0;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}

function encodeOne(s: string, table: readonly string[]): string {
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += table[bytes[i]];
  return out;
}

function decodeOne(s: string, component: boolean): string {
  const b = Buffer.from(s, 'utf8');
  const n = b.length;
  const out = Buffer.allocUnsafe(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    // httpuv: a byte within the last two positions cannot start an escape; emit it as is.
    if (c !== 0x25 || i > n - 3) {
      out[o++] = c;
      continue;
    }
    const hi = hexValue(b[i + 1]);
    const lo = hexValue(b[i + 2]);
    const value = hi << 4 | lo;
    if (hi < 0 || lo < 0 || (!component && RESERVED_BYTE[value] === 1)) {
      // Invalid escape, or a reserved character under decodeURI: the original three bytes are
      // copied (original hex case kept) and the two after `%` are consumed, not re-scanned.
      out[o++] = c;
      out[o++] = b[i + 1];
      out[o++] = b[i + 2];
    } else {
      out[o++] = value;
    }
    i += 2;
  }
  return out.toString('utf8', 0, o);
}

function vectorise(value: unknown, f: (s: string) => string): string | null | (string | null)[] {
  if (typeof value === 'string') return f(value);
  if (value === null) return null;
  if (Array.isArray(value)) {
    return value.map((v: unknown, i) => {
      if (v === null) return null;
      if (typeof v !== 'string') throw argumentError(`value[${i}]`, 'a string or null', v);
      return f(v);
    });
  }
  throw argumentError('value', 'a string, null, or an array of strings and nulls', value);
}

/**
 * Percent-encodes `value` as httpuv's `encodeURI` does: the string is encoded to UTF-8 and every
 * byte is escaped as `%XX` (uppercase hex) except `A-Z a-z 0-9 - _ . ! ~ * ' ( )` and the
 * reserved characters `; , / ? : @ & = + $`, which are kept.
 *
 * Differences from JavaScript's global `encodeURI`: `#` is escaped (`%23`), and a lone surrogate
 * never throws a `URIError` (it is encoded as U+FFFD, `%EF%BF%BD`).
 *
 * Vectorised like the R function: an array gives an array of the same length; `null` (R's `NA`)
 * gives `null`, alone or as an element.
 *
 * @param value - A string, `null`, or an array of strings and nulls.
 * @throws TypeError naming `value` for anything else.
 */
export function encodeURI(value: string): string;
export function encodeURI(value: null): null;
export function encodeURI(value: readonly string[]): string[];
export function encodeURI(value: readonly (string | null)[]): (string | null)[];
export function encodeURI(value: string | null | readonly (string | null)[]): string | null | (string | null)[] {
  return vectorise(value, (s) => encodeOne(s, ENCODE_URI));
}

/**
 * Percent-encodes `value` as httpuv's `encodeURIComponent` does: like {@link encodeURI}, but the
 * reserved characters `; , / ? : @ & = + $` are escaped too. Never throws on lone surrogates
 * (they are encoded as U+FFFD). Vectorised; `null` maps to `null`.
 *
 * @param value - A string, `null`, or an array of strings and nulls.
 * @throws TypeError naming `value` for anything else.
 */
export function encodeURIComponent(value: string): string;
export function encodeURIComponent(value: null): null;
export function encodeURIComponent(value: readonly string[]): string[];
export function encodeURIComponent(value: readonly (string | null)[]): (string | null)[];
export function encodeURIComponent(value: string | null | readonly (string | null)[]): string | null | (string | null)[] {
  return vectorise(value, (s) => encodeOne(s, ENCODE_COMPONENT));
}

/**
 * Decodes `%XX` escapes as httpuv's `decodeURI` does, byte by byte over the UTF-8 form of `value`:
 * - `%` plus two hex digits (either case) becomes that byte, except when the byte is one of
 *   `; , / ? : @ & = + $`: then the original three characters are kept (`"%2f"` stays `"%2f"`).
 *   `%23` IS decoded to `#` (JavaScript's `decodeURI` keeps it).
 * - An invalid escape (`"%zz"`) is copied as is, and the two characters after `%` are consumed
 *   without being re-scanned (`"%%41"` stays `"%%41"`).
 * - A `%` within the last two characters is copied as is (`"%4"` → `"%4"`, `"%41%"` → `"A%"`).
 * - `+` is not turned into a space. Never throws.
 *
 * The decoded bytes are read as UTF-8 into a JavaScript string; bytes that are not valid UTF-8
 * (e.g. `"%FF"`) become U+FFFD, whereas R keeps the raw invalid bytes. `%00` gives a NUL
 * character (R's C string would end there). Vectorised; `null` maps to `null`.
 *
 * @param value - A string, `null`, or an array of strings and nulls.
 * @throws TypeError naming `value` for anything else.
 */
export function decodeURI(value: string): string;
export function decodeURI(value: null): null;
export function decodeURI(value: readonly string[]): string[];
export function decodeURI(value: readonly (string | null)[]): (string | null)[];
export function decodeURI(value: string | null | readonly (string | null)[]): string | null | (string | null)[] {
  return vectorise(value, (s) => decodeOne(s, false));
}

/**
 * Decodes `%XX` escapes as httpuv's `decodeURIComponent` does: like {@link decodeURI}, but every
 * valid escape is decoded, reserved characters included (`"%2F"` → `"/"`). Invalid UTF-8 becomes
 * U+FFFD (R keeps the raw bytes). Never throws. Vectorised; `null` maps to `null`.
 *
 * @param value - A string, `null`, or an array of strings and nulls.
 * @throws TypeError naming `value` for anything else.
 */
export function decodeURIComponent(value: string): string;
export function decodeURIComponent(value: null): null;
export function decodeURIComponent(value: readonly string[]): string[];
export function decodeURIComponent(value: readonly (string | null)[]): (string | null)[];
export function decodeURIComponent(value: string | null | readonly (string | null)[]): string | null | (string | null)[] {
  return vectorise(value, (s) => decodeOne(s, true));
}
