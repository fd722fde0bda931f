// Clients for the http tier: raw sockets (bytes that well-behaved clients never send,
// pipelining, slowloris), a strict HTTP/1.1 response parser for those bytes, and node:http /
// fetch helpers for ordinary traffic.
import { waitMs } from './emulation.js';
import * as http from 'node:http';
import * as net from 'node:net';

export type Chunk = string | Buffer;

/** Strings are taken as latin1 so every byte 0–255 can be written. */
export function bytes(c: Chunk): Buffer {
  return typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
}

export interface Target {
  port?: number;
  host?: string;
  socketPath?: string;
}

function connectOpts(t: number | Target): net.NetConnectOpts {
  if (typeof t === 'number') return { port: t, host: '127.0.0.1' };
  if (t.socketPath !== undefined) return { path: t.socketPath };
  return { port: t.port ?? 0, host: t.host ?? '127.0.0.1' };
}

/** A raw client connection that records everything the server sends. */
export class RawConn {
  readonly socket: net.Socket;
  data: Buffer = Buffer.alloc(0) as Buffer;
  /** The server ended or reset the connection. */
  closed = false;
  error: string | undefined;
  #listeners = new Set<() => void>();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => { this.data = Buffer.concat([this.data, d]); this.#notify(); });
    socket.on('end', () => { this.closed = true; this.#notify(); });
    socket.on('close', () => { this.closed = true; this.#notify(); });
    socket.on('error', (e: NodeJS.ErrnoException) => { this.error = e.code ?? e.message; this.closed = true; this.#notify(); });
  }

  static connect(target: number | Target): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(connectOpts(target));
      const onErr = (e: Error): void => reject(e);
      s.once('error', onErr);
      s.once('connect', () => { s.removeListener('error', onErr); resolve(new RawConn(s)); });
    });
  }

  #notify(): void {
    for (const l of [...this.#listeners]) l();
  }

  get text(): string {
    return this.data.toString('latin1');
  }

  /** Local port of the client side (what the server should report as REMOTE_PORT). */
  get localPort(): number {
    return this.socket.localPort ?? -1;
  }

  /** Writes one chunk and waits until it has been handed to the kernel. */
  write(c: Chunk): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) { reject(new Error(`write after close (${this.error ?? 'closed'})`)); return; }
      this.socket.write(bytes(c), (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Writes each chunk as its own write. */
  async writeAll(chunks: Chunk[]): Promise<void> {
    for (const c of chunks) await this.write(c);
  }

  /** Resolves when `pred(data, closed)` holds; rejects after `timeoutMs` with what was received. */
  waitFor(pred: (data: Buffer, closed: boolean) => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        let ok: boolean;
        try {
          ok = pred(this.data, this.closed);
        } catch {
          ok = true; // malformed bytes: stop waiting, the caller's parse reports them
        }
        if (!ok) return false;
        done(); resolve(); return true;
      };
      const done = (): void => { clearTimeout(timer); this.#listeners.delete(listener); };
      const listener = (): void => {
        if (check()) return;
        if (this.closed) {
          done();
          reject(new Error(`connection closed while waiting for ${what}; received ${preview(this.data)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${preview(this.data)}`));
      }, waitMs(timeoutMs));
      this.#listeners.add(listener);
      if (!check() && this.closed) listener();
    });
  }

  /** Waits until `n` complete responses have arrived (`head[i]` marks responses to HEAD). */
  async responses(n: number, timeoutMs = 5000, head: boolean[] = []): Promise<ParsedResponse[]> {
    await this.waitFor((d) => parseResponses(d, { head }).responses.length >= n, timeoutMs, `${n} response(s)`);
    return parseResponses(this.data, { head }).responses;
  }

  /** True when the server closed the connection within `timeoutMs`. */
  waitClose(timeoutMs: number): Promise<boolean> {
    return this.waitFor((_d, c) => c, timeoutMs, 'close').then(() => true, () => this.closed);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function preview(b: Buffer, max = 400): string {
  const s = JSON.stringify(b.subarray(0, max).toString('latin1'));
  return b.length > max ? `${s}… (${b.length} bytes)` : `${s} (${b.length} bytes)`;
}

export interface RawOptions {
  /** How long to wait for the server to close (default 3000 ms). */
  timeoutMs?: number;
  /** Half-close the client side after the last write. */
  endAfterWrite?: boolean;
}

export interface RawResult {
  data: Buffer;
  text: string;
  /** The server closed the connection (FIN or reset) before the timeout. */
  closed: boolean;
  /** The timeout fired first (`closed` is then false). */
  timedOut: boolean;
  error: string | undefined;
}

/**
 * Sends `input` (one write, or several writes when an array) and resolves with everything
 * received until the server closes the connection or `timeoutMs` passes.
 */
export async function rawRequest(target: number | Target, input: Chunk | Chunk[],
                                 opts: RawOptions = {}): Promise<RawResult> {
  const conn = await RawConn.connect(target);
  try {
    try {
      await conn.writeAll(Array.isArray(input) ? input : [input]);
      if (opts.endAfterWrite) conn.end();
    } catch {
      // the server may close before reading everything; what it sent is still the result
    }
    const closed = await conn.waitClose(opts.timeoutMs ?? 3000);
    return { data: conn.data, text: conn.text, closed, timedOut: !closed, error: conn.error };
  } finally {
    conn.destroy();
  }
}

// ---- strict HTTP/1.1 response parser --------------------------------------------------------

export interface ParsedResponse {
  version: string;
  status: number;
  reason: string;
  /** Header fields in wire order, names as sent. */
  headers: Array<[string, string]>;
  body: Buffer;
  chunked: boolean;
  /** Header section text (status line and fields). */
  head: string;
  /** First value of `name` (case-insensitive). */
  get(name: string): string | undefined;
  /** Every value of `name` in order. */
  getAll(name: string): string[];
}

export interface ParseResult {
  responses: ParsedResponse[];
  /** Bytes after the last complete response. */
  rest: Buffer;
}

/**
 * Parses consecutive responses. Bodies: none for 1xx/204/304 and responses to HEAD
 * (`head[i]` for the i-th final response), chunked when Transfer-Encoding says so, else
 * Content-Length, else empty (the server always frames bodies). Throws on malformed bytes.
 */
export function parseResponses(data: Buffer, opts: { head?: boolean[] } = {}): ParseResult {
  const responses: ParsedResponse[] = [];
  let pos = 0;
  let finals = 0;
  for (;;) {
    if (pos >= data.length) break;
    const end = data.indexOf('\r\n\r\n', pos, 'latin1');
    if (end < 0) break;
    const head = data.subarray(pos, end).toString('latin1');
    const lines = head.split('\r\n');
    const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (m === null) throw new Error(`not an HTTP response at byte ${pos}: ${preview(data.subarray(pos))}`);
    const headers: Array<[string, string]> = [];
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i <= 0 || /[\s]/.test(line.slice(0, i))) throw new Error(`malformed header line ${JSON.stringify(line)}`);
      headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
    }
    const status = Number(m[2]);
    const getAll = (name: string): string[] =>
      headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
    let p = end + 4;
    let body: Buffer = Buffer.alloc(0);
    let chunked = false;
    const interim = status >= 100 && status < 200;
    const isHead = !interim && (opts.head?.[finals] ?? false);
    const te = getAll('transfer-encoding').join(',').toLowerCase();
    const cl = getAll('content-length');
    if (interim || isHead || status === 204 || status === 304) {
      // no body
    } else if (te.includes('chunked')) {
      chunked = true;
      const parts: Buffer[] = [];
      let complete = false;
      for (;;) {
        const le = data.indexOf('\r\n', p, 'latin1');
        if (le < 0) break;
        const sizeText = data.subarray(p, le).toString('latin1').split(';')[0];
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size ${JSON.stringify(sizeText)}`);
        const size = parseInt(sizeText, 16);
        if (size === 0) {
          const tEnd = data.indexOf('\r\n', le + 2, 'latin1');
          if (tEnd < 0) break;
          if (tEnd !== le + 2) {
            const tr = data.indexOf('\r\n\r\n', le + 2, 'latin1');
            if (tr < 0) break;
            p = tr + 4;
          } else {
            p = le + 4;
          }
          complete = true;
          break;
        }
        if (data.length < le + 2 + size + 2) break;
        parts.push(data.subarray(le + 2, le + 2 + size));
        if (data.toString('latin1', le + 2 + size, le + 4 + size) !== '\r\n') throw new Error('chunk not followed by CRLF');
        p = le + 4 + size;
      }
      if (!complete) break;
      body = Buffer.concat(parts);
    } else if (cl.length > 0) {
      if (new Set(cl).size !== 1 || !/^\d+$/.test(cl[0])) throw new Error(`bad Content-Length ${JSON.stringify(cl)}`);
      const n = Number(cl[0]);
      if (data.length < p + n) break;
      body = data.subarray(p, p + n);
      p += n;
    }
    if (!interim) finals++;
    responses.push({
      version: m[1], status, reason: m[3] ?? '', headers, body, chunked, head,
      get: (name) => getAll(name)[0], getAll,
    });
    pos = p;
  }
  return { responses, rest: data.subarray(pos) };
}

/** Final (non-1xx) responses only. */
export function finalResponses(data: Buffer, head: boolean[] = []): ParsedResponse[] {
  return parseResponses(data, { head }).responses.filter((r) => r.status >= 200);
}

/** True when the response's Connection header lists `close`. */
export function saysClose(r: ParsedResponse): boolean {
  return r.getAll('connection').some((v) => v.toLowerCase().split(/\s*,\s*/).includes('close'));
}

// ---- ordinary clients -----------------------------------------------------------------------

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

export interface HttpOptions {
  method?: string;
  path?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
  socketPath?: string;
  timeoutMs?: number;
  agent?: http.Agent | false;
}

/** One request through node:http (no pooling, no decompression). */
export function httpRequest(port: number, opts: HttpOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, socketPath: opts.socketPath, method: opts.method ?? 'GET',
      path: opts.path ?? '/', headers: opts.headers, agent: opts.agent ?? false,
    }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body,
          text: body.toString('utf8') });
      });
    });
    req.setTimeout(opts.timeoutMs ?? 10000, () => req.destroy(new Error('http request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface FetchResult {
  status: number;
  headers: Headers;
  text: string;
}

/** fetch (undici) returning the status, headers and body text. */
export async function fetchText(url: string, init: RequestInit = {}): Promise<FetchResult> {
  const res = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(10000) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A well-formed GET request's bytes. */
export function get(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: a\r\n${extra}\r\n`;
}
