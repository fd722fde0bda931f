// randomPort() as the package exports it: the pure search of random-port.ts, wired to the addon's
// synchronous bind probe (native.port_available).
import { native } from './runtime.js';
import { createRandomPort } from './random-port.js';

const search = createRandomPort((port, host) => native.port_available(host, port));

/**
 * A random free TCP port in [min, max] on `host`, skipping the ports browsers refuse (httpuv's
 * randomPort). Tries `n` random candidates (all ports in order when n < 2); throws an Error with
 * code `ERR_HTTPUV_UNAVAILABLE_PORT` when none is free.
 *
 * @param min - Lowest port to consider (default 1024; values below 1 are raised to 1).
 * @param max - Highest port to consider (default 49151; values above 65535 are lowered to 65535).
 * @param host - The IPv4 or IPv6 literal the port must be free on (default "127.0.0.1").
 * @param n - How many ports to try (default 20); below 2, every port of the range is tried in order.
 */
export function randomPort(min?: number, max?: number, host?: string, n?: number): number {
  return search(min, max, host, n);
}
