// The server half of scripts/soak.mjs, run as a forked child: one node-httpuv server (dist/) on
// 127.0.0.1 port 0 with a small body spill threshold (uploads go to temp files), a static path
// with a 256 KiB file, and a WebSocket echo. Answers 'info' messages with Node's active resource count
// and server.stats(); 'stop' stops the server and exits.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const h = require(path.join(__dirname, '..', 'dist', 'index.js'));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-soak-'));
fs.writeFileSync(path.join(dir, 'file.bin'), crypto.randomBytes(256 * 1024));

const server = h.startServer('127.0.0.1', 0, {
  call(req) {
    if (req.PATH_INFO === '/upload') {
      const body = req['rook.input'].read();
      return { status: 200, body: crypto.createHash('sha1').update(body).digest('hex') };
    }
    if (req.PATH_INFO === '/hello') return { status: 200, body: 'hello' };
    return { status: 200, body: 'ok' };
  },
  onWSOpen(ws) {
    ws.onMessage((binary, message) => ws.send(message));
  },
  staticPaths: { '/static': dir },
}, { bodySpillThreshold: 16 * 1024, keepAliveTimeoutMs: 2000 });

process.on('message', (m) => {
  if (m === 'info') {
    const res = process.getActiveResourcesInfo();
    const spaces = require('node:v8').getHeapSpaceStatistics();
    const newSpace = spaces.find((s) => s.space_name === 'new_space');
    process.send({ kind: 'info', handles: res.length, stats: server.stats(), mem: process.memoryUsage(),
      newSpace: newSpace ? newSpace.space_size : 0 });
  } else if (m === 'stop') {
    server.stop().then(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
process.send({ port: server.getPort() });
