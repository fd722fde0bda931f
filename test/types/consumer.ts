// Types test: a consumer of the published package that uses every
// public export of src/index.ts, type-checked against dist/*.d.ts through package.json
// "exports" (require condition) by `npm run test:types` (test/types/tsconfig.json).
// consumer.mts does the same through the "import" condition. types.test.ts runs the check
// and also verifies that every name exported by src/index.ts appears here.
// Nothing runs at import time: everything sits inside functions that are never called.
import {
  startServer, startPipeServer, stopServer, stopAllServers, listServers, runServer, service,
  interrupt, Server, WebServer, PipeServer, type PreparedStatics, type CallFunction, type AppArg, type AppFunction, type StopOptions,
  startDaemonizedServer, stopDaemonizedServer,
  runStaticServer, type StaticServerOptions,
  staticPath, excludeStaticPath, staticPathOptions, StaticPath,
  type StaticPathInput, type StaticPathOptions, type StaticPathOptionsInput, type StaticPathSettings,
  type StaticHeaders,
  WebSocket, logLevel, setLogger, type LogLevelName, type LogLineLevel, type Logger, type LogFunction,
  type LoggerObject, type LogFields, type App, type Response, type ResponseHeaders,
  type FileBody, type BinaryData, type RookRequest, type InputStream, type ErrorStream, type ServerOptions,
  type WebSocketOptions, type ServerStats, ipFamily, encodeURI, encodeURIComponent, decodeURI,
  decodeURIComponent, rawToBase64, randomPort, type StreamBody, type StreamChunk, type FetchHandler,
} from 'node-httpuv';

export async function usage(): Promise<void> {
  // Streams and app.fetch (issue 17).
  const chunks: StreamBody = (async function* (): AsyncGenerator<StreamChunk> { yield 'data: 1\n\n'; yield new Uint8Array([1]); })();
  const web: StreamBody = new ReadableStream<StreamChunk>();
  const streamed: Response = { status: 200, headers: { 'Content-Type': 'text/event-stream' }, body: chunks };
  const handler: FetchHandler = async (request: Request) => new globalThis.Response(`${request.method} ${request.url}`, { status: 200 });
  const fetchApp: App = { fetch: handler, onWSOpen: () => {} };
  const fetchServer: WebServer = startServer('127.0.0.1', 0, fetchApp, { fetchGlobals: false });
  const reader: CallFunction = async (req: RookRequest) => {
    let n = 0;
    for await (const c of req['rook.input']) n += c.length;
    const rest: Buffer = await req['rook.input'].readAsync(16);
    return { status: 200, body: String(n + rest.length) };
  };
  const uploads: WebServer = startServer('127.0.0.1', 0, reader, { streamRequestBodies: true });
  void [web, streamed, fetchServer, uploads];
  const headers: ResponseHeaders = [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']];
  const file: FileBody = { file: '/tmp/x', owned: false };
  const bytes: BinaryData = new Float64Array([1]);
  const call: CallFunction = (req: RookRequest): Response => {
    const input: InputStream = req['rook.input'];
    const errors: ErrorStream = req['rook.errors'];
    const body: Buffer = input.read();
    input.rewind();
    const lines: string[] = input.read_lines();
    errors.cat('seen', lines.length);
    errors.flush();
    const method: string = req.REQUEST_METHOD;
    return { status: 200, headers, body: `${method} ${req.PATH_INFO} ${body.length}` };
  };
  const ws: WebSocketOptions = { perMessageDeflate: true, maxMessageSize: 1 << 20 };
  const options: ServerOptions = { quiet: true, maxBodySize: 1 << 20, gzip: true, websocket: ws };
  const sp: StaticPath = staticPath('/tmp', { indexhtml: true, fallthrough: false } satisfies StaticPathInput);
  const spOpts: StaticPathOptions = staticPathOptions({ htmlCharset: 'utf-8' } satisfies StaticPathOptionsInput);
  const settings: StaticPathSettings = sp.options;
  const extraHeaders: StaticHeaders | null = settings.headers;
  void extraHeaders;
  const app: App = {
    call,
    onHeaders: (req: RookRequest) => (req.HEADERS['x-deny'] ? { status: 403, body: file.file } : null),
    onWSOpen: (socket: WebSocket) => {
      const r: RookRequest = socket.request;
      socket.onMessage((binary: boolean, message: string | Buffer) => { socket.send(binary ? message : `${r.PATH_INFO}`); });
      socket.onClose(() => {});
      socket.send(bytes);
      socket.close(1000, 'bye');
    },
    staticPaths: { '/static': sp, '/assets': '/tmp', '/assets/private': excludeStaticPath() },
    staticPathOptions: spOpts,
  };
  const server: WebServer = startServer('127.0.0.1', 0, app, options);
  const port: number = server.getPort();
  const host: string = server.getHost();
  const stats: ServerStats | null = server.stats();
  const n: number | undefined = stats?.requestsTotal;
  const asBase: Server = server;
  const running: boolean = asBase.isRunning();
  const pipe: PipeServer = startPipeServer('/tmp/httpuv-types.sock', 0o600, call);
  const name: string = pipe.getName();
  const daemon: WebServer = startDaemonizedServer('127.0.0.1', 0, call);
  const all: Server[] = listServers();
  const drain: StopOptions = { graceMs: 2000 };
  await stopServer(pipe, drain);
  await stopDaemonizedServer(daemon);
  await server.stop({ graceMs: 0 });
  await stopAllServers(drain);
  const handled: boolean = service(10);
  interrupt();
  await runServer('127.0.0.1', 0, call, { quiet: true });
  const staticServer: WebServer = runStaticServer('/tmp', { background: true, port: 8080, quiet: true, redirectDirectories: false, directoryListing: true } satisfies StaticServerOptions);
  await runStaticServer('/tmp', { port: 8080, spaFallback: true });
  const level: LogLevelName = logLevel('INFO');
  const fn: LogFunction = (l: LogLineLevel, message: string, fields: LogFields) => { void [l, message, fields.requestId]; };
  const obj: LoggerObject = { info: (fields: LogFields, message: string) => { void [fields.status, message]; } };
  const previousLogger: Logger | null = setLogger(fn);
  setLogger(previousLogger ?? obj);
  const asArg: AppArg = call;
  const asFunction: AppFunction = call;
  void asFunction;
  void asArg;
  logLevel(level);
  const fam: 4 | 6 | -1 = ipFamily('::1');
  const enc: string = encodeURI('a b') + encodeURIComponent('a/b') + decodeURI('%20') + decodeURIComponent('%2F');
  const encs: string[] = encodeURI(['a b', 'c']);
  const b64: string = rawToBase64(new Uint8Array([1, 2, 3]));
  const free: number = randomPort();
  const prepared: PreparedStatics | undefined = undefined;
  void [port, host, n, running, name, all, handled, staticServer, fam, enc, encs, b64, free, prepared, WebServer, PipeServer, Server, StaticPath, WebSocket];
}
