// The web-standard handler (issue 17): `app.fetch(request) → Response | Promise<Response>`, as Bun,
// Deno, Cloudflare Workers and Hono speak it, beside or instead of `call`. A request event becomes
// a real `Request` (absolute URL from Host and the target, headers, method, body, an AbortSignal
// that fires when the client goes away), and the `Response` it returns becomes the Rook-style
// response `prepareResponse` checks (status, headers with each Set-Cookie kept apart, a string or
// bytes body sent whole, any other body streamed through stream-pump.ts).
import type { BuiltRequest } from './rook.js';
import { HttpuvRequest } from './fetch-request.js';
import { HttpuvResponse, type KeptResponse } from './fetch-response.js';
import { ResponseError } from './response.js';
import type { Response as RookResponse } from './response.js';

/** The web-standard handler of an {@link App}. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

// Undici (Node's fetch) keeps a Response's body source (the string or bytes it was made from) in
// an internal state object; reading it there saves streaming a body that is already whole.
// Found by shape, once, and checked on every use: anything unexpected falls back to the stream.
let stateKey: symbol | null | undefined;

function wholeBody(res: Response): string | Uint8Array | undefined {
  if (stateKey === null) return undefined;
  if (stateKey === undefined) {
    stateKey = null;
    for (const s of Object.getOwnPropertySymbols(res)) {
      const st = (res as unknown as Record<symbol, unknown>)[s] as { body?: { source?: unknown; stream?: unknown } } | undefined;
      if (st !== null && typeof st === 'object' && 'body' in st && 'status' in st) {
        stateKey = s;
        break;
      }
    }
    if (stateKey === null) return undefined;
  }
  const st = (res as unknown as Record<symbol, unknown>)[stateKey] as { body?: { source?: unknown } | null } | undefined;
  const src = st?.body?.source;
  if (typeof src === 'string' || src instanceof Uint8Array) return src;
  return undefined;
}

// A HttpuvResponse as the app made it: its HeadersInit read as `new Headers()` would (an object,
// pairs, or a Headers), the default Content-Type of a string body added as the original adds it.
function fromKept(k: KeptResponse): RookResponse {
  const headers: [string, string][] = [];
  const h = k.headers;
  let hasType = false;
  if (h !== undefined && h !== null) {
    if (h instanceof Headers) {
      return fromWebResponse(new OriginalShim(k.status, h, k.body));
    }
    if (Array.isArray(h)) {
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
    for (const p of headers) if (p[0] === 'content-type') { hasType = true; break; }
  }
  if (typeof k.body === 'string' && !hasType) headers.push(['content-type', 'text/plain;charset=UTF-8']);
  return { status: k.status, headers, body: k.body };
}

// A kept response whose headers are a Headers object: read through the general path.
class OriginalShim {
  readonly status: number;
  readonly headers: Headers;
  readonly body: null = null;
  readonly bodyUsed = false;
  readonly kept: string | Uint8Array | null;
  constructor(status: number, headers: Headers, kept: string | Uint8Array | null) {
    this.status = status;
    this.headers = headers;
    this.kept = kept;
  }
}

function isWebResponse(v: unknown): v is Response {
  if (v instanceof Response) return true;
  if (v === null || typeof v !== 'object') return false;
  const r = v as { status?: unknown; headers?: { forEach?: unknown } };
  return typeof r.status === 'number' && r.headers !== undefined && typeof r.headers.forEach === 'function';
}

/** Turns what `app.fetch` returned into the Rook-style response dispatch sends. */
export function fromWebResponse(res: unknown): RookResponse {
  if (HttpuvResponse._is(res)) {
    const kept = HttpuvResponse._kept(res);
    if (kept !== null) return fromKept(kept);
  }
  if (!isWebResponse(res)) {
    throw new ResponseError(`app.fetch must return a Response (or a Promise of one), got ${res === null ? 'null' : typeof res}`);
  }
  const headers: [string, string][] = [];
  const h = res.headers;
  const cookies = typeof h.getSetCookie === 'function' ? h.getSetCookie() : null;
  h.forEach((value, name) => {
    if (cookies !== null && name === 'set-cookie') return;
    headers.push([name, value]);
  });
  if (cookies !== null) for (const c of cookies) headers.push(['set-cookie', c]);
  let body: RookResponse['body'] = null;
  if (res instanceof OriginalShim) {
    body = res.kept;
    if (typeof body === 'string' && !res.headers.has('content-type')) headers.push(['content-type', 'text/plain;charset=UTF-8']);
  } else if (res.body !== null) {
    if (res.bodyUsed) throw new ResponseError('app.fetch returned a Response whose body was already read');
    const whole = wholeBody(res);
    body = whole !== undefined ? whole : res.body;
  }
  return { status: res.status, headers, body };
}

const noBodyMethods = new Set(['GET', 'HEAD']);

/** The absolute URL of a request: Host (or the local address) and the target's path and query. */
export function requestUrl(built: BuiltRequest): string {
  const req = built.req;
  let host = req.HEADERS.host;
  if (host === undefined || host === '') {
    const addr = req.SERVER_NAME.includes(':') ? `[${req.SERVER_NAME}]` : req.SERVER_NAME;
    host = `${addr}:${req.SERVER_PORT}`;
  }
  return `${req['rook.url_scheme']}://${host}${req.PATH_INFO}${req.QUERY_STRING}`;
}

/**
 * Builds the `Request` for `app.fetch` (fetch-request.ts: a real Request, built lazily). `body` is
 * the request body (whole, or a stream of it), null for none; GET and HEAD never carry one.
 * Throws a TypeError when Host and target make no valid URL.
 */
export function toWebRequest(built: BuiltRequest, body: Uint8Array | ReadableStream<Uint8Array> | null): HttpuvRequest {
  const req = built.req;
  const method = req.REQUEST_METHOD;
  const url = requestUrl(built);
  if (!URL.canParse(url)) throw new TypeError(`no valid URL from Host ${JSON.stringify(req.HEADERS.host ?? '')} and the target`);
  return new HttpuvRequest({ method, url, headers: req.HEADERS, body: noBodyMethods.has(method) ? null : body });
}
