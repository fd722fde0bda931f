// App responses → what the addon sends: validation (anything malformed becomes a logged 500),
// header normalisation (object or [name, value] pairs), body kinds, and the gzip decision
// (q-values honoured, Vary added) for dynamic responses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mimeDb = require('mime-db') as Record<string, { compressible?: boolean }>;

/** Headers of a response: an object, or `[name, value]` pairs (so Set-Cookie can repeat). */
export type ResponseHeaders = Record<string, string | number | boolean | readonly string[]> |
  ReadonlyArray<readonly [string, string | number]>;

/** A response body streamed from disk by the I/O thread; `owned` deletes the file after. */
export interface FileBody {
  file: string;
  owned?: boolean;
}

/** What `call` (or `onHeaders`) returns. */
export interface Response {
  status: number;
  headers?: ResponseHeaders;
  body?: string | Uint8Array | FileBody | null;
}

/** A response checked and flattened for the addon. */
export interface PreparedResponse {
  status: number;
  headers: string[];
  bodyKind: 0 | 1 | 2;
  body: string | Uint8Array | null;
  filePath: string | null;
  fileOwned: boolean;
  gzip: boolean;
}

/** Thrown for a malformed app response; dispatch turns it into a 500 and logs the reason. */
export class ResponseError extends Error {}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible latin1 plus space and tab; no CR, LF or NUL (response splitting).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function headerValue(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ResponseError(`header ${JSON.stringify(name)} has a ${v === null ? 'null' : typeof v} value`);
}

function pushHeader(out: string[], name: unknown, value: unknown): void {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new ResponseError(`invalid header name ${JSON.stringify(name)}`);
  }
  const v = headerValue(name, value);
  if (!FIELD_VALUE.test(v)) throw new ResponseError(`header ${name} has an invalid character in its value`);
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

function findHeader(flat: string[], name: string): number {
  for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() === name) return i;
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

/**
 * Validates an app response and prepares it for the addon. `acceptEncoding` is the request's
 * header (undefined if absent); `gzipEnabled` the server option.
 */
export function prepareResponse(res: unknown, acceptEncoding: string | undefined,
                                gzipEnabled: boolean): PreparedResponse {
  if (res === null || typeof res !== 'object' || Array.isArray(res)) {
    throw new ResponseError(`the app returned ${res === undefined ? 'nothing' : 'a ' + typeof res} instead of a response object`);
  }
  const r = res as Record<string, unknown>;
  const status = r.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999) {
    throw new ResponseError(`invalid response status ${JSON.stringify(status)} (an integer 100–999 is required)`);
  }
  const headers = flattenHeaders(r.headers);
  const body = r.body;
  const out: PreparedResponse = {
    status, headers, bodyKind: 0, body: null, filePath: null, fileOwned: false, gzip: false,
  };
  if (body === undefined || body === null) return out;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    out.bodyKind = 1;
    out.body = body;
  } else if (typeof body === 'object' && typeof (body as FileBody).file === 'string') {
    const fb = body as FileBody;
    if (fb.owned !== undefined && typeof fb.owned !== 'boolean') {
      throw new ResponseError('body.owned must be a boolean');
    }
    out.bodyKind = 2;
    out.filePath = fb.file;
    out.fileOwned = fb.owned === true;
    return out;
  } else {
    throw new ResponseError('body must be a string, a Buffer/Uint8Array or { file, owned? }');
  }
  // gzip: compressible, big enough, not already encoded (design.md "Shapes and defaults").
  if (gzipEnabled && findHeader(headers, 'content-encoding') < 0 && status !== 204 && status !== 304 && status >= 200) {
    const ctIdx = findHeader(headers, 'content-type');
    const size = typeof out.body === 'string' ? Buffer.byteLength(out.body) : (out.body as Uint8Array).length;
    if (size >= GZIP_MIN_BYTES && isCompressible(ctIdx >= 0 ? headers[ctIdx + 1] : undefined)) {
      const varyIdx = findHeader(headers, 'vary');
      if (varyIdx < 0) headers.push('Vary', 'Accept-Encoding');
      else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(headers[varyIdx + 1])) {
        headers[varyIdx + 1] += ', Accept-Encoding';
      }
      out.gzip = acceptsGzip(acceptEncoding);
    }
  }
  return out;
}
