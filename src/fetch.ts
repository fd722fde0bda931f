// The web-standard handler (issue 17): `app.fetch(request) → Response | Promise<Response>`, as Bun,
// Deno, Cloudflare Workers and Hono speak it, beside or instead of `call`. A request event becomes
// a real `Request` (absolute URL from Host and the target, headers, method, body, an AbortSignal
// that fires when the client goes away), and the `Response` it returns becomes the Rook-style
// response `prepareResponse` checks (status, headers with each Set-Cookie kept apart, a string or
// bytes body sent whole, as is a runtime Response's whole body once read ahead, any other body
// streamed through stream-pump.ts).
import * as fs from 'node:fs';
import type { RequestEvent, UnpackedRequest } from './native.js';
import { BodyStream, buildRequest, splitTarget, type BuiltRequest, type RookRequest } from './rook.js';
import { HttpuvRequest } from './fetch-request.js';
import { HttpuvResponse, type KeptResponse } from './fetch-response.js';
import { ResponseError } from './response.js';
import type { Response as RookResponse } from './response.js';

/** The web-standard handler of an {@link App}. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

// A Response of the runtime's own class (fetchGlobals off, `Response.json()`, a `fetch()` result)
// hides where its body came from: Node 20/22's undici kept the source in an internal symbol, Node
// 24 and 26 in private fields. What is public: a body that undici made from a string, bytes, a
// Blob, FormData or URLSearchParams is a byte stream (`getReader({ mode: 'byob' })` works), and
// the chunks of such a whole body are there within microtasks. So such a body is read ahead, up to
// READ_AHEAD_MAX bytes, as long as each read settles before the event loop's next turn: a body
// that ends by then goes out whole, with its Content-Length; otherwise (a large body, a proxied
// `fetch()` body still arriving) what was read is sent first and the rest streams, chunked, so a
// slow source never waits for the read-ahead. An app's own ReadableStream (a default stream:
// SSE, Hono's stream()) is never read ahead: it streams as given. A Content-Length of the app's
// own also skips it (the length is known: the stream is sent with it, and the server enforces it).
const READ_AHEAD_MAX = 64 * 1024;
const READ_AHEAD_READS = 32;
const LATE = Symbol('late');
let turn: Promise<typeof LATE> | null = null;

// Settles at the event loop's next turn (one setImmediate shared by every read-ahead meanwhile).
function nextTurn(): Promise<typeof LATE> {
  return turn ??= new Promise((resolve) => {
    setImmediate(() => {
      turn = null;
      resolve(LATE);
    });
  });
}

// A default stream refuses a BYOB reader with a TypeError: made without a stack trace here (the
// check runs once per streamed response).
function isByteStream(s: ReadableStream): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    (s as ReadableStream<Uint8Array>).getReader({ mode: 'byob' }).releaseLock();
    return true;
  } catch {
    return false;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function concatChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

// The rest of a read-ahead body as the pump reads it: the chunks already read, the read still
// pending (if any), then the reader; an error met during the read-ahead comes after the chunks
// read before it (the response is then cut short, as for any failing stream). return() (client
// gone, HEAD, 204/304) cancels the stream.
function rest(reader: ReadableStreamDefaultReader<Uint8Array>, chunks: Uint8Array[],
              pending: Promise<ReadableStreamReadResult<Uint8Array>> | null, error: { err: unknown } | null): AsyncIterable<Uint8Array> {
  let i = 0;
  let p = pending;
  const iterator: AsyncIterator<Uint8Array> = {
    next(): Promise<IteratorResult<Uint8Array>> {
      if (i < chunks.length) return Promise.resolve({ done: false, value: chunks[i++] });
      if (error !== null) return Promise.reject(error.err);
      if (p !== null) {
        const q = p;
        p = null;
        return q as Promise<IteratorResult<Uint8Array>>;
      }
      return reader.read() as Promise<IteratorResult<Uint8Array>>;
    },
    return(): Promise<IteratorResult<Uint8Array>> {
      reader.cancel().catch(() => undefined);
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

async function readAhead(stream: ReadableStream<Uint8Array>, status: number, headers: [string, string][]): Promise<RookResponse> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  // `before`: the bytes held before the last chunk. The read after a chunk that passed the bound
  // still happens (that chunk is in memory already; its stream may end there), none after.
  let before = 0;
  try {
    for (let i = 0; i < READ_AHEAD_READS && before <= READ_AHEAD_MAX; i++) {
      pending = reader.read();
      const r = await Promise.race([pending, nextTurn()]);
      if (r === LATE) break;
      pending = null;
      if (r.done) return { status, headers, body: concatChunks(chunks, size) };
      chunks.push(r.value);
      before = size;
      size += r.value.byteLength;
    }
  } catch (err) {
    return { status, headers, body: rest(reader, chunks, null, { err }) };
  }
  return { status, headers, body: rest(reader, chunks, pending, null) };
}

// A Blob body whose size is at most this is read whole (one Content-Length response); a larger
// one streams with its size as Content-Length.
const BLOB_WHOLE_MAX = 1024 * 1024;

// A Headers object's fields as pairs (lower-case names), each Set-Cookie apart.
function readHeaders(h: Headers): [string, string][] {
  const headers: [string, string][] = [];
  const cookies = typeof h.getSetCookie === 'function' ? h.getSetCookie() : null;
  h.forEach((value, name) => {
    if (cookies !== null && name === 'set-cookie') return;
    headers.push([name, value]);
  });
  if (cookies !== null) for (const c of cookies) headers.push(['set-cookie', c]);
  return headers;
}

// A HttpuvResponse as the app made it: its HeadersInit read as `new Headers()` would (an object,
// pairs, or a Headers), the default Content-Type of its body added as the original adds it, a
// Blob's bytes read (a Promise then).
function fromKept(k: KeptResponse): RookResponse | Promise<RookResponse> {
  let headers: [string, string][] = [];
  const h = k.headers;
  if (h !== undefined && h !== null) {
    if (h instanceof Headers) {
      headers = readHeaders(h);
    } else if (Array.isArray(h)) {
      for (const pair of h as [string, string][]) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new ResponseError('Response headers given as an array must hold [name, value] pairs');
        headers.push([String(pair[0]).toLowerCase(), String(pair[1])]);
      }
    } else {
      for (const name in h as Record<string, string>) {
        if (!Object.prototype.hasOwnProperty.call(h, name)) continue;
        headers.push([name.toLowerCase(), String((h as Record<string, string>)[name])]);
      }
    }
  }
  const body = k.body;
  if (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    const type = body.type;
    if (type !== '' && !hasHeader(headers, 'content-type')) headers.push(['content-type', type]);
    if (body.size <= BLOB_WHOLE_MAX) {
      return body.arrayBuffer().then((ab) => ({ status: k.status, headers, body: new Uint8Array(ab) }));
    }
    if (!hasHeader(headers, 'content-length')) headers.push(['content-length', String(body.size)]);
    return { status: k.status, headers, body: body.stream() };
  }
  if (typeof body === 'string' && !hasHeader(headers, 'content-type')) headers.push(['content-type', 'text/plain;charset=UTF-8']);
  return { status: k.status, headers, body };
}

function hasHeader(headers: [string, string][], name: string): boolean {
  for (const p of headers) if (p[0] === name) return true;
  return false;
}

function isWebResponse(v: unknown): v is Response {
  if (v instanceof Response) return true;
  if (v === null || typeof v !== 'object') return false;
  const r = v as { status?: unknown; headers?: { forEach?: unknown } };
  return typeof r.status === 'number' && r.headers !== undefined && typeof r.headers.forEach === 'function';
}

/**
 * Turns what `app.fetch` returned into the Rook-style response dispatch sends: at once, or (a
 * Blob body, or a runtime Response whose whole body is read ahead, see readAhead) as a Promise.
 */
