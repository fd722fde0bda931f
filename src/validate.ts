// Argument checks for the public API. Every user-facing check lives in TypeScript (the native layer
// trusts what it is given); errors name the argument and say what was expected and what came.

/** Short, safe description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return 'array';
  if (Buffer.isBuffer(v)) return 'Buffer';
  return typeof v === 'object' ? `object (${Object.prototype.toString.call(v).slice(8, -1)})` : typeof v;
}

/** A TypeError of the one shape used everywhere: `<name> must be <expected>, got <what>`. */
export function argumentError(name: string, expected: string, got: unknown): TypeError {
  const e = new TypeError(`${name} must be ${expected}, got ${describe(got)}`);
  (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
  return e;
}

/**
 * An option or argument this platform cannot honour (`reusePort` on Windows, a pipe `mask` on
 * Windows): a RangeError that names the option and the platform, code
 * `ERR_HTTPUV_UNSUPPORTED_ON_PLATFORM`.
 */
export function unsupportedError(name: string, why: string, platform: string = process.platform): RangeError {
  const e = new RangeError(`${name} is not supported on ${platform}: ${why}`);
  (e as { code?: string }).code = 'ERR_HTTPUV_UNSUPPORTED_ON_PLATFORM';
  return e;
}

/** A RangeError of the same shape, for values of the right type outside the allowed range. */
export function rangeError(name: string, expected: string, got: unknown): RangeError {
  const e = new RangeError(`${name} must be ${expected}, got ${describe(got)}`);
  (e as { code?: string }).code = 'ERR_OUT_OF_RANGE';
  return e;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function assertString(name: string, v: unknown): asserts v is string {
  if (typeof v !== 'string') throw argumentError(name, 'a string', v);
}

export function assertBoolean(name: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') throw argumentError(name, 'a boolean', v);
}

export function assertFunction(name: string, v: unknown): asserts v is (...args: never[]) => unknown {
  if (typeof v !== 'function') throw argumentError(name, 'a function', v);
}

/** An integer number within [min, max]: TypeError for non-numbers, RangeError otherwise. */
export function assertInteger(name: string, v: unknown, min = Number.MIN_SAFE_INTEGER,
                              max = Number.MAX_SAFE_INTEGER): asserts v is number {
  if (typeof v !== 'number') throw argumentError(name, 'an integer', v);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw rangeError(name, `an integer from ${min} to ${max}`, v);
  }
}

export function assertPlainObject(name: string, v: unknown): asserts v is Record<string, unknown> {
  if (!isPlainObject(v)) throw argumentError(name, 'a plain object', v);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The known name `name` was probably meant to be, or undefined: a case-insensitive match first,
 * then `synonyms` (other frameworks' names for the same thing, e.g. `handler` → `call`), then the
 * closest name by edit distance when it is close enough (under 40 % of the name's length, the
 * rule TypeScript uses for its own "Did you mean" suggestions).
 */
export function suggestName(name: string, known: readonly string[],
                            synonyms: Readonly<Record<string, string>> = {}): string | undefined {
  const lower = name.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  const syn = Object.prototype.hasOwnProperty.call(synonyms, lower) ? synonyms[lower] : undefined;
  if (syn !== undefined && known.includes(syn)) return syn;
  let best: string | undefined;
  let bestDistance = Math.floor(name.length * 0.4) + 1;
  for (const k of known) {
    if (Math.abs(k.length - name.length) > Math.max(2, Math.floor(name.length * 0.34))) continue;
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Throws a TypeError naming every key of `obj` that is not in `allowed`, with a "did you mean"
 * for each one that looks like a known key (see {@link suggestName}), and the known keys.
 * `what` is the noun in the message ("option" for options, "key" for the app).
 */
export function assertKnownKeys(name: string, obj: Record<string, unknown>, allowed: readonly string[],
                                synonyms: Readonly<Record<string, string>> = {}, what = 'option'): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    const hints = unknown.flatMap((k) => {
      const s = suggestName(k, allowed, synonyms);
      return s === undefined ? [] : [`${k} → ${s}`];
    });
    const hint = hints.length === 0 ? ''
      : unknown.length === 1 ? `; did you mean ${hints[0].split(' → ')[1]}?` : `; did you mean ${hints.join(', ')}?`;
    const e = new TypeError(`${name} has unknown ${what}${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}` +
      `${hint} (known: ${allowed.join(', ')})`);
    (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
}

/**
 * A TypeError of the same shape for a value of the right type whose content is not allowed
 * (bad syntax, a forbidden character): code `ERR_INVALID_ARG_VALUE`, as Node uses for these.
 */
export function valueError(name: string, expected: string, got: unknown): TypeError {
  const e = new TypeError(`${name} must be ${expected}, got ${describe(got)}`);
  (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
  return e;
}

/** True for an HTTP token (RFC 9110 §5.6.2 `1*tchar`), the syntax of a header field name. */
export function isHttpToken(v: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v);
}

/**
 * True for a header field value as it may go on the wire (RFC 9110 §5.5): HTAB, SP, VCHAR and
 * obs-text (U+0080–U+00FF) only, the set Node's `validateHeaderValue` accepts. Values are sent
 * one latin1 byte per character, so this also refuses every character above U+00FF (U+010D would
 * lose its high byte and become CR), and CR, LF, NUL and the other controls.
 */
export function isHttpFieldValue(v: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(v);
}
