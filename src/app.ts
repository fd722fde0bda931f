// The App type and its validation: unknown keys and Express-style handlers are refused at
// start with a TypeError that says what was meant.
import type { RookRequest } from './rook.js';
import type { Response } from './response.js';
import type { WebSocket } from './websocket.js';
import type { StaticPath, StaticPathOptionsInput } from './static-paths.js';
import { argumentError, assertKnownKeys, isPlainObject, suggestName } from './validate.js';
import type { FetchHandler } from './fetch.js';

/**
 * An httpuv application; every member is optional. Object literals are checked against it, so
 * a misspelt member (`onWsOpen`) is a compile error with a "Did you mean" (and a TypeError at
 * start for JavaScript callers).
 */
export interface App {
  /**
   * Answers a request (not served by a static path): takes the Rook request and returns the
   * response (`{ status, headers, body }`), or a Promise of it. It is not a Node/Express
   * `(req, res)` handler: there is no `res` to write to. A Promise that settles after its
   * request is gone (client left, server stopped) is dropped and logged at DEBUG.
   */
  call?(req: RookRequest): Response | Promise<Response> | undefined | null;
  /**
   * The web-standard handler, an alternative to `call` (give one of them): gets a real
   * `Request` (absolute URL from Host and the target, headers, method, body, and a `signal` that
   * aborts when the client goes away) and returns a real `Response` (or a Promise of one):
   * status, headers (each `Set-Cookie` kept apart), and a string, bytes or `ReadableStream` body,
   * streamed as it is produced. A Hono app's `fetch` runs unchanged: `{ fetch: app.fetch }`.
   * Static paths, `onHeaders` and WebSockets work beside it as beside `call`.
   */
  fetch?: FetchHandler;
  /**
   * Runs after the headers, before the body: return a response to answer early, or nothing to
   * read the body and go on to `call`. An answer (or nothing) that comes after the request is
   * gone (client left, server stopped) is dropped and logged at DEBUG.
   */
  onHeaders?(req: RookRequest): Response | Promise<Response | null | undefined> | null | undefined;
  /** Receives each WebSocket after its handshake. */
  onWSOpen?(ws: WebSocket): void;
  /**
   * Static paths served on the I/O thread: URL prefix → a directory (or file) path, or a
   * {@link StaticPath} from `staticPath()` / `excludeStaticPath()`.
   */
  staticPaths?: Record<string, string | StaticPath>;
  /** Server-level static path options (`staticPathOptions(...)`, or a partial object of them). */
  staticPathOptions?: StaticPathOptionsInput;
}

/** The keys an app may have (a plain-object app with any other key is refused). */
export const APP_KEYS = ['call', 'fetch', 'onHeaders', 'onWSOpen', 'staticPaths', 'staticPathOptions'] as const;

// Other frameworks' names for an app member (lower-cased), for the "did you mean" of an unknown key.
const APP_SYNONYMS: Readonly<Record<string, string>> = {
  handler: 'call', handle: 'call', request: 'call', onrequest: 'call', listener: 'call',
  callback: 'call', serve: 'call', app: 'call',
  onheader: 'onHeaders', headers: 'onHeaders',
  onwsopen: 'onWSOpen', onwebsocket: 'onWSOpen', websocket: 'onWSOpen', ws: 'onWSOpen', onconnection: 'onWSOpen',
  onopen: 'onWSOpen', onupgrade: 'onWSOpen',
  static: 'staticPaths', staticpath: 'staticPaths', statics: 'staticPaths',
  staticoptions: 'staticPathOptions',
};

/** A validated app with its callbacks bound. */
export interface NormalizedApp {
  call?: App['call'];
  fetch?: (request: Request) => unknown;
  onHeaders?: App['onHeaders'];
  onWSOpen?: App['onWSOpen'];
  staticPaths?: Record<string, unknown>;
  staticPathOptions?: unknown;
}

const ROOK_CONTRACT = 'takes one argument, the Rook request (req.REQUEST_METHOD, req.PATH_INFO, ' +
  'req.QUERY_STRING, req.HEADERS, the body from req["rook.input"].read()), and returns the response ' +
  '{ status, headers, body } (or a Promise of it); there is no res to write to. ' +
  'Rewrite `(req, res) => { res.end(text) }` as `(req) => ({ status: 200, body: text })`';

/**
 * The Rook contract, checked where it can be at start: a handler declared with two or more
 * parameters, `(req, res)` or `(req, res, next)`, is a Node/Express handler (a Rook handler gets
 * one argument, so its `res` would be undefined on every request). Decided by arity at start,
 * not at the first request: the mistake shows when the server starts instead of as a 500 with
 * "Cannot read properties of undefined" later. (Parameters with defaults and rest parameters do
 * not count in a function's length, so `(req, opts = {})` and `(...args)` pass.)
 */