export function fromWebResponse(res: unknown): RookResponse | Promise<RookResponse> {
  let appStream = false;
  if (HttpuvResponse._is(res)) {
    const kept = HttpuvResponse._kept(res);
    if (kept !== null) return fromKept(kept);
    appStream = HttpuvResponse._streamGiven(res);
  }
  if (!isWebResponse(res)) {
    throw new ResponseError(`app.fetch must return a Response (or a Promise of one), got ${res === null ? 'null' : typeof res}`);
  }
  const headers = readHeaders(res.headers);
  let body: RookResponse['body'] = null;
  if (res.body !== null) {
    if (res.bodyUsed) throw new ResponseError('app.fetch returned a Response whose body was already read');
    const stream = res.body;
    if (!appStream && !hasHeader(headers, 'content-length') && !stream.locked && isByteStream(stream)) {
      return readAhead(stream, res.status, headers);
    }
    body = stream;
  }
  return { status: res.status, headers, body };
}


/**
 * @internal The request of a complete request event for a server whose app is `fetch` alone: the
 * Request is made from the event's fields (method, target, Host, the header pairs), so the Rook
 * environment, which app.fetch never sees, is built only if something asks for it (the log line
 * of an app error).
 */
export class FetchBuilt implements BuiltRequest {
  /** The event's packed fields (native.ts): [4] local port, [5] method, [6] target, [8] local address, [9..] headers. */
  readonly parts: string[];
  body: BodyStream | null;
  #ev: RequestEvent;
  #u: UnpackedRequest;
  #req: RookRequest | undefined;

