// The `Request` that `app.fetch` receives (issue 17), made cheap: Node's `new Request()` (undici)
// costs tens of microseconds, and more with a signal, while a handler such as Hono's reads only
// `method`, `url` and a header or two on most requests. So the object handed to the app is an
// instance of `Request` (its prototype chain includes Request.prototype, `instanceof Request`
// holds) whose `method`, `url`, `headers` and `signal` come straight from the request event, and
// whose every other member builds the real undici Request once, on first use, and answers from
// it. A whole body in memory is also read without it (`text()`, `json()`, `arrayBuffer()`,
// `bytes()`), as undici would (one read; a second rejects with a TypeError).
const kBodyUsed = 'Body is unusable: Body has already been read';

/** What the lazy request is made from. */
export interface LazyRequestInit {
  method: string;
  url: string;
  /**
   * The request's header fields: the Rook environment's HEADERS, or a request event's packed
   * fields (native.ts), whose name/value pairs start at index 9 (each field appended, so a
   * repeated one reads "a, b" as in any fetch Headers).
   */
  headers: Record<string, string> | string[];
  /** The whole body in memory, a stream of it, or null (none, or GET/HEAD). */
  body: Uint8Array | ReadableStream<Uint8Array> | null;
}

const decoder = new TextDecoder();

function makeHeaders(fields: Record<string, string> | string[]): Headers {
  if (!Array.isArray(fields)) return new Headers(fields);
  const h = new Headers();
  for (let j = 9; j + 1 < fields.length; j += 2) h.append(fields[j], fields[j + 1]);
  return h;
}

// Node's `globalThis.Request` is a lazy getter that loads undici (several MiB): read on the first
// HttpuvRequest, never at import, so a server without app.fetch does not pay for it.
let linked = false;
function link(): void {
  linked = true;
  // `request instanceof Request` holds, and Request.prototype's own members never run on this
  // object (each is shadowed below).
  Object.setPrototypeOf(HttpuvRequest.prototype, Request.prototype);
}

export class HttpuvRequest {
  #init: LazyRequestInit;
  #headers: Headers | undefined;
  #ac: AbortController | undefined;
  #real: Request | undefined;
  #used = false;

  constructor(init: LazyRequestInit) {
    if (!linked) link();
    this.#init = init;
  }

  /** @internal The client went away: aborts `signal` (made now if it was never read). */
  _abort(reason: unknown): void {
    (this.#ac ??= new AbortController()).abort(reason);
  }

  #materialize(): Request {
    if (this.#real !== undefined) return this.#real;
    const init = this.#init;
    const ri: RequestInit & { duplex?: 'half' } = {
      method: init.method, headers: this.headers, signal: this.signal,
    };
    if (init.body !== null) {
      ri.body = this.#used ? new Uint8Array(0) : init.body as BodyInit;
      if (!(init.body instanceof Uint8Array)) ri.duplex = 'half';
    }
    this.#real = new Request(init.url, ri);
    if (this.#used && this.#real.body !== null) void this.#real.arrayBuffer().catch(() => undefined);
    return this.#real;
  }

  #whole(): Uint8Array | null {
    const b = this.#init.body;
    if (this.#real !== undefined || (b !== null && !(b instanceof Uint8Array))) return null;
    if (this.#used) throw new TypeError(kBodyUsed);
    this.#used = true;
    return b ?? new Uint8Array(0);
  }

  get method(): string { return this.#init.method; }
  get url(): string { return this.#init.url; }
  get headers(): Headers { return this.#headers ??= makeHeaders(this.#init.headers); }
  get signal(): AbortSignal { return (this.#ac ??= new AbortController()).signal; }
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#init.body === null && this.#real === undefined) return null;
    return this.#materialize().body;
  }
  get bodyUsed(): boolean { return this.#real !== undefined ? this.#real.bodyUsed : this.#used; }
  get cache(): RequestCache { return this.#materialize().cache; }
  get credentials(): RequestCredentials { return this.#materialize().credentials; }
  get destination(): RequestDestination { return this.#materialize().destination; }
  get integrity(): string { return this.#materialize().integrity; }
  get keepalive(): boolean { return this.#materialize().keepalive; }
  get mode(): RequestMode { return this.#materialize().mode; }
  get redirect(): RequestRedirect { return this.#materialize().redirect; }
  get referrer(): string { return this.#materialize().referrer; }
  get referrerPolicy(): ReferrerPolicy { return this.#materialize().referrerPolicy; }
  get duplex(): string { return (this.#materialize() as unknown as { duplex: string }).duplex; }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const w = this.#whole();
    if (w === null) return this.#materialize().arrayBuffer();
    return w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer;
  }
  async bytes(): Promise<Uint8Array> {
    const w = this.#whole();
    if (w === null) return new Uint8Array(await this.#materialize().arrayBuffer());
    return new Uint8Array(w);
  }
  async text(): Promise<string> {
    const w = this.#whole();
    if (w === null) return this.#materialize().text();
    return decoder.decode(w);
  }
  async json(): Promise<unknown> {
    const w = this.#whole();
    if (w === null) return this.#materialize().json();
    return JSON.parse(decoder.decode(w));
  }
  blob(): Promise<Blob> { return this.#materialize().blob(); }
  formData(): Promise<FormData> { return this.#materialize().formData(); }
  clone(): Request { return this.#materialize().clone(); }
  get [Symbol.toStringTag](): string { return 'Request'; }
}
