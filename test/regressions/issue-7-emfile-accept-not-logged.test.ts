// Found by the hardening work (issue 7, item 3: "file descriptor exhaustion leads to errors
// logged"). When the process runs out of descriptors, libuv's accept path (uv__server_io) hits
// EMFILE, runs its "EMFILE trick" (closes its reserve fd, accepts and immediately closes every
// pending connection, re-reserves) and returns without calling our connection callback, so
// Server::OnConnection never sees an error: clients past the limit get a bare EOF and the server
// logs nothing, not even at INFO. An operator has no sign that connections are being refused.
// Fixed: descriptors are handed out lowest-first, so Server::OnConnection warns (at most every
// 10 s) when an accepted descriptor comes within 8 of RLIMIT_NOFILE. This test saturates a child
// limited to 48 descriptors, expects the warning naming EMFILE, then expects recovery: once the
// clients go away, a new request is answered.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { listServers } from '../../src/index.js';
import { pollUntil } from '../helpers/tools.js';

const INDEX = path.resolve(__dirname, '..', '..', 'src', 'index.js');
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

after(() => assert.deepEqual(listServers(), []));

test('connections refused for lack of descriptors are logged',
  { skip: !hasPrlimit ? 'prlimit not installed' : process.env.HTTPUV_SANITIZER ? 'sanitizer runtimes need free descriptors for their own checks (UBSan probes memory with a pipe)' : false },
  async () => {
    const script = `
      const h = require(${JSON.stringify(INDEX)});
      h.logLevel('INFO');
      const s = h.startServer('127.0.0.1', 0, () => ({ status: 200, body: 'ok' }));
      console.log('PORT ' + s.getPort());
      process.on('message', () => s.stop().then(() => process.exit(0)));`;
    const child = spawn('prlimit', ['--nofile=48:48', process.execPath, '-e', script],
      { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const sockets: net.Socket[] = [];
    try {
      const port = Number((await pollUntil(() => /PORT (\d+)/.exec(out), 10_000, 'the child server to start'))[1]);
      for (let i = 0; i < 100; i++) {
        const s = net.connect(port, '127.0.0.1');
        s.on('connect', () => s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
        s.on('error', () => {});
        sockets.push(s);
      }
      // The server ran out of descriptors accepting them: it says so on stderr.
      await pollUntil(() => /EMFILE|too many open files/i.test(err), 10_000, 'the EMFILE log line');
      for (const s of sockets) s.destroy();
      // Recovery: the server answers again once descriptors are free.
      const answered = await pollUntil(() => new Promise<string>((resolve) => {
        const c = net.connect(port, '127.0.0.1');
        let got = '';
        c.setTimeout(1000, () => c.destroy());
        c.on('data', (d: Buffer) => { got += d.toString('latin1'); });
        c.on('close', () => resolve(/^HTTP\/1\.1 200/.test(got) ? got : ''));
        c.on('error', () => {});
        c.write('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      }), 10_000, 'an answer once descriptors are free', 100);
      assert.match(answered, /^HTTP\/1\.1 200/);
    } finally {
      for (const s of sockets) s.destroy();
      child.send('stop');
      await new Promise<void>((r) => {
        const k = setTimeout(() => { child.kill('SIGKILL'); r(); }, 5000);
        child.on('exit', () => { clearTimeout(k); r(); });
      });
    }
  });
