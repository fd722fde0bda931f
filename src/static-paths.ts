// Static path configuration (httpuv R/static_paths.R + the option merging of src/staticpath.cpp):
// staticPath, excludeStaticPath, staticPathOptions, and the helpers the server uses to validate
// them and to hand one fully merged list to the native layer. Pure TypeScript on the JS thread;
// the only I/O is the synchronous stat of a static path's directory when it is created.

import * as fs from 'node:fs';
import type { NativeStaticEntry } from './native.js';
import {
  argumentError, assertKnownKeys, describe, isHttpFieldValue, isHttpToken, isPlainObject, valueError,
} from './validate.js';

/** Extra response headers of a static path: header name → value. */
export type StaticHeaders = Readonly<Record<string, string>>;

/**
 * Options of {@link staticPath} (httpuv's arguments, camelCase). Absent or `null` means "inherit
 * from the server-level options" (never from a shorter static path).
 */
export interface StaticPathInput {
  /** Serve `index.html` for a request of the static path or a directory below it. */
  indexhtml?: boolean | null;
  /** Pass a request for a missing file to the app's `call` instead of answering 404. */
  fallthrough?: boolean | null;
  /** Charset added to `text/html` Content-Types; `""` adds none. */
  htmlCharset?: string | null;
  /**
   * Extra response headers, `{ "Cache-Control": "max-age=60" }`; `{}` sets none. Names must be
   * HTTP tokens; values may hold tab, space, visible ASCII and U+0080–U+00FF only (they are sent
   * as latin1: no CR, LF, NUL or other control character, no character above U+00FF), else a
   * TypeError; `Content-Length`, `Transfer-Encoding` and `Connection` are refused because the
   * server sets them itself.
   */
  headers?: Record<string, string> | null;
  /**
   * Header checks, each `'"Header-Name" == "value"'` (R's form; single or double quotes): the
   * request must carry that header (name case-insensitive) with exactly that value, else 403.
   * One string or an array (all must match); `""` or `[]` means no check.
   */
  validation?: string | readonly string[] | null;
  /**
   * Answer a request for a directory without its trailing `/` (`/docs`) with a 301 to `/docs/`,
   * the query string kept, so relative links in its index.html resolve (what `serve`, nginx and
   * Express's `serve-static` do). The Location is the request's normalised path, percent-encoded:
   * always one leading `/`, never another host (`//evil.com` redirects to `/evil.com/`). Default
   * false (httpuv serves `/docs` as `/docs/`); `runStaticServer` and the CLI turn it on.
   */
  redirectDirectories?: boolean | null;
  /**
   * Answer a directory that has no `index.html` (or when `indexhtml` is false) with an HTML list
   * of its files and subdirectories, built on the I/O thread. It never lists a dotfile, a symlink
   * that leads out of the directory served, a name under an excluded static path or one the
   * request's headers would fail validation for. Default false.
   */
  directoryListing?: boolean | null;
  /**
   * Single-page app fallback: a GET or HEAD for a missing path whose last segment has no `.`
   * (`/users/42`, not `/app.js`) is answered with the static path's own `index.html`, before
   * `fallthrough` is considered. Default false.
   */
  spaFallback?: boolean | null;
}

/** Input of {@link staticPathOptions} and of `server.setStaticPathOption()`. */
export interface StaticPathOptionsInput extends StaticPathInput {
  /** Exclude from static serving (only meaningful on a single path; see {@link excludeStaticPath}). */
  exclude?: boolean | null;
}

