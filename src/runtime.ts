// The one place that loads the native addon and wires this JS environment's pieces to it: the
// outbox (commands to the I/O thread), the dispatcher (events from it) with the server registry,
// and the native log level. server.ts, static-server.ts and random-port-native.ts use what is built here;
// dispatch.ts, outbox.ts, websocket.ts, response.ts and rook.ts take what they need as
// arguments and never load the addon themselves (test/unit drives them with a fake binding).
import { loadBinding, type NativeBinding } from './native.js';
import { Outbox } from './outbox.js';
import { Dispatcher } from './dispatch.js';
import { serversById } from './registry.js';
import { setLevelListener } from './log.js';

/** The loaded addon (one instance per JS environment). */
export const native: NativeBinding = loadBinding();
/** Commands for the I/O thread. */
export const outbox = new Outbox(native);
/** Routes events from the I/O thread to the servers in `serversById`. */
export const dispatcher = new Dispatcher(native, outbox, serversById);

native.init(dispatcher.handleNative);
setLevelListener((level) => native.log_level_set(native.LOG_LEVEL[level]));

/**
 * @internal Test hook: how many requests, pending onHeaders environments and WebSockets the
 * dispatcher tracks (all 0 once every server has closed).
 */
export function _debugCounts(): { requests: number; pendingHeaders: number; sockets: number } {
  return dispatcher.debugCounts();
}
