// runServer with a graceful shutdown. runServer() starts the server and returns a Promise that
// settles once Ctrl-C (SIGINT), SIGTERM (what `docker stop`, systemd and Kubernetes send) or
// interrupt() has stopped it. The stop drains: the port is released at once, idle connections
// close, requests already received are still answered (with Connection: close) for up to 5 s,
// and WebSockets get close code 1001. A second Ctrl-C stops at once.
// Run: node examples/graceful-shutdown.mjs; request http://127.0.0.1:8080/slow, press Ctrl-C
// while it waits, and it is still answered.
import { setTimeout as sleep } from 'node:timers/promises';
import { listServers, runServer } from 'node-httpuv';

const done = runServer('127.0.0.1', Number(process.env.PORT ?? 8080), {
  async call(req) {
    if (req.PATH_INFO === '/slow') {
      console.log('slow request started');
      await sleep(1000);
      return { status: 200, body: 'finished, even though the server was asked to stop\n' };
    }
    return { status: 200, body: 'hello\n' };
  },
});
console.log(`Listening on http://127.0.0.1:${listServers()[0].getPort()}`);

await done;
// Close database pools, flush logs, etc. here: no request is in progress any more.
console.log('Stopped cleanly');
