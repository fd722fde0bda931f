// runStaticServer(): serve a directory (httpuv 1.6.12), in the foreground (a Promise settled by
// interrupt(), SIGINT or SIGTERM) or in the background (the server). Used by the CLI.
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { startServer, runUntilInterrupted, type WebServer } from './server.js';
import { staticPath, type StaticPathInput } from './static-paths.js';
import { randomPort } from './random-port-native.js';
import { native } from './runtime.js';
import { argumentError, assertBoolean, assertInteger, assertKnownKeys, assertString, isPlainObject } from './validate.js';

/** Options of `runStaticServer`: where to listen, how to run, and the staticPath options. */
export interface StaticServerOptions extends StaticPathInput {
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 7446 when free, else a random free port. */
  port?: number;
  /** Return the server instead of a Promise that waits for interrupt() (default false). */
  background?: boolean;
  /** Open the URL in a browser (default false). */
  browse?: boolean;
  /** Print "Serving…" lines (default true). */
  quiet?: boolean;
}

const OPTION_KEYS = ['host', 'port', 'background', 'browse', 'quiet', 'indexhtml', 'fallthrough',
  'htmlCharset', 'headers', 'validation'];

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', (e) => process.stderr.write(`Could not open a browser: ${e.message}\n`));
    child.unref();
  } catch (e) {
    process.stderr.write(`Could not open a browser: ${(e as Error).message}\n`);
  }
}

/**
 * Serves `dir` as static files. Foreground (default): resolves once `interrupt()`, SIGINT or
 * SIGTERM has stopped the server (with `stop()`'s drain: requests in progress finish within
 * 5 s; a second signal stops it at once). With `background: true`: returns the running server.
 */
export function runStaticServer(dir: string, options: StaticServerOptions & { background: true }): WebServer;
export function runStaticServer(dir: string, options?: StaticServerOptions): Promise<void>;
export function runStaticServer(dir: string, options: StaticServerOptions = {}): WebServer | Promise<void> {
  assertString('dir', dir);
  if (!isPlainObject(options)) throw argumentError('options', 'a plain object', options);
  assertKnownKeys('options', options, OPTION_KEYS);
  const { host = '127.0.0.1', port, background = false, browse = false, quiet = false, ...pathOptions } = options;
  assertString('options.host', host);
  assertBoolean('options.background', background);
  assertBoolean('options.browse', browse);
  assertBoolean('options.quiet', quiet);
  if (!fs.existsSync(dir)) throw argumentError('dir', 'an existing directory', dir);
  const root = staticPath(dir, pathOptions);
  let chosen: number;
  if (port === undefined) {
    chosen = native.port_available(host, 7446) ? 7446 : randomPort(1024, 49151, host);
  } else {
    assertInteger('options.port', port, 0, 65535);
    chosen = port;
  }
  const server = startServer(host, chosen, { staticPaths: { '/': root } });
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${server.getPort()}`;
  if (!quiet) {
    process.stderr.write(`Serving: '${dir}'\nView at: ${url}\n`);
  }
  if (browse) openBrowser(url);
  if (background) return server;
  if (!quiet) process.stderr.write('Press Ctrl + C to stop the server\n');
  return runUntilInterrupted(server);
}
