// Hello world. Run: node examples/hello.mjs, then open http://127.0.0.1:8080
import { startServer } from 'node-httpuv';

const port = Number(process.env.PORT ?? 8080); // PORT=0 picks a free port

const server = startServer('127.0.0.1', port, {
  call(req) {
    return {
      status: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: `Hello from ${req.PATH_INFO}\n`,
    };
  },
});
console.log(`Listening on http://127.0.0.1:${server.getPort()}`);
