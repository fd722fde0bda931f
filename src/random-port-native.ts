// randomPort() as the package exports it: the pure search of random-port.ts, wired to the addon's
// synchronous bind probe (native.port_available).
import { native } from './runtime.js';
import { createRandomPort } from './random-port.js';

/**
 * A random free TCP port in [min, max] on `host`, skipping the ports browsers refuse (httpuv's
 * randomPort). Tries `n` random candidates (all ports in order when n < 2); throws an Error with
 * code `ERR_HTTPUV_UNAVAILABLE_PORT` when none is free.
 */
export const randomPort = createRandomPort((port, host) => native.port_available(host, port));
