// An async handler: call() may return a Promise. While it waits, other requests are served
// (static files do not even need the JS thread). A handler that throws or rejects becomes a
// logged 500 for that request only; the connection stays usable.
// Run: node examples/async-handler.mjs, then open http://127.0.0.1:8080/users/1
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from 'node-httpuv';

// Stands for a database or another service: answers after a short wait.
const users = new Map([[1, { id: 1, name: 'Ada' }], [2, { id: 2, name: 'Grace' }]]);
async function findUser(id) {
  await sleep(20);
  return users.get(id);
}

const server = startServer('127.0.0.1', Number(process.env.PORT ?? 8080), {
  async call(req) {
    const m = /^\/users\/(\d+)$/.exec(req.PATH_INFO);
    if (m) {
      const user = await findUser(Number(m[1]));
      if (!user) return { status: 404, body: 'no such user\n' };
      return { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(user) };
    }
    if (req.PATH_INFO === '/fail') {
      await sleep(1);
      throw new Error('something went wrong'); // → 500, and an ERROR line on stderr
    }
    return { status: 404, body: 'try /users/1\n' };
  },
});
console.log(`Listening on http://127.0.0.1:${server.getPort()}`);