function checkArity(name: string, f: (...args: never[]) => unknown): void {
  if (f.length < 2) return;
  const e = new TypeError(`${name} is declared with ${f.length} parameters, like a Node/Express ` +
    `handler (req, res); an httpuv ${name === 'app.onHeaders' ? 'onHeaders' : 'call'} ${ROOK_CONTRACT}`);
  (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
  throw e;
}

/**
 * Accepts an App object (plain or class instance) or a bare `call` function. An app may carry
 * state of its own (`{ call, sockets: [] }`), so an unknown key is refused (a TypeError listing
 * the App keys, with a "did you mean") when it is a mistake: it looks like an App key the app
 * lacks and holds what that key would (`onWsOpen: fn`, `handler: fn`, `static: {…}`), or the
 * app has no App key at all (nothing would ever answer). A class instance's members are only
 * checked for App keys spelt with another case.
 */
export function normalizeApp(app: unknown): NormalizedApp {
  if (typeof app === 'function') {
    checkArity('app', app as (...args: never[]) => unknown);
    return { call: app as App['call'] };
  }
  if (app === null || typeof app !== 'object' || Array.isArray(app)) {
    throw argumentError('app', 'an object with call/onHeaders/onWSOpen/staticPaths, or a function', app);
  }
  const a = app as Record<string, unknown>;
  if (isPlainObject(a)) {
    checkUnknownKeys(a);
  } else {
    checkNearMisses(a);
  }
  const out: NormalizedApp = {};
  for (const key of ['call', 'fetch', 'onHeaders', 'onWSOpen'] as const) {
    const f = a[key];
    if (f === undefined || f === null) continue;
    if (typeof f !== 'function') throw argumentError(`app.${key}`, 'a function', f);
    // (fetch is exempt: a web-standard handler may take (request, env, ctx), as Hono's does.)
    if (key === 'call' || key === 'onHeaders') checkArity(`app.${key}`, f as (...args: never[]) => unknown);
    out[key] = (f as (...args: unknown[]) => never).bind(app) as never;
  }
  if (out.call !== undefined && out.fetch !== undefined) {
    const e = new TypeError('app.call and app.fetch are alternatives: give one of them, not both');
    (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
  if (a.staticPaths !== undefined && a.staticPaths !== null) {
    if (!isPlainObject(a.staticPaths)) throw argumentError('app.staticPaths', 'a plain object', a.staticPaths);
    out.staticPaths = a.staticPaths;
  }
  if (a.staticPathOptions !== undefined && a.staticPathOptions !== null) out.staticPathOptions = a.staticPathOptions;
  return out;
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

// An unknown key of a plain-object app is a mistake when it looks like an App key that the app
// lacks and holds that key's kind of value (a function for call/onHeaders/onWSOpen, an object
// for the static keys), or when the app has no App key at all.
function checkUnknownKeys(a: Record<string, unknown>): void {
  const unknown = Object.keys(a).filter((k) => !(APP_KEYS as readonly string[]).includes(k));
  if (unknown.length === 0) return;
  const anyKnown = APP_KEYS.some((k) => present(a[k]));
  const mistakes = anyKnown ? unknown.filter((k) => {
    const s = suggestName(k, APP_KEYS, APP_SYNONYMS) as (typeof APP_KEYS)[number] | undefined;
    if (s === undefined || present(a[s])) return false;
    const v = a[k];
    return s === 'staticPaths' || s === 'staticPathOptions' ? v !== null && typeof v === 'object' : typeof v === 'function';
  }) : unknown;
  if (mistakes.length > 0) {
    assertKnownKeys('app', Object.fromEntries(mistakes.map((k) => [k, a[k]])), APP_KEYS, APP_SYNONYMS, 'key');
  }
}

// A class instance's own and inherited member names (up to Object.prototype), checked for App
// keys spelt with other letter cases only (`onWsOpen`, `onheaders`): a class may well have a
// `handler` or an `all` of its own, so neither synonyms nor spelling distance apply here.
function checkNearMisses(a: Record<string, unknown>): void {
  const names = new Set<string>();
  for (let o: object | null = a; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const n of Object.getOwnPropertyNames(o)) if (n !== 'constructor') names.add(n);
  }
  for (const n of names) {
    if ((APP_KEYS as readonly string[]).includes(n)) continue;
    const s = APP_KEYS.find((k) => k.toLowerCase() === n.toLowerCase());
    if (s !== undefined && !names.has(s)) {
      const e = new TypeError(`app has a member ${n} but no ${s}; did you mean ${s}? ` +
        `(an app's members are ${APP_KEYS.join(', ')})`);
      (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
      throw e;
    }
  }
}