/** The options a {@link StaticPath} carries; `null` = inherit from the server-level options. */
export interface StaticPathSettings {
  /** See {@link StaticPathInput.indexhtml}. */
  readonly indexhtml: boolean | null;
  /** See {@link StaticPathInput.fallthrough}. */
  readonly fallthrough: boolean | null;
  /** See {@link StaticPathInput.htmlCharset}. */
  readonly htmlCharset: string | null;
  /** See {@link StaticPathInput.redirectDirectories}. */
  readonly redirectDirectories: boolean | null;
  /** See {@link StaticPathInput.directoryListing}. */
  readonly directoryListing: boolean | null;
  /** See {@link StaticPathInput.spaFallback}. */
  readonly spaFallback: boolean | null;
  /** A frozen copy of the extra headers; `{}` = explicitly none. */
  readonly headers: StaticHeaders | null;
  /** The validation rules as given (R's string form); `[]` = explicitly none. */
  readonly validation: readonly string[] | null;
  /** True only for {@link excludeStaticPath}. */
  readonly exclude: boolean;
}

/** Server-level static path options: every option set (see {@link staticPathOptions}). */
export interface StaticPathOptions {
  /** Serve `index.html` for directories (default true). */
  readonly indexhtml: boolean;
  /** Pass missing files to the app's `call` instead of a 404 (default false). */
  readonly fallthrough: boolean;
  /** Charset of `text/html` responses, `""` for none (default "utf-8"). */
  readonly htmlCharset: string;
  /** Extra response headers (default none). */
  readonly headers: StaticHeaders;
  /** 301 from `/dir` to `/dir/` (default false, as httpuv). */
  readonly redirectDirectories: boolean;
  /** HTML listing of a directory without index.html (default false). */
  readonly directoryListing: boolean;
  /** Missing extension-less paths get the static path's index.html (default false). */
  readonly spaFallback: boolean;
  /** Validation rules in R's string form, all must match (default none). */
  readonly validation: readonly string[];
  /** Kept for httpuv parity; a static path's own `exclude` always decides (default false). */
  readonly exclude: boolean;
}

const PATH_KEYS = ['indexhtml', 'fallthrough', 'htmlCharset', 'headers', 'validation',
  'redirectDirectories', 'directoryListing', 'spaFallback'] as const;
const OPTION_KEYS = [...PATH_KEYS, 'exclude'] as const;
const BRAND = Symbol('StaticPath');

// Headers the native layer computes itself; a configured copy would corrupt the framing.
const FORBIDDEN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/**
 * A local directory (or file) served under a URL prefix, with its own options. Made by
 * {@link staticPath} or {@link excludeStaticPath}; immutable.
 */
export class StaticPath {
  /** Absolute, symlink-free local path (`fs.realpathSync`); `""` for an excluded path. */
  readonly path: string;
  /** Per-path options; `null` members inherit from the server-level options. */
  readonly options: StaticPathSettings;

  /** @internal Use {@link staticPath} or {@link excludeStaticPath}. */
  constructor(path: string, options: StaticPathSettings, brand: symbol) {
    if (brand !== BRAND) throw new TypeError('use staticPath() or excludeStaticPath() to make a StaticPath');
    this.path = path;
    this.options = Object.freeze({ ...options });
    Object.freeze(this);
  }

  /** A multi-line description, like httpuv's `format.staticPath` (`<inherit>` for null). */
  toString(): string {
    const o = this.options;
    const show = (v: unknown): string => (v === null ? '<inherit>' : String(v));
    const headers = o.headers === null ? '<inherit>'
      : Object.keys(o.headers).length === 0 ? '<none>'
        : Object.entries(o.headers).map(([k, v]) => `\n    ${JSON.stringify(k)} = ${JSON.stringify(v)}`).join('');
    const validation = o.validation === null ? '<inherit>'
      : o.validation.length === 0 ? '<none>' : o.validation.join(', ');
    return [
      '<staticPath>',
      `  Local path:        ${this.path === '' ? '<none>' : this.path}`,
      `  Use index.html:    ${show(o.indexhtml)}`,
      `  Fallthrough:       ${show(o.fallthrough)}`,
      `  HTML charset:      ${o.htmlCharset === '' ? '<none>' : show(o.htmlCharset)}`,
      `  Extra headers:     ${headers}`,
      `  Validation params: ${validation}`,
      `  Redirect dirs:     ${show(o.redirectDirectories)}`,
      `  Dir listing:       ${show(o.directoryListing)}`,
      `  SPA fallback:      ${show(o.spaFallback)}`,
      `  Exclude path:      ${String(o.exclude)}`,
    ].join('\n');
  }
}

