// App responses → what the addon sends: validation (anything malformed becomes a logged 500),
// header normalisation (object or [name, value] pairs), body kinds, and the gzip decision
// (q-values honoured, Vary added) for dynamic responses.
import * as fs from 'node:fs';
import { toBytes, type BinaryData } from './bytes.js';
import { log } from './log.js';
import type { NativeResponse } from './native.js';
import { openStreamSource, type StreamBody } from './stream-body.js';
import { describe, isHttpFieldValue, isHttpToken } from './validate.js';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mimeDb = require('mime-db') as Record<string, { compressible?: boolean }>;

/** Headers of a response: an object, or `[name, value]` pairs (so Set-Cookie can repeat). */
export type ResponseHeaders = Record<string, string | number | boolean | readonly string[]> |
  ReadonlyArray<readonly [string, string | number]>;

/**
 * A response body streamed from disk by the I/O thread. `file` must name a regular file
 * (symlinks are followed); anything else (a FIFO, a device, a directory, a missing file) is
 * answered with a logged 500, and never blocks the server. With `owned: true` the app hands the
 * file over: it is deleted once opened, and also on every path where it is not sent (the response
 * is malformed or turned into a 500, the client went away, the server stopped).
 */
export interface FileBody {
  /** Path of a regular file (symlinks are followed), opened when the response is sent. */
  file: string;
  /** Hand the file over: it is deleted once opened, or when it is not sent (default false). */
  owned?: boolean;
}

/** What `call` (or `onHeaders`) returns. */
export interface Response {
  /**
   * A final status, an integer 200–999. Anything else (1xx interim statuses such as 100, 101 or
   * 103, a non-integer, a string) is an app error: the client gets a logged 500.
   */
  status: number;
  /**
   * Response headers: an object, or `[name, value]` pairs so that a name can repeat
   * (`Set-Cookie`). Names must be tokens; values are sent as latin1 (no control characters, nothing
   * above U+00FF). `Content-Length` and the framing are the server's.
   */
  headers?: ResponseHeaders;
  /**
   * A string (sent as UTF-8), binary data (any ArrayBufferView: Buffer, typed array, DataView;
   * an ArrayBuffer or SharedArrayBuffer; shared memory is copied when the response is returned),
   * a {@link FileBody}, a {@link StreamBody} (an async iterable or a `ReadableStream`, sent as it
   * is produced), or nothing.
   */
  body?: string | BinaryData | FileBody | StreamBody | null;
}

/** Thrown for a malformed app response; dispatch turns it into a 500 and logs the reason. */
export class ResponseError extends Error {}

// Header values: strings, or numbers and booleans (written with String()). Each is checked as
// it will go on the wire (one latin1 byte per character): HTAB, SP, VCHAR and obs-text only, so a
// character above U+00FF (whose low byte could be CR or LF), CR, LF and NUL are refused.
function headerValue(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ResponseError(`header ${JSON.stringify(name)} has a ${v === null ? 'null' : typeof v} value`);
}

// Header names and values already found valid: they repeat from response to response (a handful
// of names, the same Content-Type), so each distinct one is checked once. Bounded (cleared when
// full); values only up to VALID_VALUE_MAX characters.
const validNames = new Set<string>();
const validValues = new Set<string>();
const VALID_SET_MAX = 1024;
const VALID_VALUE_MAX = 256;

function knownName(name: string): boolean {
  if (validNames.has(name)) return true;
  if (!isHttpToken(name)) return false;
  if (validNames.size >= VALID_SET_MAX) validNames.clear();
  validNames.add(name);
  return true;
}

function knownValue(v: string): boolean {
  if (v.length > VALID_VALUE_MAX) return isHttpFieldValue(v);
  if (validValues.has(v)) return true;
  if (!isHttpFieldValue(v)) return false;
  if (validValues.size >= VALID_SET_MAX) validValues.clear();
  validValues.add(v);
  return true;
}

