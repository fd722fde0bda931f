// Native request events → Rook environments, field for field as R httpuv builds them: the
// CGI-style fields, HTTP_* with httpuv's joining rules, HEADERS, and rook.input over a Buffer or
// a spilled file.
import * as fs from 'node:fs';
import type { RequestEvent, UnpackedRequest } from './native.js';
import type { StreamingBody } from './request-body.js';

/**
 * The request body stream (`req['rook.input']`). `read()`, `read_lines()` and `rewind()` are R's
 * synchronous reads of a body that has fully arrived. `readAsync()` and `for await` also read a
 * body that streams (app.fetch, or the `streamRequestBodies` option: chunked bodies and bodies
 * over 64 KiB reach `call` once their headers are in): they wait for the bytes as they arrive, and
 * the connection is read only as fast as the app reads (backpressure). On a streamed body the
 * synchronous reads throw a TypeError (code `ERR_HTTPUV_BODY_STREAMING`) unless the body has fully
 * arrived and nothing was read asynchronously.
 */
export interface InputStream {
  /** Reads up to `n` bytes (all remaining bytes when `n` is negative or omitted). */
  read(n?: number): Buffer;
  /** Reads up to `n` lines (all when negative or omitted), without their line endings. */
  read_lines(n?: number): string[];
  /** Moves back to the start of the body. */
  rewind(): void;
  /**
   * Reads up to `n` bytes as soon as some have arrived (all of the rest, once complete, when `n`
   * is negative or omitted); an empty Buffer at the end. Rejects if the request ends before its
   * body does (the client left, the body passed maxBodySize, the server stopped).
   */
  readAsync(n?: number): Promise<Buffer>;
  /** The body's chunks as they arrive. */
  [Symbol.asyncIterator](): AsyncIterator<Buffer>;
}

/** `req['rook.errors']`: writes to stderr. */
export interface ErrorStream {
  /** Writes the arguments, converted with `String()` and joined by spaces, to stderr (no newline added). */
  cat(...args: unknown[]): void;
  /** Does nothing (stderr is not buffered); kept for Rook. */
  flush(): void;
}

/**
 * A Rook request environment, as httpuv builds it: what `call`, `onHeaders` and `ws.request`
 * receive. Every field is a string, as in R.
 */
export interface RookRequest {
  /** The method, as sent: `"GET"`, `"POST"`... */
  REQUEST_METHOD: string;
  /** Always `""` (the app is mounted at the root). */
  SCRIPT_NAME: string;
  /** The path of the request target, as sent (still percent-encoded), without the query: `"/a%20b/c"`. */
  PATH_INFO: string;
  /** The query with its leading `"?"` (`"?q=1&page=2"`), or `""` when there is none. */
  QUERY_STRING: string;
  /** The address the server accepted the connection on (IPv4 or IPv6). */
  SERVER_NAME: string;
  /** The port the server accepted the connection on, as a string. */
  SERVER_PORT: string;
  /** The client's address (IPv4 or IPv6). */
  REMOTE_ADDR: string;
  /** The client's port, as a string. */
  REMOTE_PORT: string;
  /**
   * The request headers by lower-case name (`HEADERS["user-agent"]`); a header sent several times
   * has its values joined with `","`.
   */
  HEADERS: Record<string, string>;
  /** The `Content-Type` header, when sent. */
  CONTENT_TYPE?: string;
  /** The `Content-Length` header, when sent. */
  CONTENT_LENGTH?: string;
  /**
   * The request body: complete when `call` runs (empty when there is none), unless the server
   * streams request bodies (`streamRequestBodies`), when it is read as it arrives; empty in
   * `onHeaders`, which runs before it is read.
   */
  'rook.input': InputStream;
  /** Writes to stderr. */
  'rook.errors': ErrorStream;
  /** The Rook version, `"1.1-0"`. */
  'rook.version': string;
  /** Always `"http"`. */
  'rook.url_scheme': string;
  /** This package's version. */
  'httpuv.version': string;
  [httpHeader: `HTTP_${string}`]: string | undefined;
}