// ---- option parsing ------------------------------------------------------------------------

function parseBoolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw argumentError(name, 'a boolean', v);
  return v;
}

function parseCharset(name: string, v: unknown): string {
  if (typeof v !== 'string') throw argumentError(name, 'a string', v);
  // It is written into `Content-Type: text/html; charset=<v>`, so it must be a token.
  if (v !== '' && !isHttpToken(v)) throw valueError(name, 'a charset name (an HTTP token) or ""', v);
  return v;
}

// Header values go on the wire one latin1 byte per character: checked after that conversion.
const FIELD_VALUE_CHARS = 'tab, space, visible ASCII and U+0080–U+00FF only (no CR, LF, NUL or ' +
  'other control, no character above U+00FF)';
const FIELD_VALUE_RULE = `a header value of ${FIELD_VALUE_CHARS}`;

function parseHeaders(name: string, v: unknown): StaticHeaders {
  if (!isPlainObject(v)) throw argumentError(name, 'a plain object of header names to string values', v);
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(v)) {
    const n = `${name}[${JSON.stringify(key)}]`;
    if (!isHttpToken(key)) throw valueError(`${name} key ${JSON.stringify(key)}`, 'a header name (an HTTP token)', key);
    if (FORBIDDEN_HEADERS.has(key.toLowerCase())) {
      throw valueError(`${name} key ${JSON.stringify(key)}`, 'a header the server does not set itself', key);
    }
    if (typeof value !== 'string') throw argumentError(n, 'a string', value);
    if (!isHttpFieldValue(value)) throw valueError(n, FIELD_VALUE_RULE, value);
    entries.push([key, value]);
  }
  return Object.freeze(Object.fromEntries(entries));
}

const VALIDATION_FORM = `a string of the form '"Header-Name" == "value"'`;

/** Reads one R-style string literal at `s[i]`; returns [text, index after it] or null. */
function readLiteral(s: string, i: number): [string, number] | null {
  const quote = s[i];
  if (quote !== '"' && quote !== '\'') return null;
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === quote) return [out, j + 1];
    if (c === '\\') {
      const next = s[j + 1];
      if (next !== '\\' && next !== '"' && next !== '\'') return null; // only \\ \" \' are allowed
      out += next;
      j++;
      continue;
    }
    out += c;
  }
  return null;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i;
}

/**
 * Parses one validation rule, `"Header-Name" == "value"` (string literals in single or double
 * quotes, `\\`, `\"`, `\'` escapes, spaces or tabs around `==`). Returns [name, value] or throws a
 * TypeError naming `name`.
 */
function parseValidationRule(name: string, rule: string): [string, string] {
  let i = skipSpace(rule, 0);
  const header = readLiteral(rule, i);
  if (header !== null) {
    i = skipSpace(rule, header[1]);
    if (rule.startsWith('==', i)) {
      const value = readLiteral(rule, skipSpace(rule, i + 2));
      if (value !== null && skipSpace(rule, value[1]) === rule.length) {
        if (!isHttpToken(header[0])) throw valueError(name, `${VALIDATION_FORM} with a valid header name`, rule);
        if (!isHttpFieldValue(value[0])) throw valueError(name, `${VALIDATION_FORM} with a value of ${FIELD_VALUE_CHARS}`, rule);
        return [header[0], value[0]];
      }
    }
  }
  throw valueError(name, VALIDATION_FORM, rule);
}

function parseValidation(name: string, v: unknown): readonly string[] {
  if (typeof v !== 'string' && !Array.isArray(v)) throw argumentError(name, `${VALIDATION_FORM}, or an array of them`, v);
  const list: unknown[] = typeof v === 'string' ? [v] : v;
  const out: string[] = [];
  list.forEach((rule, i) => {
    const n = Array.isArray(v) ? `${name}[${i}]` : name;
    if (typeof rule !== 'string') throw argumentError(n, VALIDATION_FORM, rule);
    if (rule === '') return; // R: "" means no validation
    parseValidationRule(n, rule);
    out.push(rule);
  });
  return Object.freeze(out);
}

