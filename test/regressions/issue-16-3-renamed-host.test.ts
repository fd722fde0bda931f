// Issue 16, acceptance 3: the Windows addon loads in a host whose executable is not node.exe.
// The addon imports N-API and libuv from "node.exe" through a delay-load import library, and
// src-native/platform/delay_load_win.cc resolves that name to the running process
// (GetModuleHandle(NULL)). Here the Windows Node is copied to electron.exe (standing in for
// Electron, which cannot run on this machine) and serves a request with the addon. Without the
// hook the first N-API call would look for a DLL named node.exe and the load would fail.
// Windows only (CI runs it under Wine twice: in the tree, scripts/cross/test-win32-wine.sh, and
// against the installed package of the packed tarball, scripts/cross/test-packed-wine.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listServers } from '../../src/index.js';

// The package as the other tests load it: build-test/src/index.js, which in the packed-tarball
// run is `require('node-httpuv')` (the installed package and its prebuild).
const entry = path.resolve(__dirname, '..', '..', 'src', 'index.js');

test('the addon serves HTTP in a host named electron.exe', {
  skip: process.platform === 'win32' ? false : 'Windows only (delay-load hook of the win32 addon)',
  timeout: 120000,
}, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-host-'));
  try {
    const host = path.join(dir, 'electron.exe');
    fs.copyFileSync(process.execPath, host);
    const script = path.join(dir, 'serve-once.js');
    fs.writeFileSync(script, `
      const http = require('http');
      const path = require('path');
      const { startServer, listServers } = require(${JSON.stringify(entry)});
      const s = startServer('127.0.0.1', 0, () => ({ status: 200, body: 'served by ' + path.basename(process.execPath) }));
      http.get({ host: '127.0.0.1', port: s.getPort(), path: '/' }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', async () => {
          await s.stop();
          console.log(JSON.stringify({ status: res.statusCode, body, left: listServers().length }));
        });
      });
    `);
    // stdout to a file: under Wine a Linux pipe as the child's stdout is not reliable.
    const out = path.join(dir, 'out.txt');
    const fd = fs.openSync(out, 'w');
    const r = spawnSync(host, [script], { stdio: ['ignore', fd, 'pipe'], timeout: 90000,
      env: { ...process.env, NODE_OPTIONS: process.env.NODE_OPTIONS ?? '' } });
    fs.closeSync(fd);
    const text = fs.readFileSync(out, 'utf8').trim();
    assert.equal(r.status, 0, `electron.exe exited ${r.status}: ${r.stderr?.toString()}\n${text}`);
    assert.deepEqual(JSON.parse(text.split('\n').pop() as string),
      { status: 200, body: 'served by electron.exe', left: 0 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(listServers().length, 0);
});
