// randomPort(): find a free TCP port the way httpuv's R/random_port.R does, skipping the ports
// browsers refuse to connect to. The availability probe is injected (the server layer wires it to
// the addon's synchronous bind test), which keeps this module pure and testable.

import { ipFamily } from './ip.js';
import { argumentError, assertFunction, assertInteger, assertString } from './validate.js';

/**
 * The 67 ports that Chrome considers unsafe (httpuv's `unsafe_ports`), which `randomPort` never
 * returns. This is the single source of the list in node-httpuv.
 */
export const UNSAFE_PORTS: readonly number[] = Object.freeze([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 77, 79, 87, 95, 101, 102, 103,
  104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 139, 143, 179, 389, 427, 465, 512, 513, 514,
  515, 526, 530, 531, 532, 540, 548, 556, 563, 587, 601, 636, 993, 995, 2049, 3659, 4045, 6000,
  6665, 6666, 6667, 6668, 6669, 6697,
]);

const UNSAFE = new Set(UNSAFE_PORTS);

/**
 * Finds an available TCP port. See {@link createRandomPort} for the rules.
 *
 * @param min - Lowest port to consider (default 1024; values below 1 are raised to 1).
 * @param max - Highest port to consider (default 49151; values above 65535 are lowered to 65535).
 * @param host - The IPv4 or IPv6 literal the port must be free on (default "127.0.0.1").
 * @param n - How many ports to try (default 20); below 2, every port of the range is tried in order.
 */
export type RandomPort = (min?: number, max?: number, host?: string, n?: number) => number;

/**
 * Builds the public `randomPort(min = 1024, max = 49151, host = "127.0.0.1", n = 20)` around an
 * availability probe, with httpuv's rules:
 * 1. `min` is raised to at least 1 and `max` lowered to at most 65535; the candidates are the
 *    ports from `min` to `max` minus {@link UNSAFE_PORTS}.
 * 2. With `n < 2`, every candidate is tried in ascending order (as httpuv does); otherwise a random
 *    sample of `min(n, candidates)` distinct ports is tried.
 * 3. The first port for which `isAvailable(port, host)` returns true is returned; a probe that
 *    throws counts as unavailable.
 * 4. When none is available: an `Error` with `code: 'ERR_HTTPUV_UNAVAILABLE_PORT'` and message
 *    `"Cannot find an available port."`.
 *
 * Arguments are checked first: `min`, `max`, `n` must be integers (TypeError when not numbers,
 * RangeError otherwise), `n` at least 1, `min <= max` after clamping (RangeError naming `min`), and
 * `host` an IPv4 or IPv6 literal (TypeError naming `host`).
 *
 * @param isAvailable - Synchronous probe: can a listener bind `host:port` right now?
 * @param random - Source of uniform numbers in [0, 1) for the sample (default `Math.random`).
 * @returns The `randomPort` function.
 */
export function createRandomPort(isAvailable: (port: number, host: string) => boolean,
                                 random: () => number = Math.random): RandomPort {
  assertFunction('isAvailable', isAvailable);
  assertFunction('random', random);
  return function randomPort(min = 1024, max = 49151, host = '127.0.0.1', n = 20): number {
    assertInteger('min', min);
    assertInteger('max', max);
    assertString('host', host);
    assertInteger('n', n, 1);
    if (ipFamily(host) === -1) {
      const e = argumentError('host', 'an IPv4 or IPv6 address literal', host);
      (e as { code?: string }).code = 'ERR_INVALID_ARG_VALUE';
      throw e;
    }
    const lo = Math.max(1, min);
    const hi = Math.min(max, 65535);
    if (lo > hi) {
      const e = new RangeError(`min must not be greater than max (after limiting them to 1..65535), ` +
        `got min ${min} and max ${max}`);
      (e as { code?: string }).code = 'ERR_OUT_OF_RANGE';
      throw e;
    }
    const valid: number[] = [];
    for (let p = lo; p <= hi; p++) if (!UNSAFE.has(p)) valid.push(p);
    const count = Math.min(n, valid.length);
    let candidates: number[];
    if (count < 2) {
      candidates = valid;
    } else {
      // Partial Fisher–Yates: the first `count` slots become a uniform sample without replacement.
      for (let i = 0; i < count; i++) {
        const r = random();
        const k = r >= 0 && r < 1 ? Math.floor(r * (valid.length - i)) : 0;
        const j = i + k;
        const t = valid[i];
        valid[i] = valid[j];
        valid[j] = t;
      }
      candidates = valid.slice(0, count);
    }
    for (const port of candidates) {
      let ok = false;
      try {
        ok = isAvailable(port, host) === true;
      } catch {
        ok = false;
      }
      if (ok) return port;
    }
    const e = new Error('Cannot find an available port.');
    (e as { code?: string }).code = 'ERR_HTTPUV_UNAVAILABLE_PORT';
    throw e;
  };
}