type Parsed = { -readonly [K in keyof StaticPathOptions]?: StaticPathOptions[K] };

/** Validates the non-null members of `o` (keys already checked). */
function parseOptions(o: Record<string, unknown>, argName: string): Parsed {
  const out: Parsed = {};
  const n = (k: string): string => `${argName}.${k}`;
  if (o.indexhtml !== undefined && o.indexhtml !== null) out.indexhtml = parseBoolean(n('indexhtml'), o.indexhtml);
  if (o.fallthrough !== undefined && o.fallthrough !== null) out.fallthrough = parseBoolean(n('fallthrough'), o.fallthrough);
  if (o.htmlCharset !== undefined && o.htmlCharset !== null) out.htmlCharset = parseCharset(n('htmlCharset'), o.htmlCharset);
  if (o.headers !== undefined && o.headers !== null) out.headers = parseHeaders(n('headers'), o.headers);
  if (o.validation !== undefined && o.validation !== null) out.validation = parseValidation(n('validation'), o.validation);
  if (o.exclude !== undefined && o.exclude !== null) out.exclude = parseBoolean(n('exclude'), o.exclude);
  for (const k of ['redirectDirectories', 'directoryListing', 'spaFallback'] as const) {
    if (o[k] !== undefined && o[k] !== null) out[k] = parseBoolean(n(k), o[k]);
  }
  return out;
}

function optionsObject(argName: string, v: unknown, keys: readonly string[]): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) throw argumentError(argName, 'a plain object', v);
  assertKnownKeys(argName, v, keys);
  return v;
}

// ---- public constructors -------------------------------------------------------------------

function makeStaticPath(path: unknown, options: unknown, pathName: string, optionsName: string): StaticPath {
  if (typeof path !== 'string') throw argumentError(pathName, 'a non-empty string', path);
  if (path === '') throw valueError(pathName, 'a non-empty string', path);
  if (path.includes('\0')) throw valueError(pathName, 'a path without NUL characters', path);
  const parsed = parseOptions(optionsObject(optionsName, options, PATH_KEYS), optionsName);
  let real: string;
  let stat: fs.Stats;
  try {
    real = fs.realpathSync(path);
    stat = fs.statSync(real);
  } catch (err) {
    const cause = err as NodeJS.ErrnoException;
    const e = new Error(`${pathName} must be an existing directory or file, got ${describe(path)}: ${cause.message}`);
    (e as { code?: string }).code = cause.code ?? 'ENOENT';
    (e as { cause?: unknown }).cause = err;
    throw e;
  }
  if (!stat.isDirectory() && !stat.isFile()) throw valueError(pathName, 'a directory or a regular file', path);
  return new StaticPath(real, {
    indexhtml: parsed.indexhtml ?? null,
    fallthrough: parsed.fallthrough ?? null,
    htmlCharset: parsed.htmlCharset ?? null,
    headers: parsed.headers ?? null,
    validation: parsed.validation ?? null,
    redirectDirectories: parsed.redirectDirectories ?? null,
    directoryListing: parsed.directoryListing ?? null,
    spaFallback: parsed.spaFallback ?? null,
    exclude: false,
  }, BRAND);
}