  constructor(ev: RequestEvent, u: UnpackedRequest) {
    this.#ev = ev;
    this.#u = u;
    this.parts = u.parts;
    const [, , buf, fd, length] = ev;
    // As buildRequest: a body in memory or spilled to a file; an empty one is none.
    if ((buf !== null || fd >= 0) && (buf === null || buf.length > 0)) {
      this.body = new BodyStream(buf, fd, length);
    } else {
      if (fd >= 0) fs.closeSync(fd);
      this.body = null;
    }
  }

  /**
   * A header's value as the Rook environment's HEADERS has it (`name` lower-case; repeated fields
   * joined with ","), undefined when absent.
   */
  header(name: string): string | undefined {
    const parts = this.parts;
    let value: string | undefined;
    for (let j = 9; j + 1 < parts.length; j += 2) {
      const n = parts[j];
      if (n.length !== name.length || n.toLowerCase() !== name) continue;
      const v = parts[j + 1];
      if (value === undefined || value === '') value = v;
      else if (v !== '') value = value + ',' + v;
    }
    return value;
  }

  /** The Rook environment (without its body, which `body` holds), built on first use. */
  get req(): RookRequest {
    const ev = this.#ev;
    return this.#req ??= buildRequest([ev[0], ev[1], null, -1, 0], this.#u, false).req;
  }
}

// The URL parser refuses no path that starts with "/" once "scheme://host" is valid: so a Host
// already seen to make a valid URL is not parsed again. The last one is compared as a string
// (requests on a connection repeat it; a fresh string is not hashed), others are remembered in a
// bounded set.
let lastHost: string | undefined;
const validHosts = new Set<string>();
const VALID_HOSTS_MAX = 256;

// The absolute URL of scheme://host + pathAndQuery; a TypeError when it is not a valid URL.
function makeUrl(scheme: string, host: string | undefined, localAddr: string, localPort: string, pathAndQuery: string): string {
  const given = host;
  if (host === undefined || host === '') {
    const addr = localAddr.includes(':') ? `[${localAddr}]` : localAddr;
    host = `${addr}:${localPort}`;
  }
  const url = `${scheme}://${host}${pathAndQuery}`;
  const rooted = scheme === 'http' && pathAndQuery.charCodeAt(0) === 0x2f;
  if (rooted && (host === lastHost || validHosts.has(host))) return url;
  if (!URL.canParse(url)) throw new TypeError(`no valid URL from Host ${JSON.stringify(given ?? '')} and the target`);
  if (rooted) {
    lastHost = host;
    if (validHosts.size >= VALID_HOSTS_MAX) validHosts.clear();
    validHosts.add(host);
  }
  return url;
}

/** The absolute URL of a request: Host (or the local address) and the target's path and query. */
export function requestUrl(built: BuiltRequest): string {
  const req = built.req;
  return makeUrl(req['rook.url_scheme'], req.HEADERS.host, req.SERVER_NAME, req.SERVER_PORT, req.PATH_INFO + req.QUERY_STRING);
}

/**
 * Builds the `Request` for `app.fetch` (fetch-request.ts: a real Request, built lazily). `body` is
 * the request body (whole, or a stream of it), null for none; GET and HEAD never carry one.
 * Throws a TypeError when Host and target make no valid URL.
 */
export function toWebRequest(built: BuiltRequest, body: Uint8Array | ReadableStream<Uint8Array> | null): HttpuvRequest {
  if (built instanceof FetchBuilt) {
    const parts = built.parts;
    const host = built.header('host');
    const method = parts[5];
    const target = parts[6];
    const pathAndQuery = target.charCodeAt(0) === 0x2f ? target : splitTarget(target).join('');
    const url = makeUrl('http', host, parts[8], parts[4], pathAndQuery);
    return new HttpuvRequest({ method, url, headers: parts, body: method === 'GET' || method === 'HEAD' ? null : body });
  }
  const req = built.req;
  const method = req.REQUEST_METHOD;
  const url = requestUrl(built);
  return new HttpuvRequest({ method, url, headers: req.HEADERS, body: method === 'GET' || method === 'HEAD' ? null : body });
}
