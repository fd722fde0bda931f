// Shared pieces of the WebSocket tests: a frame builder (explicit FIN/RSV/opcode/mask/length so
// lengths can lie), a raw client that completes the handshake and records what the server sends
// (events, its Close, whether it closed TCP), a raw HTTP exchange. Servers: helpers/server.ts withServer.
import { waitMs } from '../helpers/emulation.js';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import WebSocketClient from 'ws';
import type { App } from '../../src/index.js';

export const OP = { CONT: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;
export const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface FrameOpts { fin?: boolean; rsv?: number; mask?: boolean; len?: bigint | number }

/** One client frame; `len` overrides the announced payload length (to lie about it). */
export function frame(opcode: number, payload: string | Buffer = '', o: FrameOpts = {}): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = o.mask ?? true;
  const n = o.len === undefined ? BigInt(p.length) : BigInt(o.len);
  const ext = n < 126n ? 0 : n < 65536n ? 2 : 8;
  const h = Buffer.alloc(2 + ext + (mask ? 4 : 0));
  h[0] = ((o.fin ?? true) ? 0x80 : 0) | (((o.rsv ?? 0) & 7) << 4) | (opcode & 15);
  h[1] = (mask ? 0x80 : 0) | (ext === 0 ? Number(n) : ext === 2 ? 126 : 127);
  if (ext === 2) h.writeUInt16BE(Number(n), 2);
  if (ext === 8) h.writeBigUInt64BE(n, 2);
  if (!mask) return Buffer.concat([h, p]);
  const key = crypto.randomBytes(4);
  key.copy(h, 2 + ext);
  const out = Buffer.allocUnsafe(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i] ^ key[i & 3];
  return Buffer.concat([h, out]);
}