/** @internal The `rook.input` of a body that has fully arrived (exported for fetch.ts). */
export class BodyStream implements InputStream {
  #pos = 0;
  readonly #buf: Buffer | null;
  #fd: number;
  readonly #length: number;

  constructor(buf: Buffer | null, fd: number, length: number) {
    this.#buf = buf;
    this.#fd = fd;
    this.#length = buf !== null ? buf.length : length;
  }

  read(n = -1): Buffer {
    const left = this.#length - this.#pos;
    const want = n < 0 ? left : Math.min(n, left);
    if (want <= 0) return Buffer.alloc(0);
    let out: Buffer;
    if (this.#buf !== null) {
      out = Buffer.from(this.#buf.subarray(this.#pos, this.#pos + want));
    } else {
      if (this.#fd < 0) throw new Error('rook.input: the request body is no longer available');
      out = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const r = fs.readSync(this.#fd, out, got, want - got, this.#pos + got);
        if (r === 0) break;
        got += r;
      }
      out = out.subarray(0, got);
    }
    this.#pos += out.length;
    return out;
  }

  read_lines(n = -1): string[] {
    const start = this.#pos;
    const all = this.read();
    const lines: string[] = [];
    let off = 0;
    while (off < all.length && (n < 0 || lines.length < n)) {
      const nl = all.indexOf(10, off);
      const end = nl < 0 ? all.length : nl;
      let line = all.subarray(off, end);
      if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
      lines.push(line.toString('utf8'));
      off = nl < 0 ? all.length : nl + 1;
    }
    this.#pos = start + off;
    return lines;
  }

  rewind(): void {
    this.#pos = 0;
  }

  async readAsync(n = -1): Promise<Buffer> {
    return this.read(n);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const b = this.read(64 * 1024);
      if (b.length === 0) return;
      yield b;
    }
  }

  /** Releases the spilled file (called once the response has been handed over). */
  dispose(): void {
    if (this.#fd >= 0) {
      try { fs.closeSync(this.#fd); } catch { /* already closed */ }
      this.#fd = -1;
    }
  }
}

const nullInput: InputStream = Object.freeze({
  read: () => Buffer.alloc(0),
  read_lines: () => [],
  rewind: () => undefined,
  readAsync: () => Promise.resolve(Buffer.alloc(0)),
  // eslint-disable-next-line require-yield
  [Symbol.asyncIterator]: async function* (): AsyncGenerator<Buffer> { /* no body */ },
});

const errorStream: ErrorStream = Object.freeze({
  cat: (...args: unknown[]) => { process.stderr.write(args.map(String).join(' ')); },
  flush: () => undefined,
});

let packageVersion = '';
function version(): string {
  if (packageVersion === '') {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      packageVersion = (require('../package.json') as { version: string }).version;
    } catch {
      packageVersion = '0.0.0';
    }
  }
  return packageVersion;
}

// Header names repeat from request to request: remember their derived keys (bounded).
const nameCache = new Map<string, [lower: string, httpKey: string]>();

function keysOf(name: string): [string, string] {
  let k = nameCache.get(name);
  if (k === undefined) {
    // httpuv: ASCII a-z upper-cased and '-' → '_'; every other character kept.
    k = [name.toLowerCase(), 'HTTP_' + name.replace(/[a-z-]/g, (c) => (c === '-' ? '_' : c.toUpperCase()))];
    if (nameCache.size >= 2048) nameCache.clear();
    nameCache.set(name, k);
  }
  return k;
}

/** Splits a request-target into PATH_INFO and QUERY_STRING (with its leading "?"). */
export function splitTarget(target: string): [string, string] {
  let t = target;
  // Absolute-form (RFC 9112 §3.2.2): keep only the path and query. Origin-form ("/…", nearly
  // every request) skips the regex.
  const m = t.charCodeAt(0) === 0x2f ? null : /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(t);
  if (m !== null) {
    t = t.slice(m[0].length);
    if (t === '' || t[0] === '?') t = '/' + t;
  }
  const q = t.indexOf('?');
  return q < 0 ? [t, ''] : [t.slice(0, q), t.slice(q)];
}

/** A Rook request plus the internal handle used to release its body. */
export interface BuiltRequest {
  req: RookRequest;
  body: BodyStream | StreamingBody | null;
}

/** Gives a request whose body streams (REQUEST_STREAM) its streaming `rook.input`. */
export function attachStreamingBody(built: BuiltRequest, body: StreamingBody): void {
  built.body = body;
  (built.req as unknown as Record<string, unknown>)['rook.input'] = body;
}

/** Builds the Rook environment of a request event (body included when present). */
export function buildRequest(ev: RequestEvent, u: UnpackedRequest, withBody: boolean): BuiltRequest {
  const [, , buf, fd, length] = ev;
  const parts = u.parts;
  const remotePort = parts[3];
  const localPort = parts[4];
  const method = parts[5];
  const target = parts[6];
  const remoteAddr = parts[7];
  const localAddr = parts[8];
  const [pathInfo, query] = splitTarget(target);
  // Sort by lower-cased name (stable, so repeats keep arrival order), then join repeated fields
  // with "," keeping the first spelling (httpuv §2). Insertion sort: header counts are small.
  const count = (parts.length - 9) >> 1;
  const lowers: string[] = new Array(count);
  const keys: string[] = new Array(count);
  const values: string[] = new Array(count);
  for (let j = 0; j < count; j++) {
    const name = parts[9 + 2 * j];
    const k = keysOf(name);
    let at = j;
    while (at > 0 && lowers[at - 1] > k[0]) {
      lowers[at] = lowers[at - 1];
      keys[at] = keys[at - 1];
      values[at] = values[at - 1];
      at--;
    }
    lowers[at] = k[0];
    keys[at] = k[1];
    values[at] = parts[10 + 2 * j];
  }
  const req = {
    REQUEST_METHOD: method,
    SCRIPT_NAME: '',
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    SERVER_NAME: localAddr,
    SERVER_PORT: localPort,
    REMOTE_ADDR: remoteAddr,
    REMOTE_PORT: remotePort,
    HEADERS: {} as Record<string, string>,
    'rook.version': '1.1-0',
    'rook.url_scheme': 'http',
    'rook.errors': errorStream,
    'httpuv.version': version(),
  } as unknown as RookRequest & Record<string, unknown>;
  const headers = req.HEADERS;
  for (let j = 0; j < count; j++) {
    const lower = lowers[j];
    let value = values[j];
    while (j + 1 < count && lowers[j + 1] === lower) {
      const next = values[++j];
      if (value === '') value = next;
      else if (next !== '') value = value + ',' + next;
    }
    headers[lower] = value;
    // Later in sort order wins on an HTTP_* collision (My-Hdr vs My_Hdr), as httpuv.
    req[keys[j]] = value;
  }
  if (req.HTTP_CONTENT_TYPE !== undefined) req.CONTENT_TYPE = req.HTTP_CONTENT_TYPE;
  if (req.HTTP_CONTENT_LENGTH !== undefined) req.CONTENT_LENGTH = req.HTTP_CONTENT_LENGTH;
  let body: BodyStream | null = null;
  if (withBody && (buf !== null || fd >= 0) && (buf === null || buf.length > 0)) {
    body = new BodyStream(buf, fd, length);
    req['rook.input'] = body;
  } else {
    if (fd >= 0) fs.closeSync(fd);
    req['rook.input'] = nullInput;
  }
  return { req, body };
}

/** Gives a request (first seen at onHeaders) its body once the full request arrives. */
export function attachBody(built: BuiltRequest, ev: RequestEvent): void {
  const [, , buf, fd, length] = ev;
  if ((buf !== null && buf.length > 0) || fd >= 0) {
    built.body = new BodyStream(buf, fd, length);
    (built.req as unknown as Record<string, unknown>)['rook.input'] = built.body;
  }
}
