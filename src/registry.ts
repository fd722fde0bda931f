// The running servers of this JS environment, by native id, for routing events. Internal.
import type { NormalizedApp } from './app.js';

/** What dispatch needs of a server. */
export interface ServerRecord {
  id: number;
  app: NormalizedApp;
  gzip: boolean;
  /** options.websocket.sendQueueLimit: bytes a WebSocket may have waiting before send() refuses. */
  sendQueueLimit: number;
  /** Called when the native side reports the server closed. */
  closed(): void;
  /**
   * Set by stop(): an answer dropped because its request is gone is then logged at WARN (the
   * stop cut it off), not at DEBUG (the client left).
   */
  stopping: boolean;
}

export const serversById = new Map<number, ServerRecord>();
