// A cheaper `Response` for `app.fetch` apps (issue 17). Node's `new Response('text')` (undici)
// builds a WHATWG ReadableStream for every body, whole or not: tens of microseconds, more than
// node-httpuv's whole per-request cost, on every response a handler such as Hono's creates. While
// a server with `app.fetch` runs (option `fetchGlobals`, default true, as @hono/node-server's
// `overrideGlobalObjects`), `globalThis.Response` is this class: a Response whose status, headers
// and whole string or bytes body are kept as given, and whose every other member builds the
// original Response once, on first use, and answers from it. `instanceof Response` holds for
// both kinds, so is it "a real Response" for the app; the dispatcher reads a body kept as given
// without any stream (fetch.ts). Restored when the last such server stops.
//
// Node's `globalThis.Response` is a lazy getter: its first read loads undici (about 2 MiB of JS
// heap, 2 MiB more outside it, 10 MiB of RSS). Only an app.fetch server needs it, so this module
// reads it on first use (link()), never at import: a server that does not use app.fetch does not
// pay for it (bench S5: baseline RSS, and the larger young generation that load left behind).
let OriginalResponse: typeof Response;
let linked = false;

// The original Response, read once; HttpuvResponse inherits from it from then on.
function link(): typeof Response {
  if (!linked) {
    linked = true;
    OriginalResponse = globalThis.Response;
    Object.setPrototypeOf(HttpuvResponse.prototype, OriginalResponse.prototype);
    Object.setPrototypeOf(HttpuvResponse, OriginalResponse);
  }
  return OriginalResponse;
}

const TEXT_PLAIN = 'text/plain;charset=UTF-8';

/** @internal The Content-Type the original adds to a body of this kind ('' for none). */
export function defaultType(body: string | Uint8Array | Blob | null): string {
  if (typeof body === 'string') return TEXT_PLAIN;
  if (body instanceof Blob) return body.type;
  return '';
}

/** @internal What fetch.ts reads of a response that was never materialized. */
export interface KeptResponse {
  status: number;
  /** The headers as given (any HeadersInit), or the Headers object the app read and may have changed. */
  headers: HeadersInit | undefined;
  /** A Blob's bytes are read by fetch.ts (its size is known, its type is the default Content-Type). */
  body: string | Uint8Array | Blob | null;
}

