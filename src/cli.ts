#!/usr/bin/env node
// `npx node-httpuv serve [DIR] [--host H] [--port P] [--open] [--no-index] [--quiet]`: serves a
// folder with runStaticServer, prints the URL and one log line per request (logLevel INFO),
// and stops cleanly on Ctrl-C or SIGTERM: downloads in progress may finish (up to 5 s, stop()'s
// default grace period), a second Ctrl-C stops at once.
import { runStaticServer } from './static-server.js';
import { logLevel } from './log.js';

const USAGE = `Usage: node-httpuv serve [DIR] [--host HOST] [--port PORT] [--open] [--no-index] [--quiet]

Serves DIR (default: the current directory) over HTTP from node-httpuv's I/O thread.
  --host HOST   IP address to listen on (default 127.0.0.1)
  --port PORT   port (default 7446, or a random free port when 7446 is taken)
  --open        open the URL in a browser
  --no-index    do not serve index.html for directories
  --quiet       no log lines
`;

function fail(msg: string): never {
  process.stderr.write(`node-httpuv: ${msg}\n\n${USAGE}`);
  process.exit(2);
}

function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (cmd !== 'serve') fail(cmd === undefined ? 'missing command' : `unknown command ${JSON.stringify(cmd)}`);
  let dir: string | undefined;
  let host = '127.0.0.1';
  let port: number | undefined;
  let open = false;
  let indexhtml = true;
  let quiet = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--host') host = value();
    else if (a.startsWith('--host=')) host = a.slice(7);
    else if (a === '--port' || a.startsWith('--port=')) {
      const v = a === '--port' ? value() : a.slice(7);
      if (!/^\d+$/.test(v) || Number(v) > 65535) fail(`--port must be an integer from 0 to 65535, got ${JSON.stringify(v)}`);
      port = Number(v);
    } else if (a === '--open') open = true;
    else if (a === '--no-index') indexhtml = false;
    else if (a === '--quiet') quiet = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return;
    } else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else if (dir === undefined) dir = a;
    else fail(`unexpected argument ${JSON.stringify(a)}`);
  }
  if (!quiet) logLevel('INFO');
  runStaticServer(dir ?? '.', { host, port, browse: open, indexhtml, quiet })
    .then(() => { if (!quiet) process.stderr.write('Stopped.\n'); })
    .catch((e: Error) => fail(e.message));
}

try {
  main(process.argv.slice(2));
} catch (e) {
  fail((e as Error).message);
}
