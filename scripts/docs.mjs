#!/usr/bin/env node
// `npm run docs`: builds the API reference (HTML) into docs/api/ from the TSDoc in src/, with
// TypeDoc, failing on any warning (typedoc.json: treatWarningsAsErrors). TypeDoc is installed
// apart from the project, in tools/typedoc/ (exact versions and a lockfile): TypeDoc 0.28 needs
// the compiler API of TypeScript <= 6, and the project compiles with TypeScript 7, which has no
// such API, so the two cannot share node_modules/. The first run installs it (`npm ci`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tools = path.join(root, 'tools', 'typedoc');
const bin = path.join(tools, 'node_modules', 'typedoc', 'bin', 'typedoc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const lock = path.join(tools, 'package-lock.json');
const installed = path.join(tools, 'node_modules', '.package-lock.json');
if (!fs.existsSync(bin) || !fs.existsSync(installed) ||
    fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
  run(npm, ['ci', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], tools);
}
fs.rmSync(path.join(root, 'docs', 'api'), { recursive: true, force: true });
run(process.execPath, [bin, '--options', path.join(root, 'typedoc.json'), ...process.argv.slice(2)], root);
