// A WebSocket chat: every message goes to everyone connected. The page (public/index.html) is
// served from the I/O thread as a static file; the WebSockets are handled in onWSOpen.
// Run: node examples/chat/server.mjs, then open http://127.0.0.1:8080 in two browser tabs.
import { fileURLToPath } from 'node:url';
import { startServer } from 'node-httpuv';

const everyone = new Set();

function broadcast(message) {
  const text = JSON.stringify(message);
  for (const ws of everyone) ws.send(text);
}

const server = startServer('127.0.0.1', Number(process.env.PORT ?? 8080), {
  staticPaths: { '/': fileURLToPath(new URL('public', import.meta.url)) },
  onWSOpen(ws) {
    // ws.request is the upgrade request: the page connects to /chat?name=...
    const name = new URLSearchParams(ws.request.QUERY_STRING).get('name') || 'anonymous';
    everyone.add(ws);
    broadcast({ from: 'server', text: `${name} joined (${everyone.size} here)` });
    ws.onMessage((binary, message) => {
      if (!binary) broadcast({ from: name, text: String(message).slice(0, 1000) });
    });
    ws.onClose(() => {
      everyone.delete(ws);
      broadcast({ from: 'server', text: `${name} left` });
    });
  },
});
console.log(`Listening on http://127.0.0.1:${server.getPort()}`);
