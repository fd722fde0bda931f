// File-descriptor exhaustion: the server runs in
// a child process under `prlimit --nofile=64`, and this test opens 200 connections to it. Required:
// the child stays alive, does not spin, keeps serving the connections it holds (an upload that
// needs a temp file fails with 500 and an ERROR log line, not a crash), and serves new clients
// once ours go away. Observed: the connections past the limit are accepted and closed at once by
// libuv's EMFILE trick (a clean EOF, no response) and nothing is logged about them; that missing
// log line is test/regressions/issue-7-emfile-accept-not-logged.test.ts.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { listServers } from '../../src/index.js';
import { timedGet } from './hostile-util.js';
import { measurementWindow, pollUntil, pollUntilSteady } from '../helpers/tools.js';

const INDEX = path.resolve(__dirname, '..', '..', 'src', 'index.js');
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

after(() => assert.deepEqual(listServers(), []));

// CPU ticks (utime + stime) of a process, from /proc/<pid>/stat.
function cpuTicks(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
}

test('200 connections against a server limited to 64 fds: errors logged, no spin, recovery',
  { skip: hasPrlimit ? false : 'prlimit not installed' }, async () => {
    const script = `
      const h = require(${JSON.stringify(INDEX)});
      h.logLevel('INFO');
      const s = h.startServer('127.0.0.1', 0, () => ({ status: 200, body: 'ok' }),
        { headersTimeoutMs: 60000, keepAliveTimeoutMs: 60000, bodySpillThreshold: 1024 });
      console.log('PORT ' + s.getPort());
      process.on('message', () => s.stop().then(() => process.exit(0)));`;
    const child: ChildProcess = spawn('prlimit', ['--nofile=64:64', process.execPath, '-e', script],
      { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    const sockets: net.Socket[] = [];
    try {
      await pollUntil(() => /PORT \d+/.test(out), 10_000, 'the child server to start');
      const port = Number(/PORT (\d+)/.exec(out)?.[1]);
      const pid = child.pid as number;
      let connected = 0, answered = 0, failed = 0, closedEmpty = 0;
      const live: net.Socket[] = [];
      for (let i = 0; i < 200; i++) {
        const s = net.connect(port, '127.0.0.1');
        let got = false;
        s.on('connect', () => { connected++; s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n'); });
        s.once('data', () => { answered++; got = true; live.push(s); });
        s.on('error', () => { failed++; });
        s.on('close', () => { if (!got) closedEmpty++; });
        sockets.push(s);
      }
      // 30 s: under a loaded box (Node 26 in test:runtimes beside the qemu leg, or TSan) the 200
      // took more than 10 s here once; alone it takes about 1 s.
      await pollUntil(() => answered + closedEmpty + failed >= 200, 30_000, 'all 200 to be answered or closed');
      // Wait until the server has finished answering: its CPU time stops moving. A server spinning
      // on accept never goes idle; the deadline then passes and the window below measures the spin.
      await pollUntilSteady(() => cpuTicks(pid), 300, 10_000, 'the saturated server to go idle').catch(() => undefined);
      const t0 = cpuTicks(pid);
      await measurementWindow(2000, 'CPU burnt in 2 s by a server whose descriptors are all in use: no event to wait for');
      const ticks = cpuTicks(pid) - t0; // 100 ticks = one core for one second
      const alive = child.exitCode === null;
      const emfile = (err.match(/EMFILE|too many open files/gi) ?? []).length;
      // An upload above bodySpillThreshold on a held connection needs one more fd (the temp file).
      const up = live[0];
      let upReply = '';
      up.on('data', (d: Buffer) => { upReply += d.toString('latin1'); });
      up.write('POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 4096\r\n\r\n' + 'u'.repeat(4096));
      await pollUntil(() => /HTTP\/1\.1 \d{3}/.test(upReply) || up.destroyed, 5000, 'the upload to be answered');
      const upStatus = (/HTTP\/1\.1 (\d{3})/.exec(upReply) ?? [])[1] ?? 'none';
      // The log line travels I/O thread → JS thread → the child's stderr → this process: it may
      // come after the answer (much later under emulation), so it gets a deadline of its own.
      const spillLogged = await pollUntil(() => /cannot (spill|store) request body/i.test(err), 5000, 'the temp file log line')
        .then(() => true, () => false);
      console.log(`fd exhaustion: ${connected} connected, ${answered} answered, ${closedEmpty} closed without a ` +
        `response, ${failed} errors; child alive=${alive}, CPU ${ticks} ticks in 2 s while saturated, ` +
        `${emfile} EMFILE log lines; upload needing a temp file → ${upStatus}, logged=${spillLogged}`);
      assert.ok(alive && child.exitCode === null, 'the server process died');
      assert.ok(answered > 0 && answered < 200, `answered ${answered}`);
      assert.equal(answered + closedEmpty + failed, 200, 'a connection hung');
      assert.ok(ticks < 100, `the saturated server burnt ${ticks} ticks in 2 s (spinning on accept)`);
      assert.equal(upStatus, '500');
      assert.ok(spillLogged, `no log line for the failed temp file:\n${err.slice(0, 2000)}`);
      for (const s of sockets) s.destroy();
      // Recovery: once our sockets are gone, a new client is served.
      await pollUntil(() => timedGet(port, '/', 2000).then((r) => r.status === 200, () => false /* still saturated */),
        10_000, 'the server to recover after the clients went away');
    } finally {
      for (const s of sockets) s.destroy();
      if (child.exitCode === null) {
        child.send?.('stop');
        await pollUntil(() => child.exitCode !== null, 5000, 'the child to exit').catch(() => child.kill('SIGKILL'));
      }
    }
  });
