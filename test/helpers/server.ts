// Starting and stopping real servers in tests: port 0 on 127.0.0.1, always stopped.
import assert from 'node:assert/strict';
import test from 'node:test';
import { listServers, startServer, stopAllServers } from '../../src/index.js';
import type { App, AppArg, Response, RookRequest, ServerOptions, WebServer } from '../../src/index.js';

export type { AppArg };

/** What `withServer` hands its function: the server, its port and its base URL. */
export interface ServerContext {
  server: WebServer;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
}

/**
 * Starts a server on 127.0.0.1 port 0 with `options`, runs `fn({ server, port, url })`, and always
 * awaits `server.stop()`. The one way the tests start a server for the length of a block.
 */
export async function withServer<T>(app: AppArg, fn: (ctx: ServerContext) => Promise<T> | T,
                                     options?: ServerOptions): Promise<T> {
  const server = startServer('127.0.0.1', 0, app, options);
  const port = server.getPort();
  try {
    return await fn({ server, port, url: `http://127.0.0.1:${port}` });
  } finally {
    await server.stop();
  }
}

/** Asserts that no server is left running. */
export function assertNoServers(): void {
  const left = listServers();
  assert.equal(left.length, 0, `servers left running: ${left.length}`);
}

/**
 * Registers the last test of a file: nothing left running. A leak is stopped before the
 * assertion fails so the file still exits.
 */
export function finalNoServersTest(): void {
  test('no servers are left running', async () => {
    const left = listServers().length;
    if (left > 0) await stopAllServers();
    assert.equal(left, 0, `servers left running: ${left}`);
  });
}

/** What an app saw of one request (plain values, copied during `call`). */
export interface Seen {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  env: Record<string, unknown>;
  body: Buffer;
}

export function snapshot(req: RookRequest): Seen {
  const env: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req)) if (typeof v === 'string') env[k] = v;
  return {
    method: req.REQUEST_METHOD, path: req.PATH_INFO, query: req.QUERY_STRING,
    headers: { ...req.HEADERS }, env, body: req['rook.input'].read(),
  };
}

/** An app that records each request and answers 200 with `METHOD PATH` (or `respond`'s answer). */
export function recordingApp(respond?: (req: RookRequest, seen: Seen) => Response | Promise<Response>):
  { app: App; seen: Seen[] } {
  const seen: Seen[] = [];
  const app: App = {
    call(req) {
      const s = snapshot(req);
      seen.push(s);
      if (respond) return respond(req, s);
      return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: `${s.method} ${s.path}${s.query}` };
    },
  };
  return { app, seen };
}
