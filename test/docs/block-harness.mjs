// Preloaded (`node --import`) into each README code block that test/docs/readme.test.ts runs:
// reports the ports of the servers the block started, so the test can send them a request.
// 'node-httpuv' resolves here, as in the block, to the package itself (one module instance).
import { listServers } from 'node-httpuv';

const timer = setInterval(() => {
  const servers = listServers();
  if (servers.length === 0) return;
  clearInterval(timer);
  process.stdout.write(`BLOCK-SERVERS ${JSON.stringify(servers.map((s) => s.getPort()))}\n`);
}, 10);
timer.unref();
