// The same kind of app in TypeScript: the package ships its types (RookRequest, Response, App,
// ServerOptions...), so a typo in a field or an option is a compile error.
// Type-check: npx tsc -p examples/typescript; run with Node 22.18+ (which strips types):
// node examples/typescript/server.mts, then open http://127.0.0.1:8080/greet?name=Ada
import { startServer, type App, type Response, type RookRequest, type ServerOptions } from 'node-httpuv';

interface Greeting {
  greeting: string;
  path: string;
  userAgent: string | null;
}

function json(status: number, value: unknown): Response {
  return { status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) };
}

function greet(req: RookRequest): Response {
  const name = new URLSearchParams(req.QUERY_STRING).get('name') ?? 'world';
  const body: Greeting = {
    greeting: `Hello, ${name}!`,
    path: req.PATH_INFO,
    userAgent: req.HEADERS['user-agent'] ?? null,
  };
  return json(200, body);
}

const app: App = {
  call(req) {
    if (req.REQUEST_METHOD === 'GET' && req.PATH_INFO === '/greet') return greet(req);
    return json(404, { error: `nothing at ${req.PATH_INFO}` });
  },
};

const options: ServerOptions = { keepAliveTimeoutMs: 65_000, maxBodySize: 1 << 20 };

const server = startServer('127.0.0.1', Number(process.env.PORT ?? 8080), app, options);
console.log(`Listening on http://127.0.0.1:${server.getPort()}`);
