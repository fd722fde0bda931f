// Raw-socket helpers shared by the hostile-client tests (test/http/hostile-*.test.ts): open many
// loopback connections, watch when the server closes them, time a well-behaved request.
import * as net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { waitMs } from '../helpers/emulation.js';
import { pace } from '../helpers/tools.js';

/**
 * Measures how late this process's own event loop ran while a timing test was going on. Times
 * taken on the client side (a socket's 'close' event, a probe's answer) include that delay, which
 * a busy machine can push past a second; timing bounds add it so they test the server, not the
 * machine's load. `stop()` returns the worst delay seen, in ms.
 */
export function loopLag(): { stop: () => number } {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return {
    stop: () => {
      h.disable();
      return Math.round(h.max / 1e6);
    },
  };
}

/** One raw connection with what the server did to it. */
export interface Watched {
  socket: net.Socket;
  openedAt: number;
  closedAt: number | null;
  received: Buffer;
  error: string | null;
}

/** Connects to 127.0.0.1:port and records data, errors and the close time. */
export function watch(port: number): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const w: Watched = { socket, openedAt: 0, closedAt: null, received: Buffer.alloc(0), error: null };
    socket.on('data', (d: Buffer) => {
      if (w.received.length < 4096) w.received = Buffer.concat([w.received, d]);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => { w.error = e.code ?? e.message; });
    socket.on('close', () => { w.closedAt = Date.now(); });
    socket.once('connect', () => { w.openedAt = Date.now(); resolve(w); });
    socket.once('error', (e) => { if (w.openedAt === 0) reject(e); });
  });
}

/** A complete GET on a fresh connection; resolves with the status and the elapsed ms. */
export function timedGet(port: number, path = '/', timeoutMs = 5000): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`GET ${path} timed out`)); }, waitMs(timeoutMs));
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      if (m && buf.includes('\r\n\r\n')) {
        clearTimeout(timer);
        s.destroy();
        resolve({ status: Number(m[1]), ms: Date.now() - t0 });
      }
    });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.write(`GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
  });
}

/**
 * Keeps probing with timedGet every `everyMs` until stop() and reports the latencies; answered()
 * counts the probes answered so far (a test can wait for a number of them).
 */
export function probe(port: number, everyMs: number):
  { answered: () => number; stop: () => Promise<{ n: number; max: number; failures: string[] }> } {
  const lat: number[] = [];
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const r = await timedGet(port);
        if (r.status !== 200) failures.push(`status ${r.status}`);
        lat.push(r.ms);
      } catch (e) {
        failures.push(String(e));
      }
      await pace(everyMs);  // the probe's own rhythm
    }
  })();
  return {
    answered: () => lat.length,
    stop: async () => {
      running = false;
      await loop;
      return { n: lat.length, max: lat.length ? Math.max(...lat) : -1, failures };
    },
  };
}
