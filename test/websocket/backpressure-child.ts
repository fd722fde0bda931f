// Child process of ws-backpressure.test: an app that pushes `total` bytes in 64 KiB messages to
// every WebSocket as fast as send() accepts them, and reports RSS and send() results on stdout.
import { startServer } from '../../src/index.js';

// Node 20's `node --test <dir>` runs every .js file, this one too: without arguments it is not
// being used as the child of ws-backpressure.test, so it does nothing.
if (process.argv[2] === undefined) process.exit(0);

const total = Number(process.argv[2] ?? 200 * 1024 * 1024);
const limit = Number(process.argv[3] ?? 4 * 1024 * 1024);
const chunk = Buffer.alloc(64 * 1024, 7);
let maxRss = 0;
const report = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const server = startServer('127.0.0.1', 0, {
  onWSOpen(ws) {
    let sent = 0, refused = 0, closed = false;
    ws.onClose((code) => { closed = true; report({ event: 'close', code }); });
    const pump = () => {
      if (closed) return;
      for (let i = 0; i < 64 && sent + refused * chunk.length < total; i++) {
        if (ws.send(chunk)) sent += chunk.length; else refused++;
      }
      maxRss = Math.max(maxRss, process.memoryUsage.rss());
      if (sent + refused * chunk.length < total && !closed) setImmediate(pump);
      else report({ event: 'done', sent, refused, bufferedAmount: ws.bufferedAmount, maxRss });
    };
    pump();
  },
}, { websocket: { sendQueueLimit: limit } });
report({ event: 'ready', port: server.getPort(), rss: process.memoryUsage.rss() });
process.stdin.on('end', () => { void server.stop().then(() => process.exit(0)); });
process.stdin.resume();
