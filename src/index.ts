// Public API of node-httpuv: re-exports only.
export {
  startServer, startPipeServer, stopServer, stopAllServers, listServers, runServer, service,
  interrupt, Server, WebServer, PipeServer, type PreparedStatics, type CallFunction, type AppArg, type AppFunction, type StopOptions,
} from './server.js';
export { startServer as startDaemonizedServer, stopServer as stopDaemonizedServer } from './server.js';
export { runStaticServer, type StaticServerOptions } from './static-server.js';
export {
  staticPath, excludeStaticPath, staticPathOptions, StaticPath,
  type StaticPathInput, type StaticPathOptions, type StaticPathOptionsInput, type StaticPathSettings,
  type StaticHeaders,
} from './static-paths.js';
export { WebSocket } from './websocket.js';
export {
  logLevel, setLogger, type LogLevelName, type LogLineLevel, type Logger, type LogFunction, type LoggerObject, type LogFields,
} from './log.js';
export type { App } from './app.js';
export type { Response, ResponseHeaders, FileBody } from './response.js';
export type { BinaryData } from './bytes.js';
// Streams and the web-standard handler (issue 17).
export type { StreamBody, StreamChunk } from './stream-body.js';
export type { FetchHandler } from './fetch.js';
export type { RookRequest, InputStream, ErrorStream } from './rook.js';
export type { ServerOptions, WebSocketOptions } from './options.js';
export type { ServerStats } from './native.js';
export { ipFamily } from './ip.js';
export { encodeURI, encodeURIComponent, decodeURI, decodeURIComponent } from './uri.js';
export { rawToBase64 } from './base64.js';
export { randomPort } from './random-port-native.js';
