// reusePort: several processes listen on the same port, and the kernel spreads the connections
// between them (SO_REUSEPORT; Linux, and BSD/macOS with their own rules). Each process has its
// own JS thread and I/O thread, so this uses every core.
// Run: node examples/reuse-port.mjs, then request http://127.0.0.1:8080 a few times; WORKERS=n
// sets the number of processes (default: one per core).
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { randomPort, runServer } from 'node-httpuv';

if (cluster.isPrimary) {
  // Every process must bind the same port, so PORT=0 becomes one free port chosen here.
  const port = process.env.PORT === '0' ? randomPort() : Number(process.env.PORT ?? 8080);
  const count = Number(process.env.WORKERS ?? availableParallelism());
  let ready = 0;
  for (let i = 0; i < count; i++) {
    cluster.fork({ PORT: String(port) }).on('message', (m) => {
      if (m === 'ready' && ++ready === count) {
        console.log(`Listening on http://127.0.0.1:${port} (${count} processes)`);
      }
    });
  }
  // Ctrl-C reaches every process of the terminal's group; SIGTERM reaches only this one, so pass
  // it on. Either way each worker drains, and this process ends after the last one.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGTERM');
  });
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers).length === 0) console.log('All workers stopped');
  });
} else {
  const done = runServer('127.0.0.1', Number(process.env.PORT), (req) => ({
    status: 200,
    body: `Answered by process ${process.pid}: ${req.PATH_INFO}\n`,
  }), { reusePort: true });
  process.send('ready');
  await done;
  cluster.worker.disconnect(); // the channel to the primary would keep this process alive
}
