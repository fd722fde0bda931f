// Public API of node-httpuv: re-exports only.
export {
  startServer, startPipeServer, stopServer, stopAllServers, listServers, runServer, service,
  interrupt, Server, WebServer, PipeServer,
} from './server.js';
export { startServer as startDaemonizedServer, stopServer as stopDaemonizedServer } from './server.js';
export { WebSocket } from './websocket.js';
export { logLevel, type LogLevelName } from './log.js';
export type { App } from './app.js';
export type { Response, ResponseHeaders, FileBody } from './response.js';
export type { RookRequest, InputStream, ErrorStream } from './rook.js';
export type { ServerOptions, WebSocketOptions } from './options.js';
export { ipFamily } from './ip.js';
