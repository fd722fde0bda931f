// The running servers of this JS environment, by native id, for routing events. Internal.
import type { NormalizedApp } from './app.js';
import type { Logger } from './log.js';

/** What dispatch needs of a server. */
export interface ServerRecord {
  id: number;
  app: NormalizedApp;
  gzip: boolean;
  /** options.exposeErrors: the thrown error's message in a 500's body (optional: true). */
  exposeErrors?: boolean;
  /** options.logger: where this server's lines go (optional: the process-wide logger). */
  logger?: Logger | null;
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
