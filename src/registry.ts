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
}

export const serversById = new Map<number, ServerRecord>();