/**
 * Creates a static path: files under the local `path` are served by the I/O thread (httpuv's
 * `staticPath`). Options left out or `null` inherit from the server-level options
 * ({@link staticPathOptions}), never from a shorter static path.
 *
 * `path` is resolved when the object is made, with `fs.realpathSync` (absolute, symlinks resolved,
 * as R's `normalizePath`), so later changes of the working directory do not matter. It must be an
 * existing directory, or a single file (httpuv allows it: the URL prefix then serves that file).
 *
 * @param path - Local directory (or file).
 * @param options - `{ indexhtml, fallthrough, htmlCharset, headers, validation,
 *   redirectDirectories, directoryListing, spaFallback }`.
 * @returns An immutable {@link StaticPath}.
 * @throws TypeError naming `path` (not a non-empty string, not a directory or file) or the
 *   offending `options.<name>` (wrong type, unknown key, bad validation syntax); `Error` with the
 *   file system's `code` (e.g. `ENOENT`, `EACCES`) when `path` cannot be resolved.
 */
export function staticPath(path: string, options?: StaticPathInput): StaticPath {
  return makeStaticPath(path, options, 'path', 'options');
}

/**
 * Creates an excluded static path: requests under its URL prefix are not served statically but go
 * to the app's `call`, even below a static path (httpuv's `excludeStaticPath`). Works for a
 * directory prefix or a single file. Its local path is `""`; its other options inherit.
 */
export function excludeStaticPath(): StaticPath {
  return new StaticPath('', {
    indexhtml: null, fallthrough: null, htmlCharset: null, headers: null, validation: null,
    redirectDirectories: null, directoryListing: null, spaFallback: null, exclude: true,
  }, BRAND);
}

const DEFAULTS: StaticPathOptions = Object.freeze({
  indexhtml: true,
  fallthrough: false,
  htmlCharset: 'utf-8',
  headers: Object.freeze({}),
  validation: Object.freeze([]) as readonly string[],
  redirectDirectories: false,
  directoryListing: false,
  spaFallback: false,
  exclude: false,
});

/**
 * Creates server-level static path options (httpuv's `staticPathOptions`), used as the app's
 * `staticPathOptions` and inherited by every static path that leaves an option unset. Defaults:
 * `indexhtml: true`, `fallthrough: false`, `htmlCharset: "utf-8"`, `headers: {}`,
 * `validation: []` (none), `redirectDirectories: false`, `directoryListing: false`,
 * `spaFallback: false`, `exclude: false`. Left-out or `null` options take the default.
 *
 * @param options - `{ indexhtml, fallthrough, htmlCharset, headers, validation,
 *   redirectDirectories, directoryListing, spaFallback, exclude }`.
 * @returns A frozen plain object with every option set (validation as an array of rule strings).
 * @throws TypeError naming `options` or the offending `options.<name>`.
 */
export function staticPathOptions(options?: StaticPathOptionsInput): StaticPathOptions {
  const parsed = parseOptions(optionsObject('options', options, OPTION_KEYS), 'options');
  return Object.freeze({ ...DEFAULTS, ...parsed });
}

// ---- helpers for the server ----------------------------------------------------------------

/**
 * @internal Returns `base` with the non-null options of `patch` replacing its own (for the app's
 * `staticPathOptions` and `server.setStaticPathOption`). `null` or absent members leave the option
 * unchanged (httpuv cannot unset a server-level option either); `headers` and `validation` are
 * replaced as a whole. `patch` may be the result of {@link staticPathOptions}.
 *
 * @throws TypeError naming `argName` (not a plain object, unknown keys) or `argName.<option>`.
 */
export function mergeStaticPathOptions(base: StaticPathOptions, patch: unknown, argName: string): StaticPathOptions {
  const parsed = parseOptions(optionsObject(argName, patch, OPTION_KEYS), argName);
  return Object.freeze({ ...base, ...parsed });
}

/**
 * @internal Normalises a URL prefix into the form request paths are matched in (the I/O thread matches the
 * request's one normalised path: decoded once, no empty or `.` segment): a leading `/` added,
 * empty and `.` segments dropped (`"/a//./b/"` → `"/a/b"`, so `"//private"` is no dead rule that
 * never matches), trailing `/`s removed except for `"/"`. Returns null for a `..` segment, which
 * no request path can contain (such a request is refused with 400).
 */
export function normalizeKey(key: string): string | null {
  const segments = key.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return null;
  return '/' + segments.join('/');
}