/** A Close payload: code + reason. */
export function closePayload(code: number, reason: string | Buffer = ''): Buffer {
  const r = typeof reason === 'string' ? Buffer.from(reason) : reason;
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

export interface WsEvent { op: number; data: Buffer }

/** A raw WebSocket client over net.Socket (after a valid handshake). */
export class RawWs {
  readonly sock: net.Socket;
  readonly events: WsEvent[] = [];
  /** The server's Close: code (null when empty), reason, time. */
  remoteClose: { code: number | null; reason: Buffer; at: number } | null = null;
  tcpClosed = false;
  tcpClosedAt = 0;
  masked = false;
  response = '';
  #in: Buffer = Buffer.alloc(0);
  #waiters = new Set<() => void>();

  constructor(sock: net.Socket, rest: Buffer, response: string) {
    this.sock = sock;
    this.response = response;
    sock.on('data', (d: Buffer) => this.#push(d));
    sock.on('close', () => { this.tcpClosed = true; this.tcpClosedAt = Date.now(); this.#wake(); });
    sock.on('error', () => {});
    if (rest.length) this.#push(rest);
  }

  static open(port: number, extraHeaders = '', firstBytes?: Buffer): Promise<RawWs> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.setNoDelay(true);
      const key = crypto.randomBytes(16).toString('base64');
      let head = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        sock.off('data', onData);
        sock.off('error', reject);
        const text = head.subarray(0, end).toString('latin1');
        const want = crypto.createHash('sha1').update(key + GUID).digest('base64');
        if (!text.startsWith('HTTP/1.1 101') || !text.includes(`Sec-WebSocket-Accept: ${want}`)) {
          sock.destroy();
          reject(new Error(`handshake failed: ${text}`));
          return;
        }
        resolve(new RawWs(sock, head.subarray(end + 4), text));
      };
      sock.on('data', onData);
      sock.on('error', reject);
      const req = Buffer.from(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`);
      sock.write(firstBytes ? Buffer.concat([req, firstBytes]) : req);
    });
  }

  #push(d: Buffer): void {
    this.#in = Buffer.concat([this.#in, d]);
    for (;;) {
      const b = this.#in;
      if (b.length < 2) break;
      let n = b[1] & 127, p = 2;
      if (n === 126) { if (b.length < 4) break; n = b.readUInt16BE(2); p = 4; }
      else if (n === 127) { if (b.length < 10) break; n = Number(b.readBigUInt64BE(2)); p = 10; }
      if (b[1] & 0x80) this.masked = true;
      if (b.length < p + n) break;
      const op = b[0] & 15;
      const data = Buffer.from(b.subarray(p, p + n));
      this.#in = b.subarray(p + n);
      if (op === OP.CLOSE && !this.remoteClose) {
        this.remoteClose = { code: n >= 2 ? data.readUInt16BE(0) : null, reason: data.subarray(2), at: Date.now() };
      }
      this.events.push({ op, data });
    }
    this.#wake();
  }

  #wake(): void { for (const w of this.#waiters) w(); }

  /** Resolves true once `pred()` holds, false after `ms`. */
  until(pred: () => boolean, ms = 3000): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => { if (pred()) done(true); };
      const done = (v: boolean) => { clearTimeout(t); this.#waiters.delete(check); resolve(v); };
      const t = setTimeout(() => done(false), waitMs(ms));
      this.#waiters.add(check);
    });
  }

  /** Writes bytes in one write, or one byte per write (awaiting each) when `oneByte`. */
  async write(b: Buffer, oneByte = false): Promise<void> {
    const w = (x: Buffer) => new Promise<void>((r) => {
      if (this.sock.destroyed) { r(); return; }
      this.sock.write(x, () => r());
    });
    if (!oneByte) return w(b);
    for (let i = 0; i < b.length; i++) await w(b.subarray(i, i + 1));
  }

  /** Waits for the server's Close frame and for the server to close TCP. */
  async closed(ms = 3000): Promise<{ code: number | null; reason: string; tcpClosed: boolean }> {
    await this.until(() => this.remoteClose !== null && this.tcpClosed, ms);
    return { code: this.remoteClose?.code ?? null, reason: this.remoteClose?.reason.toString() ?? '', tcpClosed: this.tcpClosed };
  }

  data(op?: number): WsEvent[] { return this.events.filter((e) => op === undefined || e.op === op); }
  destroy(): void { this.sock.destroy(); }
}

/** Sends raw bytes, reads the answer until the server closes or `ms` pass (then half-closes). */
export function rawHttp(port: number, request: string | Buffer, ms = 1500):
  Promise<{ status: number; head: string; headers: Record<string, string>; raw: string }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = Buffer.alloc(0);
    const done = () => {
      clearTimeout(t);
      s.destroy();
      const raw = out.toString('latin1');
      const head = raw.split('\r\n\r\n')[0];
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0), head, headers, raw });
    };
    s.on('data', (d: Buffer) => {
      out = Buffer.concat([out, d]);
      const raw = out.toString('latin1');
      if (/^HTTP\/1\.1 101/.test(raw) && raw.includes('\r\n\r\n')) done();
    });
    s.on('close', done);
    s.on('error', () => {});
    const t = setTimeout(done, ms);
    s.write(request);
  });
}

/** Upgrade request lines with a fixed key (the RFC 6455 sample) and `extra` headers. */
export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export function upgradeRequest(extra = '', opts: { method?: string; version?: string; key?: string | null; wsVersion?: string | null } = {}): string {
  const key = opts.key === undefined ? SAMPLE_KEY : opts.key;
  const v = opts.wsVersion === undefined ? '13' : opts.wsVersion;
  return `${opts.method ?? 'GET'} /chat HTTP/${opts.version ?? '1.1'}\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\n${key === null ? '' : `Sec-WebSocket-Key: ${key}\r\n`}` +
    `${v === null ? '' : `Sec-WebSocket-Version: ${v}\r\n`}${extra}\r\n`;
}

export const echoApp: App = {
  call: () => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'plain' }),
  onWSOpen(ws) { ws.onMessage((_binary, msg) => ws.send(msg)); },
};

/** A `ws` client, resolved once open. */
export function wsOpen(port: number, opts: WebSocketClient.ClientOptions = {}, protocols?: string[]): Promise<WebSocketClient> {
  return new Promise((resolve, reject) => {
    const c = new WebSocketClient(`ws://127.0.0.1:${port}/ws`, protocols ?? [], opts);
    c.once('open', () => resolve(c));
    c.once('error', reject);
  });
}

/** Sends `msg` and resolves with the next message received. */
export function roundTrip(c: WebSocketClient, msg: string | Buffer, opts: { binary?: boolean; fin?: boolean } = {}): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve, reject) => {
    c.once('message', (data: Buffer, binary: boolean) => resolve({ data: Buffer.from(data), binary }));
    c.send(msg, { binary: opts.binary ?? typeof msg !== 'string' }, (err) => { if (err) reject(err); });
  });
}

/** Resolves with the client's close code and reason. */
export function wsClosed(c: WebSocketClient): Promise<{ code: number; reason: string }> {
  if (c.readyState === c.CLOSED) return Promise.resolve({ code: -1, reason: '' });
  return new Promise((resolve) => c.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
}
