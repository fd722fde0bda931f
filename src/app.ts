// The App type and its validation.
import type { RookRequest } from './rook.js';
import type { Response } from './response.js';
import type { WebSocket } from './websocket.js';
import { argumentError, isPlainObject } from './validate.js';

/** An httpuv application; every member is optional. */
export interface App {
  /**
   * Answers a request (not served by a static path). May return a Promise; one that settles
   * after its request is gone (client left, server stopped) is dropped and logged at DEBUG.
   */
  call?(req: RookRequest): Response | Promise<Response> | undefined | null;
  /**
   * Runs after the headers, before the body: return a response to answer early, or nothing to
   * read the body and go on to `call`. An answer (or nothing) that comes after the request is
   * gone (client left, server stopped) is dropped and logged at DEBUG.
   */
  onHeaders?(req: RookRequest): Response | Promise<Response | null | undefined> | null | undefined;
  /** Receives each WebSocket after its handshake. */
  onWSOpen?(ws: WebSocket): void;
  /** `{ "/url": "dir" | staticPath(...) }`, served on the I/O thread. */
  staticPaths?: Record<string, unknown>;
  /** Server-level static path options (`staticPathOptions(...)`). */
  staticPathOptions?: unknown;
}

/** A validated app with its callbacks bound. */
export interface NormalizedApp {
  call?: App['call'];
  onHeaders?: App['onHeaders'];
  onWSOpen?: App['onWSOpen'];
  staticPaths?: Record<string, unknown>;
  staticPathOptions?: unknown;
}

/** Accepts an App object (plain or class instance) or a bare `call` function. */
export function normalizeApp(app: unknown): NormalizedApp {
  if (typeof app === 'function') return { call: app as App['call'] };
  if (app === null || typeof app !== 'object' || Array.isArray(app)) {
    throw argumentError('app', 'an object with call/onHeaders/onWSOpen/staticPaths, or a function', app);
  }
  const a = app as Record<string, unknown>;
  const out: NormalizedApp = {};
  for (const key of ['call', 'onHeaders', 'onWSOpen'] as const) {
    const f = a[key];
    if (f === undefined || f === null) continue;
    if (typeof f !== 'function') throw argumentError(`app.${key}`, 'a function', f);
    out[key] = (f as (...args: unknown[]) => never).bind(app) as never;
  }
  if (a.staticPaths !== undefined && a.staticPaths !== null) {
    if (!isPlainObject(a.staticPaths)) throw argumentError('app.staticPaths', 'a plain object', a.staticPaths);
    out.staticPaths = a.staticPaths;
  }
  if (a.staticPathOptions !== undefined && a.staticPathOptions !== null) out.staticPathOptions = a.staticPathOptions;
  return out;
}