// A body the original keeps as bytes, copied as the original copies it (a later change to the
// app's buffer does not change the response); null for any other body.
function bytesOf(b: unknown): Uint8Array | null {
  if (b instanceof ArrayBuffer) return new Uint8Array(b.slice(0));
  if (ArrayBuffer.isView(b) && b.buffer instanceof ArrayBuffer) {
    return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  return null;
}

export class HttpuvResponse {
  #body: string | Uint8Array | Blob | null;
  #init: ResponseInit | undefined;
  #headers: Headers | undefined;
  #real: Response | undefined;
  #streamGiven = false;

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    const OriginalResponse = link();
    let b: unknown = body ?? null;
    this.#init = init;
    if (b !== null && typeof b !== 'string' && !(b instanceof Blob)) b = bytesOf(b) ?? b;
    if (b === null || typeof b === 'string' || b instanceof Uint8Array || b instanceof Blob) {
      this.#body = b;
      const s = init?.status;
      // A status the original would refuse (or 204/304 with a body): build it now, so it throws
      // exactly as the original constructor does.
      if (s !== undefined && (s !== (s | 0) || s < 200 || s > 599)) this.#real = new OriginalResponse(body, init);
      if (b !== null && (s === 204 || s === 205 || s === 304)) this.#real = new OriginalResponse(body, init);
    } else {
      // Streams, form data…: the original does the work.
      this.#body = null;
      this.#streamGiven = b instanceof ReadableStream;
      this.#real = new OriginalResponse(body, init);
    }
  }

  /** @internal The response as given, or null once the original was built (read it instead). */
  static _kept(r: HttpuvResponse): KeptResponse | null {
    if (r.#real !== undefined) return null;
    const headers = r.#headers ?? r.#init?.headers;
    return { status: r.#init?.status ?? 200, headers, body: r.#body };
  }

  /** @internal Was it made with the app's own ReadableStream (streamed as given, never read ahead)? */
  static _streamGiven(r: HttpuvResponse): boolean {
    return r.#streamGiven;
  }

  /** @internal Is `v` one of these (not a subclass's impostor)? */
  static _is(v: unknown): v is HttpuvResponse {
    return v !== null && typeof v === 'object' && #body in v;
  }

  #materialize(): Response {
    if (this.#real === undefined) {
      const init = this.#init;
      this.#real = new (link())(this.#body as BodyInit | null, {
        status: init?.status, statusText: init?.statusText, headers: this.#headers ?? init?.headers,
      });
    }
    return this.#real;
  }

  get status(): number { return this.#real !== undefined ? this.#real.status : this.#init?.status ?? 200; }
  get statusText(): string { return this.#real !== undefined ? this.#real.statusText : this.#init?.statusText ?? ''; }
  get ok(): boolean { const s = this.status; return s >= 200 && s <= 299; }
  get headers(): Headers {
    if (this.#real !== undefined) return this.#real.headers;
    if (this.#headers === undefined) {
      const h = new Headers(this.#init?.headers);
      const type = defaultType(this.#body);
      if (type !== '' && !h.has('content-type')) h.set('content-type', type);
      this.#headers = h;
    }
    return this.#headers;
  }
  get body(): ReadableStream<Uint8Array> | null { return this.#materialize().body; }
  get bodyUsed(): boolean { return this.#real !== undefined ? this.#real.bodyUsed : false; }
  get type(): ResponseType { return this.#materialize().type; }
  get url(): string { return this.#materialize().url; }
  get redirected(): boolean { return this.#materialize().redirected; }
  arrayBuffer(): Promise<ArrayBuffer> { return this.#materialize().arrayBuffer(); }
  blob(): Promise<Blob> { return this.#materialize().blob(); }
  formData(): Promise<FormData> { return this.#materialize().formData(); }
  json(): Promise<unknown> { return this.#materialize().json(); }
  text(): Promise<string> { return this.#materialize().text(); }
  clone(): Response { return this.#materialize().clone(); }
  get [Symbol.toStringTag](): string { return 'Response'; }

  static json(data: unknown, init?: ResponseInit): Response {
    // As the original: the body is JSON.stringify(data) (a TypeError when that gives nothing), and
    // Content-Type application/json unless the init's headers name one.
    const text = JSON.stringify(data) as string | undefined;
    if (text === undefined) return link().json(data, init);  // throws as the original does
    const headers = new Headers(init?.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new HttpuvResponse(text, { status: init?.status, statusText: init?.statusText, headers }) as unknown as Response;
  }
  static redirect(url: string | URL, status?: number): Response { return link().redirect(url, status); }
  static error(): Response { return link().error(); }
  // Responses made by the original class (fetch(), Response.json()) are Responses too.
  static [Symbol.hasInstance](v: unknown): boolean {
    if (this !== HttpuvResponse) return Function.prototype[Symbol.hasInstance].call(this, v);  // a subclass
    return HttpuvResponse._is(v) || v instanceof link();
  }
}

let users = 0;

/** @internal A server with app.fetch starts (fetchGlobals on): Response becomes HttpuvResponse. */
export function acquireGlobalResponse(): void {
  if (users++ === 0 && globalThis.Response === link()) {
    (globalThis as { Response: unknown }).Response = HttpuvResponse;
  }
}

/** @internal Such a server stopped: the last one puts the original Response back. */
export function releaseGlobalResponse(): void {
  if (users > 0 && --users === 0 && globalThis.Response === (HttpuvResponse as unknown)) {
    (globalThis as { Response: unknown }).Response = link();
  }
}
