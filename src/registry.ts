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
   * Requests of this server that its stop cut off (request-ended events with code 1): an answer
   * the app gives them later is dropped and logged at WARN, not at DEBUG as when the client left.
   * An id leaves the set when the app answers; the set lives as long as this record.
   */
  cutByStop: Set<number>;
}

export const serversById = new Map<number, ServerRecord>();