/**
 * @internal Validates `{ "/url": "dir" | StaticPath }` (the app's `staticPaths`, the argument of
 * `setStaticPath`) into a Map from normalised URL prefix to {@link StaticPath}. Keys get a leading
 * `/` when missing, lose empty and `.` segments and trailing `/`s (`"3"` → `"/3"`, `"/2/"` →
 * `"/2"`, `"//a/./b"` → `"/a/b"`, `"/"` stays). A string value is passed to {@link staticPath}.
 * `null`/`undefined` give an empty Map.
 *
 * @throws TypeError naming `argName` (not a plain object; an empty key; a key with a `..` segment;
 *   two keys that normalise to the same prefix) or `argName["key"]` (a value that is neither a
 *   string nor a StaticPath, or
 *   an invalid directory; a missing directory is an `Error` with the file system's code).
 */
export function normalizeStaticPaths(paths: unknown, argName: string): Map<string, StaticPath> {
  const out = new Map<string, StaticPath>();
  if (paths === undefined || paths === null) return out;
  if (!isPlainObject(paths)) throw argumentError(argName, 'a plain object of URL paths to directories or staticPath objects', paths);
  const originalKey = new Map<string, string>();
  for (const [key, value] of Object.entries(paths)) {
    const n = `${argName}[${JSON.stringify(key)}]`;
    if (key === '') throw valueError(`${argName} key`, 'a non-empty URL path', key);
    if (key.includes('\0')) throw valueError(`${argName} key`, 'a URL path without NUL characters', key);
    const norm = normalizeKey(key);
    if (norm === null) throw valueError(`${argName} key`, 'a URL path without ".." segments', key);
    const earlier = originalKey.get(norm);
    if (earlier !== undefined) {
      throw valueError(`${argName} keys`, `distinct URL paths, but ${JSON.stringify(earlier)} and ` +
        `${JSON.stringify(key)} both mean ${JSON.stringify(norm)}`, paths);
    }
    originalKey.set(norm, key);
    let sp: StaticPath;
    if (value instanceof StaticPath) sp = value;
    else if (typeof value === 'string') sp = makeStaticPath(value, undefined, n, 'options');
    else throw argumentError(n, 'a directory path string or a staticPath object', value);
    out.set(norm, sp);
  }
  return out;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * @internal Merges every static path with the server-level options (a path's own option wins when
 * not null) into the list the native layer receives, longest URL prefix first (ties in code unit
 * order), so a matcher can take the first entry that fits. Excluded paths have `dir: null`.
 * `headers` is flattened to `[name, value, …]` in insertion order; `validation` to
 * `[headerName, value, …]` with each header name lower-cased (matched case-insensitively; every
 * pair must match).
 */
export function resolveStaticPaths(paths: Map<string, StaticPath>, serverOptions: StaticPathOptions): NativeStaticEntry[] {
  const entries: NativeStaticEntry[] = [];
  for (const [url, sp] of paths) {
    const o = sp.options;
    const headers = o.headers ?? serverOptions.headers;
    const validation = o.validation ?? serverOptions.validation;
    entries.push({
      path: url,
      dir: o.exclude ? null : sp.path,
      indexhtml: o.indexhtml ?? serverOptions.indexhtml,
      fallthrough: o.fallthrough ?? serverOptions.fallthrough,
      htmlCharset: o.htmlCharset ?? serverOptions.htmlCharset,
      redirectDirectories: o.redirectDirectories ?? serverOptions.redirectDirectories,
      directoryListing: o.directoryListing ?? serverOptions.directoryListing,
      spaFallback: o.spaFallback ?? serverOptions.spaFallback,
      headers: Object.entries(headers).flat(),
      validation: validation.flatMap((rule) => {
        const [name, value] = parseValidationRule('validation', rule);
        return [name.toLowerCase(), value];
      }),
    });
  }
  return entries.sort((a, b) => utf8Length(b.path) - utf8Length(a.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
