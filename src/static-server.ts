// runStaticServer(): serve a directory (httpuv 1.6.12), in the foreground (a Promise settled by
// interrupt(), SIGINT or SIGTERM) or in the background (the server). Used by the CLI.
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { startServer, runUntilInterrupted, type WebServer } from './server.js';
import type { App } from './app.js';
import { staticPath, type StaticPathInput } from './static-paths.js';
import { randomPort } from './random-port-native.js';
import { native } from './runtime.js';
import { argumentError, assertBoolean, assertInteger, assertKnownKeys, assertString, isPlainObject } from './validate.js';

/** Options of `runStaticServer`: where to listen, how to run, and the staticPath options. */
export interface StaticServerOptions extends StaticPathInput {
  /** Default "127.0.0.1". */
  host?: string;
  /**
   * An integer from 1 to 65535 (httpuv's contract: port 0 is refused, as R's runStaticServer
   * does; `startServer` takes 0). A port in use is an `Error` with code
   * `ERR_HTTPUV_UNAVAILABLE_PORT`. Left out: 7446 when free, else a random free port, with a
   * line saying so unless `quiet`.
   */
  port?: number;
  /** Return the server instead of a Promise that waits for interrupt() (default false). */
  background?: boolean;
  /** Open the URL in a browser (default false). */
  browse?: boolean;
  /** Print "Serving…" lines (default true). */
  quiet?: boolean;
}

const OPTION_KEYS = ['host', 'port', 'background', 'browse', 'quiet', 'indexhtml', 'fallthrough',
  'htmlCharset', 'headers', 'validation', 'redirectDirectories', 'directoryListing', 'spaFallback'];

/** The port runStaticServer tries first when none is given (httpuv's). */
export const DEFAULT_STATIC_PORT = 7446;

function isAddressInUse(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'EADDRINUSE';
}

/**
 * Starts the static server on DEFAULT_STATIC_PORT, or on a random free port when that one is
 * taken. Retries a few times: another process may take a probed port before we bind it.
 */
function startOnDefaultPort(host: string, app: App): WebServer {
  for (let attempt = 0; ; attempt++) {
    const port = attempt === 0 && native.port_available(host, DEFAULT_STATIC_PORT)
      ? DEFAULT_STATIC_PORT : randomPort(1024, 49151, host);
    try {
      return startServer(host, port, app);
    } catch (e) {
      if (!isAddressInUse(e) || attempt >= 4) throw e;
    }
  }
}

/** @internal Opens `url` in the default browser; a failure is one line on stderr. */
export function openBrowser(url: string): void {
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
  if (port !== undefined) assertInteger('options.port', port, 1, 65535);
  // The CLI's and serve's default, not httpuv's: "/dir" answers 301 to "/dir/".
  const root = staticPath(dir, { redirectDirectories: true, ...pathOptions });
  const app = { staticPaths: { '/': root } };
  let server: WebServer;
  if (port === undefined) {
    server = startOnDefaultPort(host, app);
  } else {
    try {
      server = startServer(host, port, app);
    } catch (e) {
      if (!isAddressInUse(e)) throw e;
      // httpuv's message and condition class (httpuv_unavailable_port), as randomPort's code.
      const err = new Error(`Port ${port} is not available on host ${host}: it is in use ` +
        '(leave options.port out to use 7446 or a free port)', { cause: e });
      (err as { code?: string }).code = 'ERR_HTTPUV_UNAVAILABLE_PORT';
      throw err;
    }
  }
  // In the foreground, SIGINT/SIGTERM are handled before the URL is printed: a client (or a
  // script) that reacts to the URL with a signal must never meet the default action.
  const done = background ? undefined : runUntilInterrupted(server);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${server.getPort()}`;
  if (!quiet) {
    if (port === undefined && server.getPort() !== DEFAULT_STATIC_PORT) {
      process.stderr.write(`Port ${DEFAULT_STATIC_PORT} is in use; serving on port ${server.getPort()} instead.\n`);
    }
    process.stderr.write(`Serving: '${dir}'\nView at: ${url}\n`);
  }
  if (browse) openBrowser(url);
  if (done === undefined) return server;
  if (!quiet) process.stderr.write('Press Ctrl + C to stop the server\n');
  return done;
}
