// A server in a Worker thread. Each JS thread (the main one, each Worker) gets its own I/O thread
// and its own servers; requests run on the thread that started the server, so a busy main
// thread (an Electron main process, a CPU-heavy job) does not delay them.
// Run: node examples/worker-thread.mjs, then open http://127.0.0.1:8080
import { Worker, isMainThread, parentPort, threadId } from 'node:worker_threads';
import { startServer } from 'node-httpuv';

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url)); // this same file, as a Worker
  worker.on('message', ({ port }) => console.log(`Listening on http://127.0.0.1:${port} (worker)`));
  worker.on('exit', () => console.log('Worker stopped'));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => worker.postMessage('stop')); // the Worker stops its server itself
  }
} else {
  const server = startServer('127.0.0.1', Number(process.env.PORT ?? 8080), {
    call(req) {
      return { status: 200, body: `Hello from worker thread ${threadId}: ${req.PATH_INFO}\n` };
    },
  });
  parentPort.postMessage({ port: server.getPort() });
  parentPort.on('message', async (message) => {
    if (message !== 'stop') return;
    await server.stop(); // requests in progress are answered first
    parentPort.close();  // nothing left: the Worker ends
  });
}