function pushHeader(out: string[], name: unknown, value: unknown): void {
  if (typeof name !== 'string' || !knownName(name)) {
    throw new ResponseError(`invalid header name ${describe(name)}`);
  }
  const v = headerValue(name, value);
  if (!knownValue(v)) {
    throw new ResponseError(`header ${name} has a character not allowed in a header value ` +
      '(only tab, space, visible ASCII and U+0080–U+00FF; no CR, LF, NUL or characters above U+00FF)');
  }
  out.push(name, v);
}

function flattenHeaders(h: unknown): string[] {
  const out: string[] = [];
  if (h === undefined || h === null) return out;
  if (Array.isArray(h)) {
    for (const pair of h) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new ResponseError('headers given as an array must hold [name, value] pairs');
      }
      pushHeader(out, pair[0], pair[1]);
    }
    return out;
  }
  if (typeof h !== 'object') throw new ResponseError('headers must be an object or [name, value] pairs');
  const obj = h as Record<string, unknown>;
  for (const name in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, name)) continue;
    const value = obj[name];
    if (Array.isArray(value)) {
      for (const v of value) pushHeader(out, name, v);
    } else {
      pushHeader(out, name, value);
    }
  }
  return out;
}

// `name` is lower case; a name of another length is never lower-cased to compare.
function findHeader(flat: string[], name: string): number {
  for (let i = 0; i < flat.length; i += 2) {
    const h = flat[i];
    if (h.length === name.length && h.toLowerCase() === name) return i;
  }
  return -1;
}

/** Is a Content-Type worth compressing (mime-db's `compressible`, text/* and +json/+xml by default)? */
export function isCompressible(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  const entry = mimeDb[type];
  if (entry !== undefined && entry.compressible !== undefined) return entry.compressible;
  return /^text\/|\+(?:json|xml|text)$/.test(type);
}

/** Does an Accept-Encoding value allow gzip (RFC 9110 §12.5.3, q-values honoured)? */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  let gzipQ: number | undefined;
  let starQ: number | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [coding, ...params] = part.trim().split(';');
    const name = coding.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m !== null) q = Number(m[1]);
    }
    if (Number.isNaN(q)) q = 0;
    if (name === 'gzip' || name === 'x-gzip') gzipQ = Math.max(gzipQ ?? 0, q);
    else if (name === '*') starQ = q;
  }
  if (gzipQ !== undefined) return gzipQ > 0;
  return starQ !== undefined && starQ > 0;
}

const GZIP_MIN_BYTES = 1024;

// The body member → a NativeResponse with the body set (status and headers filled in later).
function readBody(body: unknown): NativeResponse {
  const out: NativeResponse = {
    status: 500, headers: [], body: null, file: null, fileOwned: false, gzip: false,
  };
  if (body === undefined || body === null) return out;
  if (typeof body === 'string') {
    out.body = body;
    return out;
  }
  let bytes: Uint8Array | null;
  try {
    bytes = toBytes(body, 'body');
  } catch (err) {
    throw new ResponseError((err as Error).message);
  }
  if (bytes !== null) {
    out.body = bytes;
    return out;
  }
  if (typeof body === 'object') {
    const stream = openStreamSource(body);
    if (stream !== null) {
      out.stream = stream;
      return out;
    }
    const fb = body as Record<string, unknown>;
    const file = fb.file;
    if (typeof file === 'string') {
      const owned = fb.owned;
      if (owned !== undefined && typeof owned !== 'boolean') {
        throw new ResponseError(`body.owned must be a boolean, got ${describe(owned)}`);
      }
      if (file === '' || file.includes('\0')) {
        throw new ResponseError(`body.file must be a non-empty path without NUL characters, got ${describe(file)}`);
      }
      out.file = file;
      out.fileOwned = owned === true;
      return out;
    }
  }
  throw new ResponseError('body must be a string, binary data (an ArrayBufferView, ArrayBuffer or ' +
    'SharedArrayBuffer), { file, owned? }, an async iterable or a ReadableStream, ' +
    `got ${describe(body)}`);
}

/**
 * Releases what a prepared response holds when it will not be sent: an owned file is deleted
 * (asynchronously; the JS thread never waits for the disk). Every place that drops a response
 * in JS calls this; once queued, the addon owns the file and deletes it on every path.
 */
