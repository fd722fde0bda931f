// One server of `npm run bench:frameworks` (scripts/bench-frameworks.mjs starts it pinned to a core):
// the Hono app of test/fixtures/apps/hono-app.ts, unchanged, on node-httpuv (`httpuv`) or on
// @hono/node-server over node:http (`node-server`, its defaults). Prints "PORT <n>" once listening.
'use strict';
const path = require('node:path');
const root = path.join(__dirname, '..');
const { makeHonoApp } = require(path.join(root, 'build-test', 'test', 'fixtures', 'apps', 'hono-app.js'));

const kind = process.argv[2];
const app = makeHonoApp({});
if (kind === 'httpuv') {
  const { startServer } = require(path.join(root, 'dist', 'index.js'));
  // gzip off on both sides: @hono/node-server does not compress unless a middleware does.
  const server = startServer('127.0.0.1', 0, { fetch: app.fetch }, { gzip: false });
  console.log(`PORT ${server.getPort()}`);
} else if (kind === 'node-server') {
  const { serve } = require('@hono/node-server');
  serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`PORT ${info.port}`));
} else {
  console.error('usage: bench-frameworks-server.cjs httpuv|node-server');
  process.exit(2);
}