export function releaseResponse(p: NativeResponse): void {
  if (p.stream != null) {
    p.stream.cancel();
    p.stream = null;
  }
  if (p.file === null || !p.fileOwned) return;
  const path = p.file;
  p.fileOwned = false;
  fs.unlink(path, (err) => {
    if (err !== null && err.code !== 'ENOENT') log('WARN', `cannot delete owned response file ${JSON.stringify(path)}: ${err.message}`);
  });
}

function addVary(headers: string[]): void {
  const varyIdx = findHeader(headers, 'vary');
  if (varyIdx < 0) headers.push('Vary', 'Accept-Encoding');
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(headers[varyIdx + 1])) {
    headers[varyIdx + 1] += ', Accept-Encoding';
  }
}

// gzip for a streamed body: a compressible type, a status with a body, no encoding and no
// Content-Length of the app's own (a declared length is of the body as given). No minimum size:
// the size is not known; each chunk is flushed (http/stream_encoder).
function streamGzip(out: NativeResponse, acceptEncoding: string | undefined, gzipEnabled: boolean): void {
  const { status, headers } = out;
  if (!gzipEnabled || status === 204 || status === 304) return;
  if (findHeader(headers, 'content-encoding') >= 0 || findHeader(headers, 'content-length') >= 0) return;
  const ctIdx = findHeader(headers, 'content-type');
  if (!isCompressible(ctIdx >= 0 ? headers[ctIdx + 1] : undefined)) return;
  addVary(headers);
  out.gzip = acceptsGzip(acceptEncoding);
}

/**
 * Validates an app response and prepares it for the addon. `acceptEncoding` is the request's
 * header (undefined if absent); `gzipEnabled` the server option.
 */
export function prepareResponse(res: unknown, acceptEncoding: string | undefined,
                                gzipEnabled: boolean): NativeResponse {
  if (res === null || typeof res !== 'object' || Array.isArray(res)) {
    throw new ResponseError(`the app returned ${res === undefined ? 'nothing' : 'a ' + typeof res} instead of a response object`);
  }
  const r = res as Record<string, unknown>;
  // Each member is read once (a getter could answer differently twice); the body first, so that
  // an owned file is known, and deleted, whatever else turns out to be wrong.
  const out = readBody(r.body);
  try {
    const status = r.status;
    // A final status only: 1xx (101 included) are interim answers on the wire, so a client
    // would wait for the real response and take the next request's answer for this one's.
    // 600–999 pass through as Node's writeHead lets them.
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 999) {
      throw new ResponseError(`invalid response status ${describe(status)} (a final status, an integer 200–999, is required)`);
    }
    out.status = status;
    out.headers = flattenHeaders(r.headers);
  } catch (err) {
    releaseResponse(out);
    throw err;
  }
  if (out.stream != null) {
    const clIdx = findHeader(out.headers, 'content-length');
    if (clIdx >= 0 && !/^[0-9]{1,15}$/.test(out.headers[clIdx + 1])) {
      releaseResponse(out);
      throw new ResponseError(`a streamed body's Content-Length must be a decimal number, got ${describe(out.headers[clIdx + 1])}`);
    }
    streamGzip(out, acceptEncoding, gzipEnabled);
    return out;
  }
  if (out.body === null) return out;
  const { status, headers } = out;
  // gzip (when the server enables it): a compressible type, at least GZIP_MIN_BYTES, a status that
  // carries a body, and no Content-Encoding of the app's own.
  if (gzipEnabled && findHeader(headers, 'content-encoding') < 0 && status !== 204 && status !== 304 && status >= 200) {
    const ctIdx = findHeader(headers, 'content-type');
    const size = typeof out.body === 'string' ? Buffer.byteLength(out.body) : (out.body as Uint8Array).byteLength;
    if (size >= GZIP_MIN_BYTES && isCompressible(ctIdx >= 0 ? headers[ctIdx + 1] : undefined)) {
      addVary(headers);
      out.gzip = acceptsGzip(acceptEncoding);
    }
  }
  return out;
}
